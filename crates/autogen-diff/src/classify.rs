//! Classifying hand-written (or any) SQL statements by their hazards, from the text alone.
//!
//! [`classify`] looks at a statement's leading keywords (the text lexed by `autogen_sql`:
//! case-insensitive; comments and whitespace skipped; quoted identifiers, string literals and
//! dollar quotes are never taken for keywords) and returns the [`Hazard`]s of the forms it recognizes, or
//! [`Classification::Unknown`] for anything else. It never guesses: a statement form that is
//! not listed in `docs/policy.md` (and in the match below) is `Unknown`, and so is an
//! `ALTER TABLE` with any action it does not recognize.
//!
//! The text cannot tell everything a catalog diff can, so the rules are conservative: a column
//! type change is always a rewrite that may fail (it may be binary coercible), and a column
//! default calling a function outside a short list of known stable ones is taken as volatile
//! (a rewrite).

use autogen_sql::TokenKind;

use crate::Hazard;

/// What [`classify`] says about one statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Classification {
    /// A recognized form and its hazards (sorted, no duplicates; empty when harmless).
    Known(Vec<Hazard>),
    /// A form the classifier does not recognize: its hazards are unknown.
    Unknown,
}

impl Classification {
    /// The hazards, or `None` when unknown.
    pub fn hazards(&self) -> Option<&[Hazard]> {
        match self {
            Classification::Known(hazards) => Some(hazards),
            Classification::Unknown => None,
        }
    }
}

/// The hazards of one SQL statement (as `autogen_migrate::split_statements` returns it), from
/// its leading keywords. See the module documentation and `docs/policy.md`.
pub fn classify(statement: &str) -> Classification {
    let mut tokens = tokenize(statement);
    while tokens
        .last()
        .is_some_and(|token| token.kind == Kind::Semicolon)
    {
        tokens.pop();
    }
    if tokens.is_empty() {
        return Classification::Known(Vec::new());
    }
    match rules(&Cursor::new(&tokens)) {
        Some(mut hazards) => {
            hazards.sort();
            hazards.dedup();
            Classification::Known(hazards)
        }
        None => Classification::Unknown,
    }
}

/// Classifies the statements of one section (or script) in order, like [`classify`], except
/// that a table created by an earlier `CREATE TABLE` of the same list counts as empty until
/// something may have written to it (an `INSERT` into it, or any unclassified statement): the
/// constraints and indexes added to it cannot fail on existing rows and build instantly, as
/// autogen's own plans say.
pub fn classify_all<S: AsRef<str>>(statements: &[S]) -> Vec<Classification> {
    let mut empty: Vec<TableName> = Vec::new();
    statements
        .iter()
        .map(|statement| {
            let statement = statement.as_ref();
            let classification = classify(statement);
            let mut tokens = tokenize(statement);
            while tokens
                .last()
                .is_some_and(|token| token.kind == Kind::Semicolon)
            {
                tokens.pop();
            }
            let c = Cursor::new(&tokens);
            match (&classification, c.word(0)) {
                (Classification::Unknown, _) => {
                    empty.clear();
                    classification
                }
                (Classification::Known(_), Some("create")) if created_table(&c).is_some() => {
                    empty.extend(created_table(&c));
                    classification
                }
                (Classification::Known(_), Some("insert")) => {
                    if let Some(table) = c.name(2) {
                        empty.retain(|created| !created.same(&table));
                    }
                    classification
                }
                (Classification::Known(hazards), _) => match target_table(&c) {
                    Some(table) if empty.iter().any(|created| created.same(&table)) => {
                        Classification::Known(
                            hazards
                                .iter()
                                .filter(|hazard| {
                                    !matches!(hazard, MayFailOnExistingRows | IndexBuild)
                                })
                                .copied()
                                .collect(),
                        )
                    }
                    _ => classification,
                },
            }
        })
        .collect()
}

/// For each statement of a section (or script), in order: whether it updates, deletes or
/// merges into a table that may hold rows — any but a table an earlier `CREATE TABLE` of the
/// same list created (as [`classify_all`] counts them empty) — as the statement itself, as the
/// main statement after a `WITH` list, or in a data-modifying `WITH` query. Run as one
/// statement, such a statement visits every matching row in one transaction and keeps their
/// row locks to its end, so the hazard analysis of revision files calls it long-running unless
/// it is batched (`-- batch:`, which autogen-migrate runs in short transactions).
pub fn visits_existing_rows<S: AsRef<str>>(statements: &[S]) -> Vec<bool> {
    let mut created: Vec<TableName> = Vec::new();
    statements
        .iter()
        .map(|statement| {
            let tokens = tokenize(statement.as_ref());
            let c = Cursor::new(&tokens);
            if c.is(0, "create") {
                created.extend(created_table(&c));
                return false;
            }
            modified_tables(&tokens).into_iter().any(|target| {
                target.is_none_or(|table| !created.iter().any(|made| made.same(&table)))
            })
        })
        .collect()
}

/// The table each `UPDATE`, `DELETE FROM` or `MERGE INTO` in `tokens` writes (`None` when its
/// name cannot be read): one starting the statement, a parenthesized `WITH` query, or the main
/// statement after a `WITH` list. A keyword after anything else (`FOR UPDATE`, `ON DELETE`) is
/// not a statement.
fn modified_tables(tokens: &[Token]) -> Vec<Option<TableName>> {
    let mut targets = Vec::new();
    for (at, token) in tokens.iter().enumerate() {
        let Kind::Word(word) = &token.kind else {
            continue;
        };
        let starts_statement = at == 0 || matches!(tokens[at - 1].kind, Kind::Open | Kind::Close);
        if !starts_statement {
            continue;
        }
        // The statement's tokens: until the parenthesis it is in closes.
        let end = tokens[at..]
            .iter()
            .position(|later| later.depth < token.depth)
            .map_or(tokens.len(), |offset| at + offset);
        let c = Cursor::from_refs(tokens[at..end].iter().collect());
        let name_at = match word.as_str() {
            "update" => 1,
            "delete" if c.is(1, "from") => 2,
            "merge" if c.is(1, "into") => 2,
            _ => continue,
        };
        let name_at = if c.is(name_at, "only") {
            name_at + 1
        } else {
            name_at
        };
        targets.push(c.name(name_at));
    }
    targets
}

/// A table name as written: quoted parts verbatim, unquoted ones lowercased.
#[derive(Debug, Clone, PartialEq, Eq)]
struct TableName {
    schema: Option<String>,
    name: String,
}

impl TableName {
    /// The same table, when both names say so (a missing schema matches any).
    fn same(&self, other: &TableName) -> bool {
        self.name == other.name
            && (self.schema.is_none() || other.schema.is_none() || self.schema == other.schema)
    }
}

