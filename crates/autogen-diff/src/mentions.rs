//! Whether a definition PostgreSQL printed mentions a column or a type.
//!
//! Expressions come from `pg_get_expr`/`pg_get_indexdef` under `search_path = ''`, so types are
//! always schema-qualified. The text is lexed by `autogen_sql`, and a name is a run of
//! identifier tokens naming it (quoted or not, with `.` between the parts of a qualified name).
//! Names inside string constants count too (`'public.mood'::regtype` names the type); a false
//! positive only costs an unnecessary re-creation, which verification then proves harmless.

use autogen_schema::{
    CheckConstraint, ExclusionConstraint, ForeignKey, Index, IndexTarget, PrimaryKey,
    QualifiedName, UniqueConstraint, quote_ident,
};
use autogen_sql::{Token, TokenKind};

/// The tokens of `text` PostgreSQL's grammar sees (no whitespace or comments).
fn significant(text: &str) -> Vec<Token<'_>> {
    autogen_sql::lex(text)
        .filter(|token| !token.is_trivia())
        .collect()
}

/// Where the name made of `parts` (`["public", "mood"]`) ends when `tokens` spell it from `at`.
fn name_at(tokens: &[Token], at: usize, parts: &[&str]) -> Option<usize> {
    let mut end = at;
    for (index, part) in parts.iter().enumerate() {
        if index > 0 {
            if tokens.get(end)?.kind != TokenKind::Dot {
                return None;
            }
            end += 1;
        }
        if tokens.get(end)?.identifier()? != *part {
            return None;
        }
        end += 1;
    }
    Some(end)
}

/// Whether `text` names `parts`, in its tokens or inside one of its string constants.
fn names(text: &str, parts: &[&str]) -> bool {
    let tokens = significant(text);
    (0..tokens.len()).any(|at| name_at(&tokens, at, parts).is_some())
        || tokens.iter().any(|token| {
            token
                .string_value()
                .is_some_and(|value| names(&value, parts))
        })
}

/// `text` with every mention of `parts` (also inside string constants) replaced by
/// `replacement`; `None` when there is none.
fn replace_name(text: &str, parts: &[&str], replacement: &str) -> Option<String> {
    let tokens = significant(text);
    let mut out = String::with_capacity(text.len());
    let mut rest = 0;
    let mut changed = false;
    let mut at = 0;
    while at < tokens.len() {
        let token = &tokens[at];
        if let Some(end) = name_at(&tokens, at, parts) {
            out.push_str(&text[rest..token.start]);
            out.push_str(replacement);
            rest = tokens[end - 1].end();
            changed = true;
            at = end;
            continue;
        }
        if let Some(renamed) = token
            .string_value()
            .and_then(|value| replace_name(&value, parts, replacement))
        {
            out.push_str(&text[rest..token.start]);
            out.push_str(&autogen_schema::quote_literal(&renamed));
            rest = token.end();
            changed = true;
        }
        at += 1;
    }
    out.push_str(&text[rest..]);
    changed.then_some(out)
}

/// Whether `tokens` hold `[]` at `at`.
fn is_array_suffix(tokens: &[Token], at: usize) -> bool {
    tokens.get(at).map(|token| token.kind) == Some(TokenKind::OpenBracket)
        && tokens.get(at + 1).map(|token| token.kind) == Some(TokenKind::CloseBracket)
}

/// A column of one table, as its definitions may mention it.
pub(crate) struct ColumnName<'a> {
    name: &'a str,
}

impl<'a> ColumnName<'a> {
    pub(crate) fn new(name: &'a str) -> Self {
        ColumnName { name }
    }

    /// Whether this is the column `name`.
    pub(crate) fn is(&self, name: &str) -> bool {
        self.name == name
    }

    fn in_text(&self, text: &str) -> bool {
        names(text, &[self.name])
    }

    fn in_list(&self, columns: &[String]) -> bool {
        columns.iter().any(|column| column == self.name)
    }

