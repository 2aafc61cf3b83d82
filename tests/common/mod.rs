//! Helpers shared by the end-to-end tests: running the binary and finding the repository's
//! files.

#![allow(dead_code)] // Each test file uses a different subset.

pub mod project;
pub mod sea_orm;
pub mod terminal;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// Runs `autogen` with plain output and no inherited dev server.
pub fn autogen(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_autogen"))
        .args(args)
        .env("NO_COLOR", "1")
        .env_remove("AUTOGEN_DEV_URL")
        .output()
        .expect("the autogen binary runs")
}

/// `autogen` in `dir`, with plain output, the test process's shared dev server and a cache of
/// the directory's own (so runs of other tests never answer for this one).
pub fn command_in(dir: &Path, args: &[&str]) -> Command {
    let dev_url = autogen_testkit::shared_server()
        .admin_connection()
        .url_with_password();
    let mut command = Command::new(env!("CARGO_BIN_EXE_autogen"));
    command
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env("AUTOGEN_DEV_URL", dev_url)
        .env("AUTOGEN_CACHE_DIR", dir.join(".autogen-cache"))
        .env_remove("DATABASE_URL")
        .env_remove("AUTOGEN_CONFIG");
    command
}

/// [`command_in`], run.
pub fn autogen_in(dir: &Path, args: &[&str]) -> Output {
    command_in(dir, args)
        .output()
        .expect("the autogen binary runs")
}

/// [`autogen_in`], requiring exit status `code`; stdout and stderr.
pub fn expect_in(dir: &Path, code: i32, args: &[&str]) -> (String, String) {
    let output = autogen_in(dir, args);
    assert_eq!(
        output.status.code(),
        Some(code),
        "autogen {args:?}\nstdout:\n{}\nstderr:\n{}",
        stdout(&output),
        stderr(&output)
    );
    (stdout(&output), stderr(&output))
}

pub fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// The repository's root directory.
pub fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

pub fn fixtures() -> PathBuf {
    workspace().join("fixtures")
}

/// The `.sql` files directly in `dir`, sorted.
pub fn sql_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("fixture directory exists")
        .map(|entry| entry.expect("readable directory entry").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "sql"))
        .collect();
    files.sort();
    files
}