/// `CREATE [UNLOGGED] TABLE [IF NOT EXISTS] name (…)`.
fn created_table(c: &Cursor) -> Option<TableName> {
    let mut at = 1;
    if c.is(at, "unlogged") {
        at += 1;
    }
    if !c.is(at, "table") {
        return None;
    }
    at += 1;
    if c.is(at, "if") && c.is(at + 1, "not") && c.is(at + 2, "exists") {
        at += 3;
    }
    c.name(at)
}

/// The table of `ALTER TABLE [IF EXISTS] [ONLY] name …` or `CREATE … INDEX … ON [ONLY] name`.
fn target_table(c: &Cursor) -> Option<TableName> {
    match (c.word(0)?, c.word(1)?) {
        ("alter", "table") => {
            let mut at = 2;
            if c.is(at, "if") && c.is(at + 1, "exists") {
                at += 2;
            }
            if c.is(at, "only") {
                at += 1;
            }
            c.name(at)
        }
        ("create", _) => {
            let mut at = c.top_level_position("on")? + 1;
            if c.is(at, "only") {
                at += 1;
            }
            c.name(at)
        }
        _ => None,
    }
}

use Hazard::{
    AccessExclusiveLock, BehaviorChange, DataLoss, IndexBuild, LongRunning, MayFailOnExistingRows,
    TableRewrite,
};

/// The recognized statement forms; `None` for anything else.
fn rules(c: &Cursor) -> Option<Vec<Hazard>> {
    let first = c.word(0)?;
    match first {
        "drop" => drop(c),
        "truncate" => Some(vec![DataLoss, AccessExclusiveLock]),
        // With or without WHERE: rows are deleted.
        "delete" => Some(vec![DataLoss]),
        "insert" => Some(vec![]),
        "comment" if c.is(1, "on") => Some(vec![]),
        "create" => create(c),
        "alter" => alter(c),
        // Online-mode revisions start with these (docs/diff.md, "Online mode"); plans that
        // create routines turn body checking off around them.
        "set" | "reset" => {
            let at = usize::from(c.is(1, "local") || c.is(1, "session")) + 1;
            matches!(
                c.word(at)?,
                "lock_timeout" | "statement_timeout" | "check_function_bodies"
            )
            .then(Vec::new)
        }
        // Runs the view's query under an EXCLUSIVE lock on it.
        "refresh" if c.is(1, "materialized") && c.is(2, "view") => Some(vec![LongRunning]),
        "grant" | "revoke" => Some(vec![]),
        // A sequence's value moved (autogen's own `SELECT … setval(…)` when a range narrows or
        // a counter is carried over): nothing but sequence functions may be called.
        "select" if c.calls_only(1, SEQUENCE_CALLS) && c.top_level_or_nested_call("setval") => {
            Some(vec![])
        }
        _ => None,
    }
}

fn drop(c: &Cursor) -> Option<Vec<Hazard>> {
    let cascade = c.top_level_word("cascade");
    match c.word(1)? {
        "table" => Some(vec![DataLoss, AccessExclusiveLock]),
        "sequence" => Some(vec![DataLoss]),
        // An extension may own tables (with data) of its own.
        "extension" => Some(vec![DataLoss]),
        // Without CASCADE these fail unless nothing (no table, no column) depends on them.
        // CASCADE drops whatever uses it: columns of a domain or type, tables' defaults, …
        "schema" | "type" | "domain" | "view" | "materialized" | "function" | "procedure"
        | "aggregate" | "collation"
            if cascade =>
        {
            Some(vec![DataLoss, AccessExclusiveLock])
        }
        "schema" | "type" => Some(vec![]),
        "index" if c.is(2, "concurrently") => Some(vec![]),
        "index" => Some(vec![AccessExclusiveLock]),
        "view" | "materialized" => Some(vec![AccessExclusiveLock]),
        "function" | "procedure" | "aggregate" => Some(vec![BehaviorChange]),
        // On the table: ACCESS EXCLUSIVE in PostgreSQL 15.
        "trigger" | "policy" => Some(vec![AccessExclusiveLock, BehaviorChange]),
        "domain" | "collation" => Some(vec![]),
        "text" if c.is(2, "search") && (c.is(3, "configuration") || c.is(3, "dictionary")) => {
            if cascade {
                // Drops the indexes and columns' defaults that use it.
                Some(vec![DataLoss, AccessExclusiveLock])
            } else {
                Some(vec![BehaviorChange])
            }
        }
        _ => None,
    }
}

fn create(c: &Cursor) -> Option<Vec<Hazard>> {
    let mut at = 1;
    if c.is(at, "unique") {
        at += 1;
    }
    if c.is(at, "index") {
        let unique = at == 2;
        let mut hazards = Vec::new();
        if !c.is(at + 1, "concurrently") {
            hazards.push(IndexBuild);
        }
        if unique {
            hazards.push(MayFailOnExistingRows);
        }
        return Some(hazards);
    }
    if let Some(hazards) = create_object(c) {
        return Some(hazards);
    }
    let mut at = 1;
    if c.is(at, "unlogged") {
        at += 1;
    }
    match c.word(at)? {
        "table" => Some(vec![]),
        "type" | "schema" | "extension" | "sequence" | "domain" | "collation" if at == 1 => {
            Some(vec![])
        }
        "text" if at == 1 && c.is(2, "search") => Some(vec![]),
        _ => None,
    }
}

/// `CREATE [OR REPLACE] VIEW | MATERIALIZED VIEW | FUNCTION | PROCEDURE | AGGREGATE |
/// [CONSTRAINT] TRIGGER …`.
fn create_object(c: &Cursor) -> Option<Vec<Hazard>> {
    let replace = c.is(1, "or") && c.is(2, "replace");
    let at = if replace { 3 } else { 1 };
    match c.word(at)? {
        // Replacing a view takes ACCESS EXCLUSIVE on it (an instant).
        "view" if replace => Some(vec![AccessExclusiveLock]),
        "view" => Some(vec![]),
        // Fills it by running its query, unless WITH NO DATA.
        "materialized" if c.is(at + 1, "view") => {
            if c.top_level_pair("no", "data") {
                Some(vec![])
            } else {
                Some(vec![LongRunning])
            }
        }
        "function" | "procedure" | "aggregate" if replace => Some(vec![BehaviorChange]),
        "function" | "procedure" | "aggregate" => Some(vec![]),
        // Fires for every session from now on.
        "trigger" | "constraint" => Some(vec![BehaviorChange]),
        // Which rows sessions see or may write, from now on (ACCESS EXCLUSIVE on the table).
        "policy" => Some(vec![AccessExclusiveLock, BehaviorChange]),
        _ => None,
    }
}

