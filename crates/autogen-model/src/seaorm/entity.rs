//! One `#[derive(DeriveEntityModel)]` struct -> one table, the way SeaORM's
//! `Schema::create_table_from_entity` and `create_index_from_entity` build it on PostgreSQL.

use super::active_enum::ActiveEnum;
use super::attrs::{Place, Settings, default_value_sql, read};
use super::types::{self, Mapped, SeaKind};
use super::{AutoIncrement, SeaOrmOptions};
use crate::decl::TableLocs;
use crate::decl::column::EnumUse;
use crate::decl::table::StructDecl;
use crate::naming::{name_problem, unraw};
use crate::problem::{Loc, Problem, Spanned};
use autogen_schema::{
    Column, Deferral, Identity, IdentityKind, Index, PrimaryKey, QualifiedName, Sequence,
    SequenceOptions, SequenceOwner, Table, UniqueConstraint,
};
use heck::{ToSnakeCase, ToUpperCamelCase};
use std::collections::HashMap;
use syn::{Fields, ItemStruct};

/// An entity: its table and what relations need to find its columns.
pub(crate) struct EntityDecl {
    pub decl: StructDecl,
    /// The module that holds it (`cake` for `super::cake::Entity`).
    pub module: String,
    /// `Column` enum variant -> column name (`CakeId` -> `cake_id`).
    pub variants: Vec<(String, String)>,
    /// The sequences of `serial` columns (SeaORM 1.x auto-increment).
    pub sequences: Vec<Sequence>,
}

/// One field on its way to a column.
struct FieldColumn {
    column: Column,
    loc: Loc,
    settings: Settings,
    integer: Option<&'static str>,
    type_name: String,
}

