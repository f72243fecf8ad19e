//! The loader pipeline: limits → span-aware YAML tree → per document (and per `kind: List`
//! item): kind dispatch → typed decode (unknown fields become warnings) → conversion of removed
//! API versions → defaults (§8) → validation (§9). Each stage's problems become diagnostics with
//! document index, field path and line:column; an invalid object is dropped, the rest load.
use crate::{
    convert, defaults,
    diag::{Category, Diagnostic, Position, Severity, Subject},
    limits::{precheck, Limits},
    object::{Kind, Object},
    validate,
    yaml::{
        de::UnknownField,
        tree::{parse, Node, Value},
    },
};
use serde::Serialize;

/// Everything `load` found in a text.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LoadResult {
    /// Valid objects of simulated kinds, in source order, defaults applied.
    pub objects: Vec<LoadedObject>,
    /// Errors and warnings, in source order.
    pub diagnostics: Vec<Diagnostic>,
    /// Documents of kinds the simulator does not run yet (never an error).
    pub not_simulated: Vec<NotSimulated>,
    /// Every document (and List item) that had a kind, simulated or not, in order: a table of
    /// contents for the shells.
    pub documents: Vec<Document>,
    /// The error diagnostics rendered as `document N, line L:C: <kubectl text>` (for simple
    /// shells that only print).
    pub errors: Vec<String>,
}

/// Former name of [`LoadResult`], kept for the first shells.
pub type Loaded = LoadResult;

impl LoadResult {
    /// True when any diagnostic is an error.
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }

    /// The objects without their source positions, ready for the engine's `apply`.
    pub fn into_objects(self) -> Vec<Object> {
        self.objects.into_iter().map(|o| o.object).collect()
    }

    /// Warnings only.
    pub fn warnings(&self) -> impl Iterator<Item = &Diagnostic> {
        self.diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Warning)
    }

    /// The errors as `kubectl apply` prints them: one line per rejected object, its validation
    /// errors joined the way `NewInvalid` does (one bare, several as `[e1, e2]`); other errors
    /// one per line.
    pub fn kubectl_errors(&self) -> Vec<String> {
        self.kubectl_error_items()
            .into_iter()
            .map(|(_, text)| text)
            .collect()
    }

    /// [`LoadResult::kubectl_errors`] with, for each line, the index in `diagnostics` of its
    /// first diagnostic (so a shell can tell what kind of error the line is, and which
    /// document it is about).
    pub fn kubectl_error_items(&self) -> Vec<(usize, String)> {
        let mut out = Vec::new();
        let mut group: Option<InvalidGroup> = None;
        for (i, d) in self
            .diagnostics
            .iter()
            .enumerate()
            .filter(|(_, d)| d.is_error())
        {
            match (&d.subject, d.category) {
                (Some(s), Category::Invalid) => {
                    let same = group
                        .as_ref()
                        .is_some_and(|g| g.at == (d.doc_index, d.item_index));
                    if !same {
                        flush(group.take(), &mut out);
                        group = Some(InvalidGroup {
                            first: i,
                            at: (d.doc_index, d.item_index),
                            head: format!("The {} {:?} is invalid: ", s.kind, s.name),
                            errors: Vec::new(),
                        });
                    }
                    if let Some(g) = group.as_mut() {
                        g.errors.push(d.field_error());
                    }
                }
                _ => {
                    flush(group.take(), &mut out);
                    out.push((i, d.render()));
                }
            }
        }
        flush(group, &mut out);
        out
    }

    /// The document (or List item) a diagnostic is about.
    pub fn document_of(&self, d: &Diagnostic) -> Option<&Document> {
        self.documents
            .iter()
            .find(|doc| (doc.doc_index, doc.item_index) == (d.doc_index, d.item_index))
    }
}

/// Validation errors of one object, collected for [`LoadResult::kubectl_errors`].
struct InvalidGroup {
    first: usize,
    at: (usize, Option<usize>),
    head: String,
    errors: Vec<String>,
}

fn flush(group: Option<InvalidGroup>, out: &mut Vec<(usize, String)>) {
    if let Some(g) = group {
        match g.errors.as_slice() {
            [one] => out.push((g.first, format!("{}{one}", g.head))),
            many => out.push((g.first, format!("{}[{}]", g.head, many.join(", ")))),
        }
    }
}

