//! Semantic changes, keyed by identity, and the phase each one runs in.

use autogen_schema::{
    CheckConstraint, Column, EnumType, ExclusionConstraint, Extension, ForeignKey, Identity, Index,
    PrimaryKey, QualifiedName, Schema, Sequence, SequenceOwner, Table, UniqueConstraint,
};
use serde::Serialize;

/// Where a new enum value goes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EnumValuePosition {
    /// The type has no values yet: plain `ADD VALUE`.
    End,
    Before(String),
    After(String),
}

/// How `ALTER COLUMN … TYPE` converts the stored values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
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
}

/// The kind of a table constraint other than a foreign key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ConstraintKind {
    PrimaryKey,
    Unique,
    Check,
    Exclusion,
}

impl ConstraintKind {
    fn label(self) -> &'static str {
        match self {
            ConstraintKind::PrimaryKey => "primary key",
            ConstraintKind::Unique => "unique constraint",
            ConstraintKind::Check => "check constraint",
            ConstraintKind::Exclusion => "exclusion constraint",
        }
    }
}

/// The object a `COMMENT ON` applies to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "object", rename_all = "snake_case")]
pub enum CommentTarget {
    Schema {
        name: String,
    },
    Type {
        name: QualifiedName,
    },
    Sequence {
        name: QualifiedName,
    },
    Table {
        name: QualifiedName,
    },
    Column {
        table: QualifiedName,
        column: String,
    },
    Constraint {
        table: QualifiedName,
        constraint: String,
    },
    /// `name` is the schema-qualified index name.
    Index {
        name: QualifiedName,
    },
}

/// One semantic difference. Table-level changes name the table by its name *after* the
/// renames of the same plan (renames run first).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Change {
    CreateSchema {
        schema: Schema,
    },
    DropSchema {
        name: String,
    },
    CreateExtension {
        extension: Extension,
    },
    DropExtension {
        name: String,
    },
    UpdateExtension {
        name: String,
        from: String,
        to: String,
    },
    SetExtensionSchema {
        name: String,
        schema: String,
    },
    CreateEnum {
        enum_type: EnumType,
    },
    DropEnum {
        name: QualifiedName,
    },
    /// Also how a type is retired before it is re-created without some values.
    RenameEnum {
        from: QualifiedName,
        to: String,
    },
    /// `RENAME VALUE`: stored values, defaults and expressions follow the label.
    RenameEnumValue {
        name: QualifiedName,
        from: String,
        to: String,
    },
    AddEnumValue {
        name: QualifiedName,
        value: String,
        position: EnumValuePosition,
    },
    CreateSequence {
        sequence: Sequence,
    },
    DropSequence {
        name: QualifiedName,
    },
    /// Data type and/or options differ (ownership and comment are separate changes).
    AlterSequence {
        from: Sequence,
        to: Sequence,
    },
    SetSequenceOwner {
        name: QualifiedName,
        owner: Option<SequenceOwner>,
    },
    /// `CREATE TABLE` with columns, primary key, uniques, valid checks and exclusions;
    /// indexes, foreign keys, NOT VALID checks and comments are separate changes.
    CreateTable {
        table: Table,
    },
    DropTable {
        name: QualifiedName,
    },
    RenameTable {
        from: QualifiedName,
        to: String,
    },
    SetUnlogged {
        table: QualifiedName,
        unlogged: bool,
    },
    AddColumn {
        table: QualifiedName,
        column: Column,
    },
    DropColumn {
        table: QualifiedName,
        column: String,
    },
    RenameColumn {
        table: QualifiedName,
        from: String,
        to: String,
    },
    /// A primary key, unique, check, foreign key or exclusion constraint whose definition is
    /// unchanged but for its name (PostgreSQL renames a constraint's index along with it).
    RenameConstraint {
        table: QualifiedName,
        from: String,
        to: String,
    },
    /// A plain index whose definition is unchanged but for its name.
    RenameIndex {
        table: QualifiedName,
        from: String,
        to: String,
    },
    /// A new type, a new collation, or the same type re-created (`from == to`, converted
    /// [`Conversion::ViaText`]).
    AlterColumnType {
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
    ReplaceWithGeneratedColumn {
        table: QualifiedName,
        column: Column,
        /// The old column was a plain one: its stored values are replaced.
        was_generated: bool,
    },
    SetNotNull {
        table: QualifiedName,
        column: String,
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
    /// Kind and/or sequence options of an identity differ.
    AlterIdentity {
        table: QualifiedName,
        column: String,
        data_type: String,
        from: Identity,
        to: Identity,
    },
    AddPrimaryKey {
        table: QualifiedName,
        primary_key: PrimaryKey,
    },
    AddUnique {
        table: QualifiedName,
        unique: UniqueConstraint,
    },
    AddCheck {
        table: QualifiedName,
        check: CheckConstraint,
    },
    AddExclusion {
        table: QualifiedName,
        exclusion: ExclusionConstraint,
    },
    DropConstraint {
        table: QualifiedName,
        name: String,
        constraint: ConstraintKind,
    },
    AddForeignKey {
        table: QualifiedName,
        foreign_key: ForeignKey,
    },
    DropForeignKey {
        table: QualifiedName,
        name: String,
    },
    CreateIndex {
        table: QualifiedName,
        index: Index,
    },
    DropIndex {
        table: QualifiedName,
        name: String,
    },
    SetComment {
        target: CommentTarget,
        comment: Option<String>,
    },
}

/// The execution phases, in order. See the crate documentation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    RenameTable,
    RenameColumn,
    /// After the table renames: the statements name the table by its new name.
    RenameConstraintOrIndex,
    DropForeignKey,
    DropConstraintOrIndex,
    /// Early, so the identity's sequence frees its name (`<table>_<column>_seq`) before a
    /// sequence of the same name is created (identity → serial).
    DropIdentity,
    /// `OWNED BY NONE` before the owning column or table goes, so the sequence survives it.
    ReleaseSequence,
    DropColumn,
    DropTable,
    CreateSchema,
    Extension,
    Type,
    Sequence,
    CreateTable,
    Column,
    ConstraintOrIndex,
    ForeignKey,
    OwnSequence,
    Comment,
    DropSequence,
    /// After the sequence drops: PostgreSQL names the identity's new sequence
    /// `<table>_<column>_seq` only while that name is free, so a serial's sequence of that name
    /// goes first (serial → identity). Nothing before depends on the identity.
    AddIdentity,
    DropType,
    DropExtension,
    DropSchema,
}

