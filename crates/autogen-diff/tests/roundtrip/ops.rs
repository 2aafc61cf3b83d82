//! The vocabulary of schema changes and its proptest strategies. An op names its targets by
//! `proptest::sample::Index` (resolved against whatever the model holds when it is applied),
//! so any list of ops applies to any model and shrinks freely.

use proptest::prelude::*;
use proptest::sample::Index;

#[derive(Debug, Clone)]
pub struct ColumnSpec {
    pub ty: u8,
    pub param: u8,
    pub not_null: bool,
    pub default: Option<u8>,
    pub fancy: Option<u8>,
}

#[derive(Debug, Clone, Copy)]
pub enum IndexShape {
    Plain,
    Multi,
    Partial,
    Lower,
}

#[derive(Debug, Clone)]
pub enum Op {
    AddSchema {
        fancy: Option<u8>,
        comment: Option<u8>,
    },
    DropSchema {
        schema: Index,
    },
    AddEnum {
        schema: Index,
        labels: Vec<Option<u8>>,
        fancy: Option<u8>,
    },
    DropEnum {
        which: Index,
    },
    AddEnumValue {
        which: Index,
        position: Index,
        fancy: Option<u8>,
    },
    RemoveEnumValue {
        which: Index,
        value: Index,
    },
    SwapEnumValues {
        which: Index,
        a: Index,
        b: Index,
    },
    AddTable {
        schema: Index,
        columns: Vec<ColumnSpec>,
        primary_key: Option<(u8, bool)>,
        fancy: Option<u8>,
    },
    DropTable {
        table: Index,
    },
    AddColumn {
        table: Index,
        column: ColumnSpec,
    },
    DropColumn {
        table: Index,
        column: Index,
    },
    /// To a type the column casts to; `propagate`: also the columns on the other side of its
    /// foreign keys (else those foreign keys go).
    ChangeType {
        table: Index,
        column: Index,
        target: Index,
        propagate: bool,
    },
    FlipNotNull {
        table: Index,
        column: Index,
    },
    SetDefault {
        table: Index,
        column: Index,
        default: Option<u8>,
    },
    SetPrimaryKey {
        table: Index,
        columns: Vec<Index>,
        named: bool,
    },
    DropPrimaryKey {
        table: Index,
    },
    AddUnique {
        table: Index,
        columns: Vec<Index>,
        named: bool,
    },
    DropUnique {
        table: Index,
        which: Index,
    },
    AddIndex {
        table: Index,
        shape: IndexShape,
        columns: (Index, Index),
        unique: bool,
        named: bool,
    },
    DropIndex {
        table: Index,
        which: Index,
    },
    /// A new name for an index or constraint, same definition (the engine's rename path).
    Rename {
        table: Index,
        which: Index,
    },
    /// To the primary key or a unique constraint of `target` (possibly the same table), from
    /// columns of the same types (new columns when `fresh` or when there are none).
    AddForeignKey {
        table: Index,
        target: Index,
        key: Index,
        on_delete: u8,
        named: bool,
        fresh: bool,
    },
    DropForeignKey {
        table: Index,
        which: Index,
    },
    AddCheck {
        table: Index,
        column: Index,
        named: bool,
    },
    DropCheck {
        table: Index,
        which: Index,
    },
    Comment {
        kind: u8,
        object: Index,
        part: Index,
        text: Option<u8>,
    },
}

pub fn fancy() -> impl Strategy<Value = Option<u8>> {
    // A small fraction of names need quoting.
    prop_oneof![6 => Just(None), 1 => any::<u8>().prop_map(Some)]
}

fn column_spec() -> impl Strategy<Value = ColumnSpec> {
    (
        0u8..18,
        any::<u8>(),
        any::<bool>(),
        prop::option::weighted(0.3, any::<u8>()),
        fancy(),
    )
        .prop_map(|(ty, param, not_null, default, fancy)| ColumnSpec {
            ty,
            param,
            not_null,
            default,
            fancy,
        })
}

