//! Applying an [`Op`] to a [`Model`]: each op resolves its targets against the model and is
//! skipped when there is nothing to act on. New objects get fresh names; what an op leaves
//! dangling is for [`Model::sanitize`].

use crate::generate::{ENUM_VALUE_REMOVAL, FK_TYPE_CHANGE_ACROSS_FAMILIES};
use crate::model::{
    COMMENTS, CheckDef, ColType, ColumnDef, EnumDef, FANCY_LABELS, ForeignKeyDef, IndexDef,
    IndexKey, KeyDef, Model, ON_DELETE, SchemaDef, TableDef,
};
use crate::ops::{ColumnSpec, IndexShape, Op};
use proptest::sample::Index;

fn pick<'a, T>(items: &'a [T], index: &Index) -> Option<&'a T> {
    (!items.is_empty()).then(|| index.get(items))
}

fn pick_mut<'a, T>(items: &'a mut [T], index: &Index) -> Option<&'a mut T> {
    if items.is_empty() {
        return None;
    }
    let position = index.index(items.len());
    items.get_mut(position)
}

fn remove<T>(items: &mut Vec<T>, index: &Index) {
    if !items.is_empty() {
        items.remove(index.index(items.len()));
    }
}

pub fn enum_types(model: &Model) -> Vec<ColType> {
    model
        .enums
        .iter()
        .map(|e| ColType::Enum {
            schema: e.schema.clone(),
            name: e.name.clone(),
        })
        .collect()
}

fn column_type(model: &Model, ty: u8, param: u8) -> ColType {
    match ty {
        0 => ColType::SmallInt,
        1 => ColType::Integer,
        2 => ColType::BigInt,
        3 => [ColType::Numeric(10, 2), ColType::Numeric(12, 4)][usize::from(param % 2)].clone(),
        4 => ColType::Text,
        5 => ColType::Varchar([10, 20, 255][usize::from(param % 3)]),
        6 => ColType::Boolean,
        7 => ColType::Timestamptz,
        8 => ColType::Date,
        9 => ColType::Uuid,
        10 => ColType::Jsonb,
        11 => ColType::Bytea,
        12 | 15 | 16 | 17 => {
            let enums = enum_types(model);
            match enums.get(usize::from(param) % enums.len().max(1)) {
                None => ColType::Text,
                Some(ColType::Enum { schema, name }) if ty == 17 => ColType::EnumArray {
                    schema: schema.clone(),
                    name: name.clone(),
                },
                Some(enum_type) => enum_type.clone(),
            }
        }
        13 => ColType::IntArray,
        14 => ColType::TextArray,
        _ => unreachable!("column type selector {ty}"),
    }
}

fn new_column(model: &mut Model, spec: &ColumnSpec) -> ColumnDef {
    ColumnDef {
        name: model.fresh_name("c", spec.fancy),
        ty: column_type(model, spec.ty, spec.param),
        not_null: spec.not_null,
        default: spec.default,
        comment: None,
    }
}

fn label(model: &mut Model, existing: &[String], fancy: Option<u8>) -> String {
    if let Some(fancy) = fancy {
        let candidate = FANCY_LABELS[usize::from(fancy) % FANCY_LABELS.len()];
        if !existing.iter().any(|v| v == candidate) {
            return candidate.to_string();
        }
    }
    model.next_id += 1;
    format!("v{}", model.next_id)
}

/// Picks `columns` (distinct) of a table by index.
fn pick_columns(table: &TableDef, columns: &[Index]) -> Vec<String> {
    let mut picked: Vec<String> = Vec::new();
    for index in columns {
        if let Some(column) = pick(&table.columns, index)
            && !picked.contains(&column.name)
        {
            picked.push(column.name.clone());
        }
    }
    picked
}

fn constraint_name(model: &mut Model, prefix: &str, named: bool) -> Option<String> {
    named.then(|| model.fresh_name(prefix, None))
}

