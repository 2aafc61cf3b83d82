//! Reads a live PostgreSQL database into an [`autogen_schema::Catalog`].
//!
//! A fixed number of bulk `pg_catalog` queries (one per object kind, independent of the table
//! count), pipelined on one connection inside one read-only repeatable-read transaction, so
//! the result is a consistent snapshot ([`inspect_with_helper`]: on two connections sharing
//! one exported snapshot). Expressions, types and definitions come from
//! PostgreSQL's own deparsers (`format_type`, `pg_get_expr`, `pg_get_constraintdef`,
//! `pg_get_indexdef`, `pg_get_viewdef`, `pg_get_functiondef`, `pg_get_triggerdef`) under an
//! empty `search_path`, so they are normalized and schema-qualified the same way on every
//! database. The objects' `pg_depend` edges become the catalog's dependencies (resolved against
//! the oids read, see `dependencies.rs`). Objects the IR does not model are reported in
//! [`Inspection::unsupported`] with a fingerprint of their definition, never silently dropped.

mod aggregate;
mod assemble;
mod branch_aliases;
mod dependencies;
mod queries;
mod rows;
mod stable_spelling;
mod unsupported;

use autogen_schema::{Catalog, QualifiedName};
use dependencies::ObjectIndex;
use futures_util::TryStreamExt;
use rows::decode_error;
use tokio_postgres::types::{ToSql, Type};
use tokio_postgres::{Client, IsolationLevel, Row};

pub use unsupported::{UnsupportedObject, UnsupportedObjects};

/// Which schemas to read. Empty `include` means every user schema.
#[derive(Debug, Clone, Default)]
pub struct InspectOptions {
    pub include_schemas: Vec<String>,
    pub exclude_schemas: Vec<String>,
    /// Tables left out entirely, e.g. the migration runner's own tracking table, which is
    /// bookkeeping rather than part of the application's schema.
    pub ignore_tables: Vec<autogen_schema::QualifiedName>,
}

/// What one inspection found.
#[derive(Debug, Clone)]
pub struct Inspection {
    pub catalog: Catalog,
    /// Objects in scope that the catalog does not model yet, grouped by kind.
    pub unsupported: Vec<UnsupportedObjects>,
    /// Whether `unsupported` says what the source holds: false for a source that cannot know
    /// (a JSON catalog holds only what autogen models), whose unmodeled objects are then not
    /// compared with another source's.
    pub unsupported_known: bool,
    /// `server_version_num`, e.g. 150018.
    pub server_version: i32,
    /// What this server can do, not what the schema is (so never part of the catalog: two
    /// databases with the same schema on servers with different packages must compare
    /// equal): for each extension of the catalog, the versions `ALTER EXTENSION … UPDATE`
    /// can reach from the installed one, sorted. For the planner of extension upgrades.
    pub extension_updates: Vec<ExtensionUpdate>,
}

/// An installed extension can be updated from `from` (its installed version) to `to`.
#[derive(
    Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
pub struct ExtensionUpdate {
    pub extension: String,
    pub from: String,
    pub to: String,
}

#[derive(Debug, thiserror::Error)]
pub enum IntrospectError {
    #[error(
        "reading the {what} from the database failed: {}",
        autogen_pg::error_text(source)
    )]
    Query {
        what: &'static str,
        #[source]
        source: tokio_postgres::Error,
    },
    #[error("PostgreSQL {0} is not supported: autogen needs PostgreSQL 12 or newer")]
    UnsupportedVersion(i32),
    #[error("unexpected catalog data in the {what}: {detail}")]
    Decode { what: &'static str, detail: String },
}

/// The oldest server whose catalogs the queries understand.
const MINIMUM_SERVER_VERSION: i32 = 120000;

