//! A table's primary key, unique constraints, foreign keys, checks and indexes, from the
//! struct's attributes (first, as they come first in the source) and then its fields'.

use super::TableLocs;
use super::lookup::ColumnLookup;
use crate::attr::table::{ColumnsAttr, IndexAttr, TableAttrs};
use crate::index_key::{is_bare_identifier, parse_key, quoted_identifier};
use crate::naming::name_problem;
use crate::problem::{Loc, Problem, Spanned};
use crate::reference::Reference;
use autogen_schema::{
    CheckConstraint, Deferral, ForeignKey, Index, IndexKey, IndexTarget, MatchType, PrimaryKey,
    QualifiedName, ReferentialAction, Table, UniqueConstraint,
};

/// Adds constraints and indexes to `table`, keeping `locs` and `references` parallel.
pub(crate) struct Builder<'a, 'p> {
    pub table: Table,
    pub locs: TableLocs,
    /// Foreign keys (by index) whose target is resolved later against all models.
    pub references: Vec<(usize, Spanned<Reference>)>,
    pub lookup: ColumnLookup<'a>,
    pub problems: &'p mut Vec<Problem>,
}

impl Builder<'_, '_> {
    /// A constraint or index name given by the user (an empty one is left to PostgreSQL).
    fn given_name(&mut self, name: &Option<Spanned<String>>, what: &str) -> String {
        match name {
            Some(name) => {
                self.problems
                    .extend(name_problem(&name.value, name.loc, what));
                name.value.clone()
            }
            None => String::new(),
        }
    }

    fn set_primary_key(&mut self, columns: Vec<String>, loc: Loc) {
        if self.locs.primary_key.is_some() {
            self.problems.push(
                Problem::new(loc, format!("two primary keys on table `{}`", self.table.name))
                    .label("second primary key")
                    .help("a table has one primary key; for a composite key list its columns once on the struct: #[model(primary_key = [\"a\", \"b\"])]"),
            );
            return;
        }
        self.table.primary_key = Some(PrimaryKey {
            name: String::new(),
            columns,
            include: Vec::new(),
            storage_parameters: Vec::new(),
            deferral: Deferral::Immediate,
            comment: None,
            index_comment: None,
        });
        self.locs.primary_key = Some(loc);
    }

    fn add_unique(&mut self, name: String, columns: Vec<String>, loc: Loc) {
        self.table.uniques.push(UniqueConstraint {
            name,
            columns,
            include: Vec::new(),
            nulls_not_distinct: false,
            storage_parameters: Vec::new(),
            deferral: Deferral::Immediate,
            comment: None,
            index_comment: None,
        });
        self.locs.uniques.push(loc);
    }

    #[allow(clippy::too_many_arguments)]
    fn add_foreign_key(
        &mut self,
        name: String,
        columns: Vec<String>,
        target: Spanned<Reference>,
        on_delete: ReferentialAction,
        on_update: ReferentialAction,
        deferral: Deferral,
        loc: Loc,
    ) {
        self.references
            .push((self.table.foreign_keys.len(), target.clone()));
        self.table.foreign_keys.push(ForeignKey {
            name,
            columns,
            // Placeholder until the target is resolved against all models.
            references: QualifiedName::new(
                target.value.schema.unwrap_or_default(),
                target.value.table,
            ),
            referenced_columns: target.value.columns,
            on_delete,
            on_delete_columns: Vec::new(),
            on_update,
            match_type: MatchType::Simple,
            deferral,
            not_valid: false,
            comment: None,
        });
        self.locs.foreign_keys.push(loc);
    }

    /// Constraints and indexes declared on the struct (they come first in the source).
    pub fn table_level(&mut self, attrs: &TableAttrs) {
        if let Some(ColumnsAttr { item, columns, .. }) = &attrs.primary_key
            && let Some(columns) = self.lookup.resolve(columns, self.problems)
        {
            self.set_primary_key(columns, *item);
        }
        for index in &attrs.indexes {
            self.table_index(index);
        }
        for unique in &attrs.uniques {
            let name = self.given_name(&unique.name, "constraint");
            if let Some(columns) = self.lookup.resolve(&unique.columns, self.problems) {
                self.add_unique(name, columns, unique.item);
            }
        }
        for check in &attrs.checks {
            let name = self.given_name(&check.name, "constraint");
            self.table.checks.push(CheckConstraint {
                name,
                expression: check.expr.clone(),
                no_inherit: false,
                not_valid: false,
                comment: None,
            });
            self.locs.checks.push(check.item);
        }
        for foreign_key in &attrs.foreign_keys {
            let name = self.given_name(&foreign_key.name, "constraint");
            if let Some(columns) = self.lookup.resolve(&foreign_key.columns, self.problems) {
                self.add_foreign_key(
                    name,
                    columns,
                    foreign_key.references.clone(),
                    foreign_key.on_delete,
                    foreign_key.on_update,
                    foreign_key.deferral,
                    foreign_key.item,
                );
            }
        }
    }

