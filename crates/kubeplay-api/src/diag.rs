//! Diagnostics: every problem the loader finds, as a value the editor can underline
//! (document index, field path, line:column) and the terminal can print like kubectl would.
use crate::object::Kind;
use serde::Serialize;
use std::fmt;

/// How bad a diagnostic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum Severity {
    /// The object (or the whole input, for syntax and limit errors) is rejected.
    Error,
    /// Accepted, but the user should know (unknown field, removed API version).
    Warning,
}

/// What kind of problem a diagnostic reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum Category {
    /// YAML syntax error (the rest of the input after it is not read).
    Syntax,
    /// An input limit was exceeded (size, documents, nesting, aliases).
    Limit,
    /// The document is not an object of its kind (wrong type for a field, missing kind…).
    Decode,
    /// API-server validation failed (`field.Error`).
    Invalid,
    /// A field the kind does not have (strict field validation's warning).
    UnknownField,
    /// A removed or deprecated API version was converted.
    Deprecated,
}

/// A 1-based position in the source text; columns count characters, not bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize)]
pub struct Position {
    /// Line, from 1.
    pub line: u32,
    /// Column, from 1.
    pub column: u32,
}

impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.line, self.column)
    }
}

/// The object a diagnostic is about, for kubectl-style rendering.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Subject {
    /// Kind.
    pub kind: Kind,
    /// `metadata.name` (may be empty).
    pub name: String,
}

/// One problem found while loading.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    /// Error or warning.
    pub severity: Severity,
    /// What kind of problem.
    pub category: Category,
    /// Index of the YAML document in the input, from 0.
    pub doc_index: usize,
    /// Index inside a `kind: List` document's `items`, when the problem is in an item.
    pub item_index: Option<usize>,
    /// Field path, upstream style (`spec.template.spec.containers[0].image`); empty when the
    /// problem is not about one field.
    pub path: String,
    /// Where in the source text; None when the field is absent (then the object's position).
    pub position: Option<Position>,
    /// The object, when known.
    pub subject: Option<Subject>,
    /// The message. For [`Category::Invalid`] it is upstream's error body after the path
    /// (`Invalid value: -1: must be greater than or equal to 0`).
    pub message: String,
}

impl Diagnostic {
    /// The text kubectl would print for this problem, e.g.
    /// `The Deployment "web" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0`.
    pub fn render(&self) -> String {
        match (self.category, &self.subject) {
            (Category::Invalid, Some(s)) => {
                format!(
                    "The {} {:?} is invalid: {}",
                    s.kind,
                    s.name,
                    self.field_error()
                )
            }
            (Category::Invalid, None) => self.field_error(),
            (Category::UnknownField, _) => format!("Warning: {}", self.message),
            (Category::Deprecated, _) => format!("Warning: {}", self.message),
            _ => self.message.clone(),
        }
    }

    /// `<path>: <message>` as upstream's `field.Error.Error()`, or the bare message.
    pub fn field_error(&self) -> String {
        if self.path.is_empty() {
            self.message.clone()
        } else {
            format!("{}: {}", self.path, self.message)
        }
    }

    /// True for errors.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

impl fmt::Display for Diagnostic {
    /// `document 1, line 3:5: <kubectl text>`; positions are 1-based for people.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "document {}", self.doc_index + 1)?;
        if let Some(i) = self.item_index {
            write!(f, " item {}", i + 1)?;
        }
        if let Some(p) = self.position {
            write!(f, ", line {p}")?;
        }
        write!(f, ": {}", self.render())
    }
}
