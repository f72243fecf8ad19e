//! Multi-document YAML → a list of documents (kind/name) or a parse error with line:column.

/// One YAML document of the input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Document {
    /// `kind` of the document.
    pub kind: String,
    /// `metadata.name` of the document.
    pub name: String,
}

/// What the loader found in a text.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Loaded {
    /// Documents parsed, in order.
    pub documents: Vec<Document>,
    /// Errors, each with its position when known (`line:column: message`).
    pub errors: Vec<String>,
}

/// Parse `text` as multi-document YAML.
pub fn load(text: &str) -> Loaded {
    use serde::Deserialize;
    let mut out = Loaded::default();
    for de in serde_norway::Deserializer::from_str(text) {
        match serde_norway::Value::deserialize(de) {
            Ok(serde_norway::Value::Null) => {}
            Ok(v) => {
                let s = |k: &str| v.get(k).and_then(|x| x.as_str()).unwrap_or("").to_string();
                let name = v
                    .get("metadata")
                    .and_then(|m| m.get("name"))
                    .and_then(|x| x.as_str())
                    .unwrap_or("")
                    .to_string();
                out.documents.push(Document {
                    kind: s("kind"),
                    name,
                });
            }
            Err(e) => {
                let pos = e
                    .location()
                    .map(|l| format!("{}:{}: ", l.line(), l.column()));
                out.errors.push(format!("{}{}", pos.unwrap_or_default(), e));
                break;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loads_hello_world() {
        let l = load(include_str!("../../../static/examples/hello-world.yaml"));
        assert_eq!(l.errors, Vec::<String>::new());
        assert_eq!(l.documents.len(), 2);
        assert_eq!(l.documents[0].kind, "Deployment");
        assert_eq!(l.documents[1].name, "hello-world-lb");
    }

    #[test]
    fn reports_line_of_syntax_error() {
        let l = load("a: b\nc: [\n");
        assert_eq!(l.errors.len(), 1);
        assert!(
            l.errors[0].starts_with("3:1") || l.errors[0].starts_with("2:"),
            "{:?}",
            l.errors
        );
    }
}
