//! The introspected catalogs of the repository's inspect snapshots as test data.

use autogen_diff::{Change, ConstraintChange, diff, plan};
use autogen_schema::{Catalog, catalog_from_json};

macro_rules! corpus {
    ($($name:literal),* $(,)?) => {
        [$(($name, include_str!(concat!("../../../tests/snapshots/inspect__", $name, ".json.snap")))),*]
    };
}

fn corpus() -> Vec<(&'static str, Catalog)> {
    corpus!(
        "constraints",
        "defaults",
        "empty",
        "enums_sequences",
        "everything",
        "extensions",
        "foreign_keys",
        "identifiers",
        "identity_generated",
        "indexes",
        "schemas_comments",
        "types",
    )
    .into_iter()
    .map(|(name, snap)| {
        // Strip the insta header: `---\n…\n---\n`.
        let body = snap
            .strip_prefix("---\n")
            .and_then(|rest| rest.split_once("\n---\n"))
            .map(|(_, body)| body)
            .unwrap_or_else(|| panic!("{name}: no insta header"));
        let catalog = catalog_from_json(body).unwrap_or_else(|e| panic!("{name}: {e}"));
        (name, catalog)
    })
    .collect()
}

#[test]
fn corpus_is_loaded() {
    let corpus = corpus();
    assert_eq!(corpus.len(), 12);
    let everything = &corpus.iter().find(|(n, _)| *n == "everything").unwrap().1;
    assert!(everything.tables.len() > 3);
}

#[test]
fn a_catalog_has_no_difference_with_itself() {
    for (name, catalog) in corpus() {
        assert_eq!(diff(&catalog, &catalog).unwrap(), vec![], "{name}");
        assert!(plan(&catalog, &catalog).unwrap().is_empty(), "{name}");
    }
}

/// Position of the first statement matching `predicate`.
fn position(sqls: &[String], predicate: impl Fn(&str) -> bool) -> Option<usize> {
    sqls.iter().position(|sql| predicate(sql))
}

#[test]
fn creating_from_nothing_orders_tables_before_foreign_keys() {
    for (name, catalog) in corpus() {
        let plan = plan(&Catalog::default(), &catalog).unwrap();
        let sqls: Vec<String> = plan.statements.iter().map(|s| s.sql.clone()).collect();
        for table in &catalog.tables {
            let create = format!("TABLE {} (", table.qualified_name().quoted());
            let created = position(&sqls, |sql| {
                sql.starts_with("CREATE") && sql.contains(&create)
            })
            .unwrap_or_else(|| panic!("{name}: no CREATE TABLE for {}", table.name));
            for fk in &table.foreign_keys {
                let add = format!(
                    "ADD CONSTRAINT {} FOREIGN KEY",
                    autogen_schema::quote_ident(&fk.name)
                );
                let added = position(&sqls, |sql| {
                    sql.starts_with(&format!("ALTER TABLE {} ", table.qualified_name().quoted()))
                        && sql.contains(&add)
                })
                .unwrap_or_else(|| panic!("{name}: no statement for {}", fk.name));
                let referenced = format!("TABLE {} (", fk.references.quoted());
                let referenced = position(&sqls, |sql| {
                    sql.starts_with("CREATE") && sql.contains(&referenced)
                });
                assert!(added > created, "{name}: {} before its table", fk.name);
                if let Some(referenced) = referenced {
                    assert!(
                        added > referenced,
                        "{name}: {} before {}",
                        fk.name,
                        fk.references
                    );
                }
            }
            for index in &table.indexes {
                let index_at = position(&sqls, |sql| {
                    sql.contains(&format!(
                        "INDEX {} ON",
                        autogen_schema::quote_ident(&index.name)
                    ))
                })
                .unwrap();
                assert!(
                    index_at > created,
                    "{name}: index {} before its table",
                    index.name
                );
            }
        }
        // Types, sequences and extensions come before every table.
        let first_table = position(&sqls, |sql| {
            sql.starts_with("CREATE TABLE") || sql.starts_with("CREATE UNLOGGED TABLE")
        });
        for prefix in [
            "CREATE TYPE",
            "CREATE SEQUENCE",
            "CREATE EXTENSION",
            "CREATE SCHEMA",
        ] {
            if let (Some(last), Some(first)) = (
                sqls.iter().rposition(|s| s.starts_with(prefix)),
                first_table,
            ) {
                assert!(last < first, "{name}: {prefix} after a table");
            }
        }
    }
}

