//! Plan verification (DESIGN principle 3): before anyone sees a plan, re-create the current
//! schema in a fresh dev database, apply `up`, and require the result to equal the desired
//! schema; then apply `down` and require the current schema again. A plan that does not
//! converge is an internal error, reported with what is left over. The current schema is
//! re-created whole by its dump (`Catalog::to_sql`: views, routines and triggers included),
//! so the views a plan drops and re-creates (docs/diff.md, "Views") exist on the copy and
//! their statements run. A current schema that holds objects autogen does not model (which
//! its dump cannot re-create) is re-created by running the revision chain it was replayed from
//! instead, when it was ([`CurrentStart::Chain`]).

use crate::dev::{DevPool, drop_quietly};
use crate::error::{EngineError, TypeNeedsConversion};
use crate::progress::Task;
use crate::step::step;
use autogen_diff::{Change, ColumnChange, Migration, Plan, Verification};
use autogen_introspect::InspectOptions;
use autogen_migrate::RevisionGraph;
use autogen_schema::{Catalog, ObjectRef, QualifiedName};
use std::collections::{BTreeSet, HashMap};
use tracing::Instrument;

/// How the scratch database gets the current schema.
#[derive(Debug, Clone, Copy)]
pub enum CurrentStart<'a> {
    /// From its dump (`Catalog::to_sql`).
    Dump,
    /// By running this revision chain to its single head: the current schema was replayed from
    /// it and holds objects autogen does not model, which the dump leaves out.
    Chain(&'a RevisionGraph),
}

/// Verifies `migration` from `current` to `desired`.
pub async fn verify(
    dev: &DevPool,
    options: &InspectOptions,
    current: &Catalog,
    desired: &Catalog,
    migration: &Migration,
    start: CurrentStart<'_>,
) -> Result<Verification, EngineError> {
    let up = &migration.up;
    let down = migration.down.as_ref().ok();
    // Re-creating a large schema costs far more than the plan: first verify on the tables the
    // plan touches only (with what they, their foreign keys and the kept views need), and fall
    // back to the whole schema should that not work out. A chain re-creates it whole.
    let part = match start {
        CurrentStart::Dump => touched_part(current, desired, migration),
        CurrentStart::Chain(_) => None,
    };
    if let Some((current_part, desired_part)) = part {
        let database = dev
            .database()
            .instrument(step("verify: create a scratch database"))
            .await?;
        let result = run(
            dev,
            &database,
            options,
            (&current_part, CurrentStart::Dump),
            &desired_part,
            up,
            down,
        )
        .await;
        drop_quietly(database)
            .instrument(step("verify: drop the scratch database"))
            .await;
        match result {
            // The user's to resolve; the whole schema would say the same.
            Err(error @ EngineError::TypeNeedsConversion(_)) => return Err(error),
            Ok(verified) => {
                tracing::info!(
                    "verified on the {} table(s) the plan touches (of {})",
                    current_part.tables.len().max(desired_part.tables.len()),
                    current.tables.len().max(desired.tables.len())
                );
                return Ok(verified);
            }
            Err(error) => tracing::info!(
                "verification on the touched tables failed ({error}); verifying on the whole schema"
            ),
        }
    }
    let database = dev
        .database()
        .instrument(step("verify: create a scratch database"))
        .await?;
    let result = run(dev, &database, options, (current, start), desired, up, down).await;
    drop_quietly(database)
        .instrument(step("verify: drop the scratch database"))
        .await;
    result
}

