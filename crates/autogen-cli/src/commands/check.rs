//! `autogen check`: fail (exit 1) when the models and the revisions disagree (a revision is
//! missing), or when the project's database (`--database-url`, `DATABASE_URL` or `[database]
//! url`; `--no-database` leaves it out) is behind the revisions or has drifted from them.
//! Every finding is collected in a [`CheckReport`]; text is printed as it is found, JSON
//! and GitHub annotations once everything is known (`check_report.rs`).

use super::check_report::{CheckReport, DatabaseReport, RowsWithoutValue, Violation};
use crate::cli::{CheckArgs, FindingsFormat, GlobalArgs};
use crate::commands::Outcome;
use crate::error::CliError;
use crate::output;
use crate::plan_text;
use crate::report::{self, change::ChangeReport, statement::StatementReport};
use autogen_diff::{Hazard, ValueHint, hazard_names};
use autogen_engine::policy;
use autogen_engine::{EngineError, PlanOptions, Project, Session};
use autogen_introspect::Inspection;
use autogen_schema::Catalog;
use std::collections::BTreeSet;

pub async fn run(global: &GlobalArgs, args: &CheckArgs) -> Result<Outcome, CliError> {
    let text = args.format == FindingsFormat::Text;
    let project = Project::load(&global.settings())?;
    let head = project
        .graph
        .single_head()?
        .map(|head| head.revision.id.clone());
    let at_head = match &head {
        Some(id) => format!("revisions (head {id})"),
        None => "revisions (none yet)".to_string(),
    };
    let session = project.session();
    let declared = project.declared()?;
    // Independent work in two databases of the dev server: run them at the same time.
    let (replayed, desired) =
        tokio::try_join!(project.replayed(&session), session.normalized(&declared))?;

    let deny = policy::denied(&project.config.deny, &args.deny);
    let mut report = CheckReport::new(head.clone(), &deny);
    // What `autogen revision` would write: the online plan when the project asks for it.
    let how = PlanOptions {
        online: project.config.online_plan(false),
        verify: !args.no_verify,
        current_chain: Some(project.graph.clone()),
    };
    let migration = session
        .migration(&replayed, &desired, &declared.models.intent, &how)
        .await?;
    for statement in &migration.up.statements {
        let denied: Vec<Hazard> = statement
            .hazards
            .iter()
            .filter(|hazard| deny.contains(hazard))
            .copied()
            .collect();
        if !denied.is_empty() {
            report
                .denied
                .push(Violation::new_revision(statement, denied));
        }
    }
    if !migration.unmanaged.is_empty() {
        plan_text::unmanaged_error(&migration.unmanaged, "the revisions", "the models");
        report.unmanaged = migration.unmanaged.clone();
    }
    if !migration.up.is_empty() {
        output::error("the models differ from the revisions: a new revision is needed");
        if text {
            print_diff(&replayed.catalog, &desired.catalog, &at_head, "models")?;
            output::stdout(&format!(
                "\n-- `autogen revision` would write:\n{}",
                plan_text::sql_with_hazards(&migration.up)
            ))
            .map_err(CliError::Output)?;
        }
        plan_text::rename_hints(&migration.hints);
        plan_text::value_hints(&migration.value_hints);
        report.new_revision = Some(super::check_report::NewRevision {
            changes: changes(&migration.up.changes, &declared.models)?,
            statements: migration.up.statements.clone(),
        });
    }

    let mut checked = "the models match the revisions".to_string();
    let database = if args.no_database {
        None
    } else {
        project.database_url()
    };
    if let Some((url, _)) = database {
        let spec = autogen_pg::ConnectionSpec::parse(&url).map_err(EngineError::from)?;
        let context = Context {
            project: &project,
            session: &session,
            deny: &deny,
            models: &declared.models,
            text,
            value_hints: &migration.value_hints,
        };
        let database = check_database(&context, &spec, &replayed, &mut report).await?;
        report.database = Some(database);
        checked = format!("{checked} and database {}", spec.redacted());
    }
    if !report.denied.is_empty() {
        if text {
            let mut listing = String::new();
            for violation in &report.denied {
                listing.push_str(&format!(
                    "{}: denied [{}]: {}\n",
                    violation.location(),
                    hazard_names(&violation.hazards),
                    violation.first_line
                ));
            }
            output::stdout(&listing).map_err(CliError::Output)?;
        }
        output::error(&format!(
            "{} statement(s) with a hazard the policy denies ({})",
            report.denied.len(),
            hazard_names(&deny.iter().copied().collect::<Vec<_>>())
        ));
    }
    report.finish();
    match args.format {
        FindingsFormat::Text => {
            if report.clean {
                let head = head.map_or("no revisions yet".to_string(), |id| format!("head {id}"));
                output::stdout(&format!("ok: {checked} ({head})\n")).map_err(CliError::Output)?;
            }
        }
        FindingsFormat::Json => report::print_json(&report)?,
        FindingsFormat::Github => output::stdout(&report::github::render(&report.annotations()))
            .map_err(CliError::Output)?,
    }
    Ok(if report.clean {
        Outcome::Success
    } else {
        Outcome::Differences
    })
}

