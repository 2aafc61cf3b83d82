//! `#[model(...)]` attributes laid out the way `rustfmt` lays them out, so generated files pass
//! `cargo fmt --check` as written: on one line when the arguments fit `attr_fn_like_width` (70
//! columns; for a single nested item, `check(...)`, its own arguments), else one item per line
//! (a single nested item opens on the attribute's line).

/// `rustfmt`'s default `max_width`.
const MAX_WIDTH: usize = 100;
/// `rustfmt`'s default `attr_fn_like_width`: arguments wider than this go one per line.
const ARGUMENTS_WIDTH: usize = 70;

/// One item of an attribute.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Item {
    /// `flag` or `key = value`.
    Plain(String),
    /// `key(a, b = "c")`.
    Nested(&'static str, Vec<String>),
}

impl Item {
    fn one_line(&self) -> String {
        match self {
            Item::Plain(text) => text.clone(),
            Item::Nested(key, items) => format!("{key}({})", items.join(", ")),
        }
    }
}

/// `key = [..]` of string literals.
pub(crate) fn string_array(key: &str, values: &[String]) -> String {
    let quoted: Vec<String> = values
        .iter()
        .map(|value| crate::names::literal(value))
        .collect();
    format!("{key} = [{}]", quoted.join(", "))
}

/// The attribute at `indent` (spaces), with a trailing newline.
pub(crate) fn render(indent: usize, items: &[Item]) -> String {
    let pad = " ".repeat(indent);
    let inner: Vec<String> = items.iter().map(Item::one_line).collect();
    // The argument list rustfmt measures: a lone argument is never broken up for width alone.
    let arguments = match items {
        [Item::Plain(_)] => None,
        [Item::Nested(_, nested)] if nested.len() < 2 => None,
        [Item::Nested(_, nested)] => Some(nested.join(", ")),
        _ => Some(inner.join(", ")),
    };
    let line = format!("{pad}#[model({})]\n", inner.join(", "));
    // Widths in characters, as rustfmt counts them (the newline is not counted).
    let narrow = arguments.is_none_or(|arguments| arguments.chars().count() <= ARGUMENTS_WIDTH);
    if narrow && line.chars().count() - 1 <= MAX_WIDTH {
        return line;
    }
    let mut out = String::new();
    match items {
        [Item::Nested(key, nested)] => {
            out.push_str(&format!("{pad}#[model({key}(\n"));
            push_vertical(&mut out, &pad, nested);
            out.push_str(&format!("{pad}))]\n"));
        }
        _ => {
            out.push_str(&format!("{pad}#[model(\n"));
            push_vertical(&mut out, &pad, &inner);
            out.push_str(&format!("{pad})]\n"));
        }
    }
    out
}

fn push_vertical(out: &mut String, pad: &str, items: &[String]) {
    for (position, item) in items.iter().enumerate() {
        let comma = if position + 1 < items.len() { "," } else { "" };
        out.push_str(&format!("{pad}    {item}{comma}\n"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_attributes_stay_on_one_line() {
        let items = [
            Item::Plain("primary_key".into()),
            Item::Plain("identity".into()),
        ];
        assert_eq!(render(4, &items), "    #[model(primary_key, identity)]\n");
    }

    #[test]
    fn long_ones_put_one_item_per_line() {
        let long = format!("comment = \"{}\"", "x".repeat(70));
        let items = [Item::Plain("index".into()), Item::Plain(long.clone())];
        assert_eq!(
            render(4, &items),
            format!("    #[model(\n        index,\n        {long}\n    )]\n")
        );
        let nested = [Item::Nested(
            "check",
            vec!["name = \"a\"".into(), long.clone()],
        )];
        assert_eq!(
            render(0, &nested),
            format!("#[model(check(\n    name = \"a\",\n    {long}\n))]\n")
        );
    }
}
