//! Properties of the lexer on any input: it never panics, and its tokens are the input cut into
//! consecutive pieces, each knowing its line.
//! Cases: proptest's default (256), or `PROPTEST_CASES` for a long run.

use autogen_sql::{StringKind, Token, TokenKind, lex, lex_psql};
use proptest::prelude::*;

/// SQL-ish text: quotes, prefixes, dollars, comment and operator characters, line breaks and
/// multi-byte characters, so the interesting paths are taken often.
fn sql_like() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[a-zEeUuBbXxN&;'\"$/*\\-+.:0-9_ \r\n()\\[\\],é表\u{1F600}]{0,80}",
        proptest::collection::vec(
            prop_oneof![
                Just("'".to_owned()),
                Just("E'".to_owned()),
                Just("U&\"".to_owned()),
                Just(" UESCAPE '!'".to_owned()),
                Just("$$".to_owned()),
                Just("$t$".to_owned()),
                Just("/*".to_owned()),
                Just("*/".to_owned()),
                Just("--".to_owned()),
                Just("\\".to_owned()),
                Just("\r\n".to_owned()),
                Just("1e".to_owned()),
                Just("0x".to_owned()),
                "[a-z]{1,3}",
                "[ -~]",
            ],
            0..24
        )
        .prop_map(|pieces| pieces.concat()),
    ]
}

fn check(sql: &str, tokens: &[Token]) -> Result<(), TestCaseError> {
    let mut at = 0;
    for (index, token) in tokens.iter().enumerate() {
        prop_assert_eq!(token.start, at, "tokens are consecutive");
        prop_assert!(!token.text.is_empty(), "no empty token");
        prop_assert_eq!(&sql[token.span()], token.text);
        let line = 1 + sql[..token.start].matches('\n').count();
        prop_assert_eq!(token.line, line);
        if token.unterminated {
            prop_assert_eq!(
                index,
                tokens.len() - 1,
                "an unterminated token runs to the end"
            );
            prop_assert!(matches!(
                token.kind,
                TokenKind::String(_)
                    | TokenKind::QuotedIdentifier
                    | TokenKind::UnicodeIdentifier
                    | TokenKind::BlockComment
            ));
        }
        // Decoding never panics either.
        let _ = token.identifier();
        let _ = token.string_value();
        if token.kind == TokenKind::String(StringKind::Dollar) && !token.unterminated {
            prop_assert!(token.string_value().is_some());
        }
        at = token.end();
    }
    prop_assert_eq!(at, sql.len(), "the tokens cover the input");
    let joined: String = tokens.iter().map(|token| token.text).collect();
    prop_assert_eq!(joined, sql);
    Ok(())
}

proptest! {
    #[test]
    fn tokens_cover_the_input_in_order(sql in sql_like()) {
        let tokens: Vec<Token> = lex(&sql).collect();
        check(&sql, &tokens)?;
        prop_assert!(tokens.iter().all(|token| token.kind != TokenKind::MetaCommand));
    }

    #[test]
    fn psql_tokens_cover_the_input_in_order(sql in sql_like()) {
        let tokens: Vec<Token> = lex_psql(&sql).collect();
        check(&sql, &tokens)?;
    }
}
