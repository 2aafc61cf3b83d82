//! Hazards: what can go wrong when a statement runs on a live database. The one place their
//! names and the `-- hazard:` comment above each statement of a revision are spelled, for the
//! writer (revision files, `diff --format sql`), `autogen lint` and the policy.

use serde::Serialize;

/// What can go wrong when a statement runs on a live database.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Hazard {
    /// Data is deleted (a dropped table, column or sequence).
    DataLoss,
    /// PostgreSQL rewrites the whole table.
    TableRewrite,
    /// Takes an ACCESS EXCLUSIVE lock: blocks reads and writes of the table meanwhile.
    AccessExclusiveLock,
    /// Builds an index (time proportional to the table; blocks writes unless concurrent).
    IndexBuild,
    /// May fail when existing rows violate the new rule (NOT NULL, UNIQUE, CHECK, FK, type).
    MayFailOnExistingRows,
    /// Runs a query over the data while it holds its lock (a materialized view created with
    /// its data).
    LongRunning,
    /// Changes what running code does: a replaced function, procedure or trigger takes effect
    /// for every session at once, mid-transaction for the ones that call it next.
    BehaviorChange,
}

impl Hazard {
    /// The kebab-case name used in revision comments and JSON (`data-loss`).
    pub fn as_str(&self) -> &'static str {
        match self {
            Hazard::DataLoss => "data-loss",
            Hazard::TableRewrite => "table-rewrite",
            Hazard::AccessExclusiveLock => "access-exclusive-lock",
            Hazard::IndexBuild => "index-build",
            Hazard::MayFailOnExistingRows => "may-fail-on-existing-rows",
            Hazard::LongRunning => "long-running",
            Hazard::BehaviorChange => "behavior-change",
        }
    }
}

impl std::fmt::Display for Hazard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Every hazard, in the order of their names in messages.
pub const ALL_HAZARDS: [Hazard; 7] = [
    Hazard::DataLoss,
    Hazard::TableRewrite,
    Hazard::AccessExclusiveLock,
    Hazard::IndexBuild,
    Hazard::MayFailOnExistingRows,
    Hazard::LongRunning,
    Hazard::BehaviorChange,
];

impl std::str::FromStr for Hazard {
    type Err = String;

    /// A hazard from its kebab-case name (`data-loss`, case and surrounding space ignored);
    /// the error lists the valid names.
    fn from_str(name: &str) -> Result<Self, Self::Err> {
        let name = name.trim();
        ALL_HAZARDS
            .into_iter()
            .find(|hazard| hazard.as_str().eq_ignore_ascii_case(name))
            .ok_or_else(|| {
                format!(
                    "unknown hazard {name:?}: expected one of {}",
                    ALL_HAZARDS.map(|hazard| hazard.as_str()).join(", ")
                )
            })
    }
}

/// The comment line autogen writes above each statement: `-- hazard: data-loss, …` (`none`
/// when the statement is harmless).
pub fn hazard_comment(hazards: &[Hazard]) -> String {
    format!("-- hazard: {}", hazard_names(hazards))
}

/// `a, b` for messages and comments; `none` for no hazards.
pub fn hazard_names(hazards: &[Hazard]) -> String {
    if hazards.is_empty() {
        "none".to_string()
    } else {
        hazards
            .iter()
            .map(Hazard::as_str)
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// The hazards of a `-- hazard: …` comment line (names autogen does not know are ignored);
/// `None` when the line is not such a comment.
pub fn parse_hazard_comment(line: &str) -> Option<Vec<Hazard>> {
    let list = line
        .trim()
        .strip_prefix("--")?
        .trim()
        .strip_prefix("hazard:")?;
    Some(
        list.split(',')
            .filter_map(|name| name.parse().ok())
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comments_round_trip_and_names_parse() {
        let hazards = [Hazard::DataLoss, Hazard::AccessExclusiveLock];
        assert_eq!(
            hazard_comment(&hazards),
            "-- hazard: data-loss, access-exclusive-lock"
        );
        assert_eq!(
            parse_hazard_comment(&hazard_comment(&hazards)),
            Some(hazards.to_vec())
        );
        assert_eq!(hazard_comment(&[]), "-- hazard: none");
        assert_eq!(parse_hazard_comment("-- hazard: none"), Some(vec![]));
        assert_eq!(parse_hazard_comment("-- something else"), None);
        assert_eq!(" Table-Rewrite".parse(), Ok(Hazard::TableRewrite));
        let error = "dataloss".parse::<Hazard>().unwrap_err();
        assert!(error.contains("may-fail-on-existing-rows"), "{error}");
    }
}
