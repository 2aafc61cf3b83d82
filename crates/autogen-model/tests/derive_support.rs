//! The derive's view: the same parser and per-item checks, as syn errors.

use autogen_model::derive_support::{enum_info, model_info};
use autogen_model::load_sources;

fn input(text: &str) -> syn::DeriveInput {
    syn::parse_str(text).expect("valid Rust")
}

#[test]
fn model_info_gives_table_schema_and_columns() {
    let info = model_info(&input(
        r#"#[model(schema = "app")]
        struct UserIdentity {
            id: i64,
            #[model(column = "kind")] r#type: String,
            #[model(skip)] cache: std::collections::HashMap<u32, u32>,
            mood: Mood,
        }"#,
    ))
    .expect("valid");
    assert_eq!(
        (info.table.as_str(), info.schema.as_str()),
        ("user_identity", "app")
    );
    let columns: Vec<(String, &str)> = info
        .columns
        .iter()
        .map(|(ident, column)| (ident.to_string(), column.as_str()))
        .collect();
    // A type the derive cannot resolve (maybe a DbEnum elsewhere) is accepted here.
    assert_eq!(
        columns,
        [
            ("id".to_string(), "id"),
            ("r#type".to_string(), "kind"),
            ("mood".to_string(), "mood")
        ]
    );
}

#[test]
fn enum_info_gives_type_and_values() {
    let info = enum_info(&input(
        r#"#[model(type_name = "feeling")]
        enum Mood { Happy, #[model(rename = "so-so")] SoSo }"#,
    ))
    .expect("valid");
    assert_eq!(
        (info.type_name.as_str(), info.schema.as_str()),
        ("feeling", "public")
    );
    let values: Vec<(String, &str)> = info
        .values
        .iter()
        .map(|(ident, value)| (ident.to_string(), value.as_str()))
        .collect();
    assert_eq!(
        values,
        [
            ("Happy".to_string(), "happy"),
            ("SoSo".to_string(), "so-so")
        ]
    );
}

#[test]
fn errors_carry_spans_and_help() {
    let errors = model_info(&input(
        "struct T {\n    #[model(max_lenght = 5)] a: String,\n    b: u32,\n}",
    ))
    .expect_err("errors");
    assert_eq!(errors.len(), 2);
    assert_eq!(
        errors[0].to_string(),
        "unknown model setting `max_lenght`\n\nhelp: did you mean `max_length`?"
    );
    let start = errors[0].span().start();
    assert_eq!((start.line, start.column), (2, 12));
    assert_eq!(errors[0].span().byte_range().len(), "max_lenght".len());
    assert!(
        errors[1]
            .to_string()
            .starts_with("PostgreSQL has no column type for `u32`")
    );
}

#[test]
fn wrong_item_kinds() {
    let error = &model_info(&input("enum E { A }")).expect_err("enum")[0];
    assert!(
        error
            .to_string()
            .starts_with("`Model` cannot be derived for an enum")
    );
    let error = &enum_info(&input("struct S { a: i32 }")).expect_err("struct")[0];
    assert!(
        error
            .to_string()
            .starts_with("`DbEnum` cannot be derived for a struct")
    );
    let error = &enum_info(&input("union U { a: i32 }")).expect_err("union")[0];
    assert!(
        error
            .to_string()
            .starts_with("`DbEnum` cannot be derived for a union")
    );
}

/// Compile time and the CLI report the same per-item problems, in the same words.
#[test]
fn derive_and_cli_agree() {
    let item = r#"#[model(tabel = "x", primary_key = ["nope"])]
struct T {
    #[model(identity, default = "1")] a: String,
    #[model(scale = 2, references = "t(a)", on_delete = "explode")] b: Decimal,
    #[model(column = "b")] c: i32,
}"#;
    let mut derive: Vec<String> = model_info(&input(item))
        .expect_err("errors")
        .iter()
        .map(|error| {
            error
                .to_string()
                .split("\n\nhelp: ")
                .next()
                .unwrap_or_default()
                .to_string()
        })
        .collect();
    let mut cli: Vec<String> =
        load_sources(vec![("m.rs".into(), format!("#[derive(Model)]\n{item}"))])
            .expect_err("errors")
            .errors
            .into_iter()
            .map(|error| error.message)
            .collect();
    derive.sort();
    cli.sort();
    assert_eq!(derive.len(), 7, "{derive:#?}");
    assert_eq!(derive, cli);
}
