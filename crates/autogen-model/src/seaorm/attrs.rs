//! The `#[sea_orm(...)]` settings autogen reads, per place, parsed by the one attribute
//! grammar (`attr::syntax`). A setting SeaORM has but autogen cannot map is an error naming
//! it; settings that only affect queries are accepted and have no schema effect.

use crate::attr::reader::{Context, Reader};
use crate::attr::syntax::{Lit, LitKind, Meta, Value, items_of};
use crate::problem::{Loc, Problem, Spanned};
use crate::suggest;
use syn::Attribute;

/// Where a `#[sea_orm(...)]` appears.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Place {
    Entity,
    Field,
    ActiveEnum,
    EnumVariant,
    Relation,
}

impl Place {
    /// Settings with a schema effect autogen maps.
    fn mapped(self) -> &'static [&'static str] {
        match self {
            Place::Entity => &["table_name", "schema_name", "comment"],
            Place::Field => &[
                "primary_key",
                "auto_increment",
                "column_type",
                "unique",
                "indexed",
                "nullable",
                "default_value",
                "default_expr",
                "column_name",
                "enum_name",
                "ignore",
                "comment",
                "renamed_from",
                "backfill",
                "using",
            ],
            Place::ActiveEnum => &["rs_type", "db_type", "enum_name", "rename_all"],
            Place::EnumVariant => &["string_value", "num_value"],
            Place::Relation => &[
                "belongs_to",
                "has_one",
                "has_many",
                "from",
                "to",
                "on_delete",
                "on_update",
                "fk_name",
                "skip_fk",
            ],
        }
    }

    /// Settings that change queries or Rust code only: accepted, no schema effect.
    fn query_only(self) -> &'static [&'static str] {
        match self {
            Place::Entity => &["table_iden", "model_attrs", "active_model_attrs"],
            Place::Field => &["select_as", "save_as", "from_col", "to_col"],
            Place::ActiveEnum => &["display_value"],
            Place::EnumVariant => &["display_value"],
            Place::Relation => &["on_condition", "condition_type", "via", "def"],
        }
    }

    fn describe(self) -> &'static str {
        match self {
            Place::Entity => "on an entity",
            Place::Field => "on an entity field",
            Place::ActiveEnum => "on an active enum",
            Place::EnumVariant => "on an active enum variant",
            Place::Relation => "on a relation",
        }
    }
}

/// Settings SeaORM has that autogen cannot map, with what to do instead.
fn unmappable(key: &str) -> Option<&'static str> {
    Some(match key {
        "extra" => {
            "`extra` is raw SQL appended to the column definition; autogen cannot tell what it declares: express it with the other settings, or declare the object in a [models] sql file"
        }
        "unique_key" | "unique_key_name" => {
            "composite unique keys are not read from SeaORM entities yet; declare the constraint in a [models] sql file (ALTER TABLE ... ADD CONSTRAINT ... UNIQUE (...))"
        }
        "generated" | "check" => {
            "autogen does not read this setting from SeaORM entities; declare it in a [models] sql file"
        }
        _ => return None,
    })
}

/// A setting with its value kept raw: callers read it through [`Reader`] methods.
pub(crate) struct Settings {
    pub items: Vec<Meta>,
}

impl Settings {
    /// The first item with `key`.
    pub fn get(&self, key: &str) -> Option<&Meta> {
        self.items.iter().find(|meta| meta.key == key)
    }

    pub fn has(&self, key: &str) -> bool {
        self.get(key).is_some()
    }

    /// `key` (a flag, or `key = true/false`), with the item's location when set.
    pub fn flag(&self, key: &str, problems: &mut Vec<Problem>) -> Option<Loc> {
        let meta = self.get(key)?;
        Reader::new(Context::Field, problems)
            .flag(meta)
            .then_some(meta.loc)
    }

    /// `key = "text"`.
    pub fn string(&self, key: &str, problems: &mut Vec<Problem>) -> Option<Spanned<String>> {
        let meta = self.get(key)?;
        Reader::new(Context::Field, problems).string(meta)
    }

    /// `key = <literal>`: the literal as written, with its kind.
    pub fn literal(&self, key: &str) -> Option<(&Meta, &Lit)> {
        let meta = self.get(key)?;
        match &meta.value {
            Value::Lit(lit) => Some((meta, lit)),
            _ => None,
        }
    }
}

/// Reads every `#[sea_orm(...)]` of `attrs` at `place`: unknown, unmappable and repeated
/// settings become problems; the rest are kept.
pub(crate) fn read(attrs: &[Attribute], place: Place, problems: &mut Vec<Problem>) -> Settings {
    let mut items: Vec<Meta> = Vec::new();
    for meta in items_of(attrs, "sea_orm", problems) {
        let key = meta.key.as_str();
        if place.query_only().contains(&key) {
            continue;
        }
        if let Some(help) = unmappable(key) {
            problems.push(
                Problem::new(
                    meta.key_loc,
                    format!("autogen cannot map #[sea_orm({key})]"),
                )
                .label("not mapped to the schema")
                .help(help),
            );
            continue;
        }
        if !place.mapped().contains(&key) {
            let known: Vec<&str> = place
                .mapped()
                .iter()
                .chain(place.query_only())
                .copied()
                .collect();
            problems.push(
                Problem::new(
                    meta.key_loc,
                    format!("unknown SeaORM setting `{key}` {}", place.describe()),
                )
                .label("unknown setting")
                .help(
                    suggest::did_you_mean(key, known.iter().copied())
                        .unwrap_or_else(|| format!("autogen reads here: {}", known.join(", "))),
                ),
            );
            continue;
        }
        if items.iter().any(|seen| seen.key == meta.key) {
            problems.push(
                Problem::new(meta.key_loc, format!("`{key}` is given twice"))
                    .label("given again here")
                    .help("remove one of them"),
            );
            continue;
        }
        items.push(meta);
    }
    Settings { items }
}

/// The literal of `default_value` as SQL: strings quoted, numbers and booleans as written
/// (sea-query renders the `Value` the literal becomes).
pub(crate) fn default_value_sql(lit: &Lit) -> Option<String> {
    match &lit.kind {
        LitKind::Str(text) => Some(autogen_schema::quote_literal(text)),
        LitKind::Int(value) => Some(value.to_string()),
        LitKind::Float(text) => Some(text.clone()),
        LitKind::Bool(value) => Some(if *value { "true" } else { "false" }.to_string()),
        LitKind::Other(_) => None,
    }
}
