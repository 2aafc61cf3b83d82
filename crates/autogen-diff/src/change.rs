//! Semantic changes, one family per kind of object (each family's module owns its comparison,
//! its SQL, its summary and its hazards), and the phase each change runs in.

use crate::Hazard;
pub use crate::family::column::{ColumnChange, Conversion};
pub use crate::family::comment::{CommentChange, CommentTarget};
pub use crate::family::constraint::{ConstraintChange, ConstraintKind};
pub use crate::family::domain::DomainChange;
pub use crate::family::enums::{EnumChange, EnumValuePosition};
pub use crate::family::index::IndexChange;
pub use crate::family::policy::PolicyChange;
pub use crate::family::privilege::{PrivilegeChange, PrivilegeTarget};
pub use crate::family::routine::RoutineChange;
pub use crate::family::schema::{ExtensionChange, SchemaChange};
pub use crate::family::sequence::SequenceChange;
pub use crate::family::table::TableChange;
pub use crate::family::text_search::TextSearchChange;
pub use crate::family::trigger::TriggerChange;
pub use crate::family::types::{CollationChange, CompositeChange, RangeChange};
pub use crate::family::view::ViewChange;
pub use crate::sequence_options::SequenceRef;
use serde::Serialize;

/// One semantic difference. Table-level changes name the table by its name *after* the
/// renames of the same plan (renames run first).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "family", rename_all = "snake_case")]
pub enum Change {
    Schema(SchemaChange),
    Extension(ExtensionChange),
    Enum(EnumChange),
    Sequence(SequenceChange),
    Table(TableChange),
    Column(ColumnChange),
    Constraint(ConstraintChange),
    Index(IndexChange),
    Comment(CommentChange),
    View(ViewChange),
    Routine(RoutineChange),
    Trigger(TriggerChange),
    Policy(PolicyChange),
    Privilege(PrivilegeChange),
    Domain(DomainChange),
    Composite(CompositeChange),
    Range(RangeChange),
    Collation(CollationChange),
    TextSearch(TextSearchChange),
}

/// `$body` with `$change` bound to the family's change, whichever family it is.
macro_rules! each_family {
    ($value:expr, $change:ident => $body:expr) => {
        match $value {
            Change::Schema($change) => $body,
            Change::Extension($change) => $body,
            Change::Enum($change) => $body,
            Change::Sequence($change) => $body,
            Change::Table($change) => $body,
            Change::Column($change) => $body,
            Change::Constraint($change) => $body,
            Change::Index($change) => $body,
            Change::Comment($change) => $body,
            Change::View($change) => $body,
            Change::Routine($change) => $body,
            Change::Trigger($change) => $body,
            Change::Policy($change) => $body,
            Change::Privilege($change) => $body,
            Change::Domain($change) => $body,
            Change::Composite($change) => $body,
            Change::Range($change) => $body,
            Change::Collation($change) => $body,
            Change::TextSearch($change) => $body,
        }
    };
}

impl Change {
    pub fn phase(&self) -> Phase {
        each_family!(self, change => change.phase())
    }

    /// Human summary, e.g. `add column public.users.phone`.
    pub fn summary(&self) -> String {
        each_family!(self, change => change.summary())
    }

    /// The SQL expressions the change writes into the catalog (defaults, generation and check
    /// expressions, index keys and predicates): what may use an enum value the same plan adds.
    pub(crate) fn expressions(&self) -> Vec<&str> {
        match self {
            Change::Column(change) => change.expressions(),
            Change::Constraint(change) => change.expressions(),
            Change::Index(change) => change.expressions(),
            _ => Vec::new(),
        }
    }

    /// The statement and its hazards.
    pub(crate) fn render(&self) -> (String, Vec<Hazard>) {
        each_family!(self, change => change.render())
    }
}

/// The execution phases, in order. See the crate documentation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    RenameTable,
    RenameColumn,
    /// After the table renames: the statements name the table by its new name.
    RenameConstraintOrIndex,
    /// Before anything drops what the partition inherited (it becomes its own on detach).
    DetachPartition,
    /// Triggers, policies and views that go (or are re-created) first: nothing else depends on
    /// a trigger or a policy, and a view may use anything below (dependent views before the
    /// views they use).
    DropTrigger,
    DropView,
    DropForeignKey,
    DropConstraintOrIndex,
    /// Defaults and domain parts that use a function or type the plan drops or re-creates,
    /// before it goes.
    DropDependentPart,
    /// Functions, after what calls them and before the tables and types they use.
    DropRoutine,
    /// Early, so the identity's sequence frees its name (`<table>_<column>_seq`) before a
    /// sequence of the same name is created.
    DropIdentity,
    /// `OWNED BY NONE` before the owning column or table goes, so the sequence survives it (and
    /// before a serial's column becomes an identity, so `pg_get_serial_sequence` finds the
    /// identity's sequence alone).
    ReleaseSequence,
    /// A serial's sequence renamed out of the way of its column's identity (serial → identity),
    /// which takes its name; it keeps its value until [`Phase::CarryToIdentity`].
    RetireSequence,
    DropColumn,
    DropTable,
    CreateSchema,
    Extension,
    Type,
    /// Collations, text search dictionaries and configurations (and their mappings), domains,
    /// composite and range types, and the functions that use no table or
    /// view, in dependency order: the tables that use them come later.
    CreateObject,
    /// Also a serial's sequence under a temporary name while its column is still an identity.
    Sequence,
    /// Identity → serial: the identity's value carried over to the new sequence, before the
    /// identity (and its sequence) is dropped…
    CarryFromIdentity,
    DropCarriedIdentity,
    /// … and the new sequence renamed to the name the identity's sequence freed, before the
    /// column's default names it.
    UnstageSequence,
    CreateTable,
    Column,
    ConstraintOrIndex,
    /// A table's row-level security, storage parameters and replica identity (which may name
    /// an index created just before).
    TableSetting,
    /// Once the table has the parent's columns and checks and has lost what the parent's
    /// indexes and keys replace.
    AttachPartition,
    ForeignKey,
    /// Views (with a materialized view's indexes and grants), triggers, policies and the
    /// functions that use tables or views, in dependency order, after every table.
    CreateLateObject,
    OwnSequence,
    /// `GRANT` / `REVOKE`, once every object (and column) they name exists.
    Privilege,
    Comment,
    DropSequence,
    /// After the sequence drops: PostgreSQL names the identity's new sequence
    /// `<table>_<column>_seq` only while that name is free, so a sequence of that name goes
    /// first. After the column's default is dropped and its type changed (the identity takes
    /// the column's type). Nothing before depends on the identity.
    AddIdentity,
    /// Serial → identity: the retired sequence's value carried over to the identity's…
    CarryToIdentity,
    /// … and the retired sequence dropped.
    DropCarriedSequence,
    DropType,
    DropExtension,
    DropSchema,
}
