use autogen::DbEnum;

#[derive(DbEnum)]
pub enum Shape {
    Circle,
    Square(u32),
    Rectangle { width: u32, height: u32 },
}

fn main() {}
