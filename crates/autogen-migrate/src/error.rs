//! The one error type of this crate. Every variant's Display is a single line; variants that
//! point into a revision file start with `path:line: ` (or `path: ` when only the file is known),
//! so the CLI can print them as they are.
//!
//! No variant ever holds a connection URL: the runner only sees an already connected client, so
//! a password cannot reach an error message.

use std::fmt;
use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum MigrateError {
    #[error("{}: could not {action}: {source}", path.display())]
    Io {
        path: PathBuf,
        action: &'static str,
        #[source]
        source: std::io::Error,
    },

    #[error("{}: the migrations directory does not exist (`autogen init` creates it)", dir.display())]
    NoMigrationsDir { dir: PathBuf },

    #[error("{}{problem}", location(path, *line))]
    Parse {
        path: PathBuf,
        line: usize,
        problem: ParseProblem,
    },

    #[error(
        "{}revision {id} is in a file whose name does not start with `{id}_` (expected e.g. `{expected}`)",
        location(path, *line)
    )]
    FileNameMismatch {
        path: PathBuf,
        line: usize,
        id: String,
        expected: String,
    },

    #[error(
        "{}revision {id} is defined twice: here and in {}",
        location(second, *second_line),
        first.display()
    )]
    DuplicateRevision {
        id: String,
        first: PathBuf,
        second: PathBuf,
        second_line: usize,
    },

    #[error(
        "{}revision {revision} names parent {parent}, which is not in the migrations directory",
        location(path, *line)
    )]
    MissingParent {
        path: PathBuf,
        line: usize,
        revision: String,
        parent: String,
    },

    #[error("revision parents form a cycle: {}", cycle_text(revisions))]
    Cycle {
        /// The revisions on the cycle, each followed by its parent, as `(id, file)`.
        revisions: Vec<(String, PathBuf)>,
    },

    #[error(
        "there are {} heads ({}): run `autogen merge -m MSG {}` to join them into one",
        heads.len(),
        heads.join(", "),
        heads.join(" ")
    )]
    MultipleHeads { heads: Vec<String> },

    #[error("unknown revision `{text}`")]
    UnknownRevision { text: String },

    #[error("revision prefix `{text}` is ambiguous: it matches {}", candidates.join(", "))]
    AmbiguousRevision {
        text: String,
        candidates: Vec<String>,
    },

    #[error("invalid target `{text}`: {reason}")]
    InvalidTarget { text: String, reason: &'static str },

    #[error(
        "cannot {direction} {requested} revision(s): only {available} {}",
        if *direction == Direction::Upgrade { "can be applied" } else { "are applied" }
    )]
    NotEnoughRevisions {
        direction: Direction,
        requested: usize,
        available: usize,
    },

    #[error("revision {revision} is not applied, so the database cannot be downgraded to it")]
    NotApplied { revision: String },

    #[error(
        "the database has revision {revision} which is not in the migrations directory (was its file deleted, or is this the wrong directory?)"
    )]
    UnknownApplied { revision: String },

    #[error(
        "{}: revision {revision} was edited after it was applied (its checksum differs from the one recorded in the database); undo the edit, or pass --ignore-checksums if the change is intended",
        path.display()
    )]
    ChecksumMismatch { revision: String, path: PathBuf },

    #[error(
        "the revisions to run name role(s) {} that do not exist on this server; nothing was run: roles belong to the server, not to the schema, so no revision creates them: create them first (e.g. `CREATE ROLE {} NOLOGIN;`), then run again",
        roles.join(", "),
        roles.first().map(String::as_str).unwrap_or_default()
    )]
    MissingRoles { roles: Vec<String> },

    #[error("{}: a file for revision {id} already exists", path.display())]
    RevisionExists { id: String, path: PathBuf },

    #[error("could not {action}: {message}")]
    Database {
        action: &'static str,
        /// PostgreSQL's message with detail and hint, on one line.
        message: String,
        /// The driver's error (tokio-postgres, or sqlx with the `sqlx` feature).
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },

    #[error(
        "{}revision {revision} failed and was rolled back: {message} (statement: {})",
        location(path, *line),
        excerpt(statement)
    )]
    StatementFailed {
        path: PathBuf,
        /// The file line where the failing statement starts.
        line: usize,
        revision: String,
        statement: String,
        /// PostgreSQL's message with detail and hint, on one line.
        message: String,
    },

    #[error(
        "{}revision {revision} runs outside a transaction (transaction:false) and failed: {message} (statement: {}); {} it is not recorded as applied: fix the cause and run the same command again to continue with this statement",
        location(path, *line),
        excerpt(statement),
        completed_text(completed_lines)
    )]
    NonTransactionalPartial {
        path: PathBuf,
        line: usize,
        revision: String,
        statement: String,
        message: String,
        /// File lines of the statements of this section that ran (and stay) before the failure.
        completed_lines: Box<[usize]>,
    },

    #[error(
        "{}revision {revision} was partly applied by an earlier run ({done} statement(s) of its transaction:false section ran), but those statements changed in the file since: restore them to continue, or finish the revision by hand and record it with `autogen stamp`",
        location(path, 0)
    )]
    PartialRevisionChanged {
        path: PathBuf,
        revision: String,
        done: usize,
    },

    #[error("{}: {problem}", path.display())]
    HistoryFile { path: PathBuf, problem: String },

    #[error(
        "{tool} has not applied {count} migration file(s) of {}: {files}; nothing was written: apply them with {tool} first, so the database is where the files end, or move them out of the directory",
        dir.display()
    )]
    HistoryNotApplied {
        tool: &'static str,
        dir: PathBuf,
        count: usize,
        files: String,
    },

    #[error(
        "{table} records {tool} version(s) {versions} that no migration file in {} has; nothing was written: point --import-history at the directory holding every applied migration",
        dir.display()
    )]
    HistoryMissingFiles {
        tool: &'static str,
        table: String,
        dir: PathBuf,
        versions: String,
    },

    #[error(
        "the database is at {tool} revision(s) {database}, but the revision files of {} end at {files}; nothing was written: bring the database to the files' head with {tool} first, or point --import-history at the directory it was migrated from",
        dir.display()
    )]
    HistoryHeadMismatch {
        tool: &'static str,
        dir: PathBuf,
        database: String,
        files: String,
    },

    #[error("importing {tool}'s migration files is not supported: {why}")]
    HistoryUnsupported {
        tool: &'static str,
        why: &'static str,
    },

    #[error("{}not a {layout} migration: {problem}", location(path, *line))]
    LayoutFile {
        path: PathBuf,
        /// 0 when the problem is the file's name or the whole file.
        line: usize,
        layout: &'static str,
        problem: String,
    },

    #[error(
        "the {section} section must run outside a transaction ({reason}), and {layout} cannot run it that way: {why}; nothing was written: plan it without online mode (no `--online`, `[online] enabled = false`) or in smaller steps; a lone `CREATE INDEX CONCURRENTLY` can be a hand-written migration of its own"
    )]
    LayoutNeedsNoTransaction {
        layout: &'static str,
        section: &'static str,
        /// What in the plan needs it, e.g. `CREATE INDEX CONCURRENTLY`.
        reason: String,
        /// Why the stack cannot.
        why: &'static str,
    },

    #[error(
        "the {section} section has a batched statement (`-- batch:`, section line {line}), and {layout} would run it once: only autogen's runner repeats it until it changes no row; nothing was written: keep autogen's own revision files (no `[migrations] layout`) for a batched backfill, or write the backfill as a migration that loops by itself"
    )]
    LayoutCannotBatch {
        layout: &'static str,
        section: &'static str,
        /// 1-based line within the section.
        line: usize,
    },
}

