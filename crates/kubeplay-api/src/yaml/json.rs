//! A YAML node as the JSON kubectl makes of it (`sigs.k8s.io/yaml.YAMLToJSON`, go-yaml v2's
//! YAML 1.1 typing), and that JSON written the way Go's `encoding/json` encoder writes it:
//! compact, object keys sorted, `<`, `>`, `&`, U+2028 and U+2029 escaped. kubectl stores this
//! text in `kubectl.kubernetes.io/last-applied-configuration`.
use super::resolve::{resolve_plain, Resolved};
use super::tree::{Node, Value};
use serde_json::Value as Json;
use std::collections::BTreeMap;

/// The JSON value of a YAML node. Plain scalars are typed as go-yaml v2 types them (`yes` is
/// `true`, `0644` is 420); quoted and block scalars are strings; mapping keys become strings
/// (`true`, `1`), the last of duplicate keys winning.
pub fn to_json(node: &Node) -> Json {
    match &node.value {
        Value::Scalar { text, plain: false } => Json::String(text.clone()),
        Value::Scalar { text, plain: true } => match resolve_plain(text) {
            Resolved::Null => Json::Null,
            Resolved::Bool(b) => Json::Bool(b),
            Resolved::Int(n) => Json::from(n),
            Resolved::Float => match text.replace('_', "").parse::<f64>() {
                Ok(f) => go_float(f).unwrap_or_else(|| Json::String(text.clone())),
                Err(_) => Json::String(text.clone()),
            },
            Resolved::Str => Json::String(text.clone()),
        },
        Value::Seq(items) => Json::Array(items.iter().map(to_json).collect()),
        Value::Map(entries) => {
            let mut m: BTreeMap<String, Json> = BTreeMap::new();
            for (k, v) in entries {
                m.insert(key_text(k), to_json(v));
            }
            Json::Object(m.into_iter().collect())
        }
    }
}

/// A float as Go's JSON encoder prints a float64: integral values without a fraction
/// (`1.0` → `1`); NaN and infinities cannot be encoded (`None`).
fn go_float(f: f64) -> Option<Json> {
    if !f.is_finite() {
        return None;
    }
    // |f| < 2^53: exactly representable as an integer, printed as one by Go (`%v` of 1e3 is
    // 1000 in JSON)
    if f.fract() == 0.0 && f.abs() < 9_007_199_254_740_992.0 {
        return Some(Json::from(f as i64));
    }
    serde_json::Number::from_f64(f).map(Json::Number)
}

/// A mapping key as YAMLToJSON turns it into a JSON key.
fn key_text(k: &Node) -> String {
    match &k.value {
        Value::Scalar { text, plain: true } => match resolve_plain(text) {
            Resolved::Bool(b) => b.to_string(),
            Resolved::Int(n) => n.to_string(),
            Resolved::Null => "null".into(),
            _ => text.clone(),
        },
        Value::Scalar { text, .. } => text.clone(),
        // a collection as a key: not valid in a Kubernetes manifest; keep something stable
        _ => to_go_json(&to_json(k)),
    }
}

/// Compact JSON as Go's `json.Encoder` writes it (HTML-safe escaping, keys in sorted order;
/// the caller's maps must already be sorted, as [`to_json`]'s are).
pub fn to_go_json(v: &Json) -> String {
    let s = serde_json::to_string(v).unwrap_or_default();
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::limits::Limits;
    use crate::yaml::tree::parse;

    fn json_of(yaml: &str) -> String {
        let s = parse(yaml, &Limits::default());
        to_go_json(&to_json(&s.docs[0].root))
    }

    #[test]
    fn yaml_1_1_typing_sorted_keys_and_go_escaping() {
        assert_eq!(
            json_of("b: yes\na: 0644\nc: '0644'\nd: 1.0\ne: 0.5\nf: ~\ng: [x, 1e3]\n"),
            r#"{"a":420,"b":true,"c":"0644","d":1,"e":0.5,"f":null,"g":["x",1000]}"#
        );
        assert_eq!(
            json_of("cmd: \"a && b < c > d\"\n"),
            r#"{"cmd":"a \u0026\u0026 b \u003c c \u003e d"}"#
        );
        assert_eq!(json_of("true: 1\n2: x\n"), r#"{"2":"x","true":1}"#);
        assert_eq!(json_of("v: .inf\n"), r#"{"v":".inf"}"#);
    }
}
