//! The grammar of `#[model(...)]`, parsed in this one place for the derive and the CLI:
//!
//! ```text
//! attr  := "model" "(" items? ")"
//! items := item ("," item)* ","?
//! item  := key                      flag:   primary_key
//!        | key "=" value            value:  max_length = 255, columns = ["a", "b"]
//!        | key "(" items? ")"       nested: index(columns = ["a"], unique)
//! value := literal | "-" int | "[" (literal ("," literal)* ","?)? "]" | other tokens
//! ```
//! Keys may be Rust keywords (`where`, `type`). Values that are not literals are kept (as
//! [`LitKind::Other`]) so the meaning layer can say "expects a string" instead of a bare
//! syntax error.

use crate::problem::{Loc, Problem};
use proc_macro2::TokenTree;
use syn::ext::IdentExt;
use syn::parse::ParseStream;
use syn::{Attribute, Token, bracketed, parenthesized};

/// One `key`, `key = value` or `key(...)` item.
#[derive(Debug, Clone)]
pub(crate) struct Meta {
    pub key: String,
    pub key_loc: Loc,
    /// The whole item, key to value.
    pub loc: Loc,
    pub value: Value,
}

#[derive(Debug, Clone)]
pub(crate) enum Value {
    Flag,
    Lit(Lit),
    Array(Vec<Lit>, Loc),
    List(Vec<Meta>),
}

#[derive(Debug, Clone)]
pub(crate) struct Lit {
    pub kind: LitKind,
    pub loc: Loc,
}

#[derive(Debug, Clone)]
pub(crate) enum LitKind {
    Str(String),
    Int(i64),
    Bool(bool),
    /// A float literal as written (only SeaORM's `default_value` takes one).
    Float(String),
    /// Anything else, described for messages (`` `now()` ``).
    Other(String),
}

impl LitKind {
    /// How a wrong value is described in messages.
    pub fn describe(&self) -> String {
        match self {
            LitKind::Str(_) => "a string".to_string(),
            LitKind::Int(_) => "an integer".to_string(),
            LitKind::Bool(_) => "a boolean".to_string(),
            LitKind::Float(_) => "a float".to_string(),
            LitKind::Other(what) => what.clone(),
        }
    }
}

/// All items of all `#[model(...)]` attributes in `attrs`, in order. An attribute that does
/// not parse contributes one problem and no items; the others still count.
pub(crate) fn model_items(attrs: &[Attribute], problems: &mut Vec<Problem>) -> Vec<Meta> {
    items_of(attrs, "model", problems)
}

/// All items of all `#[<name>(...)]` attributes in `attrs`, in order: the same grammar serves
/// other crates' attributes of the same shape (SeaORM's `#[sea_orm(...)]`).
pub(crate) fn items_of(attrs: &[Attribute], name: &str, problems: &mut Vec<Problem>) -> Vec<Meta> {
    let mut items = Vec::new();
    for attr in attrs.iter().filter(|attr| attr.path().is_ident(name)) {
        let list = match &attr.meta {
            syn::Meta::List(list) => list,
            syn::Meta::Path(_) => continue, // `#[model]`: nothing to say
            syn::Meta::NameValue(_) => {
                problems.push(
                    Problem::new(Loc::of(attr), format!("expected `#[{name}(...)]`"))
                        .label("not a list")
                        .help(format!(
                            "write the settings in parentheses: #[{name}(key = \"value\")]"
                        )),
                );
                continue;
            }
        };
        // Parsing through the list keeps its closing parenthesis as the span of "unexpected end".
        match list.parse_args_with(parse_items) {
            Ok(parsed) => items.extend(parsed),
            Err(error) => problems.extend(Problem::from_syn(error).into_iter().map(|problem| {
                problem.label("invalid syntax").help(format!(
                    "{name} attributes look like #[{name}(flag, key = \"value\", key = 1, key = [\"a\"], key(...))]"
                ))
            })),
        }
    }
    items
}

