//! Posts and votes on them; deleting a user deletes their posts and votes.

use autogen::Model;
use chrono::{DateTime, Utc};

/// Row-level security: sessions other than the owner see the published posts only (the
/// `posts_published_visible` policy, `sql/policies.sql`).
#[derive(Model)]
#[model(table = "posts", row_level_security)]
#[model(index(columns = ["author_id", "created_at"]))]
pub struct Post {
    #[model(primary_key, identity)]
    pub id: i64,
    #[model(references = "users(id)", on_delete = "cascade")]
    pub author_id: i64,
    #[model(max_length = 200)]
    pub title: String,
    pub body: String,
    #[model(default = "true")]
    pub published: bool,
    #[model(default = "now()")]
    pub created_at: DateTime<Utc>,
    /// Kept current by the `posts_set_updated_at` trigger (`sql/triggers.sql`).
    #[model(default = "now()")]
    pub updated_at: DateTime<Utc>,
}

#[derive(Model)]
#[model(table = "votes", primary_key = ["user_id", "post_id"])]
#[model(check(name = "ck_votes_value", expr = "value IN (-1, 1)"))]
pub struct Vote {
    #[model(references = "users(id)", on_delete = "cascade")]
    pub user_id: i64,
    #[model(references = "posts(id)", on_delete = "cascade", index)]
    pub post_id: i64,
    pub value: i16,
    #[model(default = "now()")]
    pub created_at: DateTime<Utc>,
}

/// Who read which post when: partitioned by month, the partitions declared in
/// `sql/partitions.sql` (`CREATE TABLE … PARTITION OF post_views …`).
#[derive(Model)]
#[model(
    table = "post_views",
    partition_by = "RANGE (viewed_at)",
    primary_key = ["post_id", "viewed_at"]
)]
pub struct PostView {
    #[model(references = "posts(id)", on_delete = "cascade")]
    pub post_id: i64,
    pub viewed_at: DateTime<Utc>,
}
