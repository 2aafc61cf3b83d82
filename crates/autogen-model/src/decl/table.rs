//! One `#[derive(Model)]` struct -> one table, checked on its own (no other files needed).

use super::TableLocs;
use super::column::{ColumnDecl, EnumUse, column_of_field};
use super::constraints::Builder;
use super::lookup::ColumnLookup;
use crate::attr::field::read_field;
use crate::attr::syntax::model_items;
use crate::attr::table::{RowLevelSecurity, read_table};
use crate::naming::{name_problem, snake_case, unraw};
use crate::problem::{Loc, Problem, Spanned};
use crate::reference::Reference;
use autogen_schema::Table;
use syn::{Attribute, Fields, Ident};

#[derive(Debug)]
pub(crate) struct StructDecl {
    pub rust_name: String,
    /// Where the table name comes from: `table = "..."` or the struct name.
    pub name_loc: Loc,
    pub table: Table,
    /// Model intent: `renamed_from` of the struct, and `(old, new)` of its fields.
    pub renamed_from: Option<String>,
    pub column_renames: Vec<(String, String)>,
    /// Model intent: `(column, expression)` of fields with `backfill` and with `using`.
    pub column_backfills: Vec<(String, String)>,
    pub column_conversions: Vec<(String, String)>,
    pub locs: TableLocs,
    /// Non-skipped fields and their column names.
    pub fields: Vec<(Ident, String)>,
    /// Columns whose type may be a `DbEnum` (index into `table.columns`).
    pub enum_uses: Vec<(usize, EnumUse)>,
    /// Foreign keys whose target is resolved against all models (index into
    /// `table.foreign_keys`); until then `references` holds the name as written.
    pub references: Vec<(usize, Spanned<Reference>)>,
}

pub(crate) fn analyze_struct(
    attrs: &[Attribute],
    ident: &Ident,
    fields: &Fields,
    problems: &mut Vec<Problem>,
) -> StructDecl {
    let table_attrs = read_table(&model_items(attrs, problems), problems);
    let ident_loc = Loc::span(ident.span());
    let (name, name_loc) = match &table_attrs.table {
        Some(table) => (table.value.clone(), table.loc),
        None => (snake_case(&unraw(ident)), ident_loc),
    };
    problems.extend(name_problem(&name, name_loc, "table"));
    let schema = match &table_attrs.schema {
        Some(schema) => {
            problems.extend(name_problem(&schema.value, schema.loc, "schema"));
            schema.value.clone()
        }
        None => "public".to_string(),
    };

    let mut skipped = Vec::new();
    let columns = columns_of(fields, ident, &mut skipped, problems);
    let lookup = ColumnLookup {
        columns: &columns,
        skipped: &skipped,
    };
    let mut builder = Builder {
        table: Table {
            schema,
            name,
            unlogged: table_attrs.unlogged,
            row_level_security: table_attrs.row_level_security != RowLevelSecurity::Off,
            force_row_level_security: table_attrs.row_level_security == RowLevelSecurity::Forced,
            storage_parameters: table_attrs
                .storage_parameters
                .iter()
                .map(|item| item.value.clone())
                .collect(),
            replica_identity: table_attrs.replica_identity.clone().unwrap_or_default(),
            grants: Vec::new(),
            partition_by: table_attrs.partition_by.clone(),
            partition_of: None,
            inherits: Vec::new(),
            columns: columns.iter().map(|decl| decl.column.clone()).collect(),
            primary_key: None,
            uniques: Vec::new(),
            foreign_keys: Vec::new(),
            checks: Vec::new(),
            exclusions: Vec::new(),
            indexes: Vec::new(),
            comment: table_attrs.comment.clone(),
        },
        locs: TableLocs {
            table: ident_loc,
            columns: columns.iter().map(|decl| decl.loc).collect(),
            primary_key: None,
            uniques: Vec::new(),
            foreign_keys: Vec::new(),
            checks: Vec::new(),
            indexes: Vec::new(),
        },
        references: Vec::new(),
        lookup,
        problems,
    };
    builder.table_level(&table_attrs);
    builder.field_level();
    let Builder {
        table,
        locs,
        references,
        ..
    } = builder;
    StructDecl {
        rust_name: ident.to_string(),
        name_loc,
        renamed_from: table_attrs
            .renamed_from
            .as_ref()
            .map(|from| from.value.clone()),
        column_renames: columns
            .iter()
            .filter_map(|decl| {
                let from = decl.attrs.renamed_from.as_ref()?;
                Some((from.value.clone(), decl.column.name.clone()))
            })
            .collect(),
        column_backfills: columns
            .iter()
            .filter_map(|decl| {
                let backfill = decl.attrs.backfill.as_ref()?;
                Some((decl.column.name.clone(), backfill.value.clone()))
            })
            .collect(),
        column_conversions: columns
            .iter()
            .filter_map(|decl| {
                let using = decl.attrs.using.as_ref()?;
                Some((decl.column.name.clone(), using.value.clone()))
            })
            .collect(),
        table,
        locs,
        fields: columns
            .iter()
            .map(|decl| (decl.field.clone(), decl.column.name.clone()))
            .collect(),
        enum_uses: columns
            .iter()
            .enumerate()
            .filter_map(|(index, decl)| decl.enum_use.clone().map(|use_| (index, use_)))
            .collect(),
        references,
    }
}

/// The columns of the named fields (skipped ones go to `skipped`), checking for duplicates.
fn columns_of(
    fields: &Fields,
    ident: &Ident,
    skipped: &mut Vec<String>,
    problems: &mut Vec<Problem>,
) -> Vec<ColumnDecl> {
    let named = match fields {
        Fields::Named(named) => &named.named,
        // A unit struct is a table without columns, which PostgreSQL allows.
        Fields::Unit => return Vec::new(),
        Fields::Unnamed(unnamed) => {
            problems.push(
                Problem::new(Loc::of(unnamed), format!("`{ident}` has unnamed fields"))
                    .label("tuple struct")
                    .help("a model needs named fields: they name the columns"),
            );
            return Vec::new();
        }
    };
    let mut columns: Vec<ColumnDecl> = Vec::new();
    for field in named {
        let Some(field_ident) = &field.ident else {
            continue;
        };
        let attrs = read_field(&model_items(&field.attrs, problems), problems);
        if attrs.skip {
            skipped.push(unraw(field_ident));
            continue;
        }
        let decl = column_of_field(field, field_ident, attrs, problems);
        if let Some(first) = columns
            .iter()
            .find(|other| other.column.name == decl.column.name)
        {
            problems.push(
                Problem::new(decl.name_loc, format!("column `{}` is declared twice", decl.column.name))
                    .label("second column with this name")
                    .help(format!(
                        "field `{}` already uses this column name; rename one with #[model(column = \"...\")]",
                        first.field
                    )),
            );
        }
        columns.push(decl);
    }
    columns
}
