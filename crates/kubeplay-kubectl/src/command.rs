//! The grammar of one script or terminal line: which program, which verb, which flags.
//!
//! Parsing is separate from running so that every input (typed, pasted or fuzzed) gets a
//! total, panic-free classification first, and so the error texts for unknown commands and
//! flags come out exactly as kubectl's before anything touches the cluster.
use crate::flags::{bool_flag, opt_flag, parse, value_flag, Flag, Parsed};
use crate::token::tokenize;

/// The longest a single line may advance virtual time (sleep, waits, load runs): keeps every
/// command's work bounded.
pub const MAX_WAIT_MS: u64 = 24 * 3600 * 1000;

/// The most virtual time one session simulates (100 days). With every line bounded by
/// [`MAX_WAIT_MS`] and [`MAX_SUBSTITUTIONS`], this bounds a whole script (`kubeplay run`) or
/// page session however many lines it has: past it, time stops and `sleep` says why.
pub const MAX_SESSION_MS: u64 = 100 * 24 * 3600 * 1000;

/// The most command substitutions (`$(…)`) one line may hold, so that one line cannot chain
/// thousands of 24-hour waits.
pub const MAX_SUBSTITUTIONS: usize = 8;

/// A parsed line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Line {
    /// Blank line or comment.
    Empty,
    /// `kubectl VERB …` (verb path like `rollout status`, `create deployment`).
    Kubectl {
        /// The verb, with sub-verb for grouped commands (`rollout status`, `top pods`).
        verb: String,
        /// Arguments and flags after the verb.
        parsed: Parsed,
    },
    /// `sleep DURATION`.
    Sleep(u64),
    /// `curl [flags] URL`.
    Curl(Parsed),
    /// `sim VERB …`.
    Sim(Vec<String>),
    /// `kops VERB …`.
    Kops(Vec<String>),
    /// A kubectl help request: the text to print.
    Help(String),
}

/// Verbs kubectl has, whether or not we simulate them (for suggestions and honest messages).
pub const KUBECTL_VERBS: &[&str] = &[
    "annotate",
    "api-resources",
    "api-versions",
    "apply",
    "attach",
    "auth",
    "autoscale",
    "certificate",
    "cluster-info",
    "completion",
    "config",
    "cordon",
    "cp",
    "create",
    "debug",
    "delete",
    "describe",
    "diff",
    "drain",
    "edit",
    "events",
    "exec",
    "explain",
    "expose",
    "get",
    "kustomize",
    "label",
    "logs",
    "options",
    "patch",
    "plugin",
    "port-forward",
    "proxy",
    "replace",
    "rollout",
    "run",
    "scale",
    "set",
    "taint",
    "top",
    "uncordon",
    "version",
    "wait",
];

const OUTPUT: Flag = value_flag("output", Some('o'));
const SELECTOR: Flag = value_flag("selector", Some('l'));
const FILENAME: Flag = value_flag("filename", Some('f'));
const ALL_NS: Flag = bool_flag("all-namespaces", Some('A'));
const RECURSIVE: Flag = bool_flag("recursive", Some('R'));
const DRY_RUN: Flag = opt_flag("dry-run", "unchanged");
const TIMEOUT: Flag = value_flag("timeout", None);

/// The flags each supported verb accepts.
/// A `&'static [Flag]` from const flag expressions (const fn results need a const item to be
/// promoted to 'static).
macro_rules! fl {
    ($($f:expr),* $(,)?) => {{
        const F: &[Flag] = &[$($f),*];
        F
    }};
}

