//! Writes a JSON value as block YAML in kubectl's style (sigs.k8s.io/yaml over go-yaml v2): keys
//! in the map's (sorted) order, two-space indent, sequences under a key not indented, strings
//! quoted only when a plain scalar would read back as something else.
use serde_json::Value;

/// Render `value` as a YAML document (no `---`), ending in a newline.
pub fn to_yaml(value: &Value) -> String {
    let mut out = String::new();
    match value {
        Value::Object(m) if !m.is_empty() => write_map(&mut out, m, 0),
        Value::Array(a) if !a.is_empty() => write_seq(&mut out, a, 0),
        other => {
            out.push_str(&scalar(other, 0));
            out.push('\n');
        }
    }
    out
}

fn indent(out: &mut String, n: usize) {
    out.extend(std::iter::repeat_n(' ', n));
}

fn write_map(out: &mut String, m: &serde_json::Map<String, Value>, depth: usize) {
    for (k, v) in m {
        indent(out, depth);
        out.push_str(&quote_if_needed(k));
        out.push(':');
        write_value_after_key(out, v, depth);
    }
}

fn write_value_after_key(out: &mut String, v: &Value, depth: usize) {
    match v {
        Value::Object(m) if !m.is_empty() => {
            out.push('\n');
            write_map(out, m, depth + 2);
        }
        // go-yaml v2 puts a sequence under a key at the key's own indentation.
        Value::Array(a) if !a.is_empty() => {
            out.push('\n');
            write_seq(out, a, depth);
        }
        other => {
            out.push(' ');
            out.push_str(&scalar(other, depth + 2));
            out.push('\n');
        }
    }
}

fn write_seq(out: &mut String, a: &[Value], depth: usize) {
    for item in a {
        indent(out, depth);
        out.push('-');
        match item {
            Value::Object(m) if !m.is_empty() => {
                // First entry on the dash line, the rest aligned under it.
                let mut first = true;
                for (k, v) in m {
                    if first {
                        out.push(' ');
                        first = false;
                    } else {
                        indent(out, depth + 2);
                    }
                    out.push_str(&quote_if_needed(k));
                    out.push(':');
                    write_value_after_key(out, v, depth + 2);
                }
            }
            Value::Array(inner) if !inner.is_empty() => {
                out.push('\n');
                write_seq(out, inner, depth + 2);
            }
            other => {
                out.push(' ');
                out.push_str(&scalar(other, depth + 2));
                out.push('\n');
            }
        }
    }
}

/// A scalar (or an empty collection) in flow form; `depth` is the indentation for block text.
fn scalar(v: &Value, depth: usize) -> String {
    match v {
        Value::Null => "null".to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => string(s, depth),
        Value::Array(_) => "[]".to_string(),
        Value::Object(_) => "{}".to_string(),
    }
}

fn string(s: &str, depth: usize) -> String {
    if s.contains('\n') && literal_ok(s) {
        let chomp = if s.ends_with('\n') { "" } else { "-" };
        let mut out = format!("|{chomp}");
        for line in s.strip_suffix('\n').unwrap_or(s).split('\n') {
            out.push('\n');
            if !line.is_empty() {
                out.extend(std::iter::repeat_n(' ', depth));
                out.push_str(line);
            }
        }
        return out;
    }
    quote_if_needed(s)
}

/// A literal block keeps text exactly only without trailing blanks, tabs/control characters,
/// leading spaces on the first line, or several trailing newlines.
fn literal_ok(s: &str) -> bool {
    !s.starts_with(' ')
        && !s.ends_with("\n\n")
        && !s.split('\n').any(|l| l.ends_with(' '))
        && !s.chars().any(|c| c.is_control() && c != '\n')
}

/// Plain when it reads back as the same string, double-quoted (JSON escapes) otherwise.
pub fn quote_if_needed(s: &str) -> String {
    if plain_ok(s) {
        s.to_string()
    } else {
        serde_json::to_string(s).unwrap_or_default()
    }
}

fn plain_ok(s: &str) -> bool {
    let Some(first) = s.chars().next() else {
        return false;
    };
    if "-?:,[]{}#&*!|>'\"%@` \t".contains(first) {
        // `-` alone or followed by a space starts a sequence; `-x` is fine except numbers.
        let dash_word = first == '-' && s.len() > 1 && !s[1..].starts_with(' ');
        if !dash_word {
            return false;
        }
    }
    !s.ends_with(' ')
        && !s.ends_with(':')
        && !s.contains(": ")
        && !s.contains(" #")
        && !s.chars().any(char::is_control)
        && crate::yaml::resolve::plain_is_string(s)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn prints_like_kubectl() {
        let v = json!({
            "kind": "Deployment",
            "metadata": {"name": "web", "labels": {"app": "web"}},
            "spec": {"replicas": 2, "template": {"spec": {"containers": [
                {"name": "c", "image": "nginx", "ports": [{"containerPort": 80}], "args": []}
            ]}}},
            "data": {"flag": "true", "num": "8080", "empty": "", "multi": "a\nb\n"}
        });
        let want = "\
data:
  empty: \"\"
  flag: \"true\"
  multi: |
    a
    b
  num: \"8080\"
kind: Deployment
metadata:
  labels:
    app: web
  name: web
spec:
  replicas: 2
  template:
    spec:
      containers:
      - args: []
        image: nginx
        name: c
        ports:
        - containerPort: 80
";
        assert_eq!(to_yaml(&v), want);
    }

    #[test]
    fn quotes_ambiguous_strings() {
        for s in [
            "yes", "no", "on", "null", "~", "1e3", "0x1F", "- a", "a: b", "#x", "", " a",
        ] {
            assert!(quote_if_needed(s).starts_with('"'), "{s:?} must be quoted");
        }
        for s in ["nginx:1.25", "25%", "-x", "app.kubernetes.io/name", "a b"] {
            assert_eq!(quote_if_needed(s), s);
        }
    }
}
