//! Input limits: what the loader refuses before or while parsing, so that any paste — 5 MB of
//! text, ten thousand documents, an alias bomb, binary junk, a wall of `[` — is answered with a
//! clear error in well under a second instead of a hang or a crash.
//!
//! | limit | default | why |
//! |---|---|---|
//! | input size | 1 MiB | etcd's object limit is 1.5 MiB; a playground paste is far smaller |
//! | documents | 1,000 | a cluster worth of manifests; 10k documents is a mistake |
//! | nesting | 64 levels | real objects nest ~15 deep; the parser is linear only below this |
//! | flow nesting (`[`/`{`) | 64, pre-scanned | YAML scanners are quadratic on deep flow collections |
//! | YAML nodes incl. alias copies | 200,000 | stops "billion laughs" before it allocates |
//! | control characters | none but tab/newline/CR | binary junk is not YAML |
use crate::diag::Position;

/// Limits applied to one `load` call. [`Limits::default`] are the documented values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// Largest accepted input, in bytes.
    pub max_input_bytes: usize,
    /// Most YAML documents in one input.
    pub max_documents: usize,
    /// Deepest nesting of collections.
    pub max_depth: usize,
    /// Most nodes, counting every alias expansion.
    pub max_nodes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_input_bytes: 1 << 20,
            max_documents: 1000,
            max_depth: 64,
            max_nodes: 200_000,
        }
    }
}

/// A limit violated before parsing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrecheckError {
    /// Where (line 1 column 1 for the size limit).
    pub pos: Position,
    /// Message.
    pub message: String,
}

/// Cheap linear checks before the YAML parser sees the text: size, control characters, and the
/// depth of flow brackets outside quotes and comments.
pub fn precheck(text: &str, limits: &Limits) -> Result<(), PrecheckError> {
    if text.len() > limits.max_input_bytes {
        return Err(PrecheckError {
            pos: Position { line: 1, column: 1 },
            message: format!(
                "input is {} bytes; the limit is {} bytes (1 MiB). Load fewer manifests at once",
                text.len(),
                limits.max_input_bytes
            ),
        });
    }
    let mut line = 1u32;
    let mut column = 0u32;
    let mut depth = 0usize;
    let mut quote: Option<char> = None;
    let mut comment = false;
    let mut escaped = false;
    let mut prev = '\n';
    for c in text.chars() {
        column += 1;
        if c == '\n' {
            line += 1;
            column = 0;
            comment = false;
            prev = c;
            continue;
        }
        let pos = Position { line, column };
        if (c.is_control() && c != '\t' && c != '\r') || c == '\u{FFFD}' {
            return Err(PrecheckError {
                pos,
                message: format!(
                    "the input contains a control character (U+{:04X}); it looks like binary \
                     data, not YAML",
                    u32::from(c)
                ),
            });
        }
        if comment {
            prev = c;
            continue;
        }
        if escaped {
            escaped = false;
            prev = c;
            continue;
        }
        match (quote, c) {
            (Some('"'), '\\') => escaped = true,
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '#') if prev == ' ' || prev == '\t' || prev == '\n' => comment = true,
            // A quote only opens a quoted scalar at the start of a token.
            (None, '"' | '\'') if " \t\n[{,:-".contains(prev) => quote = Some(c),
            (None, '[' | '{') => {
                depth += 1;
                if depth > limits.max_depth {
                    return Err(PrecheckError {
                        pos,
                        message: format!(
                            "flow collections ('[' / '{{') nested deeper than {} levels are not \
                             supported",
                            limits.max_depth
                        ),
                    });
                }
            }
            (None, ']' | '}') => depth = depth.saturating_sub(1),
            _ => {}
        }
        prev = c;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_big_binary_and_deep_flow_input() {
        let l = Limits::default();
        let big = "a".repeat(l.max_input_bytes + 1);
        assert!(precheck(&big, &l).is_err_and(|e| e.message.contains("1 MiB")));
        let bin = "a: b\n\u{0}\u{1}";
        assert_eq!(
            precheck(bin, &l).map_err(|e| e.pos),
            Err(Position { line: 2, column: 1 })
        );
        let deep = "[".repeat(65);
        assert!(precheck(&deep, &l).is_err_and(|e| e.message.contains("flow")));
        assert!(precheck(
            "a: \"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[\"",
            &l
        )
        .is_ok());
        assert!(precheck(
            "a: 1 # [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[",
            &l
        )
        .is_ok());
    }
}