pub(crate) fn analyze(
    item: &ItemStruct,
    module: &str,
    active_enums: &HashMap<String, &ActiveEnum>,
    options: &SeaOrmOptions,
    problems: &mut Vec<Problem>,
) -> Option<EntityDecl> {
    let settings = read(&item.attrs, Place::Entity, problems);
    let ident_loc = Loc::span(item.ident.span());
    let Some(table_name) = settings.string("table_name", problems) else {
        if !settings.has("table_name") {
            problems.push(
                Problem::new(ident_loc, "a SeaORM entity without `table_name`")
                    .label("no table name")
                    .help("add #[sea_orm(table_name = \"...\")] to the struct: autogen reads the table name only from it"),
            );
        }
        return None;
    };
    problems.extend(name_problem(&table_name.value, table_name.loc, "table"));
    let schema = match settings.string("schema_name", problems) {
        Some(schema) => {
            problems.extend(name_problem(&schema.value, schema.loc, "schema"));
            schema.value
        }
        None => "public".to_string(),
    };
    let table = table_name.value.clone();
    let Fields::Named(named) = &item.fields else {
        problems.push(
            Problem::new(ident_loc, "a SeaORM entity model needs named fields")
                .label("no named fields")
                .help("each named field of `Model` is a column"),
        );
        return None;
    };

    let mut fields: Vec<FieldColumn> = Vec::new();
    let mut variants = Vec::new();
    let mut idents = Vec::new();
    let mut enum_uses = Vec::new();
    let mut column_renames = Vec::new();
    let mut column_backfills = Vec::new();
    let mut column_conversions = Vec::new();
    for field in &named.named {
        let Some(ident) = &field.ident else { continue };
        let field_settings = read(&field.attrs, Place::Field, problems);
        if field_settings.flag("ignore", problems).is_some() {
            continue;
        }
        // SeaORM's Column variant is `enum_name` or the field in UpperCamelCase; the column
        // is `column_name`, else the field in snake_case when that differs from a round
        // trip through the variant (`_x`), else the variant in snake_case.
        let original = unraw(ident);
        let enum_name = field_settings.string("enum_name", problems);
        let variant = enum_name
            .as_ref()
            .map_or_else(|| original.to_upper_camel_case(), |name| name.value.clone());
        let (name, name_loc) = match field_settings.string("column_name", problems) {
            Some(name) => (name.value, name.loc),
            None if original != original.to_upper_camel_case().to_snake_case() => {
                (original.to_snake_case(), Loc::span(ident.span()))
            }
            None => (variant.to_snake_case(), Loc::span(ident.span())),
        };
        problems.extend(name_problem(&name, name_loc, "column"));
        if fields.iter().any(|other| other.column.name == name) {
            problems.push(
                Problem::new(name_loc, format!("column `{name}` is declared twice"))
                    .label("second column with this name")
                    .help("give one of them another name with #[sea_orm(column_name = \"...\")]"),
            );
        }
        let loc = Loc::span(ident.span()).to(Loc::of(&field.ty));
        let sea_type = types::classify(&field.ty);
        let mut type_name = quote::ToTokens::to_token_stream(&field.ty).to_string();
        let mapped: Option<Mapped> = match field_settings.string("column_type", problems) {
            Some(text) => match types::column_type(&text.value, text.loc) {
                Ok(mapped) => {
                    type_name = text.value.clone();
                    Some(mapped)
                }
                Err(problem) => {
                    problems.push(problem);
                    None
                }
            },
            None => match &sea_type.kind {
                SeaKind::Sql(mapped) => Some(mapped.clone()),
                SeaKind::Array(mapped) => Some(Mapped {
                    sql: format!("{}[]", mapped.sql),
                    integer: None,
                }),
                SeaKind::Named(rust_name) => match active_enums.get(rust_name.as_str()) {
                    Some(ActiveEnum::Column { mapped, .. }) => Some(mapped.clone()),
                    Some(ActiveEnum::Type(_)) => {
                        enum_uses.push((
                            fields.len(),
                            EnumUse {
                                rust_name: rust_name.clone(),
                                array: false,
                                loc: sea_type.loc,
                                default: None,
                            },
                        ));
                        None
                    }
                    None => {
                        problems.push(types::unknown_type(rust_name, sea_type.loc));
                        None
                    }
                },
            },
        };
        let default = column_default(&field_settings, problems);
        if let Some(default) = &default
            && let Some((_, use_)) = enum_uses
                .iter_mut()
                .find(|(index, _)| *index == fields.len())
        {
            use_.default = Some(default.clone());
        }
        let nullable = sea_type.nullable || field_settings.flag("nullable", problems).is_some();
        if let Some(from) = field_settings.string("renamed_from", problems) {
            column_renames.push((from.value, name.clone()));
        }
        // autogen's data intent, spelled as on its own models.
        if let Some(backfill) = field_settings.string("backfill", problems) {
            column_backfills.push((name.clone(), backfill.value));
        }
        if let Some(using) = field_settings.string("using", problems) {
            column_conversions.push((name.clone(), using.value));
        }
        variants.push((variant, name.clone()));
        idents.push((ident.clone(), name.clone()));
        fields.push(FieldColumn {
            column: Column {
                name,
                data_type: mapped.as_ref().map(|m| m.sql.clone()).unwrap_or_default(),
                not_null: !nullable,
                default: default.map(|text| text.value),
                identity: None,
                generated: None,
                collation: None,
                comment: field_settings
                    .string("comment", problems)
                    .map(|text| text.value),
                ..Column::default()
            },
            loc,
            integer: mapped.and_then(|m| m.integer),
            settings: field_settings,
            type_name,
        });
    }

    let mut locs = TableLocs {
        table: ident_loc,
        columns: fields.iter().map(|field| field.loc).collect(),
        primary_key: None,
        uniques: Vec::new(),
        foreign_keys: Vec::new(),
        checks: Vec::new(),
        indexes: Vec::new(),
    };
    let mut sequences = Vec::new();
    let primary_key = primary_key(
        &table,
        &schema,
        &mut fields,
        &mut locs,
        &mut sequences,
        options,
        problems,
    );
    let mut uniques = Vec::new();
    let mut indexes = Vec::new();
    for field in &fields {
        let unique = field.settings.flag("unique", problems);
        if let Some(loc) = unique {
            uniques.push(UniqueConstraint {
                name: String::new(),
                columns: vec![field.column.name.clone()],
                include: Vec::new(),
                nulls_not_distinct: false,
                storage_parameters: Vec::new(),
                deferral: Deferral::Immediate,
                comment: None,
                index_comment: None,
            });
            locs.uniques.push(loc);
        }
        // SeaORM 2.0 leaves out the index of a column that is also unique.
        let skip_index = unique.is_some() && options.auto_increment == AutoIncrement::Identity;
        if let Some(loc) = field.settings.flag("indexed", problems)
            && !skip_index
        {
            indexes.push(index(&table, &field.column.name));
            locs.indexes.push(loc);
        }
    }
    let decl = StructDecl {
        rust_name: format!("{module}::Model"),
        name_loc: table_name.loc,
        table: Table {
            schema,
            name: table,
            unlogged: false,
            row_level_security: false,
            force_row_level_security: false,
            storage_parameters: Vec::new(),
            replica_identity: Default::default(),
            grants: Vec::new(),
            partition_by: None,
            partition_of: None,
            inherits: Vec::new(),
            columns: fields.into_iter().map(|field| field.column).collect(),
            primary_key,
            uniques,
            foreign_keys: Vec::new(),
            checks: Vec::new(),
            exclusions: Vec::new(),
            indexes,
            comment: settings.string("comment", problems).map(|text| text.value),
        },
        renamed_from: None,
        column_renames,
        column_backfills,
        column_conversions,
        locs,
        fields: idents,
        enum_uses,
        references: Vec::new(),
    };
    Some(EntityDecl {
        decl,
        module: module.to_string(),
        variants,
        sequences,
    })
}

