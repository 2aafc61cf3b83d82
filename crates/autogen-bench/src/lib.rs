//! autogen's benchmark harness: a deterministic generator of large schemas
//! ([`generate`]), a wall-time/peak-RSS measurer ([`measure`]) and the
//! `autogen inspect` vs `pg_dump --schema-only` comparison ([`inspect`]).

pub mod diff;
pub mod generate;
pub mod inspect;
pub mod measure;
