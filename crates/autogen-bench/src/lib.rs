//! autogen's benchmark harness: a deterministic generator of large schemas
//! ([`generate`]), a wall-time/peak-RSS measurer ([`measure`]) and the
//! `autogen inspect` vs `pg_dump --schema-only` comparison ([`inspect`]), the in-memory
//! diff+plan timing ([`diff`]) and `autogen diff` end to end vs migra ([`diff_e2e`]).

pub mod diff;
pub mod diff_e2e;
pub mod generate;
pub mod inspect;
pub mod measure;
