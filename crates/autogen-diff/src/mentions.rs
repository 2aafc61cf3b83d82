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
}
