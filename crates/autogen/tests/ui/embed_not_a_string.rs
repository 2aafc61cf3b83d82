fn main() {
    let _migrations = autogen::embed_migrations!(migrations);
}
