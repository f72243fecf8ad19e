//! YAML text as `kubectl get -o yaml` writes it (sigs.k8s.io/yaml over go-yaml v2).
//!
//! The details learners notice are all here: keys sorted; sequences inside mappings not
//! indented (`containers:\n- image: nginx`); strings that would read back as another type
//! double-quoted (`"8080"`, `"true"`, timestamps); strings starting with YAML indicators
//! single-quoted; multi-line strings as `|` blocks; and long plain scalars folded at column 80,
//! the libyaml emitter's `best_width`.
use serde_json::Value;

const BEST_WIDTH: usize = 80;

/// Serialize `v` as a YAML document (ends with a newline).
pub fn to_yaml(v: &Value) -> String {
    let mut out = String::new();
    match v {
        Value::Object(m) if !m.is_empty() => write_map(v, 0, &mut out),
        Value::Array(a) if !a.is_empty() => write_seq(v, 0, &mut out),
        _ => {
            out.push_str(&scalar(v, 0, 0));
            out.push('\n');
        }
    }
    out
}

fn sorted_keys(m: &serde_json::Map<String, Value>) -> Vec<&String> {
    let mut k: Vec<&String> = m.keys().collect();
    k.sort();
    k
}

fn pad(n: usize, out: &mut String) {
    for _ in 0..n {
        out.push(' ');
    }
}

fn is_block(v: &Value) -> bool {
    matches!(v, Value::Object(m) if !m.is_empty()) || matches!(v, Value::Array(a) if !a.is_empty())
}

/// Write a mapping whose keys start at column `indent`; the first key's indentation is
/// assumed already written by the caller when it follows `- `.
fn write_map(v: &Value, indent: usize, out: &mut String) {
    let Value::Object(m) = v else { return };
    for (i, k) in sorted_keys(m).into_iter().enumerate() {
        if i > 0 || !out.ends_with("- ") {
            pad(indent, out);
        }
        let key = scalar(&Value::String(k.clone()), indent, indent);
        out.push_str(&key);
        out.push(':');
        let val = &m[k];
        match val {
            Value::Object(mm) if !mm.is_empty() => {
                out.push('\n');
                write_map(val, indent + 2, out);
            }
            Value::Array(a) if !a.is_empty() => {
                out.push('\n');
                write_seq(val, indent, out);
            }
            _ => {
                out.push(' ');
                let col = indent + key.chars().count() + 2;
                out.push_str(&scalar(val, col, indent + 2));
                out.push('\n');
            }
        }
    }
}

fn write_seq(v: &Value, indent: usize, out: &mut String) {
    let Value::Array(a) = v else { return };
    for item in a {
        pad(indent, out);
        out.push_str("- ");
        match item {
            Value::Object(m) if !m.is_empty() => write_map(item, indent + 2, out),
            Value::Array(aa) if !aa.is_empty() => {
                out.push('\n');
                write_seq(item, indent + 2, out);
            }
            _ => {
                out.push_str(&scalar(item, indent + 2, indent + 2));
                out.push('\n');
            }
        }
    }
    let _ = is_block;
}

/// Whether a plain scalar would resolve to something other than a string in YAML 1.1
/// (go-yaml v2's resolver), so it must be quoted to stay a string.
fn resolves_to_non_string(s: &str) -> bool {
    if s.is_empty() {
        return true;
    }
    const SPECIAL: &[&str] = &[
        "y", "Y", "yes", "Yes", "YES", "n", "N", "no", "No", "NO", "true", "True", "TRUE", "false",
        "False", "FALSE", "on", "On", "ON", "off", "Off", "OFF", "~", "null", "Null", "NULL",
        ".inf", ".Inf", ".INF", "+.inf", "-.inf", "-.Inf", "+.Inf", ".nan", ".NaN", ".NAN", "<<",
    ];
    if SPECIAL.contains(&s) {
        return true;
    }
    let t = s.replace('_', "");
    let body = t.strip_prefix(['+', '-']).unwrap_or(&t);
    if body.is_empty() {
        return false;
    }
    // ints: decimal, 0x hex, 0b binary, 0o/leading-zero octal
    if body.chars().all(|c| c.is_ascii_digit())
        || body
            .strip_prefix("0x")
            .is_some_and(|h| !h.is_empty() && h.chars().all(|c| c.is_ascii_hexdigit()))
        || body
            .strip_prefix("0b")
            .is_some_and(|h| !h.is_empty() && h.chars().all(|c| c == '0' || c == '1'))
    {
        return true;
    }
    // floats: digits with one dot and optional exponent
    if body.parse::<f64>().is_ok()
        && body
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_digit() || c == '.')
    {
        return true;
    }
    // base-60 (`1:20`), which go-yaml v2 quotes
    if body.contains(':')
        && body
            .split(':')
            .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()))
    {
        return true;
    }
    // timestamps: go-yaml v2 resolves `2006-01-02…` forms
    let b = s.as_bytes();
    b.len() >= 10
        && b[..4].iter().all(u8::is_ascii_digit)
        && b[4] == b'-'
        && b[5..7].iter().all(u8::is_ascii_digit)
        && b[7] == b'-'
        && b[8..10].iter().all(u8::is_ascii_digit)
}

