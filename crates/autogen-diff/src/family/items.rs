//! Named table items (constraints, indexes) compared by name, comments aside.

use autogen_schema::{
    CheckConstraint, ExclusionConstraint, ForeignKey, Index, PrimaryKey, UniqueConstraint,
};

/// Comparison of named table items, comments aside.
pub(crate) trait Item: Clone + PartialEq {
    fn name(&self) -> &str;
    fn comment(&self) -> &Option<String>;
    fn without_comment(&self) -> Self;
    fn with_name(&self, name: &str) -> Self;
    fn same(&self, other: &Self) -> bool {
        // Comments almost always agree: compare in place and clone only when they do not.
        if self.comment() == other.comment() {
            self == other
        } else {
            self.without_comment() == other.without_comment()
        }
    }
}

macro_rules! item {
    ($($ty:ty),*) => {$(
        impl Item for $ty {
            fn name(&self) -> &str {
                &self.name
            }
            fn comment(&self) -> &Option<String> {
                &self.comment
            }
            fn without_comment(&self) -> Self {
                Self { comment: None, ..self.clone() }
            }
            fn with_name(&self, name: &str) -> Self {
                Self { name: name.to_string(), ..self.clone() }
            }
        }
    )*};
}

item!(
    PrimaryKey,
    UniqueConstraint,
    CheckConstraint,
    ExclusionConstraint,
    ForeignKey,
    Index
);

pub(crate) enum Op<'a, T> {
    Drop(&'a T),
    /// Added; its comment (if any) is to be set too.
    Add(&'a T),
    /// Unchanged but for the comment.
    Comment(&'a T),
}

/// Items matched by name (renames identical but for the name were applied before): a changed one is dropped and re-added, an unchanged one is never
/// touched (only its comment may change). `force` re-creates an unchanged one anyway.
pub(crate) fn diff_items<'a, T: Item>(
    have: &'a [T],
    want: &'a [T],
    force: impl Fn(&T) -> bool,
) -> Vec<Op<'a, T>> {
    let mut ops = Vec::new();
    let find = |list: &'a [T], name: &str| list.iter().find(|item| item.name() == name);
    for old in have {
        match find(want, old.name()) {
            Some(new) if old.same(new) && !force(new) => {}
            _ => ops.push(Op::Drop(old)),
        }
    }
    for new in want {
        match find(have, new.name()) {
            Some(old) if old.same(new) && !force(new) => {
                if old.comment() != new.comment() {
                    ops.push(Op::Comment(new));
                }
            }
            _ => ops.push(Op::Add(new)),
        }
    }
    ops
}