/// A read-only repeatable-read transaction with the session settings the queries need;
/// with `snapshot`, one that sees exactly what the transaction that exported it sees.
async fn begin<'a>(
    client: &'a mut Client,
    snapshot: Option<&str>,
) -> Result<tokio_postgres::Transaction<'a>, IntrospectError> {
    let transaction = client
        .build_transaction()
        .isolation_level(IsolationLevel::RepeatableRead)
        .read_only(true)
        .start()
        .await
        .map_err(|source| IntrospectError::Query {
            what: "transaction start",
            source,
        })?;
    if let Some(snapshot) = snapshot {
        // Must come before any query of the transaction.
        let quoted = snapshot.replace('\'', "''");
        transaction
            .batch_execute(&format!("SET TRANSACTION SNAPSHOT '{quoted}'"))
            .await
            .map_err(|source| IntrospectError::Query {
                what: "shared snapshot",
                source,
            })?;
    }
    // An empty search_path makes the deparsers qualify every non-pg_catalog name. JIT off
    // as pg_dump does: the catalog queries' cost estimates trip the JIT threshold, and
    // compiling them costs about a second while running them takes milliseconds. No parallel
    // workers: the inspection's own two backends already use the cores, and starting workers
    // for queries of a few hundred milliseconds cost more than they saved. Time zone, date and
    // interval styles and float digits fixed as pg_dump fixes them: constants in defaults and
    // partition bounds print in the session's settings, and two servers set up differently
    // must read the same schema the same way.
    transaction
        .batch_execute(
            "SET LOCAL search_path = ''; SET LOCAL jit = off; \
             SET LOCAL max_parallel_workers_per_gather = 0; SET LOCAL TimeZone = 'UTC'; \
             SET LOCAL DateStyle = 'ISO, MDY'; SET LOCAL IntervalStyle = 'postgres'; \
             SET LOCAL extra_float_digits = 3",
        )
        .await
        .map_err(|source| IntrospectError::Query {
            what: "session settings",
            source,
        })?;
    Ok(transaction)
}

/// Reads the schema of the database `client` is connected to.
///
/// Runs in its own read-only transaction on `client` (which must not be inside one).
pub async fn inspect(
    client: &mut Client,
    options: &InspectOptions,
) -> Result<Inspection, IntrospectError> {
    inspect_on(client, None, options).await
}

/// [`inspect`] with a second connection to the same database (not inside a transaction
/// either) sharing the work: the constraint and index queries, whose deparsing opens every
/// table (building its relcache entry), run on `helper` while the rest run on `client`, in
/// one snapshot exported from `client`'s transaction. About a third less wall time on large
/// schemas where the server has a core to spare; the result is the same as [`inspect`]'s.
pub async fn inspect_with_helper(
    client: &mut Client,
    helper: &mut Client,
    options: &InspectOptions,
) -> Result<Inspection, IntrospectError> {
    inspect_on(client, Some(helper), options).await
}

