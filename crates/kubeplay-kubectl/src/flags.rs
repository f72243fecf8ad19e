//! Command-line flags with pflag's grammar and pflag's error texts.
//!
//! kubectl is built on cobra/pflag, and learners meet its rules constantly: `-o json`,
//! `-ojson`, `-o=json` and `--output=json` are the same; booleans take no separate value
//! (`--all-namespaces=false` but never `--all-namespaces false`); `--` ends flags; flags may
//! come before or after arguments. Errors must read as kubectl's do, followed by the
//! `See 'kubectl get --help' for usage.` hint kubectl's flag error hook appends.
use std::collections::BTreeMap;

/// How a flag takes its value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Arity {
    /// Boolean: `--all`, `--all=false`.
    Bool,
    /// Takes a value: `--output json`, `--output=json`.
    Value,
    /// Value optional (pflag's NoOptDefVal): `--cascade` means the default given here,
    /// a value only through `=`.
    Optional(&'static str),
}

/// One accepted flag.
#[derive(Debug, Clone, Copy)]
pub struct Flag {
    /// Long name without dashes.
    pub long: &'static str,
    /// One-letter shorthand.
    pub short: Option<char>,
    /// Value grammar.
    pub arity: Arity,
}

/// Shorthand constructors, so command tables read like kubectl's flag lists.
pub const fn bool_flag(long: &'static str, short: Option<char>) -> Flag {
    Flag {
        long,
        short,
        arity: Arity::Bool,
    }
}
/// A flag that takes a value.
pub const fn value_flag(long: &'static str, short: Option<char>) -> Flag {
    Flag {
        long,
        short,
        arity: Arity::Value,
    }
}
/// A flag whose value is optional.
pub const fn opt_flag(long: &'static str, default: &'static str) -> Flag {
    Flag {
        long,
        short: None,
        arity: Arity::Optional(default),
    }
}

/// Flags every kubectl command accepts (a subset of `kubectl options`).
pub const GLOBAL: &[Flag] = &[
    value_flag("namespace", Some('n')),
    value_flag("context", None),
    value_flag("kubeconfig", None),
    value_flag("cluster", None),
    value_flag("user", None),
    value_flag("request-timeout", None),
    value_flag("v", Some('v')),
    value_flag("server", Some('s')),
    bool_flag("help", Some('h')),
];

/// The result of parsing: positional arguments and flag values by long name.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Parsed {
    /// Positional arguments in order.
    pub args: Vec<String>,
    /// Every value given per flag, in order (repeatable flags like `-f a -f b`).
    pub values: BTreeMap<String, Vec<String>>,
}

impl Parsed {
    /// Last value of a flag, if given.
    pub fn get(&self, long: &str) -> Option<&str> {
        self.values
            .get(long)
            .and_then(|v| v.last())
            .map(String::as_str)
    }

    /// All values of a repeatable flag.
    pub fn all(&self, long: &str) -> Vec<String> {
        self.values.get(long).cloned().unwrap_or_default()
    }

    /// Whether a boolean flag is true (given without `=false`).
    pub fn is(&self, long: &str) -> bool {
        self.get(long) == Some("true")
    }

    /// Whether a flag was given at all.
    pub fn has(&self, long: &str) -> bool {
        self.values.contains_key(long)
    }
}

fn flag_name(f: &Flag) -> String {
    match f.short {
        Some(s) => format!("-{s}, --{}", f.long),
        None => format!("--{}", f.long),
    }
}

/// pflag's ParseBool accepts exactly Go's strconv.ParseBool spellings.
fn parse_bool(f: &Flag, v: &str) -> Result<String, String> {
    match v {
        "1" | "t" | "T" | "true" | "TRUE" | "True" => Ok("true".into()),
        "0" | "f" | "F" | "false" | "FALSE" | "False" => Ok("false".into()),
        _ => Err(format!(
            "invalid argument \"{v}\" for \"{}\" flag: strconv.ParseBool: parsing \"{v}\": invalid syntax",
            flag_name(f)
        )),
    }
}

/// pflag's int flag error for a bad number, in kubectl's words.
pub fn invalid_int(flag: &str, short: Option<char>, v: &str) -> String {
    let name = match short {
        Some(s) => format!("-{s}, --{flag}"),
        None => format!("--{flag}"),
    };
    format!(
        "invalid argument \"{v}\" for \"{name}\" flag: strconv.ParseInt: parsing \"{v}\": invalid syntax"
    )
}

