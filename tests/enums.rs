//! Enum evolution end to end, with data in the columns: a type renamed (`renamed_from` on the
//! `DbEnum`), a value renamed (`renamed_from` on a variant), a value added and used by a
//! default in the same revision (so its `up` runs outside a transaction), and the way back.

mod common;

use common::{stderr, stdout};
use std::path::Path;
use std::process::{Command, Output};

/// A temporary project directory with `autogen init` run in it.
struct Project {
    dir: tempfile::TempDir,
    dev_url: String,
}

impl Project {
    fn new() -> Project {
        let dir = tempfile::tempdir().expect("temp dir");
        let dev_url = autogen_testkit::shared_server()
            .admin_connection()
            .url_with_password();
        let project = Project { dir, dev_url };
        project.expect(0, &["init"]);
        std::fs::create_dir_all(project.path().join("models")).expect("models dir");
        project
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    fn run(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_autogen"))
            .args(args)
            .current_dir(self.path())
            .env("NO_COLOR", "1")
            .env("AUTOGEN_DEV_URL", &self.dev_url)
            .env_remove("DATABASE_URL")
            .output()
            .expect("the autogen binary runs")
    }

    /// Runs and requires exit status `code`, returning stdout.
    fn expect(&self, code: i32, args: &[&str]) -> String {
        let output = self.run(args);
        assert_eq!(
            output.status.code(),
            Some(code),
            "autogen {args:?}\nstdout:\n{}\nstderr:\n{}",
            stdout(&output),
            stderr(&output)
        );
        stdout(&output)
    }

    fn write_models(&self, text: &str) {
        std::fs::write(self.path().join("models/app.rs"), text).expect("write models");
    }
}

/// `args` with `--database-url URL` in front.
fn with_db<'a>(url: &'a str, args: &[&'a str]) -> Vec<&'a str> {
    let mut all = vec!["--database-url", url];
    all.extend_from_slice(args);
    all
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime")
}

/// Runs `sql` on the database and returns the first column of every row as text.
fn query(url: &str, sql: &str) -> Vec<String> {
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

const MODELS_V1: &str = r#"
use autogen::{DbEnum, Model};

#[derive(DbEnum)]
#[model(type_name = "mood")]
pub enum Mood { Happy, Sad }

#[derive(Model)]
#[model(table = "people")]
#[model(check(name = "people_sad_check", expr = "mood <> 'sad' OR id > 0"))]
pub struct Person {
    #[model(primary_key)]
    pub id: i64,
    #[model(default = "'happy'")]
    pub mood: Mood,
}
"#;

/// The type renamed, `sad` renamed to `unhappy`, and `meh` added and made the default.
const MODELS_V2: &str = r#"
use autogen::{DbEnum, Model};

#[derive(DbEnum)]
#[model(type_name = "feeling", renamed_from = "mood")]
pub enum Feeling { Happy, #[model(renamed_from = "sad")] Unhappy, Meh }

#[derive(Model)]
#[model(table = "people")]
#[model(check(name = "people_sad_check", expr = "mood <> 'unhappy' OR id > 0"))]
pub struct Person {
    #[model(primary_key)]
    pub id: i64,
    #[model(default = "'meh'")]
    pub mood: Feeling,
}
"#;

#[test]
fn enum_renames_and_a_used_new_value_round_trip_with_data() {
    let project = Project::new();
    let database = runtime().block_on(autogen_testkit::fresh_database());
    let url = autogen_testkit::url(&database);

    project.write_models(MODELS_V1);
    project.expect(0, &["revision", "-m", "people"]);
    project.expect(0, &with_db(&url, &["upgrade"]));
    query(
        &url,
        "INSERT INTO public.people (id, mood) VALUES (1, 'happy'), (2, 'sad')",
    );

    project.write_models(MODELS_V2);
    let path = project.expect(0, &["revision", "-m", "feelings"]);
    let revision = std::fs::read_to_string(path.trim_end()).expect("second revision");
    for expected in [
        "-- migrate:up transaction:false",
        "ALTER TYPE \"public\".\"mood\" RENAME TO \"feeling\";",
        "ALTER TYPE \"public\".\"feeling\" RENAME VALUE 'sad' TO 'unhappy';",
        "ALTER TYPE \"public\".\"feeling\" ADD VALUE 'meh' AFTER 'unhappy';",
        "SET DEFAULT 'meh'::public.feeling;",
        "ALTER TYPE \"public\".\"feeling\" RENAME TO \"mood\";",
        "ALTER TYPE \"public\".\"mood\" RENAME VALUE 'unhappy' TO 'sad';",
    ] {
        assert!(
            revision.contains(expected),
            "missing {expected:?} in\n{revision}"
        );
    }
    // Nothing is re-created on the way up: the rows keep their values, relabeled.
    assert!(
        !revision.contains("RENAME TO \"feeling_autogen_old\""),
        "{revision}"
    );

    project.expect(0, &with_db(&url, &["upgrade"]));
    project.expect(0, &with_db(&url, &["check"]));
    assert_eq!(
        query(&url, "SELECT mood::text FROM public.people ORDER BY id"),
        ["happy", "unhappy"]
    );
    assert_eq!(
        query(
            &url,
            "SELECT pg_typeof(mood)::text FROM public.people LIMIT 1"
        ),
        ["feeling"]
    );
    // The new value is the default and is usable.
    query(&url, "INSERT INTO public.people (id) VALUES (3)");
    assert_eq!(
        query(&url, "SELECT mood::text FROM public.people WHERE id = 3"),
        ["meh"]
    );

    // Down removes `meh` (the type is re-created): rows holding it would fail the conversion.
    query(&url, "DELETE FROM public.people WHERE id = 3");
    project.expect(0, &with_db(&url, &["downgrade", "-1"]));
    assert_eq!(
        query(&url, "SELECT mood::text FROM public.people ORDER BY id"),
        ["happy", "sad"]
    );
    assert_eq!(
        query(
            &url,
            "SELECT pg_typeof(mood)::text FROM public.people LIMIT 1"
        ),
        ["mood"]
    );

    // And up again, on the same data.
    project.expect(0, &with_db(&url, &["upgrade"]));
    project.expect(0, &with_db(&url, &["check"]));
    assert_eq!(
        query(&url, "SELECT mood::text FROM public.people ORDER BY id"),
        ["happy", "unhappy"]
    );
}
