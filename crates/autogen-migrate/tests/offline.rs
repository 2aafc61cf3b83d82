//! `upgrade --sql` / `downgrade --sql` output, pinned by snapshots. (That the scripts do what
//! the runner does is checked against PostgreSQL in `runner.rs`.)

mod common;

use autogen_migrate::{
    DowngradeTarget, MigrateError, Revision, RevisionFile, RevisionGraph, Section, UpgradeTarget,
    offline_downgrade_sql, offline_upgrade_sql, split_statements,
};
use common::*;

fn graph() -> RevisionGraph {
    let revisions = vec![
        revision(
            1,
            &[],
            "create users",
            "-- hazard: none\nCREATE TABLE \"public\".\"users\" (\"id\" bigint NOT NULL, \"email\" text NOT NULL);",
            "-- hazard: data-loss\nDROP TABLE \"public\".\"users\";",
        ),
        Revision {
            up: Section::new(
                false,
                "-- hazard: index-build\nCREATE INDEX CONCURRENTLY \"users_email_idx\" ON \"public\".\"users\" (\"email\")",
            ),
            down: Section::new(
                false,
                "DROP INDEX CONCURRENTLY \"public\".\"users_email_idx\";",
            ),
            ..revision(2, &[1], "index users' email", "", "")
        },
        revision(
            3,
            &[2],
            "add phone to users",
            "-- hazard: none\nALTER TABLE \"public\".\"users\" ADD COLUMN \"phone\" character varying(20);",
            "-- hazard: data-loss\nALTER TABLE \"public\".\"users\" DROP COLUMN \"phone\";",
        ),
    ];
    RevisionGraph::from_files(
        revisions
            .into_iter()
            .map(|revision| {
                RevisionFile::new(
                    format!("migrations/{}", revision.file_name()).into(),
                    revision,
                )
            })
            .collect(),
    )
    .expect("graph")
}

#[test]
fn upgrade_script_from_an_empty_database() {
    let sql = offline_upgrade_sql(&graph(), None, &UpgradeTarget::Head).expect("sql");
    insta::assert_snapshot!(sql);
}

/// The script, split as the runner and `lint` split sections: the cleanup query, the `\gexec`
/// line that runs what it selects, and the concurrent build are three items, in order.
#[test]
fn the_upgrade_script_splits_at_its_psql_lines() {
    let sql = offline_upgrade_sql(&graph(), None, &UpgradeTarget::Head).expect("sql");
    let statements = split_statements(&sql);
    let gexec = statements
        .iter()
        .position(|statement| statement.sql == "\\gexec")
        .expect("a \\gexec line");
    assert!(
        statements[gexec - 1]
            .sql
            .starts_with("SELECT pg_catalog.format('DROP INDEX CONCURRENTLY %I.%I'"),
        "{statements:#?}"
    );
    assert!(
        statements[gexec + 1]
            .sql
            .starts_with("CREATE INDEX CONCURRENTLY \"users_email_idx\""),
        "{statements:#?}"
    );
    assert_eq!(
        statements[gexec].line,
        statements[gexec - 1].line + 1,
        "{statements:#?}"
    );
}

#[test]
fn downgrade_script_to_base() {
    let sql = offline_downgrade_sql(&graph(), &id(3), &DowngradeTarget::Base).expect("sql");
    insta::assert_snapshot!(sql);
}

#[test]
fn nothing_to_do_is_said() {
    let graph = graph();
    let sql = offline_upgrade_sql(&graph, Some(&id(3)), &UpgradeTarget::Head).expect("sql");
    assert!(sql.contains("-- nothing to apply"), "{sql}");
    assert!(!sql.contains("BEGIN;"), "{sql}");
    let partial =
        offline_upgrade_sql(&graph, Some(&id(1)), &UpgradeTarget::Relative(1)).expect("sql");
    assert!(
        partial.contains(&format!("-- revision: {} (", id(2))),
        "{partial}"
    );
    assert!(
        !partial.contains(&format!("-- revision: {} (", id(3))),
        "{partial}"
    );
}

#[test]
fn an_unknown_starting_revision_is_an_error() {
    let graph = graph();
    assert!(matches!(
        offline_upgrade_sql(&graph, Some("20990101000000"), &UpgradeTarget::Head),
        Err(MigrateError::UnknownRevision { .. })
    ));
    assert!(matches!(
        offline_downgrade_sql(&graph, "20990101000000", &DowngradeTarget::Base),
        Err(MigrateError::UnknownRevision { .. })
    ));
}

/// A batched statement becomes a `DO` block looping over committed batches (run against
/// PostgreSQL by psql in `tests/batch.rs`); the statements around it stay as they are.
#[test]
fn a_batched_statement_is_a_do_block_in_the_script() {
    let revisions = vec![Revision {
        up: Section::new(
            false,
            "ALTER TABLE users ADD COLUMN full_name text;\n\
             -- batch: pause=250ms lock_timeout=2s statement_timeout=1min\n\
             -- hazard: none\n\
             UPDATE users SET full_name = first_name || ' ' || last_name\n\
             WHERE ctid = ANY (ARRAY(SELECT ctid FROM users WHERE full_name IS NULL LIMIT 10000));\n\
             ALTER TABLE users ALTER COLUMN full_name SET NOT NULL;",
        ),
        down: Section::new(false, "ALTER TABLE users DROP COLUMN full_name;"),
        ..revision(1, &[], "backfill", "", "")
    }];
    let graph = RevisionGraph::from_files(
        revisions
            .into_iter()
            .map(|revision| {
                RevisionFile::new(
                    format!("migrations/{}", revision.file_name()).into(),
                    revision,
                )
            })
            .collect(),
    )
    .expect("graph");
    let sql = offline_upgrade_sql(&graph, None, &UpgradeTarget::Head).expect("sql");
    insta::assert_snapshot!(sql);
}
