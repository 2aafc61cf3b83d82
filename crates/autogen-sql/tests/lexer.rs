//! The lexer, token kind by token kind, against what PostgreSQL's scanner does.

use TokenKind::*;
use autogen_sql::{StringKind, Token, TokenKind, lex, lex_psql};

/// Kinds and texts of every token, whitespace included.
fn all(sql: &str) -> Vec<(TokenKind, &str)> {
    lex(sql).map(|token| (token.kind, token.text)).collect()
}

/// Kinds and texts of the tokens that are not whitespace or comments.
fn significant(sql: &str) -> Vec<(TokenKind, &str)> {
    lex(sql)
        .filter(|token| !token.is_trivia())
        .map(|token| (token.kind, token.text))
        .collect()
}

/// The one token `sql` is.
fn one(sql: &str) -> Token<'_> {
    let tokens: Vec<Token> = lex(sql).collect();
    assert_eq!(tokens.len(), 1, "{sql:?}: {tokens:#?}");
    tokens[0]
}

fn string(kind: StringKind) -> TokenKind {
    String(kind)
}

#[test]
fn identifiers_and_keywords_fold_ascii_letters_only() {
    assert_eq!(
        all("SELECT a$b, _x1 FROM Tbl"),
        [
            (Identifier, "SELECT"),
            (Whitespace, " "),
            (Identifier, "a$b"),
            (Comma, ","),
            (Whitespace, " "),
            (Identifier, "_x1"),
            (Whitespace, " "),
            (Identifier, "FROM"),
            (Whitespace, " "),
            (Identifier, "Tbl"),
        ]
    );
    assert_eq!(one("Tbl").identifier().as_deref(), Some("tbl"));
    assert!(one("SeLeCt").is_keyword("select"));
    assert!(!one("\"select\"").is_keyword("select"));
    // PostgreSQL folds only ASCII letters in UTF-8 databases.
    assert_eq!(one("ÜberTable").identifier().as_deref(), Some("Übertable"));
    assert_eq!(one("表_1").identifier().as_deref(), Some("表_1"));
    // `$` continues an identifier, so `a$$b$$` is one name, not a dollar quote.
    assert_eq!(all("a$$b$$"), [(Identifier, "a$$b$$")]);
}

#[test]
fn quoted_identifiers() {
    let token = one("\"a\"\"b;c\"");
    assert_eq!(token.kind, QuotedIdentifier);
    assert_eq!(token.identifier().as_deref(), Some("a\"b;c"));
    assert_eq!(
        one("\"Ünï Cödé\"").identifier().as_deref(),
        Some("Ünï Cödé")
    );
    let open = one("\"never closed; DROP");
    assert_eq!(open.kind, QuotedIdentifier);
    assert!(open.unterminated);
    assert_eq!(open.identifier(), None);
    assert_eq!(
        significant("\"a\".\"b\""),
        [
            (QuotedIdentifier, "\"a\""),
            (Dot, "."),
            (QuotedIdentifier, "\"b\"")
        ]
    );
}

#[test]
fn unicode_identifiers_with_and_without_uescape() {
    let token = one("U&\"d\\0061t\\+000061\"");
    assert_eq!(token.kind, UnicodeIdentifier);
    assert_eq!(token.identifier().as_deref(), Some("data"));
    // The UESCAPE clause belongs to the token, blanks and line breaks between included.
    let token = one("u&\"d!0061t!+000061 !!\" UESCAPE\n '!'");
    assert_eq!(token.kind, UnicodeIdentifier);
    assert_eq!(token.identifier().as_deref(), Some("data !"));
    assert_eq!(
        significant("U&\"a\" UESCAPE 'x' b"),
        [
            (UnicodeIdentifier, "U&\"a\" UESCAPE 'x'"),
            (Identifier, "b")
        ]
    );
    // Not a clause PostgreSQL accepts (a hex digit as escape): separate tokens.
    assert_eq!(
        significant("U&\"a\" UESCAPE 'a'"),
        [
            (UnicodeIdentifier, "U&\"a\""),
            (Identifier, "UESCAPE"),
            (string(StringKind::Standard), "'a'")
        ]
    );
    // A surrogate pair is one character; an invalid escape has no value.
    assert_eq!(
        one("U&\"\\D83D\\DE00\"").identifier().as_deref(),
        Some("😀")
    );
    assert_eq!(one("U&\"\\zz\"").identifier(), None);
    assert_eq!(one("U&\"\\D83D\"").identifier(), None);
    // `U&` without a quote is the identifier `U` and the operator `&`.
    assert_eq!(
        significant("U&x"),
        [(Identifier, "U"), (Operator, "&"), (Identifier, "x")]
    );
}

