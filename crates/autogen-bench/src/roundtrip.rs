//! `roundtrip FILE…`: the inspect round trip on real schemas (not a test: the files are not
//! part of the project). Each file is loaded with `psql -v ON_ERROR_STOP=1 -f FILE` into a
//! fresh database A, A is inspected and its dump (`Catalog::to_sql`) run on a fresh database B,
//! B is inspected, and the two catalogs are compared kind by kind: what is only in A, only in
//! B, or in both but different. What A holds that autogen does not model is listed by kind.

use crate::inspect::{BenchError, fail, start_dev_server};
use autogen_introspect::{InspectOptions, Inspection, UnsupportedObjects};
use autogen_pg::{ConnectionSpec, DevServer, TempDatabase};
use autogen_schema::Catalog;
use serde::Serialize;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// What to run.
#[derive(Debug, Clone)]
pub struct Options {
    pub files: Vec<PathBuf>,
    /// An existing server [default: an ephemeral dev cluster].
    pub dev_url: Option<String>,
    /// The psql to load files with [default: the one next to the server binaries found].
    pub psql: Option<PathBuf>,
    /// SQL run on B before the dump: objects autogen does not model that the dump needs (a
    /// an operator an index uses, …).
    pub prelude: Option<PathBuf>,
}

/// The comparison of one kind of object between A and B.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KindComparison {
    pub kind: &'static str,
    pub in_a: usize,
    pub in_b: usize,
    pub only_a: Vec<String>,
    pub only_b: Vec<String>,
    pub different: Vec<String>,
}

impl KindComparison {
    pub fn identical(&self) -> bool {
        self.only_a.is_empty() && self.only_b.is_empty() && self.different.is_empty()
    }
}

/// What happened to one file.
#[derive(Debug)]
pub struct FileReport {
    pub file: PathBuf,
    /// Why the file could not be loaded.
    pub failure: Option<String>,
    /// The errors replaying A's dump on B printed (statements that failed, most often because
    /// they use an object autogen does not model).
    pub replay_errors: Vec<String>,
    pub kinds: Vec<KindComparison>,
    pub unsupported: Vec<UnsupportedObjects>,
}

/// Runs the round trip on every file; `progress` receives one line per step.
pub async fn run(
    options: &Options,
    mut progress: impl FnMut(&str),
) -> Result<Vec<FileReport>, BenchError> {
    progress("starting the dev PostgreSQL server");
    let server = start_dev_server(options.dev_url.as_deref()).await?;
    let psql = match &options.psql {
        Some(path) => path.clone(),
        None => autogen_pg::find_binaries()
            .map_err(|error| fail(format!("could not find psql: {error}")))?
            .bindir
            .join("psql"),
    };
    let mut reports = Vec::new();
    for file in &options.files {
        progress(&format!("{}: loading into database A", file.display()));
        let report = round_trip(
            &server,
            &psql,
            file,
            options.prelude.as_deref(),
            &mut progress,
        )
        .await?;
        reports.push(report);
    }
    server.shutdown();
    Ok(reports)
}

async fn round_trip(
    server: &DevServer,
    psql: &Path,
    file: &Path,
    prelude: Option<&Path>,
    progress: &mut impl FnMut(&str),
) -> Result<FileReport, BenchError> {
    let a = database(server).await?;
    let loaded = run_psql(psql, a.connection(), file, true);
    if !loaded.is_empty() {
        a.drop_database().await.ok();
        return Ok(FileReport {
            file: file.to_path_buf(),
            failure: Some(format!("loading the file failed: {}", loaded.join("; "))),
            replay_errors: Vec::new(),
            kinds: Vec::new(),
            unsupported: Vec::new(),
        });
    }
    let inspection_a = inspect(&a).await?;
    a.drop_database().await.ok();
    progress(&format!(
        "{}: A inspected ({} tables, {} views, {} routines, {} triggers); replaying its dump on B",
        file.display(),
        inspection_a.catalog.tables.len(),
        inspection_a.catalog.views.len(),
        inspection_a.catalog.functions.len(),
        inspection_a.catalog.triggers.len()
    ));
    let dump = tempfile::NamedTempFile::new()
        .and_then(|mut dump| {
            use std::io::Write as _;
            dump.write_all(inspection_a.catalog.to_sql().as_bytes())?;
            Ok(dump)
        })
        .map_err(|error| fail(format!("could not write the dump: {error}")))?;
    // Statement by statement, past errors: what fails to re-create (because it uses an object
    // autogen does not model) shows up as missing from B, and the rest is still compared.
    let b = database(server).await?;
    let mut replay_errors = Vec::new();
    if let Some(prelude) = prelude {
        replay_errors.extend(run_psql(psql, b.connection(), prelude, true));
    }
    replay_errors.extend(run_psql(psql, b.connection(), dump.path(), false));
    let inspection_b = inspect(&b).await?;
    b.drop_database().await.ok();
    Ok(FileReport {
        file: file.to_path_buf(),
        failure: None,
        replay_errors,
        kinds: compare(&inspection_a.catalog, &inspection_b.catalog),
        unsupported: inspection_a.unsupported,
    })
}