pub fn verb_flags(verb: &str) -> Option<&'static [Flag]> {
    Some(match verb {
        "get" => fl!(
            OUTPUT,
            SELECTOR,
            FILENAME,
            ALL_NS,
            RECURSIVE,
            value_flag("field-selector", None),
            bool_flag("show-labels", None),
            value_flag("sort-by", None),
            bool_flag("watch", Some('w')),
            bool_flag("no-headers", None),
            value_flag("label-columns", Some('L')),
            bool_flag("show-kind", None),
            bool_flag("ignore-not-found", None),
            value_flag("chunk-size", None),
        ),
        "describe" => fl!(
            SELECTOR,
            FILENAME,
            ALL_NS,
            RECURSIVE,
            bool_flag("show-events", None)
        ),
        "apply" => fl!(
            FILENAME,
            RECURSIVE,
            OUTPUT,
            DRY_RUN,
            SELECTOR,
            bool_flag("server-side", None),
            bool_flag("force", None),
            bool_flag("prune", None),
            value_flag("field-manager", None),
            opt_flag("validate", "strict"),
        ),
        "create" => fl!(
            FILENAME,
            RECURSIVE,
            OUTPUT,
            DRY_RUN,
            opt_flag("validate", "strict"),
            bool_flag("save-config", None)
        ),
        "create deployment" => fl!(
            value_flag("image", None),
            value_flag("replicas", Some('r')),
            value_flag("port", None),
            OUTPUT,
            DRY_RUN,
        ),
        "create service" => fl!(),
        "create service clusterip" | "create service nodeport" | "create service loadbalancer" => {
            fl!(
                value_flag("tcp", None),
                value_flag("node-port", None),
                value_flag("clusterip", None),
                OUTPUT,
                DRY_RUN,
            )
        }
        "create namespace" => fl!(OUTPUT, DRY_RUN),
        "delete" => fl!(
            FILENAME,
            SELECTOR,
            RECURSIVE,
            ALL_NS,
            bool_flag("all", None),
            value_flag("grace-period", None),
            bool_flag("force", None),
            opt_flag("cascade", "background"),
            bool_flag("now", None),
            bool_flag("wait", None),
            bool_flag("ignore-not-found", None),
            value_flag("field-selector", None),
            TIMEOUT,
            OUTPUT,
            DRY_RUN,
        ),
        "scale" => fl!(
            value_flag("replicas", None),
            value_flag("current-replicas", None),
            SELECTOR,
            FILENAME,
            bool_flag("all", None),
            TIMEOUT,
            OUTPUT,
        ),
        "set image" => fl!(SELECTOR, FILENAME, bool_flag("all", None), OUTPUT, DRY_RUN),
        "set" => fl!(),
        "rollout" => fl!(),
        "rollout status" => fl!(
            bool_flag("watch", Some('w')),
            TIMEOUT,
            value_flag("revision", None),
            SELECTOR,
            FILENAME,
        ),
        "rollout history" => fl!(value_flag("revision", None), OUTPUT, SELECTOR, FILENAME),
        "rollout undo" => fl!(value_flag("to-revision", None), SELECTOR, FILENAME, DRY_RUN),
        "rollout restart" | "rollout pause" | "rollout resume" => fl!(SELECTOR, FILENAME, OUTPUT),
        "label" | "annotate" => fl!(
            bool_flag("overwrite", None),
            SELECTOR,
            bool_flag("all", None),
            ALL_NS,
            FILENAME,
            OUTPUT,
            bool_flag("list", None),
            value_flag("resource-version", None),
            DRY_RUN,
        ),
        "cordon" | "uncordon" => fl!(SELECTOR, DRY_RUN),
        "drain" => fl!(
            bool_flag("ignore-daemonsets", None),
            bool_flag("delete-emptydir-data", None),
            bool_flag("delete-local-data", None),
            bool_flag("force", None),
            value_flag("grace-period", None),
            TIMEOUT,
            SELECTOR,
            value_flag("pod-selector", None),
            bool_flag("disable-eviction", None),
            DRY_RUN,
        ),
        "expose" => fl!(
            value_flag("port", None),
            value_flag("target-port", None),
            value_flag("type", None),
            value_flag("name", None),
            value_flag("protocol", None),
            value_flag("selector", None),
            FILENAME,
            OUTPUT,
            DRY_RUN,
        ),
        "wait" => fl!(
            value_flag("for", None),
            TIMEOUT,
            SELECTOR,
            bool_flag("all", None),
            ALL_NS,
            FILENAME,
        ),
        "logs" => fl!(
            value_flag("container", Some('c')),
            value_flag("tail", None),
            bool_flag("follow", Some('f')),
            bool_flag("previous", Some('p')),
            bool_flag("timestamps", None),
            value_flag("since", None),
            SELECTOR,
            bool_flag("all-containers", None),
            bool_flag("prefix", None),
        ),
        "top" => fl!(),
        "top nodes" | "top pods" => fl!(
            SELECTOR,
            ALL_NS,
            value_flag("sort-by", None),
            bool_flag("no-headers", None),
            bool_flag("containers", None),
        ),
        "explain" => fl!(
            bool_flag("recursive", None),
            value_flag("api-version", None)
        ),
        "version" => fl!(bool_flag("client", None), OUTPUT),
        "cluster-info" => fl!(),
        "config" => fl!(),
        "config get-contexts" => fl!(OUTPUT, bool_flag("no-headers", None)),
        "config set-context" => fl!(bool_flag("current", None)),
        "config view" => fl!(
            OUTPUT,
            bool_flag("minify", None),
            bool_flag("raw", None),
            bool_flag("flatten", None)
        ),
        v if v.starts_with("config ") => fl!(),
        "api-resources" => fl!(
            bool_flag("namespaced", None),
            OUTPUT,
            bool_flag("no-headers", None)
        ),
        "events" => fl!(
            ALL_NS,
            value_flag("for", None),
            value_flag("types", None),
            bool_flag("watch", Some('w'))
        ),
        _ => return None,
    })
}

