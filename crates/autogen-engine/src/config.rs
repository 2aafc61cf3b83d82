//! `autogen.toml`: where the models and the migrations of a project live, and which databases
//! to use. Found with `--config`, else in the current directory or the nearest parent that has
//! one (like Cargo.toml). Paths in it are relative to the file's directory.
//!
//! Precedence: `--database-url` > `DATABASE_URL` > `[database] url`; `--dev-url` /
//! `AUTOGEN_DEV_URL` > `[dev] url`.

use crate::error::EngineError;
use serde::Deserialize;
use std::path::{Path, PathBuf};

pub const FILE_NAME: &str = "autogen.toml";

/// The environment variable that overrides `[database] url`.
pub const DATABASE_URL_VAR: &str = "DATABASE_URL";

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ConfigFile {
    #[serde(default)]
    models: ModelsSection,
    #[serde(default)]
    migrations: MigrationsSection,
    #[serde(default)]
    database: UrlSection,
    #[serde(default)]
    dev: UrlSection,
    #[serde(default)]
    online: OnlineSection,
    #[serde(default)]
    policy: PolicySection,
    #[serde(default)]
    unmanaged: UnmanagedSection,
}

/// `[unmanaged] ignore = ["grant", …]`: kinds of objects autogen does not model whose
/// differences are managed elsewhere (e.g. grants by the infrastructure), so `diff`, `check`
/// and `revision` do not report them.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct UnmanagedSection {
    /// Kind names as `autogen inspect` prints them (`grant`, `policy`, `partition`, …). A
    /// misspelled kind ignores nothing, so it can only make reports louder, never silent.
    #[serde(default)]
    ignore: Vec<String>,
}

/// `[policy] deny = ["data-loss", …]`: hazards `check` and `lint` refuse.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct PolicySection {
    /// Hazard names, checked after parsing (an error names the value's line).
    #[serde(default)]
    deny: Vec<toml::Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ModelsSection {
    #[serde(default = "default_model_paths")]
    paths: Vec<PathBuf>,
    /// The project really declares no models (a plan from them drops every table).
    #[serde(default)]
    allow_empty: bool,
    /// SQL files (or directories searched recursively for `*.sql`) declaring the objects a
    /// struct cannot express: views, functions, triggers, domains, … Explicit only: no
    /// directory is read unless listed here.
    #[serde(default)]
    sql: Vec<PathBuf>,
    /// `identity` (SeaORM 2.x, the default) or `serial` (SeaORM 1.x): how SeaORM entities'
    /// auto-increment keys are created (docs/seaorm.md). Checked after parsing.
    seaorm_auto_increment: Option<toml::Spanned<String>>,
    /// The `search_path` the project's databases give sessions (e.g. `["app", "public"]`):
    /// routine bodies of the SQL declarations that name objects unqualified are checked under
    /// it. Empty: names in bodies must be schema-qualified (or the routine `SET search_path`).
    #[serde(default)]
    search_path: Vec<String>,
}

impl Default for ModelsSection {
    fn default() -> Self {
        Self {
            paths: default_model_paths(),
            allow_empty: false,
            sql: Vec::new(),
            seaorm_auto_increment: None,
            search_path: Vec::new(),
        }
    }
}

