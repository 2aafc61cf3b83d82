//! Declare your PostgreSQL schema as Rust structs and enums; the `autogen` command-line tool
//! reads them and writes the migrations that bring a database to them.
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

pub use autogen_derive::{DbEnum, Model};