fn alter(c: &Cursor) -> Option<Vec<Hazard>> {
    let kind = c.word(1)?;
    if kind == "table" {
        return alter_table(c);
    }
    if kind == "policy" {
        return Some(vec![AccessExclusiveLock, BehaviorChange]);
    }
    // Applies to objects created later: changes nothing that exists.
    if kind == "default" && c.is(2, "privileges") {
        return Some(vec![]);
    }
    // A configuration's mappings or a dictionary's options: what tokenizes differently from
    // now on (existing tsvectors and indexes keep the old tokens).
    if kind == "text" && c.is(2, "search") && (c.is(3, "configuration") || c.is(3, "dictionary")) {
        return Some(vec![BehaviorChange]);
    }
    let mut at = 2;
    if c.is(at, "if") && c.is(at + 1, "exists") {
        at += 2;
    }
    let at = c.skip_name(at)?;
    let (first, second) = (c.word(at)?, c.word(at + 1));
    match kind {
        "index" if first == "rename" && second == Some("to") => Some(vec![AccessExclusiveLock]),
        "type" => match (first, second) {
            ("add", Some("value" | "attribute"))
            | ("rename", Some("to" | "value" | "attribute"))
            | ("alter", Some("attribute")) => Some(vec![]),
            ("drop", Some("attribute")) => Some(vec![DataLoss]),
            _ => None,
        },
        "extension" => match (first, second) {
            ("update", _) | ("set", Some("schema")) => Some(vec![]),
            _ => None,
        },
        // Adding a check or NOT NULL checks every column of the domain.
        "domain" => match (first, second) {
            ("add", _) if c.top_level_pair("not", "valid") => Some(vec![]),
            ("add", _) | ("set", Some("not")) => Some(vec![MayFailOnExistingRows]),
            ("drop", _) | ("set", Some("default")) | ("validate", _) | ("rename", _) => {
                Some(vec![])
            }
            _ => None,
        },
        "schema" if first == "rename" && second == Some("to") => Some(vec![]),
        // A narrower type or range fails when the current value lies outside it.
        "sequence" => {
            if ["as", "minvalue", "maxvalue"]
                .iter()
                .any(|word| c.top_level_word(word))
            {
                Some(vec![MayFailOnExistingRows])
            } else {
                Some(vec![])
            }
        }
        _ => None,
    }
}

/// `ALTER TABLE [IF EXISTS] [ONLY] name [*] action [, action …]`: the union of the actions'
/// hazards, or `None` when any action is not recognized.
fn alter_table(c: &Cursor) -> Option<Vec<Hazard>> {
    let mut at = 2;
    if c.is(at, "if") && c.is(at + 1, "exists") {
        at += 2;
    }
    if c.is(at, "only") {
        at += 1;
    }
    at = c.skip_name(at)?;
    if c.is_punct(at, "*") {
        at += 1;
    }
    let mut hazards = Vec::new();
    for action in c.split_top_level_commas(at) {
        hazards.extend(table_action(&action)?);
    }
    Some(hazards)
}

fn table_action(a: &Cursor) -> Option<Vec<Hazard>> {
    match a.word(0)? {
        "add" => add(a),
        "drop" => match a.word(1) {
            Some("constraint") => Some(vec![AccessExclusiveLock]),
            // DROP [COLUMN] [IF EXISTS] name
            _ => Some(vec![DataLoss, AccessExclusiveLock]),
        },
        "alter" => {
            let mut at = 1;
            if a.is(at, "column") {
                at += 1;
            }
            at = a.skip_name(at)?;
            alter_column(a, at)
        }
        "rename" => Some(vec![AccessExclusiveLock]),
        // ACCESS EXCLUSIVE on the table attached, which is scanned for rows outside the bound
        // (unless a valid check proves it).
        "attach" if a.is(1, "partition") => Some(vec![
            AccessExclusiveLock,
            MayFailOnExistingRows,
            LongRunning,
        ]),
        // The partition's rows leave the parent's queries; CONCURRENTLY takes SHARE UPDATE
        // EXCLUSIVE only.
        "detach" if a.is(1, "partition") => {
            if a.top_level_word("concurrently") {
                Some(vec![BehaviorChange])
            } else {
                Some(vec![AccessExclusiveLock, BehaviorChange])
            }
        }
        // The parent's queries gain or lose the table's rows.
        "inherit" => Some(vec![AccessExclusiveLock, BehaviorChange]),
        "no" if a.is(1, "inherit") => Some(vec![AccessExclusiveLock, BehaviorChange]),
        // Storage parameters: fillfactor, autovacuum_* and toast.* take SHARE UPDATE EXCLUSIVE
        // and rewrite nothing.
        "set" | "reset" if matches!(a.kind(1), Some(Kind::Open)) => Some(vec![]),
        "replica" if a.is(1, "identity") => Some(vec![AccessExclusiveLock]),
        "enable" | "disable" | "force" | "no" if a.top_level_pair("level", "security") => {
            Some(vec![AccessExclusiveLock, BehaviorChange])
        }
        "set" => match a.word(1)? {
            "logged" | "unlogged" => Some(vec![TableRewrite, AccessExclusiveLock]),
            "schema" => Some(vec![AccessExclusiveLock]),
            _ => None,
        },
        // Scans the table (SHARE UPDATE EXCLUSIVE lock): fails when a row violates it.
        "validate" if a.is(1, "constraint") => Some(vec![MayFailOnExistingRows]),
        "enable" | "disable" if a.top_level_word("trigger") => Some(vec![BehaviorChange]),
        _ => None,
    }
}

/// `ALTER [COLUMN] name …` after the name.
fn alter_column(a: &Cursor, at: usize) -> Option<Vec<Hazard>> {
    let words = (a.word(at)?, a.word(at + 1), a.word(at + 2));
    match words {
        ("type", _, _) | ("set", Some("data"), Some("type")) => Some(vec![
            TableRewrite,
            AccessExclusiveLock,
            MayFailOnExistingRows,
        ]),
        ("set", Some("not"), Some("null")) => {
            Some(vec![AccessExclusiveLock, MayFailOnExistingRows])
        }
        ("drop", Some("not"), Some("null"))
        | ("set", Some("default"), _)
        | ("drop", Some("default"), _)
        | ("drop", Some("identity"), _)
        | ("drop", Some("expression"), _)
        | ("add", Some("generated"), _)
        | ("set", Some("generated"), _) => Some(vec![AccessExclusiveLock]),
        // An identity's sequence options; a narrower range fails while its current value
        // lies outside it.
        ("set", Some("minvalue" | "maxvalue"), _) | ("restart", _, _) => {
            Some(vec![AccessExclusiveLock, MayFailOnExistingRows])
        }
        // SHARE UPDATE EXCLUSIVE: reads and writes go on.
        ("set", Some("statistics"), _) => Some(vec![]),
        ("set" | "reset", _, _) if matches!(a.kind(at + 1), Some(Kind::Open)) => Some(vec![]),
        // ACCESS EXCLUSIVE, no rewrite: values stored from now on follow it.
        ("set", Some("storage" | "compression"), _) => Some(vec![AccessExclusiveLock]),
        ("set", Some("increment" | "start" | "cache" | "cycle" | "no"), _) => {
            if a.top_level_word("minvalue") || a.top_level_word("maxvalue") {
                Some(vec![AccessExclusiveLock, MayFailOnExistingRows])
            } else {
                Some(vec![AccessExclusiveLock])
            }
        }
        _ => None,
    }
}

