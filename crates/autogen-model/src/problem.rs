//! One problem found in a model, located by spans, before it knows its file.
//!
//! The same [`Problem`] becomes a `syn::Error` in the derive (compile time) and a
//! [`crate::ModelError`] with file, line and column in the CLI, so both report identically.

use proc_macro2::{Ident, Span, TokenStream, TokenTree};
use quote::ToTokens;
use std::ops::Range;

/// A source range as a pair of spans: `Span::join` does not work inside a proc-macro on
/// stable, so the start and end are kept apart (like `syn::Error` does).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Loc {
    pub start: Span,
    pub end: Span,
}

impl Loc {
    pub fn span(span: Span) -> Self {
        Self {
            start: span,
            end: span,
        }
    }

    /// From the first to the last token of `tokens` (call site when there are none).
    pub fn of(tokens: &impl ToTokens) -> Self {
        let (start, end) = first_and_last(tokens.to_token_stream());
        Self { start, end }
    }

    /// From the start of `self` to the end of `other`.
    pub fn to(self, other: Loc) -> Self {
        Self {
            start: self.start,
            end: other.end,
        }
    }

    /// Byte range in the parsed file (only meaningful outside a proc-macro).
    pub fn byte_range(&self) -> Range<usize> {
        let start = self.start.byte_range().start;
        let end = self.end.byte_range().end.max(start);
        start..end
    }
}

/// A value read from an attribute, with where it was written.
#[derive(Debug, Clone)]
pub(crate) struct Spanned<T> {
    pub value: T,
    pub loc: Loc,
}

impl<T> Spanned<T> {
    pub fn new(value: T, loc: Loc) -> Self {
        Self { value, loc }
    }
}

#[derive(Debug, Clone)]
pub(crate) struct Problem {
    pub loc: Loc,
    pub message: String,
    pub label: String,
    pub help: Option<String>,
}

impl Problem {
    pub fn new(loc: Loc, message: impl Into<String>) -> Self {
        Self {
            loc,
            message: message.into(),
            label: "here".to_string(),
            help: None,
        }
    }

    pub fn label(mut self, label: impl Into<String>) -> Self {
        self.label = label.into();
        self
    }

    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// Every message of a syn error (a combined error holds several).
    pub fn from_syn(error: syn::Error) -> Vec<Self> {
        error
            .into_iter()
            .map(|single| {
                let span = single.span();
                Problem::new(Loc::span(span), single.to_string())
            })
            .collect()
    }

    /// The compile-time form: rustc shows the span; the help goes on its own line.
    pub fn to_syn_error(&self) -> syn::Error {
        // Two marker tokens make `new_spanned` keep the start and end spans apart.
        let mut tokens = TokenStream::new();
        tokens.extend([
            TokenTree::Ident(Ident::new("start", self.loc.start)),
            TokenTree::Ident(Ident::new("end", self.loc.end)),
        ]);
        let message = match &self.help {
            Some(help) => format!("{}\n\nhelp: {help}", self.message),
            None => self.message.clone(),
        };
        syn::Error::new_spanned(tokens, message)
    }
}

fn first_and_last(tokens: TokenStream) -> (Span, Span) {
    let mut iter = tokens.into_iter();
    let Some(first) = iter.next() else {
        return (Span::call_site(), Span::call_site());
    };
    let last = iter.last().unwrap_or_else(|| first.clone());
    (first.span(), last.span())
}
