//! The spelling PostgreSQL gives an expression once it has read its own output back.
//!
//! Deparsing is not always idempotent. `kind IN ('a', 'b')` on a `varchar` column is stored
//! as `((kind)::text = ANY ((ARRAY['a'::character varying, 'b'::character varying])::text[]))`,
//! but that text, parsed again, is stored as `((kind)::text = ANY (ARRAY[('a'::character
//! varying)::text, ('b'::character varying)::text]))` — the array cast is pushed into each
//! element — and stays so from then on. A schema whose definitions went through one more
//! round trip (a revision replayed from autogen's own output, a database built from a dump)
//! would differ from the original in text only, and a plan re-creating the constraint would
//! never converge. Every expression read is respelled to the second, stable form, so both
//! sides of a comparison agree. View definitions also lose the aliases of later set-operation
//! branches (`branch_aliases.rs`), which PostgreSQL adds on a second read.

use crate::branch_aliases::without_later_branch_aliases;
use autogen_schema::{Catalog, IndexTarget};

/// `catalog` with every stored expression in its stable spelling.
pub(crate) fn respell_catalog(catalog: &mut Catalog) {
    for table in &mut catalog.tables {
        for column in &mut table.columns {
            respell_option(&mut column.default);
            respell_option(&mut column.generated);
        }
        for check in &mut table.checks {
            respell(&mut check.expression);
        }
        for exclusion in &mut table.exclusions {
            respell(&mut exclusion.definition);
        }
        for index in &mut table.indexes {
            respell_option(&mut index.predicate);
            for key in &mut index.keys {
                if let IndexTarget::Expression(expression) = &mut key.target {
                    respell(expression);
                }
            }
        }
    }
    for domain in &mut catalog.domains {
        respell_option(&mut domain.default);
        for check in &mut domain.checks {
            respell(&mut check.definition);
        }
    }
    for view in &mut catalog.views {
        respell(&mut view.definition);
        if let Some(stable) = without_later_branch_aliases(&view.definition) {
            view.definition = stable;
        }
    }
    for policy in &mut catalog.policies {
        respell_option(&mut policy.using);
        respell_option(&mut policy.with_check);
    }
    for trigger in &mut catalog.triggers {
        respell(&mut trigger.definition);
    }
}

fn respell(text: &mut String) {
    if let Some(stable) = stable_spelling(text) {
        *text = stable;
    }
}

fn respell_option(text: &mut Option<String>) {
    if let Some(text) = text {
        respell(text);
    }
}

/// `expression` with each `(ARRAY['x'::t1, …])::t2[]` written `ARRAY[('x'::t1)::t2, …]`;
/// `None` when there is none. Only arrays of cast string literals are rewritten: that is the
/// form PostgreSQL rewrites (other arrays are left exactly as read).
pub(crate) fn stable_spelling(expression: &str) -> Option<String> {
    const OPEN: &str = "(ARRAY[";
    if !expression.contains(OPEN) {
        return None;
    }
    let mut out = String::with_capacity(expression.len() + 32);
    let mut rest = expression;
    let mut changed = false;
    while let Some(start) = find_outside_quotes(rest, OPEN) {
        out.push_str(&rest[..start]);
        let after = &rest[start..];
        match pushed_down(after) {
            Some((replacement, consumed)) => {
                out.push_str(&replacement);
                rest = &after[consumed..];
                changed = true;
            }
            None => {
                out.push_str(OPEN);
                rest = &after[OPEN.len()..];
            }
        }
    }
    out.push_str(rest);
    changed.then_some(out)
}

/// For `text` starting with `(ARRAY[`: the stable spelling of the cast array it starts with and
/// how many bytes of `text` that replaces.
fn pushed_down(text: &str) -> Option<(String, usize)> {
    let body_start = "(ARRAY[".len();
    let body_end = body_start + closing_bracket(&text[body_start..])?;
    let body = &text[body_start..body_end];
    let after_body = &text[body_end + 1..];
    let cast = after_body.strip_prefix(")::")?;
    let type_end = cast.find("[]")?;
    let target = &cast[..type_end];
    if target.is_empty() || target.contains(['(', ')', ',', '[', ']', '\'']) {
        return None;
    }
    let elements = split_top_level(body)?;
    if elements.is_empty() || !elements.iter().all(|element| is_cast_literal(element)) {
        return None;
    }
    let respelled: Vec<String> = elements
        .iter()
        .map(|element| format!("({element})::{target}"))
        .collect();
    let consumed = body_end + 1 + ")::".len() + type_end + "[]".len();
    Some((format!("ARRAY[{}]", respelled.join(", ")), consumed))
}

