//! Change -> one SQL statement with its hazards. Objects are spelled by
//! `autogen_schema::sql`, exactly as the canonical dump spells them.

use crate::casts::{is_binary_coercible, is_safe_widening};
use crate::change::{Change, CommentTarget, Conversion, EnumValuePosition};
use crate::sequence_options;
use crate::{Hazard, PlannedStatement, Transaction};
use autogen_schema::{QualifiedName, quote_ident, quote_literal, sql};

pub(crate) fn render(change: &Change) -> PlannedStatement {
    let (sql, mut hazards) = statement(change);
    hazards.sort();
    hazards.dedup();
    PlannedStatement {
        sql,
        hazards,
        change: change.summary(),
        transaction: Transaction::Any,
    }
}

fn alter_table(table: &QualifiedName, action: &str) -> String {
    format!("ALTER TABLE {} {action};", table.quoted())
}

pub(crate) fn alter_column(table: &QualifiedName, column: &str, action: &str) -> String {
    alter_table(
        table,
        &format!("ALTER COLUMN {} {action}", quote_ident(column)),
    )
}

fn statement(change: &Change) -> (String, Vec<Hazard>) {
    use Hazard::*;
    let lock = vec![AccessExclusiveLock];
    match change {
        Change::CreateSchema { schema } => (sql::create_schema(schema), vec![]),
        Change::DropSchema { name } => (format!("DROP SCHEMA {};", quote_ident(name)), vec![]),
        Change::CreateExtension { extension } => (sql::create_extension(extension), vec![]),
        // An extension may own tables (with data) of its own.
        Change::DropExtension { name } => (
            format!("DROP EXTENSION {};", quote_ident(name)),
            vec![DataLoss],
        ),
        Change::UpdateExtension { name, to, .. } => (
            format!(
                "ALTER EXTENSION {} UPDATE TO {};",
                quote_ident(name),
                quote_literal(to)
            ),
            vec![],
        ),
        Change::SetExtensionSchema { name, schema } => (
            format!(
                "ALTER EXTENSION {} SET SCHEMA {};",
                quote_ident(name),
                quote_ident(schema)
            ),
            vec![],
        ),
        Change::CreateEnum { enum_type } => (sql::create_enum(enum_type), vec![]),
        Change::DropEnum { name } => (format!("DROP TYPE {};", name.quoted()), vec![]),
        Change::RenameEnum { from, to } => (
            format!(
                "ALTER TYPE {} RENAME TO {};",
                from.quoted(),
                quote_ident(to)
            ),
            vec![],
        ),
        Change::RenameEnumValue { name, from, to } => (
            format!(
                "ALTER TYPE {} RENAME VALUE {} TO {};",
                name.quoted(),
                quote_literal(from),
                quote_literal(to)
            ),
            vec![],
        ),
        Change::AddEnumValue {
            name,
            value,
            position,
        } => {
            let position = match position {
                EnumValuePosition::End => String::new(),
                EnumValuePosition::Before(other) => format!(" BEFORE {}", quote_literal(other)),
                EnumValuePosition::After(other) => format!(" AFTER {}", quote_literal(other)),
            };
            (
                format!(
                    "ALTER TYPE {} ADD VALUE {}{position};",
                    name.quoted(),
                    quote_literal(value)
                ),
                vec![],
            )
        }
        Change::CreateSequence { sequence } => (sql::create_sequence(sequence), vec![]),
        Change::DropSequence { name } => {
            (format!("DROP SEQUENCE {};", name.quoted()), vec![DataLoss])
        }
        // A narrower type or range fails when the sequence's current value lies outside it.
        Change::AlterSequence { from, to } => {
            let narrower = !is_safe_widening(&from.data_type, &to.data_type)
                || sequence_options::narrows(&from.options, &to.options);
            let hazards = if narrower {
                vec![MayFailOnExistingRows]
            } else {
                vec![]
            };
            (sequence_options::alter_sequence(from, to), hazards)
        }
        Change::SetSequenceOwner { name, owner } => {
            let owner = match owner {
                Some(owner) => format!("{}.{}", owner.table.quoted(), quote_ident(&owner.column)),
                None => "NONE".to_string(),
            };
            (
                format!("ALTER SEQUENCE {} OWNED BY {owner};", name.quoted()),
                vec![],
            )
        }
        Change::CreateTable { table } => (sql::create_table(table), vec![]),
        Change::DropTable { name } => (
            format!("DROP TABLE {};", name.quoted()),
            vec![DataLoss, AccessExclusiveLock],
        ),
        Change::RenameTable { from, to } => (
            alter_table(from, &format!("RENAME TO {}", quote_ident(to))),
            lock,
        ),
        Change::SetUnlogged { table, unlogged } => (
            alter_table(
                table,
                if *unlogged {
                    "SET UNLOGGED"
                } else {
                    "SET LOGGED"
                },
            ),
            vec![TableRewrite, AccessExclusiveLock],
        ),
        Change::AddColumn { table, column } => {
            let mut hazards = lock;
            if column.not_null && column.default.is_none() && column.identity.is_none() {
                hazards.push(MayFailOnExistingRows);
            }
            let volatile_default = column.default.as_deref().is_some_and(is_possibly_volatile);
            if column.identity.is_some() || column.generated.is_some() || volatile_default {
                hazards.push(TableRewrite);
            }
            (
                alter_table(
                    table,
                    &format!("ADD COLUMN {}", sql::column_definition(column)),
                ),
                hazards,
            )
        }
        Change::DropColumn { table, column } => (
            alter_table(table, &format!("DROP COLUMN {}", quote_ident(column))),
            vec![DataLoss, AccessExclusiveLock],
        ),
        Change::RenameColumn { table, from, to } => (
            alter_table(
                table,
                &format!("RENAME COLUMN {} TO {}", quote_ident(from), quote_ident(to)),
            ),
            lock,
        ),
        Change::RenameConstraint { table, from, to } => (
            alter_table(
                table,
                &format!(
                    "RENAME CONSTRAINT {} TO {}",
                    quote_ident(from),
                    quote_ident(to)
                ),
            ),
            lock,
        ),
        // Conservative: PostgreSQL takes a lock that blocks the table's queries meanwhile.
        Change::RenameIndex { table, from, to } => (
            format!(
                "ALTER INDEX {} RENAME TO {};",
                QualifiedName::new(&table.schema, from).quoted(),
                quote_ident(to)
            ),
            lock,
        ),
        Change::AlterColumnType {
            table,
            column,
            from,
            to,
            conversion,
            collation,
        } => {
            let hazards = match conversion {
                Conversion::ViaText => {
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
                Conversion::ViaText => {
                    let text = if to.ends_with("[]") { "text[]" } else { "text" };
                    format!(" USING {column_name}::{text}::{to}")
                }
            };
            (
                alter_column(table, column, &format!("TYPE {to}{collate}{using}")),
                hazards,
            )
        }
        Change::DropExpression { table, column } => {
            (alter_column(table, column, "DROP EXPRESSION"), lock)
        }
        Change::ReplaceWithGeneratedColumn {
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
                alter_table(
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
        Change::SetNotNull { table, column } => (
            alter_column(table, column, "SET NOT NULL"),
            vec![AccessExclusiveLock, MayFailOnExistingRows],
        ),
        Change::DropNotNull { table, column } => {
            (alter_column(table, column, "DROP NOT NULL"), lock)
        }
        Change::SetDefault {
            table,
            column,
            default,
        } => (
            alter_column(table, column, &format!("SET DEFAULT {default}")),
            lock,
        ),
        Change::DropDefault { table, column } => {
            (alter_column(table, column, "DROP DEFAULT"), lock)
        }
        Change::AddIdentity {
            table,
            column,
            data_type,
            identity,
        } => (
            alter_column(
                table,
                column,
                &format!("ADD{}", sql::identity_clause(identity, data_type)),
            ),
            lock,
        ),
        Change::DropIdentity { table, column } => {
            (alter_column(table, column, "DROP IDENTITY"), lock)
        }
        Change::AlterIdentity {
            table,
            column,
            from,
            to,
            ..
        } => (
            sequence_options::alter_identity(table, column, from, to),
            lock,
        ),
        Change::AddPrimaryKey { table, primary_key } => (
            sql::add_constraint(table, &sql::primary_key_definition(primary_key), false),
            vec![AccessExclusiveLock, IndexBuild, MayFailOnExistingRows],
        ),
        Change::AddUnique { table, unique } => (
            sql::add_constraint(table, &sql::unique_definition(unique), false),
            vec![AccessExclusiveLock, IndexBuild, MayFailOnExistingRows],
        ),
        Change::AddCheck { table, check } => {
            let mut hazards = lock;
            if !check.not_valid {
                hazards.push(MayFailOnExistingRows);
            }
            (
                sql::add_constraint(table, &sql::check_definition(check), check.not_valid),
                hazards,
            )
        }
        Change::AddExclusion { table, exclusion } => (
            sql::add_constraint(table, &sql::exclusion_definition(exclusion), false),
            vec![AccessExclusiveLock, IndexBuild, MayFailOnExistingRows],
        ),
        Change::DropConstraint { table, name, .. } | Change::DropForeignKey { table, name } => (
            alter_table(table, &format!("DROP CONSTRAINT {}", quote_ident(name))),
            lock,
        ),
        // ADD FOREIGN KEY takes SHARE ROW EXCLUSIVE on both tables, not ACCESS EXCLUSIVE.
        Change::AddForeignKey { table, foreign_key } => (
            sql::add_constraint(
                table,
                &sql::foreign_key_definition(foreign_key),
                foreign_key.not_valid,
            ),
            if foreign_key.not_valid {
                vec![]
            } else {
                vec![MayFailOnExistingRows]
            },
        ),
        // CREATE INDEX takes a SHARE lock (blocks writes, not reads).
        Change::CreateIndex { table, index } => {
            let mut hazards = vec![IndexBuild];
            if index.unique {
                hazards.push(MayFailOnExistingRows);
            }
            (sql::create_index(table, index), hazards)
        }
        Change::DropIndex { table, name } => (
            format!(
                "DROP INDEX {};",
                QualifiedName::new(&table.schema, name).quoted()
            ),
            lock,
        ),
        Change::SetComment { target, comment } => {
            (sql::comment_on(comment_on(target), comment), vec![])
        }
    }
}

fn comment_on(target: &CommentTarget) -> sql::CommentOn<'_> {
    use sql::CommentOn;
    match target {
        CommentTarget::Schema { name } => CommentOn::Schema(name),
        CommentTarget::Type { name } => CommentOn::Type(name),
        CommentTarget::Sequence { name } => CommentOn::Sequence(name),
        CommentTarget::Table { name } => CommentOn::Table(name),
        CommentTarget::Column { table, column } => CommentOn::Column(table, column),
        CommentTarget::Constraint { table, constraint } => CommentOn::Constraint(table, constraint),
        CommentTarget::Index { name } => CommentOn::Index(name),
    }
}

/// Defaults that may be volatile make `ADD COLUMN` rewrite the table (constants and stable
/// functions such as `now()` do not). A guess on the text, erring towards the hazard.
fn is_possibly_volatile(default: &str) -> bool {
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
