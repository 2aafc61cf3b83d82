//! The engine's own steps, timed: a tracing layer records how long each `step` span of
//! autogen-engine lasts, so the benchmarks break a run down by calling the engine exactly as
//! the CLI does instead of re-enacting it.

use crate::inspect::{BenchError, fail};
use autogen_engine::{PlanOptions, Session, Settings, Source};
use autogen_pg::ConnectionSpec;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};
use tracing::Subscriber;
use tracing::span::{Attributes, Id};
use tracing_subscriber::layer::{Context, Layer, SubscriberExt};
use tracing_subscriber::registry::LookupSpan;

/// Collects `(step, duration)` of every finished step span, in the order they finish; a step
/// name seen before in the same run gets ` #2`, ` #3`, … appended. A step's duration excludes
/// the steps inside it (starting the dev server inside creating the first scratch database),
/// so the durations add up to the whole.
#[derive(Clone, Default)]
pub struct StepClock {
    finished: Arc<Mutex<Vec<(String, Duration)>>>,
}

struct Started {
    name: String,
    at: Instant,
    /// Time spent in step spans inside this one.
    inner: Duration,
}

impl StepClock {
    pub fn take(&self) -> Vec<(String, Duration)> {
        let mut finished = self.finished.lock().unwrap_or_else(PoisonError::into_inner);
        std::mem::take(&mut *finished)
    }
}

impl<S> Layer<S> for StepClock
where
    S: Subscriber + for<'a> LookupSpan<'a>,
{
    fn on_new_span(&self, attrs: &Attributes<'_>, id: &Id, ctx: Context<'_, S>) {
        if attrs.metadata().name() != autogen_engine::STEP_SPAN {
            return;
        }
        let mut name = StepName(None);
        attrs.record(&mut name);
        if let (Some(span), Some(name)) = (ctx.span(id), name.0) {
            span.extensions_mut().insert(Started {
                name,
                at: Instant::now(),
                inner: Duration::ZERO,
            });
        }
    }

    fn on_close(&self, id: Id, ctx: Context<'_, S>) {
        let Some(span) = ctx.span(&id) else { return };
        let Some((name, elapsed, inner)) = span
            .extensions()
            .get::<Started>()
            .map(|started| (started.name.clone(), started.at.elapsed(), started.inner))
        else {
            return;
        };
        // Charge this step's whole time to the step it ran inside, if any.
        if let Some(outer) = span
            .scope()
            .skip(1)
            .find(|outer| outer.extensions().get::<Started>().is_some())
            && let Some(started) = outer.extensions_mut().get_mut::<Started>()
        {
            started.inner += elapsed;
        }
        let mut finished = self.finished.lock().unwrap_or_else(PoisonError::into_inner);
        let repeated = format!("{name} #");
        let seen = finished
            .iter()
            .filter(|(done, _)| *done == name || done.starts_with(&repeated))
            .count();
        let name = match seen {
            0 => name,
            n => format!("{name} #{}", n + 1),
        };
        finished.push((name, elapsed.saturating_sub(inner)));
    }
}

struct StepName(Option<String>);

impl tracing::field::Visit for StepName {
    fn record_str(&mut self, field: &tracing::field::Field, value: &str) {
        if field.name() == "name" {
            self.0 = Some(value.to_string());
        }
    }

    fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
        if field.name() == "name" && self.0.is_none() {
            self.0 = Some(format!("{value:?}"));
        }
    }
}

/// What `autogen diff --from A --to B` does, through the engine (both reads, one after the
/// other; the plan; verification on a throwaway cluster started for it; stopping it), each
/// step timed by the engine's own spans.
pub async fn diff_steps(
    a: &ConnectionSpec,
    b: &ConnectionSpec,
) -> Result<Vec<(String, Duration)>, BenchError> {
    let clock = StepClock::default();
    let subscriber = tracing_subscriber::registry().with(clock.clone());
    // The benchmark's runtime runs on this thread, so a thread default covers every step.
    let _guard = tracing::subscriber::set_default(subscriber);
    let settings = Settings {
        cache: false,
        ..Settings::default()
    };
    let session = Session::new(&settings, None, autogen_engine::inspect_options(&[], &[]));
    let engine = |error: autogen_engine::EngineError| fail(format!("autogen: {error}"));
    let (current, _) = session
        .schema(&Source::Database(a.clone()))
        .await
        .map_err(engine)?;
    let (desired, _) = session
        .schema(&Source::Database(b.clone()))
        .await
        .map_err(engine)?;
    let how = PlanOptions {
        online: None,
        verify: true,
        current_chain: None,
    };
    session
        .migration(&current, &desired, &Default::default(), &how)
        .await
        .map_err(engine)?;
    let stopping = Instant::now();
    drop(session);
    let mut steps = clock.take();
    steps.push(("stop the dev server".to_string(), stopping.elapsed()));
    Ok(steps)
}