#[test]
fn standard_strings_keep_backslashes() {
    let token = one("'it''s; -- /* $$ \\'");
    assert_eq!(token.kind, string(StringKind::Standard));
    assert_eq!(token.string_value().as_deref(), Some("it's; -- /* $$ \\"));
    // standard_conforming_strings = on: the backslash does not escape the quote.
    assert_eq!(
        significant("'C:\\' x"),
        [(string(StringKind::Standard), "'C:\\'"), (Identifier, "x")]
    );
    let open = one("'unclosed");
    assert!(open.unterminated);
    assert_eq!(open.string_value(), None);
    // Constants PostgreSQL joins across a line break are separate tokens here.
    assert_eq!(
        all("'a'\n'b'"),
        [
            (string(StringKind::Standard), "'a'"),
            (Whitespace, "\n"),
            (string(StringKind::Standard), "'b'")
        ]
    );
}

#[test]
fn escape_strings_decode_backslash_escapes() {
    let token = one("E'it\\'s ''\\n\\t\\x41\\101\\u00e9\\U0001F600\\q\\\\'");
    assert_eq!(token.kind, string(StringKind::Escape));
    assert_eq!(token.string_value().as_deref(), Some("it's '\n\tAAé😀q\\"));
    assert_eq!(one("e'\\\\'").string_value().as_deref(), Some("\\"));
    // Bytes that are not UTF-8, a NUL, or a bad Unicode escape: no value.
    assert_eq!(one("E'\\xff'").string_value(), None);
    assert_eq!(one("E'\\0'").string_value(), None);
    assert_eq!(one("E'\\u12'").string_value(), None);
    let open = one("E'still open\\'");
    assert_eq!(open.kind, string(StringKind::Escape));
    assert!(open.unterminated);
    // Only at the start of a token: `some'x'` is an identifier and a string.
    assert_eq!(
        significant("some'x\\'"),
        [
            (Identifier, "some"),
            (string(StringKind::Standard), "'x\\'")
        ]
    );
}

#[test]
fn unicode_national_and_bit_strings() {
    let token = one("U&'d\\0061t\\+000061'");
    assert_eq!(token.kind, string(StringKind::Unicode));
    assert_eq!(token.string_value().as_deref(), Some("data"));
    let token = one("U&'a*0062''' UESCAPE '*'");
    assert_eq!(token.kind, string(StringKind::Unicode));
    assert_eq!(token.string_value().as_deref(), Some("ab'"));
    let token = one("N'näme'");
    assert_eq!(token.kind, string(StringKind::National));
    assert_eq!(token.string_value().as_deref(), Some("näme"));
    let bits = one("B'0101'");
    assert_eq!(bits.kind, string(StringKind::Bit));
    assert_eq!(bits.string_value(), None);
    assert_eq!(one("x'1F'").kind, string(StringKind::Hex));
    // A bit string ends at its first quote, as in PostgreSQL.
    assert_eq!(
        all("B'01''10'"),
        [
            (string(StringKind::Bit), "B'01'"),
            (string(StringKind::Standard), "'10'")
        ]
    );
    assert!(one("X'1F").unterminated);
}

