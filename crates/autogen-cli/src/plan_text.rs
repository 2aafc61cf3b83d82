//! How plans are shown to people: statements under `-- hazard:` comments (the revision file
//! and `diff --format sql` form) and a one-line stderr count of the risky ones.

use crate::output;
use autogen_diff::{Hazard, Plan, RenameHint};
use std::collections::BTreeMap;

/// Each statement under a `-- hazard:` comment, as in revision files.
pub fn sql_with_hazards(plan: &Plan) -> String {
    let mut text = String::new();
    for statement in &plan.statements {
        text.push_str(&autogen_diff::hazard_comment(&statement.hazards));
        text.push('\n');
        text.push_str(&statement.sql);
        text.push('\n');
    }
    text
}

/// One stderr line counting the statements per hazard, so risk is visible at a glance.
pub fn hazard_summary(plan: &Plan) {
    let mut counts: BTreeMap<Hazard, usize> = BTreeMap::new();
    for statement in &plan.statements {
        for hazard in &statement.hazards {
            *counts.entry(*hazard).or_default() += 1;
        }
    }
    let risky = [
        Hazard::DataLoss,
        Hazard::TableRewrite,
        Hazard::MayFailOnExistingRows,
    ];
    let flagged: Vec<String> = counts
        .iter()
        .filter(|(hazard, _)| risky.contains(hazard))
        .map(|(hazard, count)| format!("{count} × {hazard}"))
        .collect();
    if !flagged.is_empty() {
        output::warning(&format!(
            "{} statement(s), hazards: {}",
            plan.statements.len(),
            flagged.join(", ")
        ));
    }
}

/// The drop+add pairs that look like renames, as `help:` lines (the diff never guesses them).
pub fn rename_hints(hints: &[RenameHint]) {
    for hint in hints {
        output::help(&hint.to_string());
    }
}

/// The same hints as comment lines at the top of a revision's up section, so a reviewer of
/// the file sees them too.
pub fn rename_hint_comments(hints: &[RenameHint]) -> String {
    hints
        .iter()
        .map(|hint| format!("-- autogen: {hint}\n"))
        .collect()
}
