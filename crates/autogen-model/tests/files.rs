//! Reading model paths from disk: files, directories (recursive, sorted), bad files.

use autogen_model::load_models;
use std::fs;
use std::path::{Path, PathBuf};

fn write(root: &Path, relative: &str, text: &[u8]) -> PathBuf {
    let path = root.join(relative);
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent).expect("create dir");
    }
    fs::write(&path, text).expect("write");
    path
}

fn model(name: &str) -> Vec<u8> {
    format!("#[derive(Model)]\n#[model(table = \"{name}\")]\nstruct X {{ id: i64 }}\n").into_bytes()
}

#[test]
fn directories_are_read_recursively_in_sorted_order() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path();
    write(root, "z.rs", &model("z"));
    write(root, "b/c.rs", &model("b_c"));
    write(root, "a.rs", &model("a"));
    write(root, "b/a/deep.rs", &model("b_a_deep"));
    write(root, "b.rs", &model("b"));
    write(root, "notes.txt", b"not rust");
    write(root, ".hidden/h.rs", &model("hidden"));
    let models = load_models(&[root.to_path_buf()]).expect("valid");
    let tables: Vec<&str> = models
        .catalog
        .tables
        .iter()
        .map(|t| t.name.as_str())
        .collect();
    assert_eq!(tables, ["a", "b_a_deep", "b_c", "b", "z"]);
    assert_eq!(models.sources.len(), 5);
    assert_eq!(
        models.origins.tables[1].table.file,
        root.join("b/a/deep.rs")
    );
}

#[test]
fn files_are_read_as_given_and_only_once() {
    let dir = tempfile::tempdir().expect("tempdir");
    let one = write(dir.path(), "one.rs", &model("one"));
    let other = write(dir.path(), "sub/models.txt", &model("other"));
    let models = load_models(&[other.clone(), one.clone(), one]).expect("valid");
    let tables: Vec<&str> = models
        .catalog
        .tables
        .iter()
        .map(|t| t.name.as_str())
        .collect();
    assert_eq!(tables, ["other", "one"]);
}

#[test]
fn unreadable_paths_and_non_utf8_files_are_errors_with_the_others_still_checked() {
    let dir = tempfile::tempdir().expect("tempdir");
    let missing = dir.path().join("missing.rs");
    let latin1 = write(dir.path(), "latin1.rs", b"// caf\xe9\nstruct A;");
    let bad = write(
        dir.path(),
        "bad.rs",
        b"#[derive(Model)]\n#[model(tabel = \"x\")]\nstruct B { id: i64 }",
    );
    let errors = load_models(&[missing.clone(), latin1.clone(), bad.clone()]).expect_err("errors");
    assert_eq!(errors.errors.len(), 3);
    assert!(
        errors.errors[0].one_line().starts_with(&format!(
            "{}:1:1: cannot read `{}`: ",
            missing.display(),
            missing.display()
        )),
        "{}",
        errors.errors[0].one_line()
    );
    assert_eq!(
        errors.errors[1].one_line(),
        format!(
            "{}:1:7: `{}` is not valid UTF-8",
            latin1.display(),
            latin1.display()
        )
    );
    assert_eq!(errors.errors[1].span.offset(), 6);
    assert_eq!(
        errors.errors[2].one_line(),
        format!("{}:2:9: unknown model setting `tabel`", bad.display())
    );
    // Errors without a position in a file still render.
    let mut rendered = String::new();
    miette::GraphicalReportHandler::new_themed(miette::GraphicalTheme::unicode_nocolor())
        .render_report(&mut rendered, &errors)
        .expect("render");
    assert!(rendered.contains("is not valid UTF-8"), "{rendered}");
}

#[test]
fn an_empty_directory_has_no_models() {
    let dir = tempfile::tempdir().expect("tempdir");
    let models = load_models(&[dir.path().to_path_buf()]).expect("valid");
    assert!(models.catalog.is_empty());
    assert!(models.sources.is_empty());
}
