//! A small POSIX-shell-like tokenizer for one command line.
//!
//! Users paste commands from tutorials, so quoting must behave as in bash: single quotes are
//! literal, double quotes allow `\"` `\\` `\$` escapes, a backslash outside quotes escapes the
//! next character, and `#` at the start of a word begins a comment. There is no expansion of
//! variables or globs: the playground has no shell environment to expand from.

/// Split `line` into words. Errors carry bash's wording for unterminated quotes.
pub fn tokenize(line: &str) -> Result<Vec<String>, String> {
    let mut words = Vec::new();
    let mut cur = String::new();
    // Whether a word has started: `''` is an empty word, not nothing.
    let mut in_word = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            ' ' | '\t' | '\r' | '\n' => {
                if in_word {
                    words.push(std::mem::take(&mut cur));
                    in_word = false;
                }
            }
            '#' if !in_word => break,
            '\'' => {
                in_word = true;
                let mut closed = false;
                for q in chars.by_ref() {
                    if q == '\'' {
                        closed = true;
                        break;
                    }
                    cur.push(q);
                }
                if !closed {
                    return Err("unexpected EOF while looking for matching `''".to_string());
                }
            }
            '"' => {
                in_word = true;
                let mut closed = false;
                while let Some(q) = chars.next() {
                    match q {
                        '"' => {
                            closed = true;
                            break;
                        }
                        '\\' => match chars.peek() {
                            Some(&n @ ('"' | '\\' | '$' | '`')) => {
                                cur.push(n);
                                chars.next();
                            }
                            _ => cur.push('\\'),
                        },
                        _ => cur.push(q),
                    }
                }
                if !closed {
                    return Err("unexpected EOF while looking for matching `\"'".to_string());
                }
            }
            '\\' => {
                in_word = true;
                if let Some(n) = chars.next() {
                    cur.push(n);
                }
            }
            _ => {
                in_word = true;
                cur.push(c);
            }
        }
    }
    if in_word {
        words.push(cur);
    }
    Ok(words)
}

/// Quote `word` so that [`tokenize`] gives it back unchanged (used to echo commands).
pub fn quote(word: &str) -> String {
    let plain = !word.is_empty()
        && word
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./:=,@%+{}[]*".contains(c));
    if plain {
        word.to_string()
    } else {
        format!("'{}'", word.replace('\'', r"'\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> Vec<String> {
        tokenize(s).unwrap()
    }

    #[test]
    fn splits_and_quotes() {
        assert_eq!(t("kubectl get  pods"), ["kubectl", "get", "pods"]);
        assert_eq!(
            t(r#"a 'b c' "d \"e\"" f\ g"#),
            ["a", "b c", "d \"e\"", "f g"]
        );
        assert_eq!(
            t("-o=jsonpath='{.items[*].metadata.name}'"),
            ["-o=jsonpath={.items[*].metadata.name}"]
        );
        assert_eq!(t("echo '' x"), ["echo", "", "x"]);
        assert_eq!(t("get pods # all of them"), ["get", "pods"]);
        assert_eq!(t("a#b"), ["a#b"]);
        assert!(tokenize("echo 'oops").is_err());
        assert!(tokenize("echo \"oops").is_err());
    }

    #[test]
    fn quote_round_trips() {
        for w in ["plain", "has space", "it's", "", "{.a}"] {
            assert_eq!(t(&quote(w)), [w]);
        }
    }
}
