//! Objects in scope that the catalog does not model, grouped for the warning.

use std::collections::BTreeMap;

/// All objects of one kind that were left out, e.g. 2 policies.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct UnsupportedObjects {
    /// Singular kind name: `policy`, `rule`, `partition`, …
    pub kind: String,
    /// Sorted by name.
    pub objects: Vec<UnsupportedObject>,
}

/// One object the catalog does not model.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
pub struct UnsupportedObject {
    /// Qualified name (`public.accounts.owner_only` for a policy on a table).
    pub name: String,
    /// A text of its definition as PostgreSQL prints it, so two schemas can be told apart by
    /// an unmodeled object's definition and not only by its existence. For comparing only.
    pub fingerprint: String,
}

impl UnsupportedObjects {
    /// The names, sorted.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.objects.iter().map(|object| object.name.as_str())
    }

    /// `2 policies (public.a.p, public.b.q)` — at most `limit` names, then `…`.
    pub fn describe(&self, limit: usize) -> String {
        let count = self.objects.len();
        let kind = if count == 1 {
            self.kind.clone()
        } else {
            plural(&self.kind)
        };
        let mut names = self.names().take(limit).collect::<Vec<_>>().join(", ");
        if count > limit {
            names.push_str(&format!(", … {} more", count - limit));
        }
        format!("{count} {kind} ({names})")
    }
}

fn plural(kind: &str) -> String {
    // "table with storage parameters" -> "tables with storage parameters"
    for separator in [" with ", " on "] {
        if let Some((head, tail)) = kind.split_once(separator) {
            return format!("{}{separator}{tail}", plural(head));
        }
    }
    if kind.ends_with("security") {
        kind.to_string()
    } else if kind.ends_with('x') || kind.ends_with('s') {
        format!("{kind}es")
    } else if let Some(stem) = kind.strip_suffix('y') {
        format!("{stem}ies")
    } else {
        format!("{kind}s")
    }
}

/// `(kind, name, fingerprint)` rows grouped by kind, kinds and names sorted.
pub(crate) fn group(rows: Vec<(String, String, String)>) -> Vec<UnsupportedObjects> {
    let mut by_kind: BTreeMap<String, Vec<UnsupportedObject>> = BTreeMap::new();
    for (kind, name, fingerprint) in rows {
        by_kind
            .entry(kind)
            .or_default()
            .push(UnsupportedObject { name, fingerprint });
    }
    by_kind
        .into_iter()
        .map(|(kind, mut objects)| {
            objects.sort();
            UnsupportedObjects { kind, objects }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn objects(names: &[&str]) -> Vec<UnsupportedObject> {
        names
            .iter()
            .map(|name| UnsupportedObject {
                name: name.to_string(),
                fingerprint: format!("definition of {name}"),
            })
            .collect()
    }

    #[test]
    fn describes_counts_kinds_and_names() {
        let rules = UnsupportedObjects {
            kind: "rule".into(),
            objects: objects(&["public.a", "public.b", "public.c"]),
        };
        assert_eq!(rules.describe(2), "3 rules (public.a, public.b, … 1 more)");
        let policy = UnsupportedObjects {
            kind: "policy".into(),
            objects: objects(&["public.t.p"]),
        };
        assert_eq!(policy.describe(5), "1 policy (public.t.p)");
        assert_eq!(plural("policy"), "policies");
        assert_eq!(plural("index"), "indexes");
        assert_eq!(plural("row-level security"), "row-level security");
        assert_eq!(
            plural("table with storage parameters"),
            "tables with storage parameters"
        );
        assert_eq!(
            plural("comment on a constraint index"),
            "comments on a constraint index"
        );
    }

    #[test]
    fn rows_are_grouped_by_kind_and_sorted_with_their_fingerprints() {
        let row = |kind: &str, name: &str| {
            (
                kind.to_string(),
                name.to_string(),
                format!("definition of {name}"),
            )
        };
        let groups = group(vec![
            row("rule", "public.b"),
            row("policy", "public.t.p"),
            row("rule", "public.a"),
        ]);
        assert_eq!(
            groups,
            [
                UnsupportedObjects {
                    kind: "policy".into(),
                    objects: objects(&["public.t.p"]),
                },
                UnsupportedObjects {
                    kind: "rule".into(),
                    objects: objects(&["public.a", "public.b"]),
                },
            ]
        );
    }
}
