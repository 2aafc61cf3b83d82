//! Registering a new sea-orm migration in the migration crate's `lib.rs`, only when the file
//! has the shape `sea-orm-cli migrate init` writes: `mod m…;` lines and a single
//! `vec![Box::new(m…::Migration), …]` holding nothing else. Any other shape is left alone
//! (the caller tells the user the two lines to add): editing code autogen does not understand
//! could break the user's build.

/// `lib` with `mod <module>;` after the last `mod m…;` line and `Box::new(<module>::Migration)`
/// at the end of the list, or `None` when the file is not in the standard shape (or already
/// names the module).
pub(crate) fn register(lib: &str, module: &str) -> Option<String> {
    if lib.contains(&format!("mod {module};")) || lib.matches("vec![").count() != 1 {
        return None;
    }
    let start = lib.find("vec![")? + "vec![".len();
    let end = start + lib[start..].find(']')?;
    let content = &lib[start..end];
    if content.contains('[') {
        return None;
    }
    let mut items: Vec<String> = Vec::new();
    for item in content
        .split(',')
        .map(str::trim)
        .filter(|item| !item.is_empty())
    {
        let name = item
            .strip_prefix("Box::new(")?
            .strip_suffix("::Migration)")?;
        if !is_identifier(name) {
            return None;
        }
        items.push(item.to_owned());
    }
    items.push(format!("Box::new({module}::Migration)"));
    let list = if content.contains('\n') {
        // Multi-line: one item a line, indented like the first, `]` where it was.
        let indent: String = content
            .lines()
            .find(|line| !line.trim().is_empty())
            .map(|line| line.chars().take_while(|c| c.is_whitespace()).collect())
            .unwrap_or_else(|| "            ".to_owned());
        let closing: String = content
            .rsplit('\n')
            .next()
            .unwrap_or("")
            .chars()
            .take_while(|c| c.is_whitespace())
            .collect();
        let mut list = String::from("\n");
        for item in &items {
            list.push_str(&format!("{indent}{item},\n"));
        }
        list.push_str(&closing);
        list
    } else {
        items.join(", ")
    };
    let with_list = format!("{}{list}{}", &lib[..start], &lib[end..]);
    insert_mod(&with_list, module)
}

/// `text` with `mod <module>;` after its last top-level `mod m…;` line, or before
/// `pub struct Migrator` when there is none.
fn insert_mod(text: &str, module: &str) -> Option<String> {
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    let is_mod = |line: &&str| {
        line.strip_prefix("mod ")
            .and_then(|rest| rest.trim_end().strip_suffix(';'))
            .is_some_and(|name| name.starts_with('m') && is_identifier(name))
    };
    let (at, line) = match lines.iter().rposition(is_mod) {
        Some(last) => (last + 1, format!("mod {module};\n")),
        None => (
            lines
                .iter()
                .position(|line| line.starts_with("pub struct Migrator"))?,
            format!("mod {module};\n\n"),
        ),
    };
    let mut out = String::with_capacity(text.len() + line.len());
    for line in &lines[..at] {
        out.push_str(line);
    }
    if !out.is_empty() && !out.ends_with('\n') {
        return None;
    }
    out.push_str(&line);
    for line in &lines[at..] {
        out.push_str(line);
    }
    Some(out)
}

fn is_identifier(name: &str) -> bool {
    !name.is_empty()
        && name.bytes().all(|b| b == b'_' || b.is_ascii_alphanumeric())
        && !name.as_bytes()[0].is_ascii_digit()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What `sea-orm-cli migrate init` writes.
    const INIT: &str = "pub use sea_orm_migration::prelude::*;\n\nmod m20220101_000001_create_table;\n\npub struct Migrator;\n\n#[async_trait::async_trait]\nimpl MigratorTrait for Migrator {\n    fn migrations() -> Vec<Box<dyn MigrationTrait>> {\n        vec![Box::new(m20220101_000001_create_table::Migration)]\n    }\n}\n";

    #[test]
    fn the_standard_shape_gets_both_lines() {
        let out = register(INIT, "m20261121_103000_add_phone").expect("standard");
        assert!(out.contains(
            "mod m20220101_000001_create_table;\nmod m20261121_103000_add_phone;\n\npub struct"
        ));
        assert!(out.contains("vec![Box::new(m20220101_000001_create_table::Migration), Box::new(m20261121_103000_add_phone::Migration)]"));
        // Twice is refused: the module is already there.
        assert!(register(&out, "m20261121_103000_add_phone").is_none());
    }

    #[test]
    fn a_multi_line_list_stays_multi_line() {
        let lib = INIT.replace(
            "vec![Box::new(m20220101_000001_create_table::Migration)]",
            "vec![\n            Box::new(m20220101_000001_create_table::Migration),\n        ]",
        );
        let out = register(&lib, "m2_x").expect("standard");
        assert!(out.contains("vec![\n            Box::new(m20220101_000001_create_table::Migration),\n            Box::new(m2_x::Migration),\n        ]"), "{out}");
    }

    #[test]
    fn other_shapes_are_left_alone() {
        let custom = INIT
            .replace("vec![", "let mut v = vec![")
            .replace(")]", ")]; v");
        assert!(register(&custom, "m2_x").is_some(), "still one plain list");
        let computed = INIT.replace(
            "Box::new(m20220101_000001_create_table::Migration)",
            "Box::new(m20220101_000001_create_table::Migration::new(1))",
        );
        assert!(register(&computed, "m2_x").is_none());
        assert!(register("fn main() {}", "m2_x").is_none());
        let two = format!("{INIT}\nfn other() -> Vec<u8> {{ vec![1] }}\n");
        assert!(register(&two, "m2_x").is_none());
    }
}