async fn database(server: &DevServer) -> Result<TempDatabase, BenchError> {
    server
        .create_database()
        .await
        .map_err(|error| fail(format!("could not create a database: {error}")))
}

async fn inspect(database: &TempDatabase) -> Result<Inspection, BenchError> {
    let mut client = database
        .connect()
        .await
        .map_err(|error| fail(format!("could not connect: {error}")))?;
    autogen_introspect::inspect(&mut client, &InspectOptions::default())
        .await
        .map_err(|error| fail(format!("inspect failed: {error}")))
}

/// `psql -X -q -f FILE` on `database` (stopping at the first error when `stop_on_error`);
/// returns the errors it printed.
pub(crate) fn run_psql(
    psql: &Path,
    database: &ConnectionSpec,
    file: &Path,
    stop_on_error: bool,
) -> Vec<String> {
    let output = Command::new(psql)
        .args(["-X", "-q", "-v"])
        .arg(if stop_on_error {
            "ON_ERROR_STOP=1"
        } else {
            "ON_ERROR_STOP=0"
        })
        .arg("-d")
        .arg(database.url_with_password())
        .arg("-f")
        .arg(file)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .output();
    match output {
        Ok(output) => {
            let errors: Vec<String> = String::from_utf8_lossy(&output.stderr)
                .lines()
                .filter(|line| line.contains("ERROR") || line.contains("FATAL"))
                .map(str::to_string)
                .collect();
            if errors.is_empty() && !output.status.success() {
                vec![format!("psql exited with {}", output.status)]
            } else {
                errors
            }
        }
        Err(error) => vec![format!("could not run {}: {error}", psql.display())],
    }
}

/// Objects of one kind by identity, as JSON (to compare and to name).
fn by_name<T: Serialize>(items: &[T], name: impl Fn(&T) -> String) -> BTreeMap<String, String> {
    items
        .iter()
        .map(|item| (name(item), serde_json::to_string(item).unwrap_or_default()))
        .collect()
}

fn comparison(
    kind: &'static str,
    a: BTreeMap<String, String>,
    b: BTreeMap<String, String>,
) -> KindComparison {
    let only_a = a.keys().filter(|k| !b.contains_key(*k)).cloned().collect();
    let only_b = b.keys().filter(|k| !a.contains_key(*k)).cloned().collect();
    let different = a
        .iter()
        .filter(|(k, v)| b.get(*k).is_some_and(|other| other != *v))
        .map(|(k, _)| k.clone())
        .collect();
    KindComparison {
        kind,
        in_a: a.len(),
        in_b: b.len(),
        only_a,
        only_b,
        different,
    }
}

