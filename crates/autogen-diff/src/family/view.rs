//! Views and materialized views: created (a materialized view with its indexes), dropped,
//! replaced in place (`CREATE OR REPLACE VIEW`) when PostgreSQL allows it — a plain view whose
//! columns keep their names and types, more may follow — and otherwise dropped and created with
//! everything that depends on them. Grants on views are kept.

use crate::Hazard;
use crate::change::Phase;
use autogen_schema::{Index, QualifiedName, View, sql};
use serde::Serialize;

#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "change", rename_all = "snake_case")]
pub enum ViewChange {
    /// `CREATE [MATERIALIZED] VIEW …` (a materialized view with its data, unless declared
    /// `WITH NO DATA`).
    Create { view: View },
    /// `CREATE OR REPLACE VIEW …`: see [`replaceable`].
    Replace { view: View },
    Drop {
        name: QualifiedName,
        materialized: bool,
    },
    /// An index of a materialized view, after the view.
    CreateIndex { view: QualifiedName, index: Index },
    /// A `GRANT` statement on the view, as the catalog stores it.
    Grant { view: QualifiedName, grant: String },
    /// The `REVOKE` undoing a `GRANT` the view no longer has.
    Revoke { view: QualifiedName, grant: String },
}

impl ViewChange {
    pub(crate) fn phase(&self) -> Phase {
        match self {
            ViewChange::Drop { .. } => Phase::DropView,
            ViewChange::Create { .. }
            | ViewChange::Replace { .. }
            | ViewChange::CreateIndex { .. }
            | ViewChange::Grant { .. }
            | ViewChange::Revoke { .. } => Phase::CreateLateObject,
        }
    }

    pub(crate) fn summary(&self) -> String {
        match self {
            ViewChange::Create { view } => format!(
                "create {} {}",
                kind(view.materialized),
                view.qualified_name()
            ),
            ViewChange::Replace { view } => format!("replace view {}", view.qualified_name()),
            ViewChange::Drop { name, materialized } => {
                format!("drop {} {name}", kind(*materialized))
            }
            ViewChange::CreateIndex { view, index } => {
                format!("create index {} on materialized view {view}", index.name)
            }
            ViewChange::Grant { view, .. } => format!("grant privileges on view {view}"),
            ViewChange::Revoke { view, .. } => format!("revoke privileges on view {view}"),
        }
    }

    pub(crate) fn render(&self) -> (String, Vec<Hazard>) {
        use Hazard::*;
        match self {
            ViewChange::Create { view } => {
                let hazards = if view.materialized && !view.unpopulated {
                    vec![LongRunning]
                } else {
                    vec![]
                };
                (sql::create_view(view), hazards)
            }
            // Queries on the view wait for the swap (an instant): ACCESS EXCLUSIVE on the view.
            ViewChange::Replace { view } => (sql::replace_view(view), vec![AccessExclusiveLock]),
            ViewChange::Drop { name, materialized } => (
                format!(
                    "DROP {} {};",
                    kind(*materialized).to_uppercase(),
                    name.quoted()
                ),
                vec![AccessExclusiveLock],
            ),
            ViewChange::CreateIndex { view, index } => {
                (sql::create_index(view, index), vec![IndexBuild])
            }
            ViewChange::Grant { grant, .. } => (grant.clone(), vec![]),
            ViewChange::Revoke { grant, .. } => (revoke(grant), vec![]),
        }
    }
}

fn kind(materialized: bool) -> &'static str {
    if materialized {
        "materialized view"
    } else {
        "view"
    }
}

/// The `REVOKE` of one of the catalog's own `GRANT privileges ON TABLE v TO role[ WITH GRANT
/// OPTION];` statements (introspection writes them in exactly that form).
fn revoke(grant: &str) -> String {
    let body = grant
        .trim()
        .trim_end_matches(';')
        .trim_end_matches(" WITH GRANT OPTION");
    let body = body.strip_prefix("GRANT ").unwrap_or(body);
    match body.rsplit_once(" TO ") {
        Some((what, grantee)) => format!("REVOKE {what} FROM {grantee};"),
        None => format!("REVOKE {body};"),
    }
}

/// Whether `CREATE OR REPLACE VIEW` turns `old` into `new`: both plain views with the same
/// options, and `new`'s columns start with `old`'s, same names and types (PostgreSQL refuses to
/// rename, retype, reorder or remove a view's column in place).
pub(crate) fn replaceable(old: &View, new: &View) -> bool {
    let kept = old.columns.len();
    !old.materialized
        && !new.materialized
        && old.options == new.options
        && old.column_types.len() == kept
        && new.columns.len() >= kept
        && new.column_types.len() == new.columns.len()
        && new.columns[..kept] == old.columns[..]
        && new.column_types[..kept] == old.column_types[..]
}

/// Whether two views differ in what only a drop and a create can change (comments, indexes
/// of a materialized view and grants change in place; whether a materialized view holds data
/// is its state, not its definition).
pub(crate) fn needs_recreate(old: &View, new: &View) -> bool {
    (old.definition != new.definition
        || old.materialized != new.materialized
        || old.options != new.options
        || old.columns != new.columns
        || old.column_types != new.column_types)
        && !replaceable(old, new)
}

/// Whether a view kept (not re-created) needs `CREATE OR REPLACE`.
pub(crate) fn needs_replace(old: &View, new: &View) -> bool {
    old.definition != new.definition
        || old.columns != new.columns
        || old.column_types != new.column_types
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grants_are_revoked_from_their_grantee() {
        assert_eq!(
            revoke("GRANT SELECT ON TABLE public.v TO reporting WITH GRANT OPTION;"),
            "REVOKE SELECT ON TABLE public.v FROM reporting;"
        );
        assert_eq!(
            revoke("GRANT INSERT, SELECT ON TABLE public.v TO PUBLIC;"),
            "REVOKE INSERT, SELECT ON TABLE public.v FROM PUBLIC;"
        );
    }
}
