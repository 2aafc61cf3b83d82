//! How errors look to a person: miette's graphical report, without colors.

use autogen_model::{ModelErrors, load_sources};
use miette::{GraphicalReportHandler, GraphicalTheme};

fn render(errors: &ModelErrors) -> String {
    let mut out = String::new();
    for (index, error) in errors.errors.iter().enumerate() {
        if index > 0 {
            out.push('\n');
        }
        GraphicalReportHandler::new_themed(GraphicalTheme::unicode_nocolor())
            .with_width(100)
            .render_report(&mut out, error)
            .expect("render");
    }
    out
}

fn render_files(files: &[(&str, &str)]) -> String {
    let sources = files
        .iter()
        .map(|(path, text)| (path.into(), text.to_string()))
        .collect();
    render(&load_sources(sources).expect_err("errors"))
}

#[test]
fn misspelled_setting() {
    insta::assert_snapshot!(render_files(&[(
        "src/models/user.rs",
        "#[derive(Model)]\n#[model(table = \"users\")]\npub struct User {\n    #[model(unique, max_lenght = 255)]\n    pub email: String,\n}\n",
    )]));
}

#[test]
fn wrong_value_and_unknown_type() {
    insta::assert_snapshot!(render_files(&[(
        "models.rs",
        "#[derive(Model)]\npub struct Place {\n    #[model(max_length = \"long\")]\n    pub name: String,\n    pub location: geo::Point<f64>,\n}\n",
    )]));
}

#[test]
fn duplicate_table_across_files() {
    insta::assert_snapshot!(render_files(&[
        (
            "a.rs",
            "#[derive(Model)]\npub struct User { pub id: i64 }\n"
        ),
        (
            "b.rs",
            "#[derive(Model)]\n#[model(table = \"user\")]\npub struct Account { pub id: i64 }\n"
        ),
    ]));
}

#[test]
fn bad_enum_default_and_reference() {
    insta::assert_snapshot!(render_files(&[(
        "models.rs",
        "#[derive(DbEnum)]\npub enum Mood { Happy, Sad }\n\n#[derive(Model)]\npub struct Person {\n    #[model(default = \"'angry'\")]\n    pub mood: Mood,\n    #[model(references = \"world(id)\", on_delete = \"cascade\")]\n    pub world_id: i64,\n}\n\n#[derive(Model)]\npub struct Worlds { pub id: i64 }\n",
    )]));
}

#[test]
fn syntax_error() {
    insta::assert_snapshot!(render_files(&[(
        "broken.rs",
        "#[derive(Model)]\npub struct User {\n    pub id: i64\n    pub name: String,\n}\n",
    )]));
}

#[test]
fn summary_with_related_errors() {
    let errors = load_sources(vec![(
        "models.rs".into(),
        "#[derive(Model)]\n#[model(primary_key = [\"id\"])]\npub struct T {\n    #[model(primary_key)]\n    pub id: i64,\n    #[model(generated = \"id * 2\", default = \"0\")]\n    pub twice: i64,\n}\n".into(),
    )])
    .expect_err("errors");
    let mut out = String::new();
    GraphicalReportHandler::new_themed(GraphicalTheme::unicode_nocolor())
        .with_width(100)
        .render_report(&mut out, &errors)
        .expect("render");
    insta::assert_snapshot!(out);
}
