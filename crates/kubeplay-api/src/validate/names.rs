//! Name, label and metadata checks (`k8s.io/apimachinery/pkg/util/validation`), written out by
//! hand instead of with a regex engine: each returns upstream's list of messages.
use super::FieldError;
use crate::{meta::ObjectMeta, selector::LabelSelector, selector::Labels};

const LABEL_FMT: &str = "[a-z0-9]([-a-z0-9]*[a-z0-9])?";
const SUBDOMAIN_FMT: &str = "[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*";
const DNS1035_FMT: &str = "[a-z]([-a-z0-9]*[a-z0-9])?";
const QUALIFIED_FMT: &str = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]";
const LABEL_VALUE_FMT: &str = "(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?";
const QUALIFIED_MSG: &str = "must consist of alphanumeric characters, '-', '_' or '.', and must \
                             start and end with an alphanumeric character";

/// `RegexError`: `msg (e.g. 'a',  or 'b', regex used for validation is 're')`.
fn regex_error(msg: &str, fmt: &str, examples: &[&str]) -> String {
    let mut out = format!("{msg} (e.g. ");
    for (i, e) in examples.iter().enumerate() {
        if i > 0 {
            out.push_str(" or ");
        }
        out.push_str(&format!("'{e}', "));
    }
    out.push_str(&format!("regex used for validation is '{fmt}')"));
    out
}

/// `MaxLenError`.
pub fn max_len_error(n: usize) -> String {
    format!("must be no more than {n} characters")
}

fn is_label(s: &str) -> bool {
    let b = s.as_bytes();
    let ok = |c: &u8| c.is_ascii_lowercase() || c.is_ascii_digit();
    !b.is_empty()
        && b.iter().all(|c| ok(c) || *c == b'-')
        && b.first().is_some_and(ok)
        && b.last().is_some_and(ok)
}

fn is_subdomain(s: &str) -> bool {
    !s.is_empty() && s.split('.').all(is_label)
}

/// `IsDNS1123Label`.
pub fn dns1123_label(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    if s.len() > 63 {
        out.push(max_len_error(63));
    }
    if !is_label(s) {
        if is_subdomain(s) {
            out.push("must not contain dots".into());
        } else {
            out.push(regex_error(
                "a lowercase RFC 1123 label must consist of lower case alphanumeric characters \
                 or '-', and must start and end with an alphanumeric character",
                LABEL_FMT,
                &["my-name", "123-abc"],
            ));
        }
    }
    out
}

/// `IsDNS1123Subdomain`.
pub fn dns1123_subdomain(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    if s.len() > 253 {
        out.push(max_len_error(253));
    }
    if !is_subdomain(s) {
        out.push(regex_error(
            "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, \
             '-' or '.', and must start and end with an alphanumeric character",
            SUBDOMAIN_FMT,
            &["example.com"],
        ));
    }
    out
}

/// `IsDNS1035Label`.
pub fn dns1035_label(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    if s.len() > 63 {
        out.push(max_len_error(63));
    }
    if !(is_label(s) && s.as_bytes().first().is_some_and(u8::is_ascii_lowercase)) {
        out.push(regex_error(
            "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start \
             with an alphabetic character, and end with an alphanumeric character",
            DNS1035_FMT,
            &["my-name", "abc-123"],
        ));
    }
    out
}

fn is_qualified_part(s: &str) -> bool {
    let b = s.as_bytes();
    let alnum = |c: &u8| c.is_ascii_alphanumeric();
    !b.is_empty()
        && b.iter()
            .all(|c| alnum(c) || matches!(c, b'-' | b'_' | b'.'))
        && b.first().is_some_and(alnum)
        && b.last().is_some_and(alnum)
}

/// `IsQualifiedName` (label keys, annotation keys, resource names).
pub fn qualified_name(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let parts: Vec<&str> = s.split('/').collect();
    let name = match parts.as_slice() {
        [name] => *name,
        [prefix, name] => {
            if prefix.is_empty() {
                out.push("prefix part must be non-empty".to_string());
            } else {
                out.extend(
                    dns1123_subdomain(prefix)
                        .into_iter()
                        .map(|m| format!("prefix part {m}")),
                );
            }
            name
        }
        _ => {
            out.push(format!(
                "a qualified name {} with an optional DNS subdomain prefix and '/' (e.g. \
                 'example.com/MyName')",
                regex_error(
                    QUALIFIED_MSG,
                    QUALIFIED_FMT,
                    &["MyName", "my.name", "123-abc"]
                )
            ));
            return out;
        }
    };
    if name.is_empty() {
        out.push("name part must be non-empty".into());
    } else if name.len() > 63 {
        out.push(format!("name part {}", max_len_error(63)));
    }
    if !name.is_empty() && !is_qualified_part(name) {
        out.push(format!(
            "name part {}",
            regex_error(
                QUALIFIED_MSG,
                QUALIFIED_FMT,
                &["MyName", "my.name", "123-abc"]
            )
        ));
    }
    out
}

/// `IsValidLabelValue`.
pub fn label_value(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    if s.len() > 63 {
        out.push(max_len_error(63));
    }
    if !s.is_empty() && !is_qualified_part(s) {
        out.push(regex_error(
            "a valid label must be an empty string or consist of alphanumeric characters, '-', \
             '_' or '.', and must start and end with an alphanumeric character",
            LABEL_VALUE_FMT,
            &["MyValue", "my_value", "12345"],
        ));
    }
    out
}

