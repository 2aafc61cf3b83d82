//! External login identities (OAuth providers) linked to users.

use autogen::Model;
use chrono::{DateTime, Utc};

#[derive(Model)]
#[model(table = "user_identities")]
#[model(unique(columns = ["provider", "provider_user_id"]))]
pub struct UserIdentity {
    #[model(primary_key, identity)]
    pub id: i64,
    #[model(references = "users(id)", on_delete = "cascade", index)]
    pub user_id: i64,
    #[model(max_length = 50)]
    pub provider: String,
    pub provider_user_id: String,
    pub profile: Option<serde_json::Value>,
    #[model(default = "now()")]
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
}
