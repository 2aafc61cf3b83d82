//! Changing a sequence's options, for free-standing sequences (`ALTER SEQUENCE`) and identity
//! columns (`ALTER TABLE … ALTER COLUMN … SET …`) alike: one set of option clauses, and one way
//! of narrowing a range that PostgreSQL would refuse because the current value lies outside it.

use crate::family::{alter_column_sql as alter_column, col};
use autogen_schema::{
    Identity, IdentityKind, QualifiedName, Sequence, SequenceOptions, quote_literal,
};
use serde::Serialize;

/// A sequence, as the statements of a plan reach it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum SequenceRef {
    /// A free-standing sequence (or a serial's), by name.
    Named { name: QualifiedName },
    /// An identity column's sequence, found through its column: PostgreSQL names it, and the IR
    /// does not model that name.
    IdentityOf {
        table: QualifiedName,
        column: String,
    },
}

impl std::fmt::Display for SequenceRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SequenceRef::Named { name } => write!(f, "sequence {name}"),
            SequenceRef::IdentityOf { table, column } => {
                write!(f, "the identity of {}", col(table, column))
            }
        }
    }
}

impl SequenceRef {
    /// The sequence as a `regclass` expression.
    fn regclass(&self) -> String {
        match self {
            SequenceRef::Named { name } => format!("{}::regclass", quote_literal(&name.quoted())),
            SequenceRef::IdentityOf { table, column } => format!(
                "pg_catalog.pg_get_serial_sequence({}, {})::regclass",
                quote_literal(&table.quoted()),
                quote_literal(column)
            ),
        }
    }

    /// One statement: `head` (`AS type`, `SET GENERATED …`) then the option `clauses`.
    fn alter(&self, head: Option<String>, clauses: &[String]) -> String {
        match self {
            SequenceRef::Named { name } => {
                let parts: Vec<String> = head.into_iter().chain(clauses.iter().cloned()).collect();
                format!("ALTER SEQUENCE {} {};", name.quoted(), parts.join(" "))
            }
            SequenceRef::IdentityOf { table, column } => {
                let set = clauses.iter().map(|clause| format!("SET {clause}"));
                let parts: Vec<String> = head.into_iter().chain(set).collect();
                alter_column(table, column, &parts.join(" "))
            }
        }
    }

    /// The statements (one per line) that take the options from `from` to `to`, after `head`.
    fn change_options(
        &self,
        head: Option<String>,
        from: &SequenceOptions,
        to: &SequenceOptions,
        type_changed: bool,
    ) -> String {
        let mut sql = String::new();
        if narrows(from, to) {
            // `setval` checks the value against the current range: when the new range lies
            // wholly outside it (an ascending sequence made descending), widen to span both
            // first.
            if to.max_value < from.min_value || to.min_value > from.max_value {
                let span = [
                    format!("MINVALUE {}", from.min_value.min(to.min_value)),
                    format!("MAXVALUE {}", from.max_value.max(to.max_value)),
                ];
                sql.push_str(&self.alter(None, &span));
                sql.push('\n');
            }
            sql.push_str(&self.clamp_current_value(to));
            sql.push('\n');
        }
        sql.push_str(&self.alter(head, &option_clauses(from, to, type_changed)));
        sql
    }

    /// PostgreSQL refuses a range that excludes the sequence's current value ("RESTART value
    /// … cannot be less than MINVALUE"): this moves a value outside the range of `to` to its
    /// nearest end, and leaves one inside alone (never rewound).
    fn clamp_current_value(&self, to: &SequenceOptions) -> String {
        carry_value(self, self, to)
    }
}

/// The statement that gives sequence `to` the position of sequence `from` (the value it gave
/// last, or the one it gives next when it has given none yet), moved into the range of
/// `options` (`to`'s) when outside it, to its nearest end: `to` then gives next exactly what
/// `from` would have, or nothing `from` did not give. With `from` and `to` the same sequence,
/// that only moves a value outside the range.
///
/// The state is read with `pg_sequence_last_value`, so the sequences can be given as
/// expressions (an identity's is found through its column). It is NULL until the first
/// `nextval` — then that `nextval` returns the value `from` was about to give, and
/// `setval(…, false)` leaves `to` to give it.
pub(crate) fn carry_value(
    from: &SequenceRef,
    to: &SequenceRef,
    options: &SequenceOptions,
) -> String {
    let (min, max) = (options.min_value, options.max_value);
    // `s` is read, `t` set; one sequence is both.
    let (target, sequences) = if from == to {
        ("s", format!("{} AS s", from.regclass()))
    } else {
        (
            "t",
            format!("{} AS s, {} AS t", from.regclass(), to.regclass()),
        )
    };
    format!(
        "SELECT CASE WHEN pg_catalog.pg_sequence_last_value(s) IS NULL \
         THEN pg_catalog.setval({target}, GREATEST({min}, LEAST({max}, pg_catalog.nextval(s))), false) \
         ELSE pg_catalog.setval({target}, GREATEST({min}, LEAST({max}, pg_catalog.pg_sequence_last_value(s))), true) END \
         FROM (SELECT {sequences}) AS sequence;"
    )
}