/// `ADD [CONSTRAINT name] <table constraint>` or `ADD [COLUMN] [IF NOT EXISTS] name type …`.
fn add(a: &Cursor) -> Option<Vec<Hazard>> {
    let mut at = 1;
    if a.is(at, "constraint") {
        at = a.skip_name(at + 1)?;
    }
    let not_valid = a.top_level_pair("not", "valid");
    let using_index = a.top_level_pair("using", "index");
    let constraint = match (a.word(at), a.word(at + 1)) {
        (Some("primary"), Some("key")) => Some("primary"),
        (Some("unique"), _) => Some("unique"),
        (Some("check"), _) => Some("check"),
        (Some("foreign"), Some("key")) => Some("foreign"),
        (Some("exclude"), _) => Some("exclude"),
        _ => None,
    };
    if let Some(kind) = constraint {
        return Some(match kind {
            "primary" if using_index => vec![AccessExclusiveLock, MayFailOnExistingRows],
            "unique" if using_index => vec![AccessExclusiveLock],
            "primary" | "unique" | "exclude" => {
                vec![AccessExclusiveLock, IndexBuild, MayFailOnExistingRows]
            }
            "check" if not_valid => vec![AccessExclusiveLock],
            "check" => vec![AccessExclusiveLock, MayFailOnExistingRows],
            // SHARE ROW EXCLUSIVE on both tables, not ACCESS EXCLUSIVE.
            _ if not_valid => vec![],
            _ => vec![MayFailOnExistingRows],
        });
    }
    if at != 1 {
        // ADD CONSTRAINT name followed by something else.
        return None;
    }
    add_column(a)
}

fn add_column(a: &Cursor) -> Option<Vec<Hazard>> {
    let mut hazards = vec![AccessExclusiveLock];
    let identity = a.top_level_word("generated") && a.top_level_word("identity");
    let generated = a.top_level_word("generated") && a.top_level_word("stored");
    let default = a.top_level_position("default");
    if a.top_level_pair("not", "null") && default.is_none() && !identity {
        hazards.push(MayFailOnExistingRows);
    }
    let volatile_default = default.is_some_and(|at| a.calls_unlisted_function(at + 1));
    if identity || generated || volatile_default {
        hazards.push(TableRewrite);
    }
    if a.top_level_word("unique") || a.top_level_pair("primary", "key") {
        hazards.extend([IndexBuild, MayFailOnExistingRows]);
    }
    if a.top_level_word("check") || a.top_level_word("references") {
        hazards.push(MayFailOnExistingRows);
    }
    Some(hazards)
}

/// What autogen's own statements that move a sequence's value call.
const SEQUENCE_CALLS: &[&str] = &[
    "setval",
    "nextval",
    "pg_sequence_last_value",
    "pg_get_serial_sequence",
    "greatest",
    "least",
];

/// Functions (and type names written like calls, `varchar(20)`) that a column default may call
/// without PostgreSQL rewriting the table: they are stable or immutable.
const STABLE_CALLS: &[&str] = &[
    "now",
    "transaction_timestamp",
    "statement_timestamp",
    "current_setting",
    "current_timestamp",
    "current_time",
    "localtimestamp",
    "localtime",
    "varying",
    "varchar",
    "character",
    "char",
    "numeric",
    "decimal",
    "timestamp",
    "timestamptz",
    "time",
    "timetz",
    "interval",
    "bit",
    "float",
];

#[derive(Debug, Clone, PartialEq, Eq)]
enum Kind {
    /// An unquoted word, lowercased.
    Word(String),
    /// A quoted identifier (its text, `""` undoubled): a name, never a keyword.
    Quoted(String),
    /// A string literal, dollar-quoted string, number or parameter.
    Literal,
    Open,
    Close,
    Comma,
    Semicolon,
    /// Any other token (an operator, `.`, `::`, `[`, …), as written.
    Punct(String),
}

#[derive(Debug, Clone)]
struct Token {
    kind: Kind,
    /// Parenthesis depth (0 at the top level).
    depth: usize,
}

/// The tokens of one statement (or one `ALTER TABLE` action); positions are counted over the
/// top-level (depth 0) tokens only, so parenthesized parts are skipped as a whole.
struct Cursor<'a> {
    tokens: Vec<&'a Token>,
    top: Vec<usize>,
}

