//! Expand/contract end to end: `autogen revision --expand-contract` writes an expand and a
//! contract revision for a model edit that adds a required column with a backfill, renames a
//! column and drops one; `upgrade --phase expand` applies the first while an application
//! writer that knows only the old column names keeps writing (none of its writes fails); a
//! writer of the new version, knowing only the new names, works next to it; `check` passes
//! between the phases with a note; `upgrade --phase contract` applies the second while the new
//! writer goes on; the data is right; `downgrade` reverts both.

mod common;

use common::project::{Project, query, runtime, with_db};
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

const BEFORE: &str = r#"
use autogen::Model;

#[derive(Model)]
#[model(table = "people")]
pub struct Person {
    #[model(primary_key, identity)]
    pub id: i64,
    pub fullname: String,
    pub legacy: Option<i32>,
}
"#;

const AFTER: &str = r#"
use autogen::Model;

#[derive(Model)]
#[model(table = "people")]
pub struct Person {
    #[model(primary_key, identity)]
    pub id: i64,
    #[model(renamed_from = "fullname")]
    pub full_name: String,
    #[model(backfill = "'p' || id || '@example.com'")]
    pub email: String,
}
"#;

/// An application writer on a plain connection: inserts a row, then renames it, again and
/// again, through the column names of one application version only.
struct Writer {
    stop: Arc<AtomicBool>,
    writes: Arc<AtomicUsize>,
    errors: Arc<Mutex<Vec<String>>>,
    /// id → the name it last wrote (what the renamed column must hold at the end).
    names: Arc<Mutex<BTreeMap<i64, String>>>,
    thread: Option<JoinHandle<()>>,
}

/// The statements of one application version: an insert of a row named `name` (`n`-th) that
/// returns its id, and an update renaming row `id` to `name`.
#[derive(Clone, Copy)]
struct Version {
    tag: &'static str,
    insert: fn(name: &str, n: u64) -> String,
    update: fn(id: i64, name: &str) -> String,
}

/// Knows `fullname` and `legacy`.
const OLD: Version = Version {
    tag: "old",
    insert: |name, n| {
        format!("INSERT INTO people (fullname, legacy) VALUES ('{name}', {n}) RETURNING id")
    },
    update: |id, name| format!("UPDATE people SET fullname = '{name}' WHERE id = {id}"),
};

/// Knows `full_name` and `email`.
const NEW: Version = Version {
    tag: "new",
    insert: |name, _| {
        format!(
            "INSERT INTO people (full_name, email) VALUES ('{name}', '{name}@example.com') RETURNING id"
        )
    },
    update: |id, name| format!("UPDATE people SET full_name = '{name}' WHERE id = {id}"),
};

impl Writer {
    fn start(url: &str, version: Version) -> Writer {
        let stop = Arc::new(AtomicBool::new(false));
        let writes = Arc::new(AtomicUsize::new(0));
        let errors = Arc::new(Mutex::new(Vec::new()));
        let names = Arc::new(Mutex::new(BTreeMap::new()));
        let thread = {
            let (url, stop, writes, errors, names) = (
                url.to_string(),
                stop.clone(),
                writes.clone(),
                errors.clone(),
                names.clone(),
            );
            std::thread::spawn(move || {
                runtime().block_on(async {
                    let spec =
                        autogen_testkit::autogen_pg::ConnectionSpec::parse(&url).expect("url");
                    let client = spec.connect().await.expect("connect");
                    let tag = version.tag;
                    let mut n = 0u64;
                    while !stop.load(Ordering::SeqCst) {
                        n += 1;
                        let name = format!("{tag}-{n}");
                        let insert = (version.insert)(&name, n);
                        let id = match first_value(&client, &insert).await {
                            Ok(id) => id,
                            Err(error) => {
                                errors.lock().unwrap().push(format!("{insert}: {error}"));
                                continue;
                            }
                        };
                        writes.fetch_add(1, Ordering::SeqCst);
                        let renamed = format!("{name}-u");
                        let update = (version.update)(id, &renamed);
                        match client.simple_query(&update).await {
                            Ok(_) => {
                                writes.fetch_add(1, Ordering::SeqCst);
                                names.lock().unwrap().insert(id, renamed);
                            }
                            Err(error) => {
                                names.lock().unwrap().insert(id, name);
                                errors.lock().unwrap().push(format!("{update}: {error}"));
                            }
                        }
                        tokio::time::sleep(std::time::Duration::from_millis(2)).await;
                    }
                });
            })
        };
        Writer {
            stop,
            writes,
            errors,
            names,
            thread: Some(thread),
        }
    }

    fn writes(&self) -> usize {
        self.writes.load(Ordering::SeqCst)
    }

