//! Tab completion for the terminal: given the line typed so far, the candidates for the word
//! under the cursor (programs, verbs, sub-verbs, resource types, object names, flags).
//!
//! The terminal replaces the last word of the line with a candidate (or inserts one after a
//! trailing space), so candidates are whole words, sorted and de-duplicated.
use crate::command::{verb_flags, KUBECTL_VERBS};
use crate::printers::s;
use crate::resource::{self, RESOURCES};
use crate::session::Session;

const PROGRAMS: &[&str] = &["curl", "help", "kops", "kubectl", "sim", "sleep"];
const SIM_VERBS: &[&str] = &[
    "crash",
    "load",
    "start",
    "stop",
    "terminate",
    "time",
    "zone-outage",
];
const KOPS_VERBS: &[&str] = &["edit", "get"];
/// Verbs whose next argument is a resource type.
const TYPED: &[&str] = &[
    "get", "describe", "delete", "label", "annotate", "scale", "expose", "wait", "explain",
];

fn filter(cands: impl IntoIterator<Item = String>, prefix: &str) -> Vec<String> {
    let mut v: Vec<String> = cands
        .into_iter()
        .filter(|c| c.starts_with(prefix))
        .collect();
    v.sort();
    v.dedup();
    v
}

impl Session {
    fn names_of(&self, kind: &str) -> Vec<String> {
        let Some(res) = resource::by_kind(kind) else {
            return Vec::new();
        };
        let ns = self.namespace.clone();
        self.list_in(res, Some(&ns))
            .iter()
            .map(|o| s(o, "metadata.name").to_string())
            .collect()
    }

    /// Candidates for the last word of `line` (empty after a trailing space means "next
    /// word").
    pub fn complete(&self, line: &str) -> Vec<String> {
        let Ok(mut words) = crate::token::tokenize(line) else {
            return Vec::new();
        };
        if line.is_empty() || line.ends_with(' ') {
            words.push(String::new());
        }
        let cur = words.last().cloned().unwrap_or_default();
        let before = &words[..words.len() - 1];
        let Some(program) = before.first() else {
            return filter(PROGRAMS.iter().map(|p| (*p).to_string()), &cur);
        };
        // positional words only: skip flags and the values of flags that take one
        let mut args: Vec<&String> = Vec::new();
        let mut skip = false;
        for w in &before[1..] {
            if skip {
                skip = false;
                continue;
            }
            if w.starts_with('-') {
                skip = !w.contains('=')
                    && matches!(
                        w.as_str(),
                        "-n" | "--namespace"
                            | "-o"
                            | "--output"
                            | "-l"
                            | "--selector"
                            | "-f"
                            | "--filename"
                            | "--context"
                            | "-c"
                            | "--container"
                            | "--field-selector"
                            | "--sort-by"
                            | "--replicas"
                            | "--image"
                            | "--for"
                            | "--timeout"
                    );
                continue;
            }
            args.push(w);
        }
        match program.as_str() {
            "kubectl" | "k" => {
                let Some(verb) = args.first() else {
                    let supported = KUBECTL_VERBS.iter().filter(|v| {
                        verb_flags(v).is_some() || matches!(**v, "rollout" | "set" | "top")
                    });
                    return filter(supported.map(|v| (*v).to_string()), &cur);
                };
                let verb = verb.as_str();
                if cur.starts_with('-') {
                    let full = match verb {
                        "rollout" | "set" | "top" | "create" => args
                            .get(1)
                            .map_or(verb.to_string(), |s| format!("{verb} {s}")),
                        v => v.to_string(),
                    };
                    let flags = verb_flags(&full).unwrap_or(&[]);
                    let mut c: Vec<String> =
                        flags.iter().map(|f| format!("--{}", f.long)).collect();
                    c.push("--namespace".into());
                    return filter(c, &cur);
                }
                let subs: Option<&[&str]> = match verb {
                    "rollout" => Some(&["history", "pause", "restart", "resume", "status", "undo"]),
                    "set" => Some(&["image"]),
                    "top" => Some(&["nodes", "pods"]),
                    "create" => Some(&["deployment", "namespace", "service"]),
                    _ => None,
                };
                if let Some(subs) = subs {
                    if args.len() == 1 {
                        return filter(subs.iter().map(|x| (*x).to_string()), &cur);
                    }
                    if matches!(verb, "rollout" | "set") {
                        return filter(
                            self.names_of("Deployment")
                                .into_iter()
                                .map(|n| format!("deployment/{n}")),
                            &cur,
                        );
                    }
                    return Vec::new();
                }
                if matches!(verb, "cordon" | "uncordon" | "drain") {
                    return filter(self.names_of("Node"), &cur);
                }
                if verb == "logs" {
                    return filter(self.names_of("Pod"), &cur);
                }
                if !TYPED.contains(&verb) {
                    return Vec::new();
                }
                if let Some((t, _)) = cur.split_once('/') {
                    let Some(res) = resource::lookup(t) else {
                        return Vec::new();
                    };
                    return filter(
                        self.names_of(res.kind)
                            .into_iter()
                            .map(|n| format!("{t}/{n}")),
                        &cur,
                    );
                }
                match args.get(1) {
                    None => {
                        let kinds = RESOURCES.iter().filter(|r| r.kind != "InstanceGroup");
                        let mut c: Vec<String> =
                            kinds.clone().map(|r| r.plural.to_string()).collect();
                        c.extend(kinds.flat_map(|r| r.short.iter().map(|x| (*x).to_string())));
                        if verb == "get" {
                            c.push("all".into());
                        }
                        filter(c, &cur)
                    }
                    Some(t) => match resource::lookup(t) {
                        Some(res) => filter(self.names_of(res.kind), &cur),
                        None => Vec::new(),
                    },
                }
            }
            "sim" => match args.first() {
                None => filter(SIM_VERBS.iter().map(|v| (*v).to_string()), &cur),
                Some(v) if matches!(v.as_str(), "terminate" | "stop" | "start") => filter(
                    self.names_of("Node")
                        .into_iter()
                        .map(|n| format!("node/{n}")),
                    &cur,
                ),
                Some(v) if v.as_str() == "crash" => filter(
                    self.names_of("Pod").into_iter().map(|n| format!("pod/{n}")),
                    &cur,
                ),
                _ => Vec::new(),
            },
            "kops" => match args.len() {
                0 => filter(KOPS_VERBS.iter().map(|v| (*v).to_string()), &cur),
                1 => filter(["ig".to_string(), "instances".to_string()], &cur),
                2 => filter(self.names_of("InstanceGroup"), &cur),
                _ => Vec::new(),
            },
            _ => Vec::new(),
        }
    }
}