impl<'a> Cursor<'a> {
    fn new(tokens: &'a [Token]) -> Cursor<'a> {
        Self::from_refs(tokens.iter().collect())
    }

    fn from_refs(tokens: Vec<&'a Token>) -> Cursor<'a> {
        let base = tokens.iter().map(|t| t.depth).min().unwrap_or(0);
        let top = tokens
            .iter()
            .enumerate()
            .filter(|(_, t)| t.depth == base && t.kind != Kind::Close)
            .map(|(i, _)| i)
            .collect();
        Cursor { tokens, top }
    }

    fn kind(&self, at: usize) -> Option<&Kind> {
        self.top.get(at).map(|&i| &self.tokens[i].kind)
    }

    /// The `at`-th top-level token if it is an unquoted word.
    fn word(&self, at: usize) -> Option<&str> {
        match self.kind(at)? {
            Kind::Word(word) => Some(word),
            _ => None,
        }
    }

    fn is(&self, at: usize, keyword: &str) -> bool {
        self.word(at) == Some(keyword)
    }

    fn is_punct(&self, at: usize, text: &str) -> bool {
        matches!(self.kind(at), Some(Kind::Punct(punct)) if punct == text)
    }

    /// Past a possibly qualified name (`a`, `"a"."b"`) starting at `at`; `None` if none is there.
    fn skip_name(&self, mut at: usize) -> Option<usize> {
        loop {
            match self.kind(at)? {
                Kind::Word(_) | Kind::Quoted(_) => at += 1,
                _ => return None,
            }
            if self.is_punct(at, ".") {
                at += 1;
            } else {
                return Some(at);
            }
        }
    }

    /// The (possibly schema-qualified) name starting at `at`.
    fn name(&self, at: usize) -> Option<TableName> {
        let end = self.skip_name(at)?;
        let parts: Vec<String> = (at..end)
            .filter_map(|i| match self.kind(i)? {
                Kind::Word(word) => Some(word.clone()),
                Kind::Quoted(name) => Some(name.clone()),
                _ => None,
            })
            .collect();
        let (name, schema) = parts.split_last()?;
        Some(TableName {
            schema: schema.last().cloned(),
            name: name.clone(),
        })
    }

    fn top_level_position(&self, keyword: &str) -> Option<usize> {
        (0..self.top.len()).find(|&at| self.is(at, keyword))
    }

    fn top_level_word(&self, keyword: &str) -> bool {
        self.top_level_position(keyword).is_some()
    }

    fn top_level_pair(&self, first: &str, second: &str) -> bool {
        (0..self.top.len()).any(|at| self.is(at, first) && self.is(at + 1, second))
    }

    /// The top-level tokens from `at` split at top-level commas, each part with the tokens
    /// nested in it.
    fn split_top_level_commas(&self, at: usize) -> Vec<Cursor<'a>> {
        let Some(&start) = self.top.get(at) else {
            return vec![Cursor::from_refs(Vec::new())];
        };
        let base = self.tokens[start].depth;
        let mut parts = vec![Vec::new()];
        for token in &self.tokens[start..] {
            if token.depth == base && token.kind == Kind::Comma {
                parts.push(Vec::new());
            } else if let Some(part) = parts.last_mut() {
                part.push(*token);
            }
        }
        parts.into_iter().map(Cursor::from_refs).collect()
    }

    /// Whether every function called from top-level token `at` on is in `allowed`.
    fn calls_only(&self, at: usize, allowed: &[&str]) -> bool {
        let Some(&start) = self.top.get(at) else {
            return false;
        };
        // Keywords a parenthesis may follow are not calls.
        const NOT_CALLS: &[&str] = &["from", "in", "exists", "as", "and", "or", "not", "then"];
        self.tokens[start..]
            .windows(2)
            .all(|pair| match (&pair[0].kind, &pair[1].kind) {
                (Kind::Word(name), Kind::Open) => {
                    allowed.contains(&name.as_str()) || NOT_CALLS.contains(&name.as_str())
                }
                _ => true,
            })
    }

    /// Whether `name(` appears anywhere in the statement.
    fn top_level_or_nested_call(&self, name: &str) -> bool {
        self.tokens.windows(2).any(|pair| {
            matches!((&pair[0].kind, &pair[1].kind), (Kind::Word(word), Kind::Open) if word == name)
        })
    }

    /// Whether the tokens from top-level position `at` on call a function (a word followed by
    /// `(`) that is not in [`STABLE_CALLS`].
    fn calls_unlisted_function(&self, at: usize) -> bool {
        let Some(&start) = self.top.get(at) else {
            return false;
        };
        self.tokens[start..].windows(2).any(|pair| {
            matches!((&pair[0].kind, &pair[1].kind), (Kind::Word(name), Kind::Open)
                if !STABLE_CALLS.contains(&name.as_str()))
        })
    }
}

/// The tokens of a statement that PostgreSQL's grammar sees (no whitespace or comments), each
/// with its parenthesis depth.
fn tokenize(text: &str) -> Vec<Token> {
    let mut tokens = Vec::new();
    let mut depth = 0usize;
    for token in autogen_sql::lex(text).filter(|token| !token.is_trivia()) {
        let kind = match token.kind {
            TokenKind::Identifier => Kind::Word(token.text.to_ascii_lowercase()),
            TokenKind::QuotedIdentifier | TokenKind::UnicodeIdentifier => Kind::Quoted(
                token
                    .identifier()
                    .map_or_else(|| token.text.to_owned(), |name| name.into_owned()),
            ),
            TokenKind::String(_) | TokenKind::Number | TokenKind::Parameter => Kind::Literal,
            TokenKind::OpenParen => {
                tokens.push(Token {
                    kind: Kind::Open,
                    depth,
                });
                depth += 1;
                continue;
            }
            TokenKind::CloseParen => {
                depth = depth.saturating_sub(1);
                Kind::Close
            }
            TokenKind::Comma => Kind::Comma,
            TokenKind::Semicolon => Kind::Semicolon,
            _ => Kind::Punct(token.text.to_owned()),
        };
        tokens.push(Token { kind, depth });
    }
    tokens
}

#[cfg(test)]
mod tests {
    use super::*;

    fn known(sql: &str) -> Vec<Hazard> {
        match classify(sql) {
            Classification::Known(hazards) => hazards,
            Classification::Unknown => panic!("{sql:?} was not classified"),
        }
    }

    fn sorted(mut hazards: Vec<Hazard>) -> Vec<Hazard> {
        hazards.sort();
        hazards
    }

    #[test]
    fn drops() {
        assert_eq!(
            known("DROP TABLE \"public\".\"users\";"),
            [DataLoss, AccessExclusiveLock]
        );
        assert_eq!(known("drop sequence s;"), [DataLoss]);
        assert_eq!(known("DROP EXTENSION \"pgcrypto\";"), [DataLoss]);
        assert_eq!(known("DROP SCHEMA app;"), []);
        assert_eq!(
            known("DROP SCHEMA app CASCADE;"),
            [DataLoss, AccessExclusiveLock]
        );
        assert_eq!(known("DROP TYPE \"public\".\"status\";"), []);
        assert_eq!(
            known("DROP TYPE status CASCADE"),
            [DataLoss, AccessExclusiveLock]
        );
        assert_eq!(known("DROP INDEX \"public\".\"i\";"), [AccessExclusiveLock]);
        assert_eq!(known("DROP INDEX CONCURRENTLY i;"), []);
        assert_eq!(
            known("DROP VIEW v CASCADE;"),
            [DataLoss, AccessExclusiveLock]
        );
        assert_eq!(
            known("DROP FUNCTION f() CASCADE;"),
            [DataLoss, AccessExclusiveLock]
        );
        assert_eq!(classify("DROP RULE r ON t;"), Classification::Unknown);
    }

    #[test]
    fn data_statements() {
        assert_eq!(known("TRUNCATE users;"), [DataLoss, AccessExclusiveLock]);
        assert_eq!(known("DELETE FROM users WHERE id = 1;"), [DataLoss]);
        assert_eq!(known("delete from users"), [DataLoss]);
        assert_eq!(known("INSERT INTO t (a) VALUES ('DROP TABLE x');"), []);
        assert_eq!(
            classify("UPDATE users SET name = 'x';"),
            Classification::Unknown
        );
    }