/// `kubectl config`'s sub-commands (all of them, for honest messages; `kubeconfig.rs` runs
/// the ones the playground's single context supports).
const CONFIG_SUBS: &[&str] = &[
    "current-context",
    "delete-cluster",
    "delete-context",
    "delete-user",
    "get-clusters",
    "get-contexts",
    "get-users",
    "rename-context",
    "set",
    "set-cluster",
    "set-context",
    "set-credentials",
    "unset",
    "use-context",
    "view",
];

/// Sub-verbs of grouped commands.
fn sub_verbs(verb: &str) -> Option<&'static [&'static str]> {
    Some(match verb {
        "rollout" => &["history", "pause", "restart", "resume", "status", "undo"],
        "set" => &["image"],
        "create" => &["deployment", "service", "namespace"],
        "create service" => &["clusterip", "loadbalancer", "nodeport"],
        "top" => &["nodes", "pods"],
        "config" => CONFIG_SUBS,
        _ => return None,
    })
}

/// Levenshtein distance, for cobra's "Did you mean this?" suggestions.
fn distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != cb);
            cur.push((prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1));
        }
        prev = cur;
    }
    prev[b.len()]
}

/// cobra's suggestions: distance ≤ 2 or a prefix match.
pub fn suggestions(word: &str, candidates: &[&str]) -> Vec<String> {
    let w = word.to_ascii_lowercase();
    candidates
        .iter()
        .filter(|c| distance(&w, c) <= 2 || (!w.is_empty() && c.starts_with(w.as_str())))
        .map(|c| (*c).to_string())
        .collect()
}

/// `error: unknown command "foo" for "kubectl"` with cobra's suggestions and hint.
pub fn unknown_command(word: &str, path: &str, candidates: &[&str]) -> String {
    let mut s = format!("error: unknown command \"{word}\" for \"{path}\"");
    let sug = suggestions(word, candidates);
    if !sug.is_empty() {
        s.push_str("\n\nDid you mean this?\n");
        for x in sug {
            s.push('\t');
            s.push_str(&x);
            s.push('\n');
        }
    }
    s.push_str(&format!("\nRun '{path} --help' for usage."));
    s
}

/// kubectl's flag error: message plus `See 'kubectl VERB --help' for usage.`
pub fn flag_error(msg: &str, verb: &str) -> String {
    format!("error: {msg}\nSee 'kubectl {verb} --help' for usage.")
}

