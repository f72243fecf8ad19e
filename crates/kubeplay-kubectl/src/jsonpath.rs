//! kubectl's JSONPath templates: `-o jsonpath=…`, `custom-columns` and `--sort-by`.
//!
//! The subset people actually type: `{.a.b}`, `{.items[*].metadata.name}`, `[0]`, `[-1]`,
//! `[1:3]`, `..name`, `['key.with.dots']`, filters `[?(@.type=="Ready")]`, `{range …}{end}`,
//! and string literals like `{"\n"}`. Missing keys print nothing, as with `kubectl get`
//! (which sets `AllowMissingKeys(true)`). Strings print raw; maps and lists as compact JSON.
use serde_json::Value;

#[derive(Debug, Clone, PartialEq)]
enum Seg {
    Field(String),
    Recursive(String),
    Wildcard,
    Index(i64),
    Slice(Option<i64>, Option<i64>),
    Filter(Box<Filter>),
}

#[derive(Debug, Clone, PartialEq)]
struct Filter {
    left: Vec<Seg>,
    op: Option<(String, Operand)>,
}

#[derive(Debug, Clone, PartialEq)]
enum Operand {
    Lit(Value),
    Path(Vec<Seg>),
}

#[derive(Debug, Clone, PartialEq)]
enum Node {
    Text(String),
    Path(Vec<Seg>),
    Range(Vec<Seg>, Vec<Node>),
}

/// A parsed template.
#[derive(Debug, Clone, PartialEq)]
pub struct Template {
    nodes: Vec<Node>,
}

/// Parse a template such as `{range .items[*]}{.metadata.name}{"\n"}{end}`.
pub fn parse(template: &str) -> Result<Template, String> {
    let mut flat: Vec<(bool, String)> = Vec::new(); // (is_expr, text)
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        if open > 0 {
            flat.push((false, rest[..open].to_string()));
        }
        let after = &rest[open + 1..];
        // find the matching close brace, skipping quoted strings
        let mut depth = 1;
        let mut end = None;
        let mut quote: Option<char> = None;
        let mut prev = ' ';
        for (i, c) in after.char_indices() {
            match quote {
                Some(q) => {
                    if c == q && prev != '\\' {
                        quote = None;
                    }
                }
                None => match c {
                    '"' | '\'' => quote = Some(c),
                    '{' => depth += 1,
                    '}' => {
                        depth -= 1;
                        if depth == 0 {
                            end = Some(i);
                            break;
                        }
                    }
                    _ => {}
                },
            }
            prev = c;
        }
        let Some(end) = end else {
            return Err("unclosed action".to_string());
        };
        flat.push((true, after[..end].trim().to_string()));
        rest = &after[end + 1..];
    }
    if !rest.is_empty() {
        flat.push((false, rest.to_string()));
    }
    let mut pos = 0;
    let nodes = build(&flat, &mut pos, false)?;
    Ok(Template { nodes })
}

fn build(flat: &[(bool, String)], pos: &mut usize, in_range: bool) -> Result<Vec<Node>, String> {
    let mut nodes = Vec::new();
    while *pos < flat.len() {
        let (is_expr, text) = &flat[*pos];
        *pos += 1;
        if !is_expr {
            nodes.push(Node::Text(text.clone()));
            continue;
        }
        if text == "end" {
            if in_range {
                return Ok(nodes);
            }
            return Err("not in range, nothing to end".to_string());
        }
        if let Some(p) = text.strip_prefix("range ") {
            let path = parse_path(p.trim())?;
            let body = build(flat, pos, true)?;
            nodes.push(Node::Range(path, body));
            continue;
        }
        if let Some(lit) = string_literal(text) {
            nodes.push(Node::Text(lit));
            continue;
        }
        nodes.push(Node::Path(parse_path(text)?));
    }
    if in_range {
        return Err("unclosed range".to_string());
    }
    Ok(nodes)
}

fn string_literal(t: &str) -> Option<String> {
    let q = t.chars().next()?;
    if (q != '"' && q != '\'') || t.len() < 2 || !t.ends_with(q) {
        return None;
    }
    let inner = &t[1..t.len() - 1];
    let mut out = String::new();
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some('n') => out.push('\n'),
                Some('t') => out.push('\t'),
                Some('r') => out.push('\r'),
                Some(o) => out.push(o),
                None => out.push('\\'),
            }
        } else {
            out.push(c);
        }
    }
    Some(out)
}

