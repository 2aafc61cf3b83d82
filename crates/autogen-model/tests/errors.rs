//! Every kind of model error: message, position (line, column, span) and help.

mod common;
use common::*;

fn help(error: &autogen_model::ModelError) -> &str {
    error.help.as_deref().unwrap_or("")
}

#[test]
fn unknown_settings_suggest_the_closest_name() {
    let text = struct_with("#[model(max_lenght = 10)] email: String,");
    let error = expect_error(&text, "max_lenght", "unknown model setting `max_lenght`");
    assert_eq!(help(&error), "did you mean `max_length`?");

    let text = "#[derive(Model)]\n#[model(tabel = \"users\")]\nstruct User { id: i64 }";
    let error = expect_error(text, "tabel", "unknown model setting `tabel`");
    assert_eq!(help(&error), "did you mean `table`?");

    let text =
        "#[derive(DbEnum)]\n#[model(typename = \"x\")]\nenum E { #[model(renam = \"b\")] A }";
    let errors = common::errors(text);
    assert_eq!(errors.len(), 2);
    assert_error(
        &errors[0],
        text,
        "typename",
        "unknown model setting `typename`",
    );
    assert_eq!(help(&errors[0]), "did you mean `type_name`?");
    assert_error(&errors[1], text, "renam", "unknown model setting `renam`");
    assert_eq!(help(&errors[1]), "did you mean `rename`?");

    let text = "#[derive(Model)]\n#[model(index(colums = [\"a\"]))]\nstruct T { a: i32 }";
    let errors = common::errors(text);
    assert_error(&errors[1], text, "colums", "unknown model setting `colums`");
    assert_eq!(help(&errors[1]), "did you mean `columns`?");
    // The index then lacks its columns.
    assert_error(&errors[0], text, "index", "`index(...)` needs `columns`");

    let text = struct_with("#[model(frobnicate)] a: i32,");
    let error = expect_error(&text, "frobnicate", "unknown model setting `frobnicate`");
    assert!(
        help(&error).starts_with("valid here: primary_key, identity, unique"),
        "{}",
        help(&error)
    );
}

#[test]
fn settings_in_the_wrong_place_say_where_they_belong() {
    let text = struct_with("#[model(table = \"x\")] a: i32,");
    let error = expect_error(
        &text,
        "table",
        "`table` is not a field (column) setting; it is a struct (table) setting",
    );
    assert_eq!(help(&error), "move it in #[model(...)] above the struct");
}

#[test]
fn values_of_the_wrong_kind() {
    let text = struct_with("#[model(max_length = \"x\")] a: String,");
    let error = expect_error(
        &text,
        "\"x\"",
        "`max_length` expects an integer, but got a string",
    );
    assert_eq!(help(&error), "write `max_length = 255`");

    let text = struct_with("#[model(comment = 5)] a: String,");
    expect_error(&text, "5", "`comment` expects a string, but got an integer");

    let text = struct_with("#[model(default = now())] a: String,");
    let error = expect_error(
        &text,
        "now()",
        "`default` expects a string, but got `now ()`",
    );
    assert_eq!(help(&error), "write `default = \"...\"`");

    let text = struct_with("#[model(unique = \"yes\")] a: String,");
    expect_error(&text, "\"yes\"", "`unique` is a flag, but got a string");

    let text = struct_with("#[model(max_length)] a: String,");
    expect_error(
        &text,
        "max_length",
        "`max_length` expects an integer, but got no value",
    );

    let text = struct_with("#[model(precision = 1.5)] a: Decimal,");
    expect_error(
        &text,
        "1.5",
        "`precision` expects an integer, but got a float",
    );

    let text = "#[derive(Model)]\n#[model(primary_key)]\nstruct T { a: i32 }";
    expect_error(
        text,
        "primary_key",
        "`primary_key` expects a list of strings, but got no value",
    );

    let text = "#[derive(Model)]\n#[model(unique(columns = \"a\"))]\nstruct T { a: i32 }";
    let errors = common::errors(text);
    assert_error(&errors[0], text, "unique", "`unique(...)` needs `columns`");
    assert_error(
        &errors[1],
        text,
        "\"a\"",
        "`columns` expects a list of strings, but got a string",
    );

    let text = "#[derive(Model)]\n#[model(primary_key = [\"a\", 1])]\nstruct T { a: i32 }";
    expect_error(
        text,
        "«1»]",
        "`primary_key` expects a list of strings, but this is an integer",
    );

    let text = "#[derive(Model)]\n#[model(unique)]\nstruct T { a: i32 }";
    expect_error(
        text,
        "unique",
        "`unique` expects settings in parentheses, but got no value",
    );

    let text = struct_with("#[model(identity = 1)] a: i32,");
    expect_error(
        &text,
        "1",
        "`identity` expects no value or a string, but got an integer",
    );
}

