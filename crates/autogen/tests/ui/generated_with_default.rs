use autogen::Model;

#[derive(Model)]
pub struct Account {
    pub id: i64,
    pub balance: i64,
    #[model(generated = "balance * 2", default = "0")]
    pub double_balance: i64,
}

fn main() {}
