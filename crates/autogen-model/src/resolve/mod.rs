//! Everything that needs all models at once: duplicate names across files, enum column
//! types and defaults, foreign-key targets; then the catalog and its origins.

mod duplicates;
mod enum_columns;
mod references;

use crate::SourceFile;
use crate::decl::TableLocs;
use crate::decl::enums::EnumDecl;
use crate::decl::table::StructDecl;
use crate::origin::{CatalogOrigins, LineIndex, Origin, TableOrigins};
use crate::problem::{Loc, Problem};
use autogen_schema::{
    Catalog, ColumnExpression, MemberRename, ModelIntent, QualifiedName, Rename, Schema,
};

/// One analyzed item and the index of its file.
pub(crate) struct Declared {
    pub file: usize,
    pub item: DeclItem,
}

pub(crate) enum DeclItem {
    Table(Box<StructDecl>),
    Enum(Box<EnumDecl>),
}

pub(crate) struct Resolved {
    pub catalog: Catalog,
    pub origins: CatalogOrigins,
    pub intent: ModelIntent,
}

/// A problem and the index of the file its spans belong to.
pub(crate) type FileProblem = (usize, Problem);

/// Turns (file index, location) into origins and `path:line:col` text for messages.
pub(crate) struct Locator<'a> {
    files: &'a [SourceFile],
    indexes: Vec<LineIndex<'a>>,
}

impl<'a> Locator<'a> {
    fn new(files: &'a [SourceFile]) -> Self {
        let indexes = files
            .iter()
            .map(|file| LineIndex::new(&file.text))
            .collect();
        Self { files, indexes }
    }

    pub fn origin(&self, file: usize, loc: Loc) -> Origin {
        self.indexes[file].origin(&self.files[file].path, loc.byte_range())
    }

    pub fn describe(&self, file: usize, loc: Loc) -> String {
        let origin = self.origin(file, loc);
        format!(
            "{}:{}:{}",
            origin.file.display(),
            origin.line,
            origin.column
        )
    }
}

pub(crate) fn resolve(
    decls: Vec<Declared>,
    files: &[SourceFile],
    problems: &mut Vec<FileProblem>,
) -> Resolved {
    let locator = Locator::new(files);
    let mut schemas: Vec<String> = Vec::new();
    let mut enums: Vec<(usize, EnumDecl)> = Vec::new();
    let mut tables: Vec<(usize, StructDecl)> = Vec::new();
    for declared in decls {
        let schema = match &declared.item {
            DeclItem::Table(decl) => &decl.table.schema,
            DeclItem::Enum(decl) => &decl.ty.schema,
        };
        if !schemas.contains(schema) {
            schemas.push(schema.clone());
        }
        match declared.item {
            DeclItem::Table(decl) => tables.push((declared.file, *decl)),
            DeclItem::Enum(decl) => enums.push((declared.file, *decl)),
        }
    }

    duplicates::check(&enums, &tables, &locator, problems);
    enum_columns::resolve(&mut tables, &enums, &locator, problems);
    references::resolve(&mut tables, problems);

    let origins = CatalogOrigins {
        enums: enums
            .iter()
            .map(|(file, decl)| locator.origin(*file, decl.ident_loc))
            .collect(),
        tables: tables
            .iter()
            .map(|(file, decl)| table_origins(&decl.locs, |loc| locator.origin(*file, loc)))
            .collect(),
    };
    let intent = model_intent(&tables, &enums);
    let catalog = Catalog {
        schemas: schemas
            .into_iter()
            .map(|name| Schema {
                name,
                comment: None,
                grants: Vec::new(),
                revoked_defaults: Vec::new(),
            })
            .collect(),
        extensions: Vec::new(),
        enums: enums.into_iter().map(|(_, decl)| decl.ty).collect(),
        sequences: Vec::new(),
        tables: tables.into_iter().map(|(_, decl)| decl.table).collect(),
        ..Catalog::default()
    };
    Resolved {
        catalog,
        origins,
        intent,
    }
}

/// What the models say beyond the schema: renames (`renamed_from` on structs, fields, enums
/// and variants), backfills and type conversions (`backfill`, `using` on fields).
fn model_intent(tables: &[(usize, StructDecl)], enums: &[(usize, EnumDecl)]) -> ModelIntent {
    let mut intent = ModelIntent::default();
    for (_, decl) in tables {
        let table = &decl.table;
        if let Some(from) = &decl.renamed_from {
            intent.tables.push(Rename {
                schema: table.schema.clone(),
                from: from.clone(),
                to: table.name.clone(),
            });
        }
        for (from, to) in &decl.column_renames {
            intent.columns.push(MemberRename {
                owner: table.qualified_name(),
                from: from.clone(),
                to: to.clone(),
            });
        }
        let expressions = |list: &[(String, String)]| {
            list.iter()
                .map(|(column, expression)| ColumnExpression {
                    table: table.qualified_name(),
                    column: column.clone(),
                    expression: expression.clone(),
                })
                .collect::<Vec<_>>()
        };
        intent.backfills.extend(expressions(&decl.column_backfills));
        intent
            .conversions
            .extend(expressions(&decl.column_conversions));
    }
    for (_, decl) in enums {
        let name = QualifiedName::new(&decl.ty.schema, &decl.ty.name);
        if let Some(from) = &decl.renamed_from {
            intent.enums.push(Rename {
                schema: name.schema.clone(),
                from: from.clone(),
                to: name.name.clone(),
            });
        }
        for (from, to) in &decl.value_renames {
            intent.enum_values.push(MemberRename {
                owner: name.clone(),
                from: from.clone(),
                to: to.clone(),
            });
        }
    }
    intent
}

fn table_origins(locs: &TableLocs, locate: impl Fn(Loc) -> Origin) -> TableOrigins {
    let all = |list: &[Loc]| list.iter().map(|loc| locate(*loc)).collect();
    TableOrigins {
        table: locate(locs.table),
        columns: all(&locs.columns),
        primary_key: locs.primary_key.map(&locate),
        uniques: all(&locs.uniques),
        foreign_keys: all(&locs.foreign_keys),
        checks: all(&locs.checks),
        indexes: all(&locs.indexes),
    }
}
