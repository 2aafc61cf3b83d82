//! The catalog as DDL: [`Catalog::statements`] in an order that creates everything on an
//! empty database (each object after what it uses), and [`Catalog::to_sql`], the canonical
//! dump made of them. `inspect` prints the dump, verification re-creates schemas with it, and
//! normalization runs the statements of the declared models, so all three agree.
//!
//! The order is a topological sort of the catalog's dependencies (`pg_depend`, plus what the
//! statements themselves need: a foreign key after the table it references, a trigger after
//! its table), ties broken by kind (schemas, extensions, collations, text search dictionaries
//! and configurations, enums, domains, composite
//! and range types, sequences, functions, tables with their indexes and settings, views,
//! constraints added later, triggers, policies, sequence ownership, comments) and then by
//! position in the catalog.

use crate::catalog::*;
use crate::deps::ObjectRef;
use crate::ident::QualifiedName;
use crate::sql::{self, CommentOn};
use std::collections::{BTreeSet, BinaryHeap, HashMap};
use std::ops::Range;

/// Where a statement (or a part of a `CREATE TABLE`) comes from: positions in the lists of the
/// catalog it was made from (so a caller with parallel data, e.g. the source locations of
/// models, can find what produced it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// A session setting the statements need (`SET check_function_bodies = false`).
    Setting,
    Schema(usize),
    Extension(usize),
    Enum(usize),
    Sequence(usize),
    Table(usize),
    /// (table, column)
    Column(usize, usize),
    PrimaryKey(usize),
    /// (table, position in `uniques`), and so on for the other table parts.
    Unique(usize, usize),
    Check(usize, usize),
    Exclusion(usize, usize),
    ForeignKey(usize, usize),
    Index(usize, usize),
    Collation(usize),
    TextSearchDictionary(usize),
    TextSearchConfiguration(usize),
    Domain(usize),
    CompositeType(usize),
    RangeType(usize),
    Function(usize),
    View(usize),
    Trigger(usize),
    Policy(usize),
    DefaultPrivileges(usize),
}

/// One statement of the dump.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Statement {
    /// One complete statement ending with `;`.
    pub sql: String,
    pub source: Source,
    /// For `CREATE TABLE`: the character range (PostgreSQL counts characters) of each column
    /// and constraint inside the statement, and its source.
    pub parts: Vec<(Range<usize>, Source)>,
}

impl Statement {
    fn single(sql: String, source: Source) -> Self {
        Self {
            sql,
            source,
            parts: Vec::new(),
        }
    }
}

/// The kinds of blocks, in the order they go when nothing else decides (their rank).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    Setting,
    Schema,
    Extension,
    Collation,
    TextSearchDictionary,
    TextSearchConfiguration,
    Enum,
    Domain,
    CompositeType,
    RangeType,
    Sequence,
    Function,
    Table,
    View,
    Constraint,
    Trigger,
    Policy,
    OwnedBy,
    DefaultPrivileges,
    Comment,
}

impl Kind {
    /// Blocks of these kinds stand apart with a blank line between each; others of one kind
    /// run together as one section.
    fn spaced(self) -> bool {
        matches!(self, Kind::Table | Kind::View | Kind::Function)
    }
}

/// The statements of one object, placed as a unit.
struct Block {
    kind: Kind,
    /// Position among the blocks of its kind: the tie-breaker after the kind.
    position: usize,
    statements: Vec<Statement>,
    /// Indexes of the blocks that must come first.
    after: BTreeSet<usize>,
}

impl Catalog {
    /// Every statement that creates this catalog on an empty database, in an order that works
    /// (see the module documentation). Objects keep the order of their lists where nothing
    /// else decides: a canonical catalog gives the canonical order.
    pub fn statements(&self) -> Vec<Statement> {
        ordered_blocks(self)
            .into_iter()
            .flat_map(|block| block.statements)
            .collect()
    }

    /// The canonical SQL dump: [`Catalog::statements`] of the catalog in canonical order, one
    /// per line, with blank lines between sections and around each table, view and function.
    /// Running it on an empty database re-creates the catalog. An empty catalog dumps to an
    /// empty string.
    pub fn to_sql(&self) -> String {
        let catalog = self.canonical();
        let blocks = ordered_blocks(&catalog);
        let size = blocks
            .iter()
            .flat_map(|block| &block.statements)
            .map(|statement| statement.sql.len() + 2)
            .sum();
        let mut out = String::with_capacity(size);
        let mut previous: Option<Kind> = None;
        for block in blocks {
            if let Some(previous) = previous
                && (previous != block.kind || block.kind.spaced())
            {
                out.push('\n');
            }
            previous = Some(block.kind);
            for statement in block.statements {
                out.push_str(&statement.sql);
                out.push('\n');
            }
        }
        out
    }
}

