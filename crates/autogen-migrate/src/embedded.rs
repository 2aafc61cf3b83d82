//! Revision files compiled into an application (`autogen::embed_migrations!`), run at its
//! start-up by the same runner as `autogen upgrade`: same tracking table, same advisory lock,
//! same checksums, so a database migrated by the CLI and by the application agree. With the
//! `sqlx` feature, `sqlx_connection.rs` adds the same methods on a sqlx pool or connection.

use std::path::PathBuf;

use tokio_postgres::Client;

use crate::files::parse_file;
use crate::runner::{self, Progress, RunOptions};
use crate::{MigrateError, RevisionGraph, UpgradeTarget};

/// The revision files of a migrations directory, embedded at compile time as
/// `(file name, file text)` pairs.
///
/// Usually built by `autogen::embed_migrations!("migrations")`, which lists the directory's
/// `*.sql` files when the application compiles. Nothing is parsed until [`graph`](Self::graph)
/// or [`upgrade`](Self::upgrade) runs; the files are then checked exactly as
/// [`RevisionGraph::load`] checks a directory, and errors name the file.
#[derive(Debug, Clone, Copy)]
pub struct EmbeddedMigrations {
    files: &'static [(&'static str, &'static str)],
}

impl EmbeddedMigrations {
    /// Revisions from `(file name, file text)` pairs. A file name must start with its revision
    /// id followed by `_` and end in `.sql`, as in a migrations directory.
    pub const fn new(files: &'static [(&'static str, &'static str)]) -> Self {
        EmbeddedMigrations { files }
    }

