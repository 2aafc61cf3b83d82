//! The models' DDL: the declared catalog's own statements ([`Catalog::statements`], the one
//! place DDL is rendered), each traced back through its positional
//! [`autogen_schema::Source`] to the model source that declared it ([`CatalogOrigins`] is
//! parallel to the declared catalog), so PostgreSQL's complaint about a statement lands on
//! the field or attribute that produced it.
//!
//! [`Catalog::statements`]: autogen_schema::Catalog::statements
//! [`CatalogOrigins`]: autogen_model::CatalogOrigins

use autogen_model::{Models, Origin};
use autogen_schema::Source;
use std::ops::Range;

/// One statement of the models with the origins to blame when PostgreSQL rejects it.
#[derive(Debug, Clone)]
pub(super) struct ModelStatement {
    pub sql: String,
    /// The object the statement creates.
    pub origin: Origin,
    /// For `CREATE TABLE`: the character range (PostgreSQL counts characters) of each column
    /// and constraint, and the field or attribute that declared it.
    pub parts: Vec<(Range<usize>, Origin)>,
    /// The column types a `CREATE TABLE` uses (to find a type an extension would bring).
    pub types: Vec<String>,
}

impl ModelStatement {
    /// The origin of the part containing the 1-based character `position`, else the
    /// statement's.
    pub fn origin_at(&self, position: Option<usize>) -> &Origin {
        position
            .and_then(|position| position.checked_sub(1))
            .and_then(|index| self.parts.iter().find(|(range, _)| range.contains(&index)))
            .map(|(_, origin)| origin)
            .unwrap_or(&self.origin)
    }
}

/// The statements that create the models on an empty database, in the catalog's own order.
pub(super) fn model_statements(models: &Models) -> Vec<ModelStatement> {
    // Every statement of a declared catalog has a source the origins cover (models declare
    // schemas, enums and tables with their parts only); should one not, it is blamed on the
    // first declared object rather than lost.
    let Some(fallback) = first_origin(models) else {
        return Vec::new();
    };
    models
        .catalog
        .statements()
        .into_iter()
        .map(|statement| {
            let origin = origin_of(models, statement.source).unwrap_or(fallback);
            let parts = statement
                .parts
                .iter()
                .map(|(range, source)| {
                    let origin = origin_of(models, *source).unwrap_or(origin);
                    (range.clone(), origin.clone())
                })
                .collect();
            let types = match statement.source {
                Source::Table(i) => models.catalog.tables.get(i).map_or_else(Vec::new, |table| {
                    table
                        .columns
                        .iter()
                        .map(|column| column.data_type.clone())
                        .collect()
                }),
                _ => Vec::new(),
            };
            ModelStatement {
                sql: statement.sql,
                origin: origin.clone(),
                parts,
                types,
            }
        })
        .collect()
}

/// The first declared object (a table, else an enum).
fn first_origin(models: &Models) -> Option<&Origin> {
    let origins = &models.origins;
    origins
        .tables
        .first()
        .map(|table| &table.table)
        .or_else(|| origins.enums.first())
}

/// The model source of what `source` points at in the declared catalog.
fn origin_of(models: &Models, source: Source) -> Option<&Origin> {
    let origins = &models.origins;
    let table = |i: usize| origins.tables.get(i);
    match source {
        Source::Schema(i) => schema_origin(models, i),
        Source::Enum(i) => origins.enums.get(i),
        Source::Table(i) | Source::Exclusion(i, _) => table(i).map(|table| &table.table),
        Source::Column(i, j) => table(i)?.columns.get(j),
        Source::PrimaryKey(i) => {
            table(i).map(|table| table.primary_key.as_ref().unwrap_or(&table.table))
        }
        Source::Unique(i, j) => table(i)?.uniques.get(j),
        Source::Check(i, j) => table(i)?.checks.get(j),
        Source::ForeignKey(i, j) => table(i)?.foreign_keys.get(j),
        Source::Index(i, j) => table(i)?.indexes.get(j),
        // Nothing a model declares.
        Source::Setting
        | Source::Extension(_)
        | Source::Sequence(_)
        | Source::Collation(_)
        | Source::TextSearchDictionary(_)
        | Source::TextSearchConfiguration(_)
        | Source::Domain(_)
        | Source::CompositeType(_)
        | Source::RangeType(_)
        | Source::Function(_)
        | Source::View(_)
        | Source::Trigger(_)
        | Source::Policy(_)
        | Source::DefaultPrivileges(_) => None,
    }
}

