//! Where a table's constraints and indexes go in its struct: on the field when a field
//! attribute says all of it (`primary_key`, `unique`, `index`, `references`: one column,
//! PostgreSQL's default name), else a struct attribute (`unique(...)`, `index(...)`,
//! `check(...)`, `foreign_key(...)`, `primary_key = [...]`) naming it unless the name is the
//! default.

use crate::attr::{Item, string_array};
use crate::names::{default_name, literal};
use autogen_schema::{
    Deferral, ForeignKey, IdentityKind, Index, IndexKey, IndexTarget, ReferentialAction, Table,
};
use std::collections::HashMap;

/// Where each constraint and index of a table is written.
pub(crate) struct Parts {
    /// Struct-level items, one attribute each.
    pub table_items: Vec<Item>,
    /// Per column position: `primary_key`, `identity`, `unique`, `index`.
    flags: HashMap<usize, Vec<Item>>,
    /// Per column position: `references` and its actions.
    references: HashMap<usize, Vec<Item>>,
}

impl Parts {
    pub fn flags(&self, position: usize) -> &[Item] {
        self.flags.get(&position).map_or(&[], Vec::as_slice)
    }

    pub fn references(&self, position: usize) -> &[Item] {
        self.references.get(&position).map_or(&[], Vec::as_slice)
    }

    pub fn of(table: &Table) -> Parts {
        let position = |name: &str| table.columns.iter().position(|c| c.name == name);
        let mut flags: HashMap<usize, Vec<Item>> = HashMap::new();
        let mut references: HashMap<usize, Vec<Item>> = HashMap::new();
        let mut table_items = Vec::new();
        if let Some(primary_key) = &table.primary_key {
            match primary_key.columns.as_slice() {
                [only] if position(only).is_some() => {
                    if let Some(at) = position(only) {
                        flags
                            .entry(at)
                            .or_default()
                            .push(Item::Plain("primary_key".into()));
                    }
                }
                columns => table_items.push(Item::Plain(string_array("primary_key", columns))),
            }
        }
        for (at, column) in table.columns.iter().enumerate() {
            if let Some(identity) = &column.identity {
                let flag = match identity.kind {
                    IdentityKind::ByDefault => "identity".to_string(),
                    IdentityKind::Always => "identity = \"always\"".to_string(),
                };
                flags.entry(at).or_default().push(Item::Plain(flag));
            }
        }
        let mut unique_flagged = Vec::new();
        for unique in &table.uniques {
            let default = default_name(&table.name, &unique.columns, "key");
            match unique.columns.as_slice() {
                [only]
                    if default.as_deref() == Some(unique.name.as_str())
                        && !unique_flagged.contains(only) =>
                {
                    if let Some(at) = position(only) {
                        unique_flagged.push(only.clone());
                        flags
                            .entry(at)
                            .or_default()
                            .push(Item::Plain("unique".into()));
                        continue;
                    }
                }
                _ => {}
            }
            let mut nested = Vec::new();
            if default.as_deref() != Some(unique.name.as_str()) {
                nested.push(format!("name = {}", literal(&unique.name)));
            }
            nested.push(string_array("columns", &unique.columns));
            table_items.push(Item::Nested("unique", nested));
        }
        let mut index_flagged = Vec::new();
        for index in &table.indexes {
            if let Some(column) = field_index(table, index)
                && !index_flagged.contains(&column)
                && let Some(at) = position(&column)
            {
                index_flagged.push(column);
                flags
                    .entry(at)
                    .or_default()
                    .push(Item::Plain("index".into()));
                continue;
            }
            table_items.push(Item::Nested("index", index_items(table, index)));
        }
        for check in &table.checks {
            table_items.push(Item::Nested(
                "check",
                vec![
                    format!("name = {}", literal(&check.name)),
                    format!("expr = {}", literal(&check.expression)),
                ],
            ));
        }
        for foreign_key in &table.foreign_keys {
            let default = default_name(&table.name, &foreign_key.columns, "fkey");
            if let [only] = foreign_key.columns.as_slice()
                && default.as_deref() == Some(foreign_key.name.as_str())
                && let Some(at) = position(only)
                && !references.contains_key(&at)
            {
                let mut items = vec![Item::Plain(format!(
                    "references = {}",
                    literal(&reference(foreign_key))
                ))];
                items.extend(fk_options(foreign_key).into_iter().map(Item::Plain));
                references.insert(at, items);
                continue;
            }
            let mut nested = Vec::new();
            if default.as_deref() != Some(foreign_key.name.as_str()) {
                nested.push(format!("name = {}", literal(&foreign_key.name)));
            }
            nested.push(string_array("columns", &foreign_key.columns));
            nested.push(format!("references = {}", literal(&reference(foreign_key))));
            nested.extend(fk_options(foreign_key));
            table_items.push(Item::Nested("foreign_key", nested));
        }
        Parts {
            table_items,
            flags,
            references,
        }
    }
}

