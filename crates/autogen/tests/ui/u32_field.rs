use autogen::Model;

#[derive(Model)]
pub struct Counter {
    pub id: i64,
    pub hits: Option<u32>,
}

fn main() {}