    /// Waits (without a time limit of its own: the test harness has one) until `more` writes
    /// past `from` succeeded.
    fn wait_for(&self, from: usize, more: usize) {
        while self.writes() < from + more {
            assert!(
                self.errors.lock().unwrap().is_empty(),
                "writes failed: {:?}",
                self.errors.lock().unwrap()
            );
            std::thread::sleep(std::time::Duration::from_millis(5));
        }
    }

    /// Stops the writer; its successful writes and the names it wrote, after asserting that
    /// none of its writes failed.
    fn finish(mut self) -> (usize, BTreeMap<i64, String>) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(thread) = self.thread.take() {
            thread.join().expect("writer thread");
        }
        let errors = self.errors.lock().unwrap().clone();
        assert!(errors.is_empty(), "writes failed: {errors:#?}");
        let names = self.names.lock().unwrap().clone();
        (self.writes(), names)
    }
}

async fn first_value(
    client: &autogen_testkit::autogen_pg::Client,
    sql: &str,
) -> Result<i64, String> {
    let messages = client
        .simple_query(sql)
        .await
        .map_err(|error| autogen_testkit::autogen_pg::error_text(&error))?;
    messages
        .iter()
        .find_map(|message| match message {
            autogen_testkit::autogen_pg::tokio_postgres::SimpleQueryMessage::Row(row) => {
                row.get(0).and_then(|value| value.parse().ok())
            }
            _ => None,
        })
        .ok_or_else(|| "no row returned".to_string())
}

fn header(path: &std::path::Path, key: &str) -> Option<String> {
    let text = std::fs::read_to_string(path).expect("read revision");
    text.lines()
        .find_map(|line| line.strip_prefix(&format!("-- {key}: ")))
        .map(str::to_string)
}

#[test]
fn expand_contract_deploy_keeps_old_and_new_writers_working() {
    let project = Project::new();
    let (_database, url) = common::project::fresh_database();
    project.write_models(BEFORE);
    project.expect(0, &["revision", "-m", "people"]);
    project.expect(0, &with_db(&url, &["upgrade"]));
    common::project::execute(
        &url,
        "INSERT INTO people (fullname, legacy) SELECT 'person-' || i, i FROM generate_series(1, 200) AS i;",
    );

    // Generating: two files, the contract one a child of the expand one.
    project.write_models(AFTER);
    project.expect(0, &["revision", "-m", "deploy v2", "--expand-contract"]);
    let revisions = project.revisions();
    assert_eq!(revisions.len(), 3, "{revisions:?}");
    let (expand, contract) = (&revisions[1], &revisions[2]);
    assert_eq!(header(expand, "phase").as_deref(), Some("expand"));
    assert_eq!(header(contract, "phase").as_deref(), Some("contract"));
    let expand_id = header(expand, "revision").expect("id");
    let contract_id = header(contract, "revision").expect("id");
    assert_eq!(header(contract, "parents"), Some(expand_id.clone()));
    let expand_sql = std::fs::read_to_string(expand).expect("read");
    let contract_sql = std::fs::read_to_string(contract).expect("read");
    let up = |text: &str| {
        text.split("-- migrate:down")
            .next()
            .unwrap_or_default()
            .to_string()
    };
    assert!(
        up(&expand_sql).contains("ADD COLUMN \"full_name\" text;"),
        "{expand_sql}"
    );
    assert!(up(&expand_sql).contains("CREATE TRIGGER"), "{expand_sql}");
    assert!(
        up(&expand_sql).contains("ADD COLUMN \"email\" text;"),
        "{expand_sql}"
    );
    assert!(!up(&expand_sql).contains("DROP COLUMN"), "{expand_sql}");
    assert!(
        up(&contract_sql).contains("DROP COLUMN \"fullname\""),
        "{contract_sql}"
    );
    assert!(
        up(&contract_sql).contains("DROP COLUMN \"legacy\""),
        "{contract_sql}"
    );
    assert!(up(&contract_sql).contains("DROP TRIGGER"), "{contract_sql}");
    assert!(up(&contract_sql).contains("SET NOT NULL"), "{contract_sql}");

    // Expand, with the old version writing all along.
    let old = Writer::start(&url, OLD);
    old.wait_for(0, 10);
    let (_, stderr) = project.expect_both(0, &with_db(&url, &["upgrade", "--phase", "expand"]));
    assert!(
        stderr.contains(&format!("skipped {contract_id}")),
        "{stderr}"
    );
    let during_expand = old.writes();
    // The new version is deployed next to the old one: both write.
    let new = Writer::start(&url, NEW);
    new.wait_for(0, 10);
    old.wait_for(during_expand, 10);

    let (stdout, stderr) = project.expect_both(0, &with_db(&url, &["check"]));
    assert!(
        stderr.contains(&format!(
            "between expand and contract: contract revision {contract_id} pending"
        )),
        "{stdout}\n{stderr}"
    );
    // The old version is retired; the new one keeps writing through the contract.
    let (old_writes, old_names) = old.finish();
    assert!(old_writes > during_expand && during_expand > 0);
    let (_, stderr) = project.expect_both(0, &with_db(&url, &["upgrade", "--phase", "contract"]));
    assert!(!stderr.contains("skipped"), "{stderr}");
    let current = new.writes();
    new.wait_for(current, 10);
    let (new_writes, new_names) = new.finish();
    assert!(new_writes > 0);
    project.expect(0, &with_db(&url, &["check"]));

    // Every row kept its name under the new column, whoever wrote it, and has an email.
    let expect_names = |column: &str| {
        let rows = query(
            &url,
            &format!("SELECT id || '=' || {column} FROM people ORDER BY id"),
        );
        let stored: BTreeMap<i64, String> = rows
            .iter()
            .map(|row| {
                let (id, name) = row.split_once('=').expect("id=name");
                (id.parse().expect("id"), name.to_string())
            })
            .collect();
        for i in 1..=200 {
            assert_eq!(stored.get(&i), Some(&format!("person-{i}")), "row {i}");
        }
        for (id, name) in old_names.iter().chain(&new_names) {
            assert_eq!(stored.get(id), Some(name), "row {id} in {column}");
        }
        assert_eq!(stored.len(), 200 + old_names.len() + new_names.len());
    };
    expect_names("full_name");
    assert_eq!(
        query(&url, "SELECT count(*) FROM people WHERE email IS NULL"),
        ["0"]
    );
    assert_eq!(
        query(&url, "SELECT email FROM people WHERE id = 7"),
        ["p7@example.com"]
    );

    // Down both sides: the old column holds every name again.
    project.expect(0, &with_db(&url, &["downgrade", "-1", "--allow-data-loss"]));
    project.expect(0, &with_db(&url, &["downgrade", "-1", "--allow-data-loss"]));
    expect_names("fullname");
    assert_eq!(
        query(
            &url,
            "SELECT string_agg(column_name, ',' ORDER BY ordinal_position) FROM information_schema.columns WHERE table_name = 'people'"
        ),
        ["id,fullname,legacy"]
    );
    // A plain upgrade applies both sides at once, as for any revisions.
    let (_, stderr) = project.expect_both(0, &with_db(&url, &["upgrade"]));
    assert!(stderr.contains("applied 2 revision(s)"), "{stderr}");
    project.expect(0, &with_db(&url, &["check"]));
    expect_names("full_name");
}