/// A loaded object and where it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct LoadedObject {
    /// The object, defaults applied.
    pub object: Object,
    /// Index of its YAML document, from 0.
    pub doc_index: usize,
    /// Index in a `kind: List`'s items.
    pub item_index: Option<usize>,
    /// Where the object starts.
    pub position: Position,
}

/// A document of a kind the simulator does not run yet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NotSimulated {
    /// `apiVersion` as written.
    pub api_version: String,
    /// `kind` as written.
    pub kind: String,
    /// `metadata.name` (empty when absent).
    pub name: String,
    /// Index of the YAML document, from 0.
    pub doc_index: usize,
    /// Index in a `kind: List`'s items.
    pub item_index: Option<usize>,
    /// Where the document starts.
    pub position: Position,
}

impl NotSimulated {
    /// `HorizontalPodAutoscaler "web" (document 2, line 14): not simulated yet, skipped`.
    pub fn render(&self) -> String {
        let mut at = format!("document {}", self.doc_index + 1);
        if let Some(i) = self.item_index {
            at.push_str(&format!(" item {}", i + 1));
        }
        format!(
            "{} {:?} ({at}, line {}): not simulated yet, skipped",
            self.kind, self.name, self.position.line
        )
    }
}

/// One entry of the table of contents.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Document {
    /// `kind`.
    pub kind: String,
    /// `metadata.name`.
    pub name: String,
    /// `apiVersion`.
    pub api_version: String,
    /// `metadata.namespace` (empty when not set).
    pub namespace: String,
    /// Index of the YAML document, from 0.
    pub doc_index: usize,
    /// Index in a `kind: List`'s items.
    pub item_index: Option<usize>,
    /// Where it starts.
    pub position: Position,
    /// True for a simulated kind.
    pub simulated: bool,
}

/// Load manifests with the default [`Limits`].
pub fn load(text: &str) -> LoadResult {
    load_with(text, &Limits::default())
}

/// Load manifests with explicit limits.
pub fn load_with(text: &str, limits: &Limits) -> LoadResult {
    let mut out = LoadResult::default();
    if let Err(e) = precheck(text, limits) {
        out.push(input_error(Category::Limit, 0, e.pos, e.message));
        return out.finish();
    }
    let stream = parse(text, limits);
    for (doc_index, doc) in stream.docs.iter().enumerate() {
        if let Err(d) = check_duplicate_keys(&doc.root, doc_index) {
            out.push(d);
            continue;
        }
        load_document(&mut out, &doc.root, doc_index);
    }
    if let Some(e) = stream.error {
        let category = if e.is_limit {
            Category::Limit
        } else {
            Category::Syntax
        };
        let message = if e.is_limit {
            e.message
        } else {
            syntax_message(text, e.pos, &e.message)
        };
        out.push(input_error(category, e.doc_index, e.pos, message));
    }
    out.finish()
}

impl LoadResult {
    fn push(&mut self, d: Diagnostic) {
        self.diagnostics.push(d);
    }

    fn finish(mut self) -> LoadResult {
        self.errors = self
            .diagnostics
            .iter()
            .filter(|d| d.is_error())
            .map(|d| d.to_string())
            .collect();
        self
    }
}

fn input_error(category: Category, doc_index: usize, pos: Position, message: String) -> Diagnostic {
    Diagnostic {
        severity: Severity::Error,
        category,
        doc_index,
        item_index: None,
        path: String::new(),
        position: Some(pos),
        subject: None,
        message,
    }
}

/// kubectl's wording (`yaml: line 3: …`) plus a hint for the two classic paste accidents.
fn syntax_message(text: &str, pos: Position, info: &str) -> String {
    let line = text
        .lines()
        .nth(pos.line.saturating_sub(1) as usize)
        .unwrap_or("");
    let mut msg = format!("yaml: line {}, column {}: {info}", pos.line, pos.column);
    if line.trim_start_matches(' ').starts_with('\t') || info.contains("tab") {
        msg.push_str(
            " (YAML does not allow tabs for indentation; indent with spaces, two per level)",
        );
    } else if lost_indentation(text) {
        msg.push_str(
            " (the fields all start at column 1: was the indentation lost when copying? \
             Nested fields such as spec → replicas must be indented under their parent)",
        );
    }
    msg
}

