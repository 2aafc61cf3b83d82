//! Splitting a section into statements, so each runs on its own and a failure names the one
//! that failed (and its line). Follows PostgreSQL's lexer where it matters for `;`: string
//! literals (`'…'` with `''`, `E'…'` with backslash escapes), quoted identifiers, dollar quotes
//! with tags, `--` and nested `/* */` comments, parentheses, and, like psql, the semicolons
//! inside a `CREATE [OR REPLACE] FUNCTION|PROCEDURE … BEGIN ATOMIC … END` body.

/// One statement of a section.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Statement {
    /// From its first significant character through its `;` (if it had one); comments inside
    /// are kept, comments and blank lines before it are not.
    pub sql: String,
    /// 1-based line within the section where the statement starts.
    pub line: usize,
}

/// Splits `sql` at top-level semicolons. Pieces holding only whitespace and comments are dropped.
pub fn split_statements(sql: &str) -> Vec<Statement> {
    Splitter::new(sql).run()
}

struct Splitter<'a> {
    text: &'a str,
    bytes: &'a [u8],
    pos: usize,
    line: usize,
    statements: Vec<Statement>,
    /// Byte offset and line of the current statement's first significant character.
    start: Option<(usize, usize)>,
    parens: usize,
    /// psql's heuristic: the first words of the statement, to recognize CREATE FUNCTION.
    words: [u8; 4],
    word_count: usize,
    begin_depth: usize,
}

impl<'a> Splitter<'a> {
    fn new(text: &'a str) -> Self {
        Splitter {
            text,
            bytes: text.as_bytes(),
            pos: 0,
            line: 1,
            statements: Vec::new(),
            start: None,
            parens: 0,
            words: [0; 4],
            word_count: 0,
            begin_depth: 0,
        }
    }

    fn run(mut self) -> Vec<Statement> {
        while let Some(&byte) = self.bytes.get(self.pos) {
            match byte {
                b'\n' => {
                    self.line += 1;
                    self.pos += 1;
                }
                b if b.is_ascii_whitespace() => self.pos += 1,
                b'-' if self.peek(1) == Some(b'-') => self.skip_line_comment(),
                b'/' if self.peek(1) == Some(b'*') => self.skip_block_comment(),
                b';' => {
                    if self.parens == 0 && self.begin_depth == 0 {
                        self.finish(self.pos + 1);
                    }
                    self.pos += 1;
                }
                b'\'' => {
                    self.mark();
                    self.skip_string(false);
                }
                b'"' => {
                    self.mark();
                    self.skip_quoted_identifier();
                }
                b'$' => {
                    self.mark();
                    self.dollar();
                }
                b'(' => {
                    self.mark();
                    self.parens += 1;
                    self.pos += 1;
                }
                b')' => {
                    self.mark();
                    self.parens = self.parens.saturating_sub(1);
                    self.pos += 1;
                }
                b if is_word_start(b) => {
                    self.mark();
                    self.word();
                }
                _ => {
                    self.mark();
                    self.pos += 1;
                }
            }
        }
        self.finish(self.bytes.len());
        self.statements
    }

    fn peek(&self, ahead: usize) -> Option<u8> {
        self.bytes.get(self.pos + ahead).copied()
    }

    /// Notes the statement's start at the current character, if it has none yet.
    fn mark(&mut self) {
        if self.start.is_none() {
            self.start = Some((self.pos, self.line));
        }
    }

    /// Ends the current statement at byte `end` (exclusive) and resets per-statement state.
    fn finish(&mut self, end: usize) {
        if let Some((start, line)) = self.start.take() {
            let sql = self.text[start..end].trim_end();
            self.statements.push(Statement {
                sql: sql.to_owned(),
                line,
            });
        }
        self.parens = 0;
        self.words = [0; 4];
        self.word_count = 0;
        self.begin_depth = 0;
    }

    /// Advances past `count` bytes, counting line breaks.
    fn advance(&mut self, count: usize) {
        let end = (self.pos + count).min(self.bytes.len());
        self.line += self.bytes[self.pos..end]
            .iter()
            .filter(|&&b| b == b'\n')
            .count();
        self.pos = end;
    }

    fn skip_line_comment(&mut self) {
        // Stops before the line break, which the main loop counts.
        let rest = &self.bytes[self.pos..];
        let length = rest.iter().position(|&b| b == b'\n').unwrap_or(rest.len());
        self.pos += length;
    }

