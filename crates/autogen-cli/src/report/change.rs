//! A schema change in a JSON report (`check`): the engine's structured change, not its text.

use super::origin::{ModelLocation, model_location};
use autogen_model::Models;
use serde::Serialize;

#[derive(Serialize)]
pub struct ChangeReport {
    /// One line, e.g. `add column public.users.phone`.
    pub summary: String,
    /// The kind of object: `table`, `column`, `index`, `view`, ... (the change's family).
    pub kind: String,
    /// What happens to it: `create`, `drop`, `add`, `alter`, ... (as the family names it).
    pub action: String,
    /// The whole change as autogen-diff serializes it (`family`, `change` and the object's
    /// names and definitions); its other fields depend on the kind.
    pub object: serde_json::Value,
    /// Where the models declare the object (the column's field, else the table's struct or
    /// the enum); null when they do not (a dropped table, an object from SQL files).
    pub model: Option<ModelLocation>,
}

impl ChangeReport {
    pub fn new(change: &autogen_diff::Change, models: &Models) -> Result<Self, serde_json::Error> {
        let object = serde_json::to_value(change)?;
        let field = |name: &str| {
            object
                .get(name)
                .and_then(serde_json::Value::as_str)
                .unwrap_or_default()
                .to_string()
        };
        let model = model_location(models, &object);
        Ok(ChangeReport {
            summary: change.summary(),
            kind: field("family"),
            action: field("change"),
            object,
            model,
        })
    }
}