pub fn apply(model: &mut Model, op: &Op) {
    match op {
        Op::AddSchema { fancy, comment } => {
            if model.schemas.len() < 2 {
                let name = model.fresh_name("s", *fancy);
                let comment = comment.map(|c| COMMENTS[usize::from(c) % COMMENTS.len()].into());
                model.schemas.push(SchemaDef { name, comment });
            }
        }
        Op::DropSchema { schema } => remove(&mut model.schemas, schema),
        Op::AddEnum {
            schema,
            labels,
            fancy,
        } => {
            let schema = pick(&model.schema_names(), schema)
                .cloned()
                .unwrap_or_default();
            let name = model.fresh_name("e", *fancy);
            let mut values = Vec::new();
            for fancy in labels {
                let value = label(model, &values, *fancy);
                values.push(value);
            }
            model.enums.push(EnumDef {
                schema,
                name,
                values,
                comment: None,
            });
        }
        Op::DropEnum { which } => remove(&mut model.enums, which),
        Op::AddEnumValue {
            which,
            position,
            fancy,
        } => {
            if model.enums.is_empty() {
                return;
            }
            let e = which.index(model.enums.len());
            let existing = model.enums[e].values.clone();
            let value = label(model, &existing, *fancy);
            let values = &mut model.enums[e].values;
            let at = position.index(values.len() + 1);
            values.insert(at, value);
        }
        Op::RemoveEnumValue { which, value } => {
            if ENUM_VALUE_REMOVAL && let Some(e) = pick_mut(&mut model.enums, which) {
                remove(&mut e.values, value);
            }
        }
        Op::SwapEnumValues { which, a, b } => {
            if ENUM_VALUE_REMOVAL
                && let Some(e) = pick_mut(&mut model.enums, which)
                && !e.values.is_empty()
            {
                let (a, b) = (a.index(e.values.len()), b.index(e.values.len()));
                e.values.swap(a, b);
            }
        }
        Op::AddTable {
            schema,
            columns,
            primary_key,
            fancy,
        } => {
            let schema = pick(&model.schema_names(), schema)
                .cloned()
                .unwrap_or_default();
            let name = model.fresh_name("t", *fancy);
            model.tables.push(TableDef {
                schema,
                name,
                columns: vec![],
                primary_key: None,
                uniques: vec![],
                checks: vec![],
                indexes: vec![],
                foreign_keys: vec![],
                comment: None,
            });
            // One by one into the model, so each fresh name sees the columns before it.
            for spec in columns {
                let column = new_column(model, spec);
                model
                    .tables
                    .last_mut()
                    .expect("just pushed")
                    .columns
                    .push(column);
            }
            if let Some((count, named)) = primary_key {
                let name = constraint_name(model, "pk", *named);
                let table = model.tables.last_mut().expect("just pushed");
                table.primary_key = Some(KeyDef {
                    name,
                    columns: table
                        .columns
                        .iter()
                        .take(usize::from(*count))
                        .map(|c| c.name.clone())
                        .collect(),
                    comment: None,
                });
            }
        }
        Op::DropTable { table } => remove(&mut model.tables, table),
        Op::AddColumn { table, column } => {
            if model.tables.is_empty() {
                return;
            }
            let t = table.index(model.tables.len());
            let column = new_column(model, column);
            model.tables[t].columns.push(column);
        }
        Op::DropColumn { table, column } => {
            if let Some(table) = pick_mut(&mut model.tables, table) {
                remove(&mut table.columns, column);
            }
        }
        Op::ChangeType {
            table,
            column,
            target,
            propagate,
        } => change_type(model, table, column, target, *propagate),
        Op::FlipNotNull { table, column } => {
            if let Some(table) = pick_mut(&mut model.tables, table)
                && let Some(column) = pick_mut(&mut table.columns, column)
            {
                column.not_null = !column.not_null;
            }
        }
        Op::SetDefault {
            table,
            column,
            default,
        } => {
            if let Some(table) = pick_mut(&mut model.tables, table)
                && let Some(column) = pick_mut(&mut table.columns, column)
            {
                column.default = *default;
            }
        }
        Op::SetPrimaryKey {
            table,
            columns,
            named,
        } => {
            if model.tables.is_empty() {
                return;
            }
            let t = table.index(model.tables.len());
            let columns = pick_columns(&model.tables[t], columns);
            if columns.is_empty() {
                return;
            }
            let name = constraint_name(model, "pk", *named);
            model.tables[t].primary_key = Some(KeyDef {
                name,
                columns,
                comment: None,
            });
        }
        Op::DropPrimaryKey { table } => {
            if let Some(table) = pick_mut(&mut model.tables, table) {
                table.primary_key = None;
            }
        }
        Op::AddUnique {
            table,
            columns,
            named,
        } => {
            if model.tables.is_empty() {
                return;
            }
            let t = table.index(model.tables.len());
            let columns = pick_columns(&model.tables[t], columns);
            if columns.is_empty() {
                return;
            }
            let name = constraint_name(model, "uq", *named);
            model.tables[t].uniques.push(KeyDef {
                name,
                columns,
                comment: None,
            });
        }
        Op::DropUnique { table, which } => {
            if let Some(table) = pick_mut(&mut model.tables, table) {
                remove(&mut table.uniques, which);
            }
        }
        Op::AddIndex {
            table,
            shape,
            columns: (first, second),
            unique,
            named,
        } => add_index(model, table, *shape, first, second, *unique, *named),
        Op::DropIndex { table, which } => {
            if let Some(table) = pick_mut(&mut model.tables, table) {
                remove(&mut table.indexes, which);
            }
        }
        Op::Rename { table, which } => rename(model, table, which),
        Op::AddForeignKey {
            table,
            target,
            key,
            on_delete,
            named,
            fresh,
        } => add_foreign_key(model, table, target, key, *on_delete, *named, *fresh),
        Op::DropForeignKey { table, which } => {
            if let Some(table) = pick_mut(&mut model.tables, table) {
                remove(&mut table.foreign_keys, which);
            }
        }
        Op::AddCheck {
            table,
            column,
            named,
        } => {
            if model.tables.is_empty() {
                return;
            }
            let t = table.index(model.tables.len());
            let Some(column) = pick(&model.tables[t].columns, column).map(|c| c.name.clone())
            else {
                return;
            };
            let name = constraint_name(model, "ck", *named);
            model.tables[t].checks.push(CheckDef {
                name,
                column,
                comment: None,
            });
        }
        Op::DropCheck { table, which } => {
            if let Some(table) = pick_mut(&mut model.tables, table) {
                remove(&mut table.checks, which);
            }
        }
        Op::Comment {
            kind,
            object,
            part,
            text,
        } => comment(model, *kind, object, part, *text),
    }
}

