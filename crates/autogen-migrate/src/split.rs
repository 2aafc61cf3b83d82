//! Splitting a section into statements, so each runs on its own and a failure names the one
//! that failed (and its line). The text is lexed by `autogen_sql` as psql reads a script, so
//! a `;` ends a statement only outside quotes, dollar quotes, comments and parentheses, and,
//! like psql, not inside a `CREATE [OR REPLACE] FUNCTION|PROCEDURE … BEGIN ATOMIC … END`
//! body. A psql meta-command line (`\gexec`, as `upgrade --sql` scripts use) is an item of its
//! own: it ends the statement before it and is never glued to the next one.

use autogen_sql::{Token, TokenKind};

use crate::batch::BatchOptions;

/// One statement of a section.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Statement {
    /// From its first significant character through its `;` (if it had one); comments inside
    /// are kept, comments and blank lines before it are not.
    pub sql: String,
    /// 1-based line within the section where the statement starts.
    pub line: usize,
    /// The options of the `-- batch:` directive among the comment lines directly above it:
    /// the runner repeats it in batches (`batch.rs`).
    pub batch: Option<BatchOptions>,
}

/// Splits `sql` at top-level semicolons. Pieces holding only whitespace and comments are dropped.
pub fn split_statements(sql: &str) -> Vec<Statement> {
    let mut splitter = Splitter::new(sql);
    for token in autogen_sql::lex_psql(sql) {
        splitter.token(&token);
    }
    splitter.finish(sql.len());
    let mut statements = splitter.statements;
    crate::batch::attach(sql, &mut statements);
    statements
}

struct Splitter<'a> {
    text: &'a str,
    statements: Vec<Statement>,
    /// Byte offset and line of the current statement's first significant token.
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
            statements: Vec::new(),
            start: None,
            parens: 0,
            words: [0; 4],
            word_count: 0,
            begin_depth: 0,
        }
    }

    fn token(&mut self, token: &Token) {
        match token.kind {
            _ if token.is_trivia() => {}
            TokenKind::Semicolon => {
                if self.parens == 0 && self.begin_depth == 0 {
                    self.finish(token.end());
                }
            }
            TokenKind::MetaCommand => {
                self.finish(token.start);
                self.start = Some((token.start, token.line));
                self.finish(token.end());
            }
            kind => {
                if self.start.is_none() {
                    self.start = Some((token.start, token.line));
                }
                match kind {
                    TokenKind::OpenParen => self.parens += 1,
                    TokenKind::CloseParen => self.parens = self.parens.saturating_sub(1),
                    TokenKind::Identifier => self.track_begin_atomic(token.text.as_bytes()),
                    _ => {}
                }
            }
        }
    }

    /// Ends the current statement at byte `end` (exclusive) and resets per-statement state.
    fn finish(&mut self, end: usize) {
        if let Some((start, line)) = self.start.take() {
            let sql = self.text[start..end].trim_end();
            self.statements.push(Statement {
                sql: sql.to_owned(),
                line,
                batch: None,
            });
        }
        self.parens = 0;
        self.words = [0; 4];
        self.word_count = 0;
        self.begin_depth = 0;
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