fn parse_items(input: ParseStream) -> syn::Result<Vec<Meta>> {
    let mut items = Vec::new();
    while !input.is_empty() {
        items.push(parse_item(input)?);
        if input.is_empty() {
            break;
        }
        input.parse::<Token![,]>()?;
    }
    Ok(items)
}

fn parse_item(input: ParseStream) -> syn::Result<Meta> {
    let key = input
        .call(syn::Ident::parse_any)
        .map_err(|error| syn::Error::new(error.span(), "expected a setting name"))?;
    let key_loc = Loc::span(key.span());
    let key_text = key.unraw().to_string();
    let (value, loc) = if input.peek(Token![=]) {
        input.parse::<Token![=]>()?;
        let value = parse_value(input)?;
        let end = match &value {
            Value::Lit(lit) => lit.loc,
            Value::Array(_, loc) => *loc,
            _ => key_loc,
        };
        (value, key_loc.to(end))
    } else if input.peek(syn::token::Paren) {
        let content;
        let paren = parenthesized!(content in input);
        let nested = parse_items(&content)?;
        (
            Value::List(nested),
            key_loc.to(Loc::span(paren.span.close())),
        )
    } else {
        (Value::Flag, key_loc)
    };
    Ok(Meta {
        key: key_text,
        key_loc,
        loc,
        value,
    })
}

fn parse_value(input: ParseStream) -> syn::Result<Value> {
    if input.peek(syn::token::Bracket) {
        let content;
        let bracket = bracketed!(content in input);
        let mut elements = Vec::new();
        while !content.is_empty() {
            elements.push(parse_lit(&content)?);
            if content.is_empty() {
                break;
            }
            content.parse::<Token![,]>()?;
        }
        let loc = Loc::span(bracket.span.open()).to(Loc::span(bracket.span.close()));
        return Ok(Value::Array(elements, loc));
    }
    Ok(Value::Lit(parse_lit(input)?))
}

/// A literal, a negative integer, or (kept for a better message) any other tokens up to the
/// next comma.
fn parse_lit(input: ParseStream) -> syn::Result<Lit> {
    if input.peek(syn::Lit) {
        let lit: syn::Lit = input.parse()?;
        let loc = Loc::of(&lit);
        let kind = match &lit {
            syn::Lit::Str(text) => LitKind::Str(text.value()),
            syn::Lit::Int(int) => match int.base10_parse::<i64>() {
                Ok(value) if int.suffix().is_empty() => LitKind::Int(value),
                _ => LitKind::Other(format!("`{int}`")),
            },
            syn::Lit::Bool(flag) => LitKind::Bool(flag.value),
            syn::Lit::Float(float) => LitKind::Float(float.base10_digits().to_string()),
            _ => LitKind::Other(format!("`{}`", quote::ToTokens::to_token_stream(&lit))),
        };
        return Ok(Lit { kind, loc });
    }
    if input.peek(Token![-]) && input.peek2(syn::LitInt) {
        let minus: Token![-] = input.parse()?;
        let int: syn::LitInt = input.parse()?;
        let loc = Loc::span(minus.span).to(Loc::of(&int));
        let kind = match format!("-{}", int.base10_digits()).parse::<i64>() {
            Ok(value) if int.suffix().is_empty() => LitKind::Int(value),
            _ => LitKind::Other(format!("`-{int}`")),
        };
        return Ok(Lit { kind, loc });
    }
    let mut tokens = Vec::new();
    while !input.is_empty() && !input.peek(Token![,]) {
        tokens.push(input.parse::<TokenTree>()?);
    }
    let (Some(first), Some(last)) = (tokens.first(), tokens.last()) else {
        return Err(input.error("expected a value"));
    };
    let loc = Loc::span(first.span()).to(Loc::span(last.span()));
    let text: proc_macro2::TokenStream = tokens.iter().cloned().collect();
    Ok(Lit {
        kind: LitKind::Other(format!("`{text}`")),
        loc,
    })
}
