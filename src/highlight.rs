//! A line-oriented YAML tokenizer for the editor's highlighting layer. Pure and total: every
//! byte of the input lands in exactly one token, so the overlay lines up with the textarea.

/// Token classes; each maps to one CSS class `t-…`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tok {
    /// Plain text and whitespace.
    Plain,
    /// A mapping key (`name:` without the colon).
    Key,
    /// Punctuation: `:`, `-`, `[`, `]`, `{`, `}`, `,`.
    Punct,
    /// Quoted string.
    Str,
    /// Number, boolean or null.
    Lit,
    /// `# …` comment.
    Comment,
    /// `---` / `...` document markers.
    Doc,
    /// `&anchor`, `*alias`, `!tag`, `|`/`>` block indicators.
    Meta,
}

impl Tok {
    /// CSS class for the token.
    pub fn class(self) -> &'static str {
        match self {
            Tok::Plain => "t-plain",
            Tok::Key => "t-key",
            Tok::Punct => "t-punct",
            Tok::Str => "t-str",
            Tok::Lit => "t-lit",
            Tok::Comment => "t-comment",
            Tok::Doc => "t-doc",
            Tok::Meta => "t-meta",
        }
    }
}

/// Tokens of one line, as (class, text) pairs whose texts concatenate to the line.
pub fn line_tokens(line: &str) -> Vec<(Tok, &str)> {
    let mut out = Vec::new();
    let trimmed = line.trim_end();
    if trimmed == "---" || trimmed == "..." || line.starts_with("--- ") {
        out.push((Tok::Doc, line));
        return out;
    }
    let b = line.as_bytes();
    let mut i = 0;
    // leading indentation and list dashes
    loop {
        let start = i;
        while i < b.len() && b[i] == b' ' {
            i += 1;
        }
        if i > start {
            out.push((Tok::Plain, &line[start..i]));
        }
        if i < b.len() && b[i] == b'-' && (i + 1 == b.len() || b[i + 1] == b' ') {
            out.push((Tok::Punct, &line[i..=i]));
            i += 1;
            continue;
        }
        break;
    }
    // a key? find `:` followed by space/end outside quotes, before any ` #`
    if let Some(colon) = key_colon(&line[i..]) {
        let key_end = i + colon;
        let tok = if matches!(b.get(i), Some(b'"' | b'\'')) {
            Tok::Str
        } else {
            Tok::Key
        };
        out.push((tok, &line[i..key_end]));
        out.push((Tok::Punct, &line[key_end..=key_end]));
        i = key_end + 1;
    }
    value_tokens(&line[i..], &mut out);
    out
}

/// Byte offset of a mapping colon in `s` (the key part of a line), if any.
fn key_colon(s: &str) -> Option<usize> {
    let b = s.as_bytes();
    let mut quote = None;
    for (j, &c) in b.iter().enumerate() {
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None => match c {
                b'"' | b'\'' if j == 0 => quote = Some(c),
                b'#' if j == 0 || b[j - 1] == b' ' => return None,
                b'{' | b'[' if j == 0 => return None,
                b':' if j + 1 == b.len() || b[j + 1] == b' ' => return Some(j),
                _ => {}
            },
        }
    }
    None
}

/// Tokens of a value (everything after `key:` or a dash).
fn value_tokens<'a>(s: &'a str, out: &mut Vec<(Tok, &'a str)>) {
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        let start = i;
        match c {
            b' ' | b'\t' => {
                while i < b.len() && (b[i] == b' ' || b[i] == b'\t') {
                    i += 1;
                }
                out.push((Tok::Plain, &s[start..i]));
            }
            b'#' if start == 0 || b[start - 1] == b' ' => {
                out.push((Tok::Comment, &s[start..]));
                return;
            }
            b'"' | b'\'' => {
                i += 1;
                while i < b.len() {
                    if b[i] == b'\\' && c == b'"' {
                        i += 2;
                        continue;
                    }
                    if b[i] == c {
                        i += 1;
                        break;
                    }
                    i += 1;
                }
                let i2 = i.min(b.len());
                out.push((Tok::Str, &s[start..i2]));
                i = i2;
            }
            b'[' | b']' | b'{' | b'}' | b',' => {
                i += 1;
                out.push((Tok::Punct, &s[start..i]));
            }
            b'&' | b'*' | b'!' | b'|' | b'>' if start == 0 || b[start - 1] == b' ' => {
                while i < b.len() && b[i] != b' ' {
                    i += 1;
                }
                out.push((Tok::Meta, &s[start..i]));
            }
            _ => {
                while i < b.len() && !matches!(b[i], b',' | b']' | b'}') {
                    if b[i] == b' ' && b.get(i + 1) == Some(&b'#') {
                        break;
                    }
                    i += 1;
                }
                // keep whole UTF-8 characters: the stop bytes above are all ASCII
                let word = &s[start..i];
                let tok = if is_literal(word.trim()) {
                    Tok::Lit
                } else {
                    Tok::Plain
                };
                out.push((tok, word));
            }
        }
    }
}

fn is_literal(w: &str) -> bool {
    matches!(
        w,
        "true" | "false" | "True" | "False" | "null" | "~" | "yes" | "no" | "on" | "off"
    ) || (!w.is_empty() && w.parse::<f64>().is_ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn join(line: &str) -> String {
        line_tokens(line).iter().map(|(_, t)| *t).collect()
    }

    #[test]
    fn tokens_cover_every_byte() {
        for line in [
            "apiVersion: apps/v1",
            "  - name: \"hello-world\" # c",
            "      - containerPort: 8080",
            "---",
            "key: [a, b, {c: d}]",
            "x: |",
            "  \"quoted key\": 'v'",
            "naïve: ünïcode, ok",
            "url: http://x:80/y",
            "",
        ] {
            assert_eq!(join(line), line);
        }
    }

    #[test]
    fn classes() {
        let t = line_tokens("  replicas: 2 # two");
        assert_eq!(t[1], (Tok::Key, "replicas"));
        assert!(
            t.contains(&(Tok::Lit, "2 "))
                || t.iter().any(|(k, s)| *k == Tok::Lit && s.trim() == "2")
        );
        assert_eq!(t.last().unwrap().0, Tok::Comment);
        let t = line_tokens("- image: \"google/python-hello\"");
        assert_eq!(t[0], (Tok::Punct, "-"));
        assert!(t.contains(&(Tok::Str, "\"google/python-hello\"")));
        assert_eq!(line_tokens("url: http://x:80")[0], (Tok::Key, "url"));
    }
}
