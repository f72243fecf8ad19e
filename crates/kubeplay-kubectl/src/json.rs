//! JSON text exactly as Go's `encoding/json` writes it for kubectl.
//!
//! `kubectl get -o json` marshals unstructured maps, so keys come out sorted, indented by four
//! spaces (`json.MarshalIndent(obj, "", "    ")`), with `<`, `>` and `&` escaped as `\u003c`
//! and friends. We write it ourselves instead of trusting serde_json's settings, which change
//! with features other crates in the workspace may turn on (`preserve_order`).
use serde_json::Value;

/// Pretty JSON with four-space indentation and sorted keys, no trailing newline.
pub fn pretty(v: &Value) -> String {
    let mut out = String::new();
    write(v, Some(0), &mut out);
    out
}

/// Compact JSON with sorted keys (`json.Marshal`), as jsonpath prints maps and lists.
pub fn compact(v: &Value) -> String {
    let mut out = String::new();
    write(v, None, &mut out);
    out
}

/// A JSON string literal with Go's escaping.
pub fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    write_str(s, &mut out);
    out
}

fn write_str(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}

fn newline(indent: Option<usize>, out: &mut String) {
    if let Some(n) = indent {
        out.push('\n');
        for _ in 0..n {
            out.push_str("    ");
        }
    }
}

fn write(v: &Value, indent: Option<usize>, out: &mut String) {
    match v {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => out.push_str(&n.to_string()),
        Value::String(s) => write_str(s, out),
        Value::Array(a) => {
            if a.is_empty() {
                out.push_str("[]");
                return;
            }
            out.push('[');
            let inner = indent.map(|n| n + 1);
            for (i, x) in a.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                newline(inner, out);
                write(x, inner, out);
            }
            newline(indent, out);
            out.push(']');
        }
        Value::Object(m) => {
            if m.is_empty() {
                out.push_str("{}");
                return;
            }
            out.push('{');
            let inner = indent.map(|n| n + 1);
            let mut keys: Vec<&String> = m.keys().collect();
            keys.sort();
            for (i, k) in keys.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                newline(inner, out);
                write_str(k, out);
                out.push(':');
                if indent.is_some() {
                    out.push(' ');
                }
                write(&m[k], inner, out);
            }
            newline(indent, out);
            out.push('}');
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn go_style() {
        let v = json!({"b": [1, {"x": "<a&b>"}], "a": {}, "c": []});
        assert_eq!(
            pretty(&v),
            "{\n    \"a\": {},\n    \"b\": [\n        1,\n        {\n            \"x\": \"\\u003ca\\u0026b\\u003e\"\n        }\n    ],\n    \"c\": []\n}"
        );
        assert_eq!(compact(&json!({"b": 1, "a": "x"})), r#"{"a":"x","b":1}"#);
    }
}
