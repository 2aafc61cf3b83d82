//! The revision graph: loading a directory, validation errors with their locations, order,
//! heads, prefix lookup, targets and plans.

mod common;

use std::collections::BTreeSet;

use autogen_migrate::{
    DowngradeTarget, MigrateError, Revision, RevisionFile, RevisionGraph, RevisionPhase,
    UpgradeTarget, restrict_to_phase, write_new,
};
use common::*;

fn set(ns: &[u32]) -> BTreeSet<String> {
    ns.iter().map(|&n| id(n)).collect()
}

fn graph_of(revisions: Vec<Revision>) -> RevisionGraph {
    RevisionGraph::from_files(
        revisions
            .into_iter()
            .map(|revision| {
                RevisionFile::new(format!("mem/{}", revision.file_name()).into(), revision)
            })
            .collect(),
    )
    .expect("graph")
}

/// 1 <- 2 <- 3, and 2 <- 4 (two heads: 3 and 4).
fn forked() -> Vec<Revision> {
    let mut revisions = chain(3);
    revisions.push(revision(4, &[2], "branch", "SELECT 4;", "SELECT -4;"));
    revisions
}

#[test]
fn linear_chain_loads_in_order_with_one_head() {
    let dir = dir_with(&chain(3));
    // Files that are not revisions are ignored.
    write_raw(dir.path(), "README.md", "notes");
    std::fs::create_dir(dir.path().join("old.sql")).expect("dir named like a file");
    let graph = load(&dir);
    assert!(!graph.is_empty());
    assert_eq!(ids(&graph.ordered()), id_list(&[1, 2, 3]));
    assert_eq!(ids(&graph.heads()), id_list(&[3]));
    let head = graph.single_head().expect("one head").expect("not empty");
    assert_eq!(head.revision.id, id(3));
    assert!(head.path.ends_with(format!("{}_step_3.sql", id(3))));
    assert_eq!(head.checksum, head.revision.checksum());
    assert_eq!(graph.ancestors(&id(2)), set(&[1, 2]));
    assert!(graph.ancestors("20990101000000").is_empty());
    assert_eq!(
        graph.get(&id(2)).map(|file| file.revision.message.as_str()),
        Some("step 2")
    );
}

#[test]
fn an_empty_directory_is_an_empty_graph() {
    let dir = tempfile::tempdir().expect("temp dir");
    let graph = load(&dir);
    assert!(graph.is_empty());
    assert!(graph.single_head().expect("no heads").is_none());
    assert!(
        graph
            .upgrade_plan(&BTreeSet::new(), &UpgradeTarget::Head)
            .expect("plan")
            .is_empty()
    );
}

#[test]
fn a_missing_directory_is_named() {
    let dir = tempfile::tempdir().expect("temp dir");
    let missing = dir.path().join("migrations");
    match RevisionGraph::load(&missing) {
        Err(MigrateError::NoMigrationsDir { dir }) => assert_eq!(dir, missing),
        other => panic!("expected NoMigrationsDir, got {other:?}"),
    }
}

#[test]
fn a_file_that_fails_to_parse_is_the_error() {
    let dir = dir_with(&chain(1));
    write_raw(
        dir.path(),
        "20260101000200_bad.sql",
        "-- revision: 20260101000200\n-- parents:\n-- mesage: x\n",
    );
    let error = RevisionGraph::load(dir.path()).expect_err("bad file");
    let text = error.to_string();
    assert!(
        text.starts_with(&format!(
            "{}:3: unknown header `mesage`",
            dir.path().join("20260101000200_bad.sql").display()
        )),
        "{text}"
    );
}

#[test]
fn a_file_name_must_start_with_its_id() {
    let dir = tempfile::tempdir().expect("temp dir");
    write_raw(
        dir.path(),
        "20260101000500_x.sql",
        &revision(1, &[], "x", "", "").render(),
    );
    match RevisionGraph::load(dir.path()) {
        Err(error @ MigrateError::FileNameMismatch { line: 1, .. }) => {
            assert!(
                error.to_string().contains("20260101000100_x.sql"),
                "{error}"
            );
        }
        other => panic!("expected FileNameMismatch, got {other:?}"),
    }
}

