//! One round trip on a real PostgreSQL: A and B are created in fresh databases and inspected
//! (catalogs a and b); `up = plan(a, b)` applied to A's database must give b, then
//! `down = plan(b, a)` must give a again, and the diff of the result and its target must be
//! empty. A failure is returned as a report (plans, failing statement, residual difference).

use crate::generate::{ENUM_VALUE_REMOVAL, Pair};
use autogen_diff::{DiffError, Plan, comparable};
use autogen_introspect::InspectOptions;
use autogen_schema::Catalog;
use autogen_testkit::autogen_pg::{Client, TempDatabase};
use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;
use tokio::task::JoinHandle;

/// Fresh databases for the round trips: the pair for the next case is created while the
/// current one runs, and used ones are dropped in the background.
#[derive(Default)]
pub struct Databases {
    next: RefCell<Option<JoinHandle<(TempDatabase, TempDatabase)>>>,
    dropping: RefCell<Vec<JoinHandle<()>>>,
    /// How often each kind of change was planned (up and down) until the first failure, to
    /// see what the cases cover.
    coverage: RefCell<BTreeMap<String, usize>>,
    /// Cases that passed before the first failure (then shrinking runs more).
    passed: Cell<usize>,
    failed: Cell<bool>,
}

async fn fresh_pair() -> (TempDatabase, TempDatabase) {
    tokio::join!(
        autogen_testkit::fresh_database(),
        autogen_testkit::fresh_database()
    )
}

impl Databases {
    async fn take(&self) -> (TempDatabase, TempDatabase) {
        let prepared = self.next.borrow_mut().take();
        let pair = match prepared {
            Some(handle) => handle.await.expect("creating the databases panicked"),
            None => fresh_pair().await,
        };
        *self.next.borrow_mut() = Some(tokio::spawn(fresh_pair()));
        pair
    }

    fn release(&self, a: TempDatabase, b: TempDatabase) {
        let mut dropping = self.dropping.borrow_mut();
        dropping.retain(|handle| !handle.is_finished());
        dropping.push(tokio::spawn(async move {
            let (dropped_a, dropped_b) = tokio::join!(a.drop_database(), b.drop_database());
            for dropped in [dropped_a, dropped_b] {
                if let Err(error) = dropped {
                    eprintln!("roundtrip: could not drop a temporary database: {error}");
                }
            }
        }));
    }

    /// Drops the prepared pair and waits for every drop.
    pub async fn finish(&self) {
        let prepared = self.next.borrow_mut().take();
        if let Some(handle) = prepared
            && let Ok((a, b)) = handle.await
        {
            self.release(a, b);
        }
        let dropping = std::mem::take(&mut *self.dropping.borrow_mut());
        for handle in dropping {
            let _ = handle.await;
        }
    }

    /// Runs the round trip of `pair` on two fresh databases.
    pub async fn round_trip(&self, pair: &Pair) -> Result<(), String> {
        let (db_a, db_b) = self.take().await;
        let mut coverage = BTreeMap::new();
        let result = run(&db_a, &db_b, pair, &mut coverage).await;
        self.release(db_a, db_b);
        if !self.failed.get() {
            if result.is_ok() {
                self.passed.set(self.passed.get() + 1);
                let mut total = self.coverage.borrow_mut();
                for (kind, count) in coverage {
                    *total.entry(kind).or_default() += count;
                }
            } else {
                self.failed.set(true);
            }
        }
        result
    }

    pub fn passed(&self) -> usize {
        self.passed.get()
    }

