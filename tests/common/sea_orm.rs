//! Crates built outside the workspace against SeaORM 2.x (the sea-orm-migration crate of
//! `tests/layouts.rs`, the fixture entities' crate of `tests/seaorm.rs`): every one has the same
//! dependency graph and builds in the same target directory, so sea-orm is built once for all
//! of them and once across runs.

use std::path::{Path, PathBuf};
use std::process::Command;

/// A manifest for crate `name`: sea-orm-migration 2.x for PostgreSQL on tokio, without its
/// default `cli` feature, then `extra` dependencies (which must not add features to the graph,
/// or the crate gets a sea-orm of its own). Any warning in the crate fails the build; no debug
/// info keeps the build and the link short.
pub fn manifest(name: &str, extra: &str) -> String {
    format!(
        r#"[package]
name = "{name}"
version = "0.0.0"
edition = "2024"
publish = false

[dependencies]
sea-orm-migration = {{ version = "2", default-features = false, features = ["sqlx-postgres", "runtime-tokio-rustls"] }}
tokio = {{ version = "1", features = ["macros", "rt"] }}
{extra}
[lints.rust]
warnings = "deny"

[profile.dev]
debug = false

[workspace]
"#
    )
}

/// A crate in a temporary directory with `manifest`, an empty `src/` and the lock file of the
/// first build in [`target`], which pins the versions of later ones so reruns reuse them.
pub fn new_crate(manifest: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("Cargo.toml"), manifest).expect("Cargo.toml");
    std::fs::create_dir(dir.path().join("src")).expect("src");
    if let Ok(lock) = std::fs::read(target().join("Cargo.lock")) {
        std::fs::write(dir.path().join("Cargo.lock"), lock).expect("Cargo.lock");
    }
    dir
}

/// Where these crates build: under the workspace's `target/`, so their dependencies are built
/// once across runs.
pub fn target() -> PathBuf {
    super::workspace()
        .canonicalize()
        .expect("workspace root")
        .join("target/sea-orm-migration-crate")
}

/// `cargo run -- <args>` of the crate with `DATABASE_URL` set to `url` (as sea-orm takes it);
/// its stdout, one line a string. Keeps the crate's lock file if none is kept yet.
pub fn cargo_run(crate_dir: &Path, url: &str, args: &[&str]) -> Vec<String> {
    let output = Command::new(env!("CARGO"))
        .args(["run", "--quiet", "--"])
        .args(args)
        .current_dir(crate_dir)
        .env("CARGO_TARGET_DIR", target())
        .env("DATABASE_URL", database_url(url))
        .output()
        .expect("run cargo");
    assert!(
        output.status.success(),
        "cargo run -- {args:?}:\n{}",
        super::stderr(&output)
    );
    let lock = crate_dir.join("Cargo.lock");
    if lock.is_file() && !target().join("Cargo.lock").is_file() {
        std::fs::create_dir_all(target()).expect("target dir");
        std::fs::copy(lock, target().join("Cargo.lock")).expect("keep Cargo.lock");
    }
    super::stdout(&output).lines().map(str::to_owned).collect()
}

/// `url` as sea-orm takes it: sea-orm refuses a URL the `url` crate cannot parse, such as a
/// Unix socket's empty host (`postgres://user@/db?host=/dir`), so that one gets `localhost`,
/// which the `host` parameter overrides (sqlx reads a path there as the socket directory).
pub fn database_url(url: &str) -> String {
    let (scheme, rest) = url.split_once("://").expect("a URL");
    let (authority, path) = rest.split_once('/').unwrap_or((rest, ""));
    if authority.is_empty() || authority.ends_with('@') {
        format!("{scheme}://{authority}localhost/{path}")
    } else {
        url.to_owned()
    }
}