/// The blocks of `catalog`, sorted: a topological order of their dependencies, ties broken by
/// (kind, position). A cycle (which PostgreSQL itself would refuse to create in one go) is
/// broken at its lowest block.
fn ordered_blocks(catalog: &Catalog) -> Vec<Block> {
    let mut blocks = blocks(catalog);
    let count = blocks.len();
    let mut waiting_for: Vec<usize> = blocks.iter().map(|block| block.after.len()).collect();
    let mut unblocks: Vec<Vec<usize>> = vec![Vec::new(); count];
    for (index, block) in blocks.iter().enumerate() {
        for &before in &block.after {
            unblocks[before].push(index);
        }
    }
    // Min-heap on (kind, position, index).
    let key = |blocks: &[Block], index: usize| {
        std::cmp::Reverse((blocks[index].kind, blocks[index].position, index))
    };
    let mut ready: BinaryHeap<std::cmp::Reverse<(Kind, usize, usize)>> = (0..count)
        .filter(|&index| waiting_for[index] == 0)
        .map(|index| key(&blocks, index))
        .collect();
    let mut placed = vec![false; count];
    let mut order = Vec::with_capacity(count);
    while order.len() < count {
        let next = match ready.pop() {
            Some(std::cmp::Reverse((_, _, index))) => index,
            // A cycle: place the lowest block that is left.
            None => match (0..count)
                .filter(|&index| !placed[index])
                .min_by_key(|&index| (blocks[index].kind, blocks[index].position, index))
            {
                Some(index) => index,
                None => break,
            },
        };
        if placed[next] {
            continue;
        }
        placed[next] = true;
        order.push(next);
        for &after in &unblocks[next] {
            waiting_for[after] = waiting_for[after].saturating_sub(1);
            if waiting_for[after] == 0 && !placed[after] {
                ready.push(key(&blocks, after));
            }
        }
    }
    let mut slots: Vec<Option<Block>> = blocks.drain(..).map(Some).collect();
    order
        .into_iter()
        .filter_map(|index| slots[index].take())
        .collect()
}

/// Which block holds what an [`ObjectRef`] names.
#[derive(Default)]
struct Providers {
    relations: HashMap<QualifiedName, usize>,
    types: HashMap<QualifiedName, usize>,
    functions: HashMap<crate::objects::FunctionId, usize>,
    sequences: HashMap<QualifiedName, usize>,
    collations: HashMap<QualifiedName, usize>,
    text_search_dictionaries: HashMap<QualifiedName, usize>,
    text_search_configurations: HashMap<QualifiedName, usize>,
    /// Index names (schema-qualified) of tables and materialized views.
    indexes: HashMap<QualifiedName, usize>,
    /// Constraints added after their table, by table and name (nested so that a lookup
    /// borrows the names instead of building a key).
    late_constraints: HashMap<QualifiedName, HashMap<String, usize>>,
    triggers: HashMap<QualifiedName, HashMap<String, usize>>,
    policies: HashMap<QualifiedName, HashMap<String, usize>>,
}

impl Providers {
    fn block_of(&self, object: &ObjectRef) -> Option<usize> {
        match object {
            ObjectRef::Relation(name) => self.relations.get(name).copied(),
            ObjectRef::Column { relation, .. } => self.relations.get(relation).copied(),
            ObjectRef::Default { table, .. } => self.relations.get(table).copied(),
            ObjectRef::Constraint { table, name } => self
                .late_constraints
                .get(table)
                .and_then(|constraints| constraints.get(name))
                .or_else(|| self.relations.get(table))
                .copied(),
            ObjectRef::Index(name) => self.indexes.get(name).copied(),
            ObjectRef::Trigger { table, name } => self
                .triggers
                .get(table)
                .and_then(|triggers| triggers.get(name))
                .copied(),
            ObjectRef::Policy { table, name } => self
                .policies
                .get(table)
                .and_then(|policies| policies.get(name))
                .copied(),
            ObjectRef::Type(name) | ObjectRef::DomainConstraint { domain: name, .. } => {
                self.types.get(name).copied()
            }
            ObjectRef::Function(id) => self.functions.get(id).copied(),
            ObjectRef::Sequence(name) => self.sequences.get(name).copied(),
            ObjectRef::Collation(name) => self.collations.get(name).copied(),
            ObjectRef::TextSearchDictionary(name) => {
                self.text_search_dictionaries.get(name).copied()
            }
            ObjectRef::TextSearchConfiguration(name) => {
                self.text_search_configurations.get(name).copied()
            }
        }
    }
}