    #[test]
    fn updates_and_deletes_of_tables_that_may_hold_rows() {
        let statements = [
            "UPDATE users SET name = 'x';",
            "update only \"app\".\"Users\" set name = 'x' where id = 1",
            "DELETE FROM users;",
            "CREATE TABLE app.fresh (id int);",
            "UPDATE fresh SET id = 1;",
            "DELETE FROM app.fresh;",
            "INSERT INTO users VALUES (1);",
            "SELECT 1;",
            "DELETE FROM \"Fresh\";",
        ];
        assert_eq!(
            visits_existing_rows(&statements),
            [true, true, true, false, false, false, false, false, true]
        );
    }

    #[test]
    fn merges_and_data_modifying_with_queries_visit_rows_too() {
        let statements = [
            "CREATE TABLE fresh (id int);",
            "WITH moved AS (DELETE FROM old_rows RETURNING *) INSERT INTO archive SELECT * FROM moved;",
            "WITH ids AS (SELECT id FROM users) UPDATE users SET name = 'x' WHERE id IN (SELECT id FROM ids);",
            "MERGE INTO users u USING incoming i ON u.id = i.id WHEN MATCHED THEN UPDATE SET name = i.name;",
            "MERGE INTO fresh f USING incoming i ON f.id = i.id WHEN NOT MATCHED THEN INSERT VALUES (i.id);",
            "WITH ids AS (SELECT id FROM users) SELECT * FROM ids FOR UPDATE;",
            "WITH r AS (UPDATE fresh SET id = 2 RETURNING id) SELECT * FROM r;",
            "ALTER TABLE a ADD FOREIGN KEY (b) REFERENCES c (d) ON DELETE CASCADE ON UPDATE CASCADE;",
        ];
        assert_eq!(
            visits_existing_rows(&statements),
            [false, true, true, true, false, false, false, false]
        );
    }

    #[test]
    fn alter_table_columns() {
        assert_eq!(
            known("ALTER TABLE \"public\".\"products\" DROP COLUMN \"legacy_code\";"),
            [DataLoss, AccessExclusiveLock]
        );
        assert_eq!(
            known("ALTER TABLE t DROP legacy;"),
            [DataLoss, AccessExclusiveLock]
        );
        assert_eq!(
            known("ALTER TABLE t DROP CONSTRAINT t_check;"),
            [AccessExclusiveLock]
        );
        assert_eq!(
            known("ALTER TABLE t ALTER COLUMN a TYPE bigint;"),
            [TableRewrite, AccessExclusiveLock, MayFailOnExistingRows]
        );
        assert_eq!(
            known("ALTER TABLE t ALTER a SET DATA TYPE text USING a::text"),
            [TableRewrite, AccessExclusiveLock, MayFailOnExistingRows]
        );
        assert_eq!(
            known("ALTER TABLE t ALTER COLUMN a SET NOT NULL;"),
            [AccessExclusiveLock, MayFailOnExistingRows]
        );
        for action in [
            "DROP NOT NULL",
            "SET DEFAULT 0",
            "DROP DEFAULT",
            "DROP IDENTITY",
        ] {
            assert_eq!(
                known(&format!("ALTER TABLE t ALTER COLUMN a {action};")),
                [AccessExclusiveLock],
                "{action}"
            );
        }
        // Column settings: SHARE UPDATE EXCLUSIVE (statistics, options) or ACCESS EXCLUSIVE
        // without a rewrite (storage, compression).
        assert_eq!(
            known("ALTER TABLE t ALTER COLUMN a SET STATISTICS 100;"),
            []
        );
        assert_eq!(
            known("ALTER TABLE t ALTER COLUMN a SET STORAGE MAIN;"),
            [AccessExclusiveLock]
        );
        assert_eq!(
            classify("ALTER TABLE t ALTER COLUMN a SET SOMETHING;"),
            Classification::Unknown
        );
    }

    #[test]
    fn add_column() {
        assert_eq!(
            known("ALTER TABLE t ADD COLUMN phone character varying(20);"),
            [AccessExclusiveLock]
        );
        assert_eq!(
            known("ALTER TABLE t ADD COLUMN n integer NOT NULL;"),
            [AccessExclusiveLock, MayFailOnExistingRows]
        );
        assert_eq!(
            known("ALTER TABLE t ADD n integer NOT NULL DEFAULT 0;"),
            [AccessExclusiveLock]
        );
        assert_eq!(
            known("ALTER TABLE t ADD COLUMN at timestamptz NOT NULL DEFAULT now();"),
            [AccessExclusiveLock]
        );
        assert_eq!(
            known("ALTER TABLE t ADD COLUMN u uuid DEFAULT gen_random_uuid();"),
            sorted(vec![AccessExclusiveLock, TableRewrite])
        );
        assert_eq!(
            known("ALTER TABLE t ADD COLUMN id bigint GENERATED ALWAYS AS IDENTITY NOT NULL;"),
            sorted(vec![AccessExclusiveLock, TableRewrite])
        );
        assert_eq!(
            known("ALTER TABLE t ADD COLUMN g integer GENERATED ALWAYS AS (a * 2) STORED;"),
            sorted(vec![AccessExclusiveLock, TableRewrite])
        );
        assert_eq!(
            known("ALTER TABLE t ADD COLUMN e text UNIQUE;"),
            [AccessExclusiveLock, IndexBuild, MayFailOnExistingRows]
        );
    }

    #[test]
    fn add_constraints() {
        assert_eq!(
            known("ALTER TABLE t ADD CONSTRAINT t_pkey PRIMARY KEY (id);"),
            [AccessExclusiveLock, IndexBuild, MayFailOnExistingRows]
        );
        assert_eq!(
            known("ALTER TABLE t ADD UNIQUE (a, b);"),
            [AccessExclusiveLock, IndexBuild, MayFailOnExistingRows]
        );
        assert_eq!(
            known("ALTER TABLE t ADD CONSTRAINT u UNIQUE USING INDEX i;"),
            [AccessExclusiveLock]
        );
        assert_eq!(
            known("ALTER TABLE t ADD CONSTRAINT c CHECK (a > 0);"),
            [AccessExclusiveLock, MayFailOnExistingRows]
        );
        assert_eq!(
            known("ALTER TABLE t ADD CONSTRAINT c CHECK (a > 0) NOT VALID;"),
            [AccessExclusiveLock]
        );
        assert_eq!(
            known("ALTER TABLE t ADD CONSTRAINT f FOREIGN KEY (a) REFERENCES u (id);"),
            [MayFailOnExistingRows]
        );
        assert_eq!(
            known("ALTER TABLE t ADD CONSTRAINT f FOREIGN KEY (a) REFERENCES u (id) NOT VALID;"),
            []
        );
        assert_eq!(
            known("ALTER TABLE t VALIDATE CONSTRAINT f;"),
            [MayFailOnExistingRows]
        );
    }