#[test]
fn two_heads_are_an_error_that_says_how_to_merge() {
    let graph = graph_of(forked());
    assert_eq!(ids(&graph.heads()), id_list(&[3, 4]));
    let error = graph.single_head().expect_err("two heads");
    match &error {
        MigrateError::MultipleHeads { heads } => assert_eq!(heads, &id_list(&[3, 4])),
        other => panic!("expected MultipleHeads, got {other:?}"),
    }
    assert!(
        error
            .to_string()
            .contains(&format!("autogen merge -m MSG {} {}", id(3), id(4))),
        "{error}"
    );
    assert!(matches!(
        graph.upgrade_plan(&BTreeSet::new(), &UpgradeTarget::Head),
        Err(MigrateError::MultipleHeads { .. })
    ));
    let all = graph
        .upgrade_plan(&set(&[1]), &UpgradeTarget::Heads)
        .expect("heads plan");
    assert_eq!(ids(&all), id_list(&[2, 3, 4]));
}

#[test]
fn a_merge_revision_joins_the_heads() {
    let mut revisions = forked();
    revisions.push(revision(5, &[4, 3], "merge", "", ""));
    let dir = dir_with(&revisions);
    let graph = load(&dir);
    assert_eq!(ids(&graph.heads()), id_list(&[5]));
    assert_eq!(ids(&graph.ordered()), id_list(&[1, 2, 3, 4, 5]));
    assert_eq!(graph.ancestors(&id(5)), set(&[1, 2, 3, 4, 5]));
    assert_eq!(
        graph.get(&id(5)).expect("merge").revision.parents,
        id_list(&[4, 3])
    );
    // Upgrading a database that has one branch applies the other, then the merge.
    let plan = graph
        .upgrade_plan(&set(&[1, 2, 4]), &UpgradeTarget::Head)
        .expect("plan");
    assert_eq!(ids(&plan), id_list(&[3, 5]));
    // Downgrading to one branch reverts the merge and the other branch.
    let plan = graph
        .downgrade_plan(&set(&[1, 2, 3, 4, 5]), &DowngradeTarget::Revision(id(3)))
        .expect("plan");
    assert_eq!(ids(&plan), id_list(&[5, 4]));
}

#[test]
fn topological_order_breaks_ties_by_id_not_file_order() {
    // 3 is a root created "later" than 2's parent chain; 10 depends on 3.
    let graph = graph_of(vec![
        revision(10, &[3], "c", "", ""),
        revision(2, &[1], "b", "", ""),
        revision(3, &[], "r2", "", ""),
        revision(1, &[], "r1", "", ""),
    ]);
    assert_eq!(ids(&graph.ordered()), id_list(&[1, 2, 3, 10]));
    assert_eq!(ids(&graph.heads()), id_list(&[2, 10]));
}

#[test]
fn prefixes_resolve_when_unique() {
    let mut revisions = chain(2);
    revisions.push(Revision {
        id: "20270101000000".into(),
        ..revision(9, &[2], "later", "", "")
    });
    let graph = graph_of(revisions);
    assert_eq!(
        graph.resolve("2027").expect("unique").revision.id,
        "20270101000000"
    );
    assert_eq!(graph.resolve(&id(2)).expect("exact").revision.id, id(2));
    assert_eq!(
        graph.resolve("202601010002").expect("prefix").revision.id,
        id(2)
    );
    match graph.resolve("2026") {
        Err(MigrateError::AmbiguousRevision { text, candidates }) => {
            assert_eq!(text, "2026");
            assert_eq!(candidates, id_list(&[1, 2]));
        }
        other => panic!("expected AmbiguousRevision, got {other:?}"),
    }
    for unknown in ["2025", "", "head", "202601010001009"] {
        assert!(
            matches!(
                graph.resolve(unknown),
                Err(MigrateError::UnknownRevision { .. })
            ),
            "{unknown}"
        );
    }
}