fn parse_path(p: &str) -> Result<Vec<Seg>, String> {
    let p = p.strip_prefix('$').unwrap_or(p);
    let p = p.strip_prefix('@').unwrap_or(p);
    let chars: Vec<char> = p.chars().collect();
    let mut i = 0;
    let mut segs = Vec::new();
    // A field name runs to the next unescaped '.' or '['; a backslash escapes the character
    // after it (`{.metadata.labels.kubernetes\.io/os}`) and is then dropped
    // (client-go `util/jsonpath/parser.go` `parseField` and `advance`).
    let ident_end = |start: usize| {
        let mut j = start;
        while j < chars.len() && chars[j] != '.' && chars[j] != '[' {
            j += if chars[j] == '\\' { 2 } else { 1 };
        }
        j.min(chars.len())
    };
    let field = |from: usize, to: usize| -> String {
        chars[from..to].iter().filter(|&&c| c != '\\').collect()
    };
    while i < chars.len() {
        match chars[i] {
            '.' => {
                if chars.get(i + 1) == Some(&'.') {
                    let j = ident_end(i + 2);
                    segs.push(Seg::Recursive(field(i + 2, j)));
                    i = j;
                } else {
                    let j = ident_end(i + 1);
                    let name = field(i + 1, j);
                    if name == "*" {
                        segs.push(Seg::Wildcard);
                    } else if !name.is_empty() {
                        segs.push(Seg::Field(name));
                    }
                    i = j;
                }
            }
            '[' => {
                // find matching ]
                let mut depth = 0;
                let mut j = i;
                let mut quote: Option<char> = None;
                while j < chars.len() {
                    let c = chars[j];
                    match quote {
                        Some(q) if c == q => quote = None,
                        Some(_) => {}
                        None => match c {
                            '"' | '\'' => quote = Some(c),
                            '[' => depth += 1,
                            ']' => {
                                depth -= 1;
                                if depth == 0 {
                                    break;
                                }
                            }
                            _ => {}
                        },
                    }
                    j += 1;
                }
                if j >= chars.len() {
                    return Err(format!("unterminated array index in {p}"));
                }
                let inner: String = chars[i + 1..j].iter().collect();
                segs.push(parse_bracket(inner.trim())?);
                i = j + 1;
            }
            _ => {
                let j = ident_end(i);
                segs.push(Seg::Field(field(i, j)));
                i = j;
            }
        }
    }
    Ok(segs)
}

fn parse_bracket(inner: &str) -> Result<Seg, String> {
    if inner == "*" {
        return Ok(Seg::Wildcard);
    }
    if let Some(lit) = string_literal(inner) {
        return Ok(Seg::Field(lit));
    }
    if let Some(f) = inner.strip_prefix("?(").and_then(|s| s.strip_suffix(')')) {
        return Ok(Seg::Filter(Box::new(parse_filter(f.trim())?)));
    }
    if let Some((a, b)) = inner.split_once(':') {
        let num = |s: &str| -> Result<Option<i64>, String> {
            let s = s.split(':').next().unwrap_or("").trim();
            if s.is_empty() {
                Ok(None)
            } else {
                s.parse()
                    .map(Some)
                    .map_err(|_| format!("invalid array index {s}"))
            }
        };
        return Ok(Seg::Slice(num(a)?, num(b)?));
    }
    inner
        .parse()
        .map(Seg::Index)
        .map_err(|_| format!("invalid array index {inner}"))
}

fn parse_filter(f: &str) -> Result<Filter, String> {
    for op in ["==", "!=", "<=", ">=", "<", ">"] {
        if let Some((l, r)) = f.split_once(op) {
            let left = parse_path(l.trim())?;
            let r = r.trim();
            let operand = if let Some(s) = string_literal(r) {
                Operand::Lit(Value::String(s))
            } else if let Ok(n) = r.parse::<f64>() {
                Operand::Lit(serde_json::json!(n))
            } else if r == "true" || r == "false" {
                Operand::Lit(Value::Bool(r == "true"))
            } else {
                Operand::Path(parse_path(r)?)
            };
            return Ok(Filter {
                left,
                op: Some((op.to_string(), operand)),
            });
        }
    }
    Ok(Filter {
        left: parse_path(f)?,
        op: None,
    })
}