fn changes(
    changes: &[autogen_diff::Change],
    models: &autogen_model::Models,
) -> Result<Vec<ChangeReport>, CliError> {
    changes
        .iter()
        .map(|change| ChangeReport::new(change, models))
        .collect::<Result<_, _>>()
        .map_err(CliError::Serialize)
}

/// What the database check shares with the rest of the check.
struct Context<'a> {
    project: &'a Project,
    session: &'a Session,
    deny: &'a BTreeSet<Hazard>,
    /// For the model lines of drift.
    models: &'a autogen_model::Models,
    /// Whether the output is text (diffs are printed on stdout).
    text: bool,
    /// Required columns of the would-be revision that nothing gives a value.
    value_hints: &'a [ValueHint],
}

/// The live database against the revisions: applied up to the head, no applied file edited
/// since, and its schema what its applied revisions produce. Prints what differs (the diff
/// on stdout only as `text`). Pending up sections' statements with a denied hazard are added
/// to `report.denied`.
async fn check_database(
    context: &Context<'_>,
    spec: &autogen_pg::ConnectionSpec,
    replayed: &Inspection,
    report: &mut CheckReport,
) -> Result<DatabaseReport, CliError> {
    let Context {
        project,
        session,
        deny,
        models,
        text,
        value_hints,
    } = *context;
    let client = autogen_engine::connect(spec).await?;
    let status = project.status(&client).await?;
    let mut database = DatabaseReport::new(project, &status, spec.redacted());
    for hint in value_hints {
        let (table, column) = hint.column();
        let Some(rows) = autogen_engine::rows_without_value(&client, hint).await? else {
            continue;
        };
        if rows > 0 {
            output::error(&format!(
                "database {}: the new revision would fail on {rows} row(s) of {table}: column {column} gets no value for them",
                spec.redacted()
            ));
        }
        database.rows_without_value.push(RowsWithoutValue {
            table: table.to_string(),
            column: column.to_string(),
            rows,
        });
    }
    drop(client);
    // The up sections `autogen upgrade` would run on this database.
    for file in project.graph.ordered() {
        if status.head.contains(&file.revision.id) && !status.applied.contains(&file.revision.id) {
            for statement in policy::analyze_revision(file, false) {
                let denied = statement.denied(deny);
                if !denied.is_empty() {
                    report
                        .denied
                        .push(Violation::pending(&statement, denied.clone()));
                }
                database
                    .pending_statements
                    .push(StatementReport::new(&statement, denied));
            }
        }
    }
    for (id, path) in &status.edited {
        output::error(&format!(
            "{}: revision {id} was edited after it was applied to database {} (its checksum differs from the recorded one): {}",
            path.display(),
            spec.redacted(),
            status.edited_fix
        ));
    }
    database.contract_pending = contract_pending(project, &status);
    if !database.contract_pending.is_empty() {
        output::note(&format!(
            "database {}: between expand and contract: contract revision {} pending (apply it with `autogen upgrade --phase contract` once the new code is deployed)",
            spec.redacted(),
            database.contract_pending.join(", ")
        ));
    } else if status.only_behind() {
        output::error(&format!(
            "database {} is {} revision(s) behind the head of the revisions: run `autogen upgrade`",
            spec.redacted(),
            status.pending()
        ));
    } else if !status.at_head() {
        let missing = status.pending();
        let unknown = status.applied.difference(&status.head).count();
        output::error(&format!(
            "database {} is not at the head of the revisions ({missing} not applied, {unknown} applied that the head does not include): `autogen upgrade`",
            spec.redacted()
        ));
    }
    // The schema the database should have: what its applied revisions produce. Revisions
    // it applied that are not in the directory cannot be replayed: say so instead.
    let expected = if status.at_head() {
        None
    } else if status.unknown.is_empty() {
        Some(session.replayed_at(&project.graph, &status.applied).await?)
    } else {
        output::note(&format!(
            "the schema of database {} is not compared: it applied revisions that are not in the migrations directory ({})",
            spec.redacted(),
            status.unknown.join(", ")
        ));
        return Ok(database);
    };
    let expected = expected.as_ref().unwrap_or(replayed);
    let live = session.live(spec).await?;
    database.schema_compared = true;
    let unmanaged = session.unmanaged(expected, &live);
    if !unmanaged.is_empty() {
        plan_text::unmanaged_error(&unmanaged, "the revisions", "the database");
        database.unmanaged = unmanaged;
    }
    let drift = autogen_diff::plan(&expected.catalog, &live.catalog)?;
    if !drift.is_empty() {
        let label = if status.at_head() {
            "the schema the revisions produce".to_string()
        } else {
            format!(
                "the schema its {} applied revision(s) produce",
                status.applied.len()
            )
        };
        // What differs, by name, before the dump lines (whose context may not show it).
        let summaries: String = drift
            .changes
            .iter()
            .map(|change| format!("\n  {}", change.summary()))
            .collect();
        output::error(&format!(
            "database {} differs from {label} (edited by hand?); making it match would take:{summaries}",
            spec.redacted()
        ));
        if text {
            print_diff(&expected.catalog, &live.catalog, "revisions", "database")?;
        }
        database.drift = changes(&drift.changes, models)?;
    }
    Ok(database)
}