/// `current` and `desired` with only the tables the change between them touches, when that
/// is fewer than all; every schema, extension, enum type and sequence stays (a sequence owned
/// by a table left out is kept unowned on both sides). Both keep the same selection of other
/// objects, each where it has them: the ones either plan changes, the views and routines that
/// use a touched table or object (the plan may run into them), and everything all of these
/// use (routines, types, collations, tables), by either catalog's dependency edges, until
/// nothing is added.
fn touched_part(
    current: &Catalog,
    desired: &Catalog,
    migration: &Migration,
) -> Option<(Catalog, Catalog)> {
    let all = current.tables.len().max(desired.tables.len());
    if migration.touched_tables.len() >= all {
        return None;
    }
    let graphs = [Graph::of(current), Graph::of(desired)];
    let mut selected: BTreeSet<ObjectRef> = migration
        .touched_tables
        .iter()
        .cloned()
        .map(ObjectRef::Relation)
        .chain(migration.touched_objects.iter().cloned())
        .collect();
    loop {
        let before = selected.len();
        for graph in &graphs {
            let roots: Vec<ObjectRef> = selected.iter().cloned().collect();
            let users = graph.users(&roots);
            selected.extend(graph.needs(roots.into_iter().chain(users)));
        }
        if selected.len() == before {
            break;
        }
    }
    let tables: BTreeSet<QualifiedName> = selected
        .iter()
        .filter_map(|object| graphs.iter().find_map(|graph| graph.table(object)))
        .collect();
    if tables.len() >= all {
        return None;
    }
    Some((
        part(current, &tables, &selected),
        part(desired, &tables, &selected),
    ))
}

/// `catalog` with the tables in `tables`, all schemas, extensions, enum types, sequences and
/// text search dictionaries and configurations,
/// the other objects in `needed` it has, the triggers on the tables and views it keeps, the
/// policies of its tables and
/// the dependency edges between what it keeps.
fn part(
    catalog: &Catalog,
    tables: &BTreeSet<QualifiedName>,
    needed: &BTreeSet<ObjectRef>,
) -> Catalog {
    let has = |object: &ObjectRef| needed.contains(object);
    let type_named =
        |schema: &str, name: &str| has(&ObjectRef::Type(QualifiedName::new(schema, name)));
    let mut part = Catalog {
        schemas: catalog.schemas.clone(),
        extensions: catalog.extensions.clone(),
        enums: catalog.enums.clone(),
        sequences: catalog.sequences.clone(),
        tables: catalog
            .tables
            .iter()
            .filter(|table| tables.contains(&table.qualified_name()))
            .cloned()
            .collect(),
        collations: catalog
            .collations
            .iter()
            .filter(|collation| has(&ObjectRef::Collation(collation.qualified_name())))
            .cloned()
            .collect(),
        // All of them, as enum types and sequences: few and cheap, and a routine's body or a
        // `to_tsvector('name', …)` over text names one where `pg_depend` does not see it.
        text_search_dictionaries: catalog.text_search_dictionaries.clone(),
        text_search_configurations: catalog.text_search_configurations.clone(),
        domains: catalog
            .domains
            .iter()
            .filter(|domain| type_named(&domain.schema, &domain.name))
            .cloned()
            .collect(),
        composite_types: catalog
            .composite_types
            .iter()
            .filter(|composite| type_named(&composite.schema, &composite.name))
            .cloned()
            .collect(),
        range_types: catalog
            .range_types
            .iter()
            .filter(|range| type_named(&range.schema, &range.name))
            .cloned()
            .collect(),
        functions: catalog
            .functions
            .iter()
            .filter(|function| has(&ObjectRef::Function(function.id())))
            .cloned()
            .collect(),
        views: catalog
            .views
            .iter()
            .filter(|view| has(&ObjectRef::Relation(view.qualified_name())))
            .cloned()
            .collect(),
        triggers: Vec::new(),
        policies: Vec::new(),
        // They apply to objects created later: the plan may create some.
        default_privileges: catalog.default_privileges.clone(),
        dependencies: Vec::new(),
    };
    let relations: BTreeSet<QualifiedName> = tables
        .iter()
        .cloned()
        .chain(part.views.iter().map(|view| view.qualified_name()))
        .collect();
    part.triggers = catalog
        .triggers
        .iter()
        .filter(|trigger| relations.contains(&trigger.table))
        .cloned()
        .collect();
    part.policies = catalog
        .policies
        .iter()
        .filter(|policy| tables.contains(&policy.table))
        .cloned()
        .collect();
    let indexes: BTreeSet<QualifiedName> = part
        .tables
        .iter()
        .flat_map(|table| {
            table
                .indexes
                .iter()
                .map(|index| &index.name)
                .chain(table.primary_key.iter().map(|key| &key.name))
                .chain(table.uniques.iter().map(|unique| &unique.name))
                .chain(table.exclusions.iter().map(|exclusion| &exclusion.name))
                .map(|name| QualifiedName::new(&table.schema, name))
        })
        .chain(part.views.iter().flat_map(|view| {
            view.indexes
                .iter()
                .map(|index| QualifiedName::new(&view.schema, &index.name))
        }))
        .collect();
    let kept = |object: &ObjectRef| match object {
        ObjectRef::Index(name) => indexes.contains(name),
        ObjectRef::Sequence(_)
        | ObjectRef::TextSearchDictionary(_)
        | ObjectRef::TextSearchConfiguration(_) => true,
        ObjectRef::Type(name) => {
            has(object)
                || part
                    .enums
                    .iter()
                    .any(|e| e.schema == name.schema && e.name == name.name)
        }
        ObjectRef::DomainConstraint { domain, .. } => has(&ObjectRef::Type(domain.clone())),
        _ => {
            object
                .relation()
                .is_some_and(|relation| relations.contains(relation))
                || has(object)
        }
    };
    part.dependencies = catalog
        .dependencies
        .iter()
        .filter(|edge| kept(&edge.dependent) && kept(&edge.on))
        .cloned()
        .collect();
    for sequence in &mut part.sequences {
        if sequence
            .owned_by
            .as_ref()
            .is_some_and(|owner| !tables.contains(&owner.table))
        {
            sequence.owned_by = None;
        }
    }
    part
}