fn eval_path<'a>(root: &'a Value, segs: &[Seg]) -> Vec<&'a Value> {
    let mut cur: Vec<&Value> = vec![root];
    for seg in segs {
        let mut next = Vec::new();
        for v in cur {
            match seg {
                Seg::Field(name) => {
                    if let Some(x) = v.get(name.as_str()) {
                        next.push(x);
                    }
                }
                Seg::Recursive(name) => collect_recursive(v, name, &mut next),
                Seg::Wildcard => match v {
                    Value::Array(a) => next.extend(a.iter()),
                    Value::Object(m) => {
                        let mut keys: Vec<&String> = m.keys().collect();
                        keys.sort();
                        next.extend(keys.into_iter().map(|k| &m[k]));
                    }
                    _ => {}
                },
                Seg::Index(i) => {
                    if let Value::Array(a) = v {
                        let len = i64::try_from(a.len()).unwrap_or(i64::MAX);
                        let idx = if *i < 0 { len + i } else { *i };
                        if let Some(x) = usize::try_from(idx).ok().and_then(|k| a.get(k)) {
                            next.push(x);
                        }
                    }
                }
                Seg::Slice(s, e) => {
                    if let Value::Array(a) = v {
                        let len = i64::try_from(a.len()).unwrap_or(i64::MAX);
                        let norm = |x: i64| if x < 0 { (len + x).max(0) } else { x.min(len) };
                        let s = norm(s.unwrap_or(0));
                        let e = norm(e.unwrap_or(len));
                        for k in s..e {
                            if let Some(x) = usize::try_from(k).ok().and_then(|k| a.get(k)) {
                                next.push(x);
                            }
                        }
                    }
                }
                Seg::Filter(f) => {
                    if let Value::Array(a) = v {
                        next.extend(a.iter().filter(|item| filter_matches(item, f)));
                    }
                }
            }
        }
        cur = next;
    }
    cur
}

fn collect_recursive<'a>(v: &'a Value, name: &str, out: &mut Vec<&'a Value>) {
    match v {
        Value::Object(m) => {
            let mut keys: Vec<&String> = m.keys().collect();
            keys.sort();
            if name.is_empty() || name == "*" {
                out.extend(keys.iter().map(|k| &m[*k]));
            } else if let Some(x) = m.get(name) {
                out.push(x);
            }
            for k in keys {
                collect_recursive(&m[k], name, out);
            }
        }
        Value::Array(a) => {
            for x in a {
                collect_recursive(x, name, out);
            }
        }
        _ => {}
    }
}

fn filter_matches(item: &Value, f: &Filter) -> bool {
    let left = eval_path(item, &f.left);
    let Some((op, operand)) = &f.op else {
        return !left.is_empty();
    };
    let rights: Vec<Value> = match operand {
        Operand::Lit(v) => vec![v.clone()],
        Operand::Path(p) => eval_path(item, p).into_iter().cloned().collect(),
    };
    left.iter().any(|l| {
        rights.iter().any(|r| {
            let ord = compare(l, r);
            match op.as_str() {
                "==" => ord == Some(std::cmp::Ordering::Equal),
                "!=" => ord != Some(std::cmp::Ordering::Equal),
                "<" => ord == Some(std::cmp::Ordering::Less),
                ">" => ord == Some(std::cmp::Ordering::Greater),
                "<=" => matches!(
                    ord,
                    Some(std::cmp::Ordering::Less | std::cmp::Ordering::Equal)
                ),
                ">=" => matches!(
                    ord,
                    Some(std::cmp::Ordering::Greater | std::cmp::Ordering::Equal)
                ),
                _ => false,
            }
        })
    })
}

fn compare(a: &Value, b: &Value) -> Option<std::cmp::Ordering> {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64()?.partial_cmp(&y.as_f64()?),
        (Value::String(x), Value::String(y)) => Some(x.cmp(y)),
        (Value::Bool(x), Value::Bool(y)) => Some(x.cmp(y)),
        _ => None,
    }
}

