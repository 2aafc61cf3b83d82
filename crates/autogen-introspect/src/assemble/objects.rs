//! Puts the other objects together: views with their materialized views' indexes, domains
//! with their checks, range types with non-default operator classes and collations resolved,
//! and every object entered in the [`ObjectIndex`] for the dependency graph.

use super::{Attribute, Lookups, build_index};
use crate::IntrospectError;
use crate::dependencies::ObjectIndex;
use crate::rows::{CatalogKind, IndexRow, RangeRow, ViewRow, decode_error};
use autogen_schema::*;
use std::collections::HashMap;

/// Views and materialized views being assembled, addressed by oid.
pub(crate) struct Views {
    rows: Vec<ViewRow>,
    by_oid: HashMap<u32, usize>,
    /// Per view: its columns by attnum.
    attributes: Vec<HashMap<i16, Attribute>>,
    /// Per view: its indexes' oids.
    index_oids: Vec<Vec<u32>>,
}

impl Views {
    pub(crate) fn new(rows: Vec<ViewRow>) -> Self {
        let by_oid = rows
            .iter()
            .enumerate()
            .map(|(position, row)| (row.oid, position))
            .collect();
        let attributes = rows
            .iter()
            .map(|row| {
                row.column_numbers
                    .iter()
                    .zip(&row.view.columns)
                    .zip(row.column_types.iter().zip(&row.column_collations))
                    .map(|((&number, name), (&type_oid, &collation_oid))| {
                        let attribute = Attribute {
                            name: name.clone(),
                            type_oid,
                            collation_oid,
                        };
                        (number, attribute)
                    })
                    .collect()
            })
            .collect();
        let index_oids = rows.iter().map(|_| Vec::new()).collect();
        Self {
            rows,
            by_oid,
            attributes,
            index_oids,
        }
    }

    pub(crate) fn position_of(&self, oid: u32) -> Option<usize> {
        self.by_oid.get(&oid).copied()
    }

    /// An index of the materialized view at `position`.
    pub(crate) fn add_index(
        &mut self,
        position: usize,
        row: IndexRow,
        lookups: &Lookups,
    ) -> Result<(), IntrospectError> {
        self.index_oids[position].push(row.oid);
        let index = build_index(&self.attributes[position], row, lookups)?;
        self.rows[position].view.indexes.push(index);
        Ok(())
    }

    /// The views, each (with its query's rule and its indexes) added to `objects`.
    pub(crate) fn finish(self, objects: &mut ObjectIndex) -> Vec<View> {
        let mut views = Vec::with_capacity(self.rows.len());
        for ((row, attributes), index_oids) in self
            .rows
            .into_iter()
            .zip(self.attributes)
            .zip(self.index_oids)
        {
            let name = row.view.qualified_name();
            let columns = attributes
                .into_iter()
                .map(|(number, attribute)| (number, attribute.name));
            objects.add_relation(row.oid, name.clone(), columns);
            if let Some(rule) = row.rule_oid {
                objects.add_rule(rule, name.clone());
            }
            for (oid, index) in index_oids.into_iter().zip(&row.view.indexes) {
                objects.add_index(oid, QualifiedName::new(&name.schema, &index.name));
            }
            views.push(row.view);
        }
        views
    }
}

/// The triggers on relations in `objects` (a table left out by the inspect options takes its
/// triggers with it), each added to `objects`.
pub(crate) fn triggers(rows: Vec<(u32, Trigger)>, objects: &mut ObjectIndex) -> Vec<Trigger> {
    let mut triggers = Vec::with_capacity(rows.len());
    for (oid, trigger) in rows {
        if !objects.has_relation(&trigger.table) {
            continue;
        }
        let object = ObjectRef::Trigger {
            table: trigger.table.clone(),
            name: trigger.name.clone(),
        };
        objects.add(CatalogKind::Trigger, oid, object);
        triggers.push(trigger);
    }
    triggers
}

/// Domains with their checks, each added to `objects`.
pub(crate) fn domains(
    rows: Vec<(u32, Domain)>,
    checks: Vec<(u32, u32, DomainCheck)>,
    objects: &mut ObjectIndex,
) -> Result<Vec<Domain>, IntrospectError> {
    let mut domains = Vec::with_capacity(rows.len());
    let mut by_oid = HashMap::with_capacity(rows.len());
    for (oid, domain) in rows {
        let name = QualifiedName::new(&domain.schema, &domain.name);
        objects.add_type(oid, name);
        by_oid.insert(oid, domains.len());
        domains.push(domain);
    }
    for (oid, domain_oid, check) in checks {
        let position = *by_oid.get(&domain_oid).ok_or_else(|| {
            decode_error(
                "domain checks",
                format!("check of unknown domain {domain_oid}"),
            )
        })?;
        let domain = &mut domains[position];
        let object = ObjectRef::DomainConstraint {
            domain: QualifiedName::new(&domain.schema, &domain.name),
            name: check.name.clone(),
        };
        objects.add(CatalogKind::Constraint, oid, object);
        domain.checks.push(check);
    }
    Ok(domains)
}

/// The multirange type name PostgreSQL picks for the range type `name`: `range` in the name
/// becomes `multirange`, else `_multirange` is appended (`makeMultirangeTypeName`).
fn default_multirange_name(name: &str) -> String {
    match name.find("range") {
        Some(position) => format!("{}multi{}", &name[..position], &name[position..]),
        None => format!("{name}_multirange"),
    }
}

/// Range types with the operator class and collation kept only when not the subtype's
/// default, and the multirange type only when not named by default; each added to
/// `objects`.
pub(crate) fn range_types(
    rows: Vec<RangeRow>,
    lookups: &Lookups,
    objects: &mut ObjectIndex,
) -> Result<Vec<RangeType>, IntrospectError> {
    const WHAT: &str = "range types";
    rows.into_iter()
        .map(|row| {
            let mut range = row.range;
            let class = lookups.operator_class(row.opclass_oid, WHAT)?;
            if !class.is_default_for(lookups.base_type(row.subtype_oid)) {
                range.subtype_opclass = Some(class.name.clone());
            }
            if row.collation_oid != 0
                && row.collation_oid != lookups.default_collation(row.subtype_oid)
            {
                range.collation = Some(lookups.collation_name(row.collation_oid, WHAT)?);
            }
            if let (Some((schema, name)), Some(formatted)) = (row.multirange, row.multirange_type)
                && (schema != range.schema || name != default_multirange_name(&range.name))
            {
                range.multirange = Some(formatted);
            }
            objects.add_type(row.oid, QualifiedName::new(&range.schema, &range.name));
            Ok(range)
        })
        .collect()
}

/// The policies of tables in `objects` (like triggers, a table left out takes its policies
/// with it), each added to `objects`.
pub(crate) fn policies(rows: Vec<(u32, Policy)>, objects: &mut ObjectIndex) -> Vec<Policy> {
    let mut policies = Vec::with_capacity(rows.len());
    for (oid, policy) in rows {
        if !objects.has_relation(&policy.table) {
            continue;
        }
        let object = ObjectRef::Policy {
            table: policy.table.clone(),
            name: policy.name.clone(),
        };
        objects.add(CatalogKind::Policy, oid, object);
        policies.push(policy);
    }
    policies
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn multirange_names_follow_postgresql() {
        assert_eq!(default_multirange_name("float_range"), "float_multirange");
        assert_eq!(default_multirange_name("rangex_range"), "multirangex_range");
        assert_eq!(default_multirange_name("span"), "span_multirange");
    }
}
