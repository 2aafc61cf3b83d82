//! Settings whose string value is one of a few words: referential actions, deferral, identity.

use super::table::RowLevelSecurity;
use crate::problem::{Problem, Spanned};
use crate::suggest;
use autogen_schema::{Deferral, IdentityKind, ReferentialAction, ReplicaIdentity};

/// `"set null"`, `"SET NULL"`, `"set_null"` and `"set-null"` all mean the same.
fn normalize(text: &str) -> String {
    text.to_lowercase()
        .replace(['_', '-'], " ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

fn unknown_choice(value: &Spanned<String>, key: &str, choices: &[&str]) -> Problem {
    let quoted: Vec<String> = choices
        .iter()
        .map(|choice| format!("\"{choice}\""))
        .collect();
    let normalized = normalize(&value.value);
    let help = match suggest::closest(&normalized, choices.iter().copied()) {
        Some(choice) => format!("did you mean \"{choice}\"?"),
        None => format!("use one of {}", quoted.join(", ")),
    };
    Problem::new(value.loc, format!("unknown {key} `{}`", value.value))
        .label(format!("not one of {}", quoted.join(", ")))
        .help(help)
}

const ACTIONS: [&str; 5] = [
    "cascade",
    "restrict",
    "set null",
    "set default",
    "no action",
];

/// `on_delete` / `on_update` values.
pub(crate) fn referential_action(
    value: &Spanned<String>,
    key: &str,
    problems: &mut Vec<Problem>,
) -> Option<ReferentialAction> {
    match normalize(&value.value).as_str() {
        "cascade" => Some(ReferentialAction::Cascade),
        "restrict" => Some(ReferentialAction::Restrict),
        "set null" => Some(ReferentialAction::SetNull),
        "set default" => Some(ReferentialAction::SetDefault),
        "no action" => Some(ReferentialAction::NoAction),
        _ => {
            problems.push(unknown_choice(value, &format!("`{key}` action"), &ACTIONS));
            None
        }
    }
}

/// `deferrable = "..."` values (a bare `deferrable` is [`Deferral::Deferrable`]).
pub(crate) fn deferral(value: &Spanned<String>, problems: &mut Vec<Problem>) -> Option<Deferral> {
    match normalize(&value.value).as_str() {
        "initially deferred" | "deferred" => Some(Deferral::InitiallyDeferred),
        "initially immediate" | "immediate" => Some(Deferral::Deferrable),
        _ => {
            problems.push(unknown_choice(
                value,
                "`deferrable` setting",
                &["initially deferred", "initially immediate"],
            ));
            None
        }
    }
}

/// `identity = "..."` values (a bare `identity` is BY DEFAULT).
pub(crate) fn identity(
    value: &Spanned<String>,
    problems: &mut Vec<Problem>,
) -> Option<IdentityKind> {
    match normalize(&value.value).as_str() {
        "always" => Some(IdentityKind::Always),
        "by default" => Some(IdentityKind::ByDefault),
        _ => {
            problems.push(unknown_choice(
                value,
                "`identity` kind",
                &["always", "by default"],
            ));
            None
        }
    }
}

/// `row_level_security = "forced"` (a bare `row_level_security` enables it).
pub(crate) fn row_level_security(
    value: &Spanned<String>,
    problems: &mut Vec<Problem>,
) -> Option<RowLevelSecurity> {
    match normalize(&value.value).as_str() {
        "forced" | "force" => Some(RowLevelSecurity::Forced),
        "enabled" | "enable" => Some(RowLevelSecurity::Enabled),
        _ => {
            problems.push(unknown_choice(
                value,
                "`row_level_security` setting",
                &["enabled", "forced"],
            ));
            None
        }
    }
}

/// `replica_identity = "full" | "nothing" | "default" | "using index NAME"`.
pub(crate) fn replica_identity(
    value: &Spanned<String>,
    problems: &mut Vec<Problem>,
) -> Option<ReplicaIdentity> {
    let words: Vec<&str> = value.value.split_whitespace().collect();
    let lower: Vec<String> = words.iter().map(|word| word.to_lowercase()).collect();
    let lower: Vec<&str> = lower.iter().map(String::as_str).collect();
    match lower.as_slice() {
        ["full"] => Some(ReplicaIdentity::Full),
        ["nothing"] => Some(ReplicaIdentity::Nothing),
        ["default"] => Some(ReplicaIdentity::Default),
        ["using", "index", _] => Some(ReplicaIdentity::Index(words[2].to_string())),
        _ => {
            problems.push(unknown_choice(
                value,
                "`replica_identity`",
                &["default", "full", "nothing", "using index NAME"],
            ));
            None
        }
    }
}
