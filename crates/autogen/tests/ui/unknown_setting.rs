use autogen::Model;

#[derive(Model)]
pub struct User {
    pub id: i64,
    #[model(max_lenght = 255)]
    pub email: String,
}

fn main() {}
