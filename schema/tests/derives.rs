//! The example models compile with the real derives, which name what the CLI reads from them.
//! (No model items in this file: `autogen inspect schema/` reads every `.rs` file below it.)

use autogen_example::identities::UserIdentity;
use autogen_example::posts::{Post, Vote};
use autogen_example::users::{User, UserRole};
use autogen_example::worlds::{ElementKind, World, WorldElement};

#[test]
fn tables() {
    assert_eq!(User::TABLE, "users");
    assert_eq!(User::SCHEMA, "public");
    assert_eq!(User::QUALIFIED_TABLE, r#""public"."users""#);
    assert_eq!(World::TABLE, "worlds");
    assert_eq!(WorldElement::TABLE, "world_elements");
    assert_eq!(Post::TABLE, "posts");
    assert_eq!(UserIdentity::TABLE, "user_identities");
}

#[test]
fn columns() {
    assert_eq!(Vote::COLUMNS, ["user_id", "post_id", "value", "created_at"]);
    assert_eq!(
        User::COLUMNS,
        [
            "id",
            "tenant_id",
            "email",
            "password_hash",
            "webauthn_credentials",
            "role",
            "created_at",
            "deleted_at"
        ]
    );
    assert_eq!(User::COLUMN_WEBAUTHN_CREDENTIALS, "webauthn_credentials");
    assert_eq!(WorldElement::COLUMN_KIND, "kind");
}

#[test]
fn enums() {
    assert_eq!(
        ElementKind::VALUES,
        ["terrain", "building", "non-player-character"]
    );
    assert_eq!(ElementKind::TYPE_NAME, "element_kind");
    assert_eq!(ElementKind::Npc.as_db_str(), "non-player-character");
    assert_eq!(UserRole::TYPE_NAME, "user_role");
    assert_eq!(UserRole::VALUES, ["member", "moderator", "admin"]);
    assert_eq!(UserRole::Admin.as_db_str(), "admin");
}