/// The column of an index a field's `index` flag declares: one ascending column, btree, not
/// unique, no predicate or include, PostgreSQL's default name.
fn field_index(table: &Table, index: &Index) -> Option<String> {
    let [key] = index.keys.as_slice() else {
        return None;
    };
    let IndexTarget::Column(column) = &key.target else {
        return None;
    };
    let plain = !index.unique
        && index.method == "btree"
        && index.predicate.is_none()
        && index.include.is_empty()
        && !key.descending
        && !key.nulls_first;
    let default = default_name(&table.name, std::slice::from_ref(column), "idx");
    (plain && default.as_deref() == Some(index.name.as_str())).then(|| column.clone())
}

fn index_items(table: &Table, index: &Index) -> Vec<String> {
    let mut items = Vec::new();
    let columns: Option<Vec<String>> = index
        .keys
        .iter()
        .map(|key| match &key.target {
            IndexTarget::Column(column) => Some(column.clone()),
            IndexTarget::Expression(_) => None,
        })
        .collect();
    let default = columns.and_then(|columns| default_name(&table.name, &columns, "idx"));
    if default.as_deref() != Some(index.name.as_str()) {
        items.push(format!("name = {}", literal(&index.name)));
    }
    let keys: Vec<String> = index.keys.iter().map(key_text).collect();
    items.push(string_array("columns", &keys));
    if index.unique {
        items.push("unique".to_string());
    }
    if let Some(predicate) = &index.predicate {
        items.push(format!("where = {}", literal(predicate)));
    }
    if index.method != "btree" {
        items.push(format!("using = {}", literal(&index.method)));
    }
    if !index.include.is_empty() {
        items.push(string_array("include", &index.include));
    }
    items
}

/// An index key as the model reads it: a column (double-quoted unless plain, so no name is
/// taken for an expression or loses a trailing `desc`) or an expression, then its order.
fn key_text(key: &IndexKey) -> String {
    let mut text = match &key.target {
        IndexTarget::Column(column) if is_plain_column(column) => column.clone(),
        IndexTarget::Column(column) => autogen_schema::quote_ident(column),
        IndexTarget::Expression(expression) => expression.clone(),
    };
    if key.descending {
        text.push_str(" DESC");
    }
    if key.nulls_first != key.descending {
        text.push_str(if key.nulls_first {
            " NULLS FIRST"
        } else {
            " NULLS LAST"
        });
    }
    text
}

fn is_plain_column(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    name.chars()
        .next()
        .is_some_and(|first| first.is_ascii_alphabetic() || first == '_')
        && name
            .chars()
            .all(|ch| ch.is_ascii_alphanumeric() || ch == '_')
        && !matches!(lower.as_str(), "asc" | "desc" | "first" | "last" | "nulls")
}

/// `schema.table(a, b)`, names double-quoted when the reference syntax needs it.
fn reference(foreign_key: &ForeignKey) -> String {
    let part = |name: &str| {
        let plain = !name.is_empty()
            && !name
                .chars()
                .any(|ch| ch.is_whitespace() || matches!(ch, '.' | '(' | ')' | ',' | '"'));
        if plain {
            name.to_string()
        } else {
            autogen_schema::quote_ident(name)
        }
    };
    let columns: Vec<String> = foreign_key
        .referenced_columns
        .iter()
        .map(|column| part(column))
        .collect();
    format!(
        "{}.{}({})",
        part(&foreign_key.references.schema),
        part(&foreign_key.references.name),
        columns.join(", ")
    )
}

fn fk_options(foreign_key: &ForeignKey) -> Vec<String> {
    let action = |action: ReferentialAction| action.sql().to_ascii_lowercase();
    let mut items = Vec::new();
    if !foreign_key.on_delete.is_no_action() {
        items.push(format!(
            "on_delete = {}",
            literal(&action(foreign_key.on_delete))
        ));
    }
    if !foreign_key.on_update.is_no_action() {
        items.push(format!(
            "on_update = {}",
            literal(&action(foreign_key.on_update))
        ));
    }
    match foreign_key.deferral {
        Deferral::Immediate => {}
        Deferral::Deferrable => items.push("deferrable".to_string()),
        Deferral::InitiallyDeferred => {
            items.push("deferrable = \"initially deferred\"".to_string())
        }
    }
    items
}
