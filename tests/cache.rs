//! The cache of replayed revision chains and normalized models (docs/migrations.md, "Cache"):
//! an unchanged project needs no dev database at all, a new revision on top replays only that
//! revision, an edited revision is never answered from the cache, and `--no-cache` bypasses it.

mod common;

use common::project::Project;
use common::stderr;

const MODELS: &str = r#"
use autogen::Model;

#[derive(Model)]
#[model(table = "accounts")]
pub struct Account {
    #[model(primary_key)]
    pub id: i64,
    pub name: String,
}
"#;

/// The line the CLI logs (-v) when it starts or connects to the dev server.
const DEV_STARTED: &str = "dev database:";

#[test]
fn an_unchanged_project_is_checked_from_the_cache_and_edits_are_never_missed() {
    let project = Project::new();
    project.write_models(MODELS);
    let first = project.expect(0, &["revision", "-m", "accounts"]);
    let first_id = std::path::Path::new(first.trim_end())
        .file_name()
        .and_then(|name| name.to_str())
        .and_then(|name| name.split('_').next())
        .expect("revision id")
        .to_string();

    // First check fills the cache (revision filled the models entry already).
    project.expect(0, &["check"]);
    let (_, log) = project.expect_both(0, &["-v", "check"]);
    assert!(!log.contains(DEV_STARTED), "no dev database needed:\n{log}");

    // A revision added on top: the cached chain is re-created, only the new one runs.
    project.write_revision(
        "20990101000000",
        &[&first_id],
        "CREATE INDEX accounts_name ON public.accounts (name);",
        "DROP INDEX public.accounts_name;",
    );
    let output = project.run(&["-v", "check"]);
    let log = stderr(&output);
    assert!(
        log.contains("1 revision(s) re-created from the cache, 1 to run"),
        "{log}"
    );
    // The index is not in the models: the check sees it (the replay really ran).
    assert_eq!(output.status.code(), Some(1), "{log}");

    // The hand-written revision edited: a different checksum chain, so a fresh replay.
    project.write_revision(
        "20990101000000",
        &[&first_id],
        "COMMENT ON TABLE public.accounts IS 'edited';",
        "COMMENT ON TABLE public.accounts IS NULL;",
    );
    let output = project.run(&["-v", "check"]);
    let text = common::stdout(&output);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert!(text.contains("'edited'"), "{text}");
    assert!(!text.contains("accounts_name"), "{text}");

    // --no-cache answers the same (here with differences, so both verify the would-be
    // revision on the dev database).
    let (uncached, _) = project.expect_both(1, &["--no-cache", "check"]);
    let (cached, _) = project.expect_both(1, &["check"]);
    assert_eq!(uncached, cached);

    // Back to an unchanged project: --no-cache replays on the dev database, the cache does not.
    std::fs::remove_file(
        project
            .path()
            .join("migrations/20990101000000_hand_written.sql"),
    )
    .expect("remove the hand-written revision");
    let (_, log) = project.expect_both(0, &["-v", "--no-cache", "check"]);
    assert!(log.contains(DEV_STARTED), "{log}");
    let (_, log) = project.expect_both(0, &["-v", "check"]);
    assert!(!log.contains(DEV_STARTED), "{log}");
}