/// `default_value = <literal>` (quoted when a string) or `default_expr = "SQL"`.
fn column_default(settings: &Settings, problems: &mut Vec<Problem>) -> Option<Spanned<String>> {
    if let Some((meta, lit)) = settings.literal("default_value") {
        return match default_value_sql(lit) {
            Some(sql) => Some(Spanned::new(sql, lit.loc)),
            None => {
                problems.push(
                    Problem::new(meta.loc, "`default_value` must be a literal")
                        .label("not a literal")
                        .help("write a string, number or boolean, e.g. default_value = \"new\" or default_value = 0; for an SQL expression use default_expr = \"now()\""),
                );
                None
            }
        };
    }
    if let Some(meta) = settings.get("default_value") {
        problems.push(
            Problem::new(meta.loc, "`default_value` needs a value")
                .label("no value")
                .help("write default_value = \"...\" (a string, number or boolean)"),
        );
    }
    let expr = settings.string("default_expr", problems)?;
    if let Some(problem) = crate::sql_text::sql_problem("default_expr", &expr) {
        problems.push(problem);
        return None;
    }
    // sea-query wraps an expression default in parentheses.
    Some(Spanned::new(format!("({})", expr.value.trim()), expr.loc))
}

/// The primary key: inline on its column when single (PostgreSQL names it), `pk-<table>`
/// when composite; a single key's column auto-increments unless `auto_increment = false`.
fn primary_key(
    table: &str,
    schema: &str,
    fields: &mut [FieldColumn],
    locs: &mut TableLocs,
    sequences: &mut Vec<Sequence>,
    options: &SeaOrmOptions,
    problems: &mut Vec<Problem>,
) -> Option<PrimaryKey> {
    let mut keys: Vec<(usize, Loc)> = Vec::new();
    let mut auto_increment: Option<Spanned<bool>> = None;
    for (index, field) in fields.iter().enumerate() {
        if let Some(loc) = field.settings.flag("primary_key", problems) {
            keys.push((index, loc));
        }
        if let Some(meta) = field.settings.get("auto_increment") {
            match field.settings.literal("auto_increment") {
                Some((_, lit)) if matches!(lit.kind, crate::attr::syntax::LitKind::Bool(_)) => {
                    let value = matches!(lit.kind, crate::attr::syntax::LitKind::Bool(true));
                    auto_increment = Some(Spanned::new(value, meta.loc));
                }
                _ => problems.push(
                    Problem::new(meta.loc, "`auto_increment` expects `true` or `false`")
                        .label("not a boolean")
                        .help("write auto_increment = false"),
                ),
            }
        }
    }
    let (first, first_loc) = *keys.first()?;
    locs.primary_key = Some(first_loc);
    let columns: Vec<String> = keys
        .iter()
        .map(|(index, _)| fields[*index].column.name.clone())
        .collect();
    let name = if keys.len() > 1 {
        format!("pk-{table}")
    } else {
        String::new()
    };
    if keys.len() == 1 {
        let field = &mut fields[first];
        let wanted = match &auto_increment {
            Some(explicit) => explicit.value,
            // Only integer keys auto-increment by default (SeaORM 2.0; 1.x fails on others).
            None => field.integer.is_some(),
        };
        if wanted {
            match field.integer {
                Some(integer) => auto_increment_column(table, schema, field, integer, sequences, options),
                None => problems.push(
                    Problem::new(
                        auto_increment.as_ref().map_or(first_loc, |explicit| explicit.loc),
                        format!("an auto-increment primary key must be an integer, not `{}`", field.type_name),
                    )
                    .label("not an integer column")
                    .help("sea-query makes only SmallInteger, Integer and BigInteger columns auto-increment (SeaORM's create_table_from_entity panics on others); add #[sea_orm(auto_increment = false)]"),
                ),
            }
        }
    }
    Some(PrimaryKey {
        name,
        columns,
        include: Vec::new(),
        storage_parameters: Vec::new(),
        deferral: Deferral::Immediate,
        comment: None,
        index_comment: None,
    })
}

/// `serial` (a sequence owned by the column, its `nextval` as the default) or an identity.
fn auto_increment_column(
    table: &str,
    schema: &str,
    field: &mut FieldColumn,
    integer: &'static str,
    sequences: &mut Vec<Sequence>,
    options: &SeaOrmOptions,
) {
    let column = &mut field.column;
    column.not_null = true;
    match options.auto_increment {
        AutoIncrement::Identity => {
            column.identity = Some(Identity {
                kind: IdentityKind::ByDefault,
                options: SequenceOptions::defaults_for(integer),
            });
        }
        AutoIncrement::Serial => {
            let sequence = format!("{table}_{}_seq", column.name);
            column.default = Some(format!(
                "nextval({}::regclass)",
                autogen_schema::quote_literal(&format!(
                    "{}.{}",
                    autogen_schema::quote_ident(schema),
                    autogen_schema::quote_ident(&sequence)
                ))
            ));
            sequences.push(Sequence {
                schema: schema.to_string(),
                name: sequence,
                data_type: integer.to_string(),
                options: SequenceOptions::defaults_for(integer),
                owned_by: Some(SequenceOwner {
                    table: QualifiedName::new(schema, table),
                    column: column.name.clone(),
                }),
                grants: Vec::new(),
                comment: None,
            });
        }
    }
}

/// `create_index_from_entity`'s index of an `indexed` column: `idx-<table>-<column>`.
fn index(table: &str, column: &str) -> Index {
    Index::on_column(format!("idx-{table}-{column}"), column)
}
