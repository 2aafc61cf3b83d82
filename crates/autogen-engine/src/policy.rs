//! The hazard policy (`[policy] deny` in autogen.toml, `--deny` on `check` and `lint`) and the
//! hazard analysis of revision files: each statement classified from its SQL
//! (`autogen_diff::classify`), united with the `-- hazard:` comment autogen wrote above it.

use autogen_diff::{Classification, Hazard};
use autogen_migrate::{RevisionFile, Section};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// A hazard from its kebab-case name (`data-loss`); the error lists the valid names.
pub fn parse_hazard(name: &str) -> Result<Hazard, String> {
    name.parse()
}

/// The denied hazards: the config's `[policy] deny` and the `--deny` flags together.
pub fn denied(config: &[Hazard], flags: &[Hazard]) -> BTreeSet<Hazard> {
    config.iter().chain(flags).copied().collect()
}

/// One statement of a revision file, analyzed.
pub struct AnalyzedStatement {
    pub path: PathBuf,
    /// 1-based line in the file.
    pub line: usize,
    /// `up` or `down`.
    pub direction: &'static str,
    /// The statement's first line (trimmed, shortened when long).
    pub first_line: String,
    /// The whole statement as the file has it.
    pub sql: String,
    /// False when the classifier does not recognize the statement.
    pub classified: bool,
    /// The classifier's hazards united with the `-- hazard:` comment's (sorted).
    pub hazards: Vec<Hazard>,
}

impl AnalyzedStatement {
    /// Its hazards that `deny` names.
    pub fn denied(&self, deny: &BTreeSet<Hazard>) -> Vec<Hazard> {
        self.hazards
            .iter()
            .filter(|hazard| deny.contains(hazard))
            .copied()
            .collect()
    }

    /// `path:line`, the path relative to the current directory when it is inside it.
    pub fn location(&self) -> String {
        let current = std::env::current_dir().unwrap_or_default();
        let path = self.path.strip_prefix(&current).unwrap_or(&self.path);
        format!("{}:{}", path.display(), self.line)
    }
}

/// The statements of a revision's up section (and down section when `with_down`).
pub fn analyze_revision(file: &RevisionFile, with_down: bool) -> Vec<AnalyzedStatement> {
    let mut statements = analyze_section(&file.path, "up", &file.revision.up);
    if with_down {
        statements.extend(analyze_section(&file.path, "down", &file.revision.down));
    }
    statements
}

pub fn analyze_section(
    path: &Path,
    direction: &'static str,
    section: &Section,
) -> Vec<AnalyzedStatement> {
    let lines: Vec<&str> = section.sql.lines().collect();
    let statements = autogen_migrate::split_statements(&section.sql);
    let sql: Vec<&str> = statements.iter().map(|s| s.sql.as_str()).collect();
    let classifications = autogen_diff::classify_all(&sql);
    let visits_rows = autogen_diff::visits_existing_rows(&sql);
    statements
        .iter()
        .zip(classifications)
        .zip(visits_rows)
        .map(|((statement, classification), visits_rows)| {
            let mut hazards: BTreeSet<Hazard> = classification
                .hazards()
                .unwrap_or_default()
                .iter()
                .copied()
                .collect();
            hazards.extend(hazard_comment(&lines, statement.line));
            // A batched statement runs in short transactions (autogen-migrate's `-- batch:`);
            // the same statement unbatched holds its row locks for the whole table.
            if statement.batch.is_some() {
                hazards.remove(&Hazard::LongRunning);
            } else if visits_rows {
                hazards.insert(Hazard::LongRunning);
            }
            AnalyzedStatement {
                path: path.to_path_buf(),
                line: section.first_line.max(1) + statement.line - 1,
                direction,
                first_line: first_line(&statement.sql),
                sql: statement.sql.clone(),
                // A batched statement is DML the batch parser accepted: its short
                // transactions lock rows only, so it is a known, harmless form.
                classified: classification != Classification::Unknown || statement.batch.is_some(),
                hazards: hazards.into_iter().collect(),
            }
        })
        .collect()
}

/// The hazards of the `-- hazard: a, b` comment among the comment lines right above the
/// statement starting at 1-based `line` (names autogen does not know are ignored).
fn hazard_comment(lines: &[&str], line: usize) -> Vec<Hazard> {
    for above in lines[..line.saturating_sub(1).min(lines.len())]
        .iter()
        .rev()
    {
        if !above.trim().starts_with("--") {
            break;
        }
        if let Some(hazards) = autogen_diff::parse_hazard_comment(above) {
            return hazards;
        }
    }
    Vec::new()
}

/// The first line of a statement, at most 100 characters.
pub fn first_line(sql: &str) -> String {
    let line = sql.lines().next().unwrap_or("").trim();
    if line.chars().count() > 100 {
        format!("{}…", line.chars().take(99).collect::<String>())
    } else {
        line.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sections_are_classified_with_their_hazard_comments_and_file_lines() {
        let mut section = Section::new(
            true,
            "-- hazard: data-loss, access-exclusive-lock\nALTER TABLE t DROP COLUMN a;\n\n\
             -- hazard: table-rewrite\nDO $$ BEGIN PERFORM 1; END $$;\nCREATE INDEX i ON t (b);",
        );
        section.first_line = 7;
        let statements = analyze_section(Path::new("m.sql"), "up", &section);
        assert_eq!(statements.len(), 3);
        assert_eq!(statements[0].line, 8);
        assert_eq!(
            statements[0].hazards,
            [Hazard::DataLoss, Hazard::AccessExclusiveLock]
        );
        assert!(!statements[1].classified);
        assert_eq!(statements[1].hazards, [Hazard::TableRewrite]);
        assert_eq!(statements[1].line, 11);
        assert!(statements[2].classified);
        assert_eq!(statements[2].hazards, [Hazard::IndexBuild]);
        assert_eq!(statements[2].location(), "m.sql:12");
    }

    #[test]
    fn updates_and_deletes_of_existing_tables_are_long_running_unless_batched() {
        let section = Section::new(
            false,
            "UPDATE t SET a = 1;
             DELETE FROM ONLY s.t WHERE a = 1;
             CREATE TABLE fresh (a int);
             UPDATE fresh SET a = 2;
             -- batch: pause=10ms
             -- hazard: long-running
             UPDATE t SET a = 1 WHERE ctid = ANY (ARRAY(SELECT ctid FROM t WHERE a IS NULL LIMIT 10));
             INSERT INTO t VALUES (1);",
        );
        let statements = analyze_section(Path::new("m.sql"), "up", &section);
        let long: Vec<bool> = statements
            .iter()
            .map(|s| s.hazards.contains(&Hazard::LongRunning))
            .collect();
        assert_eq!(long, [true, true, false, false, false, false]);
        assert_eq!(
            statements[1].hazards,
            [Hazard::DataLoss, Hazard::LongRunning]
        );
        assert!(!statements[0].classified, "UPDATE stays unclassified");
        assert!(
            statements[4].classified,
            "a batched statement is a known form"
        );
    }
}