/// The pending revisions when every one of them is a contract revision whose parents the
/// database applied (between the two sides of an expand/contract deploy); empty otherwise.
fn contract_pending(project: &Project, status: &autogen_engine::DatabaseStatus) -> Vec<String> {
    if !status.only_behind() {
        return Vec::new();
    }
    let pending: Vec<&autogen_migrate::RevisionFile> = project
        .graph
        .ordered()
        .into_iter()
        .filter(|file| {
            status.head.contains(&file.revision.id) && !status.applied.contains(&file.revision.id)
        })
        .collect();
    let between = pending.iter().all(|file| {
        file.revision.phase == Some(autogen_migrate::RevisionPhase::Contract)
            && file
                .revision
                .parents
                .iter()
                .all(|parent| status.applied.contains(parent))
    });
    if !between {
        return Vec::new();
    }
    pending
        .into_iter()
        .map(|file| file.revision.id.clone())
        .collect()
}

/// A unified diff of the two canonical dumps, columns of `to` in `from`'s order: PostgreSQL
/// cannot move a column, so column order is never a difference and must not show as one.
fn print_diff(
    from: &Catalog,
    to: &Catalog,
    from_label: &str,
    to_label: &str,
) -> Result<(), CliError> {
    let to = columns_in_order_of(to, from);
    let (from_sql, to_sql) = (from.to_sql(), to.to_sql());
    let diff = similar::TextDiff::from_lines(&from_sql, &to_sql)
        .unified_diff()
        .context_radius(3)
        .header(from_label, to_label)
        .to_string();
    output::unified_diff(&diff).map_err(CliError::Output)
}

/// `catalog` with each table's columns in the order `reference`'s same table has them
/// (columns only in `catalog` after those, in their own order).
fn columns_in_order_of(catalog: &Catalog, reference: &Catalog) -> Catalog {
    let mut catalog = catalog.clone();
    for table in &mut catalog.tables {
        let Some(order) = reference.table(&table.schema, &table.name) else {
            continue;
        };
        let position = |name: &str| {
            order
                .columns
                .iter()
                .position(|column| column.name == name)
                .unwrap_or(usize::MAX)
        };
        // Stable: columns not in the reference keep their relative order at the end.
        table.columns.sort_by_key(|column| position(&column.name));
    }
    catalog
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_follow_the_reference_order_and_new_ones_go_last() {
        let catalog = |columns: &[&str]| {
            let columns: Vec<String> = columns
                .iter()
                .map(|name| format!(r#"{{"name": "{name}", "data_type": "integer"}}"#))
                .collect();
            autogen_schema::catalog_from_json(&format!(
                r#"{{"tables": [{{"schema": "public", "name": "t", "columns": [{}]}}]}}"#,
                columns.join(", ")
            ))
            .expect("catalog")
        };
        let reference = catalog(&["id", "b", "a"]);
        let aligned = columns_in_order_of(&catalog(&["a", "new", "id", "b"]), &reference);
        let names: Vec<&str> = aligned.tables[0]
            .columns
            .iter()
            .map(|column| column.name.as_str())
            .collect();
        assert_eq!(names, ["id", "b", "a", "new"]);
    }
}