/// Which way a run goes, for messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    Upgrade,
    Downgrade,
}

impl fmt::Display for Direction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Direction::Upgrade => "upgrade",
            Direction::Downgrade => "downgrade",
        })
    }
}

/// What is wrong with a revision file, at the line [`MigrateError::Parse`] names.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParseProblem {
    #[error("missing `-- {0}:` header line")]
    MissingHeader(&'static str),
    #[error(
        "unknown header `{0}` (known: revision, parents, message, created; SQL goes after `-- migrate:up`)"
    )]
    UnknownHeader(String),
    #[error("`{0}` is not a revision phase (expected expand or contract)")]
    InvalidPhase(String),
    #[error("header `{0}` appears twice")]
    DuplicateHeader(&'static str),
    #[error(
        "expected a `-- key: value` header line, a blank line or `-- migrate:up` before the first section"
    )]
    UnexpectedHeaderLine,
    #[error("`{0}` is not a revision id (14 digits, UTC yyyymmddHHMMSS)")]
    InvalidRevisionId(String),
    #[error(
        "`parents:` has an empty entry (separate ids with `, `; leave the value empty for none)"
    )]
    EmptyParent,
    #[error("parent {0} is listed twice")]
    DuplicateParent(String),
    #[error("revision {0} lists itself as a parent")]
    SelfParent(String),
    #[error("`{0}` is not an RFC 3339 UTC time like 2026-11-21T10:30:00Z")]
    InvalidCreated(String),
    #[error("`-- migrate:down` comes before `-- migrate:up`; the up section must come first")]
    DownBeforeUp,
    #[error("second `-- migrate:{0}` section (each section appears once)")]
    DuplicateSection(&'static str),
    #[error("`-- migrate:up` has no matching `-- migrate:down` section")]
    MissingDown,
    #[error("no `-- migrate:up` section")]
    MissingUp,
    #[error("unknown section `-- migrate:{0}` (expected up or down)")]
    UnknownSection(String),
    #[error("unknown section option `{0}` (the only option is transaction:false)")]
    BadSectionOption(String),
    #[error(
        "unknown `-- batch:` option `{0}` (known: pause, lock_timeout, statement_timeout, e.g. `-- batch: pause=100ms lock_timeout=2s`)"
    )]
    UnknownBatchOption(String),
    #[error("`-- batch:` option `{0}` is not `key=value` (e.g. `-- batch: pause=100ms`)")]
    BatchOptionSyntax(String),
    #[error("`-- batch:` option `{0}` is given twice")]
    DuplicateBatchOption(String),
    #[error(
        "`{option}={value}` is not a duration: write an integer with `ms`, `s` or `min` (e.g. `{option}=100ms`, `{option}=2s`, `{option}=1min`)"
    )]
    BadBatchDuration { option: String, value: String },
    #[error(
        "a batched statement runs each batch in its own transaction: mark the section `-- migrate:up transaction:false` (or `-- migrate:down transaction:false`)"
    )]
    BatchInTransaction,
    #[error(
        "`-- batch:` is not followed by a statement: put it on the comment lines directly above the statement it batches (no blank line between)"
    )]
    BatchWithoutStatement,
    #[error("a second `-- batch:` directive for the same statement (keep one)")]
    DuplicateBatchDirective,
    #[error(
        "only one `UPDATE`, `DELETE`, `MERGE` or `INSERT … SELECT` statement can be batched (the runner repeats it until it changes no row); remove `-- batch:` or make the statement below it one of those"
    )]
    BatchNotDml,
}

