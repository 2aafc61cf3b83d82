//! Rust source text -> `syn::File`, keeping byte offsets equal to the original text's.

use crate::problem::{Loc, Problem};
use proc_macro2::{Span, TokenStream, TokenTree};
use std::str::FromStr;

/// Deeper delimiter nesting than any model file has; beyond it syn's recursive parser could
/// exhaust the stack, so such input is refused up front.
const MAX_NESTING: usize = 256;

pub(crate) fn parse_source(text: &str) -> Result<syn::File, Problem> {
    let blanked = blank_prefix(text);
    let tokens = proc_macro2::TokenStream::from_str(&blanked).map_err(|error| {
        // proc-macro2 only says "cannot parse string into token stream".
        Problem::new(
            Loc::span(error.span()),
            "syntax error: unbalanced delimiter or invalid token",
        )
        .label("cannot read tokens from here")
    })?;
    if let Some(span) = too_deep(tokens.clone()) {
        return Err(Problem::new(
            Loc::span(span),
            format!("delimiters are nested more than {MAX_NESTING} deep"),
        )
        .label("nested too deep"));
    }
    let last = tokens.clone().into_iter().last().map(|token| token.span());
    syn::parse2::<syn::File>(tokens).map_err(|error| {
        let message = error.to_string();
        // "Unexpected end of input" has no span of its own: point after the last token.
        let span = match last {
            Some(last) if error.span().byte_range() == (0..0) => Loc::span(last),
            _ => Loc::span(error.span()),
        };
        Problem::new(span, format!("syntax error: {message}")).label(message)
    })
}

/// A BOM and a shebang line (which `syn::parse_file` would strip, shifting every offset) are
/// replaced by spaces of the same byte length.
fn blank_prefix(text: &str) -> String {
    let mut out = text.to_string();
    let mut start = 0;
    if out.starts_with('\u{feff}') {
        start = '\u{feff}'.len_utf8();
        out.replace_range(..start, &" ".repeat(start));
    }
    let rest = &out[start..];
    if rest.starts_with("#!") && !rest[2..].trim_start().starts_with('[') {
        let end = rest.find('\n').map_or(out.len(), |newline| start + newline);
        out.replace_range(start..end, &" ".repeat(end - start));
    }
    out
}

/// The span of the first group nested deeper than [`MAX_NESTING`], walking the token tree
/// with an explicit stack.
fn too_deep(tokens: TokenStream) -> Option<Span> {
    let mut stack = vec![tokens.into_iter()];
    while let Some(top) = stack.last_mut() {
        match top.next() {
            Some(TokenTree::Group(group)) => {
                if stack.len() >= MAX_NESTING {
                    return Some(group.span_open());
                }
                stack.push(group.stream().into_iter());
            }
            Some(_) => {}
            None => {
                stack.pop();
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blanks_bom_and_shebang_keeping_length() {
        let text = "\u{feff}#!/usr/bin/env run\nstruct A;";
        let blanked = blank_prefix(text);
        assert_eq!(blanked.len(), text.len());
        assert!(blanked.trim_start().starts_with("struct A;"));
        // `#![...]` is an inner attribute, not a shebang.
        assert_eq!(blank_prefix("#![allow(dead_code)]"), "#![allow(dead_code)]");
    }
}