/// `ALTER SEQUENCE` from `from` to `to` (type and options; ownership and comment are other
/// changes).
pub(crate) fn alter_sequence(from: &Sequence, to: &Sequence) -> String {
    let type_changed = from.data_type != to.data_type;
    let target = SequenceRef::Named {
        name: QualifiedName::new(&to.schema, &to.name),
    };
    let head = type_changed.then(|| format!("AS {}", to.data_type));
    target.change_options(head, &from.options, &to.options, type_changed)
}

/// `ALTER COLUMN … SET …` of an identity column from `from` to `to` (kind and options).
pub(crate) fn alter_identity(
    table: &QualifiedName,
    column: &str,
    from: &Identity,
    to: &Identity,
) -> String {
    let head = (from.kind != to.kind).then(|| match to.kind {
        IdentityKind::Always => "SET GENERATED ALWAYS".to_string(),
        IdentityKind::ByDefault => "SET GENERATED BY DEFAULT".to_string(),
    });
    let target = SequenceRef::IdentityOf {
        table: table.clone(),
        column: column.to_string(),
    };
    target.change_options(head, &from.options, &to.options, false)
}

/// Whether `to` excludes values `from` allows: the current value may lie outside.
pub(crate) fn narrows(from: &SequenceOptions, to: &SequenceOptions) -> bool {
    to.min_value > from.min_value || to.max_value < from.max_value
}

/// The option clauses that take `from` to `to`. MINVALUE/MAXVALUE are spelled out whenever the
/// data type changes, because `AS type` silently moves limits that were the old type's
/// defaults.
fn option_clauses(from: &SequenceOptions, to: &SequenceOptions, type_changed: bool) -> Vec<String> {
    let mut clauses = Vec::new();
    if from.increment != to.increment {
        clauses.push(format!("INCREMENT BY {}", to.increment));
    }
    if type_changed || from.min_value != to.min_value {
        clauses.push(format!("MINVALUE {}", to.min_value));
    }
    if type_changed || from.max_value != to.max_value {
        clauses.push(format!("MAXVALUE {}", to.max_value));
    }
    if from.start != to.start {
        clauses.push(format!("START WITH {}", to.start));
    }
    if from.cache != to.cache {
        clauses.push(format!("CACHE {}", to.cache));
    }
    if from.cycle != to.cycle {
        clauses.push(if to.cycle { "CYCLE" } else { "NO CYCLE" }.to_string());
    }
    clauses
}

#[cfg(test)]
mod tests {
    use super::*;

    fn options(increment: i64, min_value: i64, max_value: i64, start: i64) -> SequenceOptions {
        SequenceOptions {
            start,
            increment,
            min_value,
            max_value,
            cache: 1,
            cycle: false,
        }
    }

    fn identity(options: SequenceOptions) -> Identity {
        Identity {
            kind: IdentityKind::ByDefault,
            options,
        }
    }

    #[test]
    fn a_wider_range_is_set_alone_and_a_narrower_one_after_the_clamp() {
        let table = QualifiedName::new("public", "t");
        let wide = identity(options(-1, -300, -1, -200));
        let narrow = identity(options(-1, -100, -1, -50));
        assert_eq!(
            alter_identity(&table, "x", &narrow, &wide),
            r#"ALTER TABLE "public"."t" ALTER COLUMN "x" SET MINVALUE -300 SET START WITH -200;"#
        );
        let sql = alter_identity(&table, "x", &wide, &narrow);
        let statements: Vec<&str> = sql.lines().collect();
        assert_eq!(statements.len(), 2, "{sql}");
        assert!(
            statements[0].starts_with("SELECT CASE WHEN pg_catalog.pg_sequence_last_value(s)")
                && statements[0].contains("GREATEST(-100, LEAST(-1, ")
                && statements[0].contains(
                    r#"pg_catalog.pg_get_serial_sequence('"public"."t"', 'x')::regclass"#
                ),
            "{sql}"
        );
        assert_eq!(
            statements[1],
            r#"ALTER TABLE "public"."t" ALTER COLUMN "x" SET MINVALUE -100 SET START WITH -50;"#
        );
    }

    /// `setval` checks the current range, which shares no value with the new one: the range is
    /// first widened to span both.
    #[test]
    fn a_range_wholly_outside_the_current_one_is_spanned_first() {
        let ascending = options(1, 1, 2147483647, 1);
        let descending = options(-1, -2147483648, -1, -1);
        let sql = alter_sequence(
            &Sequence {
                schema: "public".into(),
                name: "s".into(),
                data_type: "integer".into(),
                options: ascending,
                owned_by: None,
                grants: Vec::new(),
                comment: None,
            },
            &Sequence {
                schema: "public".into(),
                name: "s".into(),
                data_type: "integer".into(),
                options: descending,
                owned_by: None,
                grants: Vec::new(),
                comment: None,
            },
        );
        let statements: Vec<&str> = sql.lines().collect();
        assert_eq!(statements.len(), 3, "{sql}");
        assert_eq!(
            statements[0],
            r#"ALTER SEQUENCE "public"."s" MINVALUE -2147483648 MAXVALUE 2147483647;"#
        );
        assert!(statements[1].starts_with("SELECT CASE"), "{sql}");
        assert_eq!(
            statements[2],
            r#"ALTER SEQUENCE "public"."s" INCREMENT BY -1 MINVALUE -2147483648 MAXVALUE -1 START WITH -1;"#
        );
    }
}