    pub(crate) fn in_primary_key(&self, key: &PrimaryKey) -> bool {
        self.in_list(&key.columns) || self.in_list(&key.include)
    }

    pub(crate) fn in_unique(&self, unique: &UniqueConstraint) -> bool {
        self.in_list(&unique.columns) || self.in_list(&unique.include)
    }

    pub(crate) fn in_check(&self, check: &CheckConstraint) -> bool {
        self.in_text(&check.expression)
    }

    pub(crate) fn in_exclusion(&self, exclusion: &ExclusionConstraint) -> bool {
        self.in_text(&exclusion.definition)
    }

    pub(crate) fn in_foreign_key(&self, foreign_key: &ForeignKey) -> bool {
        self.in_list(&foreign_key.columns)
    }

    pub(crate) fn in_index(&self, index: &Index) -> bool {
        index.keys.iter().any(|key| match &key.target {
            IndexTarget::Column(column) => column == self.name,
            IndexTarget::Expression(expression) => self.in_text(expression),
        }) || self.in_list(&index.include)
            || index
                .predicate
                .as_deref()
                .is_some_and(|predicate| self.in_text(predicate))
    }
}

/// How PostgreSQL's `quote_identifier` prints a name: bare when it is a plain lower-case
/// identifier, double-quoted otherwise (keywords, which it also quotes, are printed bare here:
/// a wrong guess only makes an expression compare as changed and be re-created).
fn printed_identifier(name: &str) -> String {
    let mut chars = name.chars();
    let simple = chars
        .next()
        .is_some_and(|first| first.is_ascii_lowercase() || first == '_')
        && chars.all(|ch| ch.is_ascii_lowercase() || ch.is_ascii_digit() || ch == '_');
    if simple {
        name.to_string()
    } else {
        quote_ident(name)
    }
}

/// The elements of a one-dimensional array literal as `array_out` prints it (`{a,"b c"}`);
/// `None` for anything else (NULL elements, nested arrays).
fn array_elements(literal: &str) -> Option<Vec<String>> {
    let inner = literal.strip_prefix('{')?.strip_suffix('}')?;
    let mut elements = Vec::new();
    if inner.is_empty() {
        return Some(elements);
    }
    let mut chars = inner.chars().peekable();
    loop {
        let mut element = String::new();
        if chars.peek() == Some(&'"') {
            chars.next();
            loop {
                match chars.next()? {
                    '\\' => element.push(chars.next()?),
                    '"' => break,
                    ch => element.push(ch),
                }
            }
        } else {
            while let Some(&ch) = chars.peek() {
                if ch == ',' {
                    break;
                }
                if matches!(ch, '{' | '}' | '"' | '\\') {
                    return None;
                }
                element.push(ch);
                chars.next();
            }
            if element.eq_ignore_ascii_case("null") {
                return None;
            }
        }
        elements.push(element);
        match chars.next() {
            None => return Some(elements),
            Some(',') => {}
            Some(_) => return None,
        }
    }
}

/// An array literal as `array_out` prints it.
fn array_literal(elements: &[String]) -> String {
    let quoted = |element: &String| {
        let plain = !element.is_empty()
            && !element.eq_ignore_ascii_case("null")
            && !element
                .chars()
                .any(|ch| matches!(ch, '{' | '}' | ',' | '"' | '\\') || ch.is_whitespace());
        if plain {
            element.clone()
        } else {
            let mut out = String::from('"');
            for ch in element.chars() {
                if ch == '"' || ch == '\\' {
                    out.push('\\');
                }
                out.push(ch);
            }
            out.push('"');
            out
        }
    };
    let inner: Vec<String> = elements.iter().map(quoted).collect();
    format!("{{{}}}", inner.join(","))
}

/// A user-defined type as column types and expressions spell it (`public.mood`,
/// `"My Schema"."Mood"[]`, `'x'::public.mood`).
pub(crate) struct TypeName {
    schema: String,
    name: String,
}