/// The catalog's dependency edges between whole objects: a relation (table or view) stands
/// for its columns, defaults, constraints, indexes, triggers and policies, a domain for its checks; a
/// table also uses the tables its foreign keys reference.
struct Graph<'a> {
    catalog: &'a Catalog,
    uses: HashMap<ObjectRef, Vec<ObjectRef>>,
    used_by: HashMap<ObjectRef, Vec<ObjectRef>>,
}

impl<'a> Graph<'a> {
    fn of(catalog: &'a Catalog) -> Self {
        let mut index_owners: HashMap<QualifiedName, QualifiedName> = HashMap::new();
        for table in &catalog.tables {
            let names = table
                .indexes
                .iter()
                .map(|index| &index.name)
                .chain(table.primary_key.iter().map(|key| &key.name))
                .chain(table.uniques.iter().map(|unique| &unique.name))
                .chain(table.exclusions.iter().map(|exclusion| &exclusion.name));
            for name in names {
                index_owners.insert(
                    QualifiedName::new(&table.schema, name),
                    table.qualified_name(),
                );
            }
        }
        for view in &catalog.views {
            for index in &view.indexes {
                index_owners.insert(
                    QualifiedName::new(&view.schema, &index.name),
                    view.qualified_name(),
                );
            }
        }
        let owner = |object: &ObjectRef| -> Option<ObjectRef> {
            Some(match object {
                ObjectRef::Relation(name)
                | ObjectRef::Column { relation: name, .. }
                | ObjectRef::Default { table: name, .. }
                | ObjectRef::Constraint { table: name, .. }
                | ObjectRef::Trigger { table: name, .. }
                | ObjectRef::Policy { table: name, .. } => ObjectRef::Relation(name.clone()),
                ObjectRef::Index(name) => ObjectRef::Relation(index_owners.get(name)?.clone()),
                ObjectRef::Type(name) | ObjectRef::DomainConstraint { domain: name, .. } => {
                    ObjectRef::Type(name.clone())
                }
                other => other.clone(),
            })
        };
        let mut uses: HashMap<ObjectRef, Vec<ObjectRef>> = HashMap::new();
        let mut used_by: HashMap<ObjectRef, Vec<ObjectRef>> = HashMap::new();
        let mut add = |user: ObjectRef, used: ObjectRef| {
            if user != used {
                used_by.entry(used.clone()).or_default().push(user.clone());
                uses.entry(user).or_default().push(used);
            }
        };
        for edge in &catalog.dependencies {
            if let (Some(user), Some(used)) = (owner(&edge.dependent), owner(&edge.on)) {
                add(user, used);
            }
        }
        for table in &catalog.tables {
            for key in &table.foreign_keys {
                add(
                    ObjectRef::Relation(table.qualified_name()),
                    ObjectRef::Relation(key.references.clone()),
                );
            }
        }
        Graph {
            catalog,
            uses,
            used_by,
        }
    }

    /// `start` and everything it uses, to the end.
    fn needs(&self, start: impl IntoIterator<Item = ObjectRef>) -> BTreeSet<ObjectRef> {
        self.walk(start, &self.uses, |_| true)
    }