#[test]
fn offline_upgrade_honours_the_phase() {
    let project = Project::new();
    project.write_models(BEFORE);
    project.expect(0, &["revision", "-m", "people"]);
    project.write_models(AFTER);
    project.expect(0, &["revision", "-m", "deploy v2", "--expand-contract"]);
    let revisions = project.revisions();
    let ids: Vec<String> = revisions
        .iter()
        .map(|path| header(path, "revision").expect("id"))
        .collect();
    let history = project.expect(0, &["history"]);
    assert!(
        history.contains(&format!("{} (contract, head)", ids[2])),
        "{history}"
    );
    assert!(
        history.contains(&format!("{} (expand)", ids[1])),
        "{history}"
    );
    let expand = project.expect(0, &["upgrade", "--sql", "--phase", "expand"]);
    assert!(
        expand.contains(&format!("-- revision: {}", ids[1])),
        "{expand}"
    );
    assert!(
        !expand.contains(&format!("-- revision: {}", ids[2])),
        "{expand}"
    );
    assert!(
        expand.contains(&format!("-- skipped (not in this phase): {}", ids[2])),
        "{expand}"
    );
    let contract = project.expect(
        0,
        &[
            "upgrade",
            "--sql",
            "--phase",
            "contract",
            &format!("{}:head", ids[1]),
        ],
    );
    assert!(
        contract.contains(&format!("-- revision: {}", ids[2])),
        "{contract}"
    );
    assert!(
        !contract.contains(&format!("-- revision: {} ", ids[1])),
        "{contract}"
    );
}

const ACCOUNTS: &str = r#"
use autogen::Model;

#[derive(Model)]
#[model(table = "accounts")]
pub struct Account {
    #[model(primary_key, identity)]
    pub id: i64,
    pub name: String,
}
"#;

const USERS: &str = r#"
use autogen::Model;

#[derive(Model)]
#[model(table = "users", renamed_from = "accounts")]
pub struct User {
    #[model(primary_key, identity)]
    pub id: i64,
    pub name: String,
}
"#;

/// Knows the table as `accounts`.
const ACCOUNTS_APP: Version = Version {
    tag: "old",
    insert: |name, _| format!("INSERT INTO accounts (name) VALUES ('{name}') RETURNING id"),
    update: |id, name| format!("UPDATE accounts SET name = '{name}' WHERE id = {id}"),
};

