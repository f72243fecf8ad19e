//! Validation with the API server's exact messages (semantics §9). Each check returns upstream
//! `field.Error`s: a path and the body after it (`Invalid value: -1: must be greater than or
//! equal to 0`). The loader turns them into located diagnostics.
mod cluster;
mod names;
mod pod;
mod service;
mod workload;
pub use workload::{replicas_max_detail, REPLICAS_MAX};

pub use names::{
    dns1035_label, dns1123_label, dns1123_subdomain, iana_svc_name, label_value, qualified_name,
};

use crate::object::Object;

/// One validation error, upstream `field.Error`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    /// Field path (`spec.replicas`).
    pub path: String,
    /// Body (`Invalid value: -1: must be greater than or equal to 0`).
    pub message: String,
}

impl FieldError {
    /// `field.Invalid(path, value, detail)`.
    pub fn invalid(path: impl Into<String>, value: impl Into<Bad>, detail: &str) -> FieldError {
        let message = format!("Invalid value: {}: {detail}", value.into().render());
        FieldError {
            path: path.into(),
            message,
        }
    }

    /// `field.Required(path, detail)`.
    pub fn required(path: impl Into<String>, detail: &str) -> FieldError {
        let message = if detail.is_empty() {
            "Required value".to_string()
        } else {
            format!("Required value: {detail}")
        };
        FieldError {
            path: path.into(),
            message,
        }
    }

    /// `field.Forbidden(path, detail)`.
    pub fn forbidden(path: impl Into<String>, detail: &str) -> FieldError {
        FieldError {
            path: path.into(),
            message: format!("Forbidden: {detail}"),
        }
    }

    /// `field.Duplicate(path, value)`.
    pub fn duplicate(path: impl Into<String>, value: impl Into<Bad>) -> FieldError {
        FieldError {
            path: path.into(),
            message: format!("Duplicate value: {}", value.into().render()),
        }
    }

    /// `field.NotSupported(path, value, supported)`.
    pub fn unsupported(
        path: impl Into<String>,
        value: impl Into<Bad>,
        supported: &[&str],
    ) -> FieldError {
        let list: Vec<String> = supported.iter().map(|s| format!("{s:?}")).collect();
        let message = format!(
            "Unsupported value: {}: supported values: {}",
            value.into().render(),
            list.join(", ")
        );
        FieldError {
            path: path.into(),
            message,
        }
    }

    /// `<path>: <body>`, as `field.Error.Error()` prints it.
    pub fn text(&self) -> String {
        format!("{}: {}", self.path, self.message)
    }
}

/// A bad value, printed the way `field.Error` prints it: numbers bare, strings quoted (`%q`),
/// anything else in Go syntax.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Bad {
    /// An integer.
    Int(i64),
    /// A string.
    Str(String),
    /// Pre-rendered Go syntax (`map[string]string{"app":"web"}`).
    Go(String),
}

impl Bad {
    /// The rendering.
    pub fn render(&self) -> String {
        match self {
            Bad::Int(v) => v.to_string(),
            Bad::Str(s) => go_quote(s),
            Bad::Go(s) => s.clone(),
        }
    }
}

impl From<i64> for Bad {
    fn from(v: i64) -> Bad {
        Bad::Int(v)
    }
}

impl From<i32> for Bad {
    fn from(v: i32) -> Bad {
        Bad::Int(i64::from(v))
    }
}

impl From<&str> for Bad {
    fn from(v: &str) -> Bad {
        Bad::Str(v.to_string())
    }
}

impl From<&String> for Bad {
    fn from(v: &String) -> Bad {
        Bad::Str(v.clone())
    }
}

/// Go's `%q`: double quotes with backslash escapes.
pub fn go_quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() => out.push_str(&format!("\\x{:02x}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Go's `%#v` of a `map[string]string` (keys sorted, as fmt prints maps).
pub fn go_string_map(m: Option<&crate::selector::Labels>) -> String {
    match m {
        None => "map[string]string(nil)".into(),
        Some(m) => {
            let items: Vec<String> = m
                .iter()
                .map(|(k, v)| format!("{}:{}", go_quote(k), go_quote(v)))
                .collect();
            format!("map[string]string{{{}}}", items.join(", "))
        }
    }
}

/// Update checks (`ValidateDeploymentUpdate`, `ValidateReplicaSetUpdate`): what may not change
/// when `new` replaces `old` of the same kind and name. Run [`validate`] on `new` as well.
pub fn validate_update(old: &Object, new: &Object) -> Vec<FieldError> {
    let selectors = match (old, new) {
        (Object::Deployment(o), Object::Deployment(n)) => {
            Some((&o.spec.selector, &n.spec.selector))
        }
        (Object::ReplicaSet(o), Object::ReplicaSet(n)) => {
            Some((&o.spec.selector, &n.spec.selector))
        }
        _ => None,
    };
    match selectors {
        Some((o, n)) if o != n => {
            let value = n.as_ref().map_or("null".to_string(), workload::go_selector);
            vec![FieldError::invalid(
                "spec.selector",
                Bad::Go(value),
                "field is immutable",
            )]
        }
        _ => Vec::new(),
    }
}

/// Validate an object (after defaults). Empty means valid.
pub fn validate(object: &Object) -> Vec<FieldError> {
    let mut errs = Vec::new();
    match object {
        Object::Deployment(d) => workload::deployment(d, &mut errs),
        Object::ReplicaSet(r) => workload::replicaset(r, &mut errs),
        Object::Pod(p) => {
            names::object_meta(&p.metadata, true, names::NameKind::Subdomain, &mut errs);
            pod::pod_spec(&p.spec, "spec", &mut errs);
        }
        Object::Service(s) => service::service(s, &mut errs),
        Object::Node(n) => cluster::node(n, &mut errs),
        Object::Namespace(ns) => cluster::namespace(ns, &mut errs),
        Object::InstanceGroup(ig) => cluster::instance_group(ig, &mut errs),
    }
    // NewInvalid deduplicates identical errors.
    let mut seen = std::collections::BTreeSet::new();
    errs.retain(|e| seen.insert((e.path.clone(), e.message.clone())));
    errs
}