#[test]
fn targets_parse() {
    let graph = graph_of(chain(3));
    assert_eq!(
        graph.parse_upgrade_target("head").expect("head"),
        UpgradeTarget::Head
    );
    assert_eq!(
        graph.parse_upgrade_target("heads").expect("heads"),
        UpgradeTarget::Heads
    );
    assert_eq!(
        graph.parse_upgrade_target("+2").expect("+2"),
        UpgradeTarget::Relative(2)
    );
    assert_eq!(
        graph.parse_upgrade_target("202601010002").expect("prefix"),
        UpgradeTarget::Revision(id(2))
    );
    assert_eq!(
        graph.parse_downgrade_target("base").expect("base"),
        DowngradeTarget::Base
    );
    assert_eq!(
        graph.parse_downgrade_target("-1").expect("-1"),
        DowngradeTarget::Relative(1)
    );
    assert_eq!(
        graph.parse_downgrade_target(&id(1)).expect("id"),
        DowngradeTarget::Revision(id(1))
    );
    for bad in ["+0", "+", "+x", "+-1", "+99999999999999999999999"] {
        assert!(
            matches!(
                graph.parse_upgrade_target(bad),
                Err(MigrateError::InvalidTarget { .. })
            ),
            "{bad}"
        );
    }
    assert!(matches!(
        graph.parse_downgrade_target("-0"),
        Err(MigrateError::InvalidTarget { .. })
    ));
    assert!(matches!(
        graph.parse_upgrade_target("base"),
        Err(MigrateError::UnknownRevision { .. })
    ));
    assert!(matches!(
        graph.parse_downgrade_target("2026"),
        Err(MigrateError::AmbiguousRevision { .. })
    ));
}

#[test]
fn upgrade_plans() {
    let graph = graph_of(chain(4));
    let none = BTreeSet::new();
    let plan = |applied: &BTreeSet<String>, target: UpgradeTarget| {
        graph
            .upgrade_plan(applied, &target)
            .map(|files| ids(&files))
    };
    assert_eq!(
        plan(&none, UpgradeTarget::Head).expect("head"),
        id_list(&[1, 2, 3, 4])
    );
    assert_eq!(
        plan(&set(&[1, 2]), UpgradeTarget::Head).expect("rest"),
        id_list(&[3, 4])
    );
    assert_eq!(
        plan(&set(&[1]), UpgradeTarget::Revision(id(3))).expect("to 3"),
        id_list(&[2, 3])
    );
    assert_eq!(
        plan(&set(&[1]), UpgradeTarget::Relative(2)).expect("+2"),
        id_list(&[2, 3])
    );
    assert_eq!(
        plan(&set(&[1, 2, 3, 4]), UpgradeTarget::Head).expect("done"),
        Vec::<String>::new()
    );
    match plan(&set(&[1, 2]), UpgradeTarget::Relative(3)) {
        Err(
            error @ MigrateError::NotEnoughRevisions {
                requested: 3,
                available: 2,
                ..
            },
        ) => assert_eq!(
            error.to_string(),
            "cannot upgrade 3 revision(s): only 2 can be applied"
        ),
        other => panic!("expected NotEnoughRevisions, got {other:?}"),
    }
    assert!(matches!(
        plan(&none, UpgradeTarget::Revision("20990101000000".into())),
        Err(MigrateError::UnknownRevision { .. })
    ));
}

#[test]
fn relative_upgrades_follow_the_topological_order_across_branches() {
    let graph = graph_of(forked());
    let plan = graph
        .upgrade_plan(&set(&[1]), &UpgradeTarget::Relative(2))
        .expect("+2");
    assert_eq!(ids(&plan), id_list(&[2, 3]));
    let plan = graph
        .upgrade_plan(&set(&[1, 2, 3]), &UpgradeTarget::Relative(1))
        .expect("+1");
    assert_eq!(ids(&plan), id_list(&[4]));
}