impl TypeName {
    pub(crate) fn new(name: &QualifiedName) -> Self {
        TypeName {
            schema: name.schema.clone(),
            name: name.name.clone(),
        }
    }

    fn parts(&self) -> [&str; 2] {
        [&self.schema, &self.name]
    }

    /// The type spelled as PostgreSQL prints `name`.
    pub(crate) fn printed(name: &QualifiedName) -> String {
        format!(
            "{}.{}",
            printed_identifier(&name.schema),
            printed_identifier(&name.name)
        )
    }

    /// Whether a column of `data_type` stores this type or an array of it.
    pub(crate) fn is_type_of(&self, data_type: &str) -> bool {
        let tokens = significant(data_type);
        let Some(mut end) = name_at(&tokens, 0, &self.parts()) else {
            return false;
        };
        while end < tokens.len() {
            if !is_array_suffix(&tokens, end) {
                return false;
            }
            end += 2;
        }
        true
    }

    pub(crate) fn in_text(&self, text: &str) -> bool {
        names(text, &self.parts())
    }

    /// `text` with this type renamed to `to` (what PostgreSQL prints after `RENAME TO`);
    /// `None` when the text does not mention the type.
    pub(crate) fn renamed_in(&self, text: &str, to: &QualifiedName) -> Option<String> {
        replace_name(text, &self.parts(), &Self::printed(to))
    }

    /// Calls `visit` with the labels of every string constant cast to this type
    /// (`'x'::public.mood`) or to an array of it (`'{x,y}'::public.mood[]`); `visit` returns
    /// whether it changed them. Returns the rewritten text when something changed.
    fn rewrite_labels(
        &self,
        text: &str,
        mut visit: impl FnMut(&mut Vec<String>) -> bool,
    ) -> Option<String> {
        let tokens = significant(text);
        let mut out = String::with_capacity(text.len());
        let mut rest = 0;
        let mut changed = false;
        for (at, token) in tokens.iter().enumerate() {
            let Some(value) = token.string_value() else {
                continue;
            };
            if tokens.get(at + 1).map(|token| token.kind) != Some(TokenKind::Typecast) {
                continue;
            }
            let Some(end) = name_at(&tokens, at + 2, &self.parts()) else {
                continue;
            };
            let array = is_array_suffix(&tokens, end);
            let after = if array { end + 2 } else { end };
            // A two-dimensional array or a subscript: left alone.
            if tokens.get(after).map(|token| token.kind) == Some(TokenKind::OpenBracket) {
                continue;
            }
            let labels = if array {
                array_elements(&value)
            } else {
                Some(vec![value.into_owned()])
            };
            if let Some(mut labels) = labels
                && visit(&mut labels)
            {
                let value = if array {
                    array_literal(&labels)
                } else {
                    labels.concat()
                };
                out.push_str(&text[rest..token.start]);
                out.push_str(&autogen_schema::quote_literal(&value));
                rest = token.end();
                changed = true;
            }
        }
        out.push_str(&text[rest..]);
        changed.then_some(out)
    }

    /// `text` with the enum label `from` of this type spelled `to` (what PostgreSQL prints
    /// after `RENAME VALUE`: stored expressions refer to the label by its identity); `None`
    /// when nothing changed.
    pub(crate) fn label_renamed_in(&self, text: &str, from: &str, to: &str) -> Option<String> {
        self.rewrite_labels(text, |labels| {
            let mut changed = false;
            for label in labels.iter_mut().filter(|label| *label == from) {
                *label = to.to_string();
                changed = true;
            }
            changed
        })
    }

