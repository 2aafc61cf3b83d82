//! Turns `pg_depend` rows into the catalog's [`Dependency`] edges: each end, a (catalog, oid,
//! sub-id) triple, is looked up among the objects the other queries read, so an edge
//! survives only when both ends are objects of this catalog (in scope, not an extension's,
//! not PostgreSQL's own, of a modeled kind).

use crate::rows::{CatalogKind, ObjectId};
use autogen_schema::{Dependency, FunctionId, ObjectRef, QualifiedName};
use std::collections::{HashMap, HashSet};

/// What a `pg_class` row is to the catalog.
enum ClassEntry {
    /// A table, view or materialized view, with its column names by number (`columns[n]`
    /// is column `n + 1`; a dropped column leaves a hole).
    Relation {
        name: QualifiedName,
        columns: Vec<Option<String>>,
    },
    /// A composite type's relation: its attributes count as the type.
    Composite(QualifiedName),
    Index(QualifiedName),
    Sequence(QualifiedName),
}

/// The objects of the catalog by oid, per catalog.
#[derive(Default)]
pub(crate) struct ObjectIndex {
    classes: HashMap<u32, ClassEntry>,
    /// The names of the tables, views and materialized views.
    relations: HashSet<QualifiedName>,
    /// Everything else: types, routines, constraints, defaults, triggers, a view's rule,
    /// collations, text search dictionaries and configurations.
    others: HashMap<(CatalogKind, u32), ObjectRef>,
}

impl ObjectIndex {
    /// A relation and its columns as `(number, name)`.
    pub fn add_relation(
        &mut self,
        oid: u32,
        name: QualifiedName,
        columns: impl IntoIterator<Item = (i16, String)>,
    ) {
        let mut by_number: Vec<Option<String>> = Vec::new();
        for (number, column) in columns {
            let Some(index) = usize::try_from(number).ok().and_then(|n| n.checked_sub(1)) else {
                continue;
            };
            if by_number.len() <= index {
                by_number.resize(index + 1, None);
            }
            by_number[index] = Some(column);
        }
        let columns = by_number;
        self.relations.insert(name.clone());
        self.classes
            .insert(oid, ClassEntry::Relation { name, columns });
    }

    pub fn has_relation(&self, name: &QualifiedName) -> bool {
        self.relations.contains(name)
    }

    pub fn add_composite_type(&mut self, class_oid: u32, name: QualifiedName) {
        self.classes.insert(class_oid, ClassEntry::Composite(name));
    }

    pub fn add_index(&mut self, oid: u32, name: QualifiedName) {
        self.classes.insert(oid, ClassEntry::Index(name));
    }

    pub fn add_sequence(&mut self, oid: u32, name: QualifiedName) {
        self.classes.insert(oid, ClassEntry::Sequence(name));
    }

    pub fn add_type(&mut self, oid: u32, name: QualifiedName) {
        self.others
            .insert((CatalogKind::Type, oid), ObjectRef::Type(name));
    }

    pub fn add_function(&mut self, oid: u32, id: FunctionId) {
        self.others
            .insert((CatalogKind::Proc, oid), ObjectRef::Function(id));
    }

    pub fn add_collation(&mut self, oid: u32, name: QualifiedName) {
        self.others
            .insert((CatalogKind::Collation, oid), ObjectRef::Collation(name));
    }

    pub fn add_text_search_dictionary(&mut self, oid: u32, name: QualifiedName) {
        self.others.insert(
            (CatalogKind::TextSearchDictionary, oid),
            ObjectRef::TextSearchDictionary(name),
        );
    }

    pub fn add_text_search_configuration(&mut self, oid: u32, name: QualifiedName) {
        self.others.insert(
            (CatalogKind::TextSearchConfiguration, oid),
            ObjectRef::TextSearchConfiguration(name),
        );
    }

    /// A view's `_RETURN` rule: what the view's query uses is recorded on it.
    pub fn add_rule(&mut self, oid: u32, view: QualifiedName) {
        self.others
            .insert((CatalogKind::Rewrite, oid), ObjectRef::Relation(view));
    }

    /// A constraint (of a table or a domain), a default or a trigger.
    pub fn add(&mut self, catalog: CatalogKind, oid: u32, object: ObjectRef) {
        self.others.insert((catalog, oid), object);
    }

