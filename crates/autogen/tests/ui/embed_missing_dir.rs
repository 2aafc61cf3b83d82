// The directory is relative to the crate's Cargo.toml; this one does not exist.
fn main() {
    let _migrations = autogen::embed_migrations!("db/no_such_migrations");
}