/// Whether libyaml's emitter allows `s` as a plain scalar in block context.
fn plain_allowed(s: &str) -> bool {
    let first = s.chars().next().unwrap_or(' ');
    let second = s.chars().nth(1);
    if "#,[]{}&*!|>'\"%@`".contains(first) {
        return false;
    }
    if "-?:".contains(first) && (second.is_none() || second == Some(' ')) {
        return false;
    }
    if s.starts_with(' ') || s.ends_with(' ') || s.starts_with("---") || s.starts_with("...") {
        return false;
    }
    if s.contains(": ") || s.contains(" #") || s.ends_with(':') {
        return false;
    }
    !s.chars().any(|c| c.is_control() || c == '\u{feff}')
}

/// Render a scalar starting at column `col`; continuation lines of folded text are indented
/// to `cont`.
fn scalar(v: &Value, col: usize, cont: usize) -> String {
    match v {
        Value::Null => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::Object(_) => "{}".into(),
        Value::Array(_) => "[]".into(),
        Value::String(s) => {
            if s.contains('\n') && !s.chars().any(|c| c.is_control() && c != '\n') {
                return literal(s, cont);
            }
            if resolves_to_non_string(s) {
                return double_quoted(s);
            }
            if plain_allowed(s) {
                fold(s, col, cont, false)
            } else if !s.chars().any(char::is_control) {
                fold(&s.replace('\'', "''"), col + 1, cont, true)
            } else {
                double_quoted(s)
            }
        }
    }
}

/// libyaml breaks a plain or single-quoted scalar at a space once the column passes 80.
fn fold(s: &str, col: usize, cont: usize, single: bool) -> String {
    let mut out = String::new();
    if single {
        out.push('\'');
    }
    let mut column = col;
    let chars: Vec<char> = s.chars().collect();
    let mut spaces = false;
    for (i, &c) in chars.iter().enumerate() {
        if c == ' ' {
            let next_space = chars.get(i + 1) == Some(&' ');
            let edge = single && (i == 0 || i + 1 == chars.len());
            if !spaces && column > BEST_WIDTH && !next_space && !edge {
                out.push('\n');
                pad(cont, &mut out);
                column = cont;
            } else {
                out.push(c);
                column += 1;
            }
            spaces = true;
        } else {
            out.push(c);
            column += 1;
            spaces = false;
        }
    }
    if single {
        out.push('\'');
    }
    out
}

fn literal(s: &str, indent: usize) -> String {
    let chomp = if s.ends_with("\n\n") {
        "+"
    } else if s.ends_with('\n') {
        ""
    } else {
        "-"
    };
    let lead = if s.starts_with(' ') { "2" } else { "" };
    let mut out = format!("|{lead}{chomp}");
    let body = s.strip_suffix('\n').unwrap_or(s);
    for line in body.split('\n') {
        out.push('\n');
        if !line.is_empty() {
            pad(indent, &mut out);
            out.push_str(line);
        }
    }
    out
}

fn double_quoted(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() => out.push_str(&format!("\\x{:02X}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn kubectl_shapes() {
        let v = json!({
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "web", "creationTimestamp": "2026-01-01T00:00:00Z", "resourceVersion": "12", "labels": {}},
            "spec": {"containers": [{"image": "nginx", "ports": [{"containerPort": 80}], "args": ["a: b", "-", "*x"]}]},
            "status": {"phase": "Running", "ok": true, "empty": ""}
        });
        let want = "\
apiVersion: v1
kind: Pod
metadata:
  creationTimestamp: \"2026-01-01T00:00:00Z\"
  labels: {}
  name: web
  resourceVersion: \"12\"
spec:
  containers:
  - args:
    - 'a: b'
    - '-'
    - '*x'
    image: nginx
    ports:
    - containerPort: 80
status:
  empty: \"\"
  ok: true
  phase: Running
";
        assert_eq!(to_yaml(&v), want);
    }

    #[test]
    fn folds_long_plain_scalars_and_literal_blocks() {
        let v = json!({"conditions": [{"message": "ReplicaSet \"hello-world-deployment-7c9f8d6b5\" has timed out progressing after a while."}]});
        assert_eq!(
            to_yaml(&v),
            "conditions:\n- message: ReplicaSet \"hello-world-deployment-7c9f8d6b5\" has timed out progressing\n    after a while.\n"
        );
        let v = json!({"a": {"b": "{\"x\":1}\n"}});
        assert_eq!(to_yaml(&v), "a:\n  b: |\n    {\"x\":1}\n");
    }
}
