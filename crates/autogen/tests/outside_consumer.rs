//! A project outside this workspace that depends on the published facade by name and version
//! (`pg-autogen = "0.1.0"`, its library still `autogen`) compiles: the crates are patched to
//! these sources, as they would come from crates.io, and built offline.

use std::path::{Path, PathBuf};
use std::process::Command;

const CONSUMER_MAIN: &str = r#"use autogen::{DbEnum, Model};

#[derive(DbEnum)]
#[model(type_name = "plan")]
pub enum Plan {
    Free,
    Paid,
}

#[derive(Model)]
#[model(table = "accounts")]
pub struct Account {
    #[model(primary_key, identity)]
    pub id: i64,
    #[model(max_length = 255, unique)]
    pub email: String,
    pub plan: Plan,
}

fn main() {
    println!("{} {:?}", Account::QUALIFIED_TABLE, Account::COLUMNS);
}
"#;

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

#[test]
fn a_project_outside_the_workspace_builds_on_the_published_facade() {
    let root = workspace().canonicalize().expect("workspace root");
    let dir = tempfile::tempdir().expect("tempdir");
    let crates = root.join("crates");
    // Every crate the facade pulls in, as crates.io would serve it.
    let patches: String = [
        "pg-autogen:autogen",
        "autogen-derive:autogen-derive",
        "autogen-model:autogen-model",
        "autogen-schema:autogen-schema",
        "autogen-sql:autogen-sql",
        "autogen-migrate:autogen-migrate",
        "autogen-pg:autogen-pg",
    ]
    .iter()
    .map(|entry| {
        let (name, dir) = entry.split_once(':').expect("name:dir");
        format!("{name} = {{ path = {:?} }}\n", crates.join(dir))
    })
    .collect();
    let manifest = format!(
        "[package]\nname = \"outside-consumer\"\nversion = \"0.0.0\"\nedition = \"2024\"\npublish = false\n\n\
         [dependencies]\npg-autogen = \"0.1.0\"\n\n[patch.crates-io]\n{patches}\n[workspace]\n"
    );
    std::fs::write(dir.path().join("Cargo.toml"), manifest).expect("manifest");
    std::fs::create_dir(dir.path().join("src")).expect("src");
    std::fs::write(dir.path().join("src/main.rs"), CONSUMER_MAIN).expect("main.rs");
    // The workspace's lock file pins the versions it was tested with; a shared target directory
    // keeps the dependencies built once across runs.
    std::fs::copy(root.join("Cargo.lock"), dir.path().join("Cargo.lock")).expect("Cargo.lock");
    let output = Command::new(env!("CARGO"))
        .args(["run", "--quiet", "--offline"])
        .current_dir(dir.path())
        .env("CARGO_TARGET_DIR", root.join("target/outside-consumer"))
        .output()
        .expect("run cargo");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(
        stdout.trim(),
        r#""public"."accounts" ["id", "email", "plan"]"#,
        "{stderr}"
    );
}