#[test]
fn dollar_quotes_parameters_and_lone_dollars() {
    let token = one("$$a; 'b' -- c$$");
    assert_eq!(token.kind, string(StringKind::Dollar));
    assert_eq!(token.string_value().as_deref(), Some("a; 'b' -- c"));
    let token = one("$body$ $$ ; $bod$ $body$");
    assert_eq!(token.string_value().as_deref(), Some(" $$ ; $bod$ "));
    assert_eq!(one("$é$x$é$").string_value().as_deref(), Some("x"));
    assert_eq!(one("$$$$").string_value().as_deref(), Some(""));
    assert_eq!(all("$1"), [(Parameter, "$1")]);
    // A tag cannot start with a digit: `$1$` is a parameter and a lone `$`.
    assert_eq!(all("$1$"), [(Parameter, "$1"), (Other, "$")]);
    assert_eq!(all("$12abc"), [(Parameter, "$12abc")]);
    assert_eq!(
        all("$a b"),
        [
            (Other, "$"),
            (Identifier, "a"),
            (Whitespace, " "),
            (Identifier, "b")
        ]
    );
    let open = one("$q$ abc;");
    assert_eq!(open.kind, string(StringKind::Dollar));
    assert!(open.unterminated);
    assert_eq!(open.string_value(), None);
    assert_eq!(
        significant("$a$ x $b$"),
        [(string(StringKind::Dollar), "$a$ x $b$")]
    );
}

#[test]
fn numbers() {
    for number in [
        "1",
        "42",
        "1.5",
        ".5",
        "1.",
        "1e10",
        "1.5E-3",
        "2e+7",
        "0x1F",
        "0o17",
        "0b101",
        "1_000_000",
        "0x_FF",
    ] {
        assert_eq!(all(number), [(Number, number)], "{number}");
    }
    assert_eq!(
        all("1..10"),
        [(Number, "1"), (DotDot, ".."), (Number, "10")]
    );
    assert_eq!(all("1.5.5"), [(Number, "1.5"), (Number, ".5")]);
    // Trailing junk belongs to the number (PostgreSQL rejects it).
    assert_eq!(all("123abc"), [(Number, "123abc")]);
    assert_eq!(all("1e"), [(Number, "1e")]);
    assert_eq!(all("1e+"), [(Number, "1e+")]);
    assert_eq!(all("0x"), [(Number, "0x")]);
    assert_eq!(
        all("1$a$"),
        [(Number, "1"), (string(StringKind::Dollar), "$a$")]
    );
    assert_eq!(
        all("1 - -1"),
        [
            (Number, "1"),
            (Whitespace, " "),
            (Operator, "-"),
            (Whitespace, " "),
            (Operator, "-"),
            (Number, "1")
        ]
    );
}

#[test]
fn operators_follow_postgresql_rules() {
    for operator in [
        "<>", "!=", "<=", ">=", "=>", "->>", "@@", "||", "#>>", "~*", "?-", "@-",
    ] {
        assert_eq!(all(operator), [(Operator, operator)], "{operator}");
    }
    assert_eq!(
        significant("a::text -> 'k' ->> 'v'"),
        [
            (Identifier, "a"),
            (Typecast, "::"),
            (Identifier, "text"),
            (Operator, "->"),
            (string(StringKind::Standard), "'k'"),
            (Operator, "->>"),
            (string(StringKind::Standard), "'v'")
        ]
    );
    // A trailing + or - is its own operator unless the operator holds a non-SQL character.
    assert_eq!(
        all("=-1"),
        [(Operator, "="), (Operator, "-"), (Number, "1")]
    );
    assert_eq!(all("<=+"), [(Operator, "<="), (Operator, "+")]);
    assert_eq!(
        all("*-+"),
        [(Operator, "*"), (Operator, "-"), (Operator, "+")]
    );
    // Comments start inside operator runs.
    assert_eq!(all("+/*c*/"), [(Operator, "+"), (BlockComment, "/*c*/")]);
    assert_eq!(all("*--c"), [(Operator, "*"), (LineComment, "--c")]);
    assert_eq!(all(":::"), [(Typecast, "::"), (Colon, ":")]);
    assert_eq!(all("a := 1")[2], (ColonEquals, ":="));
}

#[test]
fn punctuation() {
    assert_eq!(
        all("()[],;:."),
        [
            (OpenParen, "("),
            (CloseParen, ")"),
            (OpenBracket, "["),
            (CloseBracket, "]"),
            (Comma, ","),
            (Semicolon, ";"),
            (Colon, ":"),
            (Dot, ".")
        ]
    );
    assert_eq!(all("{\\\0"), [(Other, "{"), (Other, "\\"), (Other, "\0")]);
}

