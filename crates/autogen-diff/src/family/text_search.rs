//! Text search dictionaries and configurations: created and dropped; a dictionary's options and
//! a configuration's mappings altered in place; a new template or parser needs a drop and a
//! create (PostgreSQL cannot alter those).

use crate::Hazard;
use crate::change::Phase;
use autogen_schema::sql::{self, MappingAction};
use autogen_schema::{
    QualifiedName, TextSearchConfiguration, TextSearchDictionary, TextSearchMapping,
};
use serde::Serialize;
use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "change", rename_all = "snake_case")]
pub enum TextSearchChange {
    CreateDictionary {
        dictionary: TextSearchDictionary,
    },
    DropDictionary {
        name: QualifiedName,
        /// Dropped to be created again in the same plan: before the creates.
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        recreated: bool,
    },
    /// `ALTER TEXT SEARCH DICTIONARY … (…)`: each option `name = 'value'` set, each bare
    /// `name` removed.
    AlterDictionary {
        name: QualifiedName,
        options: Vec<String>,
    },
    CreateConfiguration {
        configuration: TextSearchConfiguration,
    },
    DropConfiguration {
        name: QualifiedName,
        /// Dropped to be created again in the same plan: before the creates.
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        recreated: bool,
    },
    AddMapping {
        name: QualifiedName,
        mappings: Vec<TextSearchMapping>,
        /// Completes a configuration the same plan creates: nothing used it yet.
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        of_created: bool,
    },
    AlterMapping {
        name: QualifiedName,
        mappings: Vec<TextSearchMapping>,
    },
    DropMapping {
        name: QualifiedName,
        mappings: Vec<TextSearchMapping>,
    },
}

impl TextSearchChange {
    pub(crate) fn phase(&self) -> Phase {
        match self {
            // With the routines that go first (after the indexes, views and routines that use
            // it), so that the new one can take the name.
            TextSearchChange::DropDictionary {
                recreated: true, ..
            }
            | TextSearchChange::DropConfiguration {
                recreated: true, ..
            } => Phase::DropRoutine,
            // After the tables whose indexes may use it.
            TextSearchChange::DropDictionary { .. }
            | TextSearchChange::DropConfiguration { .. } => Phase::DropType,
            // Before the tables, whose indexes may use them.
            _ => Phase::CreateObject,
        }
    }