fn change_type(model: &mut Model, table: &Index, column: &Index, target: &Index, propagate: bool) {
    let enums = enum_types(model);
    if model.tables.is_empty() {
        return;
    }
    let t = table.index(model.tables.len());
    let Some(c) = pick(&model.tables[t].columns, column) else {
        return;
    };
    let Some(new_type) = pick(&c.ty.cast_targets(&enums), target).cloned() else {
        return;
    };
    let propagate =
        propagate && (FK_TYPE_CHANGE_ACROSS_FAMILIES || c.ty.family() == new_type.family());
    // The column and, with `propagate`, every column joined to it through foreign keys.
    let start = (
        model.tables[t].schema.clone(),
        model.tables[t].name.clone(),
        c.name.clone(),
    );
    let mut group = vec![start];
    let mut next = 0;
    while propagate && next < group.len() {
        let (schema, name, column) = group[next].clone();
        next += 1;
        for table in &model.tables {
            for fk in &table.foreign_keys {
                for (from, to) in fk.columns.iter().zip(&fk.ref_columns) {
                    let joined = if table.schema == schema && table.name == name && *from == column
                    {
                        Some((fk.ref_schema.clone(), fk.ref_table.clone(), to.clone()))
                    } else if fk.ref_schema == schema && fk.ref_table == name && *to == column {
                        Some((table.schema.clone(), table.name.clone(), from.clone()))
                    } else {
                        None
                    };
                    if let Some(joined) = joined
                        && !group.contains(&joined)
                    {
                        group.push(joined);
                    }
                }
            }
        }
    }
    for (schema, name, column) in group {
        for table in &mut model.tables {
            if table.schema == schema && table.name == name {
                for c in &mut table.columns {
                    if c.name == column {
                        c.ty = new_type.clone();
                    }
                }
            }
        }
    }
}

fn add_index(
    model: &mut Model,
    table: &Index,
    shape: IndexShape,
    first: &Index,
    second: &Index,
    unique: bool,
    named: bool,
) {
    if model.tables.is_empty() {
        return;
    }
    let t = table.index(model.tables.len());
    let columns = &model.tables[t].columns;
    let (Some(a), Some(b)) = (pick(columns, first), pick(columns, second)) else {
        return;
    };
    let (a, b) = (a.name.clone(), b.name.clone());
    let (keys, predicate) = match shape {
        IndexShape::Plain => (vec![IndexKey::Column(a)], None),
        IndexShape::Multi if a != b => (vec![IndexKey::Column(a), IndexKey::Column(b)], None),
        IndexShape::Multi => (vec![IndexKey::Column(a)], None),
        IndexShape::Partial => (vec![IndexKey::Column(a)], Some(b)),
        IndexShape::Lower => {
            // The first string column from the picked one on.
            let start = first.index(columns.len());
            let Some(text) = (0..columns.len())
                .map(|k| &columns[(start + k) % columns.len()])
                .find(|c| c.ty.is_text())
            else {
                return;
            };
            (vec![IndexKey::Lower(text.name.clone())], None)
        }
    };
    let name = constraint_name(model, "ix", named);
    model.tables[t].indexes.push(IndexDef {
        name,
        unique,
        keys,
        predicate,
        comment: None,
    });
}