fn default_model_paths() -> Vec<PathBuf> {
    vec![PathBuf::from("models")]
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct MigrationsSection {
    #[serde(default = "default_migrations_dir")]
    dir: PathBuf,
    /// `autogen`, `sqlx`, `diesel` or `sea-orm`: whose files the directory holds (checked
    /// after parsing, so an error names the value's line).
    layout: Option<toml::Spanned<String>>,
    /// Tables of another migration tool (`schema.table`, or `table` in `public`) that are
    /// bookkeeping, not schema: left out of every read of a database, like autogen's own
    /// tracking table. `init --from-database` writes the one it recognized by its shape.
    #[serde(default)]
    ignore_tables: Vec<String>,
    /// `autogen revision` writes expand/contract pairs (as `--expand-contract`).
    #[serde(default)]
    expand_contract: bool,
}

impl Default for MigrationsSection {
    fn default() -> Self {
        Self {
            dir: default_migrations_dir(),
            layout: None,
            ignore_tables: Vec::new(),
            expand_contract: false,
        }
    }
}

fn default_migrations_dir() -> PathBuf {
    PathBuf::from("migrations")
}

/// `[online]`: plan revisions and diffs in online mode (docs/diff.md, "Online mode").
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct OnlineSection {
    #[serde(default)]
    enabled: bool,
    /// Default `5s`.
    lock_timeout: Option<String>,
    statement_timeout: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct UrlSection {
    url: Option<String>,
}

/// A project's configuration, paths resolved against the config file's directory.
#[derive(Debug, Clone)]
pub struct Config {
    pub model_paths: Vec<PathBuf>,
    /// `[models] allow_empty`: models paths that yield no models are not an error.
    pub allow_empty_models: bool,
    /// `[models] sql`: the SQL declaration files and directories, in the listed order.
    pub sql_paths: Vec<PathBuf>,
    /// `[models] search_path`: what the declarations' routine bodies are checked under.
    pub search_path: Vec<String>,
    /// `[models] seaorm_auto_increment`: how SeaORM entities' auto-increment keys are made.
    pub seaorm: autogen_model::SeaOrmOptions,
    pub migrations_dir: PathBuf,
    /// `[migrations] layout`: autogen's revision files (the default), or the migrations of
    /// sqlx, Diesel or sea-orm-migration (docs/layouts.md).
    pub migrations_layout: autogen_migrate::Layout,
    /// `[database] url` (`DATABASE_URL` and `--database-url` override it: see
    /// [`crate::Project::database_url`]).
    pub database_url: Option<String>,
    /// `[dev] url`.
    pub dev_url: Option<String>,
    /// `[online] enabled` (`--online` turns it on too).
    pub online: bool,
    /// `[online] lock_timeout` / `statement_timeout`.
    pub online_options: autogen_diff::OnlineOptions,
    /// `[policy] deny`: the hazards `check` and `lint` fail on.
    pub deny: Vec<autogen_diff::Hazard>,
    /// `[unmanaged] ignore`: kinds of unmodeled objects whose differences are not reported.
    pub ignored_unmanaged: Vec<String>,
    /// `[migrations] ignore_tables`: another tool's tracking tables, never read as schema.
    pub ignored_tables: Vec<autogen_schema::QualifiedName>,
    /// `[migrations] expand_contract`: `autogen revision` splits changes into an expand and a
    /// contract revision (`--expand-contract` turns it on too; docs/expand-contract.md).
    pub expand_contract: bool,
}

impl Config {
    /// `explicit` is `--config`; without it the nearest `autogen.toml` upwards from the
    /// current directory.
    pub fn load(explicit: Option<&Path>) -> Result<Config, EngineError> {
        let path = match explicit {
            Some(path) => path.to_path_buf(),
            None => {
                let start = std::env::current_dir().map_err(|source| EngineError::ReadFile {
                    path: PathBuf::from("."),
                    source,
                })?;
                find_upwards(&start).ok_or(EngineError::NoConfig { start })?
            }
        };
        let text = std::fs::read_to_string(&path).map_err(|source| EngineError::ReadFile {
            path: path.clone(),
            source,
        })?;
        Self::parse(&path, &text)
    }

    pub fn parse(path: &Path, text: &str) -> Result<Config, EngineError> {
        // Counted on bytes: a span that is not on a character boundary cannot panic.
        let line_at = |offset: usize| {
            let end = offset.min(text.len());
            1 + text.as_bytes()[..end]
                .iter()
                .filter(|&&b| b == b'\n')
                .count()
        };
        let file: ConfigFile = toml::from_str(text).map_err(|error| {
            let message = error.message().trim();
            let message = if message.is_empty() {
                "invalid TOML"
            } else {
                message
            };
            match error.span() {
                Some(span) => EngineError::Config {
                    path: path.to_path_buf(),
                    line: line_at(span.start),
                    message: message.to_string(),
                },
                // The parser gives no position for a few errors (keys dotted past its
                // recursion limit): say so rather than blame line 1.
                None => EngineError::Config {
                    path: path.to_path_buf(),
                    line: 1,
                    message: format!("{message} (the TOML parser gives no line for this error)"),
                },
            }
        })?;
        let deny = file
            .policy
            .deny
            .iter()
            .map(|name| {
                crate::policy::parse_hazard(name.get_ref()).map_err(|message| EngineError::Config {
                    path: path.to_path_buf(),
                    line: line_at(name.span().start),
                    message: format!("[policy] deny: {message}"),
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        let migrations_layout = match &file.migrations.layout {
            None => autogen_migrate::Layout::default(),
            Some(name) => autogen_migrate::Layout::parse(name.get_ref()).ok_or_else(|| {
                EngineError::Config {
                    path: path.to_path_buf(),
                    line: line_at(name.span().start),
                    message: format!(
                        "[migrations] layout: unknown layout `{}` (known: {})",
                        name.get_ref(),
                        autogen_migrate::Layout::NAMES.join(", ")
                    ),
                }
            })?,
        };
        let seaorm = match &file.models.seaorm_auto_increment {
            None => autogen_model::SeaOrmOptions::default(),
            Some(name) => autogen_model::SeaOrmOptions {
                auto_increment: match name.get_ref().as_str() {
                    "identity" => autogen_model::AutoIncrement::Identity,
                    "serial" => autogen_model::AutoIncrement::Serial,
                    other => {
                        return Err(EngineError::Config {
                            path: path.to_path_buf(),
                            line: line_at(name.span().start),
                            message: format!(
                                "[models] seaorm_auto_increment: unknown value `{other}` (known: identity for SeaORM 2.x, serial for SeaORM 1.x)"
                            ),
                        });
                    }
                },
            },
        };
        let root = path
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_else(|| PathBuf::from("."));
        let root = if root.as_os_str().is_empty() {
            PathBuf::from(".")
        } else {
            root
        };
        Ok(Config {
            model_paths: file.models.paths.iter().map(|p| root.join(p)).collect(),
            allow_empty_models: file.models.allow_empty,
            sql_paths: file.models.sql.iter().map(|p| root.join(p)).collect(),
            search_path: file.models.search_path,
            seaorm,
            migrations_dir: root.join(&file.migrations.dir),
            migrations_layout,
            expand_contract: file.migrations.expand_contract,
            database_url: file.database.url.filter(|url| !url.is_empty()),
            dev_url: file.dev.url.filter(|url| !url.is_empty()),
            online: file.online.enabled,
            online_options: autogen_diff::OnlineOptions {
                lock_timeout: file
                    .online
                    .lock_timeout
                    .unwrap_or_else(|| autogen_diff::OnlineOptions::default().lock_timeout),
                statement_timeout: file.online.statement_timeout.filter(|t| !t.is_empty()),
            },
            deny,
            ignored_unmanaged: file.unmanaged.ignore,
            ignored_tables: file
                .migrations
                .ignore_tables
                .iter()
                .map(|name| match name.split_once('.') {
                    Some((schema, table)) => autogen_schema::QualifiedName::new(schema, table),
                    None => autogen_schema::QualifiedName::new("public", name),
                })
                .collect(),
        })
    }

    /// Online mode's options when `flag` (`--online`) or `[online] enabled` asks for it.
    pub fn online_plan(&self, flag: bool) -> Option<autogen_diff::OnlineOptions> {
        (flag || self.online).then(|| self.online_options.clone())
    }

    /// The project's configuration when there is one: `explicit` (`--config`) must exist,
    /// but without it a command that can work without a project (`diff`, `inspect`) simply
    /// has none.
    pub fn load_optional(explicit: Option<&Path>) -> Result<Option<Config>, EngineError> {
        match Config::load(explicit) {
            Ok(config) => Ok(Some(config)),
            Err(EngineError::NoConfig { .. }) => Ok(None),
            Err(error) => Err(error),
        }
    }
}

/// `DATABASE_URL`, when set and not empty.
pub fn database_url_from_environment() -> Option<String> {
    std::env::var(DATABASE_URL_VAR)
        .ok()
        .filter(|url| !url.is_empty())
}

fn find_upwards(start: &Path) -> Option<PathBuf> {
    start
        .ancestors()
        .map(|dir| dir.join(FILE_NAME))
        .find(|candidate| candidate.is_file())
}

/// The text `autogen init` writes.
pub fn template(models: &str, migrations: &str) -> String {
    template_with(models, migrations, None, false, &[], &[])
}

/// The text `autogen init` writes, with `[models] sql` set to `sql` when given (a pulled
/// project's declarations), `allow_empty` on when the project declares no models, and
/// `[migrations] ignore_tables` listing `ignore_tables` (an adopted database's old tracking
/// table).
pub fn template_with(
    models: &str,
    migrations: &str,
    sql: Option<&str>,
    allow_empty: bool,
    ignore_tables: &[String],
    search_path: &[String],
) -> String {
    let ignore_tables = if ignore_tables.is_empty() {
        String::new()
    } else {
        let names: Vec<String> = ignore_tables.iter().map(|name| toml_string(name)).collect();
        format!(
            "# Another migration tool's tracking table: bookkeeping, not schema (docs/adopting.md).\nignore_tables = [{}]\n",
            names.join(", ")
        )
    };
    let allow_empty = if allow_empty {
        "allow_empty = true    # the schema has no table and no enum: everything is in [models] sql"
    } else {
        "# allow_empty = true    # only if the project really declares no models (else that is an error)"
    };
    let sql = match sql {
        Some(dir) => format!("sql = [{}]", toml_string(dir)),
        None => "# sql = [\"sql\"]".to_string(),
    };
    let search_path = if search_path.is_empty() {
        "# search_path = [\"app\", \"public\"]   # the search_path your databases give sessions, if the SQL\n\
         #                                   # files' function bodies name objects unqualified"
            .to_string()
    } else {
        let schemas: Vec<String> = search_path.iter().map(|name| toml_string(name)).collect();
        format!(
            "# The search_path the database gives sessions: function bodies are checked under it.\n\
             search_path = [{}]",
            schemas.join(", ")
        )
    };
    format!(
        r#"# autogen configuration (`autogen --help`; docs/migrations.md in autogen's sources).

[models]
# Rust files (or directories of them) holding #[derive(Model)] structs and #[derive(DbEnum)] enums.
paths = [{models}]
{allow_empty}
# SQL files (or directories of *.sql files) declaring what a struct cannot: views, functions,
# triggers, domains, composite and range types, collations, comments on them (docs/models.md).
{sql}
{search_path}

[migrations]
# Revision files, one per revision: <yyyymmddHHMMSS>_<slug>.sql
dir = {migrations}
{ignore_tables}# layout = "sqlx"   # or "diesel", "sea-orm": write and read that stack's migrations (docs/layouts.md)

# [database]
# url = "postgres://app@localhost:5432/app"    # DATABASE_URL and --database-url override this

# [dev]
# url = "postgres://postgres@localhost:5432/postgres"   # default: a throwaway local cluster

# [policy]
# deny = ["data-loss", "table-rewrite"]   # `autogen check` and `autogen lint` fail on these hazards

# [unmanaged]
# ignore = ["grant"]   # kinds autogen does not model whose differences are managed elsewhere
"#,
        models = toml_string(models),
        migrations = toml_string(migrations),
    )
}

/// A TOML basic string.
fn toml_string(value: &str) -> String {
    let mut out = String::from("\"");
    for ch in value.chars() {
        match ch {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            ch if ch.is_control() => out.push_str(&format!("\\u{:04X}", ch as u32)),
            ch => out.push(ch),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_relative_to_the_file_and_defaults_apply() {
        let config = Config::parse(Path::new("/p/autogen.toml"), "").unwrap();
        assert_eq!(config.model_paths, [PathBuf::from("/p/models")]);
        assert!(config.sql_paths.is_empty(), "no SQL files unless listed");
        assert_eq!(config.migrations_dir, PathBuf::from("/p/migrations"));
        let config = Config::parse(
            Path::new("/p/autogen.toml"),
            "[models]\npaths = [\"src/models\", \"x.rs\"]\nsql = [\"sql\", \"extra/v.sql\"]\n[migrations]\ndir = \"db\"\n",
        )
        .unwrap();
        assert_eq!(
            config.model_paths,
            [PathBuf::from("/p/src/models"), PathBuf::from("/p/x.rs")]
        );
        assert_eq!(
            config.sql_paths,
            [PathBuf::from("/p/sql"), PathBuf::from("/p/extra/v.sql")]
        );
        assert_eq!(config.migrations_dir, PathBuf::from("/p/db"));
    }

    #[test]
    fn ignore_tables_are_qualified_names_public_by_default() {
        let config = Config::parse(
            Path::new("/p/autogen.toml"),
            "[migrations]\nignore_tables = [\"schema_version\", \"ops.flyway_schema_history\"]\n",
        )
        .expect("parses");
        assert_eq!(
            config.ignored_tables,
            [
                autogen_schema::QualifiedName::new("public", "schema_version"),
                autogen_schema::QualifiedName::new("ops", "flyway_schema_history"),
            ]
        );
        let template = crate::config::template_with(
            "models",
            "migrations",
            None,
            false,
            &["public.schema_version".to_string()],
            &["musicbrainz".to_string(), "public".to_string()],
        );
        let config = Config::parse(Path::new("/p/autogen.toml"), &template).expect("parses");
        assert_eq!(config.ignored_tables.len(), 1);
        assert_eq!(config.search_path, ["musicbrainz", "public"]);
    }

    #[test]
    fn expand_contract_is_off_unless_the_project_asks() {
        let config = Config::parse(Path::new("/p/autogen.toml"), "").expect("parses");
        assert!(!config.expand_contract);
        let config = Config::parse(
            Path::new("/p/autogen.toml"),
            "[migrations]
expand_contract = true
",
        )
        .expect("parses");
        assert!(config.expand_contract);
    }

    #[test]
    fn the_layout_is_autogen_unless_named_and_unknown_names_are_errors() {
        let config = Config::parse(Path::new("/p/autogen.toml"), "").expect("parses");
        assert_eq!(config.migrations_layout, autogen_migrate::Layout::Autogen);
        let config = Config::parse(
            Path::new("/p/autogen.toml"),
            "[migrations]\nlayout = \"sea-orm\"\n",
        )
        .expect("parses");
        assert_eq!(config.migrations_layout, autogen_migrate::Layout::SeaOrm);
        match Config::parse(
            Path::new("/p/autogen.toml"),
            "[migrations]\n\nlayout = \"flyway\"\n",
        ) {
            Err(EngineError::Config {
                line: 3, message, ..
            }) => {
                assert!(message.contains("sqlx, diesel, sea-orm"), "{message}")
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn unknown_keys_are_errors_with_their_line() {
        let error = Config::parse(
            Path::new("autogen.toml"),
            "[models]\npaths = [\"m\"]\n\n[migration]\ndir = \"x\"\n",
        )
        .unwrap_err();
        let text = error.to_string();
        assert!(text.starts_with("autogen.toml:4: "), "{text}");
        assert!(text.contains("migration"), "{text}");
    }

    #[test]
    fn policy_deny_lists_hazards_and_rejects_unknown_names_at_their_line() {
        let config = Config::parse(
            Path::new("autogen.toml"),
            "[policy]\ndeny = [\"data-loss\", \"table-rewrite\"]\n",
        )
        .unwrap();
        assert_eq!(
            config.deny,
            [
                autogen_diff::Hazard::DataLoss,
                autogen_diff::Hazard::TableRewrite
            ]
        );
        let error = Config::parse(
            Path::new("autogen.toml"),
            "[models]\n\n[policy]\ndeny = [\n  \"data-loss\",\n  \"dataloss\",\n]\n",
        )
        .unwrap_err()
        .to_string();
        assert!(error.starts_with("autogen.toml:6: "), "{error}");
        assert!(error.contains("unknown hazard \"dataloss\""), "{error}");
    }

    #[test]
    fn the_online_section_sets_mode_and_timeouts() {
        let config = Config::parse(Path::new("autogen.toml"), "").unwrap();
        assert!(!config.online);
        assert_eq!(
            config.online_options,
            autogen_diff::OnlineOptions::default()
        );
        let config = Config::parse(
            Path::new("autogen.toml"),
            "[online]\nenabled = true\nlock_timeout = \"2s\"\nstatement_timeout = \"1h\"\n",
        )
        .unwrap();
        assert!(config.online);
        assert_eq!(config.online_options.lock_timeout, "2s");
        assert_eq!(
            config.online_options.statement_timeout.as_deref(),
            Some("1h")
        );
        let error = Config::parse(Path::new("autogen.toml"), "[online]\nenable = true\n")
            .unwrap_err()
            .to_string();
        assert!(error.starts_with("autogen.toml:2: "), "{error}");
    }

    #[test]
    fn the_template_parses_back() {
        let text = template("src/models", "migrations \"x\"");
        let config = Config::parse(Path::new("/p/autogen.toml"), &text).unwrap();
        assert_eq!(config.model_paths, [PathBuf::from("/p/src/models")]);
        assert_eq!(config.migrations_dir, PathBuf::from("/p/migrations \"x\""));
        assert!(config.sql_paths.is_empty());
        // Its commented `sql` line, uncommented, is valid.
        let uncommented = text.replace("# sql = [", "sql = [");
        assert_ne!(uncommented, text, "the template mentions [models] sql");
        let config = Config::parse(Path::new("/p/autogen.toml"), &uncommented).unwrap();
        assert_eq!(config.sql_paths, [PathBuf::from("/p/sql")]);
    }
}

/// No text makes `Config::parse` panic, and every error it returns says where: arbitrary
/// strings, and random edits of valid files (the `init` template and one with every section).
/// Cases: proptest's default (256), or `PROPTEST_CASES`:
/// `PROPTEST_CASES=20000 cargo test -p autogen-cli --bins config`.
#[cfg(test)]
mod fuzz_tests {
    use super::*;
    use proptest::prelude::*;

    /// Every section, each key set.
    const FULL: &str = r#"# a project
[models]
paths = ["models", "more/models.rs"]
sql = ["sql", "more/views.sql"]

[migrations]
dir = "db/migrations"

[database]
url = "postgres://app@localhost:5432/app"

[dev]
url = "postgres://postgres@localhost:5432/postgres"

[policy]
deny = ["data-loss", "table-rewrite"]

[online]
enabled = true
lock_timeout = "2s"
statement_timeout = "1h"
"#;

    /// Pieces that keep edits close to TOML and to this file's keys.
    const FRAGMENTS: &[&str] = &[
        "[",
        "]",
        "[[",
        "]]",
        "{",
        "}",
        "=",
        ",",
        ".",
        "\"",
        "'",
        "\"\"\"",
        "'''",
        "\\",
        "\\u",
        "\\uD800",
        "#",
        "\n",
        "\r\n",
        "\r",
        "\t",
        " ",
        "\0",
        "\u{feff}",
        "é",
        "Ünïcødé 表",
        "[policy]",
        "[online]",
        "[database]",
        "[dev]",
        "[models]",
        "[migrations]",
        "[policy.deny]",
        "deny = [",
        "deny = [\"data-loss\"]",
        "enabled = ",
        "enabled = true",
        "lock_timeout = ",
        "url = ",
        "paths = [",
        "sql = [",
        "dir = ",
        "true",
        "1979-05-27T07:32:00Z",
        "1e999",
        "-0x1",
        "99999999999999999999",
        "inf",
        "nan",
    ];

    #[derive(Debug, Clone)]
    enum Edit {
        Delete { at: usize, len: usize },
        Insert { at: usize, text: String },
        Replace { at: usize, len: usize, text: String },
    }

    fn edit() -> impl Strategy<Value = Edit> {
        let text = || {
            prop_oneof![
                3 => prop::sample::select(FRAGMENTS).prop_map(str::to_string),
                1 => ".{0,8}",
            ]
        };
        prop_oneof![
            (any::<usize>(), 1usize..30).prop_map(|(at, len)| Edit::Delete { at, len }),
            (any::<usize>(), text()).prop_map(|(at, text)| Edit::Insert { at, text }),
            (any::<usize>(), 1usize..10, text()).prop_map(|(at, len, text)| Edit::Replace {
                at,
                len,
                text
            }),
        ]
    }

    /// Applies edits on characters, so the text stays valid UTF-8.
    fn apply(text: &str, edits: &[Edit]) -> String {
        let mut chars: Vec<char> = text.chars().collect();
        for edit in edits {
            let len = chars.len();
            match edit {
                Edit::Delete { at, len: count } => {
                    let start = at % (len + 1);
                    chars.drain(start..(start + count).min(len));
                }
                Edit::Insert { at, text } => {
                    let start = at % (len + 1);
                    chars.splice(start..start, text.chars());
                }
                Edit::Replace {
                    at,
                    len: count,
                    text,
                } => {
                    let start = at % (len + 1);
                    chars.splice(start..(start + count).min(len), text.chars());
                }
            }
        }
        chars.into_iter().collect()
    }

    /// Parses `text`; an error must be `autogen.toml:LINE: MESSAGE` with a line of the text
    /// and a non-empty message.
    fn check(text: &str) -> Result<(), TestCaseError> {
        let Err(error) = Config::parse(Path::new("autogen.toml"), text) else {
            return Ok(());
        };
        let EngineError::Config { line, message, .. } = &error else {
            return Err(TestCaseError::fail(format!("not a config error: {error}")));
        };
        let lines = 1 + text.matches('\n').count();
        prop_assert!(
            (1..=lines).contains(line),
            "line {line} of {lines} in {error}"
        );
        prop_assert!(!message.trim().is_empty(), "empty message: {error:?}");
        let rendered = error.to_string();
        let prefix = format!("autogen.toml:{line}: ");
        prop_assert!(rendered.starts_with(&prefix), "{rendered}");
        prop_assert!(rendered.len() > prefix.len(), "{rendered}");
        Ok(())
    }

    fn valid_texts() -> [String; 3] {
        [
            template("models", "migrations"),
            template("src/models \"x\" \\ Ünïcødé 表", "db\n\t\u{7}"),
            FULL.to_string(),
        ]
    }

    #[test]
    fn the_valid_texts_parse() {
        for text in valid_texts() {
            if let Err(error) = Config::parse(Path::new("autogen.toml"), &text) {
                panic!("{error}\n{text}");
            }
        }
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        for (text, expected) in [
            (
                format!("\nx = {}{}", "[".repeat(100_000), "]".repeat(100_000)),
                "autogen.toml:2: cannot recurse further",
            ),
            (
                format!("\n\nx = {}", "{ a = ".repeat(100_000)),
                "autogen.toml:3: cannot recurse further",
            ),
            // The one error toml gives without a span.
            (
                format!("\n[{}]", "a.".repeat(100_000) + "b"),
                "autogen.toml:1: recursion limit (the TOML parser gives no line for this error)",
            ),
        ] {
            let error = Config::parse(Path::new("autogen.toml"), &text)
                .expect_err("too deep")
                .to_string();
            assert!(error.starts_with(expected), "{error}");
            check(&text).expect("a located error");
        }
    }

    proptest! {
        #[test]
        fn arbitrary_text_never_panics(text in "\\PC{0,300}") {
            check(&text)?;
        }

        #[test]
        fn arbitrary_lines_never_panic(
            lines in prop::collection::vec(
                prop_oneof![
                    prop::sample::select(FRAGMENTS).prop_map(str::to_string),
                    ".{0,20}",
                ],
                0..20,
            )
        ) {
            check(&lines.join("\n"))?;
        }

        #[test]
        fn edited_configs_never_panic(
            which in 0usize..3,
            edits in prop::collection::vec(edit(), 1..8),
        ) {
            let valid = &valid_texts()[which];
            check(&apply(valid, &edits))?;
        }
    }
}
