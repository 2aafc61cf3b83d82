//! Declare your PostgreSQL schema as Rust structs and enums; the `autogen` command-line tool
//! reads them and writes the migrations that bring a database to them. With the `migrate`
//! feature, an application can also apply those migrations itself when it starts
//! ([below](#running-revisions-at-start-up)).
//!
//! This crate gives you the two derives the models are written with:
//!
//! - [`Model`] on a struct with named fields: a table, one column per field.
//! - [`DbEnum`] on an enum with unit variants: a PostgreSQL enum type.
//!
//! Both are configured with `#[model(...)]` attributes (see `docs/models.md` for all of them)
//! and check those attributes at compile time with the same parser the CLI uses, so a typo
//! such as `max_lenght` is a compile error pointing at it, with the fix. Checks that need other
//! items (whether `references = "users(id)"` names a real table, whether a field's type is a
//! `DbEnum`) run in the CLI only.
//!
//! The derives are not an ORM: they add no trait, no runtime and no query code. They only make
//! the names your models declare available as constants, so queries written by hand can use
//! them instead of repeating strings:
//!
//! | on a `Model` struct | |
//! |---|---|
//! | `TABLE: &str` | the table name |
//! | `SCHEMA: &str` | its schema (`public` unless `schema = "..."`) |
//! | `QUALIFIED_TABLE: &str` | `"schema"."table"`, quoted for SQL |
//! | `COLUMNS: &[&str]` | the column names in field order (skipped fields left out) |
//! | `COLUMN_<FIELD>: &str` | the column of each field (`r#type` → `COLUMN_TYPE`) |
//!
//! | on a `DbEnum` enum | |
//! |---|---|
//! | `TYPE_NAME: &str` | the enum type name |
//! | `SCHEMA: &str` | its schema |
//! | `QUALIFIED_TYPE_NAME: &str` | `"schema"."type"`, quoted for SQL |
//! | `VALUES: &[&str]` | the values in declaration order |
//! | `fn as_db_str(&self) -> &'static str` | the value of a variant |
//!
//! Names are as PostgreSQL stores them; only the `QUALIFIED_*` constants are quoted.
//!
//! ```
//! use autogen::{DbEnum, Model};
//!
//! #[derive(DbEnum)]
//! #[model(type_name = "mood")]
//! pub enum Mood {
//!     Happy,
//!     #[model(rename = "so-so")]
//!     SoSo,
//! }
//!
//! #[derive(Model)]
//! #[model(table = "users", comment = "Registered accounts")]
//! #[model(index(columns = ["nickname"]))]
//! pub struct User {
//!     #[model(primary_key, identity)]
//!     pub id: i64,
//!     #[model(unique, max_length = 255)]
//!     pub email: String,
//!     pub nickname: Option<String>,
//!     #[model(default = "'happy'")]
//!     pub mood: Mood,
//!     #[model(column = "full_name")]
//!     pub name: String,
//!     #[model(skip)]
//!     pub cache: Vec<String>,
//! }
//!
//! assert_eq!(User::TABLE, "users");
//! assert_eq!(User::QUALIFIED_TABLE, r#""public"."users""#);
//! assert_eq!(User::COLUMNS, ["id", "email", "nickname", "mood", "full_name"]);
//! assert_eq!(User::COLUMN_NAME, "full_name");
//! assert_eq!(Mood::VALUES, ["happy", "so-so"]);
//! assert_eq!(Mood::SoSo.as_db_str(), "so-so");
//!
//! let sql = format!(
//!     "SELECT {} FROM {} WHERE {} = $1",
//!     User::COLUMNS.join(", "),
//!     User::QUALIFIED_TABLE,
//!     User::COLUMN_EMAIL,
//! );
//! assert_eq!(
//!     sql,
//!     r#"SELECT id, email, nickname, mood, full_name FROM "public"."users" WHERE email = $1"#
//! );
//! ```
//!
//! ## Running revisions at start-up
//!
//! With the `migrate` feature (`autogen = { version = "…", features = ["migrate"] }`),
//! [`embed_migrations!`] compiles the revision files of a migrations directory into the program
//! and `.upgrade(&mut client)` applies the pending ones up to the head on a
//! [`tokio_postgres`](https://docs.rs/tokio-postgres) client. It is the runner of
//! `autogen upgrade`: the same `public.autogen_revisions` table, the same advisory lock (several
//! instances starting at once apply each revision exactly once) and the same checksums, so a
//! database migrated by the CLI and by the application agree. The directory is relative to the
//! crate's `Cargo.toml`; `embed_migrations!()` means `"migrations"`. The expansion names
//! `autogen::migrate`, so without the feature it does not compile.
//!
// A compiled doc test when the feature is on; `ignore` without it, since the expansion of
// `embed_migrations!` names `autogen::migrate`, which only exists with the feature.
#![cfg_attr(feature = "migrate", doc = "```no_run")]
#![cfg_attr(not(feature = "migrate"), doc = "```ignore")]
//! // `autogen::migrate::tokio_postgres` is the driver version the runner takes.
//! use autogen::migrate::tokio_postgres::{self, NoTls};
//!
//! async fn start(database_url: &str) -> Result<(), Box<dyn std::error::Error>> {
//!     let (mut client, connection) = tokio_postgres::connect(database_url, NoTls).await?;
//!     tokio::spawn(async move {
//!         if let Err(error) = connection.await {
//!             eprintln!("database connection error: {error}");
//!         }
//!     });
//!     // Usually `embed_migrations!()`, i.e. `migrations/` next to Cargo.toml.
//!     let applied = autogen::embed_migrations!("tests/fixtures/migrations")
//!         .upgrade(&mut client)
//!         .await?;
//!     println!("applied {} revision(s)", applied.len());
//!     Ok(())
//! }
//! ```
//!
//! Editing a revision file rebuilds the program, but a proc macro cannot make cargo watch a
//! directory, so a *new* file needs a `build.rs` next to `Cargo.toml`:
//!
//! ```no_run
//! // build.rs
//! fn main() {
//!     println!("cargo:rerun-if-changed=migrations");
//! }
//! ```
//!
//! `autogen::migrate::EmbeddedMigrations` also gives the validated revision graph (`graph()`) and
//! `upgrade_with` for another target, options or progress reporting; the whole of
//! `autogen-migrate` is re-exported as `autogen::migrate`. See `docs/migrations.md`.
//!
//! [`connect`] connects as the CLI does (URL or `PG*` variables, `sslmode`/`sslrootcert` over
//! rustls, Unix sockets), so the application need not set up TLS for tokio-postgres itself.
//!
//! ### On sqlx
//!
//! With the `sqlx` feature (which includes `migrate`), the same revisions run on a
//! `sqlx::PgPool` (`.upgrade_sqlx(&pool)`, on one connection of the pool, closed afterwards)
//! or a `&mut sqlx::PgConnection` (`.upgrade_sqlx_connection(&mut conn)`), through the same
//! runner: same tracking table, lock, checksums, `transaction:false` resume and `-- batch:`
//! loop, so the tokio-postgres runner, the sqlx one and the CLI agree on a database. sqlx
//! (0.9) is re-exported as `autogen::migrate::sqlx`.
//!
#![cfg_attr(feature = "sqlx", doc = "```no_run")]
#![cfg_attr(not(feature = "sqlx"), doc = "```ignore")]
//! use autogen::migrate::sqlx::postgres::PgPoolOptions;
//!
//! async fn start(database_url: &str) -> Result<(), Box<dyn std::error::Error>> {
//!     let pool = PgPoolOptions::new().connect(database_url).await?;
//!     let applied = autogen::embed_migrations!("tests/fixtures/migrations")
//!         .upgrade_sqlx(&pool)
//!         .await?;
//!     println!("applied {} revision(s)", applied.len());
//!     Ok(())
//! }
//! ```
// The build.rs snippet above is a whole build script, so it is a `fn main`.
#![allow(clippy::needless_doctest_main)]