    /// `/* … */`, nested as PostgreSQL nests them; unterminated runs to the end.
    fn skip_block_comment(&mut self) {
        let mut depth = 0usize;
        let mut i = self.pos;
        while i < self.bytes.len() {
            match (self.bytes[i], self.bytes.get(i + 1)) {
                (b'/', Some(b'*')) => {
                    depth += 1;
                    i += 2;
                }
                (b'*', Some(b'/')) => {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                }
                _ => i += 1,
            }
        }
        self.advance(i - self.pos);
    }

    /// A string literal starting at the opening quote. `escapes`: backslash escapes (E'…').
    fn skip_string(&mut self, escapes: bool) {
        let mut i = self.pos + 1;
        while i < self.bytes.len() {
            match self.bytes[i] {
                b'\\' if escapes => i += 2,
                b'\'' if self.bytes.get(i + 1) == Some(&b'\'') => i += 2,
                b'\'' => {
                    i += 1;
                    break;
                }
                _ => i += 1,
            }
        }
        self.advance(i - self.pos);
    }

    fn skip_quoted_identifier(&mut self) {
        let mut i = self.pos + 1;
        while i < self.bytes.len() {
            match self.bytes[i] {
                b'"' if self.bytes.get(i + 1) == Some(&b'"') => i += 2,
                b'"' => {
                    i += 1;
                    break;
                }
                _ => i += 1,
            }
        }
        self.advance(i - self.pos);
    }

    /// At a `$` outside a word: a dollar quote `$tag$…$tag$` (a tag is an identifier without
    /// `$`), or anything else (`$1`).
    fn dollar(&mut self) {
        let rest = &self.bytes[self.pos + 1..];
        let tag_length = match rest.first() {
            Some(&b) if is_word_start(b) => rest
                .iter()
                .position(|&b| !(is_word_start(b) || b.is_ascii_digit()))
                .unwrap_or(rest.len()),
            _ => 0,
        };
        if rest.get(tag_length) != Some(&b'$') {
            self.pos += 1;
            return;
        }
        let delimiter = &self.bytes[self.pos..self.pos + tag_length + 2];
        let body_start = self.pos + delimiter.len();
        let body_end = find(&self.bytes[body_start..], delimiter)
            .map_or(self.bytes.len(), |at| body_start + at + delimiter.len());
        self.advance(body_end - self.pos);
    }

    /// An identifier or keyword; also the `E` of an `E'…'` string.
    fn word(&mut self) {
        let rest = &self.bytes[self.pos..];
        let length = rest
            .iter()
            .position(|&b| !is_word_continue(b))
            .unwrap_or(rest.len());
        let word = &rest[..length];
        if (word == b"E" || word == b"e") && rest.get(1) == Some(&b'\'') {
            self.pos += 1;
            self.skip_string(true);
            return;
        }
        self.track_begin_atomic(word);
        self.pos += length;
    }

    /// psql's rule (psqlscan.l): in a statement that starts `CREATE [OR REPLACE] FUNCTION` or
    /// `… PROCEDURE`, BEGIN … END (and CASE … END inside it) at parenthesis depth 0 nest, and
    /// semicolons inside do not end the statement.
    fn track_begin_atomic(&mut self, word: &[u8]) {
        if self.word_count < self.words.len()
            && ["create", "function", "procedure", "or", "replace"]
                .iter()
                .any(|keyword| word.eq_ignore_ascii_case(keyword.as_bytes()))
        {
            self.words[self.word_count] = word[0].to_ascii_lowercase();
        }
        self.word_count += 1;
        let w = self.words;
        let is_routine = w[0] == b'c'
            && (w[1] == b'f'
                || w[1] == b'p'
                || (w[1] == b'o' && w[2] == b'r' && (w[3] == b'f' || w[3] == b'p')));
        if !is_routine || self.parens != 0 {
            return;
        }
        if word.eq_ignore_ascii_case(b"begin") {
            self.begin_depth += 1;
        } else if word.eq_ignore_ascii_case(b"case") {
            if self.begin_depth >= 1 {
                self.begin_depth += 1;
            }
        } else if word.eq_ignore_ascii_case(b"end") {
            self.begin_depth = self.begin_depth.saturating_sub(1);
        }
    }
}

/// PostgreSQL identifiers start with a letter, `_` or any non-ASCII character.
fn is_word_start(b: u8) -> bool {
    b.is_ascii_alphabetic() || b == b'_' || b >= 0x80
}

/// … and continue with those, digits and `$`.
fn is_word_continue(b: u8) -> bool {
    is_word_start(b) || b.is_ascii_digit() || b == b'$'
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack
        .windows(needle.len())
        .position(|window| window == needle)
}
