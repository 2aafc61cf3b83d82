//! The model as SQL: the script that creates it, and the SQL of its defaults and checks.

use crate::model::{ColType, EnumDef, IndexKey, Model};

impl Model {
    /// The whole model as one SQL script: schemas, types, tables with their keys and checks,
    /// indexes, then foreign keys (so cycles work), then comments.
    pub fn to_sql(&self) -> String {
        let mut out = String::new();
        let mut comments = Vec::new();
        for schema in &self.schemas {
            out.push_str(&format!("CREATE SCHEMA {};\n", ident(&schema.name)));
            if let Some(c) = &schema.comment {
                comments.push(format!(
                    "COMMENT ON SCHEMA {} IS {};",
                    ident(&schema.name),
                    lit(c)
                ));
            }
        }
        for e in &self.enums {
            let values: Vec<String> = e.values.iter().map(|v| lit(v)).collect();
            let name = qualified(&e.schema, &e.name);
            out.push_str(&format!(
                "CREATE TYPE {name} AS ENUM ({});\n",
                values.join(", ")
            ));
            if let Some(c) = &e.comment {
                comments.push(format!("COMMENT ON TYPE {name} IS {};", lit(c)));
            }
        }
        let mut later = Vec::new();
        for table in &self.tables {
            let name = qualified(&table.schema, &table.name);
            let mut items: Vec<String> = Vec::new();
            for column in &table.columns {
                let mut item = format!("{} {}", ident(&column.name), column.ty.sql());
                if column.not_null {
                    item.push_str(" NOT NULL");
                }
                if let Some(default) = column
                    .default
                    .and_then(|v| default_sql(self, &column.ty, v))
                {
                    item.push_str(&format!(" DEFAULT {default}"));
                }
                items.push(item);
                if let Some(c) = &column.comment {
                    comments.push(format!(
                        "COMMENT ON COLUMN {name}.{} IS {};",
                        ident(&column.name),
                        lit(c)
                    ));
                }
            }
            let constraint = |n: &Option<String>| match n {
                Some(n) => format!("CONSTRAINT {} ", ident(n)),
                None => String::new(),
            };
            let mut comment_on = |n: &Option<String>, c: &Option<String>| {
                if let (Some(n), Some(c)) = (n, c) {
                    comments.push(format!(
                        "COMMENT ON CONSTRAINT {} ON {name} IS {};",
                        ident(n),
                        lit(c)
                    ));
                }
            };
            if let Some(pk) = &table.primary_key {
                items.push(format!(
                    "{}PRIMARY KEY ({})",
                    constraint(&pk.name),
                    idents(&pk.columns)
                ));
                comment_on(&pk.name, &pk.comment);
            }
            for unique in &table.uniques {
                items.push(format!(
                    "{}UNIQUE ({})",
                    constraint(&unique.name),
                    idents(&unique.columns)
                ));
                comment_on(&unique.name, &unique.comment);
            }
            for check in &table.checks {
                let ty = &table.column(&check.column).expect("sanitized").ty;
                let expression = check_sql(&self.enums, ty, &check.column).expect("sanitized");
                items.push(format!("{}CHECK {expression}", constraint(&check.name)));
                comment_on(&check.name, &check.comment);
            }
            for fk in &table.foreign_keys {
                later.push(format!(
                    "ALTER TABLE {name} ADD {}FOREIGN KEY ({}) REFERENCES {} ({}) ON DELETE {};",
                    constraint(&fk.name),
                    idents(&fk.columns),
                    qualified(&fk.ref_schema, &fk.ref_table),
                    idents(&fk.ref_columns),
                    fk.on_delete
                ));
                comment_on(&fk.name, &fk.comment);
            }
            out.push_str(&format!("CREATE TABLE {name} ({});\n", items.join(", ")));
            for index in &table.indexes {
                let keys: Vec<String> = index
                    .keys
                    .iter()
                    .map(|key| match key {
                        IndexKey::Column(c) => ident(c),
                        IndexKey::Lower(c) => format!("lower({})", ident(c)),
                    })
                    .collect();
                let mut sql = format!(
                    "CREATE {}INDEX {}ON {name} ({})",
                    if index.unique { "UNIQUE " } else { "" },
                    index
                        .name
                        .as_deref()
                        .map(|n| ident(n) + " ")
                        .unwrap_or_default(),
                    keys.join(", ")
                );
                if let Some(c) = &index.predicate {
                    sql.push_str(&format!(" WHERE {} IS NOT NULL", ident(c)));
                }
                out.push_str(&sql);
                out.push_str(";\n");
                if let (Some(n), Some(c)) = (&index.name, &index.comment) {
                    comments.push(format!(
                        "COMMENT ON INDEX {} IS {};",
                        qualified(&table.schema, n),
                        lit(c)
                    ));
                }
            }
            if let Some(c) = &table.comment {
                comments.push(format!("COMMENT ON TABLE {name} IS {};", lit(c)));
            }
        }
        for line in later.into_iter().chain(comments) {
            out.push_str(&line);
            out.push('\n');
        }
        out
    }
}