    fn resolve(&self, id: &ObjectId) -> Option<ObjectRef> {
        if id.catalog != CatalogKind::Class {
            return self.others.get(&(id.catalog, id.oid)).cloned();
        }
        Some(match self.classes.get(&id.oid)? {
            ClassEntry::Relation { name, .. } if id.sub_id == 0 => {
                ObjectRef::Relation(name.clone())
            }
            ClassEntry::Relation { name, columns } => ObjectRef::Column {
                relation: name.clone(),
                column: columns
                    .get(usize::try_from(id.sub_id).ok()?.checked_sub(1)?)?
                    .clone()?,
            },
            ClassEntry::Composite(name) => ObjectRef::Type(name.clone()),
            ClassEntry::Index(name) => ObjectRef::Index(name.clone()),
            ClassEntry::Sequence(name) => ObjectRef::Sequence(name.clone()),
        })
    }
}

/// Whether the edge `dependent -> on` only restates what the catalog's structure already
/// says: a default of its own column, a constraint or trigger of its own table (`a` edges),
/// a check of its own domain, and a sequence `OWNED BY` a column (kept in
/// `Sequence::owned_by`; as an edge it would point against the order of creation, since the
/// column's default uses the sequence).
fn structural(dependent: &ObjectRef, on: &ObjectRef) -> bool {
    match (dependent, on) {
        (ObjectRef::Sequence(_), ObjectRef::Column { .. }) => true,
        (
            ObjectRef::Default { table, column },
            ObjectRef::Column {
                relation,
                column: of,
            },
        ) => table == relation && column == of,
        (ObjectRef::DomainConstraint { domain, .. }, ObjectRef::Type(name)) => domain == name,
        (
            ObjectRef::Constraint { table, .. }
            | ObjectRef::Trigger { table, .. }
            | ObjectRef::Policy { table, .. },
            ObjectRef::Relation(relation),
        ) => table == relation,
        _ => false,
    }
}

/// The edges of `rows` between objects of `index`, without self-edges and structural ones
/// (unsorted: `Catalog::canonicalize` sorts and deduplicates them).
pub(crate) fn resolve(index: &ObjectIndex, rows: Vec<(ObjectId, ObjectId)>) -> Vec<Dependency> {
    rows.into_iter()
        .filter_map(|(dependent, on)| {
            let dependent = index.resolve(&dependent)?;
            let on = index.resolve(&on)?;
            (dependent != on && !structural(&dependent, &on))
                .then_some(Dependency { dependent, on })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(catalog: CatalogKind, oid: u32, sub_id: i32) -> ObjectId {
        ObjectId {
            catalog,
            oid,
            sub_id,
        }
    }

    #[test]
    fn only_edges_between_known_objects_survive() {
        let table = QualifiedName::new("public", "t");
        let view = QualifiedName::new("public", "v");
        let mut index = ObjectIndex::default();
        // Column 2 was dropped.
        index.add_relation(
            10,
            table.clone(),
            [(1, "a".to_string()), (3, "b".to_string())],
        );
        index.add_relation(20, view.clone(), []);
        index.add_rule(21, view.clone());
        index.add(
            CatalogKind::AttrDef,
            30,
            ObjectRef::Default {
                table: table.clone(),
                column: "b".into(),
            },
        );
        index.add_sequence(40, QualifiedName::new("public", "s"));
        let rows = vec![
            // The view's query uses t.b (kept), the view itself (a self-edge) and an unknown
            // object (an extension's type).
            (
                id(CatalogKind::Rewrite, 21, 0),
                id(CatalogKind::Class, 10, 3),
            ),
            (
                id(CatalogKind::Rewrite, 21, 0),
                id(CatalogKind::Class, 20, 0),
            ),
            (
                id(CatalogKind::Rewrite, 21, 0),
                id(CatalogKind::Type, 99, 0),
            ),
            // A dropped column is no column.
            (
                id(CatalogKind::Rewrite, 21, 0),
                id(CatalogKind::Class, 10, 2),
            ),
            // The default is on its own column (structural) and uses the sequence (kept),
            // which is owned by the column (structural).
            (
                id(CatalogKind::AttrDef, 30, 0),
                id(CatalogKind::Class, 10, 3),
            ),
            (
                id(CatalogKind::AttrDef, 30, 0),
                id(CatalogKind::Class, 40, 0),
            ),
            (id(CatalogKind::Class, 40, 0), id(CatalogKind::Class, 10, 2)),
        ];
        assert_eq!(
            resolve(&index, rows),
            [
                Dependency {
                    dependent: ObjectRef::Relation(view),
                    on: ObjectRef::Column {
                        relation: table.clone(),
                        column: "b".into()
                    },
                },
                Dependency {
                    dependent: ObjectRef::Default {
                        table,
                        column: "b".into()
                    },
                    on: ObjectRef::Sequence(QualifiedName::new("public", "s")),
                },
            ]
        );
    }
}
