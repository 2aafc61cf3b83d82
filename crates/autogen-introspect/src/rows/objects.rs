//! Row decoders of the queries in `queries/objects.rs`, `queries/dependencies.rs` and
//! `queries/unsupported.rs`. Column positions follow their SELECT lists.

use super::{decode_error, get};
use crate::IntrospectError;
use crate::aggregate::Aggregate;
use autogen_schema::*;
use tokio_postgres::Row;

/// A view with what resolving its indexes and dependencies needs.
pub(crate) struct ViewRow {
    pub oid: u32,
    /// The `_RETURN` rule: what `pg_depend` names as the view's query.
    pub rule_oid: Option<u32>,
    pub view: View,
    /// Per column (same order as `view.columns`): attnum, type and collation oids.
    pub column_numbers: Vec<i16>,
    pub column_types: Vec<u32>,
    pub column_collations: Vec<u32>,
}

pub(crate) fn view(row: &Row) -> Result<ViewRow, IntrospectError> {
    const WHAT: &str = "views";
    let columns: Vec<String> = get(row, 10, WHAT)?;
    let comments: Vec<Option<String>> = get(row, 13, WHAT)?;
    let column_numbers: Vec<i16> = get(row, 9, WHAT)?;
    let column_types: Vec<u32> = get(row, 11, WHAT)?;
    let column_collations: Vec<u32> = get(row, 12, WHAT)?;
    let column_types_named: Vec<String> = get(row, 14, WHAT)?;
    if [
        column_types_named.len(),
        column_numbers.len(),
        column_types.len(),
        column_collations.len(),
        comments.len(),
    ]
    .iter()
    .any(|&length| length != columns.len())
    {
        return Err(decode_error(WHAT, "column arrays of different lengths"));
    }
    let column_comments = columns
        .iter()
        .zip(comments)
        .filter_map(|(column, comment)| comment.map(|comment| (column.clone(), comment)))
        .collect();
    let definition: String = get(row, 4, WHAT)?;
    Ok(ViewRow {
        oid: get(row, 0, WHAT)?,
        rule_oid: get(row, 8, WHAT)?,
        view: View {
            schema: get(row, 1, WHAT)?,
            name: get(row, 2, WHAT)?,
            materialized: get(row, 3, WHAT)?,
            // pg_get_viewdef starts with a space and ends with `;`.
            definition: definition
                .trim()
                .trim_end_matches(';')
                .trim_end()
                .to_string(),
            columns,
            column_types: column_types_named,
            options: get(row, 5, WHAT)?,
            unpopulated: get(row, 6, WHAT)?,
            comment: get(row, 7, WHAT)?,
            column_comments,
            indexes: Vec::new(),
            grants: get(row, 15, WHAT)?,
        },
        column_numbers,
        column_types,
        column_collations,
    })
}

pub(crate) fn function(row: &Row) -> Result<(u32, Function), IntrospectError> {
    const WHAT: &str = "functions";
    let schema: String = get(row, 1, WHAT)?;
    let name: String = get(row, 2, WHAT)?;
    let kind = match get::<String>(row, 3, WHAT)?.as_str() {
        "f" => FunctionKind::Function,
        "p" => FunctionKind::Procedure,
        "a" => FunctionKind::Aggregate,
        "w" => FunctionKind::Window,
        other => return Err(decode_error(WHAT, format!("routine kind {other:?}"))),
    };
    let arguments: String = get(row, 5, WHAT)?;
    let definition = match kind {
        FunctionKind::Aggregate => aggregate(row, &schema, &name, &arguments)?.definition(),
        // pg_get_functiondef ends with a newline.
        _ => get::<Option<String>>(row, 7, WHAT)?
            .map(|definition| definition.trim_end().to_string())
            .ok_or_else(|| decode_error(WHAT, format!("{schema}.{name} without definition")))?,
    };
    Ok((
        get(row, 0, WHAT)?,
        Function {
            identity_arguments: get(row, 4, WHAT)?,
            kind,
            arguments,
            result: get(row, 6, WHAT)?,
            definition,
            grants: super::grants(get(row, 30, WHAT)?, WHAT)?,
            revoked_defaults: super::grants(get(row, 31, WHAT)?, WHAT)?,
            comment: get(row, 8, WHAT)?,
            schema,
            name,
        },
    ))
}