async fn inspect_on(
    client: &mut Client,
    helper: Option<&mut Client>,
    options: &InspectOptions,
) -> Result<Inspection, IntrospectError> {
    let mut transaction = begin(client, None).await?;
    let helper_transaction = match helper {
        Some(helper) => share_snapshot(&mut transaction, helper).await?,
        None => None,
    };
    let server_version = query(
        &transaction,
        "server version",
        "SHOW server_version_num",
        &[],
        |row| rows::get::<String>(row, 0, "server version"),
    )
    .await?
    .first()
    .and_then(|text| text.parse::<i32>().ok())
    .ok_or_else(|| decode_error("server version", "server_version_num is not a number"))?;
    if server_version < MINIMUM_SERVER_VERSION {
        return Err(IntrospectError::UnsupportedVersion(server_version));
    }

    let include = &options.include_schemas;
    let exclude = &options.exclude_schemas;
    let filter: [(&(dyn ToSql + Sync), Type); 2] =
        [(include, Type::TEXT_ARRAY), (exclude, Type::TEXT_ARRAY)];
    let version = server_version;
    let sql = Queries {
        schemas: queries::schemas(),
        extensions: queries::extensions(),
        extension_updates: queries::extension_updates(),
        enums: queries::enums(),
        sequences: queries::sequences(),
        tables: queries::tables(),
        columns: queries::columns(version),
        constraints: queries::constraints(version),
        indexes: queries::indexes(version),
        operator_classes: queries::operator_classes(),
        collation_lookup: queries::collations(),
        collations: queries::user_collations(version),
        text_search_dictionaries: queries::text_search_dictionaries(),
        text_search_configurations: queries::text_search_configurations(),
        domains: queries::domains(),
        domain_checks: queries::domain_checks(),
        composite_types: queries::composite_types(),
        range_types: queries::range_types(version),
        functions: queries::functions(),
        views: queries::views(),
        triggers: queries::triggers(version),
        policies: queries::policies(),
        default_privileges: queries::default_privileges(),
        dependencies: queries::dependencies(version),
        unsupported_census: queries::census(version),
    };
    // All queries are sent at once and tokio-postgres pipelines them on the one connection;
    // each result is decoded row by row as it streams in, so no query's rows are ever held.
    // Deparsing a table's expressions builds its relcache entry: the constraint and index
    // queries, which deparse nearly every table, share one backend (the helper's, if any),
    // while the column query (defaults deparse without opening the table), the dependency
    // graph and the rest run on the other.
    let t = &transaction;
    // The queries that open every table for deparsing go to the helper, if there is one.
    let deparsing = helper_transaction.as_ref().unwrap_or(&transaction);
    // Which kinds of unmodeled objects exist is asked first; the query for them follows once
    // the answer is in, behind the others, with only the parts that can find something.
    let unsupported = async {
        let census = query(
            deparsing,
            "unsupported objects",
            &sql.unsupported_census,
            &[],
            rows::census,
        )
        .await?;
        let present = census.into_iter().next().unwrap_or_default();
        let details = queries::unsupported(version, &present);
        query(
            deparsing,
            "unsupported objects",
            &details,
            &filter,
            rows::unsupported,
        )
        .await
    };
    let (
        (unsupported, schemas, extensions, extension_updates, enums, sequences),
        (tables, columns, constraints, indexes, operator_classes, collation_lookup),
        (
            collations,
            text_search_dictionaries,
            text_search_configurations,
            domains,
            domain_checks,
            composite_types,
            range_types,
        ),
        (functions, views, triggers, policies, default_privileges, dependencies),
    ) = futures_util::try_join!(
        async {
            futures_util::try_join!(
                unsupported,
                query(t, "schemas", &sql.schemas, &filter, rows::schema),
                query(t, "extensions", &sql.extensions, &filter, rows::extension),
                query(
                    t,
                    "extension updates",
                    &sql.extension_updates,
                    &filter,
                    rows::extension_update
                ),
                query(t, "enum types", &sql.enums, &filter, rows::enum_type),
                query(t, "sequences", &sql.sequences, &filter, rows::sequence),
            )
        },
        async {
            futures_util::try_join!(
                query(t, "tables", &sql.tables, &filter, rows::table),
                query(t, "columns", &sql.columns, &filter, rows::column),
                query(
                    deparsing,
                    "constraints",
                    &sql.constraints,
                    &filter,
                    rows::constraint
                ),
                query(deparsing, "indexes", &sql.indexes, &filter, rows::index),
                query(
                    t,
                    "operator classes",
                    &sql.operator_classes,
                    &[],
                    rows::operator_class
                ),
                query(
                    t,
                    "collation names",
                    &sql.collation_lookup,
                    &[],
                    rows::collation
                ),
            )
        },
        async {
            futures_util::try_join!(
                query(
                    t,
                    "collations",
                    &sql.collations,
                    &filter,
                    rows::user_collation
                ),
                query(
                    t,
                    "text search dictionaries",
                    &sql.text_search_dictionaries,
                    &filter,
                    rows::text_search_dictionary
                ),
                query(
                    t,
                    "text search configurations",
                    &sql.text_search_configurations,
                    &filter,
                    rows::text_search_configuration
                ),
                query(t, "domains", &sql.domains, &filter, rows::domain),
                query(
                    t,
                    "domain checks",
                    &sql.domain_checks,
                    &filter,
                    rows::domain_check
                ),
                query(
                    t,
                    "composite types",
                    &sql.composite_types,
                    &filter,
                    rows::composite_type
                ),
                query(
                    t,
                    "range types",
                    &sql.range_types,
                    &filter,
                    rows::range_type
                ),
            )
        },
        async {
            futures_util::try_join!(
                query(t, "functions", &sql.functions, &filter, rows::function),
                query(t, "views", &sql.views, &filter, rows::view),
                query(t, "triggers", &sql.triggers, &filter, rows::trigger),
                query(t, "policies", &sql.policies, &filter, rows::policy),
                query(
                    t,
                    "default privileges",
                    &sql.default_privileges,
                    &filter,
                    rows::default_privileges
                ),
                query(t, "dependencies", &sql.dependencies, &[], rows::dependency),
            )
        },
    )?;
    let end = |source| IntrospectError::Query {
        what: "transaction end",
        source,
    };
    if let Some(helper_transaction) = helper_transaction {
        helper_transaction.commit().await.map_err(end)?;
    }
    transaction.commit().await.map_err(end)?;

    let lookups = assemble::Lookups::new(operator_classes, collation_lookup);
    let mut objects = ObjectIndex::default();
    let mut tables = assemble::Tables::new(tables);
    tables.add_columns(columns)?;
    tables.add_constraints(constraints)?;
    let mut views = assemble::Views::new(views);
    for index in indexes {
        if let Some(position) = tables.position_of(index.table_oid) {
            tables.add_index(position, index, &lookups)?;
        } else if let Some(position) = views.position_of(index.table_oid) {
            views.add_index(position, index, &lookups)?;
        } else {
            return Err(decode_error(
                "indexes",
                format!("index {} of an unknown relation", index.name),
            ));
        }
    }
    let (tables, column_unsupported) = tables.finish(&options.ignore_tables, &mut objects);
    let views = views.finish(&mut objects);
    let enums = enums
        .into_iter()
        .map(|(oid, enum_type)| {
            objects.add_type(oid, QualifiedName::new(&enum_type.schema, &enum_type.name));
            enum_type
        })
        .collect();
    let sequences = sequences
        .into_iter()
        .map(|(oid, sequence)| {
            objects.add_sequence(oid, QualifiedName::new(&sequence.schema, &sequence.name));
            sequence
        })
        .collect();
    let collations = collations
        .into_iter()
        .map(|(oid, collation)| {
            objects.add_collation(oid, collation.qualified_name());
            collation
        })
        .collect();
    let text_search_dictionaries = text_search_dictionaries
        .into_iter()
        .map(|(oid, dictionary)| {
            objects.add_text_search_dictionary(oid, dictionary.qualified_name());
            dictionary
        })
        .collect();
    let text_search_configurations = text_search_configurations
        .into_iter()
        .map(|(oid, configuration)| {
            objects.add_text_search_configuration(oid, configuration.qualified_name());
            configuration
        })
        .collect();
    let composite_types = composite_types
        .into_iter()
        .map(|(class_oid, composite)| {
            let name = QualifiedName::new(&composite.schema, &composite.name);
            objects.add_composite_type(class_oid, name);
            composite
        })
        .collect();
    let functions = functions
        .into_iter()
        .map(|(oid, function)| {
            objects.add_function(oid, function.id());
            function
        })
        .collect();
    let domains = assemble::domains(domains, domain_checks, &mut objects)?;
    let range_types = assemble::range_types(range_types, &lookups, &mut objects)?;
    let triggers = assemble::triggers(triggers, &mut objects);
    let policies = assemble::policies(policies, &mut objects);
    let mut catalog = Catalog {
        schemas,
        extensions,
        enums,
        sequences,
        tables,
        collations,
        text_search_dictionaries,
        text_search_configurations,
        domains,
        composite_types,
        range_types,
        functions,
        views,
        triggers,
        policies,
        default_privileges,
        dependencies: dependencies::resolve(&objects, dependencies),
    };
    stable_spelling::respell_catalog(&mut catalog);
    catalog.canonicalize();
    let mut extension_updates: Vec<ExtensionUpdate> = extension_updates
        .into_iter()
        .map(|(extension, from, to)| ExtensionUpdate {
            extension,
            from,
            to,
        })
        .collect();
    extension_updates.sort();
    Ok(Inspection {
        catalog,
        unsupported: unsupported::group(
            unsupported.into_iter().chain(column_unsupported).collect(),
        ),
        unsupported_known: true,
        server_version,
        extension_updates,
    })
}