#[test]
fn downgrade_plans() {
    let graph = graph_of(chain(4));
    let all = set(&[1, 2, 3, 4]);
    let plan = |applied: &BTreeSet<String>, target: DowngradeTarget| {
        graph
            .downgrade_plan(applied, &target)
            .map(|files| ids(&files))
    };
    assert_eq!(
        plan(&all, DowngradeTarget::Base).expect("base"),
        id_list(&[4, 3, 2, 1])
    );
    assert_eq!(
        plan(&all, DowngradeTarget::Relative(1)).expect("-1"),
        id_list(&[4])
    );
    assert_eq!(
        plan(&all, DowngradeTarget::Relative(3)).expect("-3"),
        id_list(&[4, 3, 2])
    );
    assert_eq!(
        plan(&all, DowngradeTarget::Revision(id(2))).expect("to 2"),
        id_list(&[4, 3])
    );
    assert_eq!(
        plan(&set(&[1, 2]), DowngradeTarget::Revision(id(2))).expect("already there"),
        Vec::<String>::new()
    );
    assert!(matches!(
        plan(&set(&[1, 2]), DowngradeTarget::Relative(3)),
        Err(MigrateError::NotEnoughRevisions {
            requested: 3,
            available: 2,
            ..
        })
    ));
    assert!(matches!(
        plan(&set(&[1]), DowngradeTarget::Revision(id(3))),
        Err(MigrateError::NotApplied { .. })
    ));
}

#[test]
fn an_applied_revision_missing_from_the_graph_is_refused() {
    let graph = graph_of(chain(2));
    let mut applied = set(&[1, 2]);
    applied.insert("20250101000000".into());
    for result in [
        graph
            .upgrade_plan(&applied, &UpgradeTarget::Head)
            .map(|_| ()),
        graph
            .downgrade_plan(&applied, &DowngradeTarget::Base)
            .map(|_| ()),
    ] {
        match result {
            Err(error @ MigrateError::UnknownApplied { .. }) => assert_eq!(
                error.to_string(),
                "the database has revision 20250101000000 which is not in the migrations directory (was its file deleted, or is this the wrong directory?)"
            ),
            other => panic!("expected UnknownApplied, got {other:?}"),
        }
    }
}

#[test]
fn a_cycle_names_its_revisions() {
    let dir = dir_with(&[
        revision(1, &[], "root", "", ""),
        revision(2, &[3], "a", "", ""),
        revision(3, &[2], "b", "", ""),
        revision(4, &[3], "behind the cycle", "", ""),
    ]);
    match RevisionGraph::load(dir.path()) {
        Err(error @ MigrateError::Cycle { .. }) => {
            let text = error.to_string();
            assert!(
                text.starts_with("revision parents form a cycle: "),
                "{text}"
            );
            assert!(text.contains(&format!("{} (", id(2))), "{text}");
            assert!(text.contains(&format!("{} (", id(3))), "{text}");
            assert!(!text.contains(&id(4)), "{text}");
        }
        other => panic!("expected Cycle, got {other:?}"),
    }
}

#[test]
fn a_missing_parent_points_at_the_parents_header() {
    let dir = dir_with(&chain(1));
    let text = "-- revision: 20260101000200\n\n-- message: orphan\n-- parents: 20260101000100, 20251231000000\n-- created: 2026-11-21T10:30:00Z\n-- migrate:up\n-- migrate:down\n";
    let path = write_raw(dir.path(), "20260101000200_orphan.sql", text);
    match RevisionGraph::load(dir.path()) {
        Err(error @ MigrateError::MissingParent { line: 4, .. }) => assert_eq!(
            error.to_string(),
            format!(
                "{}:4: revision 20260101000200 names parent 20251231000000, which is not in the migrations directory",
                path.display()
            )
        ),
        other => panic!("expected MissingParent, got {other:?}"),
    }
}

#[test]
fn a_duplicate_id_names_both_files() {
    let dir = dir_with(&chain(1));
    let mut copy = revision(1, &[], "same id other slug", "", "");
    copy.created = "2026-11-22T00:00:00Z".into();
    // Files are read in name order: `…_same_id…` before `…_step_1`.
    let first = write_raw(dir.path(), &copy.file_name(), &copy.render());
    let second = dir.path().join(format!("{}_step_1.sql", id(1)));
    match RevisionGraph::load(dir.path()) {
        Err(error @ MigrateError::DuplicateRevision { .. }) => {
            let text = error.to_string();
            assert!(
                text.starts_with(&format!("{}:1: ", second.display())),
                "{text}"
            );
            assert!(text.ends_with(&first.display().to_string()), "{text}");
        }
        other => panic!("expected DuplicateRevision, got {other:?}"),
    }
}

