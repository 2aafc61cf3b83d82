//! No input makes the reader panic: arbitrary text, and random edits of a valid model file.
//! Cases: proptest's default (256), or `PROPTEST_CASES`.

use autogen_model::derive_support::{enum_info, model_info};
use autogen_model::load_sources;
use proptest::prelude::*;

const VALID: &str = include_str!("../../../fixtures/models/design_example.rs");

/// Pieces that keep edits close to the attribute grammar, where the interesting paths are.
const FRAGMENTS: &[&str] = &[
    "#[model(",
    ")]",
    "(",
    ")",
    "[",
    "]",
    "{",
    "}",
    "\"",
    "'",
    ",",
    "=",
    "::",
    "<",
    ">",
    "r#",
    "-1",
    "99999999999999999999",
    "1.5",
    "true",
    "primary_key",
    "identity",
    "unique",
    "index",
    "max_length",
    "precision",
    "scale",
    "default",
    "generated",
    "references",
    "on_delete",
    "deferrable",
    "columns",
    "where",
    "skip",
    "sql_type",
    "\"t(id)\"",
    "\"s.t(a, b)\"",
    "\"'happy'\"",
    "Option<",
    "Vec<",
    "u8",
    "Mood",
    "enum",
    "struct",
    "mod m {",
    "#[derive(Model)]",
    "#[derive(DbEnum)]",
    "\u{feff}",
    "#!",
    "\n",
    "é",
    "\0",
];

#[derive(Debug, Clone)]
enum Edit {
    Delete { at: usize, len: usize },
    Insert { at: usize, text: String },
    Duplicate { at: usize, len: usize },
}

fn edit() -> impl Strategy<Value = Edit> {
    let fragment = prop::sample::select(FRAGMENTS).prop_map(str::to_string);
    prop_oneof![
        (any::<usize>(), 1usize..40).prop_map(|(at, len)| Edit::Delete { at, len }),
        (any::<usize>(), prop_oneof![fragment, ".{0,8}"])
            .prop_map(|(at, text)| Edit::Insert { at, text }),
        (any::<usize>(), 1usize..80).prop_map(|(at, len)| Edit::Duplicate { at, len }),
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
                let end = (start + count).min(len);
                chars.drain(start..end);
            }
            Edit::Insert { at, text } => {
                let start = at % (len + 1);
                chars.splice(start..start, text.chars());
            }
            Edit::Duplicate { at, len: count } => {
                let start = at % (len + 1);
                let end = (start + count).min(len);
                let copy: Vec<char> = chars[start..end].to_vec();
                chars.splice(end..end, copy);
            }
        }
    }
    chars.into_iter().collect()
}

/// Loads `text` and also feeds each of its items to the derive's entry points.
fn exercise(text: &str) {
    let _ = load_sources(vec![("fuzz.rs".into(), text.to_string())]);
    if let Ok(file) = syn::parse_file(text) {
        for item in file.items {
            let input: Option<syn::DeriveInput> = match item {
                syn::Item::Struct(item) => Some(item.into()),
                syn::Item::Enum(item) => Some(item.into()),
                _ => None,
            };
            if let Some(input) = input {
                let _ = model_info(&input);
                let _ = enum_info(&input);
            }
        }
    }
}

proptest! {
    #[test]
    fn arbitrary_text_never_panics(text in "\\PC{0,400}") {
        exercise(&text);
    }

    #[test]
    fn edited_models_never_panic(edits in prop::collection::vec(edit(), 1..8)) {
        exercise(&apply(VALID, &edits));
    }
}

#[test]
fn the_unedited_model_is_valid() {
    assert!(load_sources(vec![("valid.rs".into(), VALID.to_string())]).is_ok());
}

#[test]
fn deep_nesting_is_an_error_not_a_crash() {
    let deep = format!(
        "fn f() {{ let x = {}1{}; }}",
        "(".repeat(100_000),
        ")".repeat(100_000)
    );
    let errors = load_sources(vec![("deep.rs".into(), deep)]).expect_err("too deep");
    assert_eq!(
        errors.errors[0].message,
        "delimiters are nested more than 256 deep"
    );
    let unary = format!("fn f() {{ let x = {}1; }}", "-".repeat(20_000));
    let _ = load_sources(vec![("unary.rs".into(), unary)]);
}
