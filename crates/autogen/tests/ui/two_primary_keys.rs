use autogen::Model;

#[derive(Model)]
pub struct Vote {
    #[model(primary_key)]
    pub user_id: i64,
    #[model(primary_key)]
    pub post_id: i64,
}

fn main() {}