/// Many top-level keys that only ever appear nested (`replicas`, `containers`, `image`) means
/// the text lost its indentation, as the seed article's example did on its web page.
fn lost_indentation(text: &str) -> bool {
    const NESTED: [&str; 8] = [
        "name:",
        "replicas:",
        "image:",
        "containers:",
        "ports:",
        "- name:",
        "targetPort:",
        "labels:",
    ];
    text.lines()
        .filter(|l| NESTED.iter().any(|k| l.starts_with(k)))
        .count()
        >= 3
}

/// go-yaml (and so kubectl) refuses a mapping with a repeated key.
fn check_duplicate_keys(root: &Node, doc_index: usize) -> Result<(), Diagnostic> {
    let mut stack = vec![root];
    while let Some(node) = stack.pop() {
        match &node.value {
            Value::Scalar { .. } => {}
            Value::Seq(items) => stack.extend(items.iter()),
            Value::Map(entries) => {
                let mut seen = std::collections::BTreeSet::new();
                for (k, v) in entries {
                    if let Some(key) = k.as_str() {
                        if !seen.insert(key) {
                            let msg = format!(
                                "error converting YAML to JSON: yaml: line {}: key {key:?} already \
                                 set in map",
                                k.pos.line
                            );
                            return Err(input_error(Category::Syntax, doc_index, k.pos, msg));
                        }
                    }
                    stack.push(v);
                }
            }
        }
    }
    Ok(())
}

fn load_document(out: &mut LoadResult, root: &Node, doc_index: usize) {
    if root.is_null() {
        return; // empty document (only comments, or a trailing `---`)
    }
    let kind = root.get("kind").and_then(Node::as_str).unwrap_or("");
    if kind == "List" && matches!(root.get("items").map(|n| &n.value), Some(Value::Seq(_))) {
        // kubectl expands a List on the client; each item is applied on its own.
        if let Some(Value::Seq(items)) = root.get("items").map(|n| &n.value) {
            for (i, item) in items.iter().enumerate() {
                load_object(out, item, doc_index, Some(i));
            }
        }
        return;
    }
    load_object(out, root, doc_index, None);
}

/// Where a diagnostic is reported.
#[derive(Clone, Copy)]
struct At<'a> {
    node: &'a Node,
    doc_index: usize,
    item_index: Option<usize>,
}

impl At<'_> {
    fn diag(
        &self,
        severity: Severity,
        category: Category,
        path: &str,
        position: Option<Position>,
        subject: Option<Subject>,
        message: String,
    ) -> Diagnostic {
        Diagnostic {
            severity,
            category,
            doc_index: self.doc_index,
            item_index: self.item_index,
            path: path.to_string(),
            position: position.or(Some(self.node.pos)),
            subject,
            message,
        }
    }
}

