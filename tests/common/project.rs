//! A temporary autogen project for end-to-end tests: `autogen init` run in a temp directory,
//! the binary run inside it against the test process's shared dev server, and small helpers to
//! write models and revision files and to query a database.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub struct Project {
    dir: tempfile::TempDir,
    dev_url: String,
}

impl Project {
    /// A project after `autogen init`, with an empty `models/` directory.
    pub fn new() -> Project {
        let dir = tempfile::tempdir().expect("temp dir");
        let dev_url = autogen_testkit::shared_server()
            .admin_connection()
            .url_with_password();
        let project = Project { dir, dev_url };
        project.expect(0, &["init"]);
        std::fs::create_dir_all(project.path().join("models")).expect("models dir");
        project
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// The binary in the project directory, plain output, the shared dev server.
    pub fn command(&self, args: &[&str]) -> Command {
        super::command_in(self.path(), args)
    }

    pub fn run(&self, args: &[&str]) -> Output {
        self.command(args)
            .output()
            .expect("the autogen binary runs")
    }

    /// Runs and requires exit status `code`, returning stdout.
    pub fn expect(&self, code: i32, args: &[&str]) -> String {
        self.expect_both(code, args).0
    }

    /// Runs and requires exit status `code`, returning stdout and stderr.
    pub fn expect_both(&self, code: i32, args: &[&str]) -> (String, String) {
        super::expect_in(self.path(), code, args)
    }

    /// Turns on `[models] sql = ["sql"]` (the line `autogen init` writes, commented out).
    pub fn enable_sql_declarations(&self) {
        let path = self.path().join("autogen.toml");
        let config = std::fs::read_to_string(&path).expect("read autogen.toml");
        let enabled = config.replace("# sql = [\"sql\"]", "sql = [\"sql\"]");
        assert_ne!(enabled, config, "autogen init mentions [models] sql");
        std::fs::write(&path, enabled).expect("write autogen.toml");
    }

    /// Writes `text` to `relative` (under the project), creating its directory.
    pub fn write_file(&self, relative: &str, text: &str) {
        let path = self.path().join(relative);
        std::fs::create_dir_all(path.parent().expect("a parent")).expect("mkdir");
        std::fs::write(path, text).expect("write");
    }

    pub fn write_models(&self, text: &str) {
        std::fs::write(self.path().join("models/app.rs"), text).expect("write models");
    }

    /// The revision files, sorted.
    pub fn revisions(&self) -> Vec<PathBuf> {
        super::sql_files(&self.path().join("migrations"))
    }

    /// Writes `migrations/<id>_hand_written.sql` (what `revision --empty` gives, then edited);
    /// returns its path relative to the project.
    pub fn write_revision(&self, id: &str, parents: &[&str], up: &str, down: &str) -> String {
        let text = format!(
            "-- revision: {id}\n-- parents: {}\n-- message: hand written {id}\n-- created: 2026-01-01T00:00:00Z\n\n-- migrate:up\n{up}\n\n-- migrate:down\n{down}\n",
            parents.join(", ")
        );
        let relative = format!("migrations/{id}_hand_written.sql");
        std::fs::write(self.path().join(&relative), text).expect("write revision");
        relative
    }

    pub fn append_config(&self, text: &str) {
        let path = self.path().join("autogen.toml");
        let mut config = std::fs::read_to_string(&path).expect("read autogen.toml");
        config.push_str(text);
        std::fs::write(path, config).expect("write autogen.toml");
    }
}

/// `args` with `--database-url URL` in front.
pub fn with_db<'a>(url: &'a str, args: &[&'a str]) -> Vec<&'a str> {
    let mut all = vec!["--database-url", url];
    all.extend_from_slice(args);
    all
}

/// A fresh database on the shared dev server (dropped with the returned value) and its URL.
pub fn fresh_database() -> (autogen_testkit::autogen_pg::TempDatabase, String) {
    let database = runtime().block_on(autogen_testkit::fresh_database());
    let url = autogen_testkit::url(&database);
    (database, url)
}

pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime")
}

/// Runs `sql` on the database and returns the first column of every row as text.
pub fn query(url: &str, sql: &str) -> Vec<String> {
    runtime().block_on(async {
        let spec = autogen_testkit::autogen_pg::ConnectionSpec::parse(url).expect("url");
        let client = spec.connect().await.expect("connect");
        client
            .simple_query(sql)
            .await
            .expect("query")
            .iter()
            .filter_map(|message| match message {
                autogen_testkit::autogen_pg::tokio_postgres::SimpleQueryMessage::Row(row) => {
                    Some(row.get(0).unwrap_or("NULL").to_string())
                }
                _ => None,
            })
            .collect()
    })
}

/// Runs `sql` (several statements allowed) on the database.
pub fn execute(url: &str, sql: &str) {
    runtime().block_on(async {
        let spec = autogen_testkit::autogen_pg::ConnectionSpec::parse(url).expect("url");
        let client = spec.connect().await.expect("connect");
        autogen_testkit::create_roles_named(&client, sql).await;
        client.batch_execute(sql).await.expect("sql");
    });
}