impl Change {
    pub fn phase(&self) -> Phase {
        match self {
            Change::RenameTable { .. } => Phase::RenameTable,
            Change::RenameColumn { .. } => Phase::RenameColumn,
            Change::RenameConstraint { .. } | Change::RenameIndex { .. } => {
                Phase::RenameConstraintOrIndex
            }
            Change::DropForeignKey { .. } => Phase::DropForeignKey,
            Change::DropConstraint { .. } | Change::DropIndex { .. } => {
                Phase::DropConstraintOrIndex
            }
            Change::SetSequenceOwner { owner: None, .. } => Phase::ReleaseSequence,
            Change::DropColumn { .. } => Phase::DropColumn,
            Change::DropTable { .. } => Phase::DropTable,
            Change::CreateSchema { .. } => Phase::CreateSchema,
            Change::CreateExtension { .. }
            | Change::UpdateExtension { .. }
            | Change::SetExtensionSchema { .. } => Phase::Extension,
            Change::RenameEnum { .. }
            | Change::RenameEnumValue { .. }
            | Change::CreateEnum { .. }
            | Change::AddEnumValue { .. } => Phase::Type,
            Change::CreateSequence { .. } | Change::AlterSequence { .. } => Phase::Sequence,
            Change::CreateTable { .. } | Change::SetUnlogged { .. } => Phase::CreateTable,
            Change::AddColumn { .. }
            | Change::AlterColumnType { .. }
            | Change::DropExpression { .. }
            | Change::ReplaceWithGeneratedColumn { .. }
            | Change::SetNotNull { .. }
            | Change::DropNotNull { .. }
            | Change::SetDefault { .. }
            | Change::DropDefault { .. }
            | Change::AlterIdentity { .. } => Phase::Column,
            Change::DropIdentity { .. } => Phase::DropIdentity,
            Change::AddIdentity { .. } => Phase::AddIdentity,
            Change::AddPrimaryKey { .. }
            | Change::AddUnique { .. }
            | Change::AddCheck { .. }
            | Change::AddExclusion { .. }
            | Change::CreateIndex { .. } => Phase::ConstraintOrIndex,
            Change::AddForeignKey { .. } => Phase::ForeignKey,
            Change::SetSequenceOwner { owner: Some(_), .. } => Phase::OwnSequence,
            Change::SetComment { .. } => Phase::Comment,
            Change::DropSequence { .. } => Phase::DropSequence,
            Change::DropEnum { .. } => Phase::DropType,
            Change::DropExtension { .. } => Phase::DropExtension,
            Change::DropSchema { .. } => Phase::DropSchema,
        }
    }

