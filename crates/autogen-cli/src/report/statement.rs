//! A revision file's statement in a JSON report (`lint`, `check`'s pending revisions).

use super::display_path;
use autogen_diff::Hazard;
use autogen_engine::policy::AnalyzedStatement;
use serde::Serialize;

#[derive(Serialize)]
pub struct StatementReport {
    /// Relative to the current directory.
    pub file: String,
    /// 1-based line of the statement's first line.
    pub line: usize,
    /// `up` or `down`.
    pub section: &'static str,
    /// The whole statement.
    pub statement: String,
    pub hazards: Vec<Hazard>,
    /// False when autogen does not recognize the statement (its hazards are then only its
    /// `-- hazard:` comment's).
    pub classified: bool,
    /// Its hazards the policy denies.
    pub denied: Vec<Hazard>,
}

impl StatementReport {
    pub fn new(statement: &AnalyzedStatement, denied: Vec<Hazard>) -> Self {
        StatementReport {
            file: display_path(&statement.path),
            line: statement.line,
            section: statement.direction,
            statement: statement.sql.clone(),
            hazards: statement.hazards.clone(),
            classified: statement.classified,
            denied,
        }
    }
}