#[test]
fn write_new_is_atomic_and_never_replaces_a_revision() {
    let dir = tempfile::tempdir().expect("temp dir");
    let revision = revision(1, &[], "Add phone to users!", "SELECT 1;", "SELECT 2;");
    let path = write_new(dir.path(), &revision).expect("write");
    assert_eq!(
        path,
        dir.path().join(format!("{}_add_phone_to_users.sql", id(1)))
    );
    let text = std::fs::read_to_string(&path).expect("read back");
    assert_eq!(text, revision.render());

    let same_id = common::revision(1, &[], "another slug", "SELECT 3;", "");
    match write_new(dir.path(), &same_id) {
        Err(MigrateError::RevisionExists {
            id: existing,
            path: at,
        }) => {
            assert_eq!(existing, id(1));
            assert_eq!(at, path);
        }
        other => panic!("expected RevisionExists, got {other:?}"),
    }
    // Nothing else was left behind, and the original is untouched.
    let names: Vec<String> = std::fs::read_dir(dir.path())
        .expect("list")
        .map(|entry| {
            entry
                .expect("entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    assert_eq!(names.len(), 1, "{names:?}");
    assert_eq!(std::fs::read_to_string(&path).expect("read"), text);

    assert!(matches!(
        write_new(&dir.path().join("missing"), &revision),
        Err(MigrateError::NoMigrationsDir { .. })
    ));
}

/// 1 <- 2 (expand) <- 3 (contract) <- 4: an ordinary revision written after the pair.
fn expand_contract_chain() -> RevisionGraph {
    let phased = |n, parents: &[u32], phase| Revision {
        phase: Some(phase),
        ..revision(n, parents, "phased", "SELECT 1;", "SELECT 1;")
    };
    graph_of(vec![
        revision(1, &[], "first", "SELECT 1;", "SELECT 1;"),
        phased(2, &[1], RevisionPhase::Expand),
        phased(3, &[2], RevisionPhase::Contract),
        revision(4, &[3], "later", "SELECT 1;", "SELECT 1;"),
    ])
}

fn ids(files: &[&RevisionFile]) -> Vec<String> {
    files.iter().map(|file| file.revision.id.clone()).collect()
}

#[test]
fn phase_expand_stops_before_the_contract_revision_and_its_descendants() {
    let graph = expand_contract_chain();
    let applied = BTreeSet::new();
    let plan = graph.upgrade_plan(&applied, &UpgradeTarget::Head).unwrap();
    let cut = restrict_to_phase(plan, &applied, RevisionPhase::Expand);
    assert_eq!(ids(&cut.run), [id(1), id(2)]);
    assert_eq!(ids(&cut.skipped), [id(3), id(4)]);
}

#[test]
fn phase_contract_runs_only_contract_revisions_whose_parents_are_applied() {
    let graph = expand_contract_chain();
    // The expand side is not applied yet: nothing to contract.
    let applied = set(&[1]);
    let plan = graph.upgrade_plan(&applied, &UpgradeTarget::Head).unwrap();
    let cut = restrict_to_phase(plan, &applied, RevisionPhase::Contract);
    assert!(cut.run.is_empty());
    assert_eq!(ids(&cut.skipped), [id(2), id(3), id(4)]);
    // After `--phase expand`: the contract revision only, not the ordinary one after it.
    let applied = set(&[1, 2]);
    let plan = graph.upgrade_plan(&applied, &UpgradeTarget::Head).unwrap();
    let cut = restrict_to_phase(plan, &applied, RevisionPhase::Contract);
    assert_eq!(ids(&cut.run), [id(3)]);
    assert_eq!(ids(&cut.skipped), [id(4)]);
}
