//! The revision DAG: validation (unique ids, known parents, no cycles), a deterministic
//! topological order, heads, revision lookup by prefix, and the plans that say which revisions
//! an upgrade or downgrade runs and in which order. Pure: no database, no I/O after loading.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use crate::MigrateError;
use crate::error::Direction;
use crate::files::{LoadedFile, RevisionFile, load_dir};

/// Where an upgrade stops.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UpgradeTarget {
    /// The single head; several heads are an error.
    Head,
    /// Every head.
    Heads,
    /// A revision (full id) and its ancestors.
    Revision(String),
    /// These revisions (full ids) and their ancestors: e.g. the revisions a database has
    /// applied, to build another database at the same point.
    Revisions(std::collections::BTreeSet<String>),
    /// The next N revisions.
    Relative(usize),
}

/// Where a downgrade stops.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DowngradeTarget {
    /// Nothing applied.
    Base,
    /// Only this revision (full id) and its ancestors stay applied.
    Revision(String),
    /// Revert the last N applied revisions.
    Relative(usize),
}

/// A validated set of revisions.
#[derive(Debug, Clone)]
pub struct RevisionGraph {
    /// In topological order: parents first, ties broken by id.
    files: Vec<RevisionFile>,
    /// Id -> position in `files`.
    index: BTreeMap<String, usize>,
    /// Positions of revisions no one lists as a parent, by id.
    heads: Vec<usize>,
}

impl RevisionGraph {
    /// Every `*.sql` file directly in `dir`, in name order.
    pub fn load(dir: &Path) -> Result<RevisionGraph, MigrateError> {
        Self::build(load_dir(dir)?)
    }

    /// A graph of revisions that are already in memory. Errors name the files but, having no
    /// file text, no line.
    pub fn from_files(files: Vec<RevisionFile>) -> Result<RevisionGraph, MigrateError> {
        Self::build(
            files
                .into_iter()
                .map(|file| LoadedFile {
                    file,
                    revision_line: 0,
                    parents_line: 0,
                })
                .collect(),
        )
    }

    /// Validates parsed files (unique ids, known parents, no cycle) into a graph.
    pub(crate) fn build(loaded: Vec<LoadedFile>) -> Result<RevisionGraph, MigrateError> {
        let mut by_id: BTreeMap<String, LoadedFile> = BTreeMap::new();
        for entry in loaded {
            if let Some(first) = by_id.get(&entry.file.revision.id) {
                return Err(MigrateError::DuplicateRevision {
                    id: entry.file.revision.id.clone(),
                    first: first.file.path.clone(),
                    second: entry.file.path,
                    second_line: entry.revision_line,
                });
            }
            by_id.insert(entry.file.revision.id.clone(), entry);
        }
        for entry in by_id.values() {
            if let Some(parent) = entry
                .file
                .revision
                .parents
                .iter()
                .find(|parent| !by_id.contains_key(*parent))
            {
                return Err(MigrateError::MissingParent {
                    path: entry.file.path.clone(),
                    line: entry.parents_line,
                    revision: entry.file.revision.id.clone(),
                    parent: parent.clone(),
                });
            }
        }

        let order = topological_order(&by_id)?;
        let mut by_id: BTreeMap<String, RevisionFile> = by_id
            .into_iter()
            .map(|(id, entry)| (id, entry.file))
            .collect();
        let files: Vec<RevisionFile> = order.iter().filter_map(|id| by_id.remove(id)).collect();
        let index: BTreeMap<String, usize> = files
            .iter()
            .enumerate()
            .map(|(position, file)| (file.revision.id.clone(), position))
            .collect();
        let listed_as_parent: BTreeSet<&str> = files
            .iter()
            .flat_map(|file| file.revision.parents.iter().map(String::as_str))
            .collect();
        let heads = index
            .iter()
            .filter(|(id, _)| !listed_as_parent.contains(id.as_str()))
            .map(|(_, &position)| position)
            .collect();
        Ok(RevisionGraph {
            files,
            index,
            heads,
        })
    }

    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    pub fn get(&self, id: &str) -> Option<&RevisionFile> {
        self.index.get(id).map(|&position| &self.files[position])
    }

    /// Every revision, parents before children, ties broken by id.
    pub fn ordered(&self) -> Vec<&RevisionFile> {
        self.files.iter().collect()
    }

    /// Revisions that no revision lists as a parent, by id.
    pub fn heads(&self) -> Vec<&RevisionFile> {
        self.heads
            .iter()
            .map(|&position| &self.files[position])
            .collect()
    }

