//! `upgrade --sql` / `downgrade --sql`: the script a DBA runs instead of the runner. It does what
//! the runner does (same lock, same tracking rows, one transaction per revision unless the
//! section says `transaction:false`), meant for `psql -v ON_ERROR_STOP=1 -f`.

use std::collections::BTreeSet;
use std::fmt::Write;

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

/// The section's SQL, in a `transaction:false` section with the cleanup of a failed earlier
/// build before the line where each concurrent index build starts (as the runner does).
fn with_invalid_index_cleanups(section: &Section) -> String {
    if section.transactional {
        return section.sql.clone();
    }
    let cleanups: Vec<(usize, String)> = split_statements(&section.sql)
        .into_iter()
        .filter_map(|statement| {
            offline_invalid_index_cleanup(&statement.sql).map(|cleanup| (statement.line, cleanup))
        })
        .collect();
    let mut out = String::with_capacity(section.sql.len());
    for (index, line) in section.sql.split_inclusive('\n').enumerate() {
        for (_, cleanup) in cleanups.iter().filter(|(at, _)| *at == index + 1) {
            out.push_str(cleanup);
        }
        out.push_str(line);
    }
    out
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
