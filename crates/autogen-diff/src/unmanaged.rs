//! Objects autogen does not model (policies, grants, partitions, …) that differ between two
//! schemas. No plan creates, drops or changes them, so a difference in one is never a change:
//! it is reported next to the plan, and whoever plans must not say "no changes".

use serde::Serialize;
use std::collections::BTreeMap;

/// One object of a kind autogen does not model, as introspection names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UnmanagedObject<'a> {
    /// Singular kind name: `policy`, `grant`, `partitioned table`, …
    pub kind: &'a str,
    /// Qualified name (`public.accounts.owner_only` for a policy on a table).
    pub name: &'a str,
    /// Its definition as PostgreSQL prints it: two objects of the same name differ when it does.
    pub fingerprint: &'a str,
}

/// How an unmanaged object differs between the current and the desired schema.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum UnmanagedChange {
    /// In the current schema only: a plan would have to drop it.
    OnlyInCurrent,
    /// In the desired schema only: a plan would have to create it.
    OnlyInDesired,
    /// In both, defined differently.
    Changed,
}

/// An unmanaged object that differs: the plan does not include it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct UnmanagedDifference {
    pub kind: String,
    pub name: String,
    pub change: UnmanagedChange,
}

impl UnmanagedDifference {
    /// `policy public.accounts.owner_only: only in the revisions`, with the two schemas called
    /// `current` and `desired` the way the caller names them.
    pub fn describe(&self, current: &str, desired: &str) -> String {
        let how = match self.change {
            UnmanagedChange::OnlyInCurrent => format!("only in {current}"),
            UnmanagedChange::OnlyInDesired => format!("only in {desired}"),
            UnmanagedChange::Changed => format!("defined differently in {current} and {desired}"),
        };
        format!("{} {}: {how}", self.kind, self.name)
    }
}

/// The unmanaged objects that differ between `current` and `desired`, sorted by kind and name;
/// objects of the kinds in `ignored` are left out.
pub fn unmanaged_differences<'a>(
    current: impl IntoIterator<Item = UnmanagedObject<'a>>,
    desired: impl IntoIterator<Item = UnmanagedObject<'a>>,
    ignored: &[String],
) -> Vec<UnmanagedDifference> {
    let keep = |object: &UnmanagedObject| !ignored.iter().any(|kind| kind == object.kind);
    let by_identity = |objects: Vec<UnmanagedObject<'a>>| {
        objects
            .into_iter()
            .map(|object| ((object.kind, object.name), object.fingerprint))
            .collect::<BTreeMap<_, _>>()
    };
    let have = by_identity(current.into_iter().filter(keep).collect());
    let want = by_identity(desired.into_iter().filter(keep).collect());
    let difference = |(kind, name): (&str, &str), change| UnmanagedDifference {
        kind: kind.to_string(),
        name: name.to_string(),
        change,
    };
    let mut differences: Vec<UnmanagedDifference> = Vec::new();
    for (identity, fingerprint) in &have {
        match want.get(identity) {
            None => differences.push(difference(*identity, UnmanagedChange::OnlyInCurrent)),
            Some(wanted) if wanted != fingerprint => {
                differences.push(difference(*identity, UnmanagedChange::Changed))
            }
            Some(_) => {}
        }
    }
    for identity in want.keys().filter(|identity| !have.contains_key(identity)) {
        differences.push(difference(*identity, UnmanagedChange::OnlyInDesired));
    }
    differences.sort();
    differences
}

#[cfg(test)]
mod tests {
    use super::*;

    fn object<'a>(kind: &'a str, name: &'a str, fingerprint: &'a str) -> UnmanagedObject<'a> {
        UnmanagedObject {
            kind,
            name,
            fingerprint,
        }
    }

    #[test]
    fn added_removed_and_redefined_objects_differ_and_equal_ones_do_not() {
        let current = [
            object("policy", "public.a.p", "USING (true)"),
            object("policy", "public.a.q", "USING (x > 0)"),
            object("rule", "public.b.r", "DO INSTEAD NOTHING"),
        ];
        let desired = [
            object("policy", "public.a.p", "USING (true)"),
            object("policy", "public.a.q", "USING (x > 1)"),
            object("grant", "table public.a", "SELECT TO app"),
        ];
        let differences = unmanaged_differences(current, desired, &[]);
        let described: Vec<String> = differences
            .iter()
            .map(|d| d.describe("FROM", "TO"))
            .collect();
        assert_eq!(
            described,
            [
                "grant table public.a: only in TO",
                "policy public.a.q: defined differently in FROM and TO",
                "rule public.b.r: only in FROM",
            ]
        );
    }

    #[test]
    fn ignored_kinds_are_left_out() {
        let current = [object("grant", "table public.a", "SELECT TO app")];
        let differences = unmanaged_differences(current, [], &["grant".to_string()]);
        assert!(differences.is_empty());
    }
}