    /// The views and routines that use `objects`, directly or through other views and
    /// routines: what a change to them may run into (PostgreSQL refuses to drop or retype what
    /// they use).
    fn users(&self, objects: &[ObjectRef]) -> BTreeSet<ObjectRef> {
        let mut users = self.walk(objects.iter().cloned(), &self.used_by, |object| {
            self.is_view_or_routine(object)
        });
        users.retain(|object| self.is_view_or_routine(object));
        users
    }

    fn walk(
        &self,
        start: impl IntoIterator<Item = ObjectRef>,
        edges: &HashMap<ObjectRef, Vec<ObjectRef>>,
        follow: impl Fn(&ObjectRef) -> bool,
    ) -> BTreeSet<ObjectRef> {
        let mut seen = BTreeSet::new();
        let mut pending: Vec<ObjectRef> = start.into_iter().collect();
        while let Some(object) = pending.pop() {
            if !seen.insert(object.clone()) {
                continue;
            }
            pending.extend(
                edges
                    .get(&object)
                    .into_iter()
                    .flatten()
                    .filter(|next| follow(next))
                    .cloned(),
            );
        }
        seen
    }

    fn is_view_or_routine(&self, object: &ObjectRef) -> bool {
        match object {
            ObjectRef::Function(_) => true,
            ObjectRef::Relation(name) => self.catalog.view(&name.schema, &name.name).is_some(),
            _ => false,
        }
    }

    /// The table `object` is, if it is one.
    fn table(&self, object: &ObjectRef) -> Option<QualifiedName> {
        match object {
            ObjectRef::Relation(name) if self.catalog.table(&name.schema, &name.name).is_some() => {
                Some(name.clone())
            }
            _ => None,
        }
    }
}