/// The `pg_aggregate` columns of an aggregate's row.
fn aggregate(
    row: &Row,
    schema: &str,
    name: &str,
    arguments: &str,
) -> Result<Aggregate, IntrospectError> {
    const WHAT: &str = "functions";
    let required = |index: usize| -> Result<String, IntrospectError> {
        get::<Option<String>>(row, index, WHAT)?
            .ok_or_else(|| decode_error(WHAT, format!("aggregate {schema}.{name} incomplete")))
    };
    let code = |index: usize| -> Result<char, IntrospectError> {
        Ok(required(index)?.chars().next().unwrap_or(' '))
    };
    Ok(Aggregate {
        name: QualifiedName::new(schema, name),
        arguments: arguments.to_string(),
        parallel: code(9)?,
        kind: code(10)?,
        transition: required(11)?,
        state_type: required(12)?,
        state_space: get::<Option<i32>>(row, 13, WHAT)?.unwrap_or(0),
        initial_value: get(row, 14, WHAT)?,
        final_function: get(row, 15, WHAT)?,
        final_extra: get::<Option<bool>>(row, 16, WHAT)?.unwrap_or(false),
        final_modify: code(17)?,
        combine: get(row, 18, WHAT)?,
        serial: get(row, 19, WHAT)?,
        deserial: get(row, 20, WHAT)?,
        moving_transition: get(row, 21, WHAT)?,
        moving_inverse: get(row, 22, WHAT)?,
        moving_state_type: get(row, 23, WHAT)?,
        moving_state_space: get::<Option<i32>>(row, 24, WHAT)?.unwrap_or(0),
        moving_initial_value: get(row, 25, WHAT)?,
        moving_final_function: get(row, 26, WHAT)?,
        moving_final_extra: get::<Option<bool>>(row, 27, WHAT)?.unwrap_or(false),
        moving_final_modify: code(28)?,
        sort_operator: get(row, 29, WHAT)?,
    })
}

pub(crate) fn trigger(row: &Row) -> Result<(u32, Trigger), IntrospectError> {
    const WHAT: &str = "triggers";
    let enabled = match get::<String>(row, 5, WHAT)?.as_str() {
        "O" => TriggerEnabled::Origin,
        "D" => TriggerEnabled::Disabled,
        "R" => TriggerEnabled::Replica,
        "A" => TriggerEnabled::Always,
        other => return Err(decode_error(WHAT, format!("tgenabled {other:?}"))),
    };
    Ok((
        get(row, 0, WHAT)?,
        Trigger {
            table: QualifiedName::new(get::<String>(row, 1, WHAT)?, get::<String>(row, 2, WHAT)?),
            name: get(row, 3, WHAT)?,
            definition: get(row, 4, WHAT)?,
            enabled,
            comment: get(row, 6, WHAT)?,
        },
    ))
}

pub(crate) fn policy(row: &Row) -> Result<(u32, Policy), IntrospectError> {
    const WHAT: &str = "policies";
    let command = match get::<String>(row, 5, WHAT)?.as_str() {
        "*" => PolicyCommand::All,
        "r" => PolicyCommand::Select,
        "a" => PolicyCommand::Insert,
        "w" => PolicyCommand::Update,
        "d" => PolicyCommand::Delete,
        other => return Err(decode_error(WHAT, format!("polcmd {other:?}"))),
    };
    Ok((
        get(row, 0, WHAT)?,
        Policy {
            table: QualifiedName::new(get::<String>(row, 1, WHAT)?, get::<String>(row, 2, WHAT)?),
            name: get(row, 3, WHAT)?,
            restrictive: get(row, 4, WHAT)?,
            command,
            roles: get(row, 6, WHAT)?,
            using: get(row, 7, WHAT)?,
            with_check: get(row, 8, WHAT)?,
            comment: get(row, 9, WHAT)?,
        },
    ))
}

