use autogen::Model;

#[derive(Model)]
#[allow(non_snake_case)]
pub struct Clash {
    pub url: String,
    #[model(column = "URL")]
    pub URL: String,
}

fn main() {}