/// Parse one line. `Err` carries the complete error text to print.
pub fn parse_line(line: &str) -> Result<Line, String> {
    let words = tokenize(line).map_err(|e| format!("error: {e}"))?;
    let Some(first) = words.first() else {
        return Ok(Line::Empty);
    };
    let rest = &words[1..];
    match first.as_str() {
        "kubectl" | "k" => parse_kubectl(rest),
        "sleep" => {
            let Some(d) = rest.first() else {
                return Err("sleep: missing operand".into());
            };
            // bash's sleep takes bare seconds; we accept Go durations too
            let ms = crate::duration::parse_duration_ms(d)
                .or_else(|| d.parse::<u64>().ok().map(|s| s.saturating_mul(1000)))
                .ok_or_else(|| format!("sleep: invalid time interval '{d}'"))?;
            if rest.len() > 1 {
                return Err(format!("sleep: extra operand '{}'", rest[1]));
            }
            if ms > MAX_WAIT_MS {
                return Err(
                    "sleep: at most 24h of virtual time per sleep in the playground".into(),
                );
            }
            Ok(Line::Sleep(ms))
        }
        "curl" => {
            const CURL: &[Flag] = &[
                bool_flag("silent", Some('s')),
                bool_flag("include", Some('i')),
                bool_flag("verbose", Some('v')),
                bool_flag("fail", None),
                bool_flag("location", Some('L')),
                value_flag("max-time", Some('m')),
                value_flag("request", Some('X')),
                value_flag("header", Some('H')),
                value_flag("connect-timeout", None),
                bool_flag("show-error", Some('S')),
            ];
            let p = parse(rest, CURL).map_err(|e| format!("curl: option {e}"))?;
            if p.args.is_empty() {
                return Err("curl: no URL specified!\ncurl: try 'curl --help' or 'curl --manual' for more information".into());
            }
            Ok(Line::Curl(p))
        }
        "sim" => Ok(Line::Sim(rest.to_vec())),
        "kops" => Ok(Line::Kops(rest.to_vec())),
        other => Err(format!("{other}: command not found")),
    }
}

fn parse_kubectl(words: &[String]) -> Result<Line, String> {
    // Global flags may precede the verb: `kubectl -n kube-system get pods`.
    let mut i = 0;
    let mut pre: Vec<String> = Vec::new();
    while i < words.len() && words[i].starts_with('-') && words[i] != "-" {
        let w = &words[i];
        pre.push(w.clone());
        i += 1;
        let takes_value = matches!(
            w.as_str(),
            "-n" | "--namespace"
                | "--context"
                | "--kubeconfig"
                | "-s"
                | "--server"
                | "--cluster"
                | "--user"
                | "--request-timeout"
        );
        if takes_value && i < words.len() {
            pre.push(words[i].clone());
            i += 1;
        }
    }
    let Some(verb0) = words.get(i) else {
        if pre.iter().any(|w| w == "-h" || w == "--help") || pre.is_empty() {
            return Ok(Line::Help(crate::help::kubectl_help()));
        }
        if let Err(e) = parse(&pre, &[]) {
            return Err(flag_error(&e, "").replace("kubectl  --help", "kubectl --help"));
        }
        return Ok(Line::Help(crate::help::kubectl_help()));
    };
    if verb0 == "help" {
        return Ok(Line::Help(crate::help::kubectl_help()));
    }
    if !KUBECTL_VERBS.contains(&verb0.as_str()) {
        return Err(unknown_command(verb0, "kubectl", KUBECTL_VERBS));
    }
    let mut verb = verb0.clone();
    let mut rest: Vec<String> = words[i + 1..].to_vec();
    // Descend into sub-verbs (`rollout status`, `create service nodeport`).
    while let Some(subs) = sub_verbs(&verb) {
        // a sub-verb is the first non-flag word
        let pos = rest.iter().position(|w| !w.starts_with('-'));
        let sub = pos.map(|p| rest[p].clone());
        match sub {
            Some(s) if subs.contains(&s.as_str()) || alias_sub(&verb, &s).is_some() => {
                let canonical = alias_sub(&verb, &s).unwrap_or(s);
                rest.remove(pos.unwrap_or(0));
                verb = format!("{verb} {canonical}");
            }
            // `create -f x.yaml` is a verb of its own
            _ if verb == "create" => break,
            Some(s)
                if verb == "top"
                    || verb == "set"
                    || verb == "rollout"
                    || verb == "config"
                    || verb == "create service" =>
            {
                return Err(
                    unknown_command(&s, &format!("kubectl {verb}"), subs).replace(
                        &format!("\nRun 'kubectl {verb} --help' for usage."),
                        &format!("\nSee 'kubectl {verb} -h' for help and examples"),
                    ),
                );
            }
            _ => {
                if rest.iter().any(|w| w == "-h" || w == "--help") {
                    return Ok(Line::Help(crate::help::verb_help(&verb)));
                }
                return Ok(Line::Help(crate::help::verb_help(&verb)));
            }
        }
    }
    let Some(specs) = verb_flags(&verb) else {
        return Err(format!(
            "error: \"kubectl {verb}\" is not available in the kubeplay simulator (it needs a real container runtime or API server feature)"
        ));
    };
    let mut all = pre;
    all.extend(rest);
    let parsed = parse(&all, specs).map_err(|e| flag_error(&e, &verb))?;
    if parsed.is("help") {
        return Ok(Line::Help(crate::help::verb_help(&verb)));
    }
    Ok(Line::Kubectl { verb, parsed })
}