pub(crate) fn default_privileges(row: &Row) -> Result<DefaultPrivileges, IntrospectError> {
    const WHAT: &str = "default privileges";
    let object_type = match get::<String>(row, 2, WHAT)?.as_str() {
        "r" => DefaultObjectType::Tables,
        "S" => DefaultObjectType::Sequences,
        "f" => DefaultObjectType::Functions,
        "T" => DefaultObjectType::Types,
        "n" => DefaultObjectType::Schemas,
        other => return Err(decode_error(WHAT, format!("object type {other:?}"))),
    };
    Ok(DefaultPrivileges {
        role: get(row, 0, WHAT)?,
        schema: get(row, 1, WHAT)?,
        object_type,
        grants: super::grants(get(row, 3, WHAT)?, WHAT)?,
        revoked_defaults: super::grants(get(row, 4, WHAT)?, WHAT)?,
    })
}

pub(crate) fn domain(row: &Row) -> Result<(u32, Domain), IntrospectError> {
    const WHAT: &str = "domains";
    Ok((
        get(row, 0, WHAT)?,
        Domain {
            schema: get(row, 1, WHAT)?,
            name: get(row, 2, WHAT)?,
            data_type: get(row, 3, WHAT)?,
            collation: get(row, 4, WHAT)?,
            default: get(row, 5, WHAT)?,
            not_null: get(row, 6, WHAT)?,
            checks: Vec::new(),
            comment: get(row, 7, WHAT)?,
            grants: super::grants(get(row, 8, WHAT)?, WHAT)?,
            revoked_defaults: super::grants(get(row, 9, WHAT)?, WHAT)?,
        },
    ))
}

/// `(constraint oid, domain oid, check)`.
pub(crate) fn domain_check(row: &Row) -> Result<(u32, u32, DomainCheck), IntrospectError> {
    const WHAT: &str = "domain checks";
    let definition: String = get(row, 3, WHAT)?;
    let validated: bool = get(row, 4, WHAT)?;
    let definition = if validated {
        definition
    } else {
        definition
            .strip_suffix(" NOT VALID")
            .map(str::to_string)
            .unwrap_or(definition)
    };
    Ok((
        get(row, 0, WHAT)?,
        get(row, 1, WHAT)?,
        DomainCheck {
            name: get(row, 2, WHAT)?,
            definition,
            not_valid: !validated,
            comment: get(row, 5, WHAT)?,
        },
    ))
}

/// `(oid of its pg_class row, composite type)`.
pub(crate) fn composite_type(row: &Row) -> Result<(u32, CompositeType), IntrospectError> {
    const WHAT: &str = "composite types";
    let names: Vec<String> = get(row, 4, WHAT)?;
    let types: Vec<String> = get(row, 5, WHAT)?;
    let collations: Vec<Option<String>> = get(row, 6, WHAT)?;
    let comments: Vec<Option<String>> = get(row, 7, WHAT)?;
    if [types.len(), collations.len(), comments.len()]
        .iter()
        .any(|&length| length != names.len())
    {
        return Err(decode_error(WHAT, "attribute arrays of different lengths"));
    }
    let attributes = names
        .into_iter()
        .zip(types)
        .zip(collations.into_iter().zip(comments))
        .map(|((name, data_type), (collation, comment))| Attribute {
            name,
            data_type,
            collation,
            comment,
        })
        .collect();
    Ok((
        get(row, 0, WHAT)?,
        CompositeType {
            schema: get(row, 1, WHAT)?,
            name: get(row, 2, WHAT)?,
            attributes,
            comment: get(row, 3, WHAT)?,
            grants: super::grants(get(row, 8, WHAT)?, WHAT)?,
            revoked_defaults: super::grants(get(row, 9, WHAT)?, WHAT)?,
        },
    ))
}

/// A range type with its subtype's class and collation still as oids.
pub(crate) struct RangeRow {
    pub oid: u32,
    pub range: RangeType,
    pub subtype_oid: u32,
    pub opclass_oid: u32,
    pub collation_oid: u32,
    /// The multirange type's schema and name (PostgreSQL 14+).
    pub multirange: Option<(String, String)>,
    /// The multirange type as `format_type` prints it.
    pub multirange_type: Option<String>,
}

