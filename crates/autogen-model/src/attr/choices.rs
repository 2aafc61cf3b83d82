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

/// `storage = "..."`: what `SET STORAGE` takes (PostgreSQL refuses one the type cannot have).
pub(crate) fn storage(value: &Spanned<String>, problems: &mut Vec<Problem>) -> Option<String> {
    const STORAGES: [&str; 4] = ["plain", "external", "extended", "main"];
    let normalized = normalize(&value.value);
    if let Some(storage) = STORAGES.iter().find(|storage| **storage == normalized) {
        return Some(storage.to_string());
    }
    problems.push(unknown_choice(value, "`storage`", &STORAGES));
    None
}

/// `compression = "..."`: the methods `SET COMPRESSION` takes.
pub(crate) fn compression(value: &Spanned<String>, problems: &mut Vec<Problem>) -> Option<String> {
    const METHODS: [&str; 2] = ["pglz", "lz4"];
    let normalized = normalize(&value.value);
    if let Some(method) = METHODS.iter().find(|method| **method == normalized) {
        return Some(method.to_string());
    }
    problems.push(unknown_choice(value, "`compression` method", &METHODS));
    None
}

/// `statistics = n`: PostgreSQL's range of statistics targets (`-1`, its default, is what
/// leaving the setting out says).
pub(crate) fn statistics_target(
    value: &Spanned<i64>,
    problems: &mut Vec<Problem>,
) -> Option<Spanned<i32>> {
    match i32::try_from(value.value) {
        Ok(target) if (0..=10000).contains(&target) => Some(Spanned::new(target, value.loc)),
        _ => {
            problems.push(
                Problem::new(
                    value.loc,
                    format!("statistics target {} is out of range", value.value),
                )
                .label("not between 0 and 10000")
                .help("write a target from 0 to 10000, or leave `statistics` out for the default"),
            );
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
