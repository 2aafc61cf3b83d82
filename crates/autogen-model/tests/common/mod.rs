//! Helpers shared by the integration tests.
#![allow(dead_code)]

use autogen_model::{ModelError, Models, load_sources};
use autogen_schema::{Column, Table};

pub const FILE: &str = "models.rs";

/// Loads one in-memory file that must be valid.
pub fn load(text: &str) -> Models {
    load_sources(vec![(FILE.into(), text.to_string())])
        .unwrap_or_else(|errors| panic!("unexpected errors:\n{}", errors.one_lines()))
}

/// Loads one in-memory file that must have errors.
pub fn errors(text: &str) -> Vec<ModelError> {
    match load_sources(vec![(FILE.into(), text.to_string())]) {
        Ok(models) => panic!("expected errors, got {:#?}", models.catalog),
        Err(errors) => errors.errors,
    }
}

/// The one-line forms of the errors of one file.
pub fn error_lines(text: &str) -> Vec<String> {
    errors(text).iter().map(ModelError::one_line).collect()
}

/// The only error of one file.
pub fn single_error(text: &str) -> ModelError {
    let mut all = errors(text);
    assert_eq!(
        all.len(),
        1,
        "expected one error, got:\n{}",
        all.iter()
            .map(ModelError::one_line)
            .collect::<Vec<_>>()
            .join("\n")
    );
    all.remove(0)
}

pub fn table<'a>(models: &'a Models, name: &str) -> &'a Table {
    models
        .catalog
        .tables
        .iter()
        .find(|table| table.name == name)
        .unwrap_or_else(|| panic!("no table {name}"))
}

pub fn column<'a>(table: &'a Table, name: &str) -> &'a Column {
    table
        .column(name)
        .unwrap_or_else(|| panic!("no column {name} in {}", table.name))
}

/// A file with one model struct `T` (table `t`) holding `fields`.
pub fn struct_with(fields: &str) -> String {
    format!("#[derive(Model)]\nstruct T {{\n{fields}\n}}\n")
}

/// 1-based line and column (in chars) of the first occurrence of `needle` in `text`.
pub fn position(text: &str, needle: &str) -> (usize, usize) {
    let offset = text
        .find(needle)
        .unwrap_or_else(|| panic!("`{needle}` is not in the text"));
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |newline| newline + 1);
    (line, text[line_start..offset].chars().count() + 1)
}

/// Asserts that `error` is `message` spanning the first occurrence of `needle`. Where the
/// spanned text is not unique, mark it with context: `"«Kind» }"` spans `Kind` in `Kind }`.
pub fn assert_error(error: &ModelError, text: &str, needle: &str, message: &str) {
    let (context, spanned) = match (needle.find('«'), needle.find('»')) {
        (Some(open), Some(close)) => (
            needle.replace(['«', '»'], ""),
            &needle[open + '«'.len_utf8()..close],
        ),
        _ => (needle.to_string(), needle),
    };
    let (line, mut column) = position(text, &context);
    if let Some(open) = needle.find('«') {
        column += needle[..open].chars().count();
    }
    assert_eq!(
        (error.message.as_str(), error.line, error.column),
        (message, line, column),
        "{}",
        error.one_line()
    );
    let start = error.span.offset();
    assert_eq!(
        &text[start..start + error.span.len()],
        spanned,
        "span of {}",
        error.one_line()
    );
}

/// The only error of `text`, checked against `needle` and `message`; returns it for more checks.
pub fn expect_error(text: &str, needle: &str, message: &str) -> ModelError {
    let error = single_error(text);
    assert_error(&error, text, needle, message);
    error
}
