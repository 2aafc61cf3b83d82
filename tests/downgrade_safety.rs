//! `autogen downgrade` and data loss: down statements that drop data (a `-- hazard: data-loss`
//! comment, or recognized from hand-written SQL) are refused without `--allow-data-loss` when
//! stdin is not a terminal, listed as `file:line`, and the database is left untouched; with the
//! flag they run; a down without data loss needs no flag; `--sql` only warns.

mod common;

use common::project::{Project, query, runtime, with_db};
use common::stderr;
use std::process::Stdio;

/// The ordinary tables of the public schema, by name.
fn tables(url: &str) -> Vec<String> {
    query(
        url,
        "SELECT relname::text FROM pg_class WHERE relnamespace = 'public'::regnamespace \
         AND relkind = 'r' ORDER BY 1",
    )
}

/// The applied revisions, oldest first.
fn applied(url: &str) -> Vec<String> {
    query(
        url,
        "SELECT revision FROM public.autogen_revisions ORDER BY revision",
    )
}

/// Three revisions: a table (hand-written `DROP TABLE` down, no hazard comment), a column
/// (down marked `-- hazard: data-loss` like autogen writes it), and an index (harmless down).
fn project_with_revisions() -> Project {
    let project = Project::new();
    project.write_revision(
        "20260101000000",
        &[],
        "CREATE TABLE t (id integer PRIMARY KEY);",
        "DROP TABLE t;",
    );
    project.write_revision(
        "20260102000000",
        &["20260101000000"],
        "ALTER TABLE t ADD COLUMN note text;",
        "SELECT 1;\n-- hazard: data-loss, access-exclusive-lock\nALTER TABLE t DROP COLUMN note;",
    );
    project.write_revision(
        "20260103000000",
        &["20260102000000"],
        "CREATE INDEX t_note_idx ON t (note);",
        "DROP INDEX t_note_idx;",
    );
    project
}

#[test]
fn data_loss_downgrades_need_the_flag_and_harmless_ones_do_not() {
    let project = project_with_revisions();
    let database = runtime().block_on(autogen_testkit::fresh_database());
    let url = autogen_testkit::url(&database);
    project.expect(0, &with_db(&url, &["upgrade"]));
    common::project::execute(&url, "INSERT INTO t VALUES (1, 'keep me');");

    // The index's down loses nothing: no flag needed (stdin is not a terminal here).
    project.expect(0, &with_db(&url, &["downgrade", "-1"]));
    assert_eq!(applied(&url), ["20260101000000", "20260102000000"]);

    // Both remaining downs lose data: refused, each statement listed, nothing reverted.
    let refused = project
        .command(&with_db(&url, &["downgrade", "base"]))
        .stdin(Stdio::null())
        .output()
        .expect("the autogen binary runs");
    let message = stderr(&refused);
    assert_eq!(refused.status.code(), Some(2), "{message}");
    // The header (4 lines), a blank, `-- migrate:up`, the up, a blank, `-- migrate:down`,
    // then the down from line 10: `SELECT 1;`, the comment, the statement (line 12).
    for expected in [
        "migrations/20260102000000_hand_written.sql:12: ALTER TABLE t DROP COLUMN note;",
        "migrations/20260101000000_hand_written.sql:10: DROP TABLE t;",
        "--allow-data-loss",
    ] {
        assert!(message.contains(expected), "{expected:?} in\n{message}");
    }
    assert!(!message.contains("SELECT 1"), "{message}");
    assert_eq!(applied(&url), ["20260101000000", "20260102000000"]);
    assert_eq!(tables(&url), ["autogen_revisions", "t"]);
    assert_eq!(query(&url, "SELECT note FROM t"), ["keep me"]);

    // Only what the target reverts counts: -1 lists the column, not the table.
    let refused = project.run(&with_db(&url, &["downgrade", "-1"]));
    assert_eq!(refused.status.code(), Some(2), "{}", stderr(&refused));
    assert!(
        stderr(&refused).contains("20260102000000_hand_written.sql:12:"),
        "{}",
        stderr(&refused)
    );
    assert!(
        !stderr(&refused).contains("20260101000000_hand_written.sql"),
        "{}",
        stderr(&refused)
    );
    assert_eq!(applied(&url), ["20260101000000", "20260102000000"]);

    // With the flag it runs.
    project.expect(
        0,
        &with_db(&url, &["downgrade", "base", "--allow-data-loss"]),
    );
    assert_eq!(applied(&url), Vec::<String>::new());
    assert_eq!(tables(&url), ["autogen_revisions"]);
}

#[test]
fn offline_downgrade_scripts_keep_their_markers_and_only_warn() {
    let project = project_with_revisions();
    let (script, warnings) = project.expect_both(0, &["downgrade", "--sql", "head:base"]);
    assert!(
        script.contains(
            "-- hazard: data-loss, access-exclusive-lock\nALTER TABLE t DROP COLUMN note;"
        ),
        "{script}"
    );
    assert!(script.contains("DROP TABLE t;"), "{script}");
    assert!(
        warnings.contains("20260102000000_hand_written.sql:12:")
            && warnings.contains("20260101000000_hand_written.sql:10:"),
        "{warnings}"
    );
    // A harmless range has no warning.
    let (_, warnings) = project.expect_both(0, &["downgrade", "--sql", "head:-1"]);
    assert!(!warnings.contains("drop data"), "{warnings}");
}