#[test]
fn table_settings_with_values_autogen_cannot_use() {
    let text = "#[derive(Model)]\n#[model(row_level_security = \"strict\")]\nstruct T { a: i32 }";
    let error = expect_error(
        text,
        "\"strict\"",
        "unknown `row_level_security` setting `strict`",
    );
    assert!(help(&error).contains("forced"), "{}", help(&error));
    let text = "#[derive(Model)]\n#[model(replica_identity = \"index\")]\nstruct T { a: i32 }";
    expect_error(text, "\"index\"", "unknown `replica_identity` `index`");
    let text =
        "#[derive(Model)]\n#[model(storage_parameters = [\"fillfactor\"])]\nstruct T { a: i32 }";
    let error = expect_error(
        text,
        "\"fillfactor\"",
        "a storage parameter is written `name=value`",
    );
    assert!(help(&error).contains("fillfactor=70"), "{}", help(&error));
    let text = "#[derive(Model)]\n#[model(storage_parameters = [\"fillfactor=70); DROP TABLE x\"])]\nstruct T { a: i32 }";
    expect_error(
        text,
        "\"fillfactor=70); DROP TABLE x\"",
        "a storage parameter is written `name=value`",
    );
}

#[test]
fn column_settings_with_unknown_or_malformed_values() {
    let text = struct_with("#[model(storage = \"externel\")] body: String,");
    let error = expect_error(&text, "\"externel\"", "unknown `storage` `externel`");
    assert_eq!(help(&error), "did you mean \"external\"?");
    let text = struct_with("#[model(compression = \"zstd\")] body: String,");
    let error = expect_error(&text, "\"zstd\"", "unknown `compression` method `zstd`");
    assert!(help(&error).contains("lz4"), "{}", help(&error));
    let text = struct_with("#[model(statistics = 20000)] id: i64,");
    expect_error(&text, "20000", "statistics target 20000 is out of range");
    let text = struct_with("#[model(statistics = \"high\")] id: i64,");
    expect_error(
        &text,
        "\"high\"",
        "`statistics` expects an integer, but got a string",
    );
    let text = struct_with("#[model(column_options = [\"n_distinct\"])] id: i64,");
    let error = expect_error(
        &text,
        "\"n_distinct\"",
        "a column option is written `name=value`",
    );
    assert!(
        help(&error).contains("n_distinct=-0.02"),
        "{}",
        help(&error)
    );
    let text = struct_with("#[model(column_options = [\"n_distinct=1); DROP TABLE x\"])] id: i64,");
    expect_error(
        &text,
        "\"n_distinct=1); DROP TABLE x\"",
        "a column option is written `name=value`",
    );
}

#[test]
fn a_setting_given_twice() {
    let text = struct_with("#[model(column = \"a\")]\n#[model(column = \"b\")] x: i32,");
    let errors = common::errors(&text);
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0].message, "`column` is given twice");
    assert_eq!((errors[0].line, errors[0].column), (4, 9));
}

#[test]
fn attribute_syntax_errors() {
    let text = struct_with("#[model(max_length = )] a: String,");
    let error = single_error(&text);
    assert_eq!(error.message, "unexpected end of input, expected a value");
    assert_eq!((error.line, error.column), (3, 22));
    assert_eq!(error.label, "invalid syntax");

    let text = struct_with("#[model(\"x\")] a: String,");
    expect_error(&text, "\"x\"", "expected a setting name");

    let text = struct_with("#[model = \"x\"] a: String,");
    expect_error(&text, "#[model = \"x\"]", "expected `#[model(...)]`");

    let text = struct_with("#[model(a b)] a: String,");
    expect_error(&text, "a «b»)", "expected `,`");
}