pub(crate) fn range_type(row: &Row) -> Result<RangeRow, IntrospectError> {
    const WHAT: &str = "range types";
    let multirange_schema: Option<String> = get(row, 9, WHAT)?;
    let multirange_name: Option<String> = get(row, 10, WHAT)?;
    Ok(RangeRow {
        oid: get(row, 0, WHAT)?,
        range: RangeType {
            schema: get(row, 1, WHAT)?,
            name: get(row, 2, WHAT)?,
            subtype: get(row, 3, WHAT)?,
            subtype_opclass: None,
            collation: None,
            canonical: get(row, 7, WHAT)?,
            subtype_diff: get(row, 8, WHAT)?,
            multirange: None,
            comment: get(row, 12, WHAT)?,
            grants: super::grants(get(row, 13, WHAT)?, WHAT)?,
            revoked_defaults: super::grants(get(row, 14, WHAT)?, WHAT)?,
        },
        subtype_oid: get(row, 4, WHAT)?,
        opclass_oid: get(row, 5, WHAT)?,
        collation_oid: get(row, 6, WHAT)?,
        multirange: multirange_schema.zip(multirange_name),
        multirange_type: get(row, 11, WHAT)?,
    })
}

pub(crate) fn text_search_dictionary(
    row: &Row,
) -> Result<(u32, TextSearchDictionary), IntrospectError> {
    const WHAT: &str = "text search dictionaries";
    let options: Option<String> = get(row, 4, WHAT)?;
    Ok((
        get(row, 0, WHAT)?,
        TextSearchDictionary {
            schema: get(row, 1, WHAT)?,
            name: get(row, 2, WHAT)?,
            template: get(row, 3, WHAT)?,
            options: options.as_deref().map(split_options).unwrap_or_default(),
            comment: get(row, 5, WHAT)?,
        },
    ))
}

/// `dictinitoption` (`a = 'x', b = 'it''s'`, as PostgreSQL's `serialize_deflist` writes it)
/// split at the commas outside quotes, each option's text kept as it is.
fn split_options(text: &str) -> Vec<String> {
    let mut options = Vec::new();
    let mut current = String::new();
    let mut quoted = false;
    for ch in text.chars() {
        match ch {
            '\'' => {
                // A doubled quote inside a literal toggles twice: still inside.
                quoted = !quoted;
                current.push(ch);
            }
            ',' if !quoted => {
                options.push(current.trim().to_string());
                current.clear();
            }
            _ => current.push(ch),
        }
    }
    if !current.trim().is_empty() {
        options.push(current.trim().to_string());
    }
    options.retain(|option| !option.is_empty());
    options
}

pub(crate) fn text_search_configuration(
    row: &Row,
) -> Result<(u32, TextSearchConfiguration), IntrospectError> {
    const WHAT: &str = "text search configurations";
    let tokens: Vec<String> = get(row, 4, WHAT)?;
    let dictionaries: Vec<String> = get(row, 5, WHAT)?;
    if tokens.len() != dictionaries.len() {
        return Err(decode_error(WHAT, "mapping arrays of different lengths"));
    }
    // One element per (token type, dictionary), ordered by token type: grouped here.
    let mut mappings: Vec<TextSearchMapping> = Vec::new();
    for (token_type, dictionary) in tokens.into_iter().zip(dictionaries) {
        match mappings.last_mut() {
            Some(last) if last.token_type == token_type => last.dictionaries.push(dictionary),
            _ => mappings.push(TextSearchMapping {
                token_type,
                dictionaries: vec![dictionary],
            }),
        }
    }
    Ok((
        get(row, 0, WHAT)?,
        TextSearchConfiguration {
            schema: get(row, 1, WHAT)?,
            name: get(row, 2, WHAT)?,
            parser: get(row, 3, WHAT)?,
            mappings,
            comment: get(row, 6, WHAT)?,
        },
    ))
}