/// The default of variant `v` for a column of type `ty` (`None` for an enum without labels).
pub fn default_sql(model: &Model, ty: &ColType, v: u8) -> Option<String> {
    let pick = |options: &[&str]| options[usize::from(v) % options.len()].to_string();
    Some(match ty {
        ColType::SmallInt | ColType::Integer | ColType::BigInt => pick(&["0", "42", "-1"]),
        ColType::Numeric(..) => pick(&["0", "1.5", "-2.25"]),
        ColType::Text | ColType::Varchar(_) => pick(&["''", "'x'", "'it''s'"]),
        ColType::Boolean => pick(&["true", "false"]),
        ColType::Timestamptz => pick(&["now()", "CURRENT_TIMESTAMP", "'2020-01-01 00:00:00+00'"]),
        ColType::Date => pick(&["CURRENT_DATE", "'2020-01-01'"]),
        ColType::Uuid => pick(&[
            "gen_random_uuid()",
            "'00000000-0000-0000-0000-000000000000'",
        ]),
        ColType::Jsonb => pick(&["'{}'", "'[]'", "'{\"a\": 1}'"]),
        ColType::Bytea => pick(&["'\\x'", "'\\xdead'"]),
        ColType::IntArray => pick(&["'{}'", "'{1,2}'"]),
        ColType::TextArray => pick(&["'{}'", "'{a,b}'"]),
        ColType::Enum { .. } => {
            let values = enum_labels(&model.enums, ty)?;
            lit(values.get(usize::from(v) % values.len().max(1))?)
        }
        ColType::EnumArray { .. } => {
            let values = enum_labels(&model.enums, ty)?;
            match values.get(usize::from(v / 2) % values.len().max(1)) {
                Some(value) if v % 2 == 1 => format!("ARRAY[{}]::{}", lit(value), ty.sql()),
                _ => "'{}'".to_string(),
            }
        }
    })
}

/// The labels of the enum type `ty` uses (`None` when it uses none or the type is gone).
fn enum_labels<'a>(enums: &'a [EnumDef], ty: &ColType) -> Option<&'a [String]> {
    let (schema, name) = ty.enum_type()?;
    enums
        .iter()
        .find(|e| e.schema == schema && e.name == name)
        .map(|e| e.values.as_slice())
}

/// The check on a column of type `ty`: `col > 0` on a number, `length(col) < 100` on a
/// string, `col <> 'first label'` on an enum (stored with the type's name in it); `None` for
/// other types.
pub fn check_sql(enums: &[EnumDef], ty: &ColType, column: &str) -> Option<String> {
    let column = ident(column);
    if ty.is_numeric() {
        Some(format!("({column} > 0)"))
    } else if ty.is_text() {
        Some(format!("(length({column}) < 100)"))
    } else if let ColType::Enum { .. } = ty {
        let first = enum_labels(enums, ty)?.first()?;
        Some(format!("({column} <> {})", lit(first)))
    } else {
        None
    }
}

pub fn ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

pub fn idents(names: &[String]) -> String {
    names
        .iter()
        .map(|n| ident(n))
        .collect::<Vec<_>>()
        .join(", ")
}

pub fn qualified(schema: &str, name: &str) -> String {
    format!("{}.{}", ident(schema), ident(name))
}

pub fn lit(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}
