//! Foreign-key targets: the referenced table must be one of the models (by table name, and
//! schema when given) and have the referenced columns.

use super::FileProblem;
use crate::decl::table::StructDecl;
use crate::problem::{Problem, Spanned};
use crate::reference::Reference;
use crate::suggest;
use autogen_schema::{QualifiedName, Table};

pub(super) fn resolve(tables: &mut [(usize, StructDecl)], problems: &mut Vec<FileProblem>) {
    let all: Vec<(&Table, &str)> = tables
        .iter()
        .map(|(_, decl)| (&decl.table, decl.rust_name.as_str()))
        .collect();
    let mut targets: Vec<(usize, usize, QualifiedName)> = Vec::new();
    for (table_index, (file, decl)) in tables.iter().enumerate() {
        for (foreign_key, reference) in &decl.references {
            match resolve_reference(reference, &decl.table.schema, &all) {
                Ok(target) => targets.push((table_index, *foreign_key, target)),
                Err(problem) => problems.push((*file, problem)),
            }
        }
    }
    for (table_index, foreign_key, target) in targets {
        if let Some(foreign_key) = tables[table_index]
            .1
            .table
            .foreign_keys
            .get_mut(foreign_key)
        {
            foreign_key.references = target;
        }
    }
}

/// The table a foreign key points at, and a check that its columns exist. Without a schema
/// the referencing table's own schema wins, then a name that is unique across schemas.
fn resolve_reference(
    reference: &Spanned<Reference>,
    own_schema: &str,
    tables: &[(&Table, &str)],
) -> Result<QualifiedName, Problem> {
    let target = &reference.value;
    let named: Vec<&Table> = tables
        .iter()
        .map(|(table, _)| *table)
        .filter(|table| table.name == target.table)
        .collect();
    let found = match &target.schema {
        Some(schema) => named.iter().find(|table| table.schema == *schema).copied(),
        None => named
            .iter()
            .find(|table| table.schema == own_schema)
            .or(if named.len() == 1 {
                named.first()
            } else {
                None
            })
            .copied(),
    };
    let Some(table) = found else {
        if target.schema.is_none() && named.len() > 1 {
            let schemas: Vec<&str> = named.iter().map(|table| table.schema.as_str()).collect();
            return Err(Problem::new(
                reference.loc,
                format!("table `{}` is ambiguous", target.table),
            )
            .label("in several schemas")
            .help(format!(
                "tables `{}` exist in schemas {}; write `schema.{}(...)`",
                target.table,
                schemas.join(", "),
                target.table
            )));
        }
        return Err(unknown_table(reference, tables));
    };
    let missing: Vec<&String> = target
        .columns
        .iter()
        .filter(|column| table.column(column).is_none())
        .collect();
    if let Some(column) = missing.first() {
        let names: Vec<&str> = table
            .columns
            .iter()
            .map(|column| column.name.as_str())
            .collect();
        return Err(Problem::new(
            reference.loc,
            format!(
                "table `{}.{}` has no column `{column}`",
                table.schema, table.name
            ),
        )
        .label("unknown referenced column")
        .help(
            suggest::did_you_mean(column, names.iter().copied())
                .unwrap_or_else(|| format!("its columns are: {}", names.join(", "))),
        ));
    }
    Ok(table.qualified_name())
}

fn unknown_table(reference: &Spanned<Reference>, tables: &[(&Table, &str)]) -> Problem {
    let target = &reference.value;
    let shown = match &target.schema {
        Some(schema) => format!("{schema}.{}", target.table),
        None => target.table.clone(),
    };
    let problem = Problem::new(
        reference.loc,
        format!("there is no model for table `{shown}`"),
    )
    .label("unknown table");
    if let Some((table, rust_name)) = tables
        .iter()
        .find(|(_, rust_name)| *rust_name == target.table)
    {
        return problem.help(format!(
            "`{rust_name}` is the struct; its table is `{}`",
            table.name
        ));
    }
    let names: Vec<String> = tables
        .iter()
        .map(|(table, _)| match &target.schema {
            Some(_) => format!("{}.{}", table.schema, table.name),
            None => table.name.clone(),
        })
        .collect();
    let help =
        suggest::did_you_mean(&shown, names.iter().map(String::as_str)).unwrap_or_else(|| {
            if names.is_empty() {
                "declare the referenced table as a #[derive(Model)] struct in the scanned files"
                    .to_string()
            } else {
                "foreign keys can only reference tables declared as models in the scanned files"
                    .to_string()
            }
        });
    problem.help(help)
}
