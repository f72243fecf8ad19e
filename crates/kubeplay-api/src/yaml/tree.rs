//! Multi-document YAML → a tree of nodes that remember their line:column, built from
//! saphyr-parser's event stream with an explicit stack (no recursion, so no stack overflow on
//! deep input). Aliases are expanded by copying, charged against a node budget first, so an
//! alias bomb ("billion laughs") fails fast instead of exhausting memory.
use crate::{diag::Position, limits::Limits};
use saphyr_parser::{Event, Marker, Parser, ScalarStyle, ScanError};
use std::collections::BTreeMap;

/// One node of a YAML document.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    /// What the node holds.
    pub value: Value,
    /// Where it starts in the source.
    pub pos: Position,
}

/// The content of a node.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// A scalar: its text and whether it was plain (unquoted, so subject to type resolution).
    Scalar {
        /// Text after unescaping/folding.
        text: String,
        /// True for plain scalars; quoted and block scalars are always strings.
        plain: bool,
    },
    /// A sequence.
    Seq(Vec<Node>),
    /// A mapping, entries in source order (duplicates are reported by the decoder).
    Map(Vec<(Node, Node)>),
}

impl Node {
    /// The scalar text, if this is a scalar.
    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::Scalar { text, .. } => Some(text),
            _ => None,
        }
    }

    /// Look a key up in a mapping node.
    pub fn get(&self, key: &str) -> Option<&Node> {
        match &self.value {
            Value::Map(entries) => entries
                .iter()
                .find(|(k, _)| k.as_str() == Some(key))
                .map(|(_, v)| v),
            _ => None,
        }
    }

    /// True for a null scalar (`~`, `null`, empty plain).
    pub fn is_null(&self) -> bool {
        matches!(&self.value, Value::Scalar { text, plain: true }
            if matches!(text.as_str(), "" | "~" | "null" | "Null" | "NULL"))
    }

    /// Number of nodes in this subtree (for the alias budget).
    fn size(&self) -> usize {
        let mut n = 0;
        let mut stack = vec![self];
        while let Some(node) = stack.pop() {
            n += 1;
            match &node.value {
                Value::Scalar { .. } => {}
                Value::Seq(items) => stack.extend(items.iter()),
                Value::Map(entries) => {
                    for (k, v) in entries {
                        stack.push(k);
                        stack.push(v);
                    }
                }
            }
        }
        n
    }
}

/// One document of the stream.
#[derive(Debug, Clone, PartialEq)]
pub struct Doc {
    /// The root node (a null scalar for an empty document).
    pub root: Node,
}

/// Why reading stopped early.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StreamError {
    /// Where.
    pub pos: Position,
    /// Index of the document being read.
    pub doc_index: usize,
    /// True for a limit (size, nesting, aliases, documents), false for a syntax error.
    pub is_limit: bool,
    /// Message.
    pub message: String,
}

/// The documents read, and the error that stopped reading, if any.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Stream {
    /// Complete documents before any error.
    pub docs: Vec<Doc>,
    /// The error that ended reading.
    pub error: Option<StreamError>,
}

enum Frame {
    Seq {
        items: Vec<Node>,
        pos: Position,
        anchor: usize,
    },
    Map {
        entries: Vec<(Node, Node)>,
        key: Option<Node>,
        pos: Position,
        anchor: usize,
    },
}

/// saphyr's markers have 1-based lines and 0-based character columns.
pub fn position(m: &Marker) -> Position {
    Position {
        line: u32::try_from(m.line()).unwrap_or(u32::MAX),
        column: u32::try_from(m.col().saturating_add(1)).unwrap_or(u32::MAX),
    }
}

struct Builder<'l> {
    limits: &'l Limits,
    stack: Vec<Frame>,
    /// Anchored nodes with their sizes (computed once, charged on every alias use).
    anchors: BTreeMap<usize, (Node, usize)>,
    nodes: usize,
    docs: Vec<Doc>,
    root: Option<Node>,
}

