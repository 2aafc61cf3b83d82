//! The command-line spelling of upgrade and downgrade targets.

use crate::{DowngradeTarget, MigrateError, RevisionGraph, UpgradeTarget};

impl RevisionGraph {
    /// `head`, `heads`, `+N`, or a revision id or unique prefix.
    pub fn parse_upgrade_target(&self, text: &str) -> Result<UpgradeTarget, MigrateError> {
        match text {
            "head" => Ok(UpgradeTarget::Head),
            "heads" => Ok(UpgradeTarget::Heads),
            _ => match text.strip_prefix('+') {
                Some(count) => relative(text, count).map(UpgradeTarget::Relative),
                None => Ok(UpgradeTarget::Revision(
                    self.resolve(text)?.revision.id.clone(),
                )),
            },
        }
    }

    /// `base`, `-N`, or a revision id or unique prefix.
    pub fn parse_downgrade_target(&self, text: &str) -> Result<DowngradeTarget, MigrateError> {
        match text {
            "base" => Ok(DowngradeTarget::Base),
            _ => match text.strip_prefix('-') {
                Some(count) => relative(text, count).map(DowngradeTarget::Relative),
                None => Ok(DowngradeTarget::Revision(
                    self.resolve(text)?.revision.id.clone(),
                )),
            },
        }
    }
}

/// The N of `+N` / `-N`: a positive decimal number.
fn relative(text: &str, count: &str) -> Result<usize, MigrateError> {
    let invalid = |reason| MigrateError::InvalidTarget {
        text: text.to_owned(),
        reason,
    };
    if count.is_empty() || !count.bytes().all(|b| b.is_ascii_digit()) {
        return Err(invalid("expected a number of revisions after the sign"));
    }
    match count.parse::<usize>() {
        Ok(0) => Err(invalid("the number of revisions must be at least 1")),
        Ok(n) => Ok(n),
        Err(_) => Err(invalid("the number of revisions is too large")),
    }
}