#[test]
fn comments_nest_and_line_comments_stop_before_the_line_break() {
    assert_eq!(
        all("-- x; y\r\nz"),
        [
            (LineComment, "-- x; y"),
            (Whitespace, "\r\n"),
            (Identifier, "z")
        ]
    );
    assert_eq!(all("--"), [(LineComment, "--")]);
    assert_eq!(
        all("/* a /* b; */ c */d"),
        [(BlockComment, "/* a /* b; */ c */"), (Identifier, "d")]
    );
    assert_eq!(all("/**/"), [(BlockComment, "/**/")]);
    assert_eq!(all("/* x **/"), [(BlockComment, "/* x **/")]);
    for open in ["/* /* */ open", "/*/", "/*"] {
        let token = one(open);
        assert_eq!(token.kind, BlockComment, "{open}");
        assert!(token.unterminated, "{open}");
    }
}

#[test]
fn whitespace_runs_are_one_token() {
    assert_eq!(
        all(" \t\r\n\x0b\x0c x"),
        [(Whitespace, " \t\r\n\x0b\x0c "), (Identifier, "x")]
    );
}

#[test]
fn psql_meta_commands_are_lines_starting_with_a_backslash() {
    let script = "SELECT 1\n\\gexec\r\n  \\set x 'a;b'\nSELECT 2 \\g\n'\n\\no' /* c */ \\x";
    let tokens: Vec<(TokenKind, &str, usize)> = lex_psql(script)
        .filter(|token| !token.is_trivia())
        .map(|token| (token.kind, token.text, token.line))
        .collect();
    assert_eq!(
        tokens,
        [
            (Identifier, "SELECT", 1),
            (Number, "1", 1),
            (MetaCommand, "\\gexec", 2),
            (MetaCommand, "\\set x 'a;b'", 3),
            (Identifier, "SELECT", 4),
            (Number, "2", 4),
            // Not first on its line, inside a string, after a comment: no meta-commands.
            (Other, "\\", 4),
            (Identifier, "g", 4),
            (string(StringKind::Standard), "'\n\\no'", 5),
            (Other, "\\", 6),
            (Identifier, "x", 6),
        ]
    );
    // The server lexer knows no meta-commands.
    assert_eq!(all("\\gexec"), [(Other, "\\"), (Identifier, "gexec")]);
    assert_eq!(lex_psql("\\q").next().map(|t| t.kind), Some(MetaCommand));
}

#[test]
fn lines_count_line_feeds_so_crlf_is_one_break() {
    let sql = "a\r\nb /* x\r\ny */ c\r\n'd\r\ne' f\rg\n\n h";
    let lines: Vec<(&str, usize)> = lex(sql)
        .filter(|token| !token.is_trivia())
        .map(|token| (token.text, token.line))
        .collect();
    assert_eq!(
        lines,
        [
            ("a", 1),
            ("b", 2),
            ("c", 3),
            ("'d\r\ne'", 4),
            ("f", 5),
            ("g", 5),
            ("h", 7)
        ]
    );
}

#[test]
fn spans_and_multibyte_text() {
    let sql = "SELECT 'häß;' AS ünï, \"名前\" FROM 表";
    let tokens: Vec<Token> = lex(sql).collect();
    for token in &tokens {
        assert_eq!(&sql[token.span()], token.text);
        assert_eq!(token.end(), token.start + token.text.len());
    }
    let names: Vec<std::string::String> = tokens
        .iter()
        .filter_map(|token| token.identifier().map(|name| name.into_owned()))
        .collect();
    assert_eq!(names, ["select", "as", "ünï", "名前", "from", "表"]);
    assert_eq!(tokens[2].string_value().as_deref(), Some("häß;"));
}

#[test]
fn only_quotes_strings_and_block_comments_are_unterminated() {
    for sql in [
        "'a", "E'a", "U&'a", "N'a", "B'1", "X'f", "\"a", "U&\"a", "$$a", "$t$a", "/*",
    ] {
        let tokens: Vec<Token> = lex(sql).collect();
        assert_eq!(tokens.len(), 1, "{sql}");
        assert!(tokens[0].unterminated, "{sql}");
    }
    assert!(lex("a 1 -- x\n+ $1 'b' \"c\" $$d$$ /* e */ ;").all(|token| !token.unterminated));
}