fn rename(model: &mut Model, table: &Index, which: &Index) {
    if model.tables.is_empty() {
        return;
    }
    let t = table.index(model.tables.len());
    let table = &model.tables[t];
    let count = table.primary_key.iter().count()
        + table.uniques.len()
        + table.checks.len()
        + table.indexes.len()
        + table.foreign_keys.len();
    if count == 0 {
        return;
    }
    let mut k = which.index(count);
    let name = model.fresh_name("r", None);
    let table = &mut model.tables[t];
    let names = table
        .primary_key
        .iter_mut()
        .chain(table.uniques.iter_mut())
        .map(|key| &mut key.name)
        .chain(table.checks.iter_mut().map(|c| &mut c.name))
        .chain(table.indexes.iter_mut().map(|i| &mut i.name))
        .chain(table.foreign_keys.iter_mut().map(|f| &mut f.name));
    for slot in names {
        if k == 0 {
            *slot = Some(name);
            return;
        }
        k -= 1;
    }
}

fn add_foreign_key(
    model: &mut Model,
    table: &Index,
    target: &Index,
    key: &Index,
    on_delete: u8,
    named: bool,
    fresh: bool,
) {
    if model.tables.is_empty() {
        return;
    }
    let t = table.index(model.tables.len());
    let r = target.index(model.tables.len());
    let target = &model.tables[r];
    let Some(key) = pick(&target.keys(), key).cloned() else {
        return;
    };
    let types: Vec<ColType> = key
        .iter()
        .map(|c| target.column(c).expect("sanitized key").ty.clone())
        .collect();
    let (ref_schema, ref_table) = (target.schema.clone(), target.name.clone());
    let mut columns: Vec<String> = Vec::new();
    for (ty, referenced) in types.iter().zip(&key) {
        let reuse = if fresh {
            None
        } else {
            model.tables[t]
                .columns
                .iter()
                .find(|c| {
                    c.ty == *ty && !columns.contains(&c.name) && !(t == r && c.name == *referenced)
                })
                .map(|c| c.name.clone())
        };
        let name = match reuse {
            Some(name) => name,
            None => {
                let name = model.fresh_name("c", None);
                model.tables[t].columns.push(ColumnDef {
                    name: name.clone(),
                    ty: ty.clone(),
                    not_null: false,
                    default: None,
                    comment: None,
                });
                name
            }
        };
        columns.push(name);
    }
    let name = constraint_name(model, "fk", named);
    model.tables[t].foreign_keys.push(ForeignKeyDef {
        name,
        columns,
        ref_schema,
        ref_table,
        ref_columns: key,
        on_delete: ON_DELETE[usize::from(on_delete) % ON_DELETE.len()],
        comment: None,
    });
}

fn comment(model: &mut Model, kind: u8, object: &Index, part: &Index, text: Option<u8>) {
    let text = text.map(|c| COMMENTS[usize::from(c) % COMMENTS.len()].to_string());
    match kind % 6 {
        0 => {
            if let Some(schema) = pick_mut(&mut model.schemas, object) {
                schema.comment = text;
            }
        }
        1 => {
            if let Some(e) = pick_mut(&mut model.enums, object) {
                e.comment = text;
            }
        }
        2 => {
            if let Some(table) = pick_mut(&mut model.tables, object) {
                table.comment = text;
            }
        }
        3 => {
            if let Some(table) = pick_mut(&mut model.tables, object)
                && let Some(column) = pick_mut(&mut table.columns, part)
            {
                column.comment = text;
            }
        }
        4 => {
            // Only named indexes and constraints: PostgreSQL's own names are not in the model.
            if let Some(table) = pick_mut(&mut model.tables, object)
                && let Some(index) = pick_mut(&mut table.indexes, part)
                && index.name.is_some()
            {
                index.comment = text;
            }
        }
        _ => {
            let Some(table) = pick_mut(&mut model.tables, object) else {
                return;
            };
            let mut slots: Vec<(&Option<String>, &mut Option<String>)> = table
                .primary_key
                .iter_mut()
                .chain(table.uniques.iter_mut())
                .map(|k| (&k.name, &mut k.comment))
                .chain(table.checks.iter_mut().map(|c| (&c.name, &mut c.comment)))
                .chain(
                    table
                        .foreign_keys
                        .iter_mut()
                        .map(|f| (&f.name, &mut f.comment)),
                )
                .filter(|(name, _)| name.is_some())
                .collect();
            if let Some((_, slot)) = pick_mut(&mut slots, part) {
                **slot = text;
            }
        }
    }
}
