//! Domains: created, dropped, and altered in place (`ALTER DOMAIN`: default, `NOT NULL`,
//! checks added and dropped). A domain whose base type or collation changes is dropped and
//! created when nothing uses it; when columns use it, that needs their data converted, which is
//! refused with an explanation rather than guessed.

use crate::Hazard;
use crate::change::Phase;
use autogen_schema::{Domain, DomainCheck, QualifiedName, quote_ident, sql};
use serde::Serialize;

#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "change", rename_all = "snake_case")]
pub enum DomainChange {
    /// `CREATE DOMAIN` with its valid checks (`NOT VALID` ones follow as [`Self::AddCheck`]).
    Create {
        domain: Domain,
    },
    Drop {
        name: QualifiedName,
    },
    SetDefault {
        name: QualifiedName,
        default: String,
    },
    DropDefault {
        name: QualifiedName,
    },
    SetNotNull {
        name: QualifiedName,
    },
    DropNotNull {
        name: QualifiedName,
    },
    AddCheck {
        name: QualifiedName,
        check: DomainCheck,
    },
    DropCheck {
        name: QualifiedName,
        check: String,
    },
}

impl DomainChange {
    /// The domain this changes.
    pub fn domain(&self) -> QualifiedName {
        match self {
            DomainChange::Create { domain } => QualifiedName::new(&domain.schema, &domain.name),
            DomainChange::Drop { name }
            | DomainChange::SetDefault { name, .. }
            | DomainChange::DropDefault { name }
            | DomainChange::SetNotNull { name }
            | DomainChange::DropNotNull { name }
            | DomainChange::AddCheck { name, .. }
            | DomainChange::DropCheck { name, .. } => name.clone(),
        }
    }

    pub(crate) fn phase(&self) -> Phase {
        match self {
            DomainChange::Drop { .. } => Phase::DropType,
            // Early: before a function their expressions use is dropped or re-created.
            DomainChange::DropDefault { .. }
            | DomainChange::DropNotNull { .. }
            | DomainChange::DropCheck { .. } => Phase::DropDependentPart,
            DomainChange::Create { .. }
            | DomainChange::SetDefault { .. }
            | DomainChange::SetNotNull { .. }
            | DomainChange::AddCheck { .. } => Phase::CreateObject,
        }
    }

    pub(crate) fn summary(&self) -> String {
        match self {
            DomainChange::Create { domain } => format!(
                "create domain {}",
                QualifiedName::new(&domain.schema, &domain.name)
            ),
            DomainChange::Drop { name } => format!("drop domain {name}"),
            DomainChange::SetDefault { name, .. } => format!("set default of domain {name}"),
            DomainChange::DropDefault { name } => format!("drop default of domain {name}"),
            DomainChange::SetNotNull { name } => format!("set not null on domain {name}"),
            DomainChange::DropNotNull { name } => format!("drop not null on domain {name}"),
            DomainChange::AddCheck { name, check } => {
                format!("add check {} to domain {name}", check.name)
            }
            DomainChange::DropCheck { name, check } => {
                format!("drop check {check} of domain {name}")
            }
        }
    }

    pub(crate) fn render(&self) -> (String, Vec<Hazard>) {
        use Hazard::*;
        let alter = |name: &QualifiedName, action: &str| {
            format!("ALTER DOMAIN {} {action};", name.quoted())
        };
        match self {
            DomainChange::Create { domain } => (sql::create_domain_type(domain), vec![]),
            DomainChange::Drop { name } => (sql::drop_type("DOMAIN", name), vec![]),
            DomainChange::SetDefault { name, default } => {
                (alter(name, &format!("SET DEFAULT {default}")), vec![])
            }
            DomainChange::DropDefault { name } => (alter(name, "DROP DEFAULT"), vec![]),
            // Checks every column of the domain: may fail, and scans them.
            DomainChange::SetNotNull { name } => {
                (alter(name, "SET NOT NULL"), vec![MayFailOnExistingRows])
            }
            DomainChange::DropNotNull { name } => (alter(name, "DROP NOT NULL"), vec![]),
            DomainChange::AddCheck { name, check } => {
                let hazards = if check.not_valid {
                    vec![]
                } else {
                    vec![MayFailOnExistingRows]
                };
                (sql::add_domain_check(name, check), hazards)
            }
            DomainChange::DropCheck { name, check } => (
                alter(name, &format!("DROP CONSTRAINT {}", quote_ident(check))),
                vec![],
            ),
        }
    }
}

/// Whether only a drop and a create turn `old` into `new`.
pub(crate) fn needs_recreate(old: &Domain, new: &Domain) -> bool {
    old.data_type != new.data_type || old.collation != new.collation
}

/// The in-place changes from `old` to `new` (same base type and collation), checks compared by
/// name (a changed one is dropped and added).
pub(crate) fn alterations(old: &Domain, new: &Domain) -> Vec<DomainChange> {
    let name = QualifiedName::new(&new.schema, &new.name);
    let mut changes = Vec::new();
    for check in &old.checks {
        let kept = new
            .checks
            .iter()
            .any(|other| other.name == check.name && same_check(other, check));
        if !kept {
            changes.push(DomainChange::DropCheck {
                name: name.clone(),
                check: check.name.clone(),
            });
        }
    }
    match (&old.default, &new.default) {
        (Some(_), None) => changes.push(DomainChange::DropDefault { name: name.clone() }),
        (old_default, Some(default)) if old_default.as_ref() != Some(default) => {
            changes.push(DomainChange::SetDefault {
                name: name.clone(),
                default: default.clone(),
            })
        }
        _ => {}
    }
    match (old.not_null, new.not_null) {
        (false, true) => changes.push(DomainChange::SetNotNull { name: name.clone() }),
        (true, false) => changes.push(DomainChange::DropNotNull { name: name.clone() }),
        _ => {}
    }
    for check in &new.checks {
        let kept = old
            .checks
            .iter()
            .any(|other| other.name == check.name && same_check(other, check));
        if !kept {
            changes.push(DomainChange::AddCheck {
                name: name.clone(),
                check: check.clone(),
            });
        }
    }
    changes
}

/// The same check, comments aside.
fn same_check(a: &DomainCheck, b: &DomainCheck) -> bool {
    a.definition == b.definition && a.not_valid == b.not_valid
}