/// Knows the table as `users`.
const USERS_APP: Version = Version {
    tag: "new",
    insert: |name, _| format!("INSERT INTO users (name) VALUES ('{name}') RETURNING id"),
    update: |id, name| format!("UPDATE users SET name = '{name}' WHERE id = {id}"),
};

#[test]
fn a_renamed_table_keeps_its_old_name_as_a_view_until_contract() {
    let project = Project::new();
    let (_database, url) = common::project::fresh_database();
    project.write_models(ACCOUNTS);
    project.expect(0, &["revision", "-m", "accounts"]);
    project.expect(0, &with_db(&url, &["upgrade"]));
    common::project::execute(
        &url,
        "INSERT INTO accounts (name) SELECT 'account-' || i FROM generate_series(1, 50) AS i;",
    );
    project.write_models(USERS);
    // The project setting instead of the flag.
    let config_path = project.path().join("autogen.toml");
    let config = std::fs::read_to_string(&config_path).expect("read autogen.toml");
    let enabled = config.replacen(
        "[migrations]\n",
        "[migrations]\nexpand_contract = true\n",
        1,
    );
    assert_ne!(enabled, config);
    std::fs::write(&config_path, enabled).expect("write autogen.toml");
    project.expect(0, &["revision", "-m", "users"]);
    let revisions = project.revisions();
    assert_eq!(revisions.len(), 3, "{revisions:?}");
    let expand_sql = std::fs::read_to_string(&revisions[1]).expect("read");
    assert!(
        expand_sql
            .contains("CREATE VIEW \"public\".\"accounts\" AS SELECT * FROM \"public\".\"users\";"),
        "{expand_sql}"
    );
    assert_eq!(header(&revisions[2], "phase").as_deref(), Some("contract"));

    let old = Writer::start(&url, ACCOUNTS_APP);
    old.wait_for(0, 10);
    let report = project.expect(
        0,
        &with_db(&url, &["upgrade", "--phase", "expand", "--format", "json"]),
    );
    let report: serde_json::Value = serde_json::from_str(&report).expect("json");
    let contract_id = header(&revisions[2], "revision").expect("id");
    assert_eq!(
        report["skipped"],
        serde_json::json!([contract_id]),
        "{report}"
    );
    assert_eq!(report["ran"].as_array().map(Vec::len), Some(1), "{report}");
    let during_expand = old.writes();
    let new = Writer::start(&url, USERS_APP);
    new.wait_for(0, 10);
    old.wait_for(during_expand, 10);
    let (_, stderr) = project.expect_both(0, &with_db(&url, &["check"]));
    assert!(stderr.contains("between expand and contract"), "{stderr}");
    let (_, old_names) = old.finish();
    project.expect(0, &with_db(&url, &["upgrade", "--phase", "contract"]));
    let (_, new_names) = new.finish();
    project.expect(0, &with_db(&url, &["check"]));
    let names = |table: &str| -> BTreeMap<i64, String> {
        query(&url, &format!("SELECT id || '=' || name FROM {table}"))
            .iter()
            .map(|row| {
                let (id, name) = row.split_once('=').expect("id=name");
                (id.parse().expect("id"), name.to_string())
            })
            .collect()
    };
    let stored = names("users");
    assert_eq!(stored.len(), 50 + old_names.len() + new_names.len());
    for (id, name) in old_names.iter().chain(&new_names) {
        assert_eq!(stored.get(id), Some(name));
    }
    assert_eq!(
        query(
            &url,
            "SELECT count(*) FROM pg_views WHERE viewname = 'accounts'"
        ),
        ["0"]
    );
    project.expect(0, &with_db(&url, &["downgrade", "-2", "--allow-data-loss"]));
    assert_eq!(names("accounts"), stored);
}

#[test]
fn a_change_with_only_a_contract_side_is_one_contract_revision() {
    let project = Project::new();
    project.write_models(BEFORE);
    project.expect(0, &["revision", "-m", "people"]);
    project.write_models(&BEFORE.replace("    pub legacy: Option<i32>,\n", ""));
    let (_, stderr) =
        project.expect_both(0, &["revision", "-m", "drop legacy", "--expand-contract"]);
    assert!(
        stderr.contains("every change belongs to the contract side"),
        "{stderr}"
    );
    let revisions = project.revisions();
    assert_eq!(revisions.len(), 2);
    assert_eq!(header(&revisions[1], "phase").as_deref(), Some("contract"));
    let id = header(&revisions[1], "revision").expect("id");
    // The drop waits for the deploy.
    let expand = project.expect(0, &["upgrade", "--sql", "--phase", "expand"]);
    assert!(!expand.contains(&format!("-- revision: {id}")), "{expand}");
}
