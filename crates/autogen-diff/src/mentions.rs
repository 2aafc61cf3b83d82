//! Whether a definition PostgreSQL printed mentions a column or a type.
//!
//! Expressions come from `pg_get_expr`/`pg_get_indexdef` under `search_path = ''`, so a name is
//! spelled bare when PostgreSQL's `quote_identifier` leaves it alone and double-quoted
//! otherwise, and types are always schema-qualified. Rather than re-implement PostgreSQL's
//! keyword list, every plausible spelling is searched; a false positive only costs an
//! unnecessary re-creation, which verification then proves harmless.

use autogen_schema::{
    CheckConstraint, ExclusionConstraint, ForeignKey, Index, IndexTarget, PrimaryKey,
    QualifiedName, UniqueConstraint, quote_ident,
};

/// The ways PostgreSQL may print one identifier: always quoted, and bare when it is a plain
/// lower-case identifier (keywords aside, which PostgreSQL quotes; both are searched).
fn identifier_spellings(name: &str) -> Vec<String> {
    let mut spellings = vec![quote_ident(name)];
    let mut chars = name.chars();
    let simple = chars
        .next()
        .is_some_and(|first| first.is_ascii_lowercase() || first == '_')
        && chars.all(|ch| ch.is_ascii_lowercase() || ch.is_ascii_digit() || ch == '_' || ch == '$');
    if simple {
        spellings.push(name.to_string());
    }
    spellings
}

fn is_identifier_char(ch: char) -> bool {
    ch.is_alphanumeric() || ch == '_' || ch == '$'
}

/// Whether `text` contains `spelling` as a whole name (not as part of a longer identifier).
fn contains_name(text: &str, spelling: &str) -> bool {
    text.match_indices(spelling).any(|(start, _)| {
        let before = text[..start].chars().next_back();
        let after = text[start + spelling.len()..].chars().next();
        let bounded = |ch: Option<char>| ch.is_none_or(|ch| !is_identifier_char(ch) && ch != '"');
        bounded(before) && bounded(after)
    })
}

/// A column of one table, as its definitions may mention it.
pub(crate) struct ColumnName<'a> {
    name: &'a str,
    spellings: Vec<String>,
}

impl<'a> ColumnName<'a> {
    pub(crate) fn new(name: &'a str) -> Self {
        ColumnName {
            name,
            spellings: identifier_spellings(name),
        }
    }

    fn in_text(&self, text: &str) -> bool {
        self.spellings
            .iter()
            .any(|spelling| contains_name(text, spelling))
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

/// Replaces every whole-name occurrence of one of `spellings` in `text` by `replacement`.
fn replace_names(text: &str, spellings: &[String], replacement: &str) -> Option<String> {
    let mut out = String::with_capacity(text.len());
    let mut rest = 0;
    let mut changed = false;
    let mut position = 0;
    while position < text.len() {
        let found = spellings.iter().find(|spelling| {
            text[position..].starts_with(spelling.as_str()) && {
                let before = text[..position].chars().next_back();
                let after = text[position + spelling.len()..].chars().next();
                let bounded =
                    |ch: Option<char>| ch.is_none_or(|ch| !is_identifier_char(ch) && ch != '"');
                bounded(before) && bounded(after)
            }
        });
        match found {
            Some(spelling) => {
                out.push_str(&text[rest..position]);
                out.push_str(replacement);
                position += spelling.len();
                rest = position;
                changed = true;
            }
            None => {
                position += text[position..].chars().next().map_or(1, char::len_utf8);
            }
        }
    }
    out.push_str(&text[rest..]);
    changed.then_some(out)
}

/// A string literal at the start of `text` (`'it''s'`): its value and length in bytes.
fn string_literal(text: &str) -> Option<(String, usize)> {
    let mut chars = text.char_indices();
    if chars.next()?.1 != '\'' {
        return None;
    }
    let mut value = String::new();
    while let Some((index, ch)) = chars.next() {
        if ch == '\'' {
            if text[index + 1..].starts_with('\'') {
                chars.next();
                value.push('\'');
            } else {
                return Some((value, index + 1));
            }
        } else {
            value.push(ch);
        }
    }
    None
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
    spellings: Vec<String>,
}

impl TypeName {
    pub(crate) fn new(name: &QualifiedName) -> Self {
        let mut spellings = Vec::new();
        for schema in identifier_spellings(&name.schema) {
            for type_name in identifier_spellings(&name.name) {
                spellings.push(format!("{schema}.{type_name}"));
            }
        }
        TypeName { spellings }
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
        let element = data_type.trim_end_matches("[]");
        self.spellings.iter().any(|spelling| spelling == element)
    }

    pub(crate) fn in_text(&self, text: &str) -> bool {
        self.spellings
            .iter()
            .any(|spelling| contains_name(text, spelling))
    }

    /// `text` with this type renamed to `to` (what PostgreSQL prints after `RENAME TO`);
    /// `None` when the text does not mention the type.
    pub(crate) fn renamed_in(&self, text: &str, to: &QualifiedName) -> Option<String> {
        replace_names(text, &self.spellings, &Self::printed(to))
    }

    /// The length of this type's spelling at the start of `text`, with `[]` when it is an
    /// array, as a whole name.
    fn spelled_at(&self, text: &str) -> Option<(usize, bool)> {
        self.spellings.iter().find_map(|spelling| {
            let rest = text.strip_prefix(spelling.as_str())?;
            let (array, rest) = match rest.strip_prefix("[]") {
                Some(rest) => (true, rest),
                None => (false, rest),
            };
            let after = rest.chars().next();
            if after.is_some_and(|ch| is_identifier_char(ch) || ch == '"' || ch == '[') {
                return None;
            }
            Some((text.len() - rest.len(), array))
        })
    }

    /// Calls `visit` with the labels of every literal cast to this type (`'x'::public.mood`)
    /// or to an array of it (`'{x,y}'::public.mood[]`); `visit` returns the new labels for a
    /// literal, or `None` to leave it. Returns the rewritten text when something changed.
    fn rewrite_labels(
        &self,
        text: &str,
        mut visit: impl FnMut(&mut Vec<String>) -> bool,
    ) -> Option<String> {
        let mut out = String::with_capacity(text.len());
        let mut rest = 0;
        let mut changed = false;
        let mut position = 0;
        while position < text.len() {
            let Some((value, length)) = string_literal(&text[position..]) else {
                position += text[position..].chars().next().map_or(1, char::len_utf8);
                continue;
            };
            let end = position + length;
            let cast = text[end..]
                .strip_prefix("::")
                .and_then(|after| self.spelled_at(after));
            if let Some((_, array)) = cast {
                let labels = if array {
                    array_elements(&value)
                } else {
                    Some(vec![value.clone()])
                };
                if let Some(mut labels) = labels
                    && visit(&mut labels)
                {
                    let value = if array {
                        array_literal(&labels)
                    } else {
                        labels.concat()
                    };
                    out.push_str(&text[rest..position]);
                    out.push_str(&autogen_schema::quote_literal(&value));
                    rest = end;
                    changed = true;
                }
            }
            position = end;
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
}