/// A and B kind by kind.
pub fn compare(a: &Catalog, b: &Catalog) -> Vec<KindComparison> {
    let qualified = |schema: &str, name: &str| format!("{schema}.{name}");
    macro_rules! kind {
        ($label:literal, $field:ident, $name:expr) => {
            comparison($label, by_name(&a.$field, $name), by_name(&b.$field, $name))
        };
    }
    vec![
        kind!("schemas", schemas, |s| s.name.clone()),
        kind!("extensions", extensions, |e| e.name.clone()),
        kind!("collations", collations, |c| qualified(&c.schema, &c.name)),
        kind!("text search dictionaries", text_search_dictionaries, |d| {
            qualified(&d.schema, &d.name)
        }),
        kind!(
            "text search configurations",
            text_search_configurations,
            |c| qualified(&c.schema, &c.name)
        ),
        kind!("enums", enums, |e| qualified(&e.schema, &e.name)),
        kind!("domains", domains, |d| qualified(&d.schema, &d.name)),
        kind!("composite types", composite_types, |c| qualified(
            &c.schema, &c.name
        )),
        kind!("range types", range_types, |r| qualified(
            &r.schema, &r.name
        )),
        kind!("sequences", sequences, |s| qualified(&s.schema, &s.name)),
        kind!("functions", functions, |f| f.id().to_string()),
        kind!("tables", tables, |t| qualified(&t.schema, &t.name)),
        kind!("views", views, |v| qualified(&v.schema, &v.name)),
        kind!("triggers", triggers, |t| format!("{}.{}", t.table, t.name)),
        kind!("dependencies", dependencies, |d| format!(
            "{} -> {}",
            d.dependent, d.on
        )),
    ]
}

/// The reports as markdown: one table per file, then what differs and what is unmodeled.
pub fn markdown(reports: &[FileReport]) -> String {
    let mut out = String::new();
    for report in reports {
        let _ = writeln!(out, "### {}\n", report.file.display());
        if let Some(failure) = &report.failure {
            let _ = writeln!(out, "FAILED: {failure}\n");
        }
        if !report.replay_errors.is_empty() {
            let _ = writeln!(
                out,
                "{} statement(s) of the dump failed on B:\n",
                report.replay_errors.len()
            );
            for error in &report.replay_errors {
                let _ = writeln!(out, "- `{error}`");
            }
            out.push('\n');
        }
        if !report.kinds.is_empty() {
            out.push_str("| kind | A | B | only in A | only in B | different |\n");
            out.push_str("|---|---:|---:|---:|---:|---:|\n");
            for kind in &report.kinds {
                let _ = writeln!(
                    out,
                    "| {} | {} | {} | {} | {} | {} |",
                    kind.kind,
                    kind.in_a,
                    kind.in_b,
                    kind.only_a.len(),
                    kind.only_b.len(),
                    kind.different.len()
                );
            }
            out.push('\n');
            for kind in report.kinds.iter().filter(|kind| !kind.identical()) {
                for (what, names) in [
                    ("only in A", &kind.only_a),
                    ("only in B", &kind.only_b),
                    ("different", &kind.different),
                ] {
                    if !names.is_empty() {
                        let shown: Vec<&str> = names.iter().take(10).map(String::as_str).collect();
                        let more = names.len().saturating_sub(shown.len());
                        let more = if more > 0 {
                            format!(", … {more} more")
                        } else {
                            String::new()
                        };
                        let _ = writeln!(out, "- {} {what}: {}{more}", kind.kind, shown.join(", "));
                    }
                }
            }
        }
        if !report.unsupported.is_empty() {
            out.push_str("\nNot modeled (in A):\n\n");
            for group in &report.unsupported {
                let _ = writeln!(out, "- {}", group.describe(5));
            }
        }
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_name_what_is_missing_or_different() {
        let a = autogen_schema::catalog_from_json(
            r#"{"schemas": [{"name": "public"}, {"name": "x"}],
                "enums": [{"schema": "public", "name": "e", "values": ["a"]}]}"#,
        )
        .expect("a");
        let b = autogen_schema::catalog_from_json(
            r#"{"schemas": [{"name": "public"}, {"name": "y"}],
                "enums": [{"schema": "public", "name": "e", "values": ["b"]}]}"#,
        )
        .expect("b");
        let kinds = compare(&a, &b);
        let kind = |name: &str| {
            kinds
                .iter()
                .find(|kind| kind.kind == name)
                .unwrap_or_else(|| panic!("no kind {name}"))
        };
        assert_eq!(kind("schemas").only_a, ["x"]);
        assert_eq!(kind("schemas").only_b, ["y"]);
        assert_eq!(kind("enums").different, ["public.e"]);
        assert!(kind("extensions").identical());
    }
}
