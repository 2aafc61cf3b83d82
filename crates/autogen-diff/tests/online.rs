//! Online mode on a real PostgreSQL: the exact plan of each transformation (snapshots), the plan
//! applied statement by statement to a database holding rows converges on the desired schema,
//! and while it runs a second connection keeps writing to the table without waiting on a lock.

use autogen_diff::{Hazard, OnlineOptions, Plan, Transaction, comparable, plan, plan_online};
use autogen_introspect::InspectOptions;
use autogen_schema::Catalog;
use autogen_testkit::autogen_pg::{Client, TempDatabase};
use std::time::{Duration, Instant};

fn fixture(case: &str, side: &str) -> String {
    let path = format!(
        "{}/../../fixtures/diff/{case}/{side}.sql",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

async fn database(sql: &str) -> (TempDatabase, Client) {
    let database = autogen_testkit::fresh_database().await;
    let client = database.connect().await.expect("connect");
    client.batch_execute(sql).await.expect("schema");
    (database, client)
}

async fn inspect(client: &mut Client) -> Catalog {
    autogen_introspect::inspect(client, &InspectOptions::default())
        .await
        .expect("inspect")
        .catalog
}

fn show(plan: &Plan) -> String {
    let mut out = String::new();
    for statement in &plan.statements {
        let hazards: Vec<&str> = statement.hazards.iter().map(Hazard::as_str).collect();
        let outside = match statement.transaction {
            Transaction::Any => "",
            Transaction::Own => " (own transaction)",
            Transaction::None => " (outside a transaction)",
        };
        out.push_str(&format!(
            "-- {} [{}]{outside}\n{}\n",
            statement.change,
            hazards.join(", "),
            statement.sql
        ));
    }
    out
}

/// `from` (with `rows` inserted) → online plan → `to`: the plan is snapshotted, applied
/// statement by statement, and the result must equal `to`.
async fn round_trip(name: &str, from: &str, to: &str, rows: &str) {
    let (_from_db, mut client) = database(from).await;
    let (_to_db, mut to_client) = database(to).await;
    let current = inspect(&mut client).await;
    let desired = inspect(&mut to_client).await;
    let online = plan_online(&current, &desired, &OnlineOptions::default()).expect("plan");
    insta::assert_snapshot!(name, show(&online));
    client.batch_execute(rows).await.expect("rows");
    for statement in &online.statements {
        if let Err(error) = client.batch_execute(&statement.sql).await {
            panic!("{name}: {}\n{error:?}", statement.sql);
        }
    }
    let after = inspect(&mut client).await;
    assert_eq!(
        comparable(&after),
        comparable(&desired),
        "{name}: residual {:?}",
        plan(&after, &desired).map(|plan| plan.to_sql())
    );
}

async fn fixture_round_trip(case: &str, rows: &str) {
    round_trip(case, &fixture(case, "from"), &fixture(case, "to"), rows).await;
}

#[tokio::test]
async fn set_not_null_goes_through_a_validated_check() {
    fixture_round_trip(
        "09_set_not_null",
        "INSERT INTO users VALUES (1, 'a@x'), (2, 'b@x');",
    )
    .await;
}

#[tokio::test]
async fn a_primary_key_is_attached_to_a_concurrent_index() {
    fixture_round_trip(
        "18_add_primary_key",
        "INSERT INTO countries VALUES ('fr', 'France'), ('de', 'Germany');",
    )
    .await;
}

#[tokio::test]
async fn a_unique_constraint_is_attached_to_a_concurrent_index() {
    fixture_round_trip(
        "20_add_unique",
        "INSERT INTO users VALUES (1, 'a@x'), (2, 'b@x');",
    )
    .await;
}

#[tokio::test]
async fn a_check_is_added_not_valid_then_validated() {
    fixture_round_trip(
        "22_add_check",
        "INSERT INTO products VALUES (1, 9.99), (2, 0);",
    )
    .await;
}

#[tokio::test]
async fn a_foreign_key_is_added_not_valid_then_validated() {
    fixture_round_trip(
        "24_add_foreign_key",
        "INSERT INTO orders VALUES (1), (2); INSERT INTO order_items VALUES (1, 1), (2, 2);",
    )
    .await;
}

#[tokio::test]
async fn indexes_are_built_concurrently() {
    fixture_round_trip(
        "29_add_index",
        "INSERT INTO posts (id, author_id, slug) VALUES (1, 1, 'a'), (2, 1, 'b'), (3, 2, 'a');",
    )
    .await;
}

#[tokio::test]
async fn indexes_are_dropped_concurrently() {
    let case = "29_add_index";
    round_trip(
        "drop_index",
        &fixture(case, "to"),
        &fixture(case, "from"),
        "INSERT INTO posts (id, author_id, slug) VALUES (1, 1, 'a'), (2, 1, 'b');",
    )
    .await;
}

#[tokio::test]
async fn a_new_table_keeps_its_plain_statements() {
    round_trip(
        "new_table",
        "CREATE TABLE owners (id integer CONSTRAINT owners_pkey PRIMARY KEY);",
        "CREATE TABLE owners (id integer CONSTRAINT owners_pkey PRIMARY KEY);
         CREATE TABLE pets (
             id integer CONSTRAINT pets_pkey PRIMARY KEY,
             owner_id integer NOT NULL CONSTRAINT pets_owner_id_fkey REFERENCES owners (id),
             name text NOT NULL CONSTRAINT pets_name_check CHECK (name <> ''),
             CONSTRAINT pets_name_key UNIQUE (name)
         );
         CREATE INDEX pets_owner_id_idx ON pets (owner_id);",
        "INSERT INTO owners VALUES (1);",
    )
    .await;
}

#[tokio::test]
async fn timeouts_open_and_close_the_plan() {
    let (_a, mut from) = database(&fixture("22_add_check", "from")).await;
    let (_b, mut to) = database(&fixture("22_add_check", "to")).await;
    let options = OnlineOptions {
        lock_timeout: "2s".into(),
        statement_timeout: Some("10min".into()),
    };
    let plan = plan_online(&inspect(&mut from).await, &inspect(&mut to).await, &options).unwrap();
    let sqls: Vec<&str> = plan.statements.iter().map(|s| s.sql.as_str()).collect();
    assert_eq!(
        sqls[..2],
        [
            "SET lock_timeout = '2s';",
            "SET statement_timeout = '10min';"
        ]
    );
    assert_eq!(
        sqls[sqls.len() - 2..],
        ["RESET lock_timeout;", "RESET statement_timeout;"]
    );
    // No change, no statements (not even the settings).
    let same = inspect(&mut from).await;
    assert!(plan_online(&same, &same, &options).unwrap().is_empty());
}

const LOCK_FROM: &str = "
CREATE TABLE owners (id integer CONSTRAINT owners_pkey PRIMARY KEY);
CREATE TABLE accounts (
    id bigint GENERATED ALWAYS AS IDENTITY CONSTRAINT accounts_pkey PRIMARY KEY,
    owner_id integer,
    email text,
    amount integer
);
INSERT INTO owners SELECT g FROM generate_series(1, 100) g;
INSERT INTO accounts (owner_id, email, amount)
    SELECT 1 + g % 100, 'user' || g || '@example.com', g % 1000 FROM generate_series(1, 200000) g;
";

const LOCK_TO: &str = "
CREATE TABLE owners (id integer CONSTRAINT owners_pkey PRIMARY KEY);
CREATE TABLE accounts (
    id bigint GENERATED ALWAYS AS IDENTITY CONSTRAINT accounts_pkey PRIMARY KEY,
    owner_id integer CONSTRAINT accounts_owner_id_fkey REFERENCES owners (id),
    email text NOT NULL CONSTRAINT accounts_email_key UNIQUE,
    amount integer CONSTRAINT accounts_amount_check CHECK (amount >= 0)
);
CREATE INDEX accounts_owner_id_idx ON accounts (owner_id);
";

/// What the writer saw: how many inserts, the slowest, and the errors.
struct Writes {
    count: usize,
    slowest: Duration,
    errors: Vec<String>,
}

/// Inserts rows one by one (autocommit) until `stop`, each allowed to wait 200 ms for a lock.
async fn write_until(client: Client, stop: tokio::sync::watch::Receiver<bool>) -> Writes {
    client
        .batch_execute("SET lock_timeout = '200ms'")
        .await
        .expect("set lock_timeout");
    let mut writes = Writes {
        count: 0,
        slowest: Duration::ZERO,
        errors: vec![],
    };
    let mut n = 0u64;
    while !*stop.borrow() {
        n += 1;
        let sql = format!(
            "INSERT INTO accounts (owner_id, email, amount) VALUES (1, 'writer{n}@example.com', 1)"
        );
        let started = Instant::now();
        match client.batch_execute(&sql).await {
            Ok(()) => writes.count += 1,
            Err(error) => writes.errors.push(
                error
                    .as_db_error()
                    .map(|e| e.message().to_string())
                    .unwrap_or_else(|| error.to_string()),
            ),
        }
        writes.slowest = writes.slowest.max(started.elapsed());
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    writes
}

#[tokio::test]
async fn writes_go_on_while_the_online_plan_runs() {
    let (database_from, mut client) = database(LOCK_FROM).await;
    let (_to, mut to_client) = database(LOCK_TO).await;
    let current = inspect(&mut client).await;
    let desired = inspect(&mut to_client).await;
    let online = plan_online(&current, &desired, &OnlineOptions::default()).unwrap();
    let kinds = show(&online);
    for expected in [
        "CREATE INDEX CONCURRENTLY",
        "CREATE UNIQUE INDEX CONCURRENTLY",
        "UNIQUE USING INDEX",
        "FOREIGN KEY",
        "CHECK ((amount >= 0)) NOT VALID",
        "IS NOT NULL) NOT VALID",
        "SET NOT NULL",
    ] {
        assert!(kinds.contains(expected), "{expected} in\n{kinds}");
    }

    // The sensor works: the ordinary plan's statements, held in a transaction as a slow build
    // would hold them, make the writer give up after its 200 ms.
    let ordinary = plan(&current, &desired).unwrap();
    let create_index = ordinary
        .statements
        .iter()
        .find(|s| s.sql.starts_with("CREATE INDEX"))
        .expect("a CREATE INDEX");
    let holder = database_from.connect().await.unwrap();
    holder.batch_execute("BEGIN").await.unwrap();
    holder.batch_execute(&create_index.sql).await.unwrap();
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let writer = tokio::spawn(write_until(database_from.connect().await.unwrap(), stop_rx));
    tokio::time::sleep(Duration::from_millis(600)).await;
    stop_tx.send(true).unwrap();
    let blocked = writer.await.unwrap();
    holder.batch_execute("ROLLBACK").await.unwrap();
    assert!(
        blocked.errors.iter().any(|e| e.contains("lock timeout")),
        "the ordinary CREATE INDEX should block writers: {:?}",
        blocked.errors
    );

    // The online plan, while the writer keeps inserting.
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let writer = tokio::spawn(write_until(database_from.connect().await.unwrap(), stop_rx));
    tokio::time::sleep(Duration::from_millis(100)).await;
    let started = Instant::now();
    for statement in &online.statements {
        if let Err(error) = client.batch_execute(&statement.sql).await {
            panic!("{}\n{error:?}", statement.sql);
        }
        // Let the writer run between statements (one thread runs both).
        tokio::task::yield_now().await;
    }
    let took = started.elapsed();
    tokio::time::sleep(Duration::from_millis(100)).await;
    stop_tx.send(true).unwrap();
    let writes = writer.await.unwrap();
    eprintln!(
        "online plan: {} statements in {took:?}; writer: {} inserts, slowest {:?}",
        online.statements.len(),
        writes.count,
        writes.slowest
    );
    assert!(writes.errors.is_empty(), "{:?}", writes.errors);
    assert!(
        writes.count > 10,
        "the writer made progress: {}",
        writes.count
    );
    assert!(
        writes.slowest < Duration::from_secs(2),
        "{:?}",
        writes.slowest
    );
    let after = inspect(&mut client).await;
    assert_eq!(comparable(&after), comparable(&desired));
}

/// A `NOT NULL` alone (nothing built concurrently) still needs the plan run statement by
/// statement: the `NOT VALID` step's ACCESS EXCLUSIVE lock must be committed away before the
/// `VALIDATE` scans, so every step runs in a transaction of its own.
#[tokio::test]
async fn validate_and_its_short_steps_run_in_their_own_transactions() {
    for case in ["09_set_not_null", "22_add_check", "24_add_foreign_key"] {
        let (_from, mut from) = database(&fixture(case, "from")).await;
        let (_to, mut to) = database(&fixture(case, "to")).await;
        let (current, desired) = (inspect(&mut from).await, inspect(&mut to).await);
        let online = plan_online(&current, &desired, &OnlineOptions::default()).unwrap();
        assert!(!online.transactional(), "{case}: {}", show(&online));
        for statement in &online.statements {
            let expected =
                if statement.sql.starts_with("SET ") || statement.sql.starts_with("RESET ") {
                    // Session settings: in effect across the section's transactions.
                    Transaction::Any
                } else {
                    Transaction::Own
                };
            assert_eq!(statement.transaction, expected, "{case}: {}", statement.sql);
        }
        assert!(
            online
                .statements
                .iter()
                .any(|s| s.sql.contains("VALIDATE CONSTRAINT")),
            "{case}"
        );
        // The ordinary plan shares one transaction.
        assert!(plan(&current, &desired).unwrap().transactional(), "{case}");
    }
}

/// `diff --format json`: a statement that needs more than a shared transaction says which
/// (`"transaction"`), and keeps the `"transactional": false` it always had; the others carry
/// neither key.
#[tokio::test]
async fn json_names_the_transaction_a_statement_needs() {
    let case = "29_add_index";
    let (_from, mut from) = database(&fixture(case, "from")).await;
    let (_to, mut to) = database(&fixture(case, "to")).await;
    let (current, desired) = (inspect(&mut from).await, inspect(&mut to).await);
    let mut online = plan_online(&current, &desired, &OnlineOptions::default()).unwrap();
    let (_a, mut check_from) = database(&fixture("22_add_check", "from")).await;
    let (_b, mut check_to) = database(&fixture("22_add_check", "to")).await;
    let checks = plan_online(
        &inspect(&mut check_from).await,
        &inspect(&mut check_to).await,
        &OnlineOptions::default(),
    )
    .unwrap();
    online.statements.extend(checks.statements);
    let json = serde_json::to_value(&online).unwrap();
    let statements = json["statements"].as_array().unwrap();
    let keys = |sql_start: &str| {
        let statement = statements
            .iter()
            .find(|s| s["sql"].as_str().unwrap().starts_with(sql_start))
            .unwrap_or_else(|| panic!("{sql_start} in {json}"));
        (
            statement.get("transaction").cloned(),
            statement.get("transactional").cloned(),
        )
    };
    assert_eq!(keys("SET lock_timeout"), (None, None));
    assert_eq!(
        keys("CREATE INDEX CONCURRENTLY"),
        (Some("none".into()), Some(false.into()))
    );
    assert_eq!(
        keys("ALTER TABLE \"public\".\"products\" VALIDATE"),
        (Some("own".into()), Some(false.into()))
    );
}

const LOGS: &str = "CREATE TABLE logs (at date NOT NULL, line text) PARTITION BY RANGE (at);
     CREATE INDEX logs_at_idx ON logs (at);
     CREATE TABLE logs_2025 PARTITION OF logs FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');";

/// A partition detached without a default partition beside it: `DETACH PARTITION …
/// CONCURRENTLY`, outside a transaction block (PostgreSQL refuses it in one); applied, the
/// database is the desired one and the partition kept its rows.
#[tokio::test]
async fn a_partition_is_detached_concurrently_outside_a_transaction() {
    let from = format!(
        "{LOGS} CREATE TABLE logs_2024 PARTITION OF logs FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');"
    );
    let to = format!(
        "{LOGS} CREATE TABLE logs_2024 (at date NOT NULL, line text);
         CREATE INDEX logs_2024_at_idx ON logs_2024 (at);"
    );
    let (_from_db, mut client) = database(&from).await;
    let (_to_db, mut to_client) = database(&to).await;
    let (current, desired) = (inspect(&mut client).await, inspect(&mut to_client).await);
    let online = plan_online(&current, &desired, &OnlineOptions::default()).expect("plan");
    let detach = online
        .statements
        .iter()
        .find(|s| s.sql.contains("DETACH PARTITION"))
        .unwrap_or_else(|| panic!("no detach in {}", show(&online)));
    assert_eq!(
        detach.sql,
        "ALTER TABLE \"public\".\"logs\" DETACH PARTITION \"public\".\"logs_2024\" CONCURRENTLY;"
    );
    assert_eq!(detach.transaction, Transaction::None);
    assert!(!online.transactional());
    // The check PostgreSQL leaves in place of the bound goes after it.
    assert!(
        online.statements.iter().any(|s| s.sql
            == "ALTER TABLE \"public\".\"logs_2024\" DROP CONSTRAINT IF EXISTS \"logs_2024_at_check\";"),
        "{}",
        show(&online)
    );
    // The ordinary plan keeps the plain form, in the shared transaction.
    let ordinary = plan(&current, &desired).expect("plan");
    assert!(ordinary.transactional());
    assert!(
        ordinary.statements.iter().any(|s| s.sql
            == "ALTER TABLE \"public\".\"logs\" DETACH PARTITION \"public\".\"logs_2024\";"),
        "{}",
        show(&ordinary)
    );
    client
        .batch_execute("INSERT INTO logs VALUES ('2024-02-01', 'a'), ('2025-02-01', 'b');")
        .await
        .expect("rows");
    for statement in &online.statements {
        if let Err(error) = client.batch_execute(&statement.sql).await {
            panic!("{}\n{error:?}", statement.sql);
        }
    }
    let after = inspect(&mut client).await;
    assert_eq!(comparable(&after), comparable(&desired));
    let kept = client
        .query_one("SELECT count(*) FROM logs_2024", &[])
        .await
        .expect("count");
    assert_eq!(kept.get::<_, i64>(0), 1);
}

/// Beside a default partition PostgreSQL refuses `DETACH … CONCURRENTLY`: the plain form stays.
#[tokio::test]
async fn a_partition_beside_a_default_one_is_detached_plainly() {
    let case = "69_partition_attached_and_detached";
    let (_from, mut from) = database(&fixture(case, "from")).await;
    let (_to, mut to) = database(&fixture(case, "to")).await;
    let (current, desired) = (inspect(&mut from).await, inspect(&mut to).await);
    let online = plan_online(&current, &desired, &OnlineOptions::default()).unwrap();
    let detach = online
        .statements
        .iter()
        .find(|s| s.sql.contains("DETACH PARTITION"))
        .unwrap_or_else(|| panic!("no detach in {}", show(&online)));
    assert_eq!(
        detach.sql,
        "ALTER TABLE \"public\".\"events\" DETACH PARTITION \"public\".\"events_2024\";"
    );
    assert_eq!(detach.transaction, Transaction::Any);
}