pub fn add_table() -> impl Strategy<Value = Op> {
    (
        any::<Index>(),
        prop::collection::vec(column_spec(), 1..5),
        prop::option::weighted(0.7, (1u8..3, any::<bool>())),
        fancy(),
    )
        .prop_map(|(schema, columns, primary_key, fancy)| Op::AddTable {
            schema,
            columns,
            primary_key,
            fancy,
        })
}

fn index_shape() -> impl Strategy<Value = IndexShape> {
    prop_oneof![
        Just(IndexShape::Plain),
        Just(IndexShape::Multi),
        Just(IndexShape::Partial),
        Just(IndexShape::Lower),
    ]
}

fn key_columns() -> impl Strategy<Value = Vec<Index>> {
    prop::collection::vec(any::<Index>(), 1..3)
}

/// Ops that add objects (weights tilted towards what makes interesting references).
pub fn add_op() -> impl Strategy<Value = Op> {
    let i = any::<Index>;
    prop_oneof![
        1 => (fancy(), prop::option::of(any::<u8>()))
            .prop_map(|(fancy, comment)| Op::AddSchema { fancy, comment }),
        3 => (i(), prop::collection::vec(fancy(), 0..4), fancy())
            .prop_map(|(schema, labels, fancy)| Op::AddEnum { schema, labels, fancy }),
        3 => add_table(),
        3 => (i(), column_spec()).prop_map(|(table, column)| Op::AddColumn { table, column }),
        1 => (i(), key_columns(), any::<bool>())
            .prop_map(|(table, columns, named)| Op::SetPrimaryKey { table, columns, named }),
        3 => (i(), key_columns(), any::<bool>())
            .prop_map(|(table, columns, named)| Op::AddUnique { table, columns, named }),
        3 => (i(), index_shape(), (i(), i()), any::<bool>(), any::<bool>()).prop_map(
            |(table, shape, columns, unique, named)| Op::AddIndex { table, shape, columns, unique, named }
        ),
        3 => (i(), i(), i(), any::<u8>(), any::<bool>(), any::<bool>()).prop_map(
            |(table, target, key, on_delete, named, fresh)| Op::AddForeignKey {
                table, target, key, on_delete, named, fresh
            }
        ),
        3 => (i(), i(), any::<bool>())
            .prop_map(|(table, column, named)| Op::AddCheck { table, column, named }),
        2 => (any::<u8>(), i(), i(), prop::option::weighted(0.8, any::<u8>()))
            .prop_map(|(kind, object, part, text)| Op::Comment { kind, object, part, text }),
    ]
}

/// Ops that change or remove objects.
pub fn change_op() -> impl Strategy<Value = Op> {
    let i = any::<Index>;
    prop_oneof![
        1 => i().prop_map(|schema| Op::DropSchema { schema }),
        1 => i().prop_map(|which| Op::DropEnum { which }),
        4 => (i(), i(), fancy())
            .prop_map(|(which, position, fancy)| Op::AddEnumValue { which, position, fancy }),
        3 => (i(), i()).prop_map(|(which, value)| Op::RemoveEnumValue { which, value }),
        2 => (i(), i(), i()).prop_map(|(which, a, b)| Op::SwapEnumValues { which, a, b }),
        1 => i().prop_map(|table| Op::DropTable { table }),
        2 => (i(), i()).prop_map(|(table, column)| Op::DropColumn { table, column }),
        5 => (i(), i(), i(), any::<bool>()).prop_map(|(table, column, target, propagate)| {
            Op::ChangeType { table, column, target, propagate }
        }),
        3 => (i(), i()).prop_map(|(table, column)| Op::FlipNotNull { table, column }),
        3 => (i(), i(), prop::option::of(any::<u8>()))
            .prop_map(|(table, column, default)| Op::SetDefault { table, column, default }),
        1 => i().prop_map(|table| Op::DropPrimaryKey { table }),
        2 => (i(), i()).prop_map(|(table, which)| Op::DropUnique { table, which }),
        2 => (i(), i()).prop_map(|(table, which)| Op::DropIndex { table, which }),
        2 => (i(), i()).prop_map(|(table, which)| Op::Rename { table, which }),
        2 => (i(), i()).prop_map(|(table, which)| Op::DropForeignKey { table, which }),
        1 => (i(), i()).prop_map(|(table, which)| Op::DropCheck { table, which }),
    ]
}
