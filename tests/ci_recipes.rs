//! The CI and review recipes of docs/ci.md run as written: the shell commands of the GitHub
//! Actions workflow, the GitLab CI job and the pre-commit hooks are taken from their files and
//! run in a git project with `autogen` on PATH — 0 on a clean pull request, 1 on drift and on a
//! revision with a denied hazard.

mod common;

use common::project::Project;
use common::{stderr, stdout, workspace};
use std::path::Path;
use std::process::{Command, Output};

const USERS: &str = r#"
use autogen::Model;

#[derive(Model)]
#[model(table = "users")]
pub struct User {
    #[model(primary_key, identity)]
    pub id: i64,
    pub email: String,
    pub note: Option<String>,
}
"#;

fn read(relative: &str) -> String {
    std::fs::read_to_string(workspace().join(relative))
        .unwrap_or_else(|e| panic!("{relative}: {e}"))
}

/// The `run:` script of the workflow step named `name` (a one-line `run: …` or a `run: |`
/// block, dedented).
fn github_step(workflow: &str, name: &str) -> String {
    let lines: Vec<&str> = workflow.lines().collect();
    let start = lines
        .iter()
        .position(|line| line.trim() == format!("- name: {name}"))
        .unwrap_or_else(|| panic!("no step {name:?} in the workflow"));
    let step_indent = indent(lines[start]);
    for (offset, line) in lines[start + 1..].iter().enumerate() {
        if indent(line) <= step_indent && !line.trim().is_empty() {
            break;
        }
        let Some(script) = line.trim().strip_prefix("run:") else {
            continue;
        };
        let script = script.trim();
        if script != "|" {
            return script.to_string();
        }
        let block_indent = indent(lines[start + 2 + offset]);
        return lines[start + 2 + offset..]
            .iter()
            .take_while(|line| line.trim().is_empty() || indent(line) >= block_indent)
            .map(|line| line.get(block_indent..).unwrap_or("").to_string())
            .collect::<Vec<_>>()
            .join("\n");
    }
    panic!("step {name:?} has no run:");
}

fn indent(line: &str) -> usize {
    line.len() - line.trim_start().len()
}

/// The items of the GitLab job's `script:` list.
fn gitlab_script(job: &str) -> Vec<String> {
    job.lines()
        .skip_while(|line| line.trim() != "script:")
        .skip(1)
        .take_while(|line| line.trim_start().starts_with("- "))
        .map(|line| line.trim_start()[2..].to_string())
        .collect()
}

/// The `entry:` of each pre-commit hook, by id.
fn pre_commit_entries(hooks: &str) -> Vec<(String, String)> {
    let mut entries = Vec::new();
    let mut id = String::new();
    for line in hooks.lines() {
        let line = line.trim().trim_start_matches("- ");
        if let Some(value) = line.strip_prefix("id:") {
            id = value.trim().to_string();
        } else if let Some(value) = line.strip_prefix("entry:") {
            entries.push((id.clone(), value.trim().to_string()));
        }
    }
    entries
}

fn git(dir: &Path, args: &[&str]) {
    let output = Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_AUTHOR_NAME", "ci")
        .env("GIT_AUTHOR_EMAIL", "ci@example.com")
        .env("GIT_COMMITTER_NAME", "ci")
        .env("GIT_COMMITTER_EMAIL", "ci@example.com")
        .output()
        .expect("git runs");
    assert!(output.status.success(), "git {args:?}: {}", stderr(&output));
}