    #[test]
    fn several_actions_are_the_union_and_one_unknown_action_is_unknown() {
        assert_eq!(
            known("ALTER TABLE t DROP COLUMN a, ADD COLUMN b integer NOT NULL;"),
            [DataLoss, AccessExclusiveLock, MayFailOnExistingRows]
        );
        assert_eq!(
            classify("ALTER TABLE t DROP COLUMN a, CLUSTER ON t_pkey;"),
            Classification::Unknown
        );
        assert_eq!(
            known("ALTER TABLE IF EXISTS ONLY t RENAME COLUMN a TO b;"),
            [AccessExclusiveLock]
        );
        assert_eq!(
            known("ALTER TABLE t SET UNLOGGED;"),
            [TableRewrite, AccessExclusiveLock]
        );
    }

    #[test]
    fn indexes() {
        assert_eq!(known("CREATE INDEX i ON t (a);"), [IndexBuild]);
        assert_eq!(
            known("CREATE UNIQUE INDEX i ON t (a);"),
            [IndexBuild, MayFailOnExistingRows]
        );
        assert_eq!(known("CREATE INDEX CONCURRENTLY i ON t (a);"), []);
        assert_eq!(
            known("CREATE UNIQUE INDEX CONCURRENTLY i ON t (a);"),
            [MayFailOnExistingRows]
        );
        assert_eq!(
            known("ALTER INDEX \"public\".\"a\" RENAME TO \"b\";"),
            [AccessExclusiveLock]
        );
    }

    #[test]
    fn harmless_creates_and_others() {
        for sql in [
            "CREATE TABLE t (id bigint PRIMARY KEY);",
            "CREATE UNLOGGED TABLE t (id bigint);",
            "CREATE TYPE s AS ENUM ('a', 'b');",
            "CREATE SCHEMA app;",
            "CREATE EXTENSION IF NOT EXISTS pgcrypto;",
            "CREATE SEQUENCE s;",
            "COMMENT ON TABLE t IS 'DROP TABLE t';",
            "ALTER TYPE s ADD VALUE 'c' BEFORE 'b';",
            "ALTER TYPE s RENAME TO s_autogen_old;",
            "ALTER SEQUENCE s OWNED BY t.id;",
            "ALTER EXTENSION e UPDATE TO '2.0';",
            "SET lock_timeout = '5s';",
            "SET LOCAL statement_timeout TO '1h';",
            "RESET lock_timeout;",
            ";",
        ] {
            assert_eq!(known(sql), [], "{sql}");
        }
        assert_eq!(
            known("ALTER SEQUENCE s AS integer MAXVALUE 100;"),
            [MayFailOnExistingRows]
        );
        for sql in [
            "DO $$ BEGIN DROP TABLE t; END $$;",
            "CREATE RULE r AS ON INSERT TO t DO INSTEAD NOTHING;",
            "SELECT 1;",
            "SELECT setval('s', 1), pg_terminate_backend(42);",
            "SET search_path = app;",
            "ALTER TABLE t CLUSTER ON t_pkey;",
        ] {
            assert_eq!(classify(sql), Classification::Unknown, "{sql}");
        }
    }

