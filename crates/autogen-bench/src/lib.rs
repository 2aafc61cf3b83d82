//! autogen's benchmark harness: a deterministic generator of large schemas
//! ([`generate`]), a wall-time/peak-RSS measurer ([`measure`]) and the
//! `autogen inspect` vs `pg_dump --schema-only` comparison ([`inspect`]), the in-memory
//! diff+plan timing ([`diff`]), `autogen diff` end to end vs migra ([`diff_e2e`]), model files
//! declaring the generated schema ([`models`]), every tool end to end on the same databases
//! ([`e2e`]), `autogen check` on a long revision history ([`history`]), the inspect round
//! trip on real schema files ([`roundtrip`]), autogen's plans on them both ways
//! ([`plans`]), the adoption proof on them with the real binary ([`adopt`]) and a batched
//! backfill under a concurrent writer ([`backfill`]).

pub mod adopt;
pub mod backfill;
pub mod diff;
pub mod diff_e2e;
pub mod e2e;
pub mod generate;
pub mod history;
pub mod inspect;
pub mod measure;
pub mod models;
pub mod plans;
pub mod roundtrip;
pub mod steps;
