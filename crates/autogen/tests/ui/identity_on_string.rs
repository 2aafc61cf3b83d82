use autogen::Model;

#[derive(Model)]
pub struct Tag {
    #[model(primary_key, identity)]
    pub id: String,
}

fn main() {}
