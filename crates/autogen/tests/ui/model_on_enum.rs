use autogen::{DbEnum, Model};

#[derive(Model)]
pub enum Mood {
    Happy,
}

#[derive(DbEnum)]
pub struct Feeling {
    pub name: String,
}

fn main() {}