fn blocks(catalog: &Catalog) -> Vec<Block> {
    let mut blocks: Vec<Block> = Vec::new();
    let mut providers = Providers::default();
    let push = |blocks: &mut Vec<Block>, kind: Kind, position: usize, statements| {
        blocks.push(Block {
            kind,
            position,
            statements,
            after: BTreeSet::new(),
        });
        blocks.len() - 1
    };
    if !catalog.functions.is_empty() {
        // Function bodies may use tables and functions created later (only `BEGIN ATOMIC`
        // bodies are tracked by pg_depend); pg_dump sets the same.
        push(
            &mut blocks,
            Kind::Setting,
            0,
            vec![Statement::single(
                "SET check_function_bodies = false;".to_string(),
                Source::Setting,
            )],
        );
    }
    for (i, schema) in catalog.schemas.iter().enumerate() {
        let statements = std::iter::once(sql::create_schema(schema))
            .chain(sql::privileges(
                sql::GrantOn::Schema(&schema.name),
                &schema.grants,
                &schema.revoked_defaults,
            ))
            .map(|sql| Statement::single(sql, Source::Schema(i)))
            .collect();
        push(&mut blocks, Kind::Schema, i, statements);
    }
    let mut extensions: HashMap<&str, usize> = HashMap::new();
    for (i, extension) in catalog.extensions.iter().enumerate() {
        let statement = Statement::single(sql::create_extension(extension), Source::Extension(i));
        let block = push(&mut blocks, Kind::Extension, i, vec![statement]);
        extensions.insert(&extension.name, block);
    }
    // `CREATE EXTENSION` without `CASCADE` needs the extensions it requires.
    for extension in &catalog.extensions {
        let required: Vec<usize> = extension
            .requires
            .iter()
            .filter_map(|name| extensions.get(name.as_str()).copied())
            .collect();
        if let Some(&block) = extensions.get(extension.name.as_str()) {
            blocks[block].after.extend(required);
        }
    }
    for (i, collation) in catalog.collations.iter().enumerate() {
        let statement = Statement::single(sql::create_collation(collation), Source::Collation(i));
        let block = push(&mut blocks, Kind::Collation, i, vec![statement]);
        providers
            .collations
            .insert(collation.qualified_name(), block);
    }
    for (i, dictionary) in catalog.text_search_dictionaries.iter().enumerate() {
        let statement = Statement::single(
            sql::create_text_search_dictionary(dictionary),
            Source::TextSearchDictionary(i),
        );
        let block = push(&mut blocks, Kind::TextSearchDictionary, i, vec![statement]);
        providers
            .text_search_dictionaries
            .insert(dictionary.qualified_name(), block);
    }
    for (i, configuration) in catalog.text_search_configurations.iter().enumerate() {
        let statements = sql::create_text_search_configuration(configuration)
            .into_iter()
            .map(|sql| Statement::single(sql, Source::TextSearchConfiguration(i)))
            .collect();
        let block = push(&mut blocks, Kind::TextSearchConfiguration, i, statements);
        providers
            .text_search_configurations
            .insert(configuration.qualified_name(), block);
    }
    for (i, enum_type) in catalog.enums.iter().enumerate() {
        let name = QualifiedName::new(&enum_type.schema, &enum_type.name);
        let statements = std::iter::once(sql::create_enum(enum_type))
            .chain(sql::privileges(
                sql::GrantOn::Type(&name),
                &enum_type.grants,
                &enum_type.revoked_defaults,
            ))
            .map(|sql| Statement::single(sql, Source::Enum(i)))
            .collect();
        let block = push(&mut blocks, Kind::Enum, i, statements);
        providers.types.insert(name, block);
    }
    for (i, domain) in catalog.domains.iter().enumerate() {
        let name = QualifiedName::new(&domain.schema, &domain.name);
        let statements = sql::create_domain(domain)
            .into_iter()
            .chain(sql::privileges(
                sql::GrantOn::Type(&name),
                &domain.grants,
                &domain.revoked_defaults,
            ))
            .map(|sql| Statement::single(sql, Source::Domain(i)))
            .collect();
        let block = push(&mut blocks, Kind::Domain, i, statements);
        providers.types.insert(name, block);
    }
    for (i, composite) in catalog.composite_types.iter().enumerate() {
        let name = QualifiedName::new(&composite.schema, &composite.name);
        let statements = std::iter::once(sql::create_composite_type(composite))
            .chain(sql::privileges(
                sql::GrantOn::Type(&name),
                &composite.grants,
                &composite.revoked_defaults,
            ))
            .map(|sql| Statement::single(sql, Source::CompositeType(i)))
            .collect();
        let block = push(&mut blocks, Kind::CompositeType, i, statements);
        providers.types.insert(name, block);
    }
    for (i, range) in catalog.range_types.iter().enumerate() {
        let name = QualifiedName::new(&range.schema, &range.name);
        let statements = std::iter::once(sql::create_range_type(range))
            .chain(sql::privileges(
                sql::GrantOn::Type(&name),
                &range.grants,
                &range.revoked_defaults,
            ))
            .map(|sql| Statement::single(sql, Source::RangeType(i)))
            .collect();
        let block = push(&mut blocks, Kind::RangeType, i, statements);
        providers.types.insert(name, block);
    }
    for (i, sequence) in catalog.sequences.iter().enumerate() {
        let name = QualifiedName::new(&sequence.schema, &sequence.name);
        let statements = std::iter::once(sql::create_sequence(sequence))
            .chain(sql::privileges(
                sql::GrantOn::Sequence(&name),
                &sequence.grants,
                &[],
            ))
            .map(|sql| Statement::single(sql, Source::Sequence(i)))
            .collect();
        let block = push(&mut blocks, Kind::Sequence, i, statements);
        let name = QualifiedName::new(&sequence.schema, &sequence.name);
        providers.sequences.insert(name, block);
    }
    for (i, function) in catalog.functions.iter().enumerate() {
        let id = function.id();
        let statements = std::iter::once(sql::create_function(function))
            .chain(sql::privileges(
                sql::GrantOn::Function(function.kind, &id),
                &function.grants,
                &function.revoked_defaults,
            ))
            .map(|sql| Statement::single(sql, Source::Function(i)))
            .collect();
        let block = push(&mut blocks, Kind::Function, i, statements);
        providers.functions.insert(function.id(), block);
    }
    for (i, table) in catalog.tables.iter().enumerate() {
        let name = table.qualified_name();
        let mut statements = vec![create_table(table, i)];
        for (j, column) in table.columns.iter().enumerate() {
            statements.extend(
                sql::column_settings(&name, column)
                    .into_iter()
                    .map(|sql| Statement::single(sql, Source::Column(i, j))),
            );
        }
        statements.extend(table.indexes.iter().enumerate().map(|(j, index)| {
            Statement::single(sql::create_index(&name, index), Source::Index(i, j))
        }));
        // After the indexes: a replica identity may name one.
        statements.extend(
            sql::table_settings(table)
                .into_iter()
                .chain(sql::privileges(
                    sql::GrantOn::Table(&name),
                    &table.grants,
                    &[],
                ))
                .map(|sql| Statement::single(sql, Source::Table(i))),
        );
        let block = push(&mut blocks, Kind::Table, i, statements);
        providers.relations.insert(name.clone(), block);
        let constraint_indexes = table
            .primary_key
            .iter()
            .map(|pk| &pk.name)
            .chain(table.uniques.iter().map(|unique| &unique.name))
            .chain(table.exclusions.iter().map(|exclusion| &exclusion.name))
            .chain(table.indexes.iter().map(|index| &index.name));
        for index in constraint_indexes {
            providers
                .indexes
                .insert(QualifiedName::new(&table.schema, index), block);
        }
    }
    for (i, view) in catalog.views.iter().enumerate() {
        let name = view.qualified_name();
        let mut statements = vec![Statement::single(sql::create_view(view), Source::View(i))];
        statements.extend(
            view.indexes
                .iter()
                .map(|index| Statement::single(sql::create_index(&name, index), Source::View(i))),
        );
        statements.extend(
            view.grants
                .iter()
                .map(|grant| Statement::single(grant.clone(), Source::View(i))),
        );
        let block = push(&mut blocks, Kind::View, i, statements);
        providers.relations.insert(name, block);
        for index in &view.indexes {
            providers
                .indexes
                .insert(QualifiedName::new(&view.schema, &index.name), block);
        }
    }
    // Constraints that go after every table: foreign keys (cycles, self-references) and
    // NOT VALID checks (which CREATE TABLE cannot hold).
    let mut structural: Vec<(usize, ObjectRef)> = Vec::new();
    // A partition after its parent, an inheritance child after its parents.
    for table in &catalog.tables {
        if let Some(&block) = providers.relations.get(&table.qualified_name()) {
            for parent in table.parents() {
                structural.push((block, ObjectRef::Relation(parent.clone())));
            }
        }
    }
    for (i, table) in catalog.tables.iter().enumerate() {
        let name = table.qualified_name();
        for (j, foreign_key) in table.foreign_keys.iter().enumerate() {
            let statement = Statement::single(
                sql::add_constraint(
                    &name,
                    &sql::foreign_key_definition(foreign_key),
                    foreign_key.not_valid,
                ),
                Source::ForeignKey(i, j),
            );
            let position = blocks.len();
            let block = push(&mut blocks, Kind::Constraint, position, vec![statement]);
            providers
                .late_constraints
                .entry(name.clone())
                .or_default()
                .insert(foreign_key.name.clone(), block);
            structural.push((block, ObjectRef::Relation(name.clone())));
            structural.push((block, ObjectRef::Relation(foreign_key.references.clone())));
        }
        for (j, check) in table.checks.iter().enumerate() {
            if !check.not_valid {
                continue;
            }
            let statement = Statement::single(
                sql::add_constraint(&name, &sql::check_definition(check), true),
                Source::Check(i, j),
            );
            let position = blocks.len();
            let block = push(&mut blocks, Kind::Constraint, position, vec![statement]);
            providers
                .late_constraints
                .entry(name.clone())
                .or_default()
                .insert(check.name.clone(), block);
            structural.push((block, ObjectRef::Relation(name.clone())));
        }
    }
    for (i, trigger) in catalog.triggers.iter().enumerate() {
        let statements = sql::create_trigger(trigger)
            .into_iter()
            .map(|sql| Statement::single(sql, Source::Trigger(i)))
            .collect();
        let block = push(&mut blocks, Kind::Trigger, i, statements);
        providers
            .triggers
            .entry(trigger.table.clone())
            .or_default()
            .insert(trigger.name.clone(), block);
        structural.push((block, ObjectRef::Relation(trigger.table.clone())));
    }
    for (i, policy) in catalog.policies.iter().enumerate() {
        let statement = Statement::single(sql::create_policy(policy), Source::Policy(i));
        let block = push(&mut blocks, Kind::Policy, i, vec![statement]);
        providers
            .policies
            .entry(policy.table.clone())
            .or_default()
            .insert(policy.name.clone(), block);
        structural.push((block, ObjectRef::Relation(policy.table.clone())));
    }
    for (i, sequence) in catalog.sequences.iter().enumerate() {
        let (Some(statement), Some(owner)) = (sql::sequence_owned_by(sequence), &sequence.owned_by)
        else {
            continue;
        };
        let block = push(
            &mut blocks,
            Kind::OwnedBy,
            i,
            vec![Statement::single(statement, Source::Sequence(i))],
        );
        structural.push((block, ObjectRef::Relation(owner.table.clone())));
    }
    // Default privileges last: they apply to objects created after them.
    for (i, defaults) in catalog.default_privileges.iter().enumerate() {
        let statements = sql::default_privileges(defaults)
            .into_iter()
            .map(|sql| Statement::single(sql, Source::DefaultPrivileges(i)))
            .collect();
        let everything: Vec<usize> = (0..blocks.len()).collect();
        let block = push(&mut blocks, Kind::DefaultPrivileges, i, statements);
        blocks[block].after.extend(everything);
    }
    let comments = comments(catalog);
    if !comments.is_empty() {
        let everything: Vec<usize> = (0..blocks.len()).collect();
        let block = push(&mut blocks, Kind::Comment, 0, comments);
        blocks[block].after.extend(everything);
    }

    for (block, on) in structural {
        if let Some(before) = providers.block_of(&on).filter(|&before| before != block) {
            blocks[block].after.insert(before);
        }
    }
    for dependency in &catalog.dependencies {
        let (Some(dependent), Some(on)) = (
            providers.block_of(&dependency.dependent),
            providers.block_of(&dependency.on),
        ) else {
            continue;
        };
        if dependent != on {
            blocks[dependent].after.insert(on);
        }
    }
    blocks
}

