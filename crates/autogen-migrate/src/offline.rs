//! `upgrade --sql` / `downgrade --sql`: the script a DBA runs instead of the runner. It does what
//! the runner does (same lock, same tracking rows, one transaction per revision unless the
//! section says `transaction:false`), meant for `psql -v ON_ERROR_STOP=1 -f`.

use std::collections::BTreeSet;
use std::fmt::Write;

use crate::batch::BatchOptions;
use crate::concurrent::{concurrent_index_target, index_lookup};
use crate::split::split_statements;
use crate::tracking::{ADVISORY_LOCK_KEY, create_table_sql, qualified_table};
use crate::{
    DowngradeTarget, MigrateError, RevisionFile, RevisionGraph, RevisionPhase, Section,
    UpgradeTarget,
};

/// The SQL that upgrades a database at `from` (with its ancestors; `None` = empty database)
/// to `target`.
pub fn offline_upgrade_sql(
    graph: &RevisionGraph,
    from: Option<&str>,
    target: &UpgradeTarget,
) -> Result<String, MigrateError> {
    offline_upgrade_phase_sql(graph, from, target, None)
}

/// [`offline_upgrade_sql`] restricted to one deploy phase (`upgrade --sql --phase`, see
/// [`crate::restrict_to_phase`]): the revisions the phase leaves for later are named in a
/// comment.
pub fn offline_upgrade_phase_sql(
    graph: &RevisionGraph,
    from: Option<&str>,
    target: &UpgradeTarget,
    phase: Option<RevisionPhase>,
) -> Result<String, MigrateError> {
    let applied = applied_at(graph, from)?;
    let plan = graph.upgrade_plan(&applied, target)?;
    let (plan, skipped) = match phase {
        Some(phase) => {
            let cut = crate::restrict_to_phase(plan, &applied, phase);
            (cut.run, cut.skipped)
        }
        None => (plan, Vec::new()),
    };
    let target_text = match target {
        UpgradeTarget::Head => "head".to_owned(),
        UpgradeTarget::Heads => "heads".to_owned(),
        UpgradeTarget::Revision(id) => id.clone(),
        UpgradeTarget::Revisions(ids) => ids.iter().cloned().collect::<Vec<_>>().join(", "),
        UpgradeTarget::Relative(n) => format!("+{n}"),
    };
    let mut out = preamble("upgrade", from.unwrap_or("base"), &target_text);
    if let Some(phase) = phase {
        let _ = writeln!(out, "-- phase {phase} only");
    }
    for file in &skipped {
        let _ = writeln!(
            out,
            "-- skipped (not in this phase): {} {}",
            file.revision.id,
            file.revision.phase.map_or("", RevisionPhase::name)
        );
    }
    out.push('\n');
    out.push_str(&create_table_sql());
    out.push_str(";\n");
    let table = qualified_table();
    for file in &plan {
        let record = format!(
            "INSERT INTO {table} (revision, checksum, duration_ms) VALUES ({}, {}, 0);\n",
            literal(&file.revision.id),
            literal(&file.checksum)
        );
        revision_block(&mut out, file, &file.revision.up, &record);
    }
    finish(&mut out, plan.len(), "apply");
    Ok(out)
}

/// The SQL that downgrades a database at `from` (with its ancestors) to `target`.
pub fn offline_downgrade_sql(
    graph: &RevisionGraph,
    from: &str,
    target: &DowngradeTarget,
) -> Result<String, MigrateError> {
    let applied = applied_at(graph, Some(from))?;
    let plan = graph.downgrade_plan(&applied, target)?;
    let target_text = match target {
        DowngradeTarget::Base => "base".to_owned(),
        DowngradeTarget::Revision(id) => id.clone(),
        DowngradeTarget::Relative(n) => format!("-{n}"),
    };
    let mut out = preamble("downgrade", from, &target_text);
    let table = qualified_table();
    for file in &plan {
        let record = format!(
            "DELETE FROM {table} WHERE revision = {};\n",
            literal(&file.revision.id)
        );
        revision_block(&mut out, file, &file.revision.down, &record);
    }
    finish(&mut out, plan.len(), "revert");
    Ok(out)
}

