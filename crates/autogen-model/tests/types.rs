//! Rust type -> PostgreSQL type, nullability, arrays, enums, sql_type, lengths.

mod common;
use common::*;

fn types_of(fields: &str) -> Vec<(String, String, bool)> {
    let models = load(&struct_with(fields));
    table(&models, "t")
        .columns
        .iter()
        .map(|column| {
            (
                column.name.clone(),
                column.data_type.clone(),
                column.not_null,
            )
        })
        .collect()
}

#[test]
fn every_builtin_mapping() {
    let fields = r#"
        a_bool: bool,
        a_i16: i16,
        a_i32: i32,
        a_i64: i64,
        a_f32: f32,
        a_f64: f64,
        a_string: String,
        a_bytes: Vec<u8>,
        a_uuid: uuid::Uuid,
        a_naive_date: chrono::NaiveDate,
        a_date: time::Date,
        a_naive_time: NaiveTime,
        a_time: time::Time,
        a_naive_date_time: chrono::NaiveDateTime,
        a_primitive: time::PrimitiveDateTime,
        a_date_time: chrono::DateTime<chrono::Utc>,
        a_offset: time::OffsetDateTime,
        a_decimal: rust_decimal::Decimal,
        a_big_decimal: bigdecimal::BigDecimal,
        a_value: serde_json::Value,
        a_json: sqlx::types::Json<Settings>,
        an_ip: std::net::IpAddr,
        an_ip_network: ipnetwork::IpNetwork,
    "#;
    let expected = [
        "boolean",
        "smallint",
        "integer",
        "bigint",
        "real",
        "double precision",
        "text",
        "bytea",
        "uuid",
        "date",
        "date",
        "time without time zone",
        "time without time zone",
        "timestamp without time zone",
        "timestamp without time zone",
        "timestamp with time zone",
        "timestamp with time zone",
        "numeric",
        "numeric",
        "jsonb",
        "jsonb",
        "inet",
        "inet",
    ];
    let columns = types_of(fields);
    assert_eq!(columns.len(), expected.len());
    for ((name, data_type, not_null), expected) in columns.iter().zip(expected) {
        assert_eq!(data_type, expected, "column {name}");
        assert!(not_null, "column {name} must be NOT NULL");
    }
}

#[test]
fn option_makes_columns_nullable() {
    let columns = types_of(
        "a: Option<i32>, b: std::option::Option<String>, c: Option<Vec<u8>>, d: Option<Vec<i64>>, e: i32",
    );
    let summary: Vec<(&str, &str, bool)> = columns
        .iter()
        .map(|(name, ty, not_null)| (name.as_str(), ty.as_str(), *not_null))
        .collect();
    assert_eq!(
        summary,
        [
            ("a", "integer", false),
            ("b", "text", false),
            ("c", "bytea", false),
            ("d", "bigint[]", false),
            ("e", "integer", true),
        ]
    );
}

#[test]
fn vectors_are_arrays() {
    let columns = types_of(
        r#"a: Vec<i32>, b: Vec<String>, c: Vec<Vec<u8>>, d: Vec<Option<uuid::Uuid>>, e: Vec<Vec<f64>>,
        #[model(max_length = 20)] f: Vec<String>,
        #[model(precision = 10, scale = 3)] g: Vec<Decimal>"#,
    );
    let types: Vec<&str> = columns.iter().map(|(_, ty, _)| ty.as_str()).collect();
    assert_eq!(
        types,
        [
            "integer[]",
            "text[]",
            "bytea[]",
            "uuid[]",
            "double precision[]",
            "character varying(20)[]",
            "numeric(10,3)[]",
        ]
    );
    // An element Option does not make the column nullable.
    assert!(columns[3].2);
}

#[test]
fn max_length_precision_and_scale() {
    let columns = types_of(
        r#"#[model(max_length = 255)] a: String,
        #[model(max_length = 1)] b: Option<String>,
        #[model(precision = 12, scale = 2)] c: Decimal,
        #[model(precision = 7)] d: BigDecimal,
        #[model(precision = 5, scale = -2)] e: Decimal"#,
    );
    let types: Vec<&str> = columns.iter().map(|(_, ty, _)| ty.as_str()).collect();
    assert_eq!(
        types,
        [
            "character varying(255)",
            "character varying(1)",
            "numeric(12,2)",
            "numeric(7,0)",
            "numeric(5,-2)",
        ]
    );
}

#[test]
fn sql_type_overrides_the_mapping_but_not_nullability() {
    let columns = types_of(
        r#"#[model(sql_type = "citext")] a: Option<String>,
        #[model(sql_type = " tsvector ")] b: MyOwnType,
        #[model(sql_type = "int4range[]")] c: Vec<(i32, i32)>"#,
    );
    assert_eq!(
        columns,
        [
            ("a".to_string(), "citext".to_string(), false),
            ("b".to_string(), "tsvector".to_string(), true),
            ("c".to_string(), "int4range[]".to_string(), true),
        ]
    );
}

#[test]
fn db_enums_are_schema_qualified_and_quoted_like_postgres() {
    let models = load(
        r#"
        #[derive(DbEnum)]
        enum Mood { Happy, Sad }

        #[derive(DbEnum)]
        #[model(type_name = "Weather", schema = "app")]
        enum Weather { Sunny }

        #[derive(DbEnum)]
        enum User { A }

        #[derive(Model)]
        struct T {
            mood: Mood,
            maybe: Option<Mood>,
            many: Vec<Mood>,
            weather: crate::Weather,
            #[model(column = "u")]
            user_kind: User,
        }
        "#,
    );
    let t = table(&models, "t");
    let types: Vec<(&str, bool)> = t
        .columns
        .iter()
        .map(|column| (column.data_type.as_str(), column.not_null))
        .collect();
    assert_eq!(
        types,
        [
            ("public.mood", true),
            ("public.mood", false),
            ("public.mood[]", true),
            ("app.\"Weather\"", true),
            ("public.\"user\"", true),
        ]
    );
}

#[test]
fn identity_uses_the_integer_type_defaults() {
    let models = load(&struct_with(
        r#"#[model(identity)] a: i16,
        #[model(identity = "always")] b: i32,
        #[model(identity = "by default")] c: Option<i64>,
        #[model(identity, sql_type = "int8")] d: MyId"#,
    ));
    let t = table(&models, "t");
    let identities: Vec<(autogen_schema::IdentityKind, i64, bool)> = t
        .columns
        .iter()
        .map(|column| {
            let identity = column.identity.as_ref().expect("identity");
            (identity.kind, identity.options.max_value, column.not_null)
        })
        .collect();
    use autogen_schema::IdentityKind::*;
    assert_eq!(
        identities,
        [
            (ByDefault, i64::from(i16::MAX), true),
            (Always, i64::from(i32::MAX), true),
            // Identity columns are NOT NULL even when the field is an Option.
            (ByDefault, i64::MAX, true),
            (ByDefault, i64::MAX, true),
        ]
    );
}