pub use autogen_derive::{DbEnum, Model, embed_migrations};

/// The revision runner (`autogen-migrate`): [`EmbeddedMigrations`](migrate::EmbeddedMigrations),
/// which [`embed_migrations!`] builds, and everything `autogen upgrade` uses (the graph, the
/// runner, the tracking table). Needs the `migrate` feature.
#[cfg(feature = "migrate")]
pub mod migrate {
    pub use autogen_migrate::*;
}

/// Connects to PostgreSQL the way the `autogen` CLI does, for an application that runs its
/// embedded revisions on [`tokio_postgres`](migrate::tokio_postgres) without setting up TLS
/// itself. Needs the `migrate` feature.
///
/// `url` is a libpq-style `postgres://` or `postgresql://` URL; what it leaves out comes from
/// the `PG*` environment variables (`PGHOST`, `PGPORT`, `PGUSER`, `PGPASSWORD`, `PGDATABASE`,
/// `PGSSLMODE`, `PGSSLROOTCERT`, …), `~/.pgpass` and libpq's defaults, so `"postgresql://"`
/// alone connects as `psql` with no arguments would. `sslmode` (`disable` … `verify-full`) and
/// `sslrootcert` (a PEM file, or `system` for the platform's roots) work as in libpq, over
/// rustls; a host that is a directory (`?host=/var/run/postgresql`) is a Unix socket, never
/// TLS. `connect_timeout` defaults to 10 seconds. The error never contains the password.
///
/// The connection's task is spawned on the current tokio runtime (which needs IO and time
/// enabled); the client works as long as that runtime runs.
///
#[cfg_attr(feature = "migrate", doc = "```no_run")]
#[cfg_attr(not(feature = "migrate"), doc = "```ignore")]
/// async fn start() -> Result<(), Box<dyn std::error::Error>> {
///     // e.g. postgres://app@db.example.com/app?sslmode=verify-full
///     let url = std::env::var("DATABASE_URL")?;
///     let mut client = autogen::connect(&url).await?;
///     autogen::embed_migrations!("tests/fixtures/migrations")
///         .upgrade(&mut client)
///         .await?;
///     Ok(())
/// }
/// ```
#[cfg(feature = "migrate")]
pub async fn connect(url: &str) -> Result<migrate::tokio_postgres::Client, ConnectError> {
    autogen_pg::ConnectionSpec::parse(url)?.connect().await
}

/// Why [`connect`] failed: an invalid URL, the server unreachable, authentication or TLS refused
/// (one line, with the URL redacted).
#[cfg(feature = "migrate")]
pub use autogen_pg::PgError as ConnectError;

/// The sea-query the `<Struct>Iden` enums of `#[derive(Model)]` implement `Iden` for (with the
/// `sea-query` feature): build typed queries over the same names the models declare.
///
/// ```ignore
/// use autogen::sea_query::{Expr, PostgresQueryBuilder, Query};
/// let sql = Query::select()
///     .columns([UserIden::Id, UserIden::Email])
///     .from((UserIden::Schema, UserIden::Table))
///     .and_where(Expr::col(UserIden::Email).eq("a@example.com"))
///     .to_string(PostgresQueryBuilder);
/// ```
#[cfg(feature = "sea-query")]
pub use sea_query;
