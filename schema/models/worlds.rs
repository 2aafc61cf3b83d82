//! Worlds users build, and the elements placed in them (JSONB metadata on both).

use autogen::{DbEnum, Model};
use chrono::{DateTime, Utc};

#[derive(Model)]
#[model(table = "worlds")]
pub struct World {
    #[model(primary_key)]
    pub id: uuid::Uuid,
    #[model(references = "users(id)", on_delete = "cascade", index)]
    pub owner_id: i64,
    #[model(max_length = 120)]
    pub name: String,
    #[model(default = "'{}'::jsonb")]
    pub metadata: serde_json::Value,
    #[model(default = "now()")]
    pub created_at: DateTime<Utc>,
}

#[derive(DbEnum)]
pub enum ElementKind {
    Terrain,
    Building,
    #[model(rename = "non-player-character")]
    Npc,
}

#[derive(Model)]
#[model(table = "world_elements")]
#[model(index(columns = ["world_id", "kind"]))]
#[model(index(name = "ix_world_elements_metadata", columns = ["metadata"], using = "gin"))]
pub struct WorldElement {
    #[model(primary_key, identity)]
    pub id: i64,
    #[model(references = "worlds(id)", on_delete = "cascade")]
    pub world_id: uuid::Uuid,
    pub kind: ElementKind,
    pub x: f64,
    pub y: f64,
    pub metadata: Option<serde_json::Value>,
}