    pub(crate) fn summary(&self) -> String {
        let tokens = |mappings: &[TextSearchMapping]| {
            mappings
                .iter()
                .map(|m| m.token_type.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        };
        match self {
            TextSearchChange::CreateDictionary { dictionary } => {
                format!(
                    "create text search dictionary {}",
                    dictionary.qualified_name()
                )
            }
            TextSearchChange::DropDictionary { name, .. } => {
                format!("drop text search dictionary {name}")
            }
            TextSearchChange::AlterDictionary { name, .. } => {
                format!("alter options of text search dictionary {name}")
            }
            TextSearchChange::CreateConfiguration { configuration } => format!(
                "create text search configuration {}",
                configuration.qualified_name()
            ),
            TextSearchChange::DropConfiguration { name, .. } => {
                format!("drop text search configuration {name}")
            }
            TextSearchChange::AddMapping { name, mappings, .. } => format!(
                "add mapping of text search configuration {name} for {}",
                tokens(mappings)
            ),
            TextSearchChange::AlterMapping { name, mappings } => format!(
                "alter mapping of text search configuration {name} for {}",
                tokens(mappings)
            ),
            TextSearchChange::DropMapping { name, mappings } => format!(
                "drop mapping of text search configuration {name} for {}",
                tokens(mappings)
            ),
        }
    }

    /// One statement per change: a mapping change's token types share one dictionary list
    /// (see [`mapping_changes`]), or are all dropped at once. A changed dictionary or mapping changes how every existing
    /// `tsvector` (and index) built with it was tokenized: a behavior change.
    pub(crate) fn render(&self) -> (String, Vec<Hazard>) {
        // Grouped by `mapping_changes`: one statement.
        let mapping = |name: &QualifiedName, action, mappings: &[TextSearchMapping]| {
            sql::text_search_mapping(name, action, mappings).join("\n")
        };
        match self {
            TextSearchChange::CreateDictionary { dictionary } => {
                (sql::create_text_search_dictionary(dictionary), vec![])
            }
            TextSearchChange::DropDictionary { name, .. } => (
                sql::drop_type("TEXT SEARCH DICTIONARY", name),
                vec![Hazard::BehaviorChange],
            ),
            TextSearchChange::AlterDictionary { name, options } => (
                sql::alter_text_search_dictionary(name, options),
                vec![Hazard::BehaviorChange],
            ),
            // The mappings follow as `AddMapping` changes (see [`created_mappings`]).
            TextSearchChange::CreateConfiguration { configuration } => (
                sql::create_text_search_configuration(&TextSearchConfiguration {
                    mappings: Vec::new(),
                    ..configuration.clone()
                })
                .join("\n"),
                vec![],
            ),
            TextSearchChange::DropConfiguration { name, .. } => (
                sql::drop_type("TEXT SEARCH CONFIGURATION", name),
                vec![Hazard::BehaviorChange],
            ),
            TextSearchChange::AddMapping {
                name,
                mappings,
                of_created,
            } => (
                mapping(name, MappingAction::Add, mappings),
                if *of_created {
                    vec![]
                } else {
                    vec![Hazard::BehaviorChange]
                },
            ),
            TextSearchChange::AlterMapping { name, mappings } => (
                mapping(name, MappingAction::Alter, mappings),
                vec![Hazard::BehaviorChange],
            ),
            TextSearchChange::DropMapping { name, mappings } => (
                mapping(name, MappingAction::Drop, mappings),
                vec![Hazard::BehaviorChange],
            ),
        }
    }

    /// The dictionary or configuration the change is about.
    pub(crate) fn object(&self) -> autogen_schema::ObjectRef {
        use autogen_schema::ObjectRef;
        match self {
            TextSearchChange::CreateDictionary { dictionary } => {
                ObjectRef::TextSearchDictionary(dictionary.qualified_name())
            }
            TextSearchChange::DropDictionary { name, .. }
            | TextSearchChange::AlterDictionary { name, .. } => {
                ObjectRef::TextSearchDictionary(name.clone())
            }
            TextSearchChange::CreateConfiguration { configuration } => {
                ObjectRef::TextSearchConfiguration(configuration.qualified_name())
            }
            TextSearchChange::DropConfiguration { name, .. }
            | TextSearchChange::AddMapping { name, .. }
            | TextSearchChange::AlterMapping { name, .. }
            | TextSearchChange::DropMapping { name, .. } => {
                ObjectRef::TextSearchConfiguration(name.clone())
            }
        }
    }
}

/// A new configuration's mappings, as `ADD MAPPING` changes after its `CREATE`.
pub(crate) fn created_mappings(configuration: &TextSearchConfiguration) -> Vec<TextSearchChange> {
    let empty = TextSearchConfiguration {
        mappings: Vec::new(),
        ..configuration.clone()
    };
    mapping_changes(&empty, configuration)
        .into_iter()
        .map(|change| match change {
            TextSearchChange::AddMapping { name, mappings, .. } => TextSearchChange::AddMapping {
                name,
                mappings,
                of_created: true,
            },
            other => other,
        })
        .collect()
}

/// The options that turn `old`'s into `new`'s (same template), `None` when they are the same.
/// `ALTER … (…)` removes each option it names and appends those given a value, in order: the
/// removed ones by name alone, then every option of `new` in its order, give exactly `new`'s
/// stored list (naming only the changed ones would move them to the end).
pub(crate) fn dictionary_alteration(
    old: &TextSearchDictionary,
    new: &TextSearchDictionary,
) -> Option<TextSearchChange> {
    if old.options == new.options {
        return None;
    }
    let after: BTreeMap<&str, &str> = new.options_by_name().into_iter().collect();
    let options: Vec<String> = old
        .options_by_name()
        .into_iter()
        .filter(|(name, _)| !after.contains_key(name))
        // The name as stored: already an identifier PostgreSQL reads back.
        .map(|(name, _)| name.to_string())
        .chain(new.options.iter().cloned())
        .collect();
    Some(TextSearchChange::AlterDictionary {
        name: new.qualified_name(),
        options,
    })
}

/// The `ADD`, `ALTER` and `DROP MAPPING` changes that turn `old`'s mappings into `new`'s
/// (same parser), one per group of token types sharing their new dictionaries.
pub(crate) fn mapping_changes(
    old: &TextSearchConfiguration,
    new: &TextSearchConfiguration,
) -> Vec<TextSearchChange> {
    let name = new.qualified_name();
    let before: BTreeMap<&str, &TextSearchMapping> = old
        .mappings
        .iter()
        .map(|m| (m.token_type.as_str(), m))
        .collect();
    let after: BTreeMap<&str, &TextSearchMapping> = new
        .mappings
        .iter()
        .map(|m| (m.token_type.as_str(), m))
        .collect();
    let dropped: Vec<TextSearchMapping> = before
        .iter()
        .filter(|(token, _)| !after.contains_key(*token))
        .map(|(_, m)| (*m).clone())
        .collect();
    let mut changes = Vec::new();
    if !dropped.is_empty() {
        changes.push(TextSearchChange::DropMapping {
            name: name.clone(),
            mappings: dropped,
        });
    }
    let mut added = Vec::new();
    let mut altered = Vec::new();
    for (token, mapping) in &after {
        match before.get(token) {
            None => added.push((*mapping).clone()),
            Some(had) if had.dictionaries != mapping.dictionaries => {
                altered.push((*mapping).clone())
            }
            Some(_) => {}
        }
    }
    let grouped = |mappings: Vec<TextSearchMapping>| {
        let mut groups: Vec<Vec<TextSearchMapping>> = Vec::new();
        for mapping in mappings {
            match groups
                .iter_mut()
                .find(|group| group[0].dictionaries == mapping.dictionaries)
            {
                Some(group) => group.push(mapping),
                None => groups.push(vec![mapping]),
            }
        }
        groups
    };
    for mappings in grouped(altered) {
        changes.push(TextSearchChange::AlterMapping {
            name: name.clone(),
            mappings,
        });
    }
    for mappings in grouped(added) {
        changes.push(TextSearchChange::AddMapping {
            name: name.clone(),
            mappings,
            of_created: false,
        });
    }
    changes
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mapping(token: &str, dictionaries: &[&str]) -> TextSearchMapping {
        TextSearchMapping {
            token_type: token.into(),
            dictionaries: dictionaries.iter().map(|d| d.to_string()).collect(),
        }
    }

    fn configuration(mappings: Vec<TextSearchMapping>) -> TextSearchConfiguration {
        TextSearchConfiguration {
            schema: "s".into(),
            name: "c".into(),
            parser: "pg_catalog.\"default\"".into(),
            mappings,
            comment: None,
        }
    }

    #[test]
    fn mappings_are_added_altered_and_dropped_in_groups() {
        let old = configuration(vec![
            mapping("asciiword", &["pg_catalog.simple"]),
            mapping("email", &["pg_catalog.simple"]),
            mapping("word", &["pg_catalog.simple"]),
        ]);
        let new = configuration(vec![
            mapping("asciiword", &["s.d", "pg_catalog.simple"]),
            mapping("int", &["pg_catalog.simple"]),
            mapping("word", &["s.d", "pg_catalog.simple"]),
        ]);
        let sql: Vec<String> = mapping_changes(&old, &new)
            .iter()
            .map(|change| change.render().0)
            .collect();
        assert_eq!(
            sql,
            [
                "ALTER TEXT SEARCH CONFIGURATION \"s\".\"c\" DROP MAPPING FOR \"email\";",
                "ALTER TEXT SEARCH CONFIGURATION \"s\".\"c\" ALTER MAPPING FOR \"asciiword\", \"word\" WITH s.d, pg_catalog.simple;",
                "ALTER TEXT SEARCH CONFIGURATION \"s\".\"c\" ADD MAPPING FOR \"int\" WITH pg_catalog.simple;",
            ]
        );
    }

    #[test]
    fn dictionary_options_are_set_and_removed_by_name() {
        let dictionary = |options: &[&str]| TextSearchDictionary {
            schema: "s".into(),
            name: "d".into(),
            template: "pg_catalog.simple".into(),
            options: options.iter().map(|o| o.to_string()).collect(),
            comment: None,
        };
        let old = dictionary(&["accept = 'false'", "stopwords = 'english'"]);
        let new = dictionary(&["accept = 'true'"]);
        let change = dictionary_alteration(&old, &new).map(|c| c.render().0);
        assert_eq!(
            change.as_deref(),
            Some("ALTER TEXT SEARCH DICTIONARY \"s\".\"d\" (stopwords, accept = 'true');")
        );
        assert_eq!(dictionary_alteration(&old, &old), None);
    }
}