async fn run(
    dev: &DevPool,
    database: &autogen_pg::TempDatabase,
    options: &InspectOptions,
    (current, start): (&Catalog, CurrentStart<'_>),
    desired: &Catalog,
    up: &Plan,
    down: Option<&Plan>,
) -> Result<Verification, EngineError> {
    let steps = if down.is_some() { 5 } else { 3 };
    let mut task = dev.progress().task(Task::Verify, steps);
    let mut client = database.connect().await?;
    // The plan grants to and writes policies for the desired schema's roles too.
    crate::roles::ensure(&client, crate::roles::of_catalog(desired)).await?;
    task.step("re-create the current schema");
    match start {
        CurrentStart::Dump => {
            recreate(&client, current)
                .instrument(step("verify: re-create the current schema"))
                .await?
        }
        CurrentStart::Chain(graph) => crate::replay::run_to_head(&mut client, graph)
            .instrument(step("verify: run the revision chain"))
            .await
            .map_err(|error| EngineError::VerifySetup {
                detail: error.to_string(),
            })?,
    }
    task.step("apply up");
    apply(&client, up, "up")
        .instrument(step("verify: apply up"))
        .await?;
    task.step("read back after up");
    async {
        let after_up = crate::inspection::inspect(&mut client, database.connect().await, options)
            .await?
            .catalog;
        converged("up", &after_up, desired)
    }
    .instrument(step("verify: read back and compare after up"))
    .await?;
    let Some(down) = down else {
        return Ok(Verification::Verified { down: false });
    };
    task.step("apply down");
    apply(&client, down, "down")
        .instrument(step("verify: apply down"))
        .await?;
    task.step("read back after down");
    async {
        let after_down = crate::inspection::inspect(&mut client, database.connect().await, options)
            .await?
            .catalog;
        converged("down", &after_down, current)
    }
    .instrument(step("verify: read back and compare after down"))
    .await?;
    Ok(Verification::Verified { down: true })
}

/// The schema `plan` leaves when applied to `current` (re-created whole on a scratch database
/// of the dev server): the expand side's intermediate schema. A statement that fails is
/// [`EngineError::ExpandDoesNotApply`].
pub async fn applied(
    dev: &DevPool,
    options: &InspectOptions,
    current: &Catalog,
    plan: &Plan,
) -> Result<autogen_introspect::Inspection, EngineError> {
    let database = dev.database().await?;
    let result = async {
        let mut client = database.connect().await?;
        recreate(&client, current).await?;
        for statement in &plan.statements {
            client
                .batch_execute(&statement.sql)
                .await
                .map_err(|error| EngineError::ExpandDoesNotApply {
                    statement: statement.sql.clone(),
                    detail: autogen_pg::error_text(&error),
                })?;
        }
        crate::inspection::inspect(&mut client, database.connect().await, options).await
    }
    .await;
    drop_quietly(database).await;
    result
}

/// Statements per round trip when re-creating the current schema: a multi-statement query runs
/// as one transaction, and one holding a whole large schema's locks exhausts the lock table of
/// a default-configured server (`--dev-url`).
const RECREATE_BATCH: usize = 200;

/// Re-creates `current` on the empty database, in batches.
pub async fn recreate(client: &autogen_pg::Client, current: &Catalog) -> Result<(), EngineError> {
    crate::roles::ensure(client, crate::roles::of_catalog(current)).await?;
    let sql = current.to_sql();
    let statements = autogen_migrate::split_statements(&sql);
    for batch in statements.chunks(RECREATE_BATCH) {
        let sql: Vec<&str> = batch
            .iter()
            .map(|statement| statement.sql.as_str())
            .collect();
        client
            .batch_execute(&sql.join("\n"))
            .await
            .map_err(|error| EngineError::VerifySetup {
                detail: autogen_pg::error_text(&error),
            })?;
    }
    Ok(())
}

/// Runs a plan statement by statement, so a failure names its statement.
async fn apply(
    client: &autogen_pg::Client,
    plan: &Plan,
    direction: &'static str,
) -> Result<(), EngineError> {
    for statement in &plan.statements {
        if let Err(error) = client.batch_execute(&statement.sql).await {
            if let Some(refused) =
                type_needing_conversion(&error, plan.change_of(statement), direction)
            {
                return Err(refused);
            }
            return Err(EngineError::VerifyStatement {
                direction,
                statement: statement.sql.clone(),
                detail: autogen_pg::error_text(&error),
            });
        }
    }
    Ok(())
}

/// A column type change PostgreSQL refused because it knows no conversion between the two
/// types (`cannot_coerce` for `USING col::type`, `datatype_mismatch` for a `TYPE` without
/// `USING`): not a flaw of the plan but a change only the user can complete. `change` is the
/// change the failing statement comes from.
fn type_needing_conversion(
    error: &autogen_pg::tokio_postgres::Error,
    change: Option<&Change>,
    direction: &'static str,
) -> Option<EngineError> {
    use autogen_pg::tokio_postgres::error::SqlState;
    let code = error.code()?;
    if *code != SqlState::CANNOT_COERCE && *code != SqlState::DATATYPE_MISMATCH {
        return None;
    }
    let Some(Change::Column(ColumnChange::AlterType {
        table,
        column,
        from,
        to,
        ..
    })) = change
    else {
        return None;
    };
    Some(EngineError::TypeNeedsConversion(Box::new(
        TypeNeedsConversion {
            direction,
            column: format!("{table}.{column}"),
            example: format!(
                "ALTER TABLE {} ALTER COLUMN {} TYPE {to} USING <expression>;",
                table.quoted(),
                autogen_schema::quote_ident(column)
            ),
            from: from.clone(),
            to: to.clone(),
            detail: autogen_pg::error_text(error),
        },
    )))
}

/// Equal, or an error listing what a further plan would still have to change.
///
/// Column order is not compared: PostgreSQL appends every added column and cannot move one,
/// so a column added in the middle of a model, or re-added by a `down`, lands at the end.
fn converged(
    direction: &'static str,
    actual: &Catalog,
    expected: &Catalog,
) -> Result<(), EngineError> {
    if autogen_diff::equivalent(actual, expected) {
        return Ok(());
    }
    let residual = match autogen_diff::plan(actual, expected) {
        Ok(plan) if !plan.statements.is_empty() => plan
            .statements
            .iter()
            .map(|statement| statement.change.clone())
            .collect::<Vec<_>>()
            .join("; "),
        Ok(_) => "a difference the diff engine does not see".to_string(),
        Err(error) => error.to_string(),
    };
    Err(EngineError::NotConverged {
        direction,
        residual,
    })
}