fn alias_sub(verb: &str, s: &str) -> Option<String> {
    let canon = match (verb, s) {
        ("create", "deploy") => "deployment",
        ("create", "svc") => "service",
        ("create", "ns") => "namespace",
        ("top", "node" | "no") => "nodes",
        ("top", "pod" | "po") => "pods",
        _ => return None,
    };
    Some(canon.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_lines() {
        assert_eq!(parse_line("   # hi").unwrap(), Line::Empty);
        assert_eq!(parse_line("sleep 30s").unwrap(), Line::Sleep(30_000));
        assert_eq!(parse_line("sleep 5").unwrap(), Line::Sleep(5_000));
        let Line::Kubectl { verb, parsed } =
            parse_line("kubectl -n kube-system get pods -o wide").unwrap()
        else {
            panic!()
        };
        assert_eq!(verb, "get");
        assert_eq!(parsed.get("namespace"), Some("kube-system"));
        assert_eq!(parsed.args, ["pods"]);
        let Line::Kubectl { verb, .. } = parse_line("kubectl rollout status deploy/x").unwrap()
        else {
            panic!()
        };
        assert_eq!(verb, "rollout status");
        let Line::Kubectl { verb, .. } = parse_line("kubectl create -f x.yaml").unwrap() else {
            panic!()
        };
        assert_eq!(verb, "create");
        let Line::Kubectl { verb, .. } =
            parse_line("kubectl create deploy web --image=nginx").unwrap()
        else {
            panic!()
        };
        assert_eq!(verb, "create deployment");
    }

    #[test]
    fn kubectl_error_texts() {
        assert_eq!(
            parse_line("kubectl frobnicate").unwrap_err(),
            "error: unknown command \"frobnicate\" for \"kubectl\"\nRun 'kubectl --help' for usage."
        );
        assert_eq!(
            parse_line("kubectl gt pods").unwrap_err(),
            "error: unknown command \"gt\" for \"kubectl\"\n\nDid you mean this?\n\tcp\n\tget\n\tset\n\nRun 'kubectl --help' for usage."
        );
        assert_eq!(
            parse_line("kubectl get pods --foo").unwrap_err(),
            "error: unknown flag: --foo\nSee 'kubectl get --help' for usage."
        );
        assert!(parse_line("kubectl exec -it x -- sh")
            .unwrap_err()
            .contains("not available"));
        assert_eq!(parse_line("ls").unwrap_err(), "ls: command not found");
    }
}
