//! Fixtures shared by the integration tests: revisions built in Rust and written to temp dirs.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use autogen_migrate::{Revision, RevisionGraph, Section, write_new};
use tempfile::TempDir;

pub const CREATED: &str = "2026-11-21T10:30:00Z";

/// The id of the n-th test revision: `20260101000000` + n minutes, so ids sort by n.
pub fn id(n: u32) -> String {
    format!("202601010{:01}{:02}00", n / 60, n % 60)
}

/// A transactional revision.
pub fn revision(n: u32, parents: &[u32], message: &str, up: &str, down: &str) -> Revision {
    Revision {
        id: id(n),
        parents: parents.iter().map(|&p| id(p)).collect(),
        message: message.to_owned(),
        created: CREATED.to_owned(),
        origin: None,
        phase: None,
        up: Section::new(true, up),
        down: Section::new(true, down),
    }
}

/// A migrations directory holding `revisions`, written with `write_new`.
pub fn dir_with(revisions: &[Revision]) -> TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    for revision in revisions {
        write_new(dir.path(), revision).expect("write revision");
    }
    dir
}

/// Writes raw text as `<name>` into `dir`.
pub fn write_raw(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).expect("write file");
    path
}

pub fn load(dir: &TempDir) -> RevisionGraph {
    RevisionGraph::load(dir.path()).expect("load graph")
}

/// A linear chain 1 <- 2 <- … <- n of trivial revisions.
pub fn chain(n: u32) -> Vec<Revision> {
    (1..=n)
        .map(|i| {
            let parents: Vec<u32> = if i == 1 { vec![] } else { vec![i - 1] };
            revision(
                i,
                &parents,
                &format!("step {i}"),
                &format!("CREATE TABLE t{i} (id int);"),
                &format!("DROP TABLE t{i};"),
            )
        })
        .collect()
}

pub fn ids(files: &[&autogen_migrate::RevisionFile]) -> Vec<String> {
    files.iter().map(|file| file.revision.id.clone()).collect()
}

pub fn id_list(ns: &[u32]) -> Vec<String> {
    ns.iter().map(|&n| id(n)).collect()
}