/// `CREATE TABLE` with columns, primary key, uniques, valid checks and exclusions inline,
/// remembering where each part sits.
fn create_table(table: &Table, i: usize) -> Statement {
    let mut parts: Vec<(String, Source)> = table
        .columns
        .iter()
        .enumerate()
        .map(|(j, column)| (sql::column_definition(column), Source::Column(i, j)))
        .collect();
    if let Some(primary_key) = &table.primary_key {
        parts.push((
            sql::primary_key_definition(primary_key),
            Source::PrimaryKey(i),
        ));
    }
    parts.extend(
        table
            .uniques
            .iter()
            .enumerate()
            .map(|(j, unique)| (sql::unique_definition(unique), Source::Unique(i, j))),
    );
    parts.extend(
        table
            .checks
            .iter()
            .enumerate()
            .filter(|(_, check)| !check.not_valid)
            .map(|(j, check)| (sql::check_definition(check), Source::Check(i, j))),
    );
    parts.extend(table.exclusions.iter().enumerate().map(|(j, exclusion)| {
        (
            sql::exclusion_definition(exclusion),
            Source::Exclusion(i, j),
        )
    }));
    // A partition names its parent instead of listing columns (see `sql::create_table`).
    if table.partition_of.is_some() {
        return Statement::single(sql::create_table(table), Source::Table(i));
    }
    let unlogged = if table.unlogged { "UNLOGGED " } else { "" };
    let mut text = format!(
        "CREATE {unlogged}TABLE {} (",
        table.qualified_name().quoted()
    );
    let mut ranges = Vec::with_capacity(parts.len());
    // Characters so far, counted once per piece (recounting the text for every part made
    // a wide table's statement quadratic).
    let mut characters = text.chars().count();
    for (position, (part, source)) in parts.iter().enumerate() {
        let separator = if position == 0 { "\n    " } else { ",\n    " };
        text.push_str(separator);
        characters += separator.chars().count();
        let start = characters;
        text.push_str(part);
        characters += part.chars().count();
        ranges.push((start..characters, *source));
    }
    if !parts.is_empty() {
        text.push('\n');
    }
    text.push(')');
    text.push_str(&sql::inherits(table));
    text.push_str(&sql::partition_by(table));
    text.push_str(&sql::table_with(table));
    text.push(';');
    Statement {
        sql: text,
        source: Source::Table(i),
        parts: ranges,
    }
}

