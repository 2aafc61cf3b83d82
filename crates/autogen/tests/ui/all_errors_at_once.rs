use autogen::Model;

#[derive(Model)]
#[model(tabel = "users", index(columns = []))]
pub struct User {
    #[model(primary_key, identity = "sometimes")]
    pub id: i64,
    #[model(max_length = 0)]
    pub email: String,
    #[model(references = "users")]
    pub parent_id: Option<i64>,
}

fn main() {}
