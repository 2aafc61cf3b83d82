//! The constants the derives generate, on models using most attributes (the design's example
//! with std types, or `sql_type` for types from other crates).

#![deny(warnings)]
// The models' fields are never read; `mod quiet` checks the generated code has no dead code.
#![allow(dead_code)]

use autogen::{DbEnum, Model};

#[derive(DbEnum, Debug, Clone, Copy, PartialEq, Eq)]
#[model(type_name = "mood")]
pub enum Mood {
    Happy,
    #[model(rename = "so-so")]
    SoSo,
    #[model(renamed_from = "sad")]
    Unhappy,
}

#[derive(Model)]
#[model(table = "users", schema = "public", comment = "Registered accounts")]
#[model(index(columns = ["created_at"]))]
#[model(index(name = "ix_users_lower_email", columns = ["lower(email)"], unique, where = "deleted_at IS NULL", using = "btree"))]
#[model(unique(name = "uq_users_tenant_email", columns = ["tenant_id", "email"]))]
#[model(check(name = "ck_users_age", expr = "age >= 0"))]
#[model(renamed_from = "accounts")]
pub struct User {
    #[model(primary_key, identity)]
    pub id: i64,
    #[model(unique, max_length = 255)]
    pub email: String,
    pub password_hash: String,
    #[model(sql_type = "jsonb")]
    pub webauthn_credentials: Option<String>,
    #[model(default = "now()", sql_type = "timestamptz")]
    pub created_at: String,
    #[model(sql_type = "timestamptz")]
    pub deleted_at: Option<String>,
    #[model(references = "worlds(id)", on_delete = "cascade")]
    pub world_id: Option<i64>,
    #[model(index)]
    pub tenant_id: i64,
    pub age: Option<i32>,
    pub mood: Mood,
    #[model(sql_type = "numeric(12,2)")]
    pub balance: f64,
    #[model(sql_type = "citext")]
    pub nickname: Option<String>,
    #[model(
        column = "full_name",
        renamed_from = "fullname",
        comment = "Display name"
    )]
    pub name: String,
    #[model(generated = "balance * 2", sql_type = "numeric")]
    pub double_balance: f64,
    #[model(skip)]
    pub cache: Vec<String>,
}