#[test]
fn unsupported_rust_types_ask_for_sql_type() {
    let text = struct_with("a: i64,\npoint: geo::Point<f64>,");
    let error = expect_error(&text, "geo::Point<f64>", "unsupported field type `Point`");
    assert!(
        help(&error).contains("#[model(sql_type = \"...\")]"),
        "{}",
        help(&error)
    );

    let text = struct_with("a: Option<u32>,");
    let error = expect_error(&text, "u32", "PostgreSQL has no column type for `u32`");
    assert_eq!(
        help(&error),
        "use i64 (bigint), or #[model(sql_type = \"...\")]"
    );

    let text = struct_with("a: (i32, i32),");
    expect_error(
        &text,
        "(i32, i32)",
        "this type has no PostgreSQL column type",
    );

    let text = struct_with("a: &'static str,");
    expect_error(
        &text,
        "&'static str",
        "this type has no PostgreSQL column type",
    );
}

#[test]
fn duplicate_tables_point_at_the_second_and_name_the_first() {
    let first = "#[derive(Model)]\nstruct User { id: i64 }\n";
    let second = "\n#[derive(Model)]\n#[model(table = \"user\")]\nstruct Account { id: i64 }\n";
    let errors = autogen_model::load_sources(vec![
        ("a.rs".into(), first.into()),
        ("b.rs".into(), second.into()),
    ])
    .expect_err("duplicate");
    assert_eq!(errors.errors.len(), 1);
    let error = &errors.errors[0];
    assert_eq!(
        error.one_line(),
        "b.rs:3:17: table `public.user` is declared twice"
    );
    assert_eq!(
        help(error),
        "struct `User` at a.rs:2:8 already declares it; give one another name with #[model(table = \"...\")]"
    );
}

#[test]
fn same_names_in_different_schemas_are_fine() {
    load("#[derive(Model)] struct User { id: i64 }\n#[derive(Model)] #[model(schema = \"b\")] struct User2 { id: i64 }\n#[derive(Model)] #[model(table = \"user\", schema = \"b\")] struct User3 { id: i64 }")
        .catalog
        .tables
        .iter()
        .for_each(drop);
}

#[test]
fn duplicate_enum_types_and_clashes_with_tables() {
    let text = "#[derive(DbEnum)] enum Mood { A }\n#[derive(DbEnum)] #[model(type_name = \"mood\")] enum Feeling { B }\n#[derive(Model)] #[model(table = \"mood\")] struct T { id: i64 }";
    let errors = common::errors(text);
    assert_eq!(errors.len(), 2);
    assert_error(
        &errors[0],
        text,
        "\"mood\"",
        "enum type `public.mood` is declared twice",
    );
    assert_eq!(
        errors[1].message,
        "table `public.mood` has the same name as an enum type"
    );
    assert!(
        help(&errors[1]).starts_with("enum `Mood` at models.rs:1:24"),
        "{}",
        help(&errors[1])
    );
}

#[test]
fn two_primary_keys() {
    let text = "#[derive(Model)]\n#[model(primary_key = [\"a\"])]\nstruct T {\n    #[model(primary_key)] a: i32,\n}";
    let error = expect_error(text, "«primary_key»)]", "two primary keys on table `t`");
    assert!(help(&error).contains("primary_key = [\"a\", \"b\"]"));
    // Only the flag, not the rest of the line.
    assert_eq!(error.span.len(), "primary_key".len());

    let text = struct_with("#[model(primary_key)] a: i32,\n#[model(primary_key)] b: i32,");
    let error = single_error(&text);
    assert_eq!(error.message, "two primary keys on table `t`");
    assert_eq!((error.line, error.column), (4, 9));
}