/// The plan from nothing spells every object exactly as the canonical dump does: the same
/// statements, possibly in another order.
#[test]
fn creating_from_nothing_matches_the_dump_statement_for_statement() {
    for (name, catalog) in corpus() {
        let mut planned: Vec<String> = plan(&Catalog::default(), &catalog)
            .unwrap()
            .statements
            .into_iter()
            .map(|s| s.sql)
            .collect();
        let dump = catalog.to_sql();
        let mut dumped = split_statements(&dump);
        planned.sort();
        dumped.sort();
        assert_eq!(planned, dumped, "{name}");
    }
}

/// Statements of a dump: each ends with `;` at the end of a line.
fn split_statements(dump: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    for line in dump.lines() {
        if line.is_empty() && current.is_empty() {
            continue;
        }
        if !current.is_empty() {
            current.push('\n');
        }
        current.push_str(line);
        if line.ends_with(';') {
            out.push(std::mem::take(&mut current));
        }
    }
    assert!(current.is_empty(), "unterminated statement: {current}");
    out
}

#[test]
fn dropping_everything_drops_foreign_keys_before_tables() {
    for (name, catalog) in corpus() {
        let changes = diff(&catalog, &Catalog::default()).unwrap();
        let plan = plan(&catalog, &Catalog::default()).unwrap();
        let sqls: Vec<&str> = plan.statements.iter().map(|s| s.sql.as_str()).collect();
        let last_fk_drop = changes
            .iter()
            .filter(|c| {
                matches!(
                    c,
                    Change::Constraint(ConstraintChange::DropForeignKey { .. })
                )
            })
            .count();
        let fk_count: usize = catalog.tables.iter().map(|t| t.foreign_keys.len()).sum();
        assert_eq!(last_fk_drop, fk_count, "{name}");
        let first_table_drop = sqls.iter().position(|s| s.starts_with("DROP TABLE"));
        let last_constraint_drop = sqls.iter().rposition(|s| s.contains("DROP CONSTRAINT"));
        if let (Some(table), Some(constraint)) = (first_table_drop, last_constraint_drop) {
            assert!(constraint < table, "{name}");
        }
        // Every table, type, sequence and extension is dropped; tables before types.
        assert_eq!(
            sqls.iter().filter(|s| s.starts_with("DROP TABLE")).count(),
            catalog.tables.len(),
            "{name}"
        );
        if let (Some(table), Some(ty)) = (
            sqls.iter().rposition(|s| s.starts_with("DROP TABLE")),
            sqls.iter()
                .position(|s| s.starts_with("DROP TYPE") || s.starts_with("DROP SEQUENCE")),
        ) {
            assert!(table < ty, "{name}");
        }
        for statement in &plan.statements {
            if statement.sql.starts_with("DROP TABLE") {
                assert!(statement.hazards.contains(&autogen_diff::Hazard::DataLoss));
            }
        }
    }
}

/// Every ordered pair of corpus catalogs plans (or says Unsupported) without panicking.
#[test]
fn pairs_of_corpus_catalogs_diff_without_panicking() {
    let corpus = corpus();
    for (a_name, a) in &corpus {
        for (b_name, b) in &corpus {
            // Unsupported is fine (e.g. an enum losing values); a panic is not.
            match plan(a, b) {
                Ok(plan) => {
                    for statement in &plan.statements {
                        assert!(
                            statement.sql.ends_with(';'),
                            "{a_name}->{b_name}: {}",
                            statement.sql
                        );
                    }
                }
                Err(autogen_diff::DiffError::Unsupported { what }) => {
                    assert!(!what.is_empty(), "{a_name}->{b_name}");
                }
            }
        }
    }
}