/// `from` and its ancestors; `from` must be in the graph.
fn applied_at(graph: &RevisionGraph, from: Option<&str>) -> Result<BTreeSet<String>, MigrateError> {
    match from {
        None => Ok(BTreeSet::new()),
        Some(id) => {
            graph.known(id)?;
            Ok(graph.ancestors(id))
        }
    }
}

fn preamble(action: &str, from: &str, to: &str) -> String {
    format!(
        "-- autogen offline {action} from {from} to {to}\n\
         -- Run with: psql -v ON_ERROR_STOP=1 -f FILE\n\
         \n\
         -- The lock the autogen runner takes, so no runner works on this database meanwhile.\n\
         SELECT pg_advisory_lock({ADVISORY_LOCK_KEY});\n"
    )
}

fn finish(out: &mut String, count: usize, verb: &str) {
    if count == 0 {
        let _ = writeln!(out, "\n-- nothing to {verb}");
    }
    let _ = write!(out, "\nSELECT pg_advisory_unlock({ADVISORY_LOCK_KEY});\n");
}

/// One revision: its section, then its tracking-row change, in a transaction unless the
/// section runs outside one.
fn revision_block(out: &mut String, file: &RevisionFile, section: &Section, record: &str) {
    let message: String = file
        .revision
        .message
        .chars()
        .map(|c| if c == '\n' || c == '\r' { ' ' } else { c })
        .collect();
    let _ = writeln!(
        out,
        "\n-- revision: {} ({})",
        file.revision.id,
        message.trim()
    );
    if section.transactional {
        out.push_str("BEGIN;\n");
    } else {
        out.push_str("-- transaction:false: each statement runs and commits on its own\n");
    }
    if !section.sql.trim().is_empty() {
        out.push_str(&with_invalid_index_cleanups(section));
        out.push('\n');
        // A last statement without `;` would run together with the tracking statement.
        if split_statements(&section.sql)
            .last()
            .is_some_and(|statement| !statement.sql.ends_with(';'))
        {
            out.push_str(";\n");
        }
    }
    out.push_str(record);
    if section.transactional {
        out.push_str("COMMIT;\n");
    }
}

/// The section's SQL; in a `transaction:false` section with the cleanup of a failed earlier
/// build before the line where each concurrent index build starts (as the runner does), and
/// each batched statement as a `DO` block that runs it batch by batch.
fn with_invalid_index_cleanups(section: &Section) -> String {
    if section.transactional {
        return section.sql.clone();
    }
    let statements = split_statements(&section.sql);
    let cleanups: Vec<(usize, String)> = statements
        .iter()
        .filter_map(|statement| {
            offline_invalid_index_cleanup(&statement.sql).map(|cleanup| (statement.line, cleanup))
        })
        .collect();
    let mut out = String::with_capacity(section.sql.len());
    let mut line_starts = Vec::new();
    let mut offset = 0;
    for line in section.sql.split_inclusive('\n') {
        line_starts.push(offset);
        offset += line.len();
    }
    // Byte ranges of the batched statements and their replacement. A batched statement is the
    // first thing on its line (only comment lines are between it and its directive).
    let mut batched: Vec<(usize, usize, String)> = Vec::new();
    for statement in &statements {
        let Some(options) = &statement.batch else {
            continue;
        };
        let Some(&line_start) = line_starts.get(statement.line - 1) else {
            continue;
        };
        let Some(start) = section.sql[line_start..]
            .find(&statement.sql)
            .map(|at| line_start + at)
        else {
            continue;
        };
        let line = match section.first_line {
            0 => statement.line,
            first => first + statement.line - 1,
        };
        batched.push((
            start,
            start + statement.sql.len(),
            batch_block(&statement.sql, options, line),
        ));
    }
    let mut at = 0;
    for (index, &line_start) in line_starts.iter().enumerate() {
        for (_, cleanup) in cleanups.iter().filter(|(line, _)| *line == index + 1) {
            out.push_str(cleanup);
        }
        let line_end = line_starts
            .get(index + 1)
            .copied()
            .unwrap_or(section.sql.len());
        at = at.max(line_start);
        while at < line_end {
            match batched
                .iter()
                .find(|(start, _, _)| *start >= at && *start < line_end)
            {
                Some((start, end, block)) => {
                    out.push_str(&section.sql[at..*start]);
                    out.push_str(block);
                    at = *end;
                }
                None => {
                    out.push_str(&section.sql[at..line_end]);
                    at = line_end;
                }
            }
        }
    }
    out
}