    /// The embedded `(file name, file text)` pairs, as given.
    pub const fn files(&self) -> &'static [(&'static str, &'static str)] {
        self.files
    }

    /// The revision graph, validated like [`RevisionGraph::load`] validates a directory: each
    /// file parsed strictly, its name starting with its revision id, no duplicate ids, no
    /// missing parents, no cycles. The file name stands for the path in errors (and in
    /// [`RevisionFile::path`](crate::RevisionFile::path)).
    pub fn graph(&self) -> Result<RevisionGraph, MigrateError> {
        let mut files: Vec<&(&str, &str)> = self.files.iter().collect();
        // Name order, as when a directory is loaded, so errors come out the same.
        files.sort_by_key(|(name, _)| *name);
        let loaded = files
            .into_iter()
            .map(|(name, text)| parse_file(PathBuf::from(name), text))
            .collect::<Result<Vec<_>, _>>()?;
        RevisionGraph::build(loaded)
    }

    /// Applies every pending revision up to the single head, as `autogen upgrade` does with
    /// its defaults; returns the ids applied (empty when the database is up to date).
    ///
    /// Concurrent callers (several instances of the application starting at once) wait for
    /// each other on the advisory lock, so each revision is applied exactly once. Refused,
    /// before anything runs, when the files do not form a valid graph, when there are several
    /// heads, when the database has a revision that is not embedded, or when an applied
    /// revision's file was edited since.
    pub async fn upgrade(&self, client: &mut Client) -> Result<Vec<String>, MigrateError> {
        self.upgrade_with(
            client,
            &UpgradeTarget::Head,
            &RunOptions::default(),
            &mut |_| {},
        )
        .await
    }

    /// [`upgrade`](Self::upgrade) with a target, options and a progress callback, as
    /// [`crate::upgrade`] takes them.
    pub async fn upgrade_with(
        &self,
        client: &mut Client,
        target: &UpgradeTarget,
        options: &RunOptions,
        progress: &mut (dyn FnMut(Progress<'_>) + Send),
    ) -> Result<Vec<String>, MigrateError> {
        let graph = self.graph()?;
        runner::upgrade(client, &graph, target, options, progress).await
    }

    /// [`upgrade`](Self::upgrade) restricted to one side of expand/contract revisions, as
    /// `autogen upgrade --phase` (docs/expand-contract.md): an application that migrates at
    /// start-up applies `Expand` there, so the first instance of a new version does not
    /// contract the schema under the old instances still running; `Contract` runs once the
    /// deploy is complete (e.g. from a post-deploy job).
    pub async fn upgrade_phase(
        &self,
        client: &mut Client,
        phase: crate::RevisionPhase,
    ) -> Result<Vec<String>, MigrateError> {
        let graph = self.graph()?;
        runner::upgrade_phase(
            client,
            &graph,
            &UpgradeTarget::Head,
            Some(phase),
            &RunOptions::default(),
            &mut |_| {},
        )
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FIRST: &str = "-- revision: 20260101000100
-- parents:
-- message: users
-- created: 2026-01-01T00:01:00Z

-- migrate:up
CREATE TABLE users (id bigint PRIMARY KEY);

-- migrate:down
DROP TABLE users;
";

    const SECOND: &str = "-- revision: 20260101000200
-- parents: 20260101000100
-- message: posts
-- created: 2026-01-01T00:02:00Z

-- migrate:up
CREATE TABLE posts (id bigint PRIMARY KEY);

-- migrate:down
DROP TABLE posts;
";

    fn error(files: &'static [(&'static str, &'static str)]) -> String {
        EmbeddedMigrations::new(files)
            .graph()
            .expect_err("invalid revisions")
            .to_string()
    }

    #[test]
    fn graph_in_order_with_file_names_as_paths() {
        // Given out of order: the graph does not depend on it.
        static MIGRATIONS: EmbeddedMigrations = EmbeddedMigrations::new(&[
            ("20260101000200_posts.sql", SECOND),
            ("20260101000100_users.sql", FIRST),
        ]);
        let graph = MIGRATIONS.graph().expect("valid");
        let ordered: Vec<(&str, PathBuf)> = graph
            .ordered()
            .into_iter()
            .map(|file| (file.revision.id.as_str(), file.path.clone()))
            .collect();
        assert_eq!(
            ordered,
            [
                ("20260101000100", PathBuf::from("20260101000100_users.sql")),
                ("20260101000200", PathBuf::from("20260101000200_posts.sql")),
            ]
        );
        assert_eq!(MIGRATIONS.files().len(), 2);
    }

    #[test]
    fn empty_is_an_empty_graph() {
        assert!(
            EmbeddedMigrations::new(&[])
                .graph()
                .expect("valid")
                .is_empty()
        );
    }

    #[test]
    fn the_same_checks_as_a_directory_naming_the_file() {
        assert_eq!(
            error(&[(
                "20260101000100_users.sql",
                "-- revision: 20260101000100\n-- parents:\n-- colour: blue\n"
            )]),
            "20260101000100_users.sql:3: unknown header `colour` (known: revision, parents, \
             message, created; SQL goes after `-- migrate:up`)"
        );
        assert_eq!(
            error(&[("users.sql", FIRST)]),
            "users.sql:1: revision 20260101000100 is in a file whose name does not start with \
             `20260101000100_` (expected e.g. `20260101000100_users.sql`)"
        );
        assert!(error(&[("20260101000100_users.txt", FIRST)]).starts_with(
            "20260101000100_users.txt:1: revision 20260101000100 is in a file whose name"
        ),);
        assert_eq!(
            error(&[
                ("20260101000100_users.sql", FIRST),
                ("20260101000100_users_again.sql", FIRST),
            ]),
            "20260101000100_users_again.sql:1: revision 20260101000100 is defined twice: here \
             and in 20260101000100_users.sql"
        );
        assert_eq!(
            error(&[("20260101000200_posts.sql", SECOND)]),
            "20260101000200_posts.sql:2: revision 20260101000200 names parent 20260101000100, \
             which is not in the migrations directory"
        );
        const LOOP: &str = "-- revision: 20260101000100
-- parents: 20260101000200
-- message: users
-- created: 2026-01-01T00:01:00Z

-- migrate:up
-- migrate:down
";
        assert_eq!(
            error(&[
                ("20260101000100_users.sql", LOOP),
                ("20260101000200_posts.sql", SECOND),
            ]),
            "revision parents form a cycle: 20260101000100 (20260101000100_users.sql) -> \
             20260101000200 (20260101000200_posts.sql) -> 20260101000100"
        );
    }

    #[test]
    fn the_same_revisions_and_checksums_as_the_directory() {
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::write(dir.path().join("20260101000100_users.sql"), FIRST).expect("write");
        std::fs::write(dir.path().join("20260101000200_posts.sql"), SECOND).expect("write");
        let loaded = RevisionGraph::load(dir.path()).expect("directory");
        let embedded = EmbeddedMigrations::new(&[
            ("20260101000100_users.sql", FIRST),
            ("20260101000200_posts.sql", SECOND),
        ])
        .graph()
        .expect("embedded");
        let summary = |graph: &RevisionGraph| -> Vec<(String, String, String)> {
            graph
                .ordered()
                .into_iter()
                .map(|file| {
                    (
                        file.revision.id.clone(),
                        file.checksum.clone(),
                        file.path
                            .file_name()
                            .unwrap()
                            .to_string_lossy()
                            .into_owned(),
                    )
                })
                .collect()
        };
        assert_eq!(summary(&loaded), summary(&embedded));
        assert_eq!(embedded.heads().len(), 1);
    }

    #[test]
    fn upgrade_futures_are_send() {
        fn assert_send<T: Send>(_: &T) {}
        fn check(migrations: &EmbeddedMigrations, client: &mut Client) {
            assert_send(&migrations.upgrade(client));
        }
        let _ = check;
    }
}
