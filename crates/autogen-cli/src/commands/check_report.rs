//! What `autogen check` found, as data: printed as JSON (`--format json`) or as GitHub
//! annotations (`--format github`); docs/json.md documents the fields.

use crate::report::change::ChangeReport;
use crate::report::display_path;
use crate::report::github::{Annotation, Level};
use crate::report::statement::StatementReport;
use autogen_diff::{Hazard, PlannedStatement, UnmanagedDifference, hazard_names};
use autogen_engine::policy::{self, AnalyzedStatement};
use autogen_engine::{DatabaseStatus, Project};
use serde::Serialize;
use std::collections::BTreeSet;

#[derive(Serialize)]
pub struct CheckReport {
    /// Nothing differs and nothing is denied (exit 0).
    pub clean: bool,
    pub compared: Compared,
    /// The hazards denied: `[policy] deny` and `--deny`.
    pub deny: Vec<Hazard>,
    /// The models differ from the revisions: what `autogen revision` would write. Null when
    /// they agree.
    pub new_revision: Option<NewRevision>,
    /// Objects autogen does not manage that differ between the revisions and the models.
    pub unmanaged: Vec<UnmanagedDifference>,
    /// The database against the revisions; null without one.
    pub database: Option<DatabaseReport>,
    /// Statements with a denied hazard: of the would-be revision, or of revisions the
    /// database has not applied.
    pub denied: Vec<Violation>,
}

#[derive(Serialize)]
pub struct Compared {
    /// The single head of the revisions the models are compared with; null without revisions.
    pub revisions_head: Option<String>,
    /// The database, its password redacted; null when none is configured or --no-database.
    pub database: Option<String>,
}

#[derive(Serialize)]
pub struct NewRevision {
    /// The differences from the revisions to the models.
    pub changes: Vec<ChangeReport>,
    /// The up statements the revision would hold (`sql`, `hazards`, `change`).
    pub statements: Vec<PlannedStatement>,
}

#[derive(Serialize)]
pub struct DatabaseReport {
    /// The database, its password redacted.
    pub url: String,
    /// The revisions it applied, sorted.
    pub applied: Vec<String>,
    /// The revisions the head needs that it has not applied, in upgrade order.
    pub pending: Vec<String>,
    /// Applied revisions that the head does not include or that are not in the directory.
    pub unknown: Vec<String>,
    pub at_head: bool,
    /// Applied revisions whose file changed since.
    pub edited_since_applied: Vec<EditedRevision>,
    /// What to do about those, for the annotations (it depends on whose runner applied them).
    #[serde(skip)]
    pub edited_fix: &'static str,
    /// False when its schema could not be compared (it applied revisions not in the
    /// directory).
    pub schema_compared: bool,
    /// How the database differs from the schema its applied revisions produce.
    pub drift: Vec<ChangeReport>,
    /// Unmanaged objects that differ between that schema and the database.
    pub unmanaged: Vec<UnmanagedDifference>,
    /// Every statement of the pending revisions' up sections, with its hazards.
    pub pending_statements: Vec<StatementReport>,
    /// Rows of this database the new revision would fail on: a required column nothing
    /// gives them a value for (see `autogen_diff::ValueHint`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub rows_without_value: Vec<RowsWithoutValue>,
    /// Between the expand and the contract side of a deploy: every pending revision is a
    /// contract revision whose parents are applied (these, in upgrade order). An expected
    /// state: not a failure for being behind.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub contract_pending: Vec<String>,
}

#[derive(Serialize)]
pub struct RowsWithoutValue {
    pub table: String,
    pub column: String,
    pub rows: i64,
}

#[derive(Serialize)]
pub struct EditedRevision {
    pub id: String,
    pub file: String,
}

/// A statement with a denied hazard.
#[derive(Serialize)]
pub struct Violation {
    /// `new_revision` (the would-be revision) or `pending_revision` (a file the database has
    /// not applied).
    pub source: &'static str,
    /// With `file` and `line` for a pending revision; null for the would-be revision.
    pub file: Option<String>,
    pub line: Option<usize>,
    pub statement: String,
    /// The denied hazards.
    pub hazards: Vec<Hazard>,
    #[serde(skip)]
    pub first_line: String,
}

impl Violation {
    pub fn new_revision(statement: &PlannedStatement, denied: Vec<Hazard>) -> Self {
        Violation {
            source: "new_revision",
            file: None,
            line: None,
            statement: statement.sql.clone(),
            hazards: denied,
            first_line: policy::first_line(&statement.sql),
        }
    }

    pub fn pending(statement: &AnalyzedStatement, denied: Vec<Hazard>) -> Self {
        Violation {
            source: "pending_revision",
            file: Some(display_path(&statement.path)),
            line: Some(statement.line),
            statement: statement.sql.clone(),
            hazards: denied,
            first_line: statement.first_line.clone(),
        }
    }

    /// `file:line`, or `new revision`.
    pub fn location(&self) -> String {
        match (&self.file, self.line) {
            (Some(file), Some(line)) => format!("{file}:{line}"),
            _ => "new revision".to_string(),
        }
    }
}

