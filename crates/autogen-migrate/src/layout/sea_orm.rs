//! sea-orm-migration's layout: one module per migration, `m<YYYYMMDD_HHMMSS>_<name>.rs`,
//! whose `up`/`down` run the SQL with `manager.get_connection().execute_unprepared(…)`.
//! Reading one back takes the string literals of those calls, in order, as the section's
//! SQL; a hand-written migration that builds its statements another way (the schema
//! manager's `create_table`, a `Statement`, …) cannot be read and is an error at its line.
//! Modules run in file-name order, which is the order of the standard `Migrator` list.

use std::path::Path;

use super::chain::{Entry, section};
use super::rust_tokens::{Kind, Token, tokens};
use super::write::{entries, new_file, read_text, sync_dir};
use super::{Written, split_timestamp};
use crate::naming::slug;
use crate::{MigrateError, Revision, Section};

const LAYOUT: &str = "sea-orm";

/// Calls other than `execute_unprepared` that run SQL: a module using them is hand-written in
/// a way this reader does not follow.
const OTHER_EXECUTION: [&str; 6] = [
    "execute",
    "execute_raw",
    "exec_stmt",
    "query_one",
    "query_all",
    "begin",
];

pub(crate) fn read(dir: &Path) -> Result<Vec<Entry>, MigrateError> {
    let mut read_entries = Vec::new();
    for (name, path) in entries(dir)? {
        let Some(module) = name.strip_suffix(".rs") else {
            continue;
        };
        // `lib.rs` / `main.rs` are not migrations; sea-orm-cli names every migration `m…`.
        if !module.starts_with('m') || module == "main" || module == "mod" || !path.is_file() {
            continue;
        }
        let text = read_text(&path)?;
        // A helper module beside the migrations (e.g. shared identifiers) is not one.
        if !text.contains("MigrationTrait for") {
            continue;
        }
        let (up, down) = sections(&text).map_err(|(line, problem)| MigrateError::LayoutFile {
            path: path.clone(),
            line,
            layout: LAYOUT,
            problem,
        })?;
        let (id, message) = version_of(module);
        read_entries.push(Entry {
            id,
            message,
            path,
            up,
            down,
        });
    }
    Ok(read_entries)
}

