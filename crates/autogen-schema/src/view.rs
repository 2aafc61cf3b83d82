//! Views autogen keeps but does not manage.
//!
//! Models cannot declare views, so a database's views are not part of the [`crate::Catalog`]
//! and never diffed. Plans still have to keep them: PostgreSQL refuses to change the type of
//! a column a view uses, or to drop a type a view uses, so such a view is dropped before the
//! change and re-created after it from what the database said about it.

use crate::ident::{QualifiedName, quote_ident, quote_literal};
use serde::{Deserialize, Serialize};
use std::collections::HashSet;

/// A view or materialized view, as read from a database.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct View {
    pub schema: String,
    pub name: String,
    pub materialized: bool,
    /// `pg_get_viewdef` under an empty search_path: a `SELECT` with every name qualified,
    /// without the trailing `;`.
    pub definition: String,
    /// `reloptions` as `name=value`: `security_barrier=true`, `check_option=cascaded`.
    pub options: Vec<String>,
    pub comment: Option<String>,
    /// `(column, comment)` in column order.
    pub column_comments: Vec<(String, String)>,
    /// Complete `CREATE INDEX` statements of a materialized view's indexes.
    pub indexes: Vec<String>,
    /// Complete `GRANT` statements re-applying the privileges given to others than the owner.
    pub grants: Vec<String>,
    /// What the view's query uses, from `pg_depend`.
    pub depends_on: Vec<ViewDependency>,
}

/// One thing a view's query uses.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum ViewDependency {
    /// A column of a table or of another view.
    Column {
        relation: QualifiedName,
        column: String,
    },
    /// A table or view as a whole (e.g. `count(*)` over it).
    Relation(QualifiedName),
    /// A type named in the query (a cast, a literal): for an array, its element type.
    Type(QualifiedName),
}

impl ViewDependency {
    /// The table or view this dependency is on, if any.
    pub fn relation(&self) -> Option<&QualifiedName> {
        match self {
            ViewDependency::Column { relation, .. } | ViewDependency::Relation(relation) => {
                Some(relation)
            }
            ViewDependency::Type(_) => None,
        }
    }
}

impl View {
    pub fn qualified_name(&self) -> QualifiedName {
        QualifiedName::new(&self.schema, &self.name)
    }

    fn kind(&self) -> &'static str {
        if self.materialized {
            "MATERIALIZED VIEW"
        } else {
            "VIEW"
        }
    }

    /// `DROP VIEW …;` (no `CASCADE`: views depending on this one are dropped explicitly first).
    pub fn drop_sql(&self) -> String {
        format!("DROP {} {};", self.kind(), self.qualified_name().quoted())
    }

    /// The statements that re-create the view as it was: the view, a materialized view's
    /// indexes, comments and grants.
    pub fn create_sql(&self) -> Vec<String> {
        let name = self.qualified_name().quoted();
        let options = if self.options.is_empty() {
            String::new()
        } else {
            format!(" WITH ({})", self.options.join(", "))
        };
        let definition = self.definition.trim().trim_end_matches(';').trim_end();
        let mut statements = vec![format!(
            "CREATE {} {name}{options} AS\n{definition};",
            self.kind()
        )];
        statements.extend(self.indexes.iter().map(|index| format!("{index};")));
        if let Some(comment) = &self.comment {
            statements.push(format!(
                "COMMENT ON {} {name} IS {};",
                self.kind(),
                quote_literal(comment)
            ));
        }
        for (column, comment) in &self.column_comments {
            statements.push(format!(
                "COMMENT ON COLUMN {name}.{} IS {};",
                quote_ident(column),
                quote_literal(comment)
            ));
        }
        statements.extend(self.grants.iter().cloned());
        statements
    }
}

/// `views` ordered so that each comes after the views among them it uses (the order to create
/// them in; reversed, the order to drop them in).
pub fn views_in_creation_order<'a>(views: impl IntoIterator<Item = &'a View>) -> Vec<&'a View> {
    let mut pending: Vec<&View> = views.into_iter().collect();
    let names: HashSet<QualifiedName> = pending.iter().map(|view| view.qualified_name()).collect();
    let mut placed: HashSet<QualifiedName> = HashSet::new();
    let mut ordered = Vec::with_capacity(pending.len());
    while !pending.is_empty() {
        let before = pending.len();
        pending.retain(|view| {
            let name = view.qualified_name();
            let ready = view
                .depends_on
                .iter()
                .filter_map(ViewDependency::relation)
                .all(|used| *used == name || !names.contains(used) || placed.contains(used));
            if ready {
                placed.insert(name);
                ordered.push(*view);
            }
            !ready
        });
        if pending.len() == before {
            // Views cannot form a cycle; keep anything left in the given order.
            ordered.append(&mut pending);
        }
    }
    ordered
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn re_creates_options_indexes_comments_and_grants() {
        let view = View {
            schema: "public".into(),
            name: "Open orders".into(),
            materialized: true,
            definition: " SELECT id\n   FROM public.orders;".into(),
            options: vec!["fillfactor=70".into()],
            comment: Some("it's open".into()),
            column_comments: vec![("id".into(), "the id".into())],
            indexes: vec!["CREATE INDEX i ON public.\"Open orders\" USING btree (id)".into()],
            grants: vec!["GRANT SELECT ON TABLE public.\"Open orders\" TO PUBLIC;".into()],
            depends_on: vec![],
        };
        assert_eq!(
            view.create_sql(),
            [
                "CREATE MATERIALIZED VIEW \"public\".\"Open orders\" WITH (fillfactor=70) AS\nSELECT id\n   FROM public.orders;",
                "CREATE INDEX i ON public.\"Open orders\" USING btree (id);",
                "COMMENT ON MATERIALIZED VIEW \"public\".\"Open orders\" IS 'it''s open';",
                "COMMENT ON COLUMN \"public\".\"Open orders\".\"id\" IS 'the id';",
                "GRANT SELECT ON TABLE public.\"Open orders\" TO PUBLIC;",
            ]
        );
        assert_eq!(
            view.drop_sql(),
            "DROP MATERIALIZED VIEW \"public\".\"Open orders\";"
        );
    }
}
