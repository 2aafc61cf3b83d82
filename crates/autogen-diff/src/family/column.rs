//! Columns: added, dropped, renamed, and every alteration of a kept one.

use crate::Hazard;
use crate::casts::{is_binary_coercible, is_safe_widening};
use crate::change::{Change, Phase};
use crate::family::*;
use crate::sequence_options;
use crate::type_storage::TypeStorage;
use autogen_schema::ObjectRef;
use autogen_schema::{Column, Identity, QualifiedName, SequenceOptions, Table, quote_ident, sql};
use serde::Serialize;
use std::collections::HashSet;

// Changes are few and short-lived (one plan's worth): boxing the large variants buys nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "change", rename_all = "snake_case")]
pub enum ColumnChange {
    Add {
        table: QualifiedName,
        column: Column,
    },
    Drop {
        table: QualifiedName,
        column: String,
    },
    Rename {
        table: QualifiedName,
        from: String,
        to: String,
    },
    /// A new type, a new collation, or the same type re-created (`from == to`, converted
    /// [`Conversion::ViaText`]).
    AlterType {
        table: QualifiedName,
        column: String,
        from: String,
        to: String,
        conversion: Conversion,
        /// `COLLATE …`, given whenever the collation changes or the column has a non-default
        /// one (a bare `TYPE` would reset it); `pg_catalog."default"` to go back to the default.
        collation: Option<String>,
    },
    /// `DROP EXPRESSION`: a generated column becomes a plain one and keeps its values.
    DropExpression {
        table: QualifiedName,
        column: String,
    },
    /// A column that becomes generated, or whose generation expression changes: PostgreSQL
    /// 15 cannot alter the expression, so the column is dropped and added back in one
    /// statement, and every value is computed again.
    ReplaceWithGenerated {
        table: QualifiedName,
        column: Column,
        /// The old column was a plain one: its stored values are replaced.
        was_generated: bool,
    },
    SetNotNull {
        table: QualifiedName,
        column: String,
    },
    /// The rows that hold NULL in the column get the model's `backfill` expression, in
    /// batches (see `data.rs`): the statement bounds each batch and leaves the rows it filled
    /// out of the next, so the runner repeats it until it changes no row.
    Backfill {
        table: QualifiedName,
        column: String,
        expression: String,
    },
    DropNotNull {
        table: QualifiedName,
        column: String,
    },
    SetDefault {
        table: QualifiedName,
        column: String,
        default: String,
    },
    DropDefault {
        table: QualifiedName,
        column: String,
    },
    /// `DROP DEFAULT` early, for a default that uses a function or type the plan drops or
    /// re-creates (set again by [`ColumnChange::SetDefault`] once it exists again).
    ReleaseDefault {
        table: QualifiedName,
        column: String,
    },
    AddIdentity {
        table: QualifiedName,
        column: String,
        data_type: String,
        identity: Identity,
    },
    DropIdentity {
        table: QualifiedName,
        column: String,
    },
    /// `DROP IDENTITY` of a column that becomes a serial, once its sequence's value was carried
    /// over to the serial's (created under a temporary name while the identity's holds its
    /// name).
    DropCarriedIdentity {
        table: QualifiedName,
        column: String,
    },
    /// Kind and/or sequence options of an identity differ.
    AlterIdentity {
        table: QualifiedName,
        column: String,
        data_type: String,
        from: Identity,
        to: Identity,
    },
    /// `SET STATISTICS n`; `None`: `-1`, back to the default target.
    SetStatistics {
        table: QualifiedName,
        column: String,
        statistics: Option<i32>,
    },
    /// `SET STORAGE`: the model's, or the type's default storage when it names none.
    SetStorage {
        table: QualifiedName,
        column: String,
        storage: String,
        /// The partitions and inheritance children that have the column from this table only
        /// (see [`followers`]): set the same way.
        followers: Vec<QualifiedName>,
    },
    /// `SET COMPRESSION`; `None`: `DEFAULT`.
    SetCompression {
        table: QualifiedName,
        column: String,
        compression: Option<String>,
        /// As for [`ColumnChange::SetStorage`].
        followers: Vec<QualifiedName>,
    },
    /// `RESET` the attribute options `to` lacks, `SET` those it has anew or with another value.
    SetOptions {
        table: QualifiedName,
        column: String,
        from: Vec<String>,
        to: Vec<String>,
    },
}

