//! How plans are shown to people: statements under `-- hazard:` comments (the revision file
//! and `diff --format sql` form) and a one-line stderr count of the risky ones.

use crate::output;
use autogen_diff::{Hazard, Plan, RenameHint, UnmanagedDifference, ValueHint};
use std::collections::BTreeMap;

/// Each statement under a `-- hazard:` comment, as in revision files.
pub fn sql_with_hazards(plan: &Plan) -> String {
    let mut text = String::new();
    for statement in &plan.statements {
        text.push_str(&autogen_diff::hazard_comment(&statement.hazards));
        text.push('\n');
        if statement.batched {
            text.push_str(autogen_diff::BATCH_DIRECTIVE);
            text.push('\n');
        }
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

/// Required columns nothing gives existing rows a value for, as help lines.
pub fn value_hints(hints: &[ValueHint]) {
    for hint in hints {
        output::help(&hint.to_string());
    }
}

/// The same as comment lines at the top of a revision's up section.
pub fn value_hint_comments(hints: &[ValueHint]) -> String {
    hints
        .iter()
        .map(|hint| format!("-- autogen: {hint}\n"))
        .collect()
}

/// One line per unmanaged object that differs, `current` and `desired` named the caller's way.
pub fn unmanaged_lines(
    differences: &[UnmanagedDifference],
    current: &str,
    desired: &str,
) -> String {
    differences
        .iter()
        .map(|difference| format!("  {}\n", difference.describe(current, desired)))
        .collect()
}

/// The same as `-- autogen: not planned: …` comment lines, for SQL output.
pub fn unmanaged_comments(
    differences: &[UnmanagedDifference],
    current: &str,
    desired: &str,
) -> String {
    differences
        .iter()
        .map(|difference| {
            format!(
                "-- autogen: not planned (autogen does not manage it): {}\n",
                difference.describe(current, desired)
            )
        })
        .collect()
}

/// The stderr error that says a plan leaves out objects autogen does not manage.
pub fn unmanaged_error(differences: &[UnmanagedDifference], current: &str, desired: &str) {
    output::error(&format!(
        "{} object(s) of kinds autogen does not manage differ; no plan includes them:\n{}",
        differences.len(),
        unmanaged_lines(differences, current, desired).trim_end()
    ));
}