#[test]
fn references_to_unknown_tables_and_columns() {
    let models = "#[derive(Model)]\nstruct Worlds { id: i64, name: String }\n";
    let text = format!(
        "{models}#[derive(Model)]\nstruct T {{ #[model(references = \"world(id)\")] w: i64 }}"
    );
    let error = expect_error(
        &text,
        "\"world(id)\"",
        "there is no model for table `world`",
    );
    assert_eq!(help(&error), "did you mean `worlds`?");

    let text = format!(
        "{models}#[derive(Model)]\nstruct T {{ #[model(references = \"Worlds(id)\")] w: i64 }}"
    );
    let error = expect_error(
        &text,
        "\"Worlds(id)\"",
        "there is no model for table `Worlds`",
    );
    assert_eq!(
        help(&error),
        "`Worlds` is the struct; its table is `worlds`"
    );

    let text = format!(
        "{models}#[derive(Model)]\nstruct T {{ #[model(references = \"worlds(idd)\")] w: i64 }}"
    );
    let error = expect_error(
        &text,
        "\"worlds(idd)\"",
        "table `public.worlds` has no column `idd`",
    );
    assert_eq!(help(&error), "did you mean `id`?");

    let text = format!(
        "{models}#[derive(Model)]\nstruct T {{ #[model(references = \"other.worlds(id)\")] w: i64 }}"
    );
    expect_error(
        &text,
        "\"other.worlds(id)\"",
        "there is no model for table `other.worlds`",
    );

    let text = format!(
        "{models}#[derive(Model)]\nstruct T {{ #[model(references = \"worlds\")] w: i64 }}"
    );
    let error = expect_error(
        &text,
        "\"worlds\"",
        "invalid reference `worlds`: expected `table(column)` or `schema.table(column, ...)`: the referenced column(s) are missing",
    );
    assert_eq!(
        help(&error),
        "write `references = \"table(column)\"` or `\"schema.table(column)\"`"
    );

    let text = format!(
        "{models}#[derive(Model)]\nstruct T {{ #[model(references = \"worlds(id, name)\")] w: i64 }}"
    );
    expect_error(
        &text,
        "\"worlds(id, name)\"",
        "a field references one column, but this names 2",
    );

    let text = format!(
        "{models}#[derive(Model)]\n#[model(foreign_key(columns = [\"w\"], references = \"worlds(id, name)\"))]\nstruct T {{ w: i64 }}"
    );
    expect_error(
        &text,
        "\"worlds(id, name)\"",
        "the foreign key has 1 column(s) but references 2",
    );

    let text = "#[derive(Model)] #[model(schema = \"a\")] struct W { id: i64 }\n#[derive(Model)] #[model(schema = \"b\")] struct W2 { id: i64 }\n#[derive(Model)] #[model(table = \"w\", schema = \"b\")] struct W3 { id: i64 }\n#[derive(Model)] struct T { #[model(references = \"w(id)\")] x: i64 }";
    let error = expect_error(text, "\"w(id)\"", "table `w` is ambiguous");
    assert_eq!(
        help(&error),
        "tables `w` exist in schemas a, b; write `schema.w(...)`"
    );

    let text = struct_with("#[model(references = \"nothing(id)\")] x: i64,");
    let error = expect_error(
        &text,
        "\"nothing(id)\"",
        "there is no model for table `nothing`",
    );
    assert!(
        help(&error).starts_with("foreign keys can only reference"),
        "{}",
        help(&error)
    );
}

#[test]
fn enum_defaults_must_be_values() {
    let enum_text =
        "#[derive(DbEnum)]\nenum Mood { Happy, #[model(renamed_from = \"sad\")] Unhappy }\n";
    for ok in [
        "'happy'",
        "'unhappy'::public.mood",
        " 'happy'::mood ",
        "some_function()",
    ] {
        load(&format!(
            "{enum_text}{}",
            struct_with(&format!("#[model(default = \"{ok}\")] m: Mood,"))
        ));
    }
    let text = format!(
        "{enum_text}{}",
        struct_with("#[model(default = \"'hapy'\")] m: Option<Mood>,")
    );
    let error = expect_error(
        &text,
        "\"'hapy'\"",
        "default `hapy` is not a value of enum type `public.mood`",
    );
    assert_eq!(help(&error), "did you mean `happy`?");
    assert_eq!(error.label, "not a value of `public.mood`");

    let text = format!(
        "{enum_text}{}",
        struct_with("#[model(default = \"'sad'::mood\")] m: Mood,")
    );
    let error = expect_error(
        &text,
        "\"'sad'::mood\"",
        "default `sad` is not a value of enum type `public.mood`",
    );
    assert_eq!(
        help(&error),
        "`sad` was renamed to `unhappy`; write `default = \"'unhappy'\"`"
    );
}

