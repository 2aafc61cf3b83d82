//! Functions, procedures and aggregates: created, dropped, and replaced in place
//! (`CREATE OR REPLACE`) when only their body, volatility, security or settings change. A new
//! signature is a new function (the old one is dropped); a new result, renamed or re-defaulted
//! arguments, or a changed aggregate is a drop and a create, with everything that depends on
//! the function rebuilt around it.

use crate::Hazard;
use crate::change::Phase;
use autogen_schema::{Function, FunctionId, FunctionKind, sql};
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "change", rename_all = "snake_case")]
pub enum RoutineChange {
    /// `late`: it uses tables or views (it is created after them).
    Create { function: Function, late: bool },
    /// `CREATE OR REPLACE` with the same signature, result and arguments.
    Replace { function: Function, late: bool },
    /// `late`: it uses tables or views (it goes before them; the others go with the types,
    /// after the tables, defaults and checks that may call them).
    Drop {
        kind: FunctionKind,
        id: FunctionId,
        late: bool,
    },
}

impl RoutineChange {
    pub(crate) fn phase(&self) -> Phase {
        match self {
            RoutineChange::Drop { late: true, .. } => Phase::DropRoutine,
            RoutineChange::Drop { late: false, .. } => Phase::DropType,
            RoutineChange::Create { late, .. } | RoutineChange::Replace { late, .. } => {
                if *late {
                    Phase::CreateLateObject
                } else {
                    Phase::CreateObject
                }
            }
        }
    }

    pub(crate) fn summary(&self) -> String {
        match self {
            RoutineChange::Create { function, .. } => {
                format!("create {} {}", noun(function.kind), function.id())
            }
            RoutineChange::Replace { function, .. } => {
                format!("replace {} {}", noun(function.kind), function.id())
            }
            RoutineChange::Drop { kind, id, .. } => format!("drop {} {id}", noun(*kind)),
        }
    }

    pub(crate) fn render(&self) -> (String, Vec<Hazard>) {
        match self {
            RoutineChange::Create { function, .. } => (sql::create_new_function(function), vec![]),
            RoutineChange::Replace { function, .. } => {
                (sql::create_function(function), vec![Hazard::BehaviorChange])
            }
            RoutineChange::Drop { kind, id, .. } => {
                (sql::drop_function(*kind, id), vec![Hazard::BehaviorChange])
            }
        }
    }
}

fn noun(kind: FunctionKind) -> &'static str {
    match kind {
        FunctionKind::Function | FunctionKind::Window => "function",
        FunctionKind::Procedure => "procedure",
        FunctionKind::Aggregate => "aggregate",
    }
}

/// Whether `CREATE OR REPLACE` can turn `old` into `new` (same identity assumed): the same
/// kind, result and arguments (names, modes and defaults), and not an aggregate (whose
/// definition autogen builds with `CREATE AGGREGATE`).
pub(crate) fn replaceable(old: &Function, new: &Function) -> bool {
    old.kind == new.kind
        && old.kind != FunctionKind::Aggregate
        && old.result == new.result
        && old.arguments == new.arguments
}
