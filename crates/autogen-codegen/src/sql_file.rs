//! The SQL declaration file: what the models leave out, as the diff planner writes it from the
//! models' catalog to the whole one (the same statements `autogen revision` would plan, so they
//! come from `autogen_schema::sql` and are ordered by dependencies).

use autogen_diff::StatementSource;
use autogen_schema::Catalog;

pub(crate) const FILE_NAME: &str = "schema.sql";

/// The statements that make `models` into `full`, without the planner's session settings
/// (declaration files take none; the engine checks routine bodies once everything exists).
pub(crate) fn statements(
    models: &Catalog,
    full: &Catalog,
) -> Result<Vec<String>, autogen_diff::DiffError> {
    let plan = autogen_diff::plan(models, full)?;
    Ok(plan
        .statements
        .into_iter()
        .filter(|statement| statement.source != StatementSource::Setting)
        .map(|statement| statement.sql)
        .collect())
}

pub(crate) fn render(statements: &[String]) -> String {
    let mut out = String::from(
        "-- Written by `autogen pull`: what the Rust models cannot declare (views, functions,\n\
         -- triggers, types, sequences, extensions, and the table parts the model syntax has no\n\
         -- attribute for). Edit freely; autogen runs these statements with the models.\n",
    );
    for statement in statements {
        out.push('\n');
        out.push_str(statement);
        out.push('\n');
    }
    out
}