    fn table_index(&mut self, index: &IndexAttr) {
        let name = self.given_name(&index.name, "index");
        let mut keys = Vec::with_capacity(index.keys.len());
        for entry in &index.keys {
            let spec = parse_key(&entry.value);
            let target = if spec.target.is_empty() {
                self.problems.push(
                    Problem::new(entry.loc, "empty index key")
                        .label("empty entry")
                        .help("write a column name or an expression"),
                );
                continue;
            } else if self.lookup.exists(&spec.target) {
                IndexTarget::Column(spec.target.clone())
            } else if let Some(quoted) = quoted_identifier(&spec.target) {
                if !self.lookup.exists(&quoted) {
                    self.problems
                        .push(self.lookup.missing(&Spanned::new(quoted, entry.loc)));
                    continue;
                }
                IndexTarget::Column(quoted)
            } else if is_bare_identifier(&spec.target) {
                // A lone name can only mean a column.
                self.problems.push(
                    self.lookup
                        .missing(&Spanned::new(spec.target.clone(), entry.loc)),
                );
                continue;
            } else if let Some(problem) = crate::sql_text::sql_problem("columns", entry) {
                self.problems.push(problem);
                continue;
            } else {
                IndexTarget::Expression(spec.target.clone())
            };
            keys.push(IndexKey {
                target,
                collation: None,
                opclass: None,
                descending: spec.descending,
                nulls_first: spec.nulls_first(),
            });
        }
        let include = self.lookup.resolve(&index.include, self.problems);
        if keys.len() != index.keys.len() || keys.is_empty() {
            return;
        }
        let Some(include) = include else {
            return;
        };
        self.table.indexes.push(Index {
            name,
            unique: index.unique,
            method: index.method.clone().unwrap_or_else(|| "btree".to_string()),
            keys,
            include,
            predicate: index.predicate.clone(),
            nulls_not_distinct: false,
            storage_parameters: Vec::new(),
            comment: None,
        });
        self.locs.indexes.push(index.item);
    }

    /// `primary_key`, `unique`, `index` and `references` on fields, in field order.
    pub fn field_level(&mut self) {
        let columns = self.lookup.columns;
        for decl in columns {
            let attrs = &decl.attrs;
            let column = decl.column.name.clone();
            if let Some(loc) = attrs.primary_key {
                self.set_primary_key(vec![column.clone()], loc);
            }
            if let Some(loc) = attrs.unique {
                self.add_unique(String::new(), vec![column.clone()], loc);
            }
            if let Some(loc) = attrs.index {
                // Unnamed: PostgreSQL names it.
                self.table
                    .indexes
                    .push(Index::on_column(String::new(), column.clone()));
                self.locs.indexes.push(loc);
            }
            if let Some(reference) = &attrs.references {
                if reference.target.value.columns.len() != 1 {
                    self.problems.push(
                        Problem::new(
                            reference.target.loc,
                            format!(
                                "a field references one column, but this names {}",
                                reference.target.value.columns.len()
                            ),
                        )
                        .label("several referenced columns")
                        .help("for a multi-column foreign key use #[model(foreign_key(columns = [...], references = \"table(a, b)\"))] on the struct"),
                    );
                    continue;
                }
                self.add_foreign_key(
                    String::new(),
                    vec![column],
                    reference.target.clone(),
                    attrs
                        .on_delete
                        .as_ref()
                        .map_or(ReferentialAction::NoAction, |a| a.value),
                    attrs
                        .on_update
                        .as_ref()
                        .map_or(ReferentialAction::NoAction, |a| a.value),
                    attrs
                        .deferrable
                        .as_ref()
                        .map_or(Deferral::Immediate, |d| d.value),
                    reference.item,
                );
            }
        }
    }
}