pub(crate) fn user_collation(row: &Row) -> Result<(u32, Collation), IntrospectError> {
    const WHAT: &str = "collations";
    let schema: String = get(row, 1, WHAT)?;
    let name: String = get(row, 2, WHAT)?;
    let provider = match get::<String>(row, 3, WHAT)?.as_str() {
        "c" => "libc",
        "i" => "icu",
        "b" => "builtin",
        other => {
            return Err(decode_error(
                WHAT,
                format!("{schema}.{name}: provider {other:?}"),
            ));
        }
    };
    let locale = |index: usize| -> Result<String, IntrospectError> {
        Ok(get::<Option<String>>(row, index, WHAT)?.unwrap_or_default())
    };
    Ok((
        get(row, 0, WHAT)?,
        Collation {
            provider: provider.to_string(),
            collate: locale(4)?,
            ctype: locale(5)?,
            deterministic: get(row, 6, WHAT)?,
            comment: get(row, 7, WHAT)?,
            schema,
            name,
        },
    ))
}

/// The catalog an end of a `pg_depend` row lives in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum CatalogKind {
    Class,
    Type,
    Proc,
    Constraint,
    AttrDef,
    Trigger,
    Rewrite,
    Collation,
    Policy,
    TextSearchConfiguration,
    TextSearchDictionary,
}

/// One end of a dependency: catalog, oid, sub-id (a column number, or 0).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct ObjectId {
    pub catalog: CatalogKind,
    pub oid: u32,
    pub sub_id: i32,
}

fn object_id(row: &Row, first: usize) -> Result<ObjectId, IntrospectError> {
    const WHAT: &str = "dependencies";
    let catalog = match get::<String>(row, first, WHAT)?.as_str() {
        "class" => CatalogKind::Class,
        "type" => CatalogKind::Type,
        "proc" => CatalogKind::Proc,
        "constraint" => CatalogKind::Constraint,
        "attrdef" => CatalogKind::AttrDef,
        "trigger" => CatalogKind::Trigger,
        "rewrite" => CatalogKind::Rewrite,
        "collation" => CatalogKind::Collation,
        "policy" => CatalogKind::Policy,
        "ts_config" => CatalogKind::TextSearchConfiguration,
        "ts_dict" => CatalogKind::TextSearchDictionary,
        other => return Err(decode_error(WHAT, format!("catalog {other:?}"))),
    };
    Ok(ObjectId {
        catalog,
        oid: get(row, first + 1, WHAT)?,
        sub_id: get(row, first + 2, WHAT)?,
    })
}

/// `(dependent, referenced)`.
pub(crate) fn dependency(row: &Row) -> Result<(ObjectId, ObjectId), IntrospectError> {
    Ok((object_id(row, 0)?, object_id(row, 3)?))
}

/// `(extension, installed version, reachable version)`.
pub(crate) fn extension_update(row: &Row) -> Result<(String, String, String), IntrospectError> {
    const WHAT: &str = "extension updates";
    Ok((get(row, 0, WHAT)?, get(row, 1, WHAT)?, get(row, 2, WHAT)?))
}

/// Which parts of the unsupported-objects query can find something.
pub(crate) fn census(row: &Row) -> Result<Vec<bool>, IntrospectError> {
    get(row, 0, "unsupported objects")
}

/// `(kind, qualified name, fingerprint)` of an object the IR does not model.
pub(crate) fn unsupported(row: &Row) -> Result<(String, String, String), IntrospectError> {
    const WHAT: &str = "unsupported objects";
    Ok((
        get(row, 0, WHAT)?,
        get(row, 1, WHAT)?,
        get::<Option<String>>(row, 2, WHAT)?.unwrap_or_default(),
    ))
}

#[cfg(test)]
mod tests {
    use super::split_options;

    #[test]
    fn dictionary_options_split_at_commas_outside_quotes() {
        assert_eq!(
            split_options("stopwords = 'english', accept = 'it''s, true', \"Dict\" = 'x'"),
            [
                "stopwords = 'english'",
                "accept = 'it''s, true'",
                "\"Dict\" = 'x'"
            ]
        );
        assert!(split_options("").is_empty());
    }
}
