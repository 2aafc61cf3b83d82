//! Just enough of Rust's lexical grammar to read back a sea-orm migration autogen wrote:
//! identifiers, punctuation and string literals (plain, with escapes, and raw), each with its
//! line; comments skipped. Not a Rust parser: what it cannot read is an error at its line.

/// One token and the 1-based line it starts on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Token {
    pub kind: Kind,
    pub line: usize,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Kind {
    Ident(String),
    /// A string literal's value.
    Str(String),
    /// Any other single character (punctuation, a digit of a number, a char literal's quote).
    Punct(char),
}

/// The tokens of `text`, or the line and reason of the first thing it cannot read.
pub(crate) fn tokens(text: &str) -> Result<Vec<Token>, (usize, String)> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut line = 1;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let start_line = line;
        if c == '\n' {
            line += 1;
            i += 1;
        } else if c.is_whitespace() {
            i += 1;
        } else if c == '/' && chars.get(i + 1) == Some(&'/') {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
        } else if c == '/' && chars.get(i + 1) == Some(&'*') {
            // Block comments nest in Rust.
            let mut depth = 0usize;
            loop {
                match (chars.get(i), chars.get(i + 1)) {
                    (Some('/'), Some('*')) => {
                        depth += 1;
                        i += 2;
                    }
                    (Some('*'), Some('/')) => {
                        depth -= 1;
                        i += 2;
                        if depth == 0 {
                            break;
                        }
                    }
                    (Some(ch), _) => {
                        if *ch == '\n' {
                            line += 1;
                        }
                        i += 1;
                    }
                    (None, _) => return Err((start_line, "unclosed block comment".to_owned())),
                }
            }
        } else if c == 'r'
            && matches!(chars.get(i + 1), Some('"') | Some('#'))
            && raw_start(&chars, i + 1).is_some()
        {
            let (hashes, body_start) = raw_start(&chars, i + 1).unwrap_or((0, i + 2));
            let mut j = body_start;
            let end = loop {
                match chars.get(j) {
                    None => return Err((start_line, "unclosed raw string literal".to_owned())),
                    Some('"') if (1..=hashes).all(|k| chars.get(j + k) == Some(&'#')) => break j,
                    Some(_) => j += 1,
                }
            };
            let value: String = chars[body_start..end].iter().collect();
            line += value.matches('\n').count();
            out.push(Token {
                kind: Kind::Str(value),
                line: start_line,
            });
            i = end + 1 + hashes;
        } else if c == '"' {
            let (value, next, lines) =
                plain_string(&chars, i + 1).map_err(|reason| (start_line, reason))?;
            line += lines;
            out.push(Token {
                kind: Kind::Str(value),
                line: start_line,
            });
            i = next;
        } else if c == '_' || c.is_alphabetic() {
            let mut j = i;
            while j < chars.len() && (chars[j] == '_' || chars[j].is_alphanumeric()) {
                j += 1;
            }
            out.push(Token {
                kind: Kind::Ident(chars[i..j].iter().collect()),
                line,
            });
            i = j;
        } else {
            out.push(Token {
                kind: Kind::Punct(c),
                line,
            });
            i += 1;
        }
    }
    Ok(out)
}

/// After an `r` at `at`: `#`s then `"` — the number of `#`s and where the body starts.
fn raw_start(chars: &[char], at: usize) -> Option<(usize, usize)> {
    let mut hashes = 0;
    while chars.get(at + hashes) == Some(&'#') {
        hashes += 1;
    }
    (chars.get(at + hashes) == Some(&'"')).then_some((hashes, at + hashes + 1))
}

/// A `"…"` literal's value from just after its opening quote: the value, the index after the
/// closing quote, and the line breaks inside.
fn plain_string(chars: &[char], mut i: usize) -> Result<(String, usize, usize), String> {
    let mut value = String::new();
    let mut lines = 0;
    loop {
        let Some(&c) = chars.get(i) else {
            return Err("unclosed string literal".to_owned());
        };
        i += 1;
        match c {
            '"' => return Ok((value, i, lines)),
            '\\' => {
                let Some(&escaped) = chars.get(i) else {
                    return Err("unclosed string literal".to_owned());
                };
                i += 1;
                match escaped {
                    'n' => value.push('\n'),
                    't' => value.push('\t'),
                    'r' => value.push('\r'),
                    '0' => value.push('\0'),
                    '\\' => value.push('\\'),
                    '"' => value.push('"'),
                    '\'' => value.push('\''),
                    // A line continuation: the break and the next line's leading whitespace go.
                    '\n' => {
                        lines += 1;
                        while chars.get(i).is_some_and(|c| c.is_whitespace()) {
                            if chars[i] == '\n' {
                                lines += 1;
                            }
                            i += 1;
                        }
                    }
                    other => return Err(format!("string escape `\\{other}` is not read back")),
                }
            }
            '\n' => {
                lines += 1;
                value.push('\n');
            }
            other => value.push(other),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(text: &str) -> Vec<Kind> {
        tokens(text)
            .expect("tokens")
            .into_iter()
            .map(|t| t.kind)
            .collect()
    }

    #[test]
    fn strings_comments_and_lines() {
        assert_eq!(
            kinds("a(\"x\\\"y\") // c\n/* /* n */ */ r#\"q \"z\" \"#"),
            vec![
                Kind::Ident("a".into()),
                Kind::Punct('('),
                Kind::Str("x\"y".into()),
                Kind::Punct(')'),
                Kind::Str("q \"z\" ".into()),
            ]
        );
        let lines: Vec<usize> = tokens("a\nr\"x\ny\"\nb")
            .expect("t")
            .iter()
            .map(|t| t.line)
            .collect();
        assert_eq!(lines, vec![1, 2, 4]);
        assert!(tokens("\"open").is_err());
    }
}