/// `IsValidPortName` (IANA_SVC_NAME).
pub fn iana_svc_name(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    if s.len() > 15 {
        out.push(max_len_error(15));
    }
    if !s
        .bytes()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'-')
    {
        out.push("must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)".into());
    }
    if s.contains("--") {
        out.push("must not contain consecutive hyphens".into());
    }
    if !s.bytes().any(|c| c.is_ascii_lowercase()) {
        out.push("must contain at least one letter (a-z)".into());
    }
    if s.starts_with('-') || s.ends_with('-') {
        out.push("must not begin or end with a hyphen".into());
    }
    out
}

/// Which rule an object's name follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NameKind {
    /// DNS-1123 subdomain (Deployment, ReplicaSet, Pod, Node).
    Subdomain,
    /// DNS-1123 label (Namespace).
    Label,
    /// DNS-1035 label (Service).
    Dns1035,
}

/// `ValidateObjectMeta`: name, namespace, labels, annotation keys.
pub fn object_meta(
    meta: &ObjectMeta,
    namespaced: bool,
    rule: NameKind,
    errs: &mut Vec<FieldError>,
) {
    if meta.name.is_empty() {
        if meta.generate_name.as_deref().unwrap_or("").is_empty() {
            errs.push(FieldError::required(
                "metadata.name",
                "name or generateName is required",
            ));
        }
    } else {
        let msgs = match rule {
            NameKind::Subdomain => dns1123_subdomain(&meta.name),
            NameKind::Label => dns1123_label(&meta.name),
            NameKind::Dns1035 => dns1035_label(&meta.name),
        };
        for m in msgs {
            errs.push(FieldError::invalid("metadata.name", &meta.name, &m));
        }
    }
    match (&meta.namespace, namespaced) {
        (Some(ns), true) => {
            for m in dns1123_label(ns) {
                errs.push(FieldError::invalid("metadata.namespace", ns, &m));
            }
        }
        (Some(ns), false) if !ns.is_empty() => {
            errs.push(FieldError::forbidden(
                "metadata.namespace",
                "not allowed on this type",
            ));
        }
        _ => {}
    }
    labels(&meta.labels, "metadata.labels", errs);
    for k in meta.annotations.keys() {
        for m in qualified_name(&k.to_lowercase()) {
            errs.push(FieldError::invalid("metadata.annotations", k, &m));
        }
    }
}

/// `ValidateLabels`.
pub fn labels(labels: &Labels, path: &str, errs: &mut Vec<FieldError>) {
    for (k, v) in labels {
        for m in qualified_name(k) {
            errs.push(FieldError::invalid(path, k, &m));
        }
        for m in label_value(v) {
            errs.push(FieldError::invalid(path, v, &m));
        }
    }
}

/// `ValidateLabelSelector`.
pub fn label_selector(sel: &LabelSelector, path: &str, errs: &mut Vec<FieldError>) {
    if let Some(m) = &sel.match_labels {
        labels(m, &format!("{path}.matchLabels"), errs);
    }
    for (i, r) in sel.match_expressions.iter().flatten().enumerate() {
        let p = format!("{path}.matchExpressions[{i}]");
        let has_values = r.values.as_ref().is_some_and(|v| !v.is_empty());
        match r.operator.as_str() {
            "In" | "NotIn" if !has_values => errs.push(FieldError::required(
                format!("{p}.values"),
                "must be specified when `operator` is 'In' or 'NotIn'",
            )),
            "Exists" | "DoesNotExist" if has_values => errs.push(FieldError::forbidden(
                format!("{p}.values"),
                "may not be specified when `operator` is 'Exists' or 'DoesNotExist'",
            )),
            "In" | "NotIn" | "Exists" | "DoesNotExist" => {}
            op => errs.push(FieldError::invalid(
                format!("{p}.operator"),
                op,
                "not a valid selector operator",
            )),
        }
        for m in qualified_name(&r.key) {
            errs.push(FieldError::invalid(format!("{p}.key"), &r.key, &m));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn name_messages_match_upstream() {
        assert_eq!(
            dns1123_subdomain("My_App"),
            vec!["a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"]
        );
        assert_eq!(
            dns1035_label("1svc"),
            vec!["a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')"]
        );
        assert_eq!(
            dns1123_label("Web"),
            vec!["a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')"]
        );
        assert_eq!(dns1123_label("a.b"), vec!["must not contain dots"]);
        assert_eq!(
            dns1123_label(&"a".repeat(64)),
            vec!["must be no more than 63 characters"]
        );
        assert!(dns1123_subdomain("event-exporter-v0.2.3").is_empty());
        assert_eq!(
            label_value("bad value"),
            vec!["a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"]
        );
        assert!(qualified_name("app.kubernetes.io/name").is_empty());
        assert_eq!(qualified_name("/x"), vec!["prefix part must be non-empty"]);
    }

    #[test]
    fn iana_names() {
        assert!(iana_svc_name("http").is_empty());
        assert_eq!(
            iana_svc_name("a-very-long-port-name"),
            vec!["must be no more than 15 characters"]
        );
        assert_eq!(
            iana_svc_name("8080"),
            vec!["must contain at least one letter (a-z)"]
        );
        assert_eq!(
            iana_svc_name("a--b"),
            vec!["must not contain consecutive hyphens"]
        );
        assert_eq!(
            iana_svc_name("-ab"),
            vec!["must not begin or end with a hyphen"]
        );
        assert_eq!(
            iana_svc_name("HTTP"),
            vec![
                "must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)",
                "must contain at least one letter (a-z)"
            ]
        );
    }
}