/// A schema has no source of its own: the first table that lives in it, else the first enum.
fn schema_origin(models: &Models, i: usize) -> Option<&Origin> {
    let catalog = &models.catalog;
    let origins = &models.origins;
    let schema = &catalog.schemas.get(i)?.name;
    catalog
        .tables
        .iter()
        .zip(&origins.tables)
        .find(|(table, _)| &table.schema == schema)
        .map(|(_, table_origins)| &table_origins.table)
        .or_else(|| {
            catalog
                .enums
                .iter()
                .zip(&origins.enums)
                .find(|(enum_type, _)| &enum_type.schema == schema)
                .map(|(_, origin)| origin)
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn models(text: &str) -> Models {
        autogen_model::load_sources(vec![(PathBuf::from("m.rs"), text.to_string())])
            .expect("models load")
    }

    const MODELS: &str = r#"
#[derive(DbEnum)]
#[model(schema = "app")]
pub enum Mood { Happy }

#[derive(Model)]
#[model(schema = "app", comment = "People")]
#[model(index(columns = ["name"]))]
#[model(check(name = "ck_age", expr = "age >= 0"))]
pub struct Person {
    #[model(primary_key)]
    pub id: i64,
    #[model(comment = "Full name")]
    pub name: String,
    pub age: i32,
    #[model(references = "person(id)")]
    pub parent_id: Option<i64>,
}
"#;

    /// The line of the first occurrence of `needle` in MODELS.
    fn line_of(needle: &str) -> usize {
        let offset = MODELS.find(needle).expect("needle in the models");
        1 + MODELS[..offset].matches('\n').count()
    }

    fn find<'a>(statements: &'a [ModelStatement], start: &str) -> &'a ModelStatement {
        statements
            .iter()
            .find(|statement| statement.sql.starts_with(start))
            .unwrap_or_else(|| panic!("no statement starting {start}: {statements:#?}"))
    }

    #[test]
    fn every_statement_is_blamed_on_what_declared_it() {
        let models = models(MODELS);
        let statements = model_statements(&models);
        // The schema has no source: the first table in it.
        assert_eq!(
            find(&statements, "CREATE SCHEMA").origin.line,
            line_of("pub struct Person")
        );
        assert_eq!(
            find(&statements, "CREATE TYPE").origin.line,
            line_of("pub enum Mood")
        );
        assert_eq!(
            find(&statements, "CREATE INDEX").origin.line,
            line_of("index(columns")
        );
        assert_eq!(
            find(&statements, "ALTER TABLE").origin.line,
            line_of("references =")
        );
        assert_eq!(
            find(&statements, "COMMENT ON TABLE").origin.line,
            line_of("pub struct Person")
        );
        assert_eq!(
            find(&statements, "COMMENT ON COLUMN").origin.line,
            line_of("pub name")
        );
        let table = find(&statements, "CREATE TABLE");
        assert_eq!(table.types, ["bigint", "text", "integer", "bigint"]);
        // A position inside each part of CREATE TABLE names the part's source.
        let at = |text: &str| {
            let byte = table.sql.find(text).expect("part in the statement");
            table.origin_at(Some(table.sql[..byte].chars().count() + 1))
        };
        assert_eq!(at("\"age\" integer").line, line_of("pub age"));
        assert_eq!(at("CHECK").line, line_of("check(name"));
        assert_eq!(at("PRIMARY KEY").line, line_of("primary_key)"));
        // Outside every part, and without a position: the table.
        assert_eq!(table.origin_at(Some(1)).line, line_of("pub struct Person"));
        assert_eq!(table.origin_at(None).line, line_of("pub struct Person"));
        assert_eq!(table.origin_at(Some(0)).line, line_of("pub struct Person"));
    }

    #[test]
    fn no_models_make_no_statements() {
        assert!(model_statements(&models("")).is_empty());
    }
}