/// Every comment in the catalog.
fn comments(catalog: &Catalog) -> Vec<Statement> {
    let mut out = Vec::new();
    let mut comment = |target: CommentOn<'_>, comment: &Option<String>, source: Source| {
        if comment.is_some() {
            out.push(Statement::single(sql::comment_on(target, comment), source));
        }
    };
    for (i, schema) in catalog.schemas.iter().enumerate() {
        comment(
            CommentOn::Schema(&schema.name),
            &schema.comment,
            Source::Schema(i),
        );
    }
    for (i, enum_type) in catalog.enums.iter().enumerate() {
        let name = QualifiedName::new(&enum_type.schema, &enum_type.name);
        comment(CommentOn::Type(&name), &enum_type.comment, Source::Enum(i));
    }
    for (i, sequence) in catalog.sequences.iter().enumerate() {
        let name = QualifiedName::new(&sequence.schema, &sequence.name);
        comment(
            CommentOn::Sequence(&name),
            &sequence.comment,
            Source::Sequence(i),
        );
    }
    for (i, table) in catalog.tables.iter().enumerate() {
        let name = table.qualified_name();
        comment(CommentOn::Table(&name), &table.comment, Source::Table(i));
        for (j, column) in table.columns.iter().enumerate() {
            comment(
                CommentOn::Column(&name, &column.name),
                &column.comment,
                Source::Column(i, j),
            );
        }
        if let Some(pk) = &table.primary_key {
            comment(
                CommentOn::Constraint(&name, &pk.name),
                &pk.comment,
                Source::PrimaryKey(i),
            );
        }
        for (j, unique) in table.uniques.iter().enumerate() {
            comment(
                CommentOn::Constraint(&name, &unique.name),
                &unique.comment,
                Source::Unique(i, j),
            );
        }
        for (j, check) in table.checks.iter().enumerate() {
            comment(
                CommentOn::Constraint(&name, &check.name),
                &check.comment,
                Source::Check(i, j),
            );
        }
        for (j, exclusion) in table.exclusions.iter().enumerate() {
            comment(
                CommentOn::Constraint(&name, &exclusion.name),
                &exclusion.comment,
                Source::Exclusion(i, j),
            );
        }
        for (j, foreign_key) in table.foreign_keys.iter().enumerate() {
            comment(
                CommentOn::Constraint(&name, &foreign_key.name),
                &foreign_key.comment,
                Source::ForeignKey(i, j),
            );
        }
        for (j, index) in table.indexes.iter().enumerate() {
            let index_name = QualifiedName::new(&table.schema, &index.name);
            comment(
                CommentOn::Index(&index_name),
                &index.comment,
                Source::Index(i, j),
            );
        }
        // Comments on the constraints' own indexes (named as their constraint).
        let constraint_indexes = table
            .primary_key
            .iter()
            .map(|c| (&c.name, &c.index_comment, Source::PrimaryKey(i)))
            .chain(
                table
                    .uniques
                    .iter()
                    .enumerate()
                    .map(|(j, c)| (&c.name, &c.index_comment, Source::Unique(i, j))),
            )
            .chain(
                table
                    .exclusions
                    .iter()
                    .enumerate()
                    .map(|(j, c)| (&c.name, &c.index_comment, Source::Exclusion(i, j))),
            );
        for (index, text, source) in constraint_indexes {
            let index_name = QualifiedName::new(&table.schema, index);
            comment(CommentOn::Index(&index_name), text, source);
        }
    }
    for (i, collation) in catalog.collations.iter().enumerate() {
        let name = collation.qualified_name();
        comment(
            CommentOn::Collation(&name),
            &collation.comment,
            Source::Collation(i),
        );
    }
    for (i, dictionary) in catalog.text_search_dictionaries.iter().enumerate() {
        comment(
            CommentOn::TextSearchDictionary(&dictionary.qualified_name()),
            &dictionary.comment,
            Source::TextSearchDictionary(i),
        );
    }
    for (i, configuration) in catalog.text_search_configurations.iter().enumerate() {
        comment(
            CommentOn::TextSearchConfiguration(&configuration.qualified_name()),
            &configuration.comment,
            Source::TextSearchConfiguration(i),
        );
    }
    for (i, domain) in catalog.domains.iter().enumerate() {
        let name = QualifiedName::new(&domain.schema, &domain.name);
        comment(CommentOn::Domain(&name), &domain.comment, Source::Domain(i));
        for check in &domain.checks {
            comment(
                CommentOn::DomainConstraint(&name, &check.name),
                &check.comment,
                Source::Domain(i),
            );
        }
    }
    for (i, composite) in catalog.composite_types.iter().enumerate() {
        let name = QualifiedName::new(&composite.schema, &composite.name);
        comment(
            CommentOn::Type(&name),
            &composite.comment,
            Source::CompositeType(i),
        );
        for attribute in &composite.attributes {
            comment(
                CommentOn::Column(&name, &attribute.name),
                &attribute.comment,
                Source::CompositeType(i),
            );
        }
    }
    for (i, range) in catalog.range_types.iter().enumerate() {
        let name = QualifiedName::new(&range.schema, &range.name);
        comment(CommentOn::Type(&name), &range.comment, Source::RangeType(i));
    }
    for (i, function) in catalog.functions.iter().enumerate() {
        comment(
            CommentOn::Function(function.kind, &function.id()),
            &function.comment,
            Source::Function(i),
        );
    }
    for (i, view) in catalog.views.iter().enumerate() {
        let name = view.qualified_name();
        let target = if view.materialized {
            CommentOn::MaterializedView(&name)
        } else {
            CommentOn::View(&name)
        };
        comment(target, &view.comment, Source::View(i));
        for (column, text) in &view.column_comments {
            comment(
                CommentOn::Column(&name, column),
                &Some(text.clone()),
                Source::View(i),
            );
        }
        for index in &view.indexes {
            let index_name = QualifiedName::new(&view.schema, &index.name);
            comment(
                CommentOn::Index(&index_name),
                &index.comment,
                Source::View(i),
            );
        }
    }
    for (i, trigger) in catalog.triggers.iter().enumerate() {
        comment(
            CommentOn::Trigger(&trigger.table, &trigger.name),
            &trigger.comment,
            Source::Trigger(i),
        );
    }
    for (i, policy) in catalog.policies.iter().enumerate() {
        comment(
            CommentOn::Policy(&policy.table, &policy.name),
            &policy.comment,
            Source::Policy(i),
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Dependency, View, catalog_from_json};

    #[test]
    fn objects_follow_what_they_use_whatever_their_kind() {
        // v2 uses v1 (by name v1 sorts after v2's position), and f returns t's row type.
        let mut catalog = catalog_from_json(
            r#"{"tables": [{"schema": "public", "name": "t", "columns": []}],
                "functions": [{"schema": "public", "name": "f", "identity_arguments": "",
                               "arguments": "", "result": "SETOF public.t",
                               "definition": "CREATE OR REPLACE FUNCTION public.f() RETURNS SETOF public.t LANGUAGE sql BEGIN ATOMIC SELECT * FROM public.t; END"}]}"#,
        )
        .expect("catalog");
        let view = |name: &str, definition: &str| View {
            schema: "public".into(),
            name: name.into(),
            materialized: false,
            definition: definition.into(),
            column_types: Vec::new(),
            columns: vec![],
            options: vec![],
            unpopulated: false,
            comment: None,
            column_comments: vec![],
            indexes: vec![],
            grants: vec![],
        };
        catalog.views = vec![
            view("a_second", "SELECT 1 FROM public.z_first"),
            view("z_first", "SELECT 1"),
        ];
        let relation = |name: &str| ObjectRef::Relation(QualifiedName::new("public", name));
        catalog.dependencies = vec![
            Dependency {
                dependent: relation("a_second"),
                on: relation("z_first"),
            },
            Dependency {
                dependent: ObjectRef::Function(catalog.functions[0].id()),
                on: relation("t"),
            },
        ];
        let sql = catalog.to_sql();
        let position = |text: &str| sql.find(text).unwrap_or_else(|| panic!("{text} in\n{sql}"));
        assert!(position("SET check_function_bodies") < position("CREATE TABLE"));
        assert!(position("CREATE TABLE \"public\".\"t\"") < position("FUNCTION public.f()"));
        assert!(position("VIEW \"public\".\"z_first\"") < position("VIEW \"public\".\"a_second\""));
    }

    #[test]
    fn extensions_follow_the_ones_they_require() {
        let catalog = catalog_from_json(
            r#"{"extensions": [
                {"name": "a_uses_z", "schema": "public", "version": "1", "requires": ["z_base"]},
                {"name": "m", "schema": "public", "version": "1"},
                {"name": "z_base", "schema": "public", "version": "1"}]}"#,
        )
        .expect("catalog");
        let sql = catalog.to_sql();
        let position = |text: &str| sql.find(text).unwrap_or_else(|| panic!("{text} in\n{sql}"));
        assert!(position("\"z_base\"") < position("\"a_uses_z\""));
        assert!(position("\"m\"") < position("\"z_base\""));
        assert_eq!(catalog.extension_creation_order(), [1, 2, 0]);
    }

    #[test]
    fn table_parts_are_character_ranges_of_their_statement() {
        let catalog = catalog_from_json(
            r#"{"tables": [{"schema": "public", "name": "tästä", "columns": [
                {"name": "größe", "data_type": "integer"},
                {"name": "名前", "data_type": "text", "not_null": true}],
                "checks": [{"name": "größe_positiv", "expression": "(\"größe\" > 0)"}]}]}"#,
        )
        .expect("catalog");
        let statement = &catalog.statements()[0];
        let texts: Vec<String> = statement
            .parts
            .iter()
            .map(|(range, _)| {
                statement
                    .sql
                    .chars()
                    .skip(range.start)
                    .take(range.end - range.start)
                    .collect()
            })
            .collect();
        assert_eq!(
            texts,
            [
                "\"größe\" integer",
                "\"名前\" text NOT NULL",
                "CONSTRAINT \"größe_positiv\" CHECK ((\"größe\" > 0))",
            ]
        );
    }

    #[test]
    fn a_cycle_is_broken_instead_of_losing_objects() {
        let mut catalog = Catalog::default();
        let view = |name: &str| View {
            schema: "s".into(),
            name: name.into(),
            materialized: false,
            definition: "SELECT 1".into(),
            column_types: Vec::new(),
            columns: vec![],
            options: vec![],
            unpopulated: false,
            comment: None,
            column_comments: vec![],
            indexes: vec![],
            grants: vec![],
        };
        catalog.views = vec![view("a"), view("b")];
        let relation = |name: &str| ObjectRef::Relation(QualifiedName::new("s", name));
        catalog.dependencies = vec![
            Dependency {
                dependent: relation("a"),
                on: relation("b"),
            },
            Dependency {
                dependent: relation("b"),
                on: relation("a"),
            },
        ];
        assert_eq!(catalog.statements().len(), 2);
    }
}
