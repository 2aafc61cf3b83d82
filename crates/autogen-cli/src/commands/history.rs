//! The old migration tool's history during `init --from-database`: finding its tracking
//! table, importing its files (`--import-history`), writing them as the first revisions and
//! saying exactly what was and was not carried over.

use crate::error::CliError;
use crate::output;
use autogen_migrate::history::{ImportedHistory, OldHistory, TOOL_TABLES};
use std::path::Path;
use std::time::SystemTime;

/// The other tools' tracking tables on `spec`'s database.
pub(crate) async fn detect(spec: &autogen_pg::ConnectionSpec) -> Result<Vec<OldHistory>, CliError> {
    let client = autogen_engine::connect(spec).await?;
    let histories = autogen_migrate::history::detect_histories(&client)
        .await
        .map_err(autogen_engine::EngineError::from)?;
    Ok(histories)
}

/// The old files of `dir` as revisions, checked against the one history on the database.
pub(crate) fn import(dir: &Path, histories: &[OldHistory]) -> Result<ImportedHistory, CliError> {
    let history = match histories {
        [] => return Err(CliError::NoHistoryToImport),
        [history] => history,
        several => {
            let found: Vec<String> = several
                .iter()
                .map(|history| format!("{} in {}", history.tool, history.qualified_table()))
                .collect();
            return Err(CliError::SeveralHistories {
                found: found.join(", "),
            });
        }
    };
    autogen_migrate::history::import_history(dir, history, SystemTime::now())
        .map_err(|error| CliError::Engine(error.into()))
}

/// The tracking tables every command does not already leave out (a `schema_version`, a
/// tool's table outside `public`): `[migrations] ignore_tables` of the adopted project.
pub(crate) fn tables_to_configure(histories: &[OldHistory]) -> Vec<String> {
    histories
        .iter()
        .filter(|history| {
            history.schema != "public"
                || !TOOL_TABLES.iter().any(|(name, _)| *name == history.table)
        })
        .map(OldHistory::qualified_table)
        .collect()
}

/// Writes the imported revisions into `migrations` and reports what was carried over and what
/// was not; the ids written, oldest first (all of them to be stamped: the old tool ran them).
pub(crate) fn write(
    imported: &ImportedHistory,
    migrations: &Path,
    quiet: bool,
) -> Result<Vec<String>, CliError> {
    let mut written = Vec::with_capacity(imported.revisions.len());
    for revision in &imported.revisions {
        let path = autogen_migrate::write_new(migrations, revision)
            .map_err(|error| CliError::Engine(error.into()))?;
        output::stdout(&format!("{}\n", path.display())).map_err(CliError::Output)?;
        written.push(revision.id.clone());
    }
    if !quiet {
        for line in describe_import(imported, "imported") {
            output::note(&line);
        }
    }
    Ok(written)
}

/// What an import carries over and what it does not, one line each (`verb`: `imported`, or
/// `would import` for `--report`).
pub(crate) fn describe_import(imported: &ImportedHistory, verb: &str) -> Vec<String> {
    let how = if imported.tool.runnable() {
        "their SQL is the revisions' SQL"
    } else {
        "as history only: empty revisions, the Python is not run"
    };
    let mut lines = vec![format!(
        "{verb} {} {} migration(s) as revisions ({how}):",
        imported.revisions.len(),
        imported.tool
    )];
    for (revision, file) in imported.revisions.iter().zip(&imported.files) {
        let down = if imported.tool.runnable() && revision.down.sql.trim().is_empty() {
            " (no down migration: its down section is empty)"
        } else {
            ""
        };
        lines.push(format!("  {} <- {}{down}", revision.id, file.display()));
    }
    for path in &imported.edited {
        lines.push(format!(
            "  edited since {} applied it: {} (the revision holds the file as it is now, not what ran; the baseline difference holds any schema this changes)",
            imported.tool,
            path.display()
        ));
    }
    for skipped in &imported.skipped {
        // A migration the tool may have run: its effect is still accounted for.
        let ran = if skipped.version.is_some() {
            "; if the tool ran it, what it changed is in the baseline difference revision"
        } else {
            ""
        };
        lines.push(format!(
            "  not imported: {}: {}{ran}",
            skipped.path.display(),
            skipped.reason
        ));
    }
    lines
}
