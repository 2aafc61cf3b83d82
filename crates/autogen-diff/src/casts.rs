//! What PostgreSQL does with stored values when a column changes type: whether it can keep
//! them as they are (binary coercible: a catalog update, no rewrite), and whether every value
//! converts without error (a safe widening). Decided on `format_type` spellings; anything not
//! recognized counts as the risky case.

fn int_rank(data_type: &str) -> Option<u8> {
    match data_type {
        "smallint" => Some(1),
        "integer" => Some(2),
        "bigint" => Some(3),
        _ => None,
    }
}

/// `(p)` or `(p,s)` after `prefix`, e.g. `character varying(20)` -> `[20]`.
fn modifiers(data_type: &str, prefix: &str) -> Option<Vec<i64>> {
    let rest = data_type.strip_prefix(prefix)?;
    if rest.is_empty() {
        return Some(vec![]);
    }
    let inner = rest.strip_prefix('(')?.strip_suffix(')')?;
    inner.split(',').map(|n| n.trim().parse().ok()).collect()
}

/// Whether every value of type `from` converts to `to` without error. Conservative: anything
/// not recognized counts as possibly narrowing.
pub(crate) fn is_safe_widening(from: &str, to: &str) -> bool {
    if from == to || to == "text" {
        return true;
    }
    if let (Some(a), Some(b)) = (int_rank(from), int_rank(to)) {
        return a <= b;
    }
    if int_rank(from).is_some() && to == "numeric" {
        return true;
    }
    if from == "real" && to == "double precision" {
        return true;
    }
    if from == "timestamp without time zone" && to == "timestamp with time zone" {
        return true;
    }
    for prefix in ["character varying", "numeric"] {
        if let (Some(a), Some(b)) = (modifiers(from, prefix), modifiers(to, prefix)) {
            return match (a.as_slice(), b.as_slice()) {
                (_, []) => true,
                ([], _) => false,
                ([n], [m]) => m >= n,
                ([p, s], [q, t]) => q - t >= p - s && t >= s,
                ([p], [q, t]) => q - t >= *p,
                _ => false,
            };
        }
    }
    false
}

/// `character varying` with or without a length, as `format_type` prints it.
fn varchar_length(data_type: &str) -> Option<Option<i64>> {
    match modifiers(data_type, "character varying")?.as_slice() {
        [] => Some(None),
        [n] => Some(Some(*n)),
        _ => None,
    }
}

/// Whether PostgreSQL keeps the stored values as they are (no table rewrite, no check of
/// existing rows): `varchar(n)` to a longer or unlimited `varchar` or to `text`, `text` to
/// unlimited `varchar`, a `numeric` whose precision grows at the same scale or loses its
/// limits, `cidr` to `inet`. Not arrays: PostgreSQL converts them element by element, which
/// rewrites the table.
pub(crate) fn is_binary_coercible(from: &str, to: &str) -> bool {
    if from == to {
        return true;
    }
    match (varchar_length(from), varchar_length(to)) {
        (Some(_), Some(None)) => return true,
        (Some(Some(n)), Some(Some(m))) => return m >= n,
        (Some(_), None) => return to == "text",
        (None, Some(None)) => return from == "text",
        _ => {}
    }
    if let (Some(a), Some(b)) = (modifiers(from, "numeric"), modifiers(to, "numeric")) {
        return match (a.as_slice(), b.as_slice()) {
            (_, []) => true,
            ([p, s], [q, t]) => t == s && q >= p,
            ([p], [q]) => q >= p,
            _ => false,
        };
    }
    from == "cidr" && to == "inet"
}

/// The btree operator family a column type compares in, for the types that share one.
pub(crate) fn comparable_family(data_type: &str) -> Option<&'static str> {
    match data_type {
        "smallint" | "integer" | "bigint" => Some("integer"),
        "text" => Some("text"),
        _ if data_type.starts_with("character varying") => Some("text"),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::{is_binary_coercible, is_safe_widening};

    #[test]
    fn widening_is_recognized_conservatively() {
        assert!(is_safe_widening("integer", "bigint"));
        assert!(!is_safe_widening("bigint", "integer"));
        assert!(is_safe_widening(
            "character varying(20)",
            "character varying(30)"
        ));
        assert!(!is_safe_widening(
            "character varying(30)",
            "character varying(20)"
        ));
        assert!(is_safe_widening(
            "character varying(30)",
            "character varying"
        ));
        assert!(!is_safe_widening("text", "character varying(20)"));
        assert!(is_safe_widening("integer", "text"));
        assert!(is_safe_widening("numeric(10,2)", "numeric(12,2)"));
        assert!(!is_safe_widening("numeric(12,2)", "numeric(10,2)"));
        assert!(is_safe_widening("numeric(10,2)", "numeric"));
        assert!(!is_safe_widening("text", "integer"));
        assert!(!is_safe_widening("public.mood", "public.mood2"));
    }

    #[test]
    fn binary_coercible_changes_are_recognized_conservatively() {
        let yes = [
            ("character varying(20)", "character varying(30)"),
            ("character varying(20)", "character varying"),
            ("character varying(20)", "text"),
            ("character varying", "text"),
            ("text", "character varying"),
            ("numeric(10,2)", "numeric(12,2)"),
            ("numeric(10,2)", "numeric"),
            ("cidr", "inet"),
        ];
        for (from, to) in yes {
            assert!(is_binary_coercible(from, to), "{from} -> {to}");
        }
        let no = [
            ("character varying(30)", "character varying(20)"),
            ("text", "character varying(20)"),
            ("numeric(10,2)", "numeric(12,3)"),
            ("numeric", "numeric(12,2)"),
            ("integer", "bigint"),
            ("timestamp without time zone", "timestamp with time zone"),
            ("integer", "text"),
            ("inet", "cidr"),
            ("text[]", "text"),
            ("character varying(5)[]", "text[]"),
        ];
        for (from, to) in no {
            assert!(!is_binary_coercible(from, to), "{from} -> {to}");
        }
    }
}