    /// Human summary, e.g. `add column public.users.phone`.
    pub fn summary(&self) -> String {
        let col = |table: &QualifiedName, column: &str| format!("{table}.{column}");
        match self {
            Change::CreateSchema { schema } => format!("create schema {}", schema.name),
            Change::DropSchema { name } => format!("drop schema {name}"),
            Change::CreateExtension { extension } => {
                format!("create extension {}", extension.name)
            }
            Change::DropExtension { name } => format!("drop extension {name}"),
            Change::UpdateExtension { name, from, to } => {
                format!("update extension {name} from {from} to {to}")
            }
            Change::SetExtensionSchema { name, schema } => {
                format!("move extension {name} to schema {schema}")
            }
            Change::CreateEnum { enum_type } => format!(
                "create type {}",
                QualifiedName::new(&enum_type.schema, &enum_type.name)
            ),
            Change::DropEnum { name } => format!("drop type {name}"),
            Change::RenameEnum { from, to } => format!("rename type {from} to {to}"),
            Change::RenameEnumValue { name, from, to } => {
                format!("rename value '{from}' of type {name} to '{to}'")
            }
            Change::AddEnumValue { name, value, .. } => {
                format!("add value '{value}' to type {name}")
            }
            Change::CreateSequence { sequence } => format!(
                "create sequence {}",
                QualifiedName::new(&sequence.schema, &sequence.name)
            ),
            Change::DropSequence { name } => format!("drop sequence {name}"),
            Change::AlterSequence { to, .. } => format!(
                "alter sequence {}",
                QualifiedName::new(&to.schema, &to.name)
            ),
            Change::SetSequenceOwner { name, owner: None } => {
                format!("release sequence {name} from its owner")
            }
            Change::SetSequenceOwner {
                name,
                owner: Some(owner),
            } => format!(
                "set owner of sequence {name} to {}",
                col(&owner.table, &owner.column)
            ),
            Change::CreateTable { table } => format!("create table {}", table.qualified_name()),
            Change::DropTable { name } => format!("drop table {name}"),
            Change::RenameTable { from, to } => format!("rename table {from} to {to}"),
            Change::SetUnlogged { table, unlogged } => format!(
                "make table {table} {}",
                if *unlogged { "unlogged" } else { "logged" }
            ),
            Change::AddColumn { table, column } => {
                format!("add column {}", col(table, &column.name))
            }
            Change::DropColumn { table, column } => format!("drop column {}", col(table, column)),
            Change::RenameColumn { table, from, to } => {
                format!("rename column {} to {to}", col(table, from))
            }
            Change::RenameConstraint { table, from, to } => {
                format!("rename constraint {from} on {table} to {to}")
            }
            Change::RenameIndex { table, from, to } => {
                format!("rename index {from} on {table} to {to}")
            }
            Change::AlterColumnType {
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
            Change::DropExpression { table, column } => {
                format!(
                    "make generated column {} a plain column",
                    col(table, column)
                )
            }
            Change::ReplaceWithGeneratedColumn {
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
            Change::SetNotNull { table, column } => {
                format!("set not null on column {}", col(table, column))
            }
            Change::DropNotNull { table, column } => {
                format!("drop not null on column {}", col(table, column))
            }
            Change::SetDefault { table, column, .. } => {
                format!("set default of column {}", col(table, column))
            }
            Change::DropDefault { table, column } => {
                format!("drop default of column {}", col(table, column))
            }
            Change::AddIdentity { table, column, .. } => {
                format!("add identity to column {}", col(table, column))
            }
            Change::DropIdentity { table, column } => {
                format!("drop identity of column {}", col(table, column))
            }
            Change::AlterIdentity { table, column, .. } => {
                format!("alter identity of column {}", col(table, column))
            }
            Change::AddPrimaryKey { table, primary_key } => {
                format!("add primary key {} on {table}", primary_key.name)
            }
            Change::AddUnique { table, unique } => {
                format!("add unique constraint {} on {table}", unique.name)
            }
            Change::AddCheck { table, check } => {
                format!("add check constraint {} on {table}", check.name)
            }
            Change::AddExclusion { table, exclusion } => {
                format!("add exclusion constraint {} on {table}", exclusion.name)
            }
            Change::DropConstraint {
                table,
                name,
                constraint,
            } => format!("drop {} {name} on {table}", constraint.label()),
            Change::AddForeignKey { table, foreign_key } => format!(
                "add foreign key {} on {table} referencing {}",
                foreign_key.name, foreign_key.references
            ),
            Change::DropForeignKey { table, name } => {
                format!("drop foreign key {name} on {table}")
            }
            Change::CreateIndex { table, index } => {
                format!("create index {} on {table}", index.name)
            }
            Change::DropIndex { table, name } => format!("drop index {name} on {table}"),
            Change::SetComment { target, comment } => {
                let what = match target {
                    CommentTarget::Schema { name } => format!("schema {name}"),
                    CommentTarget::Type { name } => format!("type {name}"),
                    CommentTarget::Sequence { name } => format!("sequence {name}"),
                    CommentTarget::Table { name } => format!("table {name}"),
                    CommentTarget::Column { table, column } => {
                        format!("column {}", col(table, column))
                    }
                    CommentTarget::Constraint { table, constraint } => {
                        format!("constraint {constraint} on {table}")
                    }
                    CommentTarget::Index { name } => format!("index {name}"),
                };
                match comment {
                    Some(_) => format!("set comment on {what}"),
                    None => format!("remove comment on {what}"),
                }
            }
        }
    }
}