impl ColumnChange {
    pub(crate) fn expressions(&self) -> Vec<&str> {
        match self {
            ColumnChange::Add { column, .. }
            | ColumnChange::ReplaceWithGenerated { column, .. } => column
                .default
                .iter()
                .chain(&column.generated)
                .map(String::as_str)
                .collect(),
            ColumnChange::SetDefault { default, .. } => vec![default.as_str()],
            ColumnChange::Backfill { expression, .. } => vec![expression.as_str()],
            _ => Vec::new(),
        }
    }

    pub(crate) fn phase(&self) -> Phase {
        match self {
            ColumnChange::Rename { .. } => Phase::RenameColumn,
            ColumnChange::ReleaseDefault { .. } => Phase::DropDependentPart,
            ColumnChange::Drop { .. } => Phase::DropColumn,
            ColumnChange::Add { .. }
            | ColumnChange::AlterType { .. }
            | ColumnChange::DropExpression { .. }
            | ColumnChange::ReplaceWithGenerated { .. }
            | ColumnChange::SetNotNull { .. }
            | ColumnChange::Backfill { .. }
            | ColumnChange::DropNotNull { .. }
            | ColumnChange::SetDefault { .. }
            | ColumnChange::DropDefault { .. }
            | ColumnChange::AlterIdentity { .. }
            | ColumnChange::SetStatistics { .. }
            | ColumnChange::SetStorage { .. }
            | ColumnChange::SetCompression { .. }
            | ColumnChange::SetOptions { .. } => Phase::Column,
            ColumnChange::DropIdentity { .. } => Phase::DropIdentity,
            ColumnChange::DropCarriedIdentity { .. } => Phase::DropCarriedIdentity,
            ColumnChange::AddIdentity { .. } => Phase::AddIdentity,
        }
    }

    pub(crate) fn summary(&self) -> String {
        match self {
            ColumnChange::Add { table, column } => {
                format!("add column {}", col(table, &column.name))
            }
            ColumnChange::Drop { table, column } => format!("drop column {}", col(table, column)),
            ColumnChange::Rename { table, from, to } => {
                format!("rename column {} to {to}", col(table, from))
            }
            ColumnChange::AlterType {
                table,
                column,
                from,
                to,
                conversion,
                collation,
            } => {
                let column = col(table, column);
                match (from == to, conversion, collation) {
                    (true, Conversion::ViaText, _) => {
                        format!("convert column {column} to the re-created type {to}")
                    }
                    (true, _, Some(collation)) => {
                        format!("change collation of column {column} to {collation}")
                    }
                    _ => format!("change type of column {column} from {from} to {to}"),
                }
            }
            ColumnChange::DropExpression { table, column } => {
                format!(
                    "make generated column {} a plain column",
                    col(table, column)
                )
            }
            ColumnChange::ReplaceWithGenerated {
                table,
                column,
                was_generated,
            } => format!(
                "{} column {} as a generated column",
                if *was_generated {
                    "re-create"
                } else {
                    "replace"
                },
                col(table, &column.name)
            ),
            ColumnChange::SetNotNull { table, column } => {
                format!("set not null on column {}", col(table, column))
            }
            ColumnChange::Backfill { table, column, .. } => {
                format!("backfill column {} in batches", col(table, column))
            }
            ColumnChange::DropNotNull { table, column } => {
                format!("drop not null on column {}", col(table, column))
            }
            ColumnChange::SetDefault { table, column, .. } => {
                format!("set default of column {}", col(table, column))
            }
            ColumnChange::DropDefault { table, column } => {
                format!("drop default of column {}", col(table, column))
            }
            ColumnChange::ReleaseDefault { table, column } => format!(
                "drop default of column {} (set again after what it uses is re-created)",
                col(table, column)
            ),
            ColumnChange::AddIdentity { table, column, .. } => {
                format!("add identity to column {}", col(table, column))
            }
            ColumnChange::DropIdentity { table, column } => {
                format!("drop identity of column {}", col(table, column))
            }
            ColumnChange::DropCarriedIdentity { table, column } => format!(
                "drop identity of column {}, its value carried over",
                col(table, column)
            ),
            ColumnChange::AlterIdentity { table, column, .. } => {
                format!("alter identity of column {}", col(table, column))
            }
            ColumnChange::SetStatistics {
                table,
                column,
                statistics,
            } => match statistics {
                Some(target) => format!(
                    "set statistics target of column {} to {target}",
                    col(table, column)
                ),
                None => format!("reset statistics target of column {}", col(table, column)),
            },
            ColumnChange::SetStorage {
                table,
                column,
                storage,
                ..
            } => format!("set storage of column {} to {storage}", col(table, column)),
            ColumnChange::SetCompression {
                table,
                column,
                compression,
                ..
            } => format!(
                "set compression of column {} to {}",
                col(table, column),
                compression.as_deref().unwrap_or("the default")
            ),
            ColumnChange::SetOptions {
                table, column, to, ..
            } => {
                if to.is_empty() {
                    format!("reset the options of column {}", col(table, column))
                } else {
                    format!(
                        "set the options of column {} to {}",
                        col(table, column),
                        to.join(", ")
                    )
                }
            }
        }
    }