/// Parse `words` against `specs` (plus [`GLOBAL`]). `Err` holds pflag's message without the
/// `error: ` prefix or the usage hint; callers add both.
pub fn parse(words: &[String], specs: &[Flag]) -> Result<Parsed, String> {
    let all: Vec<&Flag> = specs.iter().chain(GLOBAL.iter()).collect();
    let find_long = |n: &str| all.iter().find(|f| f.long == n).copied();
    let find_short = |c: char| all.iter().find(|f| f.short == Some(c)).copied();
    let mut out = Parsed::default();
    let push = |out: &mut Parsed, f: &Flag, v: String| {
        out.values.entry(f.long.to_string()).or_default().push(v);
    };
    let mut i = 0;
    while i < words.len() {
        let w = &words[i];
        i += 1;
        if w == "--" {
            out.args.extend(words[i..].iter().cloned());
            break;
        }
        if let Some(body) = w.strip_prefix("--") {
            let (name, inline) = match body.split_once('=') {
                Some((n, v)) => (n, Some(v.to_string())),
                None => (body, None),
            };
            // pflag normalises `_` to `-` in kubectl (WordSepNormalizeFunc).
            let norm = name.replace('_', "-");
            let Some(f) = find_long(&norm) else {
                return Err(format!("unknown flag: --{name}"));
            };
            let v = match (f.arity, inline) {
                (Arity::Bool, Some(v)) => parse_bool(f, &v)?,
                (Arity::Bool, None) => "true".into(),
                (Arity::Optional(_), Some(v)) | (Arity::Value, Some(v)) => v,
                (Arity::Optional(d), None) => d.into(),
                (Arity::Value, None) => match words.get(i) {
                    Some(v) => {
                        i += 1;
                        v.clone()
                    }
                    None => return Err(format!("flag needs an argument: --{name}")),
                },
            };
            push(&mut out, f, v);
            continue;
        }
        if w.len() > 1 && w.starts_with('-') {
            let shorts: Vec<char> = w[1..].chars().collect();
            let mut j = 0;
            while j < shorts.len() {
                let c = shorts[j];
                let Some(f) = find_short(c) else {
                    return Err(format!("unknown shorthand flag: '{c}' in {w}"));
                };
                let rest: String = shorts[j + 1..].iter().collect();
                match f.arity {
                    Arity::Bool => {
                        if let Some(v) = rest.strip_prefix('=') {
                            push(&mut out, f, parse_bool(f, v)?);
                            break;
                        }
                        push(&mut out, f, "true".into());
                        j += 1;
                    }
                    Arity::Optional(d) => {
                        let v = rest.strip_prefix('=').map_or(d.to_string(), str::to_string);
                        push(&mut out, f, v);
                        break;
                    }
                    Arity::Value => {
                        let v = if let Some(v) = rest.strip_prefix('=') {
                            v.to_string()
                        } else if !rest.is_empty() {
                            rest
                        } else if let Some(v) = words.get(i) {
                            i += 1;
                            v.clone()
                        } else {
                            return Err(format!("flag needs an argument: '{c}' in -{c}"));
                        };
                        push(&mut out, f, v);
                        break;
                    }
                }
            }
            continue;
        }
        out.args.push(w.clone());
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SPECS: &[Flag] = &[
        value_flag("output", Some('o')),
        bool_flag("all-namespaces", Some('A')),
        bool_flag("watch", Some('w')),
        value_flag("filename", Some('f')),
        opt_flag("cascade", "background"),
    ];

    fn p(s: &str) -> Result<Parsed, String> {
        let words: Vec<String> = s.split_whitespace().map(String::from).collect();
        parse(&words, SPECS)
    }

    #[test]
    fn output_spellings_agree() {
        for s in [
            "pods -o json",
            "pods -ojson",
            "pods -o=json",
            "pods --output=json",
            "--output json pods",
        ] {
            let r = p(s).unwrap();
            assert_eq!(r.get("output"), Some("json"), "{s}");
            assert_eq!(r.args, ["pods"], "{s}");
        }
    }

    #[test]
    fn bools_and_combined_shorthands() {
        let r = p("pods -Aw").unwrap();
        assert!(r.is("all-namespaces") && r.is("watch"));
        let r = p("pods --all-namespaces=false").unwrap();
        assert!(!r.is("all-namespaces"));
        assert_eq!(
            p("pods -n kube-system").unwrap().get("namespace"),
            Some("kube-system")
        );
        assert_eq!(p("a -- -b").unwrap().args, ["a", "-b"]);
        assert_eq!(p("-f -").unwrap().get("filename"), Some("-"));
        assert_eq!(p("--cascade").unwrap().get("cascade"), Some("background"));
        assert_eq!(
            p("--cascade=orphan").unwrap().get("cascade"),
            Some("orphan")
        );
        assert_eq!(p("-f a -f b").unwrap().all("filename"), ["a", "b"]);
    }

    #[test]
    fn pflag_error_texts() {
        assert_eq!(p("--foo").unwrap_err(), "unknown flag: --foo");
        assert_eq!(p("-z").unwrap_err(), "unknown shorthand flag: 'z' in -z");
        assert_eq!(p("-o").unwrap_err(), "flag needs an argument: 'o' in -o");
        assert_eq!(
            p("--output").unwrap_err(),
            "flag needs an argument: --output"
        );
        assert_eq!(
            p("-A=maybe").unwrap_err(),
            "invalid argument \"maybe\" for \"-A, --all-namespaces\" flag: strconv.ParseBool: parsing \"maybe\": invalid syntax"
        );
    }
}
