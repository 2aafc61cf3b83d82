//! The scanner: PostgreSQL's `scan.l` rules, one token at a time.

use crate::token::{StringKind, Token, TokenKind};

/// The tokens of `text` as PostgreSQL's server lexes it.
pub fn lex(text: &str) -> Lexer<'_> {
    Lexer::new(text, false)
}

/// The tokens of `text` as psql reads a script: like [`lex`], and a line whose first
/// non-blank character is `\` (outside any quote or comment) is a
/// [`TokenKind::MetaCommand`] up to its line break.
pub fn lex_psql(text: &str) -> Lexer<'_> {
    Lexer::new(text, true)
}

/// An iterator over the tokens of one text; see [`lex`] and [`lex_psql`].
#[derive(Debug, Clone)]
pub struct Lexer<'a> {
    text: &'a str,
    bytes: &'a [u8],
    pos: usize,
    line: usize,
    psql: bool,
}

impl<'a> Iterator for Lexer<'a> {
    type Item = Token<'a>;

    fn next(&mut self) -> Option<Token<'a>> {
        if self.pos >= self.bytes.len() {
            return None;
        }
        let start = self.pos;
        let (kind, end, unterminated) = self.token_at(start);
        // Every token ends on a character boundary: after an ASCII byte or at the end.
        let end = end.clamp(start + 1, self.bytes.len());
        let text = &self.text[start..end];
        let line = self.line;
        self.line += text.bytes().filter(|&b| b == b'\n').count();
        self.pos = end;
        Some(Token {
            kind,
            text,
            start,
            line,
            unterminated,
        })
    }
}

/// `[A-Za-z\200-\377_]`: every byte of a multi-byte UTF-8 character starts an identifier.
fn is_ident_start(byte: u8) -> bool {
    byte.is_ascii_alphabetic() || byte == b'_' || byte >= 0x80
}

/// `[A-Za-z\200-\377_0-9\$]`
fn is_ident_continue(byte: u8) -> bool {
    is_ident_start(byte) || byte.is_ascii_digit() || byte == b'$'
}

/// The characters operators are made of.
fn is_op_char(byte: u8) -> bool {
    b"~!@#^&|`?+-*/%<>=".contains(&byte)
}

/// Spaces, `\t`, `\n`, `\r`, form feed and vertical tab.
fn is_space(byte: u8) -> bool {
    matches!(byte, b' ' | b'\t' | b'\n' | b'\r' | 0x0B | 0x0C)
}

impl<'a> Lexer<'a> {
    fn new(text: &'a str, psql: bool) -> Self {
        Lexer {
            text,
            bytes: text.as_bytes(),
            pos: 0,
            line: 1,
            psql,
        }
    }

    fn byte(&self, at: usize) -> Option<u8> {
        self.bytes.get(at).copied()
    }

    /// The token starting at `at`: its kind, where it ends, and whether it is unterminated.
    fn token_at(&self, at: usize) -> (TokenKind, usize, bool) {
        use TokenKind as K;
        let byte = self.bytes[at];
        let next = self.byte(at + 1);
        let single = |kind| (kind, at + 1, false);
        match byte {
            b if is_space(b) => (K::Whitespace, self.skip_while(at, is_space), false),
            b'-' if next == Some(b'-') => {
                let end = self.skip_while(at, |b| b != b'\n' && b != b'\r');
                (K::LineComment, end, false)
            }
            b'/' if next == Some(b'*') => self.block_comment(at),
            b'\\' if self.psql && self.starts_line(at) => {
                (K::MetaCommand, self.meta_end(at), false)
            }
            b'\'' => self.quoted(K::String(StringKind::Standard), at + 1),
            b'"' => self.quoted(K::QuotedIdentifier, at + 1),
            b'$' => self.dollar(at),
            b'e' | b'E' if next == Some(b'\'') => {
                self.quoted(K::String(StringKind::Escape), at + 2)
            }
            b'b' | b'B' if next == Some(b'\'') => self.quoted(K::String(StringKind::Bit), at + 2),
            b'x' | b'X' if next == Some(b'\'') => self.quoted(K::String(StringKind::Hex), at + 2),
            b'n' | b'N' if next == Some(b'\'') => {
                self.quoted(K::String(StringKind::National), at + 2)
            }
            b'u' | b'U' if next == Some(b'&') && self.byte(at + 2) == Some(b'\'') => {
                self.unicode(K::String(StringKind::Unicode), at)
            }
            b'u' | b'U' if next == Some(b'&') && self.byte(at + 2) == Some(b'"') => {
                self.unicode(K::UnicodeIdentifier, at)
            }
            b'0'..=b'9' => (K::Number, self.number(at), false),
            b'.' if next.is_some_and(|b| b.is_ascii_digit()) => (K::Number, self.number(at), false),
            b'.' if next == Some(b'.') => (K::DotDot, at + 2, false),
            b'.' => single(K::Dot),
            b':' if next == Some(b':') => (K::Typecast, at + 2, false),
            b':' if next == Some(b'=') => (K::ColonEquals, at + 2, false),
            b':' => single(K::Colon),
            b'(' => single(K::OpenParen),
            b')' => single(K::CloseParen),
            b'[' => single(K::OpenBracket),
            b']' => single(K::CloseBracket),
            b',' => single(K::Comma),
            b';' => single(K::Semicolon),
            b if is_op_char(b) => (K::Operator, self.operator(at), false),
            b if is_ident_start(b) => {
                (K::Identifier, self.skip_while(at, is_ident_continue), false)
            }
            _ => single(K::Other),
        }
    }