    pub(crate) fn render(&self) -> (String, Vec<Hazard>) {
        use Hazard::*;
        let lock = vec![AccessExclusiveLock];
        match self {
            ColumnChange::Add { table, column } => {
                let mut hazards = lock;
                if column.not_null && column.default.is_none() && column.identity.is_none() {
                    hazards.push(MayFailOnExistingRows);
                }
                let volatile_default = column.default.as_deref().is_some_and(is_possibly_volatile);
                if column.identity.is_some() || column.generated.is_some() || volatile_default {
                    hazards.push(TableRewrite);
                }
                (
                    alter_table_sql(
                        table,
                        &format!("ADD COLUMN {}", sql::column_definition(column)),
                    ),
                    hazards,
                )
            }
            ColumnChange::Drop { table, column } => (
                alter_table_sql(table, &format!("DROP COLUMN {}", quote_ident(column))),
                vec![DataLoss, AccessExclusiveLock],
            ),
            ColumnChange::Rename { table, from, to } => (
                alter_table_sql(
                    table,
                    &format!("RENAME COLUMN {} TO {}", quote_ident(from), quote_ident(to)),
                ),
                lock,
            ),
            ColumnChange::AlterType {
                table,
                column,
                from,
                to,
                conversion,
                collation,
            } => {
                let hazards = match conversion {
                    Conversion::ViaText | Conversion::Using(_) => {
                        vec![TableRewrite, AccessExclusiveLock, MayFailOnExistingRows]
                    }
                    // Same type, new collation: no rewrite, but every index on it is rebuilt.
                    _ if from == to => vec![AccessExclusiveLock, IndexBuild],
                    // The stored bytes stay valid: PostgreSQL only updates the catalog.
                    _ if is_binary_coercible(from, to) => vec![AccessExclusiveLock],
                    _ if is_safe_widening(from, to) => vec![TableRewrite, AccessExclusiveLock],
                    _ => vec![TableRewrite, AccessExclusiveLock, MayFailOnExistingRows],
                };
                let collate = collation
                    .as_ref()
                    .map(|collation| format!(" COLLATE {collation}"))
                    .unwrap_or_default();
                let column_name = quote_ident(column);
                let using = match conversion {
                    Conversion::Implicit => String::new(),
                    Conversion::Cast => format!(" USING {column_name}::{to}"),
                    Conversion::Using(expression) => format!(" USING ({expression})"),
                    Conversion::ViaText => {
                        let text = if to.ends_with("[]") { "text[]" } else { "text" };
                        format!(" USING {column_name}::{text}::{to}")
                    }
                };
                (
                    alter_column_sql(table, column, &format!("TYPE {to}{collate}{using}")),
                    hazards,
                )
            }
            ColumnChange::DropExpression { table, column } => {
                (alter_column_sql(table, column, "DROP EXPRESSION"), lock)
            }
            ColumnChange::ReplaceWithGenerated {
                table,
                column,
                was_generated,
            } => {
                // The expression is computed for every row: it may fail (or violate NOT NULL).
                let mut hazards = vec![TableRewrite, AccessExclusiveLock, MayFailOnExistingRows];
                if !was_generated {
                    hazards.push(DataLoss);
                }
                (
                    alter_table_sql(
                        table,
                        &format!(
                            "DROP COLUMN {}, ADD COLUMN {}",
                            quote_ident(&column.name),
                            sql::column_definition(column)
                        ),
                    ),
                    hazards,
                )
            }
            ColumnChange::SetNotNull { table, column } => (
                alter_column_sql(table, column, "SET NOT NULL"),
                vec![AccessExclusiveLock, MayFailOnExistingRows],
            ),
            ColumnChange::Backfill {
                table,
                column,
                expression,
            } => (backfill_sql(table, column, expression), Vec::new()),
            ColumnChange::DropNotNull { table, column } => {
                (alter_column_sql(table, column, "DROP NOT NULL"), lock)
            }
            ColumnChange::SetDefault {
                table,
                column,
                default,
            } => (
                alter_column_sql(table, column, &format!("SET DEFAULT {default}")),
                lock,
            ),
            ColumnChange::DropDefault { table, column }
            | ColumnChange::ReleaseDefault { table, column } => {
                (alter_column_sql(table, column, "DROP DEFAULT"), lock)
            }
            ColumnChange::AddIdentity {
                table,
                column,
                data_type,
                identity,
            } => (
                alter_column_sql(
                    table,
                    column,
                    &format!("ADD{}", sql::identity_clause(identity, data_type)),
                ),
                lock,
            ),
            ColumnChange::DropIdentity { table, column }
            | ColumnChange::DropCarriedIdentity { table, column } => {
                (alter_column_sql(table, column, "DROP IDENTITY"), lock)
            }
            ColumnChange::AlterIdentity {
                table,
                column,
                from,
                to,
                ..
            } => (
                sequence_options::alter_identity(table, column, from, to),
                lock,
            ),
            // SHARE UPDATE EXCLUSIVE: reads and writes go on; the planner's statistics change
            // at the next ANALYZE.
            ColumnChange::SetStatistics {
                table,
                column,
                statistics,
            } => (sql::set_statistics(table, column, *statistics), vec![]),
            // ACCESS EXCLUSIVE, but no rewrite: the new storage or compression applies to
            // values stored from now on.
            ColumnChange::SetStorage {
                table,
                column,
                storage,
                followers,
            } => (
                std::iter::once(table)
                    .chain(followers)
                    .map(|table| sql::set_storage(table, column, storage))
                    .collect::<Vec<_>>()
                    .join("\n"),
                lock,
            ),
            ColumnChange::SetCompression {
                table,
                column,
                compression,
                followers,
            } => (
                std::iter::once(table)
                    .chain(followers)
                    .map(|table| sql::set_compression(table, column, compression.as_deref()))
                    .collect::<Vec<_>>()
                    .join("\n"),
                lock,
            ),
            // SHARE UPDATE EXCLUSIVE, like SET STATISTICS.
            ColumnChange::SetOptions {
                table,
                column,
                from,
                to,
            } => (
                sql::column_option_changes(table, column, from, to).join("\n"),
                vec![],
            ),
        }
    }
}