/// `path:line: `, or `path: ` when the line is unknown (0).
pub(crate) fn location(path: &Path, line: usize) -> String {
    if line == 0 {
        format!("{}: ", path.display())
    } else {
        format!("{}:{line}: ", path.display())
    }
}

fn cycle_text(revisions: &[(String, PathBuf)]) -> String {
    let mut parts: Vec<String> = revisions
        .iter()
        .map(|(id, path)| format!("{id} ({})", path.display()))
        .collect();
    if let Some((first, _)) = revisions.first() {
        parts.push(first.clone());
    }
    parts.join(" -> ")
}

/// A statement shortened to one line of at most 80 characters, for a one-line message.
fn excerpt(statement: &str) -> String {
    const LIMIT: usize = 80;
    let flat = statement.split_whitespace().collect::<Vec<_>>().join(" ");
    if flat.chars().count() <= LIMIT {
        flat
    } else {
        let cut: String = flat.chars().take(LIMIT - 1).collect();
        format!("{cut}…")
    }
}

fn completed_text(lines: &[usize]) -> String {
    match lines {
        [] => "no earlier statement of it had run, and".to_owned(),
        [line] => format!("the statement at line {line} had already run and stays;"),
        _ => {
            let list: Vec<String> = lines.iter().map(usize::to_string).collect();
            format!(
                "the statements at lines {} had already run and stay;",
                list.join(", ")
            )
        }
    }
}

/// Wraps a driver error with what was being done.
pub(crate) fn database(action: &'static str) -> impl FnOnce(tokio_postgres::Error) -> MigrateError {
    move |source| MigrateError::Database {
        action,
        message: autogen_pg::error_text(&source),
        source: Box::new(source),
    }
}
