//! A database's schema as a project: Rust model files (`#[derive(Model)]` structs and
//! `#[derive(DbEnum)]` enums, one file per schema) for everything the model syntax can say, and
//! one SQL declaration file for the rest (`autogen pull`).
//!
//! The split is computed as a catalog: [`split::model_catalog`] keeps of the inspected catalog
//! exactly what the models will declare; the SQL file is then the diff planner's own plan from
//! that catalog to the whole one (`autogen_diff::plan`, built from `autogen_schema::sql`), so no
//! DDL is written here and nothing is left out silently. The models are rendered in a layout
//! `rustfmt` keeps as it is. Pure: never talks to a database (the engine normalizes the written
//! files and compares them with the source, which is the proof that nothing was lost).

mod attr;
mod names;
mod parts;
mod rust_file;
mod split;
mod sql_file;
mod types;

use autogen_schema::Catalog;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CodegenError {
    /// The planner cannot write what the models leave out.
    #[error("the SQL declarations cannot be written: {0}")]
    Plan(#[from] autogen_diff::DiffError),
}

/// Which directory a file belongs in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    /// A Rust model file (the project's `[models] paths`).
    Model,
    /// A SQL declaration file (the project's `[models] sql`).
    Sql,
}

/// One file to write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GeneratedFile {
    pub kind: FileKind,
    /// The file name in its directory (`core.rs`, `mod.rs`, `schema.sql`).
    pub name: String,
    pub text: String,
}

/// What [`generate`] made.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Generated {
    pub files: Vec<GeneratedFile>,
    /// How many tables and enums became Rust items.
    pub structs: usize,
    pub enums: usize,
    /// How many statements the SQL declaration file holds.
    pub sql_statements: usize,
}

/// The files of a project whose models and SQL declarations normalize to `catalog`.
pub fn generate(catalog: &Catalog) -> Result<Generated, CodegenError> {
    let full = catalog.canonical();
    let models = split::model_catalog(&full);
    let mut generated = Generated {
        structs: models.tables.len(),
        enums: models.enums.len(),
        ..Generated::default()
    };
    generated.files = rust_file::render(&models);
    let statements = sql_file::statements(&models, &full)?;
    generated.sql_statements = statements.len();
    if !statements.is_empty() {
        generated.files.push(GeneratedFile {
            kind: FileKind::Sql,
            name: sql_file::FILE_NAME.to_string(),
            text: sql_file::render(&statements),
        });
    }
    Ok(generated)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn catalog(json: &str) -> Catalog {
        match autogen_schema::catalog_from_json(json) {
            Ok(catalog) => catalog,
            Err(error) => panic!("test catalog: {error}"),
        }
    }

    fn file<'a>(generated: &'a Generated, name: &str) -> &'a str {
        generated
            .files
            .iter()
            .find(|file| file.name == name)
            .map(|file| file.text.as_str())
            .unwrap_or_else(|| panic!("{name} in {generated:?}"))
    }

    #[test]
    fn field_level_attributes_where_they_say_everything_and_sql_for_the_rest() {
        let generated = generate(&catalog(
            r#"{"enums": [{"schema": "public", "name": "mood", "values": ["happy", "so-so"]}],
                "tables": [
                {"schema": "public", "name": "tenants", "columns": [
                    {"name": "id", "data_type": "integer", "not_null": true}],
                 "primary_key": {"name": "tenants_pkey", "columns": ["id"]}},
                {"schema": "public", "name": "users", "comment": "Accounts", "columns": [
                    {"name": "id", "data_type": "bigint", "not_null": true,
                     "identity": {"kind": "by_default", "start": 1, "increment": 1,
                                  "min_value": 1, "max_value": 9223372036854775807, "cache": 1}},
                    {"name": "Email", "data_type": "character varying(255)", "not_null": true},
                    {"name": "tenant_id", "data_type": "integer"},
                    {"name": "mood", "data_type": "public.mood", "not_null": true}],
                 "primary_key": {"name": "users_pkey", "columns": ["id"]},
                 "uniques": [{"name": "users_Email_key", "columns": ["Email"]}],
                 "foreign_keys": [{"name": "users_tenant_id_fkey", "columns": ["tenant_id"],
                     "references": {"schema": "public", "name": "tenants"},
                     "referenced_columns": ["id"], "on_delete": "cascade"}],
                 "exclusions": [{"name": "users_excl", "definition": "EXCLUDE USING btree (id WITH =)"}],
                 "indexes": [{"name": "users_tenant_id_idx", "method": "btree",
                              "keys": [{"column": "tenant_id"}]}]}]}"#,
        ))
        .unwrap_or_else(|error| panic!("{error}"));
        assert_eq!(
            file(&generated, "public.rs"),
            r#"//! Tables and types of the schema "public", written by `autogen pull`.

use autogen::{DbEnum, Model};

#[derive(DbEnum)]
pub enum Mood {
    Happy,
    #[model(rename = "so-so")]
    SoSo,
}

#[derive(Model)]
pub struct Tenants {
    #[model(primary_key)]
    pub id: i32,
}

#[derive(Model)]
#[model(comment = "Accounts")]
pub struct Users {
    #[model(primary_key, identity)]
    pub id: i64,
    #[model(unique, column = "Email", max_length = 255)]
    pub email: String,
    #[model(index, references = "public.tenants(id)", on_delete = "cascade")]
    pub tenant_id: Option<i32>,
    pub mood: Mood,
}
"#
        );
        assert_eq!(
            file(&generated, "schema.sql").lines().last(),
            Some(
                "ALTER TABLE \"public\".\"users\" ADD CONSTRAINT \"users_excl\" EXCLUDE USING btree (id WITH =);"
            )
        );
        assert_eq!(
            file(&generated, "mod.rs").lines().last(),
            Some("pub mod public;")
        );
    }

    #[test]
    fn column_settings_are_field_attributes_and_an_option_the_model_cannot_say_is_sql() {
        let generated = generate(&catalog(
            r#"{"tables": [{"schema": "public", "name": "state_groups_state", "columns": [
                    {"name": "state_group", "data_type": "bigint", "not_null": true,
                     "statistics": 500, "options": ["n_distinct=-0.02"]},
                    {"name": "body", "data_type": "text", "storage": "external",
                     "compression": "lz4"},
                    {"name": "room_id", "data_type": "text", "options": ["n_distinct='odd'"]}]}]}"#,
        ))
        .unwrap_or_else(|error| panic!("{error}"));
        let models = file(&generated, "public.rs");
        assert!(
            models.contains(
                "    #[model(statistics = 500, column_options = [\"n_distinct=-0.02\"])]\n    pub state_group: i64,"
            ),
            "{models}"
        );
        assert!(
            models.contains(
                "    #[model(storage = \"external\", compression = \"lz4\")]\n    pub body: Option<String>,"
            ),
            "{models}"
        );
        assert!(
            models.contains("    pub room_id: Option<String>,"),
            "{models}"
        );
        assert_eq!(
            file(&generated, "schema.sql").lines().last(),
            Some(
                "ALTER TABLE ONLY \"public\".\"state_groups_state\" ALTER COLUMN \"room_id\" SET (n_distinct='odd');"
            )
        );
    }
}
