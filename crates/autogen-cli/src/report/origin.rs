//! Where in the model files a schema change's object is declared, so `check --format github`
//! can annotate the model line of a difference. Changes carry names, not origins; the names
//! are looked up in the declared models, whose objects all have one (`autogen_model::Origin`).

use super::display_path;
use autogen_model::Models;
use serde::Serialize;
use serde_json::Value;

/// A model file's line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ModelLocation {
    /// Relative to the current directory.
    pub file: String,
    pub line: usize,
}

/// The model line of the object `change` (a change as autogen-diff serializes it) touches:
/// the column's field when the column is declared, else the table's struct, else the enum;
/// `None` for objects the models do not declare (a dropped table, a view from SQL files).
pub fn model_location(models: &Models, change: &Value) -> Option<ModelLocation> {
    let origin = match change.get("family").and_then(Value::as_str) {
        Some("enum") => {
            let (schema, name) = qualified(change.get("enum_type").or(change.get("name"))?)?;
            let index = models
                .catalog
                .enums
                .iter()
                .position(|declared| declared.schema == schema && declared.name == name)?;
            models.origins.enums.get(index)?
        }
        _ => {
            let (schema, name) = qualified(change.get("table")?)?;
            let index = models
                .catalog
                .tables
                .iter()
                .position(|declared| declared.schema == schema && declared.name == name)?;
            let origins = models.origins.tables.get(index)?;
            let column = change.get("column").and_then(|column| {
                column
                    .as_str()
                    .or_else(|| column.get("name").and_then(Value::as_str))
            });
            column
                .and_then(|column| {
                    models.catalog.tables[index]
                        .columns
                        .iter()
                        .position(|declared| declared.name == column)
                })
                .and_then(|position| origins.columns.get(position))
                .unwrap_or(&origins.table)
        }
    };
    Some(ModelLocation {
        file: display_path(&origin.file),
        line: origin.line,
    })
}

/// `(schema, name)` of a serialized `QualifiedName` (or an object with those fields).
fn qualified(value: &Value) -> Option<(&str, &str)> {
    Some((value.get("schema")?.as_str()?, value.get("name")?.as_str()?))
}