/// Runs `script` with `sh` in the project, `autogen` being the binary under test, `BASE` the
/// base branch as the recipes name it.
fn sh(project: &Project, script: &str) -> Output {
    let bin_dir = Path::new(env!("CARGO_BIN_EXE_autogen"))
        .parent()
        .expect("the binary's directory");
    let path = format!(
        "{}:{}",
        bin_dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    // The environment the project gives the binary (its dev server, its cache, no colors).
    let autogen = project.command(&[]);
    let mut shell = Command::new("sh");
    shell
        .arg("-c")
        .arg(script)
        .current_dir(project.path())
        .env("PATH", path)
        .env("BASE", "main");
    for (key, value) in autogen.get_envs() {
        match value {
            Some(value) => shell.env(key, value),
            None => shell.env_remove(key),
        };
    }
    shell.output().expect("sh runs")
}

fn code(output: &Output) -> Option<i32> {
    output.status.code()
}

/// A project in git on `main` with one revision, and a branch `feature` checked out.
fn project_on_a_branch() -> Project {
    let project = Project::new();
    project.write_models(USERS);
    project.expect(0, &["revision", "-m", "users"]);
    git(project.path(), &["init", "-q", "-b", "main"]);
    git(project.path(), &["add", "-A"]);
    git(project.path(), &["commit", "-q", "-m", "users"]);
    git(project.path(), &["checkout", "-q", "-b", "feature"]);
    project
}

fn commit(project: &Project, message: &str) {
    git(project.path(), &["add", "-A"]);
    git(project.path(), &["commit", "-q", "-m", message]);
}

#[test]
fn the_github_actions_recipe_passes_clean_and_fails_on_drift_and_on_denied_hazards() {
    let workflow = read("docs/ci/github-actions.yml");
    let check = github_step(&workflow, "models and revisions agree");
    let lint = github_step(
        &workflow,
        "the revisions this pull request adds pass the policy",
    );
    assert_eq!(check, "autogen check --format github");

    let project = project_on_a_branch();
    // A pull request adding a safe revision: both steps pass.
    project.write_models(&USERS.replace("pub note", "pub phone: Option<String>,\n    pub note"));
    project.expect(0, &["revision", "-m", "add phone"]);
    commit(&project, "add phone");
    for script in [&check, &lint] {
        let output = sh(&project, script);
        assert_eq!(code(&output), Some(0), "{script}\n{}", stderr(&output));
    }

    // A model edited without its revision: the check step fails.
    project.write_models(&USERS.replace(
        "pub email: String,",
        "pub email: String,\n    pub age: Option<i32>,",
    ));
    let output = sh(&project, &check);
    assert_eq!(code(&output), Some(1), "{}", stderr(&output));
    // Workflow commands GitHub turns into annotations on the pull request.
    assert!(
        stdout(&output).starts_with("::error "),
        "{}",
        stdout(&output)
    );

    // A revision dropping a column: the lint step fails, naming it; the revisions of `main`
    // are not linted again.
    project.write_models(&USERS.replace("    pub note: Option<String>,\n", ""));
    project.expect(0, &["revision", "-m", "drop note"]);
    commit(&project, "drop note");
    let output = sh(&project, &lint);
    assert_eq!(code(&output), Some(1), "{}", stderr(&output));
    let report = format!("{}{}", stdout(&output), stderr(&output));
    assert!(
        stdout(&output)
            .lines()
            .any(|line| line.starts_with("::error file=migrations/")),
        "{report}"
    );
    assert!(report.contains("data-loss"), "{report}");
    assert!(report.contains("DROP COLUMN \"note\""), "{report}");
    assert!(
        !report.contains("CREATE TABLE"),
        "the base branch's revision was linted: {report}"
    );
}

#[test]
fn the_gitlab_recipe_runs_the_same_commands() {
    let script = gitlab_script(&read("docs/ci/gitlab-ci.yml"));
    assert_eq!(script.len(), 2, "{script:?}");
    let project = project_on_a_branch();
    for line in &script {
        let output = sh(&project, line);
        assert_eq!(code(&output), Some(0), "{line}\n{}", stderr(&output));
    }
    project.write_models(&USERS.replace("    pub note: Option<String>,\n", ""));
    project.expect(0, &["revision", "-m", "drop note"]);
    commit(&project, "drop note");
    let output = sh(&project, &script[1]);
    assert_eq!(code(&output), Some(1), "{}", stderr(&output));
}

#[test]
fn the_pre_commit_hooks_run_their_entries() {
    let entries = pre_commit_entries(&read(".pre-commit-hooks.yaml"));
    let ids: Vec<&str> = entries.iter().map(|(id, _)| id.as_str()).collect();
    assert_eq!(ids, ["autogen-check", "autogen-lint"]);
    let project = project_on_a_branch();
    for (id, entry) in &entries {
        let output = sh(&project, entry);
        assert_eq!(code(&output), Some(0), "{id}: {}", stderr(&output));
    }
    project.write_models(&USERS.replace("    pub note: Option<String>,\n", ""));
    let output = sh(&project, &entries[0].1);
    assert_eq!(code(&output), Some(1), "drift: {}", stderr(&output));
    project.expect(0, &["revision", "-m", "drop note"]);
    let output = sh(&project, &entries[1].1);
    assert_eq!(code(&output), Some(1), "denied hazard: {}", stderr(&output));
}
