//! Accounts: e-mail login with optional WebAuthn credentials, soft deletion, tenants.

use autogen::{DbEnum, Model};
use chrono::{DateTime, Utc};

#[derive(DbEnum)]
#[model(type_name = "user_role")]
pub enum UserRole {
    Member,
    Moderator,
    Admin,
}

#[derive(Model)]
#[model(table = "users", comment = "Registered accounts")]
#[model(index(name = "ix_users_lower_email", columns = ["lower(email)"], unique, where = "deleted_at IS NULL"))]
#[model(index(columns = ["tenant_id", "created_at"]))]
#[model(check(name = "ck_users_email_lowercase", expr = "email = lower(email)"))]
pub struct User {
    #[model(primary_key, identity)]
    pub id: i64,
    #[model(index)]
    pub tenant_id: i64,
    #[model(max_length = 255)]
    pub email: String,
    pub password_hash: String,
    #[model(comment = "WebAuthn credentials, absent until the user registers a key")]
    pub webauthn_credentials: Option<serde_json::Value>,
    #[model(default = "'member'")]
    pub role: UserRole,
    #[model(default = "now()")]
    pub created_at: DateTime<Utc>,
    pub deleted_at: Option<DateTime<Utc>>,
}
