//! Share links as hostile input: every way a link can be cut, edited, inflated or crafted
//! ends in a `DecodeError` whose message says what is wrong, and links the page made keep
//! opening.
use kubeplay_share::{
    decode, encode, pack, Action, DecodeError, Session, Tab, MAX_ACTIONS, MAX_JSON_BYTES,
    MAX_LINK_CHARS, MAX_REPLAY_MS,
};

fn session() -> Session {
    Session {
        v: 1,
        seed: 42,
        tabs: vec![Tab {
            name: "a.yaml".into(),
            text: "kind: Pod\nmetadata: {name: ü}\n".into(),
        }],
        active: 0,
        actions: vec![
            Action {
                t: 0,
                k: "apply".into(),
                p: "a.yaml\nkind: Pod\nmetadata: {name: ü}\n".into(),
            },
            Action {
                t: 1500,
                k: "cmd".into(),
                p: "kubectl get pods".into(),
            },
            Action {
                t: 1500,
                k: "cmd".into(),
                p: "sleep 30s".into(),
            },
        ],
        now: 9000,
    }
}

fn err(text: &str) -> String {
    match decode(text) {
        Ok(s) => panic!("decoded {s:?}"),
        Err(e) => e.to_string(),
    }
}

/// A session as JSON, packed as the page packs it, without `encode`'s filtering.
fn link(json: &serde_json::Value) -> String {
    pack(json.to_string().as_bytes())
}

fn json() -> serde_json::Value {
    serde_json::to_value(session()).unwrap()
}