    #[test]
    fn views_routines_triggers_domains_and_types() {
        for (sql, hazards) in [
            ("CREATE VIEW v AS SELECT 1;", vec![]),
            (
                "CREATE OR REPLACE VIEW v AS SELECT 1, 2;",
                vec![AccessExclusiveLock],
            ),
            ("CREATE MATERIALIZED VIEW m AS SELECT 1;", vec![LongRunning]),
            (
                "CREATE MATERIALIZED VIEW m AS SELECT 1\nWITH NO DATA;",
                vec![],
            ),
            ("REFRESH MATERIALIZED VIEW m;", vec![LongRunning]),
            ("DROP VIEW v;", vec![AccessExclusiveLock]),
            ("DROP MATERIALIZED VIEW m;", vec![AccessExclusiveLock]),
            (
                "CREATE FUNCTION f() RETURNS int LANGUAGE sql AS $$ DROP TABLE t $$;",
                vec![],
            ),
            (
                "CREATE OR REPLACE FUNCTION f() RETURNS int AS $$ SELECT 1 $$ LANGUAGE sql;",
                vec![BehaviorChange],
            ),
            ("DROP FUNCTION f(integer);", vec![BehaviorChange]),
            ("DROP PROCEDURE p();", vec![BehaviorChange]),
            (
                "CREATE TRIGGER t BEFORE UPDATE ON x FOR EACH ROW EXECUTE FUNCTION f();",
                vec![BehaviorChange],
            ),
            (
                "CREATE CONSTRAINT TRIGGER t AFTER INSERT ON x DEFERRABLE FOR EACH ROW EXECUTE FUNCTION f();",
                vec![BehaviorChange],
            ),
            (
                "DROP TRIGGER t ON x;",
                vec![AccessExclusiveLock, BehaviorChange],
            ),
            ("ALTER TABLE x DISABLE TRIGGER t;", vec![BehaviorChange]),
            (
                "CREATE POLICY p ON x AS RESTRICTIVE FOR SELECT TO r USING (a > 0);",
                vec![AccessExclusiveLock, BehaviorChange],
            ),
            (
                "ALTER POLICY p ON x TO r USING (true);",
                vec![AccessExclusiveLock, BehaviorChange],
            ),
            (
                "DROP POLICY p ON x;",
                vec![AccessExclusiveLock, BehaviorChange],
            ),
            (
                "ALTER TABLE x ENABLE ROW LEVEL SECURITY;",
                vec![AccessExclusiveLock, BehaviorChange],
            ),
            (
                "ALTER TABLE x NO FORCE ROW LEVEL SECURITY;",
                vec![AccessExclusiveLock, BehaviorChange],
            ),
            (
                "ALTER TABLE x SET (fillfactor=70, toast.autovacuum_enabled=false);",
                vec![],
            ),
            ("ALTER TABLE x RESET (fillfactor);", vec![]),
            (
                "ALTER TABLE ONLY x ALTER COLUMN c SET STATISTICS 500;",
                vec![],
            ),
            (
                "ALTER TABLE ONLY x ALTER COLUMN c SET (n_distinct=-0.02);",
                vec![],
            ),
            ("ALTER TABLE x ALTER c RESET (n_distinct);", vec![]),
            (
                "ALTER TABLE ONLY x ALTER COLUMN c SET STORAGE EXTERNAL;",
                vec![AccessExclusiveLock],
            ),
            (
                "ALTER TABLE x ALTER COLUMN c SET COMPRESSION lz4;",
                vec![AccessExclusiveLock],
            ),
            (
                "ALTER DEFAULT PRIVILEGES FOR ROLE m IN SCHEMA s GRANT SELECT ON TABLES TO r;",
                vec![],
            ),
            (
                "ALTER TABLE x REPLICA IDENTITY FULL;",
                vec![AccessExclusiveLock],
            ),
            (
                "ALTER TABLE x ENABLE REPLICA TRIGGER t;",
                vec![BehaviorChange],
            ),
            (
                "ALTER TABLE p ATTACH PARTITION x FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');",
                vec![AccessExclusiveLock, MayFailOnExistingRows, LongRunning],
            ),
            (
                "ALTER TABLE x NO INHERIT p;",
                vec![AccessExclusiveLock, BehaviorChange],
            ),
            (
                "ALTER TABLE x INHERIT p;",
                vec![AccessExclusiveLock, BehaviorChange],
            ),
            (
                "ALTER TABLE p DETACH PARTITION x;",
                vec![AccessExclusiveLock, BehaviorChange],
            ),
            (
                "ALTER TABLE p DETACH PARTITION x CONCURRENTLY;",
                vec![BehaviorChange],
            ),
            ("CREATE DOMAIN d AS text CHECK (VALUE <> '');", vec![]),
            (
                "ALTER DOMAIN d ADD CONSTRAINT c CHECK (VALUE <> '');",
                vec![MayFailOnExistingRows],
            ),
            (
                "ALTER DOMAIN d ADD CONSTRAINT c CHECK (VALUE <> '') NOT VALID;",
                vec![],
            ),
            ("ALTER DOMAIN d SET NOT NULL;", vec![MayFailOnExistingRows]),
            ("ALTER DOMAIN d DROP CONSTRAINT c;", vec![]),
            ("ALTER DOMAIN d SET DEFAULT 'x';", vec![]),
            ("DROP DOMAIN d;", vec![]),
            ("ALTER TYPE c ADD ATTRIBUTE a integer;", vec![]),
            ("ALTER TYPE c ALTER ATTRIBUTE a TYPE bigint;", vec![]),
            ("ALTER TYPE c DROP ATTRIBUTE a;", vec![DataLoss]),
            (
                "CREATE COLLATION c (provider = icu, locale = 'und');",
                vec![],
            ),
            ("DROP COLLATION c;", vec![]),
            (
                "CREATE TEXT SEARCH DICTIONARY \"s\".\"d\" (TEMPLATE = pg_catalog.simple, stopwords = 'english');",
                vec![],
            ),
            (
                "CREATE TEXT SEARCH CONFIGURATION \"s\".\"c\" (PARSER = pg_catalog.\"default\");",
                vec![],
            ),
            (
                "ALTER TEXT SEARCH CONFIGURATION \"s\".\"c\" ALTER MAPPING FOR \"word\" WITH s.d;",
                vec![BehaviorChange],
            ),
            (
                "ALTER TEXT SEARCH DICTIONARY \"s\".\"d\" (accept = 'false');",
                vec![BehaviorChange],
            ),
            (
                "DROP TEXT SEARCH CONFIGURATION \"s\".\"c\";",
                vec![BehaviorChange],
            ),
            (
                "DROP TEXT SEARCH DICTIONARY s.d CASCADE;",
                vec![DataLoss, AccessExclusiveLock],
            ),
            ("GRANT SELECT ON TABLE v TO reporting;", vec![]),
            ("REVOKE SELECT ON TABLE v FROM reporting;", vec![]),
            ("SET check_function_bodies = false;", vec![]),
            (
                "SELECT CASE WHEN pg_catalog.pg_sequence_last_value(s) IS NULL THEN pg_catalog.setval(s, GREATEST(1, LEAST(10, pg_catalog.nextval(s))), false) ELSE pg_catalog.setval(s, 5, true) END FROM (SELECT '\"public\".\"q\"'::regclass AS s) AS sequence;",
                vec![],
            ),
            (
                "ALTER TABLE t ALTER COLUMN id SET INCREMENT BY 10 SET START WITH 1000;",
                vec![AccessExclusiveLock],
            ),
            (
                "ALTER TABLE t ALTER COLUMN id SET MAXVALUE 500;",
                vec![AccessExclusiveLock, MayFailOnExistingRows],
            ),
            ("RESET check_function_bodies;", vec![]),
        ] {
            assert_eq!(known(sql), hazards, "{sql}");
        }
    }

    #[test]
    fn constraints_and_indexes_of_tables_created_earlier_cannot_fail() {
        let all = classify_all(&[
            "CREATE TABLE \"public\".\"users\" (id bigint);",
            "ALTER TABLE \"public\".\"users\" ADD CONSTRAINT u UNIQUE (id);",
            "CREATE UNIQUE INDEX i ON users (id);",
            "ALTER TABLE \"public\".\"posts\" ADD CONSTRAINT u UNIQUE (id);",
            "INSERT INTO public.users VALUES (1);",
            "CREATE INDEX j ON users (id);",
        ]);
        assert_eq!(
            all,
            [
                Classification::Known(vec![]),
                Classification::Known(vec![AccessExclusiveLock]),
                Classification::Known(vec![]),
                Classification::Known(vec![AccessExclusiveLock, IndexBuild, MayFailOnExistingRows]),
                Classification::Known(vec![]),
                Classification::Known(vec![IndexBuild]),
            ]
        );
        // Anything unclassified may have written to it.
        let all = classify_all(&[
            "CREATE TABLE t (id bigint);",
            "DO $$ BEGIN INSERT INTO t VALUES (1); END $$;",
            "CREATE INDEX j ON t (id);",
        ]);
        assert_eq!(all[2], Classification::Known(vec![IndexBuild]));
    }

    #[test]
    fn comments_case_and_quoted_identifiers() {
        assert_eq!(
            known("-- hazard: none\n/* a /* nested */ comment */\n  dRoP   tAbLe x;"),
            [DataLoss, AccessExclusiveLock]
        );
        // A quoted "DROP" is a name, not a keyword.
        assert_eq!(
            known("ALTER TABLE \"drop\" ADD COLUMN \"drop\" text;"),
            [AccessExclusiveLock]
        );
        assert_eq!(
            known("ALTER TABLE t ALTER COLUMN \"type\" DROP DEFAULT;"),
            [AccessExclusiveLock]
        );
        assert_eq!(classify("\"drop\" table x;"), Classification::Unknown);
        // Keywords inside strings and dollar quotes do not count.
        assert_eq!(
            known("ALTER TABLE t ADD COLUMN c text DEFAULT 'x NOT NULL';"),
            [AccessExclusiveLock]
        );
        assert_eq!(
            known("ALTER TABLE t ADD COLUMN c text DEFAULT $q$ CASCADE $q$;"),
            [AccessExclusiveLock]
        );
        assert_eq!(known("DROP TYPE \"cascade\";"), []);
    }
}