/// The byte offset of the `]` closing an array body that starts at `text`'s beginning.
fn closing_bracket(text: &str) -> Option<usize> {
    let mut depth = 0usize;
    for (offset, c) in unquoted(text) {
        match c {
            '(' | '[' => depth += 1,
            ')' => depth = depth.checked_sub(1)?,
            ']' if depth == 0 => return Some(offset),
            ']' => depth -= 1,
            _ => {}
        }
    }
    None
}

/// The elements of an array body, split at commas outside quotes and brackets.
fn split_top_level(body: &str) -> Option<Vec<&str>> {
    let mut elements = Vec::new();
    let mut depth = 0usize;
    let mut start = 0;
    for (offset, c) in unquoted(body) {
        match c {
            '(' | '[' => depth += 1,
            ')' | ']' => depth = depth.checked_sub(1)?,
            ',' if depth == 0 => {
                elements.push(body[start..offset].trim());
                start = offset + 1;
            }
            _ => {}
        }
    }
    if depth != 0 {
        return None;
    }
    elements.push(body[start..].trim());
    Some(elements)
}

/// `'…'::type`: a string literal with one cast to a type without parentheses.
fn is_cast_literal(element: &str) -> bool {
    let Some(rest) = element.strip_prefix('\'') else {
        return false;
    };
    let mut chars = rest.char_indices().peekable();
    while let Some((offset, c)) = chars.next() {
        if c == '\'' {
            if chars.peek().is_some_and(|&(_, next)| next == '\'') {
                chars.next();
                continue;
            }
            let cast = &rest[offset + 1..];
            return cast.strip_prefix("::").is_some_and(|target| {
                !target.is_empty() && !target.contains(['(', ')', ',', '[', ']', '\'', ':'])
            });
        }
    }
    false
}

/// The first `needle` in `text` outside single- and double-quoted text.
fn find_outside_quotes(text: &str, needle: &str) -> Option<usize> {
    unquoted(text)
        .find(|&(offset, _)| text[offset..].starts_with(needle))
        .map(|(offset, _)| offset)
}

/// The characters of `text` outside its single- and double-quoted parts (quotes included),
/// with their byte offsets; a doubled quote inside a quoted part is part of it.
fn unquoted(text: &str) -> impl Iterator<Item = (usize, char)> + '_ {
    let mut quote: Option<char> = None;
    let mut chars = text.char_indices().peekable();
    std::iter::from_fn(move || {
        while let Some((offset, c)) = chars.next() {
            match quote {
                Some(open) if c == open => {
                    if chars.peek().is_some_and(|&(_, next)| next == open) {
                        chars.next();
                    } else {
                        quote = None;
                    }
                }
                Some(_) => {}
                None if c == '\'' || c == '"' => quote = Some(c),
                None => return Some((offset, c)),
            }
        }
        None
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cast_string_arrays_get_the_cast_on_each_element() {
        assert_eq!(
            stable_spelling(
                "((kind)::text = ANY ((ARRAY['a'::character varying, 'b''c'::character varying])::text[]))"
            )
            .as_deref(),
            Some(
                "((kind)::text = ANY (ARRAY[('a'::character varying)::text, ('b''c'::character varying)::text]))"
            )
        );
        assert_eq!(
            stable_spelling(
                "CHECK (((e)::text <> ALL ((ARRAY['q'::character varying])::text[]))) AND ((f)::text = ANY ((ARRAY['x'::character varying])::text[]))"
            )
            .as_deref(),
            Some(
                "CHECK (((e)::text <> ALL (ARRAY[('q'::character varying)::text]))) AND ((f)::text = ANY (ARRAY[('x'::character varying)::text]))"
            )
        );
    }

    #[test]
    fn everything_else_is_left_as_read() {
        for expression in [
            "(age >= 0)",
            "(c = ANY (ARRAY['ab'::bpchar, 'cd'::bpchar]))",
            "((kind)::text = ANY (ARRAY[('a'::character varying)::text]))",
            "(n = ANY ((ARRAY[1, 2])::bigint[]))",
            "(note = '(ARRAY[''x''::text])::text[]'::text)",
            "((ARRAY[lower(a)])::text[] = b)",
        ] {
            assert_eq!(stable_spelling(expression), None, "{expression}");
        }
    }
}