/// An identity as `ALTER COLUMN … TYPE` leaves it: PostgreSQL moves a MINVALUE or MAXVALUE
/// that was the old type's limit to the new type's limit, and keeps the others.
pub(crate) fn identity_after_type_change(
    identity: &Identity,
    old_type: &str,
    new_type: &str,
) -> Identity {
    let (old_min, old_max) = type_range(old_type);
    let (new_min, new_max) = type_range(new_type);
    let mut identity = identity.clone();
    if identity.options.min_value == old_min {
        identity.options.min_value = new_min;
    }
    if identity.options.max_value == old_max {
        identity.options.max_value = new_max;
    }
    identity
}

/// Whether a sequence of `data_type` can have these options (PostgreSQL refuses the type
/// change of an identity whose MINVALUE or MAXVALUE lies outside the new type).
pub(crate) fn fits_type(options: &SequenceOptions, data_type: &str) -> bool {
    let (min, max) = type_range(data_type);
    min <= options.min_value && options.max_value <= max
}

/// The values of an identity's integer type.
pub(crate) fn type_range(data_type: &str) -> (i64, i64) {
    let max = SequenceOptions::defaults_for(data_type).max_value;
    (-max - 1, max)
}

/// What [`compare_column`] did to a kept column.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum ColumnOutcome {
    /// Altered in place (or not at all).
    InPlace,
    /// Dropped and added back: its constraints and indexes must be re-created.
    Replaced,
}