#[test]
fn duplicate_columns_and_enum_values() {
    let text = struct_with("a: i32,\n#[model(column = \"a\")] b: i32,");
    let error = expect_error(&text, "\"a\"", "column `a` is declared twice");
    assert_eq!(
        help(&error),
        "field `a` already uses this column name; rename one with #[model(column = \"...\")]"
    );

    let text = "#[derive(DbEnum)]\nenum E { SoSo, #[model(rename = \"so_so\")] Other }";
    expect_error(text, "\"so_so\"", "enum value `so_so` is declared twice");
}

#[test]
fn column_settings_that_conflict() {
    let text = struct_with("#[model(default = \"1\", generated = \"2\")] a: i32,");
    let error = expect_error(
        &text,
        "\"2\"",
        "a column cannot have both `generated` and `default`",
    );
    assert_eq!(
        help(&error),
        "remove `default`: a generated column always computes its value"
    );

    let text = struct_with("#[model(identity, generated = \"2\")] a: i32,");
    expect_error(
        &text,
        "identity",
        "a column cannot be both `generated` and `identity`",
    );

    let text = struct_with("#[model(identity, default = \"2\")] a: i32,");
    expect_error(&text, "\"2\"", "an identity column cannot have a `default`");

    let text = struct_with("#[model(identity)] a: String,");
    let error = expect_error(&text, "identity", "`identity` needs an integer column");
    assert_eq!(
        help(&error),
        "identity columns must be i16, i32 or i64 (smallint, integer or bigint)"
    );

    let text = struct_with("#[model(identity)] a: Vec<i64>,");
    expect_error(&text, "identity", "`identity` needs an integer column");

    let text = struct_with("#[model(identity = \"sometimes\")] a: i64,");
    let error = expect_error(
        &text,
        "\"sometimes\"",
        "unknown `identity` kind `sometimes`",
    );
    assert_eq!(help(&error), "use one of \"always\", \"by default\"");

    let text = struct_with("#[model(scale = 2)] a: Decimal,");
    let error = expect_error(&text, "2", "`scale` needs `precision`");
    assert_eq!(
        help(&error),
        "add the total number of digits, e.g. `precision = 12, scale = 2`"
    );

    let text = struct_with("#[model(max_length = 3)] a: i32,");
    expect_error(&text, "3", "`max_length` only applies to String fields");

    let text = struct_with("#[model(precision = 3)] a: f64,");
    expect_error(&text, "3", "`precision` only applies to Decimal fields");

    let text = struct_with("#[model(max_length = 0)] a: String,");
    expect_error(&text, "0", "`max_length` must be between 1 and 10485760");

    let text = struct_with("#[model(precision = 1001)] a: Decimal,");
    expect_error(&text, "1001", "`precision` must be between 1 and 1000");

    let text = struct_with("#[model(sql_type = \"citext\", max_length = 3)] a: String,");
    expect_error(
        &text,
        "3",
        "`max_length` cannot be combined with `sql_type`",
    );

    let text = struct_with("#[model(sql_type = \" \")] a: String,");
    expect_error(&text, "\" \"", "`sql_type` is empty");

    let text = struct_with("#[model(default = \"\")] a: String,");
    expect_error(&text, "\"\"", "`default` is empty");
}