impl Builder<'_> {
    fn limit(&self, pos: Position, message: String) -> StreamError {
        StreamError {
            pos,
            doc_index: self.docs.len(),
            is_limit: true,
            message,
        }
    }

    fn charge(&mut self, n: usize, pos: Position) -> Result<(), StreamError> {
        self.nodes = self.nodes.saturating_add(n);
        if self.nodes > self.limits.max_nodes {
            return Err(self.limit(
                pos,
                format!(
                    "the input expands to more than {} YAML nodes (aliases are counted each time \
                     they are used); refusing to continue",
                    self.limits.max_nodes
                ),
            ));
        }
        Ok(())
    }

    fn push_frame(&mut self, frame: Frame, pos: Position) -> Result<(), StreamError> {
        if self.stack.len() >= self.limits.max_depth {
            return Err(self.limit(
                pos,
                format!(
                    "nesting deeper than {} levels is not supported",
                    self.limits.max_depth
                ),
            ));
        }
        self.charge(1, pos)?;
        self.stack.push(frame);
        Ok(())
    }

    /// Attach a finished node to its parent (or make it the document root).
    fn attach(&mut self, node: Node, anchor: usize) {
        if anchor != 0 {
            let size = node.size();
            self.anchors.insert(anchor, (node.clone(), size));
        }
        match self.stack.last_mut() {
            Some(Frame::Seq { items, .. }) => items.push(node),
            Some(Frame::Map { entries, key, .. }) => match key.take() {
                Some(k) => entries.push((k, node)),
                None => *key = Some(node),
            },
            None => self.root = Some(node),
        }
    }

    fn event(&mut self, ev: Event<'_>, pos: Position) -> Result<(), StreamError> {
        match ev {
            Event::DocumentStart(_) => {
                self.anchors.clear();
                self.root = None;
            }
            Event::DocumentEnd => {
                // Empty documents (a trailing `---`, comments only) are not counted or kept.
                let Some(root) = self.root.take().filter(|r| !r.is_null()) else {
                    return Ok(());
                };
                if self.docs.len() >= self.limits.max_documents {
                    return Err(self.limit(
                        root.pos,
                        format!(
                            "more than {} YAML documents in one input; split it",
                            self.limits.max_documents
                        ),
                    ));
                }
                self.docs.push(Doc { root });
            }
            Event::Scalar(text, style, anchor, tag) => {
                self.charge(1, pos)?;
                let explicit_str = tag.as_ref().is_some_and(|t| t.suffix == "str");
                let plain = style == ScalarStyle::Plain && !explicit_str;
                let node = Node {
                    value: Value::Scalar {
                        text: text.into_owned(),
                        plain,
                    },
                    pos,
                };
                self.attach(node, anchor);
            }
            Event::SequenceStart(anchor, _) => {
                self.push_frame(
                    Frame::Seq {
                        items: Vec::new(),
                        pos,
                        anchor,
                    },
                    pos,
                )?;
            }
            Event::MappingStart(anchor, _) => {
                let frame = Frame::Map {
                    entries: Vec::new(),
                    key: None,
                    pos,
                    anchor,
                };
                self.push_frame(frame, pos)?;
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let (node, anchor) = match self.stack.pop() {
                    Some(Frame::Seq { items, pos, anchor }) => (
                        Node {
                            value: Value::Seq(items),
                            pos,
                        },
                        anchor,
                    ),
                    Some(Frame::Map {
                        entries,
                        pos,
                        anchor,
                        ..
                    }) => (
                        Node {
                            value: Value::Map(entries),
                            pos,
                        },
                        anchor,
                    ),
                    None => return Ok(()),
                };
                self.attach(node, anchor);
            }
            Event::Alias(id) => {
                let Some(size) = self.anchors.get(&id).map(|(_, size)| *size) else {
                    return Err(StreamError {
                        pos,
                        doc_index: self.docs.len(),
                        is_limit: false,
                        message: "unknown anchor".to_string(),
                    });
                };
                // Charge before copying, so a bomb is refused without allocating it.
                self.charge(size, pos)?;
                if let Some(mut copy) = self.anchors.get(&id).map(|(node, _)| node.clone()) {
                    copy.pos = pos;
                    self.attach(copy, 0);
                }
            }
            Event::StreamStart | Event::StreamEnd | Event::Nothing => {}
        }
        Ok(())
    }
}

/// Read every document of `text`. Stops at the first syntax error or exceeded limit, keeping
/// the documents completed before it.
pub fn parse(text: &str, limits: &Limits) -> Stream {
    let mut b = Builder {
        limits,
        stack: Vec::new(),
        anchors: BTreeMap::new(),
        nodes: 0,
        docs: Vec::new(),
        root: None,
    };
    let mut parser = Parser::new_from_str(text);
    let mut error = None;
    while let Some(item) = parser.next_event() {
        let step = match item {
            Ok((ev, span)) => b.event(ev, position(&span.start)),
            Err(e) => Err(syntax_error(&e, b.docs.len())),
        };
        if let Err(e) = step {
            error = Some(e);
            break;
        }
    }
    Stream {
        docs: b.docs,
        error,
    }
}

fn syntax_error(e: &ScanError, doc_index: usize) -> StreamError {
    StreamError {
        pos: position(e.marker()),
        doc_index,
        is_limit: false,
        message: e.info().to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(text: &str) -> Stream {
        parse(text, &Limits::default())
    }

    #[test]
    fn keeps_positions_of_nodes() {
        let s = p("a: 1\nb:\n  c: [x, 'y']\n");
        assert_eq!(s.error, None);
        let root = &s.docs[0].root;
        let c = root.get("b").and_then(|b| b.get("c"));
        assert_eq!(c.map(|c| c.pos), Some(Position { line: 3, column: 6 }));
        let Some(Value::Seq(items)) = c.map(|c| &c.value) else {
            panic!("not a seq: {c:?}");
        };
        assert_eq!(
            items[1].value,
            Value::Scalar {
                text: "y".into(),
                plain: false
            }
        );
        assert_eq!(
            items[1].pos,
            Position {
                line: 3,
                column: 10
            }
        );
    }

    #[test]
    fn splits_documents_and_keeps_those_before_an_error() {
        let s = p("a: 1\n---\nb: 2\n---\nc: [\n");
        assert_eq!(s.docs.len(), 2);
        let e = s.error.expect("syntax error");
        assert!(!e.is_limit);
        assert_eq!(e.doc_index, 2);
    }

    #[test]
    fn expands_aliases_within_budget_and_stops_bombs() {
        let s = p("a: &x [1, 2]\nb: *x\n");
        assert_eq!(s.error, None);
        assert_eq!(s.docs[0].root.get("b").map(Node::size), Some(3));
        let mut bomb = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x]\n");
        for i in 1..10 {
            let refs = vec![format!("*a{}", i - 1); 9].join(", ");
            bomb.push_str(&format!("a{i}: &a{i} [{refs}]\n"));
        }
        let e = p(&bomb).error.expect("bomb must be refused");
        assert!(e.is_limit && e.message.contains("YAML nodes"), "{e:?}");
    }

    #[test]
    fn refuses_deep_nesting() {
        let deep = "- ".repeat(500) + "x\n";
        let e = p(&deep).error.expect("too deep");
        assert!(e.message.contains("nesting"), "{e:?}");
    }
}