/// The revision id of a module name (`m20261121_103000_x` → `20261121103000`) and its
/// description; a name without sea-orm-cli's timestamp keeps the whole name as its id.
pub(crate) fn version_of(module: &str) -> (String, String) {
    let stamp = module.get(1..16).filter(|stamp| {
        stamp.len() == 15
            && stamp.as_bytes()[8] == b'_'
            && stamp
                .bytes()
                .enumerate()
                .all(|(i, b)| i == 8 || b.is_ascii_digit())
    });
    match stamp {
        Some(stamp) => {
            let description = module.get(16..).unwrap_or("").trim_start_matches('_');
            (stamp.replace('_', ""), description.to_owned())
        }
        None => (module.to_owned(), module.to_owned()),
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Which {
    Up,
    Down,
}

/// The up and down sections of a module's text, or the line and reason it cannot be read.
fn sections(text: &str) -> Result<(Section, Section), (usize, String)> {
    let tokens = tokens(text)?;
    let ident = |token: Option<&Token>| match token.map(|token| &token.kind) {
        Some(Kind::Ident(name)) => Some(name.clone()),
        _ => None,
    };
    let punct =
        |token: Option<&Token>, c: char| token.is_some_and(|token| token.kind == Kind::Punct(c));
    let mut current: Option<Which> = None;
    let mut seen_up = false;
    let mut parts: [(Vec<String>, usize); 2] = [(Vec::new(), 0), (Vec::new(), 0)];
    for (index, token) in tokens.iter().enumerate() {
        let Kind::Ident(name) = &token.kind else {
            continue;
        };
        let next = tokens.get(index + 1);
        let after_dot = index > 0 && punct(tokens.get(index - 1), '.');
        match name.as_str() {
            "fn" => {
                current = match ident(next).as_deref() {
                    Some("up") => {
                        seen_up = true;
                        Some(Which::Up)
                    }
                    Some("down") => Some(Which::Down),
                    _ => None,
                };
            }
            "use_transaction" => {
                return Err((
                    token.line,
                    "it sets `use_transaction`, and autogen reads only migrations that run in sea-orm's default transaction".to_owned(),
                ));
            }
            "execute_unprepared" => {
                let Some(which) = current else {
                    return Err((
                        token.line,
                        "`execute_unprepared` outside `fn up` / `fn down`".to_owned(),
                    ));
                };
                let literal = match (tokens.get(index + 2), punct(next, '(')) {
                    (
                        Some(Token {
                            kind: Kind::Str(sql),
                            line,
                        }),
                        true,
                    ) if punct(tokens.get(index + 3), ')')
                        || (punct(tokens.get(index + 3), ',')
                            && punct(tokens.get(index + 4), ')')) =>
                    {
                        Some((sql.clone(), *line))
                    }
                    _ => None,
                };
                let Some((sql, line)) = literal else {
                    return Err((
                        token.line,
                        "`execute_unprepared` is given something other than one string literal, so its SQL cannot be read back".to_owned(),
                    ));
                };
                let slot = &mut parts[which as usize];
                if slot.0.is_empty() {
                    slot.1 = line;
                }
                slot.0.push(sql);
            }
            "manager" if punct(next, '.') => {
                if let Some(method) = ident(tokens.get(index + 2))
                    && method != "get_connection"
                {
                    return Err((
                        token.line,
                        format!(
                            "it uses `manager.{method}`: only the SQL of `execute_unprepared(\"…\")` calls can be read back"
                        ),
                    ));
                }
            }
            other if after_dot && OTHER_EXECUTION.contains(&other) => {
                return Err((
                    token.line,
                    format!(
                        "it calls `.{other}`: only the SQL of `execute_unprepared(\"…\")` calls can be read back"
                    ),
                ));
            }
            _ => {}
        }
    }
    if !seen_up {
        return Err((1, "no `fn up`".to_owned()));
    }
    let [(up, up_line), (down, down_line)] = parts;
    Ok((
        section(true, &up.join("\n"), up_line),
        section(true, &down.join("\n"), down_line),
    ))
}

pub(crate) fn write(dir: &Path, revision: &Revision) -> Result<Written, MigrateError> {
    for (name, section) in [("up", &revision.up), ("down", &revision.down)] {
        super::write::check_no_batch(LAYOUT, name, section)?;
        if !section.transactional {
            return Err(MigrateError::LayoutNeedsNoTransaction {
                layout: LAYOUT,
                section: name,
                reason: "a statement PostgreSQL refuses in a transaction block, or one that needs a transaction of its own".to_owned(),
                why: "sea-orm-migration runs every PostgreSQL migration in a transaction",
            });
        }
    }
    let module = match split_timestamp(&revision.id) {
        Some((date, time)) => format!("m{date}_{time}_{}", slug(&revision.message)),
        None => format!("m{}_{}", revision.id, slug(&revision.message)),
    };
    let path = dir.join(format!("{module}.rs"));
    new_file(&path, &module_text(revision, &module), &revision.id)?;
    sync_dir(dir)?;
    let mut paths = vec![path];
    let lib = dir.join("lib.rs");
    let note = match register_in_lib(&lib, &module) {
        Ok(true) => {
            let note = format!(
                "registered in {}: `mod {module};` and `Box::new({module}::Migration)` at the end of the Migrator's list",
                lib.display()
            );
            paths.push(lib);
            note
        }
        Ok(false) => format!(
            "add `mod {module};` to your migration crate's lib.rs and `Box::new({module}::Migration)` at the end of the Migrator's `migrations()` list (autogen edits lib.rs only in the shape sea-orm-cli writes)"
        ),
        Err(error) => format!(
            "could not register it in lib.rs ({error}): add `mod {module};` there and `Box::new({module}::Migration)` at the end of the Migrator's `migrations()` list"
        ),
    };
    Ok(Written {
        paths,
        note: Some(note),
    })
}

/// Adds the module to `lib` when that file exists in the standard shape: whether it did.
/// The new text replaces the file atomically (temporary file renamed over it).
fn register_in_lib(lib: &Path, module: &str) -> Result<bool, MigrateError> {
    if !lib.is_file() {
        return Ok(false);
    }
    let Some(text) = super::sea_orm_lib::register(&read_text(lib)?, module) else {
        return Ok(false);
    };
    super::write::replace_file(lib, &text)?;
    Ok(true)
}

fn module_text(revision: &Revision, module: &str) -> String {
    let message = revision.message.replace(['\n', '\r'], " ");
    format!(
        "//! {message}\n//!\n//! Written by autogen (revision {id}, verified up and down on PostgreSQL); hazards are\n//! commented in the SQL. Register it in the Migrator: `Box::new({module}::Migration)`.\n\nuse sea_orm_migration::prelude::*;\n\n#[derive(DeriveMigrationName)]\npub struct Migration;\n\n#[async_trait::async_trait]\nimpl MigrationTrait for Migration {{\n    async fn up(&self, {up_manager}: &SchemaManager) -> Result<(), DbErr> {{\n{up}        Ok(())\n    }}\n\n    async fn down(&self, {down_manager}: &SchemaManager) -> Result<(), DbErr> {{\n{down}        Ok(())\n    }}\n}}\n",
        id = revision.id,
        up = execute(&revision.up),
        down = execute(&revision.down),
        up_manager = manager_parameter(&revision.up),
        down_manager = manager_parameter(&revision.down),
    )
}

/// The schema manager parameter's name: `_manager` where an empty section leaves it unused,
/// so the module compiles without an `unused_variables` warning.
fn manager_parameter(section: &Section) -> &'static str {
    if section.sql.trim().is_empty() {
        "_manager"
    } else {
        "manager"
    }
}

/// The statement running a section's SQL, or nothing for an empty section.
fn execute(section: &Section) -> String {
    if section.sql.trim().is_empty() {
        return String::new();
    }
    // One more `#` than the longest run after a `"` in the SQL closes the literal safely.
    let longest = section
        .sql
        .split('"')
        .skip(1)
        .map(|rest| rest.chars().take_while(|&c| c == '#').count())
        .max()
        .unwrap_or(0);
    let hashes = "#".repeat(longest + 1);
    format!(
        "        manager\n            .get_connection()\n            .execute_unprepared(\n                r{hashes}\"\n{sql}\n\"{hashes},\n            )\n            .await?;\n",
        sql = section.sql
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn revision(up: &str, down: &str) -> Revision {
        Revision {
            id: "20261121103000".into(),
            parents: vec![],
            message: "add \"phone\"".into(),
            created: String::new(),
            origin: None,
            phase: None,
            up: Section::new(true, up),
            down: Section::new(true, down),
        }
    }

    #[test]
    fn written_modules_read_back() {
        let up = "-- hazard: none\nALTER TABLE \"t\" ADD COLUMN \"a\"\"#\" text;";
        let rev = revision(up, "");
        let text = module_text(&rev, "m20261121_103000_add_phone");
        let (read_up, read_down) = sections(&text).expect("readable");
        assert_eq!(read_up.sql.trim(), up);
        assert!(read_up.transactional);
        assert_eq!(read_down.sql, "");
        // The first SQL line is the line after the literal opens.
        let sql_line = text
            .lines()
            .position(|l| l.starts_with("-- hazard"))
            .expect("line")
            + 1;
        assert_eq!(read_up.first_line + 1, sql_line);
    }

    #[test]
    fn hand_written_modules_are_refused_at_their_line() {
        let text = "use x;\nimpl M {\n    async fn up(&self, manager: &SchemaManager) -> R {\n        manager.create_table(t).await\n    }\n}\n";
        assert_eq!(sections(text).map(|_| ()).unwrap_err().0, 4);
        let text = "async fn up(&self, m: &M) -> R {\n  m.get_connection().execute_unprepared(&sql).await\n}";
        assert_eq!(sections(text).map(|_| ()).unwrap_err().0, 2);
    }

    #[test]
    fn versions() {
        assert_eq!(
            version_of("m20220101_000001_create_table"),
            ("20220101000001".to_owned(), "create_table".to_owned())
        );
        assert_eq!(version_of("mfoo"), ("mfoo".to_owned(), "mfoo".to_owned()));
    }
}