    /// Whether `text` uses the label `value` of this type in a literal.
    pub(crate) fn uses_label(&self, text: &str, value: &str) -> bool {
        let mut found = false;
        self.rewrite_labels(text, |labels| {
            found |= labels.iter().any(|label| label == value);
            false
        });
        found
    }
    pub(crate) fn in_index(&self, index: &Index) -> bool {
        index.keys.iter().any(|key| match &key.target {
            IndexTarget::Column(_) => false,
            IndexTarget::Expression(expression) => self.in_text(expression),
        }) || index
            .predicate
            .as_deref()
            .is_some_and(|predicate| self.in_text(predicate))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_column_is_found_as_a_whole_name_only() {
        let column = ColumnName::new("age");
        assert!(column.in_text("(age > 0)"));
        assert!(column.in_text("(\"age\" > 0)"));
        assert!(!column.in_text("(page > 0)"));
        assert!(!column.in_text("(age_years > 0)"));
        assert!(!column.in_text("('x'::text = \"Age\")"));
        let quoted = ColumnName::new("Age");
        assert!(quoted.in_text("(\"Age\" > 0)"));
        assert!(!quoted.in_text("(age > 0)"));
        let with_quote = ColumnName::new("a\"b");
        assert!(with_quote.in_text("(\"a\"\"b\" > 0)"));
    }

    #[test]
    fn a_type_is_found_in_columns_and_expressions() {
        let mood = TypeName::new(&QualifiedName::new("public", "mood"));
        assert!(mood.is_type_of("public.mood"));
        assert!(mood.is_type_of("public.mood[]"));
        assert!(!mood.is_type_of("public.mood2"));
        assert!(mood.in_text("(m <> 'sad'::public.mood)"));
        assert!(!mood.in_text("(m <> 'sad'::public.mood2)"));
        let odd = TypeName::new(&QualifiedName::new("My Schema", "user"));
        assert!(odd.is_type_of("\"My Schema\".\"user\""));
        assert!(odd.in_text("(x = 'a'::\"My Schema\".\"user\")"));
    }

    #[test]
    fn a_renamed_type_is_spelled_as_postgresql_prints_it() {
        let mood = TypeName::new(&QualifiedName::new("public", "mood"));
        let to = QualifiedName::new("public", "feeling");
        assert_eq!(
            mood.renamed_in("(m <> 'sad'::public.mood[])", &to)
                .as_deref(),
            Some("(m <> 'sad'::public.feeling[])")
        );
        assert_eq!(mood.renamed_in("'sad'::public.mood2", &to), None);
        let odd = QualifiedName::new("public", "Feeling");
        assert_eq!(
            mood.renamed_in("public.mood", &odd).as_deref(),
            Some("public.\"Feeling\"")
        );
    }

    #[test]
    fn enum_labels_are_renamed_in_casts_and_array_literals() {
        let mood = TypeName::new(&QualifiedName::new("public", "mood"));
        let renamed = |text: &str| mood.label_renamed_in(text, "sad", "so sad");
        assert_eq!(
            renamed("((m <> 'sad'::public.mood) OR (x = 'sad'::text))").as_deref(),
            Some("((m <> 'so sad'::public.mood) OR (x = 'sad'::text))")
        );
        assert_eq!(
            renamed("'{sad,ok}'::public.mood[]").as_deref(),
            Some("'{\"so sad\",ok}'::public.mood[]")
        );
        assert_eq!(renamed("'sad'::public.mood2"), None);
        assert_eq!(renamed("'{}'::public.mood[]"), None);
        let quote = mood.label_renamed_in("'it''s'::public.mood", "it's", "its");
        assert_eq!(quote.as_deref(), Some("'its'::public.mood"));
        assert!(mood.uses_label("(m = ANY (ARRAY['ok'::public.mood]))", "ok"));
        assert!(mood.uses_label("'{\"a b\",ok}'::public.mood[]", "a b"));
        assert!(!mood.uses_label("('ok'::text)", "ok"));
    }

    #[test]
    fn a_quote_inside_a_quoted_name_does_not_hide_a_label() {
        let mood = TypeName::new(&QualifiedName::new("public", "mood"));
        let text = "(\"it's\" = 'sad'::public.mood)";
        assert_eq!(
            mood.label_renamed_in(text, "sad", "so sad").as_deref(),
            Some("(\"it's\" = 'so sad'::public.mood)")
        );
        assert!(mood.uses_label(text, "sad"));
    }
}