fn load_object(out: &mut LoadResult, node: &Node, doc_index: usize, item_index: Option<usize>) {
    let at = At {
        node,
        doc_index,
        item_index,
    };
    if !matches!(node.value, Value::Map(_)) {
        let msg = "error: the document is not a Kubernetes object (expected a mapping with \
                   apiVersion, kind and metadata)"
            .to_string();
        out.push(at.diag(Severity::Error, Category::Decode, "", None, None, msg));
        return;
    }
    let text = |k: &str| node.get(k).and_then(Node::as_str).unwrap_or("").to_string();
    let (kind_text, api_version) = (text("kind"), text("apiVersion"));
    let name = node
        .get("metadata")
        .and_then(|m| m.get("name"))
        .and_then(Node::as_str);
    let name = name.unwrap_or("").to_string();
    let missing = match (kind_text.is_empty(), api_version.is_empty()) {
        (true, true) => Some("apiVersion not set, kind not set"),
        (true, false) => Some("kind not set"),
        (false, true) => Some("apiVersion not set"),
        (false, false) => None,
    };
    if let Some(what) = missing {
        let msg = format!("error validating data: [{what}]");
        out.push(at.diag(Severity::Error, Category::Decode, "", None, None, msg));
        return;
    }
    let kind = Kind::from_name(&kind_text);
    let namespace = node
        .get("metadata")
        .and_then(|m| m.get("namespace"))
        .and_then(Node::as_str)
        .unwrap_or("")
        .to_string();
    out.documents.push(Document {
        kind: kind_text.clone(),
        name: name.clone(),
        api_version: api_version.clone(),
        namespace,
        doc_index,
        item_index,
        position: node.pos,
        simulated: kind.is_some(),
    });
    let Some(kind) = kind else {
        out.not_simulated.push(NotSimulated {
            api_version,
            kind: kind_text,
            name,
            doc_index,
            item_index,
            position: node.pos,
        });
        return;
    };
    let subject = Subject { kind, name };
    let decoded = convert::decode(kind, &api_version, node);
    for UnknownField { path, pos } in &decoded.unknown {
        let msg = format!("unknown field {path:?}");
        let s = Some(subject.clone());
        out.push(at.diag(
            Severity::Warning,
            Category::UnknownField,
            path,
            Some(*pos),
            s,
            msg,
        ));
    }
    for w in &decoded.warnings {
        let s = Some(subject.clone());
        let d = at.diag(
            Severity::Warning,
            Category::Deprecated,
            "apiVersion",
            None,
            s,
            w.clone(),
        );
        out.push(Diagnostic {
            position: node.get("apiVersion").map(|n| n.pos),
            ..d
        });
    }
    let mut object = match decoded.object {
        Ok(o) => o,
        Err(e) => {
            out.push(at.diag(
                Severity::Error,
                Category::Decode,
                &e.path,
                e.pos,
                Some(subject),
                e.message,
            ));
            return;
        }
    };
    defaults::apply(&mut object);
    let errors = validate::validate(&object);
    if errors.is_empty() {
        out.objects.push(LoadedObject {
            object,
            doc_index,
            item_index,
            position: node.pos,
        });
        return;
    }
    for e in errors {
        let pos = locate(node, &e.path, &e.message);
        let s = Some(subject.clone());
        out.push(at.diag(
            Severity::Error,
            Category::Invalid,
            &e.path,
            Some(pos),
            s,
            e.message,
        ));
    }
}

/// The position to underline for an error at an upstream field path (`spec.ports[0].port`,
/// `resources.requests[cpu]`): a scalar's value; a collection's key (`labels:`), or the entry
/// whose key or value `message` quotes; for an absent field, the key of its nearest existing
/// ancestor (`spec:` for a missing `spec.selector`).
pub fn locate(root: &Node, path: &str, message: &str) -> Position {
    let mut node = root;
    let mut key_pos = root.pos;
    let mut complete = true;
    for seg in segments(path) {
        let next = match (&node.value, seg) {
            (Value::Seq(items), Seg::Index(i)) => items.get(i).map(|n| (n.pos, n)),
            (Value::Map(entries), Seg::Field(k) | Seg::Key(k)) => entries
                .iter()
                .find(|(key, _)| key.as_str() == Some(k))
                .map(|(key, v)| (key.pos, v)),
            _ => None,
        };
        match next {
            Some((kp, n)) => (key_pos, node) = (kp, n),
            None => {
                complete = false;
                break;
            }
        }
    }
    match &node.value {
        Value::Scalar { .. } if complete => node.pos,
        Value::Map(entries) if complete => entries
            .iter()
            .find(|(k, v)| quoted_in(k, message) || quoted_in(v, message))
            .map_or(key_pos, |(k, _)| k.pos),
        _ => key_pos,
    }
}

fn quoted_in(node: &Node, message: &str) -> bool {
    node.as_str()
        .is_some_and(|t| message.contains(&crate::validate::go_quote(t)))
}

enum Seg<'a> {
    Field(&'a str),
    Index(usize),
    Key(&'a str),
}

fn segments(path: &str) -> Vec<Seg<'_>> {
    let mut out = Vec::new();
    let mut rest = path;
    while !rest.is_empty() {
        if let Some(r) = rest.strip_prefix('[') {
            let end = r.find(']').unwrap_or(r.len());
            let inner = &r[..end];
            out.push(match inner.parse::<usize>() {
                Ok(i) => Seg::Index(i),
                Err(_) => Seg::Key(inner),
            });
            rest = r.get(end + 1..).unwrap_or("");
        } else {
            let r = rest.strip_prefix('.').unwrap_or(rest);
            let end = r.find(['.', '[']).unwrap_or(r.len());
            out.push(Seg::Field(&r[..end]));
            rest = &r[end..];
        }
    }
    out
}