/// A transaction on `helper` in the snapshot of `transaction`, or `None` when the server
/// cannot share it (a server without `pg_export_snapshot`, a helper connected elsewhere):
/// then `transaction` does all the work, and the inspection is the same, only slower. The
/// export runs under a savepoint so a refusal leaves `transaction` usable.
async fn share_snapshot<'a>(
    transaction: &mut tokio_postgres::Transaction<'_>,
    helper: &'a mut Client,
) -> Result<Option<tokio_postgres::Transaction<'a>>, IntrospectError> {
    let failed = |what| move |source| IntrospectError::Query { what, source };
    let savepoint = transaction
        .savepoint("autogen_export_snapshot")
        .await
        .map_err(failed("shared snapshot"))?;
    let exported = query(
        &savepoint,
        "shared snapshot",
        "SELECT pg_catalog.pg_export_snapshot()",
        &[],
        |row| rows::get::<String>(row, 0, "shared snapshot"),
    )
    .await;
    let snapshot = match exported {
        Ok(rows) => {
            savepoint
                .commit()
                .await
                .map_err(failed("shared snapshot"))?;
            rows.into_iter().next()
        }
        // Not shared here: the savepoint undoes the failed export.
        Err(_) => {
            savepoint
                .rollback()
                .await
                .map_err(failed("shared snapshot"))?;
            None
        }
    };
    let Some(snapshot) = snapshot else {
        return Ok(None);
    };
    match begin(helper, Some(&snapshot)).await {
        Ok(shared) => Ok(Some(shared)),
        // The helper's failed transaction rolls back when dropped.
        Err(_) => Ok(None),
    }
}

