//! What a decoded session may contain. A link runs on someone else's page as soon as it is
//! opened, so it may carry only what that person could have done with the playground's own
//! controls: apply an editor tab, or type a line the terminal knows. The replay it asks for
//! must also end soon, so its size and the virtual time it reaches are capped.
use crate::{sleep_ms, Session, FORMAT_VERSION, MAX_ACTIONS, MAX_REPLAY_MS, MAX_TABS};

/// Programs the playground's terminal runs. `help` and `clear` are the terminal's own; the
/// rest go to the simulated cluster. Anything else (typos, and test hooks such as the
/// page's debug panic) stays out of links.
const PROGRAMS: &[&str] = &[
    "kubectl", "k", "sim", "kops", "curl", "sleep", "help", "clear",
];

/// The longest editor tab name a link may carry.
const MAX_TAB_NAME: usize = 255;

/// Whether `line` is a terminal line a link may carry: blank, or one of [`PROGRAMS`] first.
pub fn is_playground_command(line: &str) -> bool {
    line.split_whitespace()
        .next()
        .is_none_or(|program| PROGRAMS.contains(&program))
}

/// Whether `name` is a tab name the page could have made (`untitled-2.yaml`, an example's
/// file name): it becomes the file of `kubectl apply -f NAME`, so no spaces, quotes, `$` or
/// other shell syntax that could turn it into more than one word.
pub fn is_tab_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= MAX_TAB_NAME
        && name
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '.' | '-' | '_' | '/'))
}

/// `Ok` when the session may be replayed; otherwise what is wrong, for the page to show.
pub fn check(s: &Session) -> Result<(), String> {
    if s.v != FORMAT_VERSION {
        return Err(format!(
            "the link has format version {}; this page reads version {FORMAT_VERSION}",
            s.v
        ));
    }
    if s.tabs.len() > MAX_TABS {
        return Err(format!(
            "the link carries {} editor tabs; at most {MAX_TABS}",
            s.tabs.len()
        ));
    }
    if let Some(t) = s.tabs.iter().find(|t| !is_tab_name(&t.name)) {
        return Err(format!(
            "editor tab name {:?} is not a file name",
            short(&t.name)
        ));
    }
    if !s.tabs.is_empty() && s.active >= s.tabs.len() {
        return Err(format!(
            "the active tab is number {} of {}",
            s.active + 1,
            s.tabs.len()
        ));
    }
    if s.actions.len() > MAX_ACTIONS {
        return Err(format!(
            "the link carries {} actions; at most {MAX_ACTIONS}",
            s.actions.len()
        ));
    }
    // The replay's clock: each action runs at its time, and `sleep` moves the clock on.
    let mut clock = 0u64;
    for (i, a) in s.actions.iter().enumerate() {
        let n = i + 1;
        match a.k.as_str() {
            "apply" => {
                let name = a.p.split_once('\n').map_or("", |(name, _)| name);
                if !is_tab_name(name) {
                    return Err(format!(
                        "action {n} applies {:?}, which is not a file name",
                        short(name)
                    ));
                }
            }
            "cmd" => {
                if !is_playground_command(&a.p) {
                    return Err(format!(
                        "action {n} runs `{}`, which is not a playground command (kubectl, sim, kops, curl, sleep, help, clear)",
                        short(a.p.trim())
                    ));
                }
            }
            other => {
                return Err(format!(
                    "action {n} is of kind {:?}; links carry only `apply` and `cmd`",
                    short(other)
                ))
            }
        }
        if i > 0 && a.t < s.actions[i - 1].t {
            return Err(format!(
                "action {n} is at {} ms, before the action ahead of it",
                a.t
            ));
        }
        clock = clock.max(a.t);
        if let Some(arg) = a.p.trim().strip_prefix("sleep ") {
            // an unparsable sleep is an error message on the page, not time
            clock = clock.saturating_add(sleep_ms(arg.trim()).unwrap_or(0));
        }
        if clock > MAX_REPLAY_MS {
            return Err(format!(
                "action {n} takes the replay past {} days of virtual time, the most a link may replay",
                MAX_REPLAY_MS / 86_400_000
            ));
        }
    }
    if s.now > MAX_REPLAY_MS {
        return Err(format!(
            "the link's time is past {} days of virtual time, the most a link may replay",
            MAX_REPLAY_MS / 86_400_000
        ));
    }
    Ok(())
}

/// At most 60 characters of untrusted text for a message (on a char boundary).
fn short(s: &str) -> String {
    match s.char_indices().nth(60) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s.to_string(),
    }
}
