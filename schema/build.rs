//! Rebuild when a revision file is added to (or removed from) migrations/: a proc macro cannot
//! ask cargo to watch a directory, and `embed_migrations!` lists it at compile time.

fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