#[test]
fn round_trip() {
    let s = session();
    let enc = encode(&s);
    assert!(enc
        .bytes()
        .all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_'));
    assert_eq!(decode(&enc), Ok(s.clone()));
    // the page may hand over the fragment with surrounding whitespace
    assert_eq!(decode(&format!(" {enc}\n")), Ok(s));
}

/// A link in the format the page wrote before it moved into this crate (same JSON, DEFLATE
/// level 9, base64url; main at 5a7f4ae): a Pod applied, `kubectl get pods`, `sleep 5`,
/// shared at 12 s. Links in the wild must keep opening.
#[test]
fn links_made_by_the_first_format_still_open() {
    const OLD: &str = "vZFBTgMxDEWvYnk9RVMQIOUUrNgQFm5iDdEkTtSYaauqdydNh13X3eU7T1_P8hkXNNsBK7NH8z6g0q6i-TqjUGI0-MMx5s0h76N_OlGK2BA-avuhEj55X0MWA8vWyhzEG_jI3kpiJU9KxgrAtchA77FSC7s-dVmUgrSCHjcr5q4BICSaWpIpyNEKXr4HJKdhaUbj7Znlpql9MnefEk9Nr9yxtvJI26FrvYzjauaSX73m3x07jTCxQsm-_rNvd9gamQu89uUlH9qZnht1-QM";
    let s = decode(OLD).unwrap();
    assert_eq!(s.seed, 7);
    assert_eq!(s.tabs[0].name, "hello-world.yaml");
    assert_eq!(s.actions.len(), 3);
    assert_eq!(s.actions[2].p, "sleep 5");
    assert_eq!(s.now, 12_000);
}

#[test]
fn encode_leaves_out_lines_that_are_not_playground_commands() {
    let mut s = session();
    s.actions.push(Action {
        t: 2000,
        k: "cmd".into(),
        p: "ls -la".into(),
    });
    s.actions.push(Action {
        t: 2000,
        k: "cmd".into(),
        p: "kubeplay-debug-panic".into(),
    });
    assert_eq!(decode(&encode(&s)), Ok(session()));
}

#[test]
fn truncated_links_are_damaged() {
    let enc = encode(&session());
    for cut in [1, 2, 5, enc.len() / 2, enc.len() - 3] {
        let e = err(&enc[..cut]);
        assert!(
            e.contains("damaged") || e.contains("does not hold a session"),
            "{cut}: {e}"
        );
    }
    assert!(err("").contains("damaged"));
}

#[test]
fn garbage_names_the_character() {
    assert_eq!(decode("abc%20def"), Err(DecodeError::NotBase64(3, '%')));
    assert!(err("<img src=x onerror=alert(1)>").contains("'<' at position 0"));
    // valid base64url, but not DEFLATE
    assert!(err("AAAAAAAAAAAAAAAA").contains("damaged"));
    // DEFLATE of something that is not a session
    assert!(err(&pack(b"[1,2,3]")).contains("does not hold a session"));
    assert!(err(&pack(b"{\"v\":1}")).contains("missing field"));
    assert!(err(&pack("\u{0}\u{ff}garbage".as_bytes())).contains("does not hold a session"));
}

#[test]
fn oversized_links_are_refused_before_decoding() {
    let long = "A".repeat(MAX_LINK_CHARS + 1);
    assert_eq!(decode(&long), Err(DecodeError::TooLong(MAX_LINK_CHARS + 1)));
    assert!(err(&long).contains("at most"));
}

#[test]
fn a_decompression_bomb_stops_at_the_limit() {
    // 64 MiB of spaces packs into ~90 KB of link
    let bomb = pack(&vec![b' '; 64 << 20]);
    assert!(bomb.len() < MAX_LINK_CHARS);
    assert_eq!(decode(&bomb), Err(DecodeError::TooBig));
    assert!(err(&bomb).contains("4 MiB"));
    // just under the limit is fine as far as unpacking goes (then it is not a session)
    let mut fits = vec![b' '; MAX_JSON_BYTES - 2];
    fits.extend_from_slice(b"{}");
    assert!(err(&pack(&fits)).contains("missing field"));
}

#[test]
fn deep_nesting_is_an_error_not_a_stack_overflow() {
    // unknown fields are skipped (serde_json skips without recursing), typed fields refuse
    // a sequence at once: either way an error, not a stack overflow
    let deep = format!(
        "{{\"extra\":{}{}}}",
        "[".repeat(100_000),
        "]".repeat(100_000)
    );
    assert!(err(&pack(deep.as_bytes())).contains("missing field `v`"));
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    assert!(err(&pack(deep.as_bytes())).contains("does not hold a session"));
    let mut j = json();
    j["tabs"][0]["text"] = serde_json::Value::String("[".repeat(1 << 20));
    // deep text inside a string is just text
    assert!(decode(&link(&j)).is_ok());
}

#[test]
fn only_playground_commands_are_carried() {
    for (line, allowed) in [
        ("kubectl get pods", true),
        ("k get po", true),
        ("sim terminate node/x", true),
        ("kops get ig", true),
        ("curl http://web", true),
        ("help", true),
        ("clear", true),
        ("", true),
        ("   ", true),
        ("kubeplay-debug-panic", false),
        ("rm -rf /", false),
        ("<script>alert(1)</script>", false),
        ("javascript:alert(1)", false),
        ("eval kubectl", false),
    ] {
        let mut j = json();
        j["actions"][1]["p"] = line.into();
        let r = decode(&link(&j));
        assert_eq!(r.is_ok(), allowed, "{line:?}: {r:?}");
        if !allowed {
            let e = r.unwrap_err().to_string();
            assert!(
                e.contains("action 2 runs") && e.contains("not a playground command"),
                "{e}"
            );
        }
    }
}

#[test]
fn unknown_action_kinds_and_odd_file_names_are_refused() {
    let mut j = json();
    j["actions"][1]["k"] = "eval".into();
    assert!(err(&link(&j)).contains("action 2 is of kind \"eval\""));

    for name in [
        "x $(kubectl delete deploy web)",
        "a b.yaml",
        "a;b",
        "",
        "<img src=x>",
    ] {
        let mut j = json();
        j["actions"][0]["p"] = format!("{name}\nkind: Pod\n").into();
        assert!(err(&link(&j)).contains("not a file name"), "{name}");
        let mut j = json();
        j["tabs"][0]["name"] = name.into();
        assert!(err(&link(&j)).contains("not a file name"), "{name}");
    }
    let mut j = json();
    j["actions"][0]["p"] = "no newline, so no file name".into();
    assert!(err(&link(&j)).contains("not a file name"));
}

#[test]
fn sizes_and_structure_are_capped() {
    let mut j = json();
    j["v"] = 2.into();
    assert!(err(&link(&j)).contains("format version 2"));

    let mut j = json();
    j["active"] = 5.into();
    assert!(err(&link(&j)).contains("active tab is number 6 of 1"));

    let mut j = json();
    j["tabs"] = serde_json::to_value(vec![
        Tab {
            name: "t.yaml".into(),
            text: String::new()
        };
        65
    ])
    .unwrap();
    assert!(err(&link(&j)).contains("65 editor tabs; at most 64"));

    let mut j = json();
    j["actions"] = serde_json::to_value(vec![
        Action {
            t: 0,
            k: "cmd".into(),
            p: "help".into()
        };
        MAX_ACTIONS + 1
    ])
    .unwrap();
    assert!(err(&link(&j)).contains("20001 actions; at most 20000"));

    // the empty session is fine (the page keeps its own tabs)
    let mut j = json();
    j["tabs"] = serde_json::json!([]);
    j["active"] = 0.into();
    j["actions"] = serde_json::json!([]);
    assert!(decode(&link(&j)).is_ok());
}

#[test]
fn replay_time_is_capped() {
    let mut j = json();
    j["now"] = (MAX_REPLAY_MS + 1).into();
    assert!(err(&link(&j)).contains("past 100 days"));
    let mut j = json();
    j["now"] = u64::MAX.into();
    assert!(err(&link(&j)).contains("past 100 days"));

    let mut j = json();
    j["actions"][1]["t"] = (MAX_REPLAY_MS + 1).into();
    j["actions"][2]["t"] = (MAX_REPLAY_MS + 1).into();
    assert!(err(&link(&j)).contains("action 2 takes the replay past 100 days"));

    // many sleeps that each fit add up
    let mut j = json();
    j["actions"] = serde_json::to_value(vec![
        Action {
            t: 0,
            k: "cmd".into(),
            p: "sleep 2400h".into()
        };
        2
    ])
    .unwrap();
    assert!(err(&link(&j)).contains("action 2 takes the replay past"));
    // a sleep the terminal itself refuses takes no time
    j["actions"][1]["p"] = "sleep 1000000h".into();
    assert!(decode(&link(&j)).is_ok());

    let mut j = json();
    j["actions"][2]["t"] = 1000.into();
    assert!(err(&link(&j)).contains("action 3 is at 1000 ms, before the action ahead of it"));
}

#[test]
fn messages_quote_untrusted_text_briefly() {
    let mut j = json();
    j["actions"][1]["p"] = format!("evil{}", "x".repeat(10_000)).into();
    let e = err(&link(&j));
    assert!(e.len() < 300, "{e}");
    assert!(e.contains('…'));
}