    /// The head, `None` for an empty graph, [`MigrateError::MultipleHeads`] when there are
    /// several (they need `autogen merge`).
    pub fn single_head(&self) -> Result<Option<&RevisionFile>, MigrateError> {
        match self.heads.as_slice() {
            [] => Ok(None),
            [head] => Ok(Some(&self.files[*head])),
            several => Err(MigrateError::MultipleHeads {
                heads: several
                    .iter()
                    .map(|&position| self.files[position].revision.id.clone())
                    .collect(),
            }),
        }
    }

    /// A revision by its full id or a unique prefix of it.
    pub fn resolve(&self, text: &str) -> Result<&RevisionFile, MigrateError> {
        if let Some(file) = self.get(text) {
            return Ok(file);
        }
        let candidates: Vec<&String> = if text.is_empty() {
            Vec::new()
        } else {
            self.index
                .range::<str, _>((std::ops::Bound::Included(text), std::ops::Bound::Unbounded))
                .map(|(id, _)| id)
                .take_while(|id| id.starts_with(text))
                .collect()
        };
        match candidates.as_slice() {
            [] => Err(MigrateError::UnknownRevision {
                text: text.to_owned(),
            }),
            [id] => self.get(id).ok_or_else(|| MigrateError::UnknownRevision {
                text: text.to_owned(),
            }),
            several => Err(MigrateError::AmbiguousRevision {
                text: text.to_owned(),
                candidates: several.iter().map(|id| (*id).clone()).collect(),
            }),
        }
    }

    /// `id` and every revision it descends from; empty when `id` is not in the graph.
    pub fn ancestors(&self, id: &str) -> BTreeSet<String> {
        let mut seen = BTreeSet::new();
        let mut stack: Vec<&str> = vec![id];
        while let Some(current) = stack.pop() {
            let Some(file) = self.get(current) else {
                continue;
            };
            if seen.insert(current.to_owned()) {
                stack.extend(file.revision.parents.iter().map(String::as_str));
            }
        }
        seen
    }

    /// The revisions an upgrade to `target` applies, parents before children.
    pub fn upgrade_plan(
        &self,
        applied: &BTreeSet<String>,
        target: &UpgradeTarget,
    ) -> Result<Vec<&RevisionFile>, MigrateError> {
        self.check_applied(applied)?;
        let wanted: BTreeSet<String> = match target {
            UpgradeTarget::Head => match self.single_head()? {
                Some(head) => self.ancestors(&head.revision.id),
                None => BTreeSet::new(),
            },
            UpgradeTarget::Heads => self.index.keys().cloned().collect(),
            UpgradeTarget::Revision(id) => {
                self.known(id)?;
                self.ancestors(id)
            }
            UpgradeTarget::Revisions(ids) => {
                let mut wanted = BTreeSet::new();
                for id in ids {
                    self.known(id)?;
                    wanted.extend(self.ancestors(id));
                }
                wanted
            }
            UpgradeTarget::Relative(count) => return self.next_pending(applied, *count),
        };
        Ok(self
            .files
            .iter()
            .filter(|file| {
                wanted.contains(&file.revision.id) && !applied.contains(&file.revision.id)
            })
            .collect())
    }

    /// The applied revisions a downgrade to `target` reverts, children before parents.
    pub fn downgrade_plan(
        &self,
        applied: &BTreeSet<String>,
        target: &DowngradeTarget,
    ) -> Result<Vec<&RevisionFile>, MigrateError> {
        self.check_applied(applied)?;
        let applied_newest_first = self
            .files
            .iter()
            .rev()
            .filter(|file| applied.contains(&file.revision.id));
        match target {
            DowngradeTarget::Base => Ok(applied_newest_first.collect()),
            DowngradeTarget::Revision(id) => {
                self.known(id)?;
                if !applied.contains(id) {
                    return Err(MigrateError::NotApplied {
                        revision: id.clone(),
                    });
                }
                let keep = self.ancestors(id);
                Ok(applied_newest_first
                    .filter(|file| !keep.contains(&file.revision.id))
                    .collect())
            }
            DowngradeTarget::Relative(count) => {
                // A suffix of the topological order: every applied child of a reverted
                // revision comes later in that order, so it is reverted too (and first).
                let plan: Vec<&RevisionFile> = applied_newest_first.take(*count).collect();
                if plan.len() < *count {
                    return Err(MigrateError::NotEnoughRevisions {
                        direction: Direction::Downgrade,
                        requested: *count,
                        available: plan.len(),
                    });
                }
                Ok(plan)
            }
        }
    }