#[test]
fn referential_actions() {
    let target = "#[derive(Model)] struct P { id: i64 }\n";
    let text = format!(
        "{target}{}",
        struct_with("#[model(references = \"p(id)\", on_delete = \"cascad\")] a: i64,")
    );
    let error = expect_error(&text, "\"cascad\"", "unknown `on_delete` action `cascad`");
    assert_eq!(help(&error), "did you mean \"cascade\"?");
    assert_eq!(
        error.label,
        "not one of \"cascade\", \"restrict\", \"set null\", \"set default\", \"no action\""
    );

    let text = format!(
        "{target}{}",
        struct_with("#[model(references = \"p(id)\", on_update = \"explode\")] a: i64,")
    );
    let error = expect_error(&text, "\"explode\"", "unknown `on_update` action `explode`");
    assert!(help(&error).starts_with("use one of"));

    let text = struct_with("#[model(on_delete = \"cascade\")] a: i64,");
    let error = expect_error(
        &text,
        "on_delete = \"cascade\"",
        "`on_delete` needs `references`",
    );
    assert_eq!(
        help(&error),
        "add the referenced column, e.g. `references = \"users(id)\"`"
    );

    let text = format!(
        "{target}{}",
        struct_with("#[model(references = \"p(id)\", deferrable = \"later\")] a: i64,")
    );
    expect_error(&text, "\"later\"", "unknown `deferrable` setting `later`");
}

#[test]
fn table_level_lists_name_columns() {
    let text = "#[derive(Model)]\n#[model(unique(columns = [\"name\"]))]\nstruct T { #[model(column = \"full_name\")] name: String }";
    let error = expect_error(text, "\"name\"", "there is no column `name` in this model");
    assert_eq!(
        help(&error),
        "`name` is a field; its column is called `full_name`"
    );

    let text =
        "#[derive(Model)]\n#[model(index(columns = [\"emial\"]))]\nstruct T { email: String }";
    let error = expect_error(
        text,
        "\"emial\"",
        "there is no column `emial` in this model",
    );
    assert_eq!(help(&error), "did you mean `email`?");

    let text = "#[derive(Model)]\n#[model(primary_key = [\"cache\"])]\nstruct T { a: i32, #[model(skip)] cache: i32 }";
    let error = expect_error(
        text,
        "\"cache\"",
        "there is no column `cache` in this model",
    );
    assert_eq!(help(&error), "`cache` is skipped with #[model(skip)]");

    let text = "#[derive(Model)]\n#[model(index(columns = [\"a\"], include = [\"zzz\"]))]\nstruct T { a: i32, b: i32 }";
    let error = expect_error(text, "\"zzz\"", "there is no column `zzz` in this model");
    assert_eq!(help(&error), "the columns are: a, b");

    let text = "#[derive(Model)]\n#[model(foreign_key(columns = [\"x\"], references = \"t(a)\"))]\nstruct T { a: i32 }";
    expect_error(text, "\"x\"", "there is no column `x` in this model");

    let text = "#[derive(Model)]\n#[model(index(columns = [\"\\\"A\\\"\"]))]\nstruct T { a: i32 }";
    expect_error(
        text,
        "\"\\\"A\\\"\"",
        "there is no column `A` in this model",
    );

    let text = "#[derive(Model)]\n#[model(index(columns = [\" desc\"]))]\nstruct T { a: i32 }";
    expect_error(text, "\" desc\"", "there is no column `desc` in this model");

    let text = "#[derive(Model)]\n#[model(index(columns = []))]\nstruct T { a: i32 }";
    expect_error(text, "columns = []", "`columns` has no columns");

    let text = "#[derive(Model)]\n#[model(check(name = \"c\"))]\nstruct T { a: i32 }";
    expect_error(text, "check", "`check(...)` needs `expr`");

    let text = "#[derive(Model)]\n#[model(foreign_key(columns = [\"a\"]))]\nstruct T { a: i32 }";
    expect_error(text, "foreign_key", "`foreign_key(...)` needs `references`");
}

#[test]
fn names_must_be_usable_by_postgres() {
    let text = "#[derive(Model)]\n#[model(table = \"\")]\nstruct T { a: i32 }";
    expect_error(text, "\"\"", "the table name is empty");

    let long = "x".repeat(64);
    let text = format!("#[derive(Model)]\n#[model(table = \"{long}\")]\nstruct T {{ a: i32 }}");
    let error = expect_error(
        &text,
        &format!("\"{long}\""),
        &format!("the table name `{long}` is longer than 63 bytes"),
    );
    assert_eq!(
        help(&error),
        format!(
            "PostgreSQL would cut it to `{}`; choose a shorter name",
            &long[..63]
        )
    );

    let text = "#[derive(DbEnum)]\nenum E { #[model(rename = \"\")] A }";
    expect_error(text, "\"\"", "the enum value name is empty");
}