/// Column changes, in the order PostgreSQL needs them: identity, expression and default off,
/// type (or collation, or conversion to a re-created enum type), nullability, default and
/// identity on. A column that becomes generated or changes its expression is replaced.
pub(crate) fn compare_column(
    table: &QualifiedName,
    old: &Column,
    new: &Column,
    context: &TableContext,
    changes: &mut Vec<Change>,
) -> ColumnOutcome {
    let (recreated, handovers) = (context.recreated, context.handovers);
    // The default uses a function or type the plan drops or re-creates: released early and set
    // again once that exists again.
    let released = !context.forced_parts.is_empty()
        && context.forced_parts.contains(&ObjectRef::Default {
            table: table.clone(),
            column: new.name.clone(),
        });
    let column = || new.name.clone();
    if new.generated.is_some() && old.generated != new.generated {
        changes.push(Change::Column(ColumnChange::ReplaceWithGenerated {
            table: table.clone(),
            column: new.clone(),
            was_generated: old.generated.is_some(),
        }));
        changes.extend(new_column_settings(table, new, context.desired_tables));
        if new.comment.is_some() {
            changes.push(comment_change(
                CommentTarget::Column {
                    table: table.clone(),
                    column: column(),
                },
                &new.comment,
            ));
        }
        return ColumnOutcome::Replaced;
    }
    if old.generated.is_some() && new.generated.is_none() {
        changes.push(Change::Column(ColumnChange::DropExpression {
            table: table.clone(),
            column: column(),
        }));
    }
    let converted =
        old.data_type == new.data_type && recreated.iter().any(|t| t.is_type_of(&new.data_type));
    let type_changed = old.data_type != new.data_type || converted;
    let collation_changed = old.collation != new.collation;
    if old.identity.is_some() && new.identity.is_none() {
        let (table, column) = (table.clone(), column());
        changes.push(Change::Column(
            if handovers.hands_over_identity(&table, &column) {
                ColumnChange::DropCarriedIdentity { table, column }
            } else {
                ColumnChange::DropIdentity { table, column }
            },
        ));
    }
    // A default that may not cast to the new type is dropped first and set again after; a
    // changed default alone is simply replaced by SET DEFAULT.
    if old.default.is_some() && (new.default.is_none() || type_changed || released) {
        let (table, column) = (table.clone(), column());
        changes.push(Change::Column(if released {
            ColumnChange::ReleaseDefault { table, column }
        } else {
            ColumnChange::DropDefault { table, column }
        }));
    }
    // An identity altered as well as retyped: before the type change when its options do not
    // fit the new type (PostgreSQL checks them there), after it otherwise.
    let mut identity_altered_after_type = None;
    if let (Some(from), Some(to)) = (&old.identity, &new.identity) {
        let retyped = if type_changed {
            identity_after_type_change(from, &old.data_type, &new.data_type)
        } else {
            from.clone()
        };
        let alter = |from: &Identity| {
            Change::Column(ColumnChange::AlterIdentity {
                table: table.clone(),
                column: column(),
                data_type: new.data_type.clone(),
                from: from.clone(),
                to: to.clone(),
            })
        };
        if retyped != *to {
            if fits_type(&retyped.options, &new.data_type) {
                identity_altered_after_type = Some(alter(&retyped));
            } else {
                changes.push(alter(from));
            }
        }
    }
    if type_changed || collation_changed {
        let keeps_values = crate::casts::is_binary_coercible(&old.data_type, &new.data_type);
        let conversion = if new.generated.is_some() || !type_changed {
            Conversion::Implicit
        } else if converted {
            Conversion::ViaText
        } else if keeps_values {
            // No USING: PostgreSQL's own coercion is what lets it skip the rewrite.
            Conversion::Implicit
        } else if is_enum(&context.enum_types, &old.data_type)
            && is_enum(&context.enum_types, &new.data_type)
        {
            // There is no cast from one enum type to another: through their labels.
            Conversion::ViaText
        } else {
            Conversion::Cast
        };
        let collation = match (&new.collation, collation_changed) {
            (None, true) => Some(r#"pg_catalog."default""#.to_string()),
            (collation, _) => collation.clone(),
        };
        changes.push(Change::Column(ColumnChange::AlterType {
            table: table.clone(),
            column: column(),
            from: old.data_type.clone(),
            to: new.data_type.clone(),
            conversion,
            collation,
        }));
    }
    match (old.not_null, new.not_null) {
        (false, true) => changes.push(Change::Column(ColumnChange::SetNotNull {
            table: table.clone(),
            column: column(),
        })),
        (true, false) => changes.push(Change::Column(ColumnChange::DropNotNull {
            table: table.clone(),
            column: column(),
        })),
        _ => {}
    }
    if let Some(default) = &new.default
        && (old.default != new.default || type_changed || released)
    {
        changes.push(Change::Column(ColumnChange::SetDefault {
            table: table.clone(),
            column: column(),
            default: default.clone(),
        }));
    }
    match (&old.identity, &new.identity) {
        (None, Some(identity)) => changes.push(Change::Column(ColumnChange::AddIdentity {
            table: table.clone(),
            column: column(),
            data_type: new.data_type.clone(),
            identity: identity.clone(),
        })),
        (Some(_), Some(_)) => changes.extend(identity_altered_after_type),
        _ => {}
    }
    // `TYPE` gives the column its new type's storage and compression (statistics target
    // and options stay).
    let settings_before = if type_changed {
        Column {
            storage: None,
            compression: None,
            ..old.clone()
        }
    } else {
        old.clone()
    };
    changes.extend(setting_changes(
        table,
        &settings_before,
        new,
        Some(&context.type_storage),
        context.desired_tables,
    ));
    if old.comment != new.comment {
        changes.push(comment_change(
            CommentTarget::Column {
                table: table.clone(),
                column: column(),
            },
            &new.comment,
        ));
    }
    ColumnOutcome::InPlace
}

/// The changes that give a column just created (`CREATE TABLE`, `ADD COLUMN`) its settings.
pub(crate) fn new_column_settings(
    table: &QualifiedName,
    column: &Column,
    tables: &[Table],
) -> Vec<Change> {
    if !column.has_settings() {
        return Vec::new();
    }
    // A new column has its type's storage: only a storage of its own is set.
    setting_changes(table, &Column::default(), column, None, tables)
}

/// The tables of `tables` (the desired schema's) that have `column` from `table` only, at any
/// depth: its partitions, and the inheritance children that do not declare the column
/// themselves. PostgreSQL gives them their parent's storage and compression when they are
/// created, but `ALTER TABLE ONLY` (and `SET COMPRESSION` always) leaves them as they are, and
/// a plan creates partitions and children before it sets their parent's columns: they are set
/// explicitly, so they end as a dump creates them.
pub(crate) fn followers(
    tables: &[Table],
    table: &QualifiedName,
    column: &str,
) -> Vec<QualifiedName> {
    let mut found: Vec<QualifiedName> = Vec::new();
    let mut pending = vec![table.clone()];
    while let Some(parent) = pending.pop() {
        for child in tables {
            let name = child.qualified_name();
            let from_parent = child.parents().any(|of| *of == parent)
                && (child.partition_of.is_some() || child.column(column).is_none());
            if from_parent && !found.contains(&name) && name != *table {
                found.push(name.clone());
                pending.push(name);
            }
        }
    }
    found.sort();
    found
}

/// The changes that take a column's settings (statistics target, storage, compression,
/// attribute options) from `old`'s to `new`'s. `type_storage` gives the storage a column goes
/// back to when `new` names none (needed only when `old` names one).
pub(crate) fn setting_changes(
    table: &QualifiedName,
    old: &Column,
    new: &Column,
    type_storage: Option<&TypeStorage>,
    tables: &[Table],
) -> Vec<Change> {
    let mut changes = Vec::new();
    let column = || new.name.clone();
    if old.storage != new.storage {
        // PostgreSQL 16's spelling for a type autogen does not know (an extension's): older
        // servers refuse it, which verification reports.
        let storage = new
            .storage
            .as_deref()
            .or_else(|| type_storage.and_then(|types| types.default_of(&new.data_type)))
            .unwrap_or("default");
        changes.push(Change::Column(ColumnChange::SetStorage {
            table: table.clone(),
            column: column(),
            storage: storage.to_string(),
            followers: followers(tables, table, &new.name),
        }));
    }
    if old.compression != new.compression {
        changes.push(Change::Column(ColumnChange::SetCompression {
            table: table.clone(),
            column: column(),
            compression: new.compression.clone(),
            followers: followers(tables, table, &new.name),
        }));
    }
    if old.statistics != new.statistics {
        changes.push(Change::Column(ColumnChange::SetStatistics {
            table: table.clone(),
            column: column(),
            statistics: new.statistics,
        }));
    }
    if old.options != new.options {
        changes.push(Change::Column(ColumnChange::SetOptions {
            table: table.clone(),
            column: column(),
            from: old.options.clone(),
            to: new.options.clone(),
        }));
    }
    changes
}

/// One batch of a backfill: at most [`crate::data::BACKFILL_BATCH_ROWS`] rows that still hold
/// NULL and for which the expression gives a value (a row it gives NULL for would match every
/// batch; left NULL, a later `SET NOT NULL` names the problem). The filter is repeated outside
/// the subquery: a row updated concurrently since is skipped, and `ctid`s, unique only within
/// one partition, cannot reach rows that are already filled.
fn backfill_sql(table: &QualifiedName, column: &str, expression: &str) -> String {
    let quoted_table = table.quoted();
    let column = quote_ident(column);
    let pending = format!("{column} IS NULL AND ({expression}) IS NOT NULL");
    format!(
        "UPDATE {quoted_table} SET {column} = ({expression}) WHERE {pending} AND ctid = ANY \
         (ARRAY(SELECT ctid FROM {quoted_table} WHERE {pending} LIMIT {}));",
        crate::data::BACKFILL_BATCH_ROWS
    )
}

/// How `ALTER COLUMN … TYPE` converts the stored values.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Conversion {
    /// No `USING`: PostgreSQL's own conversion (generated columns, which refuse `USING`, and
    /// collation-only changes).
    Implicit,
    /// `USING col::type`.
    Cast,
    /// `USING col::text::type`: an enum column moved to its re-created type (there is no cast
    /// between two enum types).
    ViaText,
    /// `USING (expression)`: the model's `using` for the column.
    Using(String),
}

/// Defaults that may be volatile make `ADD COLUMN` rewrite the table (constants and stable
/// functions such as `now()` do not). A guess on the text, erring towards the hazard.
pub(crate) fn is_possibly_volatile(default: &str) -> bool {
    [
        "nextval(",
        "random(",
        "gen_random_uuid(",
        "uuid_generate",
        "clock_timestamp(",
        "timeofday(",
        "txid_current(",
    ]
    .iter()
    .any(|function| default.contains(function))
}

/// Whether `data_type` (as `format_type` prints it, arrays too) is one of `enum_types`.
fn is_enum(enum_types: &HashSet<String>, data_type: &str) -> bool {
    enum_types.contains(data_type.trim_end_matches("[]"))
}