/// The SQL of every query of one inspection.
struct Queries {
    schemas: String,
    extensions: String,
    extension_updates: String,
    enums: String,
    sequences: String,
    tables: String,
    columns: String,
    constraints: String,
    indexes: String,
    operator_classes: String,
    collation_lookup: String,
    collations: String,
    text_search_dictionaries: String,
    text_search_configurations: String,
    domains: String,
    domain_checks: String,
    composite_types: String,
    range_types: String,
    functions: String,
    views: String,
    triggers: String,
    policies: String,
    default_privileges: String,
    dependencies: String,
    unsupported_census: String,
}

/// Runs one catalog query and decodes each row as it arrives.
async fn query<T>(
    transaction: &tokio_postgres::Transaction<'_>,
    what: &'static str,
    sql: &str,
    params: &[(&(dyn ToSql + Sync), Type)],
    decode: impl Fn(&Row) -> Result<T, IntrospectError>,
) -> Result<Vec<T>, IntrospectError> {
    let failed = |source| IntrospectError::Query { what, source };
    let stream = transaction
        .query_typed_raw(sql, params.iter().map(|(value, ty)| (*value, ty.clone())))
        .await
        .map_err(failed)?;
    let mut stream = std::pin::pin!(stream);
    let mut decoded = Vec::new();
    while let Some(row) = stream.try_next().await.map_err(failed)? {
        decoded.push(decode(&row)?);
    }
    Ok(decoded)
}