impl DatabaseReport {
    pub fn new(project: &Project, status: &DatabaseStatus, url: String) -> Self {
        DatabaseReport {
            url,
            applied: status.applied.iter().cloned().collect(),
            pending: project
                .graph
                .ordered()
                .iter()
                .map(|file| &file.revision.id)
                .filter(|id| status.head.contains(*id) && !status.applied.contains(*id))
                .cloned()
                .collect(),
            unknown: status.applied.difference(&status.head).cloned().collect(),
            at_head: status.at_head(),
            edited_since_applied: status
                .edited
                .iter()
                .map(|(id, path)| EditedRevision {
                    id: id.clone(),
                    file: display_path(path),
                })
                .collect(),
            edited_fix: status.edited_fix,
            schema_compared: false,
            drift: Vec::new(),
            unmanaged: Vec::new(),
            pending_statements: Vec::new(),
            rows_without_value: Vec::new(),
            contract_pending: Vec::new(),
        }
    }

    fn agrees(&self) -> bool {
        (self.at_head || !self.contract_pending.is_empty())
            && self.edited_since_applied.is_empty()
            && self.schema_compared
            && self.drift.is_empty()
            && self.unmanaged.is_empty()
    }
}

impl CheckReport {
    pub fn new(revisions_head: Option<String>, deny: &BTreeSet<Hazard>) -> Self {
        CheckReport {
            clean: false,
            compared: Compared {
                revisions_head,
                database: None,
            },
            deny: deny.iter().copied().collect(),
            new_revision: None,
            unmanaged: Vec::new(),
            database: None,
            denied: Vec::new(),
        }
    }

    /// Sets `clean` and `compared.database` from what was found.
    pub fn finish(&mut self) {
        self.compared.database = self.database.as_ref().map(|d| d.url.clone());
        self.clean = self.new_revision.is_none()
            && self.unmanaged.is_empty()
            && self.denied.is_empty()
            && self.database.as_ref().is_none_or(DatabaseReport::agrees);
    }

    /// One annotation per finding: errors for what fails the check, warnings for hazards the
    /// policy allows and statements autogen cannot classify in pending revisions. Differences
    /// of schemas are annotated on the model line of their object when the models declare it,
    /// else without a file.
    pub fn annotations(&self) -> Vec<Annotation> {
        let mut annotations = Vec::new();
        if let Some(revision) = &self.new_revision {
            for change in &revision.changes {
                annotations.push(at_model(
                    change,
                    error(
                        "autogen: a new revision is needed",
                        format!("the models differ from the revisions: {}", change.summary),
                    ),
                ));
            }
        }
        for difference in &self.unmanaged {
            annotations.push(error(
                "autogen: unmanaged object differs",
                difference.describe("the revisions", "the models"),
            ));
        }
        for violation in &self.denied {
            annotations.push(Annotation {
                file: violation.file.clone(),
                line: violation.line,
                ..error(
                    &format!("denied hazard: {}", hazard_names(&violation.hazards)),
                    match violation.source {
                        "new_revision" => {
                            format!("the new revision would run: {}", violation.statement)
                        }
                        _ => violation.statement.clone(),
                    },
                )
            });
        }
        if let Some(database) = &self.database {
            annotations.extend(database.annotations());
        }
        annotations
    }
}

impl DatabaseReport {
    fn annotations(&self) -> Vec<Annotation> {
        let mut annotations = Vec::new();
        for edited in &self.edited_since_applied {
            annotations.push(Annotation {
                file: Some(edited.file.clone()),
                line: Some(1),
                ..error(
                    "autogen: revision edited after it was applied",
                    format!(
                        "revision {} was edited after it was applied to database {}: {}",
                        edited.id, self.url, self.edited_fix
                    ),
                )
            });
        }
        if !self.at_head && self.contract_pending.is_empty() {
            annotations.push(error(
                "autogen: database not at head",
                format!(
                    "database {} is not at the head of the revisions ({} not applied, {} unknown): `autogen upgrade`",
                    self.url,
                    self.pending.len(),
                    self.unknown.len()
                ),
            ));
        }
        for change in &self.drift {
            annotations.push(at_model(
                change,
                error(
                    "autogen: database drift",
                    format!(
                        "database {} differs from its revisions: {}",
                        self.url, change.summary
                    ),
                ),
            ));
        }
        for difference in &self.unmanaged {
            annotations.push(error(
                "autogen: unmanaged object differs",
                difference.describe("the revisions", "the database"),
            ));
        }
        // Denied ones are the check's errors already; the rest are worth a look in review.
        for statement in self
            .pending_statements
            .iter()
            .filter(|s| s.denied.is_empty())
        {
            let title = if !statement.classified {
                "cannot classify".to_string()
            } else if !statement.hazards.is_empty() {
                format!("hazard: {}", hazard_names(&statement.hazards))
            } else {
                continue;
            };
            annotations.push(Annotation {
                level: Level::Warning,
                file: Some(statement.file.clone()),
                line: Some(statement.line),
                title,
                message: statement.statement.clone(),
            });
        }
        annotations
    }
}

/// An error annotation without a place (callers add one where there is).
fn error(title: &str, message: String) -> Annotation {
    Annotation {
        level: Level::Error,
        file: None,
        line: None,
        title: title.to_string(),
        message,
    }
}

/// `annotation` placed on the model line of `change`'s object, when there is one.
fn at_model(change: &ChangeReport, annotation: Annotation) -> Annotation {
    match &change.model {
        Some(model) => Annotation {
            file: Some(model.file.clone()),
            line: Some(model.line),
            ..annotation
        },
        None => annotation,
    }
}
