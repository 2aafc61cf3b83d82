//! autogen's one PostgreSQL lexer: SQL text into [`Token`]s, each with its [`TokenKind`], its
//! byte span, its text and the 1-based line where it starts.
//!
//! It follows PostgreSQL's scanner (`src/backend/parser/scan.l`) with
//! `standard_conforming_strings = on`: unquoted identifiers and keywords (one kind: the lexer
//! knows no keyword list; [`Token::identifier`] folds them to lower case as PostgreSQL does),
//! `"quoted"` and `U&"…"` identifiers, `'…'`, `E'…'`, `U&'…'`, `N'…'`, `B'…'`, `X'…'` and
//! `$tag$…$tag$` strings, numbers, `$1` parameters, operators (cut before a `--` or `/*` inside
//! them, and without a trailing `+`/`-` unless they hold a character SQL operators lack, as
//! PostgreSQL cuts them), `::`, `:=`, `..`, punctuation, whitespace, `--` comments and nested
//! `/* */` comments. [`lex_psql`] also knows psql's meta-command lines (`\gexec`, `\set …`).
//!
//! Every byte of the input belongs to exactly one token, in order: joining the tokens' texts
//! gives the input back. Lexing never fails: a quote, string or comment left open runs to the
//! end of the input and its token says so ([`Token::unterminated`]); characters PostgreSQL
//! would reject (a lone `\`, `{`) are [`TokenKind::Other`]; numbers with trailing letters
//! (`123abc`, an error in PostgreSQL) are one [`TokenKind::Number`]. Checking contents is left
//! to PostgreSQL.
//!
//! Where this differs from the server's scanner, on purpose: string constants that PostgreSQL
//! joins across a newline (`'a'` newline `'b'`) are separate tokens with the whitespace between
//! them; a `UESCAPE 'c'` clause right after a `U&` identifier or string (whitespace between
//! allowed, comments not) belongs to that token, so the token can be decoded on its own
//! (PostgreSQL's grammar joins them); identifiers are not truncated to 63 bytes.

mod lexer;
mod token;
mod value;

pub use lexer::{Lexer, lex, lex_psql};
pub use token::{StringKind, Token, TokenKind};