    /// The next `count` revisions in topological order whose parents are all applied or
    /// earlier in the plan.
    fn next_pending(
        &self,
        applied: &BTreeSet<String>,
        count: usize,
    ) -> Result<Vec<&RevisionFile>, MigrateError> {
        let mut done: BTreeSet<&str> = applied.iter().map(String::as_str).collect();
        let mut plan = Vec::new();
        while plan.len() < count {
            let next = self.files.iter().find(|file| {
                !done.contains(file.revision.id.as_str())
                    && file
                        .revision
                        .parents
                        .iter()
                        .all(|parent| done.contains(parent.as_str()))
            });
            let Some(next) = next else {
                return Err(MigrateError::NotEnoughRevisions {
                    direction: Direction::Upgrade,
                    requested: count,
                    available: plan.len(),
                });
            };
            done.insert(&next.revision.id);
            plan.push(next);
        }
        Ok(plan)
    }

    /// Every applied id must name a revision in the graph.
    pub(crate) fn check_applied(&self, applied: &BTreeSet<String>) -> Result<(), MigrateError> {
        match applied.iter().find(|id| !self.index.contains_key(*id)) {
            Some(unknown) => Err(MigrateError::UnknownApplied {
                revision: unknown.clone(),
            }),
            None => Ok(()),
        }
    }

    pub(crate) fn known(&self, id: &str) -> Result<&RevisionFile, MigrateError> {
        self.get(id).ok_or_else(|| MigrateError::UnknownRevision {
            text: id.to_owned(),
        })
    }
}

/// Kahn's algorithm with the ready set ordered by id, so the order is deterministic. What is
/// left when nothing is ready lies on or behind a cycle; the error names one cycle.
fn topological_order(by_id: &BTreeMap<String, LoadedFile>) -> Result<Vec<String>, MigrateError> {
    let mut waiting_on: BTreeMap<&str, usize> = BTreeMap::new();
    let mut children: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for (id, entry) in by_id {
        waiting_on.insert(id, entry.file.revision.parents.len());
        for parent in &entry.file.revision.parents {
            children.entry(parent).or_default().push(id);
        }
    }
    let mut ready: BTreeSet<&str> = waiting_on
        .iter()
        .filter(|(_, count)| **count == 0)
        .map(|(id, _)| *id)
        .collect();
    let mut order = Vec::with_capacity(by_id.len());
    while let Some(id) = ready.pop_first() {
        order.push(id.to_owned());
        for child in children.get(id).into_iter().flatten() {
            if let Some(count) = waiting_on.get_mut(child) {
                *count -= 1;
                if *count == 0 {
                    ready.insert(child);
                }
            }
        }
    }
    if order.len() == by_id.len() {
        return Ok(order);
    }
    let placed: BTreeSet<&str> = order.iter().map(String::as_str).collect();
    Err(MigrateError::Cycle {
        revisions: find_cycle(by_id, &placed),
    })
}

/// Walks parents from the smallest unplaced revision until one repeats; the repeated stretch
/// is a cycle. Every unplaced revision has an unplaced parent, so the walk never stalls.
fn find_cycle(
    by_id: &BTreeMap<String, LoadedFile>,
    placed: &BTreeSet<&str>,
) -> Vec<(String, std::path::PathBuf)> {
    let unplaced = |id: &str| !placed.contains(id) && by_id.contains_key(id);
    let mut path: Vec<&str> = Vec::new();
    let mut current = by_id.keys().map(String::as_str).find(|id| unplaced(id));
    while let Some(id) = current {
        if let Some(start) = path.iter().position(|seen| *seen == id) {
            return path[start..]
                .iter()
                .filter_map(|id| {
                    by_id
                        .get(*id)
                        .map(|entry| (id.to_string(), entry.file.path.clone()))
                })
                .collect();
        }
        path.push(id);
        current = by_id.get(id).and_then(|entry| {
            entry
                .file
                .revision
                .parents
                .iter()
                .map(String::as_str)
                .find(|parent| unplaced(parent))
        });
    }
    // Unreachable for a graph whose parents all exist; report what was walked.
    path.iter()
        .filter_map(|id| {
            by_id
                .get(*id)
                .map(|entry| (id.to_string(), entry.file.path.clone()))
        })
        .collect()
}