/// A batched statement for psql: a `DO` block that runs it, commits, and loops until it
/// changes no row, with the batch's timeouts set again in each new transaction and a notice
/// per batch. A `DO` may commit only outside a transaction block, which is how
/// `transaction:false` sections run in the script.
fn batch_block(sql: &str, options: &BatchOptions, line: usize) -> String {
    let statement = sql.trim_end().trim_end_matches(';').trim_end();
    let body_tag = free_tag(sql, "autogen_batch");
    let sql_tag = free_tag(sql, "autogen_batch_sql");
    let mut settings = String::new();
    for (name, value) in options.settings() {
        if name == "statement_timeout" {
            // PostgreSQL arms statement_timeout when a top-level statement starts: inside the
            // one DO statement a new value would apply to nothing.
            let _ = writeln!(
                settings,
                "    -- statement_timeout={value} is not applied here: PostgreSQL arms it per top-level statement, and this loop is one"
            );
            continue;
        }
        let _ = writeln!(
            settings,
            "    PERFORM pg_catalog.set_config({}, {}, true);",
            literal(name),
            literal(&value)
        );
    }
    let pause = options.pause.map_or(String::new(), |pause| {
        format!(
            "    PERFORM pg_catalog.pg_sleep({});\n",
            pause.as_secs_f64()
        )
    });
    let mut out = String::new();
    let _ = writeln!(
        out,
        "-- batched (line {line}): runs and commits batch after batch until a batch changes no row"
    );
    let _ = writeln!(out, "DO ${body_tag}$");
    out.push_str(
        "DECLARE\n  batch_rows bigint;\n  batches bigint := 0;\n  total_rows bigint := 0;\n",
    );
    out.push_str("BEGIN\n  LOOP\n");
    out.push_str(&settings);
    let _ = writeln!(out, "    EXECUTE ${sql_tag}${statement}\n${sql_tag}$;");
    out.push_str(
        "    GET DIAGNOSTICS batch_rows = ROW_COUNT;\n    COMMIT;\n    EXIT WHEN batch_rows = 0;\n\
         \x20   batches := batches + 1;\n    total_rows := total_rows + batch_rows;\n\
         \x20   RAISE NOTICE 'batch %: % rows (% in all)', batches, batch_rows, total_rows;\n",
    );
    out.push_str(&pause);
    out.push_str("  END LOOP;\n");
    let _ = writeln!(
        out,
        "  RAISE NOTICE 'batched statement at line {line}: % rows in % batches', total_rows, batches;"
    );
    let _ = write!(out, "END\n${body_tag}$;");
    out
}

/// A dollar-quote tag starting with `base` that `sql` does not contain.
fn free_tag(sql: &str, base: &str) -> String {
    let mut tag = base.to_owned();
    let mut n = 0;
    while sql.contains(&format!("${tag}$")) {
        n += 1;
        tag = format!("{base}_{n}");
    }
    tag
}

/// psql lines that drop the invalid index a failed earlier run of `sql` left behind (`\gexec`
/// runs the `DROP` the query selects, outside any transaction), as the runner does
/// (`concurrent.rs`); `None` when `sql` is not a concurrent index build.
fn offline_invalid_index_cleanup(sql: &str) -> Option<String> {
    let (name, table) = concurrent_index_target(sql)?;
    Some(format!(
        "-- a failed earlier build leaves an INVALID index behind: drop it so the build can run again\n{}\n\\gexec\n",
        index_lookup(
            "'DROP INDEX CONCURRENTLY %I.%I'",
            &literal(&table),
            &literal(&name),
            false
        )
    ))
}

/// A SQL string literal.
fn literal(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}
