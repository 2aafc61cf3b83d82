//! Named table items (constraints, indexes) compared by name, comments aside.

use autogen_schema::{
    CheckConstraint, ExclusionConstraint, ForeignKey, Index, PrimaryKey, UniqueConstraint,
};

/// Comparison of named table items, comments aside.
pub(crate) trait Item: Clone + PartialEq {
    fn name(&self) -> &str;
    fn comment(&self) -> &Option<String>;
    /// The comment on a constraint's own index (primary key, unique, exclusion).
    fn index_comment(&self) -> Option<&String> {
        None
    }
    /// Without its comments (its index's too).
    fn without_comment(&self) -> Self;
    fn with_name(&self, name: &str) -> Self;
    fn comments_agree(&self, other: &Self) -> bool {
        self.comment() == other.comment() && self.index_comment() == other.index_comment()
    }
    fn same(&self, other: &Self) -> bool {
        // Comments almost always agree: compare in place and clone only when they do not.
        if self.comments_agree(other) {
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

/// Constraints with an index of their own, which may carry a comment of its own.
macro_rules! indexed_item {
    ($($ty:ty),*) => {$(
        impl Item for $ty {
            fn name(&self) -> &str {
                &self.name
            }
            fn comment(&self) -> &Option<String> {
                &self.comment
            }
            fn index_comment(&self) -> Option<&String> {
                self.index_comment.as_ref()
            }
            fn without_comment(&self) -> Self {
                Self { comment: None, index_comment: None, ..self.clone() }
            }
            fn with_name(&self, name: &str) -> Self {
                Self { name: name.to_string(), ..self.clone() }
            }
        }
    )*};
}

item!(CheckConstraint, ForeignKey, Index);
indexed_item!(PrimaryKey, UniqueConstraint, ExclusionConstraint);

pub(crate) enum Op<'a, T> {
    Drop(&'a T),
    /// Added; its comment (if any) is to be set too.
    Add(&'a T),
    /// Unchanged but for its comments: (before, after).
    Comment(&'a T, &'a T),
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
                if !old.comments_agree(new) {
                    ops.push(Op::Comment(old, new));
                }
            }
            _ => ops.push(Op::Add(new)),
        }
    }
    ops
}
