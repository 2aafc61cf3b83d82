//! What the lexer produces.

use std::borrow::Cow;
use std::ops::Range;

use crate::value;

/// The kind of a [`Token`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TokenKind {
    /// Spaces, tabs, line breaks, form feeds and vertical tabs.
    Whitespace,
    /// `-- …` up to (not including) the line break.
    LineComment,
    /// `/* … */`, nested comments included.
    BlockComment,
    /// An unquoted identifier or keyword (`select`, `Users`, `a$b`, `ünï`).
    Identifier,
    /// `"…"` with `""` standing for one `"`.
    QuotedIdentifier,
    /// `U&"…"`, with its `UESCAPE 'c'` clause when it has one.
    UnicodeIdentifier,
    /// A string constant.
    String(StringKind),
    /// An integer or decimal number (`1`, `1.5`, `.5`, `1e-3`, `0x1F`, `1_000`).
    Number,
    /// A positional parameter, `$1`.
    Parameter,
    /// An operator: `+`, `<>`, `->>`, `@@`, `=>`, …
    Operator,
    /// `::`
    Typecast,
    /// `:=`
    ColonEquals,
    /// `..`
    DotDot,
    /// `(`
    OpenParen,
    /// `)`
    CloseParen,
    /// `[`
    OpenBracket,
    /// `]`
    CloseBracket,
    /// `,`
    Comma,
    /// `;`
    Semicolon,
    /// `:`
    Colon,
    /// `.`
    Dot,
    /// A psql meta-command line (`\gexec`, `\set x 1`) up to (not including) its line break;
    /// only from [`lex_psql`](crate::lex_psql).
    MetaCommand,
    /// A character PostgreSQL has no token for (`\`, `{`, a lone `$`, control characters).
    Other,
}

/// The kind of a string constant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StringKind {
    /// `'…'`, `''` standing for `'`; a backslash is an ordinary character.
    Standard,
    /// `E'…'` with backslash escapes.
    Escape,
    /// `U&'…'` with Unicode escapes (and its `UESCAPE 'c'` clause when it has one).
    Unicode,
    /// `N'…'`, a national character string (the same text as a standard string).
    National,
    /// `B'…'`, a bit string.
    Bit,
    /// `X'…'`, a bit string in hexadecimal.
    Hex,
    /// `$tag$…$tag$` or `$$…$$`: no escapes at all.
    Dollar,
}

/// One token of SQL text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Token<'a> {
    pub kind: TokenKind,
    /// The token's text, exactly as in the input.
    pub text: &'a str,
    /// Byte offset of the token in the input.
    pub start: usize,
    /// 1-based line where the token starts (lines end at `\n`, so `\r\n` is one break).
    pub line: usize,
    /// A quoted identifier, string or block comment whose closing delimiter is missing: it
    /// runs to the end of the input. Always `false` for other kinds.
    pub unterminated: bool,
}

impl<'a> Token<'a> {
    /// Byte offset just past the token.
    pub fn end(&self) -> usize {
        self.start + self.text.len()
    }

    /// The token's byte range in the input.
    pub fn span(&self) -> Range<usize> {
        self.start..self.end()
    }

    /// Whitespace or a comment: nothing PostgreSQL's grammar sees.
    pub fn is_trivia(&self) -> bool {
        matches!(
            self.kind,
            TokenKind::Whitespace | TokenKind::LineComment | TokenKind::BlockComment
        )
    }

    /// An unquoted identifier spelling `keyword` in any case (`keyword` in lower case).
    pub fn is_keyword(&self, keyword: &str) -> bool {
        self.kind == TokenKind::Identifier && self.text.eq_ignore_ascii_case(keyword)
    }

    /// The name an identifier token stands for, as PostgreSQL stores it: unquoted identifiers
    /// folded to lower case (ASCII letters only, as PostgreSQL folds them in UTF-8), quoted ones
    /// with `""` undoubled, `U&"…"` with its escapes decoded. `None` for other tokens, an
    /// unterminated quote, or invalid Unicode escapes.
    pub fn identifier(&self) -> Option<Cow<'a, str>> {
        if self.unterminated {
            return None;
        }
        match self.kind {
            TokenKind::Identifier => Some(if self.text.bytes().any(|b| b.is_ascii_uppercase()) {
                Cow::Owned(self.text.to_ascii_lowercase())
            } else {
                Cow::Borrowed(self.text)
            }),
            TokenKind::QuotedIdentifier => {
                Some(value::undouble(&self.text[1..self.text.len() - 1], '"'))
            }
            TokenKind::UnicodeIdentifier => value::unicode_quoted(self.text, '"').map(Cow::Owned),
            _ => None,
        }
    }

    /// The text a character-string constant stands for: `''` undoubled, `E'…'` and `U&'…'`
    /// escapes decoded, a dollar-quoted body as is. `None` for other tokens, bit strings
    /// (`B'…'`, `X'…'`), an unterminated string, or escapes that are invalid or do not make
    /// UTF-8 text.
    pub fn string_value(&self) -> Option<Cow<'a, str>> {
        if self.unterminated {
            return None;
        }
        let TokenKind::String(kind) = self.kind else {
            return None;
        };
        let text = self.text;
        match kind {
            StringKind::Standard => Some(value::undouble(&text[1..text.len() - 1], '\'')),
            StringKind::National => Some(value::undouble(&text[2..text.len() - 1], '\'')),
            StringKind::Escape => value::escape_string(&text[2..text.len() - 1]).map(Cow::Owned),
            StringKind::Unicode => value::unicode_quoted(text, '\'').map(Cow::Owned),
            StringKind::Dollar => {
                let tag_length = text[1..].find('$')? + 2;
                Some(Cow::Borrowed(&text[tag_length..text.len() - tag_length]))
            }
            StringKind::Bit | StringKind::Hex => None,
        }
    }
}
