//! The model files: one module per schema (`models/<schema>.rs`) with its `DbEnum`s and then its
//! `Model` structs, and `models/mod.rs` declaring the modules (for a crate that compiles them).
//! Names are spelled out (`table = …`, `column = …`, `rename = …`) only when the model's default
//! name would differ; constraints and indexes go on the field when that says all of them.

use crate::attr::{self, Item, string_array};
use crate::names::{RESERVED_TYPE_NAMES, Scope, default_name, field_ident, literal, type_ident};
use crate::types::{EnumPaths, field_type};
use crate::{FileKind, GeneratedFile};
use autogen_schema::{
    Catalog, Column, Deferral, EnumType, ForeignKey, IdentityKind, Index, IndexKey, IndexTarget,
    ReferentialAction, Table,
};
use std::collections::{BTreeMap, HashMap};

/// The items of one schema's module.
#[derive(Default)]
struct Module<'a> {
    enums: Vec<(&'a EnumType, String)>,
    tables: Vec<(&'a Table, String)>,
}

pub(crate) fn render(models: &Catalog) -> Vec<GeneratedFile> {
    // Modules named after their schemas, in schema order.
    let mut schemas: Vec<&str> = models
        .enums
        .iter()
        .map(|e| e.schema.as_str())
        .chain(models.tables.iter().map(|t| t.schema.as_str()))
        .collect();
    schemas.sort_unstable();
    schemas.dedup();
    let mut module_scope = Scope::with_reserved(&["mod"]);
    let module_names: HashMap<&str, String> = schemas
        .iter()
        .map(|schema| {
            let (ident, _) = field_ident(schema);
            // A file name cannot hold `r#`: a keyword gets a `_`.
            let ident = match ident.strip_prefix("r#") {
                Some(keyword) => format!("{keyword}_"),
                None => ident,
            };
            (*schema, module_scope.claim(&ident).0)
        })
        .collect();

    // Type names are unique across the project (a DbEnum is found by its name) and never one
    // the model maps to a built-in type.
    let mut types = Scope::with_reserved(RESERVED_TYPE_NAMES);
    let mut modules: BTreeMap<&str, Module> = BTreeMap::new();
    let mut enum_paths = EnumPaths {
        by_type: HashMap::new(),
    };
    for enum_type in &models.enums {
        let (ident, _) = types.claim(&type_ident(&enum_type.name).0);
        let module = &module_names[enum_type.schema.as_str()];
        for spelling in type_spellings(&enum_type.schema, &enum_type.name) {
            enum_paths
                .by_type
                .insert(spelling, (module.clone(), ident.clone()));
        }
        modules
            .entry(enum_type.schema.as_str())
            .or_default()
            .enums
            .push((enum_type, ident));
    }
    for table in &models.tables {
        let (ident, _) = types.claim(&type_ident(&table.name).0);
        modules
            .entry(table.schema.as_str())
            .or_default()
            .tables
            .push((table, ident));
    }

    let mut files = Vec::new();
    let mut declared: Vec<&str> = Vec::new();
    for (schema, module) in &modules {
        let name = &module_names[schema];
        declared.push(name);
        files.push(GeneratedFile {
            kind: FileKind::Model,
            name: format!("{name}.rs"),
            text: module_text(schema, name, module, &enum_paths),
        });
    }
    if !files.is_empty() {
        // rustfmt sorts module declarations by name.
        declared.sort_unstable();
        let mut mod_rs =
            String::from("//! The models written by `autogen pull`, one module per schema.\n\n");
        for name in declared {
            mod_rs.push_str(&format!("pub mod {name};\n"));
        }
        files.push(GeneratedFile {
            kind: FileKind::Model,
            name: "mod.rs".to_string(),
            text: mod_rs,
        });
    }
    files
}

/// The spellings `format_type` may give the enum type `schema.name` under an empty
/// search_path: each part plain or double-quoted (PostgreSQL quotes keywords and names that
/// are not plain lower-case; a plain spelling of a name that needs quotes never occurs).
fn type_spellings(schema: &str, name: &str) -> Vec<String> {
    let forms = |part: &str| {
        let mut forms = vec![autogen_schema::quote_ident(part)];
        let plain = part
            .chars()
            .next()
            .is_some_and(|first| first.is_ascii_lowercase() || first == '_')
            && part
                .chars()
                .all(|ch| ch.is_ascii_lowercase() || ch.is_ascii_digit() || ch == '_');
        if plain {
            forms.push(part.to_string());
        }
        forms
    };
    let mut spellings = Vec::new();
    for schema in forms(schema) {
        for name in forms(name) {
            spellings.push(format!("{schema}.{name}"));
        }
    }
    spellings
}

fn module_text(schema: &str, module: &str, items: &Module, enums: &EnumPaths) -> String {
    let mut derives = Vec::new();
    if !items.enums.is_empty() {
        derives.push("DbEnum");
    }
    if !items.tables.is_empty() {
        derives.push("Model");
    }
    let import = match derives.as_slice() {
        [one] => format!("use autogen::{one};\n"),
        _ => format!("use autogen::{{{}}};\n", derives.join(", ")),
    };
    let mut out = format!(
        "//! Tables and types of the schema {}, written by `autogen pull`.\n\n{import}",
        literal(schema)
    );
    for (enum_type, ident) in &items.enums {
        out.push('\n');
        out.push_str(&enum_text(enum_type, ident));
    }
    for (table, ident) in &items.tables {
        out.push('\n');
        out.push_str(&struct_text(table, ident, module, enums));
    }
    out
}

fn enum_text(enum_type: &EnumType, ident: &str) -> String {
    let mut out = String::from("#[derive(DbEnum)]\n");
    let mut items = Vec::new();
    if type_ident(&enum_type.name).1 || ident != type_ident(&enum_type.name).0 {
        items.push(Item::Plain(format!(
            "type_name = {}",
            literal(&enum_type.name)
        )));
    }
    if enum_type.schema != "public" {
        items.push(Item::Plain(format!(
            "schema = {}",
            literal(&enum_type.schema)
        )));
    }
    if let Some(comment) = &enum_type.comment {
        items.push(Item::Plain(format!("comment = {}", literal(comment))));
    }
    if !items.is_empty() {
        out.push_str(&attr::render(0, &items));
    }
    if enum_type.values.is_empty() {
        out.push_str(&format!("pub enum {ident} {{}}\n"));
        return out;
    }
    out.push_str(&format!("pub enum {ident} {{\n"));
    let mut variants = Scope::default();
    for value in &enum_type.values {
        let (base, spelled_out) = type_ident(value);
        let (variant, renamed) = variants.claim(&base);
        if spelled_out || renamed {
            out.push_str(&attr::render(
                4,
                &[Item::Plain(format!("rename = {}", literal(value)))],
            ));
        }
        out.push_str(&format!("    {variant},\n"));
    }
    out.push_str("}\n");
    out
}

fn struct_text(table: &Table, ident: &str, module: &str, enums: &EnumPaths) -> String {
    let mut out = String::from("#[derive(Model)]\n");
    let mut head = Vec::new();
    let (default_ident, spelled_out) = type_ident(&table.name);
    if spelled_out || ident != default_ident {
        head.push(Item::Plain(format!("table = {}", literal(&table.name))));
    }
    if table.schema != "public" {
        head.push(Item::Plain(format!("schema = {}", literal(&table.schema))));
    }
    if let Some(comment) = &table.comment {
        head.push(Item::Plain(format!("comment = {}", literal(comment))));
    }
    if !head.is_empty() {
        out.push_str(&attr::render(0, &head));
    }
    let parts = Parts::of(table);
    for item in &parts.table_items {
        out.push_str(&attr::render(0, std::slice::from_ref(item)));
    }
    if table.columns.is_empty() {
        out.push_str(&format!("pub struct {ident} {{}}\n"));
        return out;
    }
    out.push_str(&format!("pub struct {ident} {{\n"));
    // Columns whose name is a field name as it is get it first; the others (`Id` beside `id`)
    // are numbered and spell out their column.
    let mut fields = Scope::default();
    let mut idents: Vec<Option<(String, bool)>> = table
        .columns
        .iter()
        .map(|column| {
            let (base, spelled_out) = field_ident(&column.name);
            (!spelled_out).then(|| (fields.claim(&base).0, false))
        })
        .collect();
    for (column, ident) in table.columns.iter().zip(&mut idents) {
        if ident.is_none() {
            let (base, _) = field_ident(&column.name);
            *ident = Some((fields.claim(&base).0, true));
        }
    }
    for (position, (column, ident)) in table.columns.iter().zip(idents).enumerate() {
        let (field, spelled_out) = ident.unwrap_or_default();
        let mut items = parts
            .field_items
            .get(&position)
            .cloned()
            .unwrap_or_default();
        let typed = field_type(column, enums, module);
        // Flags first, then the name and type, then the rest, as people write them.
        let mut ordered: Vec<Item> = items.drain(..parts.flags_of(position)).collect();
        if spelled_out {
            ordered.push(Item::Plain(format!("column = {}", literal(&column.name))));
        }
        ordered.extend(typed.items.into_iter().map(Item::Plain));
        ordered.extend(column_items(column));
        ordered.extend(items);
        if let Some(comment) = &column.comment {
            ordered.push(Item::Plain(format!("comment = {}", literal(comment))));
        }
        if !ordered.is_empty() {
            out.push_str(&attr::render(4, &ordered));
        }
        let rust = if column.not_null {
            typed.rust
        } else {
            format!("Option<{}>", typed.rust)
        };
        out.push_str(&format!("    pub {field}: {rust},\n"));
    }
    out.push_str("}\n");
    out
}

/// Identity (kind only: other options are in the SQL declarations), default and generated.
fn column_items(column: &Column) -> Vec<Item> {
    let mut items = Vec::new();
    if let Some(default) = &column.default {
        items.push(Item::Plain(format!("default = {}", literal(default))));
    }
    if let Some(generated) = &column.generated {
        items.push(Item::Plain(format!("generated = {}", literal(generated))));
    }
    items
}

/// Where each constraint and index of a table is written.
struct Parts {
    table_items: Vec<Item>,
    /// Per column position: flags (`primary_key`, `identity`, `unique`, `index`) first, then
    /// `references` and its actions.
    field_items: HashMap<usize, Vec<Item>>,
    flag_counts: HashMap<usize, usize>,
}

impl Parts {
    fn flags_of(&self, position: usize) -> usize {
        self.flag_counts.get(&position).copied().unwrap_or(0)
    }

    fn of(table: &Table) -> Parts {
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
        let mut field_items: HashMap<usize, Vec<Item>> = HashMap::new();
        let mut flag_counts = HashMap::new();
        for at in 0..table.columns.len() {
            let mut items = flags.remove(&at).unwrap_or_default();
            flag_counts.insert(at, items.len());
            items.extend(references.remove(&at).unwrap_or_default());
            if !items.is_empty() {
                field_items.insert(at, items);
            }
        }
        Parts {
            table_items,
            field_items,
            flag_counts,
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
