//! Objects in scope that the catalog does not model, grouped for the warning.

use std::collections::BTreeMap;

/// All objects of one kind that were left out, e.g. 2 views.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnsupportedObjects {
    /// Singular kind name: `view`, `trigger`, `domain`, …
    pub kind: String,
    /// Qualified names, sorted.
    pub names: Vec<String>,
}

impl UnsupportedObjects {
    /// `2 views (public.a, public.b)` — at most `limit` names, then `…`.
    pub fn describe(&self, limit: usize) -> String {
        let count = self.names.len();
        let kind = if count == 1 {
            self.kind.clone()
        } else {
            plural(&self.kind)
        };
        let mut names = self
            .names
            .iter()
            .take(limit)
            .cloned()
            .collect::<Vec<_>>()
            .join(", ");
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

pub(crate) fn group(rows: Vec<(String, String)>) -> Vec<UnsupportedObjects> {
    let mut by_kind: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (kind, name) in rows {
        by_kind.entry(kind).or_default().push(name);
    }
    by_kind
        .into_iter()
        .map(|(kind, mut names)| {
            names.sort();
            UnsupportedObjects { kind, names }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn describes_counts_kinds_and_names() {
        let views = UnsupportedObjects {
            kind: "view".into(),
            names: vec!["public.a".into(), "public.b".into(), "public.c".into()],
        };
        assert_eq!(views.describe(2), "3 views (public.a, public.b, … 1 more)");
        let policy = UnsupportedObjects {
            kind: "policy".into(),
            names: vec!["public.t.p".into()],
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
}
