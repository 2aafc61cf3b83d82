//! Progress of the engine's long steps (replaying a revision chain, verifying a plan), for a
//! caller to display: the engine never prints, it calls the caller's `ProgressReporter`.
//! Every long step works on the dev database, so the reporter travels with the run's
//! `DevPool`.

use std::sync::Arc;

/// A long step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Task {
    /// A revision chain run on a dev database and read back.
    Replay,
    /// A plan checked on a dev database: the current schema re-created, up applied and read
    /// back, down applied and read back.
    Verify,
}

/// What a reporter is told, in order: `Started`, a `Step` as each step begins, `Finished`
/// (also when the task failed).
#[derive(Debug, Clone, Copy)]
pub enum ProgressEvent<'a> {
    Started {
        task: Task,
        total: usize,
    },
    /// Steps `done` of `total` are done; `what` is starting.
    Step {
        task: Task,
        done: usize,
        what: &'a str,
    },
    Finished {
        task: Task,
    },
}

/// Implemented by the caller (the CLI draws a progress bar on a terminal).
pub trait ProgressReporter: Send + Sync {
    fn report(&self, event: ProgressEvent<'_>);
}

/// The reporter of a run, or none (the default: nothing is reported).
#[derive(Clone, Default)]
pub struct Progress(Option<Arc<dyn ProgressReporter>>);

impl Progress {
    pub fn new(reporter: Arc<dyn ProgressReporter>) -> Progress {
        Progress(Some(reporter))
    }

    /// Starts `task` of `total` steps; it finishes when the returned value is dropped.
    pub(crate) fn task(&self, task: Task, total: usize) -> TaskProgress<'_> {
        self.report(ProgressEvent::Started { task, total });
        TaskProgress {
            progress: self,
            task,
            done: 0,
            started: false,
        }
    }

    fn report(&self, event: ProgressEvent<'_>) {
        if let Some(reporter) = &self.0 {
            reporter.report(event);
        }
    }
}

impl std::fmt::Debug for Progress {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let state = if self.0.is_some() {
            "reported"
        } else {
            "silent"
        };
        formatter.debug_tuple("Progress").field(&state).finish()
    }
}

/// One running task: counts its steps, reports `Finished` when dropped.
pub(crate) struct TaskProgress<'a> {
    progress: &'a Progress,
    task: Task,
    done: usize,
    /// Whether a step began (the one before the next `step` is then done).
    started: bool,
}

impl TaskProgress<'_> {
    /// The next step begins (the previous one, if any, is done).
    pub(crate) fn step(&mut self, what: &str) {
        if self.started {
            self.done += 1;
        }
        self.started = true;
        self.progress.report(ProgressEvent::Step {
            task: self.task,
            done: self.done,
            what,
        });
    }
}

impl Drop for TaskProgress<'_> {
    fn drop(&mut self) {
        self.progress
            .report(ProgressEvent::Finished { task: self.task });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;

    #[derive(Default)]
    struct Recorder(Mutex<Vec<String>>);

    impl ProgressReporter for Recorder {
        fn report(&self, event: ProgressEvent<'_>) {
            let line = match event {
                ProgressEvent::Started { total, .. } => format!("start {total}"),
                ProgressEvent::Step { done, what, .. } => format!("{done} {what}"),
                ProgressEvent::Finished { .. } => "end".to_string(),
            };
            self.0.lock().expect("not poisoned").push(line);
        }
    }

    #[test]
    fn steps_are_counted_and_the_task_finishes_when_dropped() {
        let recorder = Arc::new(Recorder::default());
        let progress = Progress::new(recorder.clone());
        {
            let mut task = progress.task(Task::Replay, 2);
            task.step("a");
            task.step("b");
        }
        let events = recorder.0.lock().expect("not poisoned").clone();
        assert_eq!(events, ["start 2", "0 a", "1 b", "end"]);
    }
}
