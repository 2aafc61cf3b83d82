//! Reads a live PostgreSQL database into an [`autogen_schema::Catalog`].
//!
//! A fixed number of bulk `pg_catalog` queries (one per object kind, independent of the table
//! count), pipelined on one connection inside one read-only repeatable-read transaction, so
//! the result is a consistent snapshot. Expressions and types come from PostgreSQL's own
//! deparsers (`format_type`, `pg_get_expr`, `pg_get_constraintdef`, `pg_get_indexdef`) under
//! an empty `search_path`, so they are normalized and schema-qualified the same way on every
//! database. Objects the IR does not model are reported in [`Inspection::unsupported`], never
//! silently dropped.

mod assemble;
mod queries;
mod rows;
mod unsupported;

use autogen_schema::Catalog;
use futures_util::TryStreamExt;
use rows::decode_error;
use tokio_postgres::types::{ToSql, Type};
use tokio_postgres::{Client, IsolationLevel, Row};

pub use unsupported::UnsupportedObjects;

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
    /// `server_version_num`, e.g. 150018.
    pub server_version: i32,
    /// The views (also listed in `unsupported`): not managed, but plans must keep them.
    pub views: Vec<autogen_schema::View>,
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

/// Reads the schema of the database `client` is connected to.
///
/// Runs in its own read-only transaction on `client` (which must not be inside one).
pub async fn inspect(
    client: &mut Client,
    options: &InspectOptions,
) -> Result<Inspection, IntrospectError> {
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
    // An empty search_path makes the deparsers qualify every non-pg_catalog name. JIT off
    // as pg_dump does: the catalog queries' cost estimates trip the JIT threshold, and
    // compiling them costs about a second while running them takes milliseconds.
    transaction
        .batch_execute("SET LOCAL search_path = ''; SET LOCAL jit = off")
        .await
        .map_err(|source| IntrospectError::Query {
            what: "session settings",
            source,
        })?;
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
    let (schema_sql, extension_sql, enum_sql, sequence_sql) = (
        queries::schemas(),
        queries::extensions(),
        queries::enums(),
        queries::sequences(),
    );
    let (table_sql, column_sql, constraint_sql, index_sql, unsupported_sql) = (
        queries::tables(),
        queries::columns(),
        queries::constraints(server_version),
        queries::indexes(server_version),
        queries::unsupported(),
    );
    let (opclass_sql, collation_sql) = (queries::operator_classes(), queries::collations());
    let (view_sql, view_dependency_sql) = (queries::views(), queries::view_dependencies());
    // All queries are sent at once and tokio-postgres pipelines them on the one connection;
    // each result is decoded row by row as it streams in, so no query's rows are ever held.
    let (
        schemas,
        extensions,
        enums,
        sequences,
        tables,
        columns,
        constraints,
        indexes,
        unsupported,
        operator_classes,
        collations,
        views,
        view_dependencies,
    ) = futures_util::try_join!(
        query(&transaction, "schemas", &schema_sql, &filter, rows::schema),
        query(
            &transaction,
            "extensions",
            &extension_sql,
            &filter,
            rows::extension
        ),
        query(
            &transaction,
            "enum types",
            &enum_sql,
            &filter,
            rows::enum_type
        ),
        query(
            &transaction,
            "sequences",
            &sequence_sql,
            &filter,
            rows::sequence
        ),
        query(&transaction, "tables", &table_sql, &filter, rows::table),
        query(&transaction, "columns", &column_sql, &filter, rows::column),
        query(
            &transaction,
            "constraints",
            &constraint_sql,
            &filter,
            rows::constraint
        ),
        query(&transaction, "indexes", &index_sql, &filter, rows::index),
        query(
            &transaction,
            "unsupported objects",
            &unsupported_sql,
            &filter,
            rows::unsupported
        ),
        query(
            &transaction,
            "operator classes",
            &opclass_sql,
            &[],
            rows::operator_class
        ),
        query(
            &transaction,
            "collations",
            &collation_sql,
            &[],
            rows::collation
        ),
        query(&transaction, "views", &view_sql, &filter, rows::view),
        query(
            &transaction,
            "view dependencies",
            &view_dependency_sql,
            &filter,
            rows::view_dependency
        ),
    )?;
    transaction
        .commit()
        .await
        .map_err(|source| IntrospectError::Query {
            what: "transaction end",
            source,
        })?;

    let mut tables = assemble::Tables::new(tables);
    tables.add_columns(columns)?;
    tables.add_constraints(constraints)?;
    tables.add_indexes(
        indexes,
        &assemble::Lookups::new(operator_classes, collations),
    )?;
    let mut tables = tables.finish();
    if !options.ignore_tables.is_empty() {
        tables.retain(|table| !options.ignore_tables.contains(&table.qualified_name()));
    }
    let mut catalog = Catalog {
        schemas,
        extensions,
        enums,
        sequences,
        tables,
    };
    catalog.canonicalize();
    Ok(Inspection {
        catalog,
        unsupported: unsupported::group(unsupported),
        server_version,
        views: assemble::views(views, view_dependencies),
    })
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