#[test]
fn derives_on_the_wrong_kind_of_item() {
    let text = "#[derive(Model)]\nenum E { A }";
    let error = expect_error(text, "Model", "`Model` cannot be derived for an enum");
    assert!(help(&error).contains("#[derive(DbEnum)]"));

    let text = "#[derive(autogen::DbEnum)]\nstruct S { a: i32 }";
    expect_error(
        text,
        "autogen::DbEnum",
        "`DbEnum` cannot be derived for a struct",
    );

    let text = "#[derive(DbEnum)]\nenum E { A(i32), B { x: i32 } }";
    let errors = common::errors(text);
    assert_error(&errors[0], text, "(i32)", "variant `A` has fields");
    assert_error(&errors[1], text, "{ x: i32 }", "variant `B` has fields");

    let text = "#[derive(Model)]\nstruct S(i32, String);";
    expect_error(text, "(i32, String)", "`S` has unnamed fields");
}

#[test]
fn a_syntax_error_is_one_error_at_its_position() {
    let text = "#[derive(Model)]\nstruct T {\n    a: i32\n    b: i32,\n}\n";
    let error = expect_error(text, "b", "syntax error: expected `,`");
    assert_eq!(error.label, "expected `,`");

    let text = "#[derive(Model)]\nstruct T {\n    a: i32,\n";
    let error = single_error(text);
    assert_eq!(
        error.message,
        "syntax error: unbalanced delimiter or invalid token"
    );
    assert_eq!((error.line, error.column), (2, 10));

    let text = "#[derive(Model)]\nstruct T";
    let error = single_error(text);
    assert_eq!(
        error.message,
        "syntax error: unexpected end of input, expected one of: `where`, parentheses, curly braces, `;`"
    );
    assert_eq!((error.line, error.column), (2, 8));

    let error = single_error("This is not Rust at all, just prose.");
    assert_eq!((error.line, error.column), (1, 6));
}

#[test]
fn every_error_of_a_run_is_reported_in_file_order() {
    let a =
        "#[derive(Model)]\nstruct A {\n    #[model(max_lenght = 1)] x: String,\n    y: u64,\n}\n";
    let b = "#[derive(Model)]\nstruct B { #[model(references = \"nope(id)\")] x: i64 }\nstruct Broken {";
    let c = "#[derive(Model)]\n#[model(tabel = \"c\")]\nstruct C { x: Thing }\n";
    let errors = autogen_model::load_sources(vec![
        ("a.rs".into(), a.into()),
        ("b.rs".into(), b.into()),
        ("c.rs".into(), c.into()),
    ])
    .expect_err("errors");
    let lines: Vec<String> = errors.errors.iter().map(|e| e.one_line()).collect();
    assert_eq!(
        lines,
        [
            "a.rs:3:13: unknown model setting `max_lenght`",
            "a.rs:4:8: PostgreSQL has no column type for `u64`",
            "b.rs:3:15: syntax error: unbalanced delimiter or invalid token",
            "c.rs:2:9: unknown model setting `tabel`",
            "c.rs:3:15: unsupported field type `Thing`",
        ]
    );
    assert_eq!(errors.to_string(), "5 errors in the models");
    assert_eq!(errors.one_lines(), lines.join("\n"));
}

#[test]
fn ambiguous_enum_names_need_sql_type() {
    let text = "mod a { #[derive(DbEnum)] #[model(schema = \"a\")] pub enum Kind { X } }\nmod b { #[derive(DbEnum)] #[model(schema = \"b\")] pub enum Kind { Y } }\n#[derive(Model)] struct T { k: Kind }";
    let error = expect_error(text, "«Kind» }", "`Kind` is ambiguous");
    assert!(
        help(&error).contains("models.rs:1:59 and models.rs:2:59"),
        "{}",
        help(&error)
    );
}