    /// `kind count` pairs, most frequent first.
    pub fn coverage_summary(&self) -> String {
        let coverage = self.coverage.borrow();
        let mut kinds: Vec<(&String, &usize)> = coverage.iter().collect();
        kinds.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
        kinds
            .iter()
            .map(|(kind, count)| format!("{kind} {count}"))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

async fn run(
    db_a: &TempDatabase,
    db_b: &TempDatabase,
    pair: &Pair,
    coverage: &mut BTreeMap<String, usize>,
) -> Result<(), String> {
    let (sql_a, sql_b) = (pair.a.to_sql(), pair.b.to_sql());
    let (a, b, mut client) = {
        let (setup_a, setup_b) = tokio::join!(create(db_a, &sql_a), create(db_b, &sql_b));
        let (client, a) = setup_a.map_err(|e| format!("generator bug: schema A: {e}"))?;
        let (_, b) = setup_b.map_err(|e| format!("generator bug: schema B: {e}"))?;
        (a, b, client)
    };

    let up = autogen_diff::plan(&a, &b).map_err(|e| format!("plan(a, b) failed: {e}"))?;
    let down = match autogen_diff::plan(&b, &a) {
        Ok(down) => Some(down),
        // Without removal of enum labels, the down of an added label cannot be planned yet.
        Err(DiffError::Unsupported { what })
            if !ENUM_VALUE_REMOVAL && what.starts_with("removing or reordering values of enum") =>
        {
            None
        }
        Err(error) => return Err(format!("plan(b, a) failed: {error}\n{}", show("up", &up))),
    };
    count_changes(coverage, &a, &b);
    count_changes(coverage, &b, &a);
    let report = |what: String| {
        let mut text = what;
        text.push_str(&show("up", &up));
        if let Some(down) = &down {
            text.push_str(&show("down", down));
        }
        text
    };

    apply(&client, &up, "up").await.map_err(report)?;
    let after_up = inspect(&mut client).await.map_err(report)?;
    converged("up", &after_up, &b).map_err(report)?;

    let Some(down_plan) = &down else {
        return Ok(());
    };
    apply(&client, down_plan, "down").await.map_err(report)?;
    let after_down = inspect(&mut client).await.map_err(report)?;
    converged("down", &after_down, &a).map_err(report)?;
    Ok(())
}

fn count_changes(coverage: &mut BTreeMap<String, usize>, from: &Catalog, to: &Catalog) {
    let Ok(changes) = autogen_diff::diff(from, to) else {
        return;
    };
    for change in changes {
        let value = serde_json::to_value(&change).unwrap_or_default();
        let mut kind = value["kind"].as_str().unwrap_or("?").to_string();
        if value["conversion"] == "via_text" && value["from"] == value["to"] {
            kind = "convert_to_recreated_enum".into();
        }

        *coverage.entry(kind).or_default() += 1;
    }
}

/// A fresh database with `sql` loaded: its client and catalog.
async fn create(database: &TempDatabase, sql: &str) -> Result<(Client, Catalog), String> {
    let mut client = database.connect().await.map_err(|e| e.to_string())?;
    client
        .batch_execute(sql)
        .await
        .map_err(|e| autogen_testkit::autogen_pg::error_text(&e))?;
    let catalog = inspect(&mut client).await?;
    Ok((client, catalog))
}

async fn inspect(client: &mut Client) -> Result<Catalog, String> {
    autogen_introspect::inspect(client, &InspectOptions::default())
        .await
        .map(|inspection| inspection.catalog)
        .map_err(|e| format!("inspect failed: {e}"))
}

/// Runs `plan` statement by statement (as `autogen diff` verification does: each statement
/// commits, so an enum label added by one is usable by the next).
async fn apply(client: &Client, plan: &Plan, direction: &str) -> Result<(), String> {
    for (number, statement) in plan.statements.iter().enumerate() {
        if let Err(error) = client.batch_execute(&statement.sql).await {
            return Err(format!(
                "{direction} statement {} failed: {}\n  {}\n",
                number + 1,
                autogen_testkit::autogen_pg::error_text(&error),
                statement.sql
            ));
        }
    }
    Ok(())
}

/// Equal (column order aside), and nothing left for the diff to do; else what differs.
fn converged(direction: &str, actual: &Catalog, expected: &Catalog) -> Result<(), String> {
    let changes = autogen_diff::diff(actual, expected);
    let same = autogen_diff::equivalent(actual, expected);
    if same && changes.as_ref().is_ok_and(Vec::is_empty) {
        return Ok(());
    }
    let residual = match changes {
        Ok(changes) if changes.is_empty() => "none (a difference the diff does not see)".into(),
        Ok(changes) => changes
            .iter()
            .map(|change| format!("\n  {}", change.summary()))
            .collect(),
        Err(error) => error.to_string(),
    };
    Err(format!(
        "after {direction}, the database is not the {} schema{}\n\
         remaining changes by the diff engine: {residual}\n\
         catalog difference (- expected, + actual; columns sorted by name):\n{}",
        if direction == "up" { "B" } else { "A" },
        if same {
            ", though the catalogs compare equal"
        } else {
            ""
        },
        line_diff(
            &comparable(expected).to_json(),
            &comparable(actual).to_json()
        )
    ))
}

fn show(direction: &str, plan: &Plan) -> String {
    format!(
        "\n-- {direction} plan ({} statements) --\n{}",
        plan.statements.len(),
        plan.to_sql()
    )
}

/// The differing lines of two texts with two lines of context (an LCS diff: the catalogs of a
/// generated pair are a few hundred lines at most).
pub fn line_diff(expected: &str, actual: &str) -> String {
    let (old, new): (Vec<&str>, Vec<&str>) = (expected.lines().collect(), actual.lines().collect());
    let (n, m) = (old.len(), new.len());
    let mut lcs = vec![vec![0u32; m + 1]; n + 1];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            lcs[i][j] = if old[i] == new[j] {
                lcs[i + 1][j + 1] + 1
            } else {
                lcs[i + 1][j].max(lcs[i][j + 1])
            };
        }
    }
    let mut lines: Vec<(char, &str)> = Vec::new();
    let (mut i, mut j) = (0, 0);
    while i < n || j < m {
        if i < n && j < m && old[i] == new[j] {
            lines.push((' ', old[i]));
            i += 1;
            j += 1;
        } else if j < m && (i == n || lcs[i][j + 1] >= lcs[i + 1][j]) {
            lines.push(('+', new[j]));
            j += 1;
        } else {
            lines.push(('-', old[i]));
            i += 1;
        }
    }
    const CONTEXT: usize = 2;
    let near_change = |k: usize| {
        let from = k.saturating_sub(CONTEXT);
        let to = (k + CONTEXT + 1).min(lines.len());
        lines[from..to].iter().any(|(sign, _)| *sign != ' ')
    };
    let mut out = String::new();
    let mut skipped = false;
    for (k, (sign, line)) in lines.iter().enumerate() {
        if near_change(k) {
            if skipped {
                out.push_str("  ...\n");
                skipped = false;
            }
            out.push_str(&format!("{sign} {line}\n"));
        } else {
            skipped = true;
        }
    }
    if out.is_empty() {
        out.push_str("  (no line differs)\n");
    }
    out
}
