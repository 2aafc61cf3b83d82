//! The model files: one module per schema (`models/<schema>.rs`) with its `DbEnum`s and then its
//! `Model` structs, and `models/mod.rs` declaring the modules (for a crate that compiles them).
//! Names are spelled out (`table = …`, `column = …`, `rename = …`) only when the model's default
//! name would differ; constraints and indexes go on the field when that says all of them.

use crate::attr::{self, Item};
use crate::names::{RESERVED_TYPE_NAMES, Scope, field_ident, literal, type_ident};
use crate::parts::Parts;
use crate::types::{EnumPaths, field_type};
use crate::{FileKind, GeneratedFile};
use autogen_schema::{Catalog, Column, EnumType, ReplicaIdentity, Table};
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
    head.extend(settings(table).into_iter().map(Item::Plain));
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
        let typed = field_type(column, enums, module);
        // Flags first, then the name and type, then the rest, as people write them.
        let mut ordered: Vec<Item> = parts.flags(position).to_vec();
        if spelled_out {
            ordered.push(Item::Plain(format!("column = {}", literal(&column.name))));
        }
        ordered.extend(typed.items.into_iter().map(Item::Plain));
        ordered.extend(column_items(column));
        ordered.extend(parts.references(position).iter().cloned());
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

/// Default and generated expression.
/// The table settings as model attributes: `unlogged`, `partition_by`, `row_level_security`,
/// `storage_parameters`, `replica_identity`.
fn settings(table: &Table) -> Vec<String> {
    let mut items = Vec::new();
    if table.unlogged {
        items.push("unlogged".to_string());
    }
    if let Some(key) = &table.partition_by {
        items.push(format!("partition_by = {}", literal(key)));
    }
    match (table.row_level_security, table.force_row_level_security) {
        (true, true) => items.push("row_level_security = \"forced\"".to_string()),
        (true, false) => items.push("row_level_security".to_string()),
        // Forced but not enabled does nothing until enabled; the models cannot say it.
        (false, _) => {}
    }
    if !table.storage_parameters.is_empty() {
        let list: Vec<String> = table
            .storage_parameters
            .iter()
            .map(|parameter| literal(parameter))
            .collect();
        items.push(format!("storage_parameters = [{}]", list.join(", ")));
    }
    let identity = match &table.replica_identity {
        ReplicaIdentity::Default => None,
        ReplicaIdentity::Full => Some("full".to_string()),
        ReplicaIdentity::Nothing => Some("nothing".to_string()),
        ReplicaIdentity::Index(index) => Some(format!("using index {index}")),
    };
    if let Some(identity) = identity {
        items.push(format!("replica_identity = {}", literal(&identity)));
    }
    items
}

fn column_items(column: &Column) -> Vec<Item> {
    let mut items = Vec::new();
    if let Some(default) = &column.default {
        items.push(Item::Plain(format!("default = {}", literal(default))));
    }
    if let Some(generated) = &column.generated {
        items.push(Item::Plain(format!("generated = {}", literal(generated))));
    }
    if let Some(statistics) = column.statistics {
        items.push(Item::Plain(format!("statistics = {statistics}")));
    }
    if let Some(storage) = &column.storage {
        items.push(Item::Plain(format!("storage = {}", literal(storage))));
    }
    if let Some(compression) = &column.compression {
        items.push(Item::Plain(format!(
            "compression = {}",
            literal(compression)
        )));
    }
    if !column.options.is_empty() {
        let list: Vec<String> = column
            .options
            .iter()
            .map(|option| literal(option))
            .collect();
        items.push(Item::Plain(format!(
            "column_options = [{}]",
            list.join(", ")
        )));
    }
    items
}
