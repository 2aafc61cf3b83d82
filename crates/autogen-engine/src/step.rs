//! The named steps of the engine's work, as tracing spans named `step` with a `name` field.
//! `AUTOGEN_LOG=autogen_engine=info` shows them; the benchmarks time them with a tracing layer
//! instead of re-enacting the engine.

/// The name of every step span.
pub const STEP_SPAN: &str = "step";

/// A span for one step; instrument the step's future with it.
pub(crate) fn step(name: &'static str) -> tracing::Span {
    tracing::info_span!("step", name)
}
