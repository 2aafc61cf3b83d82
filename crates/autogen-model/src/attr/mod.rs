//! `#[model(...)]` attributes: the grammar ([`syntax`]) and its meaning per place
//! (struct, field, enum, variant). The derive and the CLI both read attributes only here.

pub(crate) mod choices;
pub(crate) mod enums;
pub(crate) mod field;
pub(crate) mod reader;
pub(crate) mod syntax;
pub(crate) mod table;