#[test]
fn model_constants() {
    assert_eq!(User::TABLE, "users");
    assert_eq!(User::SCHEMA, "public");
    assert_eq!(User::QUALIFIED_TABLE, r#""public"."users""#);
    assert_eq!(
        User::COLUMNS,
        [
            "id",
            "email",
            "password_hash",
            "webauthn_credentials",
            "created_at",
            "deleted_at",
            "world_id",
            "tenant_id",
            "age",
            "mood",
            "balance",
            "nickname",
            "full_name",
            "double_balance",
        ]
    );
    assert_eq!(User::COLUMN_ID, "id");
    assert_eq!(User::COLUMN_EMAIL, "email");
    assert_eq!(User::COLUMN_WEBAUTHN_CREDENTIALS, "webauthn_credentials");
    assert_eq!(User::COLUMN_NAME, "full_name");
    assert_eq!(User::COLUMN_DOUBLE_BALANCE, "double_balance");
}

#[test]
fn enum_constants_and_values() {
    assert_eq!(Mood::TYPE_NAME, "mood");
    assert_eq!(Mood::SCHEMA, "public");
    assert_eq!(Mood::QUALIFIED_TYPE_NAME, r#""public"."mood""#);
    assert_eq!(Mood::VALUES, ["happy", "so-so", "unhappy"]);
    assert_eq!(Mood::Happy.as_db_str(), "happy");
    assert_eq!(Mood::SoSo.as_db_str(), "so-so");
    assert_eq!(Mood::Unhappy.as_db_str(), "unhappy");
}

/// Defaults: snake_case names, `public`, raw identifiers unraw'd; a composite primary key and
/// foreign key; names that need quoting are quoted in `QUALIFIED_TABLE`.
mod defaults {
    use autogen::Model;

    #[derive(Model)]
    #[model(primary_key = ["order_id", "line"])]
    #[model(foreign_key(columns = ["order_id"], references = "orders(id)", on_delete = "cascade", deferrable))]
    pub struct OrderLine {
        pub order_id: i64,
        pub line: i32,
        #[model(column = "kind")]
        pub r#type: String,
        pub r#match: bool,
        #[model(identity = "always")]
        pub seq: i64,
        #[model(precision = 10)]
        pub weight: Decimal,
        pub photo: Vec<u8>,
        pub tags: Vec<String>,
        pub address: Option<std::net::IpAddr>,
    }

    /// Stands in for `rust_decimal::Decimal` (types are matched by name).
    pub struct Decimal;

    #[derive(Model)]
    #[model(table = "Odd \"Name\"", schema = "Tenant One")]
    pub struct Odd {
        pub id: i64,
    }

    #[derive(Model)]
    pub struct Empty;

    #[test]
    fn default_names() {
        assert_eq!(OrderLine::TABLE, "order_line");
        assert_eq!(OrderLine::SCHEMA, "public");
        assert_eq!(
            OrderLine::COLUMNS,
            [
                "order_id", "line", "kind", "match", "seq", "weight", "photo", "tags", "address"
            ]
        );
        assert_eq!(OrderLine::COLUMN_TYPE, "kind");
        assert_eq!(OrderLine::COLUMN_MATCH, "match");
        assert_eq!(Empty::TABLE, "empty");
        assert!(Empty::COLUMNS.is_empty());
    }

    #[test]
    fn qualified_names_are_always_quoted() {
        assert_eq!(Odd::TABLE, "Odd \"Name\"");
        assert_eq!(Odd::SCHEMA, "Tenant One");
        assert_eq!(Odd::QUALIFIED_TABLE, r#""Tenant One"."Odd ""Name""""#);
    }
}

/// Generics, lifetimes and where clauses are kept.
mod generics {
    use autogen::Model;
    use std::marker::PhantomData;

    #[derive(Model)]
    #[model(table = "events")]
    pub struct Event<'a, T: Clone = String>
    where
        T: Default,
    {
        pub id: i64,
        #[model(sql_type = "jsonb")]
        pub payload: T,
        #[model(skip)]
        pub marker: PhantomData<&'a T>,
    }

    #[test]
    fn through_a_concrete_type() {
        assert_eq!(<Event<'static>>::TABLE, "events");
        assert_eq!(Event::<'static, Vec<u8>>::COLUMNS, ["id", "payload"]);
        assert_eq!(Event::<'static, i32>::COLUMN_PAYLOAD, "payload");
    }
}

/// Nothing generated warns (the file denies warnings): unused constants of a private type,
/// deprecated items, an enum without variants.
mod quiet {
    #![deny(dead_code)]

    use autogen::{DbEnum, Model};

    #[derive(Model)]
    struct Unused {
        id: i64,
    }

    #[deprecated = "testing that the derive does not warn"]
    #[derive(Model)]
    pub struct Old {
        pub id: i64,
    }

    #[derive(DbEnum)]
    #[model(schema = "audit", type_name = "Event Kind")]
    pub enum EventKind {
        Created,
        #[deprecated = "testing that as_db_str does not warn"]
        Deleted,
    }

    #[derive(DbEnum)]
    pub enum Nothing {}

    #[test]
    fn names() {
        assert_eq!(EventKind::QUALIFIED_TYPE_NAME, r#""audit"."Event Kind""#);
        assert_eq!(EventKind::Created.as_db_str(), "created");
        assert_eq!(EventKind::VALUES, ["created", "deleted"]);
        assert!(Nothing::VALUES.is_empty());
        assert_eq!(Nothing::TYPE_NAME, "nothing");
    }

    /// Every item written here is used; the generated constants of `Unused` and `Old` are not.
    #[test]
    #[allow(deprecated)]
    fn uses_the_written_items() {
        let unused = Unused { id: 1 };
        let old = Old { id: 2 };
        assert_eq!(unused.id + old.id, 3);
        assert_eq!(EventKind::Deleted.as_db_str(), "deleted");
    }
}