    /// The first position from `at` where `keep` fails (or the end).
    fn skip_while(&self, at: usize, keep: impl Fn(u8) -> bool) -> usize {
        self.bytes[at..]
            .iter()
            .position(|&b| !keep(b))
            .map_or(self.bytes.len(), |length| at + length)
    }

    /// Whether only blanks precede `at` on its line.
    fn starts_line(&self, at: usize) -> bool {
        self.bytes[..at]
            .iter()
            .rev()
            .take_while(|&&b| b != b'\n')
            .all(|&b| is_space(b))
    }

    /// The end of a meta-command line: before its `\n` (and the `\r` of a `\r\n`).
    fn meta_end(&self, at: usize) -> usize {
        let end = self.skip_while(at, |b| b != b'\n');
        if end < self.bytes.len() && self.bytes[end - 1] == b'\r' {
            end - 1
        } else {
            end
        }
    }

    /// `/* … */` starting at `at`; comments nest.
    fn block_comment(&self, at: usize) -> (TokenKind, usize, bool) {
        let mut depth = 0usize;
        let mut i = at;
        while i < self.bytes.len() {
            match (self.bytes[i], self.byte(i + 1)) {
                (b'/', Some(b'*')) => {
                    depth += 1;
                    i += 2;
                }
                (b'*', Some(b'/')) => {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        return (TokenKind::BlockComment, i, false);
                    }
                }
                _ => i += 1,
            }
        }
        (TokenKind::BlockComment, i, true)
    }

    /// A quoted token of `kind` whose body starts at `body`: it ends at the matching quote.
    /// A doubled quote stands for one (not in bit strings, where PostgreSQL ends the token at
    /// the first quote); in `E'…'` a backslash escapes the next character.
    fn quoted(&self, kind: TokenKind, body: usize) -> (TokenKind, usize, bool) {
        let quote = self.bytes[body - 1];
        let doubles = !matches!(kind, TokenKind::String(StringKind::Bit | StringKind::Hex));
        let escapes = kind == TokenKind::String(StringKind::Escape);
        let mut i = body;
        while i < self.bytes.len() {
            match self.bytes[i] {
                b'\\' if escapes => i += 2,
                b if b == quote => {
                    if doubles && self.byte(i + 1) == Some(quote) {
                        i += 2;
                    } else {
                        return (kind, i + 1, false);
                    }
                }
                _ => i += 1,
            }
        }
        (kind, self.bytes.len(), true)
    }

    /// `U&'…'` or `U&"…"` at `at`, with a well-formed `UESCAPE 'c'` clause after it.
    fn unicode(&self, kind: TokenKind, at: usize) -> (TokenKind, usize, bool) {
        let (kind, end, unterminated) = self.quoted(kind, at + 3);
        if unterminated {
            return (kind, end, unterminated);
        }
        (kind, self.uescape_end(end).unwrap_or(end), false)
    }

    /// The end of `[blanks] UESCAPE [blanks] 'c'` at `at`, where `c` is one character
    /// PostgreSQL accepts as an escape (not a hex digit, `+`, a quote or whitespace).
    fn uescape_end(&self, at: usize) -> Option<usize> {
        let keyword = self.skip_while(at, is_space);
        let after = keyword + "uescape".len();
        let word = self.bytes.get(keyword..after)?;
        if !word.eq_ignore_ascii_case(b"uescape") || self.byte(after).is_some_and(is_ident_continue)
        {
            return None;
        }
        let quote = self.skip_while(after, is_space);
        match self.bytes.get(quote..quote + 3)? {
            [b'\'', escape, b'\'']
                if escape.is_ascii()
                    && !escape.is_ascii_hexdigit()
                    && !is_space(*escape)
                    && !matches!(escape, b'+' | b'\'' | b'"') =>
            {
                Some(quote + 3)
            }
            _ => None,
        }
    }

    /// At a `$`: a parameter (`$1`), a dollar-quoted string (`$$…$$`, `$tag$…$tag$`; a tag is
    /// an identifier without `$`), or a lone `$`.
    fn dollar(&self, at: usize) -> (TokenKind, usize, bool) {
        let next = self.byte(at + 1);
        if next.is_some_and(|b| b.is_ascii_digit()) {
            let end = self.decimal_digits(at + 1);
            return (TokenKind::Parameter, self.junk(end), false);
        }
        let tag_end = if next.is_some_and(is_ident_start) {
            self.skip_while(at + 1, |b| is_ident_start(b) || b.is_ascii_digit())
        } else {
            at + 1
        };
        if self.byte(tag_end) != Some(b'$') {
            return (TokenKind::Other, at + 1, false);
        }
        let delimiter = &self.text[at..=tag_end];
        let body = tag_end + 1;
        let kind = TokenKind::String(StringKind::Dollar);
        match self.text[body..].find(delimiter) {
            Some(offset) => (kind, body + offset + delimiter.len(), false),
            None => (kind, self.bytes.len(), true),
        }
    }

    /// A number at `at` (a digit, or `.` and a digit), with PostgreSQL's trailing-junk rule:
    /// letters right after a number belong to it (PostgreSQL rejects them).
    fn number(&self, at: usize) -> usize {
        let radix: Option<fn(&u8) -> bool> = match (self.bytes[at], self.byte(at + 1)) {
            (b'0', Some(b'x' | b'X')) => Some(u8::is_ascii_hexdigit),
            (b'0', Some(b'o' | b'O')) => Some(|b| (b'0'..=b'7').contains(b)),
            (b'0', Some(b'b' | b'B')) => Some(|b| matches!(b, b'0' | b'1')),
            _ => None,
        };
        if let Some(is_digit) = radix {
            let end = self.digits(at + 2, is_digit, true);
            if end > at + 2 {
                return self.junk(end);
            }
        }
        let mut end = at;
        if self.bytes[at] != b'.' {
            end = self.decimal_digits(at);
        }
        // `1..10`: the number stops before `..`.
        if self.byte(end) == Some(b'.') && self.byte(end + 1) != Some(b'.') {
            end = self.decimal_digits(end + 1);
        }
        if let Some(b'e' | b'E') = self.byte(end) {
            let sign = usize::from(matches!(self.byte(end + 1), Some(b'+' | b'-')));
            let exponent = end + 1 + sign;
            if self.byte(exponent).is_some_and(|b| b.is_ascii_digit()) {
                end = self.decimal_digits(exponent);
            } else if sign == 1 {
                end = exponent;
            }
        }
        self.junk(end)
    }

    /// Past `digit (_? digit)*` from `at` (or `at` itself when no digit is there).
    fn decimal_digits(&self, at: usize) -> usize {
        self.digits(at, u8::is_ascii_digit, false)
    }

    /// Past `(_? digit)*` from `at`, `digit` as `is_digit` says; `underscore_first`: the first
    /// digit may follow an `_` too (right after a radix prefix, `0x_1F`).
    fn digits(&self, at: usize, is_digit: fn(&u8) -> bool, underscore_first: bool) -> usize {
        let mut end = at;
        loop {
            match (self.byte(end), self.byte(end + 1)) {
                (Some(b), _) if is_digit(&b) => end += 1,
                (Some(b'_'), Some(b)) if is_digit(&b) && (end > at || underscore_first) => end += 2,
                _ => return end,
            }
        }
    }

    /// Past an identifier stuck to the token ending at `at`, if there is one.
    fn junk(&self, at: usize) -> usize {
        if self.byte(at).is_some_and(is_ident_start) {
            self.skip_while(at, is_ident_continue)
        } else {
            at
        }
    }

    /// An operator at `at`: a run of operator characters, cut before a `--` or `/*` inside it
    /// (those start comments), and without trailing `+`/`-` unless it holds one of
    /// `~ ! @ # ^ & | ` ? %` (so `=-` is `=` then `-`, but `?-` stays one operator).
    fn operator(&self, at: usize) -> usize {
        let run = &self.bytes[at..self.skip_while(at, is_op_char)];
        let mut length = run.len();
        if let Some(comment) =
            (1..run.len().saturating_sub(1)).find(|&i| matches!(&run[i..i + 2], b"--" | b"/*"))
        {
            length = comment;
        }
        while length > 1 && matches!(run[length - 1], b'+' | b'-') {
            if run[..length - 1].iter().any(|b| b"~!@#^&|`?%".contains(b)) {
                break;
            }
            length -= 1;
        }
        at + length
    }
}
