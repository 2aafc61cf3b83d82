use autogen::Model;

#[derive(Model)]
pub struct Post {
    pub id: i64,
    #[model(references = "users(id)", on_delete = "cascde")]
    pub author_id: i64,
}

fn main() {}