/// How a single value prints in a template: strings raw, the rest as compact JSON.
pub fn value_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => crate::json::compact(other),
    }
}

impl Template {
    /// Render against `root`.
    pub fn render(&self, root: &Value) -> String {
        let mut out = String::new();
        render_nodes(&self.nodes, root, &mut out);
        out
    }

    /// The values the first path in the template selects (for `--sort-by` and
    /// `custom-columns`).
    pub fn values<'a>(&self, root: &'a Value) -> Vec<&'a Value> {
        for n in &self.nodes {
            if let Node::Path(p) = n {
                return eval_path(root, p);
            }
        }
        Vec::new()
    }
}

fn render_nodes(nodes: &[Node], cur: &Value, out: &mut String) {
    for n in nodes {
        match n {
            Node::Text(t) => out.push_str(t),
            Node::Path(p) => {
                let vals = eval_path(cur, p);
                let texts: Vec<String> = vals.into_iter().map(value_text).collect();
                out.push_str(&texts.join(" "));
            }
            Node::Range(p, body) => {
                for v in eval_path(cur, p) {
                    // ranging over a single list iterates its items
                    render_nodes(body, v, out);
                }
            }
        }
    }
}

/// kubectl's `RelaxedJSONPathExpression`: `.metadata.name`, `metadata.name` and
/// `{.metadata.name}` all mean the same in custom-columns and `--sort-by`.
pub fn relaxed(expr: &str) -> Result<Template, String> {
    let e = expr.trim();
    if e.starts_with('{') {
        return parse(e);
    }
    let body = if e.starts_with('.') {
        e.to_string()
    } else {
        format!(".{e}")
    };
    parse(&format!("{{{body}}}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn r(t: &str, v: &Value) -> String {
        parse(t).unwrap().render(v)
    }

    #[test]
    fn common_templates() {
        let v = json!({"items": [
            {"metadata": {"name": "a", "labels": {"app.kubernetes.io/name": "x"}}, "status": {"conditions": [{"type": "Ready", "status": "True"}], "n": 2}},
            {"metadata": {"name": "b"}, "status": {"conditions": [{"type": "Ready", "status": "False"}], "n": 1}}
        ]});
        assert_eq!(r("{.items[*].metadata.name}", &v), "a b");
        assert_eq!(r("{.items[0].metadata.name}", &v), "a");
        assert_eq!(r("{.items[-1].metadata.name}", &v), "b");
        assert_eq!(
            r("{range .items[*]}{.metadata.name}{\"\\n\"}{end}", &v),
            "a\nb\n"
        );
        assert_eq!(r("{.items[?(@.status.n>1)].metadata.name}", &v), "a");
        assert_eq!(
            r(
                "{.items[*].status.conditions[?(@.type==\"Ready\")].status}",
                &v
            ),
            "True False"
        );
        assert_eq!(
            r("{.items[0].metadata.labels['app.kubernetes.io/name']}", &v),
            "x"
        );
        assert_eq!(
            r("{.items[0].metadata.labels}", &v),
            r#"{"app.kubernetes.io/name":"x"}"#
        );
        // an escaped dot is part of the key (the usual way to reach a label)
        assert_eq!(
            r("{.items[0].metadata.labels.app\\.kubernetes\\.io/name}", &v),
            "x"
        );
        assert_eq!(r("{..app\\.kubernetes\\.io/name}", &v), "x");
        assert_eq!(
            r("{.items[0].metadata.labels.app.kubernetes.io/name}", &v),
            ""
        );
        // a trailing backslash escapes nothing (and must not read past the end)
        let _ = parse("{.items[0].metadata.name\\}").map(|t| t.render(&v));
        assert_eq!(r("{.nope}", &v), "");
        assert_eq!(r("{..name}", &v), "a b");
        assert_eq!(r("names: {.items[1:].metadata.name}", &v), "names: b");
        assert!(parse("{.items[").is_err());
        assert!(parse("{range .items[*]}").is_err());
        assert_eq!(
            relaxed("metadata.name").unwrap().render(&v["items"][0]),
            "a"
        );
    }
}
