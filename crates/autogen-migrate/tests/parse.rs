//! The revision file format: what parses, what round-trips, and which line each malformed file
//! is blamed on.

mod common;

use std::path::Path;

use autogen_migrate::{MigrateError, ParseProblem, Revision, RevisionPhase, Section};
use proptest::prelude::*;

const DESIGN_EXAMPLE: &str = "\
-- revision: 20261121103000
-- parents: 20261120090000
-- message: add phone to users
-- created: 2026-11-21T10:30:00Z

-- migrate:up
-- hazard: none
ALTER TABLE \"public\".\"users\" ADD COLUMN \"phone\" character varying(20);

-- migrate:down
-- hazard: data-loss (drops column \"phone\")
ALTER TABLE \"public\".\"users\" DROP COLUMN \"phone\";
";

fn parse(text: &str) -> Result<Revision, MigrateError> {
    Revision::parse(Path::new("migrations/x.sql"), text)
}

/// The line and problem of a parse error.
fn failure(text: &str) -> (usize, ParseProblem) {
    match parse(text) {
        Err(MigrateError::Parse { line, problem, .. }) => (line, problem),
        other => panic!("expected a parse error, got {other:?}"),
    }
}

#[test]
fn the_design_example_parses_and_renders_back_byte_for_byte() {
    let revision = parse(DESIGN_EXAMPLE).expect("parse");
    assert_eq!(revision.id, "20261121103000");
    assert_eq!(revision.parents, ["20261120090000"]);
    assert_eq!(revision.message, "add phone to users");
    assert_eq!(revision.created, "2026-11-21T10:30:00Z");
    assert!(revision.up.transactional && revision.down.transactional);
    assert_eq!(
        revision.up.sql,
        "-- hazard: none\nALTER TABLE \"public\".\"users\" ADD COLUMN \"phone\" character varying(20);"
    );
    assert_eq!(revision.up.first_line, 7);
    assert_eq!(revision.down.first_line, 11);
    assert_eq!(revision.render(), DESIGN_EXAMPLE);
    assert_eq!(
        revision.file_name(),
        "20261121103000_add_phone_to_users.sql"
    );
}

#[test]
fn render_then_parse_round_trips() {
    let revision = Revision {
        id: "20261121103000".into(),
        parents: vec!["20261120090000".into(), "20261120100000".into()],
        message: "merge: a 'quoted' message; with -- dashes".into(),
        created: "2026-11-21T10:30:00Z".into(),
        origin: None,
        phase: None,
        up: Section::new(
            false,
            "\n-- hazard: index-build\nCREATE INDEX CONCURRENTLY ix ON t (a);\n\n\n",
        ),
        down: Section::new(true, "DROP INDEX ix;\r\nSELECT 1;\r\n"),
    };
    let text = revision.render();
    let parsed = parse(&text).expect("parse rendered");
    assert_eq!(parsed.up.first_line, 7);
    assert_eq!(parsed.down.first_line, 12);
    assert_eq!(
        Revision {
            up: Section {
                first_line: 0,
                ..parsed.up.clone()
            },
            down: Section {
                first_line: 0,
                ..parsed.down.clone()
            },
            ..parsed.clone()
        },
        revision
    );
    assert_eq!(parsed.checksum(), revision.checksum());
    assert!(text.contains("-- migrate:up transaction:false\n"));
    assert!(text.contains("-- parents: 20261120090000, 20261120100000\n"));
}

#[test]
fn first_revision_and_empty_sections() {
    let text = "-- revision: 20260101000000\n-- parents:\n-- message:\n-- created: 2026-01-01T00:00:00Z\n-- migrate:up\n-- migrate:down\n";
    let revision = parse(text).expect("parse");
    assert!(revision.parents.is_empty());
    assert_eq!(revision.message, "");
    assert_eq!(revision.up.sql, "");
    assert_eq!(revision.down.sql, "");
    assert_eq!(parse(&revision.render()).expect("round trip"), {
        let mut expected = revision.clone();
        expected.up.first_line = 7;
        expected.down.first_line = 9;
        expected
    });
}

#[test]
fn messages_with_line_breaks_render_on_one_line() {
    let mut revision = parse(DESIGN_EXAMPLE).expect("parse");
    revision.message = "two\nlines\r\nhere".into();
    let parsed = parse(&revision.render()).expect("parse");
    assert_eq!(parsed.message, "two lines  here");
}

#[test]
fn checksum_covers_the_sql_that_runs_and_nothing_else() {
    let base = parse(DESIGN_EXAMPLE).expect("parse");
    let mut message = base.clone();
    message.message = "reworded".into();
    message.parents = vec![];
    message.created = "2030-01-01T00:00:00Z".into();
    assert_eq!(message.checksum(), base.checksum());

    let mut sql = base.clone();
    sql.up.sql.push_str(" -- edited");
    assert_ne!(sql.checksum(), base.checksum());

    let mut flag = base.clone();
    flag.down.transactional = false;
    assert_ne!(flag.checksum(), base.checksum());

    // Moving text between the sections changes it too.
    let mut moved = base.clone();
    moved.up.sql = format!("{}\n{}", base.up.sql, base.down.sql);
    moved.down.sql = String::new();
    assert_ne!(moved.checksum(), base.checksum());

    let hex = base.checksum();
    assert_eq!(hex.len(), 64);
    assert!(
        hex.bytes()
            .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
    );
}

const HEADER: &str =
    "-- revision: 20261121103000\n-- parents:\n-- message: m\n-- created: 2026-11-21T10:30:00Z\n";

#[test]
fn missing_revision_header_is_blamed_on_line_1() {
    let text = "-- parents:\n-- message: m\n-- created: 2026-11-21T10:30:00Z\n-- migrate:up\n-- migrate:down\n";
    assert_eq!(failure(text), (1, ParseProblem::MissingHeader("revision")));
    let error = parse(text).expect_err("missing header");
    assert_eq!(
        error.to_string(),
        "migrations/x.sql:1: missing `-- revision:` header line"
    );
}

#[test]
fn missing_other_headers() {
    let without_parents = "-- revision: 20261121103000\n-- message: m\n-- created: 2026-11-21T10:30:00Z\n-- migrate:up\n-- migrate:down\n";
    assert_eq!(
        failure(without_parents),
        (1, ParseProblem::MissingHeader("parents"))
    );
    let without_created =
        "-- revision: 20261121103000\n-- parents:\n-- message: m\n-- migrate:up\n-- migrate:down\n";
    assert_eq!(
        failure(without_created),
        (1, ParseProblem::MissingHeader("created"))
    );
}

#[test]
fn unknown_header_key_is_blamed_on_its_line() {
    let text = "-- revision: 20261121103000\n-- parents:\n\n-- mesage: typo\n-- message: m\n-- created: 2026-11-21T10:30:00Z\n-- migrate:up\n-- migrate:down\n";
    assert_eq!(
        failure(text),
        (4, ParseProblem::UnknownHeader("mesage".into()))
    );
}

#[test]
fn anything_else_before_the_up_marker_is_an_error_at_its_line() {
    let comment = format!("{HEADER}-- just a comment\n-- migrate:up\n-- migrate:down\n");
    assert_eq!(failure(&comment), (5, ParseProblem::UnexpectedHeaderLine));
    let sql = format!("{HEADER}\nCREATE TABLE t ();\n-- migrate:up\n-- migrate:down\n");
    assert_eq!(failure(&sql), (6, ParseProblem::UnexpectedHeaderLine));
    let duplicate = format!("{HEADER}-- message: again\n-- migrate:up\n-- migrate:down\n");
    assert_eq!(
        failure(&duplicate),
        (5, ParseProblem::DuplicateHeader("message"))
    );
}

#[test]
fn header_values_are_checked_at_their_lines() {
    let bad_id = "-- revision: 2026-11-21\n-- parents:\n-- message: m\n-- created: 2026-11-21T10:30:00Z\n-- migrate:up\n-- migrate:down\n";
    assert_eq!(
        failure(bad_id),
        (1, ParseProblem::InvalidRevisionId("2026-11-21".into()))
    );
    let empty_parent = HEADER.replace("-- parents:", "-- parents: 20261120090000,");
    let empty_parent = format!("{empty_parent}-- migrate:up\n-- migrate:down\n");
    assert_eq!(failure(&empty_parent), (2, ParseProblem::EmptyParent));
    let self_parent = HEADER.replace("-- parents:", "-- parents: 20261121103000");
    let self_parent = format!("{self_parent}-- migrate:up\n-- migrate:down\n");
    assert_eq!(
        failure(&self_parent),
        (2, ParseProblem::SelfParent("20261121103000".into()))
    );
    let twice = HEADER.replace("-- parents:", "-- parents: 20261120090000, 20261120090000");
    let twice = format!("{twice}-- migrate:up\n-- migrate:down\n");
    assert_eq!(
        failure(&twice),
        (2, ParseProblem::DuplicateParent("20261120090000".into()))
    );
    let created = HEADER.replace("2026-11-21T10:30:00Z", "yesterday");
    let created = format!("{created}-- migrate:up\n-- migrate:down\n");
    assert_eq!(
        failure(&created),
        (4, ParseProblem::InvalidCreated("yesterday".into()))
    );
}

#[test]
fn down_before_up_is_blamed_on_the_down_marker() {
    let text =
        format!("{HEADER}\n-- migrate:down\nDROP TABLE t;\n-- migrate:up\nCREATE TABLE t ();\n");
    assert_eq!(failure(&text), (6, ParseProblem::DownBeforeUp));
}

#[test]
fn duplicate_sections_are_blamed_on_the_second_marker() {
    let up_twice = format!("{HEADER}-- migrate:up\nSELECT 1;\n-- migrate:up\n-- migrate:down\n");
    assert_eq!(
        failure(&up_twice),
        (7, ParseProblem::DuplicateSection("up"))
    );
    let down_twice =
        format!("{HEADER}-- migrate:up\n-- migrate:down\nSELECT 1;\n\n-- migrate:down\n");
    assert_eq!(
        failure(&down_twice),
        (9, ParseProblem::DuplicateSection("down"))
    );
}

#[test]
fn missing_sections() {
    let no_down = format!("{HEADER}\n-- migrate:up\nSELECT 1;\n");
    assert_eq!(failure(&no_down), (6, ParseProblem::MissingDown));
    let no_sections = format!("{HEADER}\n");
    assert_eq!(failure(&no_sections), (5, ParseProblem::MissingUp));
    assert_eq!(failure(""), (1, ParseProblem::MissingHeader("revision")));
}

#[test]
fn bad_section_markers() {
    let flag = format!("{HEADER}-- migrate:up transaction:no\n-- migrate:down\n");
    assert_eq!(
        failure(&flag),
        (5, ParseProblem::BadSectionOption("transaction:no".into()))
    );
    let extra = format!("{HEADER}-- migrate:up\n-- migrate:down transaction:false lock:none\n");
    assert_eq!(
        failure(&extra),
        (6, ParseProblem::BadSectionOption("lock:none".into()))
    );
    let name = format!("{HEADER}-- migrate:up\n-- migrate:sideways\n-- migrate:down\n");
    assert_eq!(
        failure(&name),
        (6, ParseProblem::UnknownSection("sideways".into()))
    );
    // `-- migrate: words` is a plain comment inside a section.
    let comment = format!("{HEADER}-- migrate:up\n-- migrate: later\n-- migrate:down\n");
    assert_eq!(parse(&comment).expect("parse").up.sql, "-- migrate: later");
    let explicit =
        format!("{HEADER}-- migrate:up transaction:true\n-- migrate:down transaction:false\n");
    let revision = parse(&explicit).expect("parse");
    assert!(revision.up.transactional);
    assert!(!revision.down.transactional);
}

#[test]
fn crlf_files_and_a_byte_order_mark_parse() {
    let text = format!("\u{feff}{}", DESIGN_EXAMPLE.replace('\n', "\r\n"));
    let revision = parse(&text).expect("parse");
    assert_eq!(revision, parse(DESIGN_EXAMPLE).expect("parse"));
}

#[test]
fn errors_are_one_line_and_start_with_the_location() {
    let text = format!("{HEADER}-- migrate:up\nSELECT 1;\n-- migrate:up\n-- migrate:down\n");
    let message = parse(&text).expect_err("duplicate").to_string();
    assert!(message.starts_with("migrations/x.sql:7: "), "{message}");
    assert!(!message.contains('\n'));
}

/// Lines that steer the parser into its interesting corners.
fn line_strategy() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("-- revision: 20261121103000".to_owned()),
        Just("-- parents: 20261120090000, 20261121103000".to_owned()),
        Just("-- parents:".to_owned()),
        Just("-- message: m".to_owned()),
        Just("-- created: 2026-11-21T10:30:00Z".to_owned()),
        Just("-- migrate:up".to_owned()),
        Just("-- migrate:down transaction:false".to_owned()),
        Just("-- migrate:".to_owned()),
        Just(String::new()),
        "[-a-z: ,0-9$'\"/*;\u{e9}\u{feff}\r]{0,30}",
        any::<String>(),
    ]
}

// Cases: proptest's default (256), or `PROPTEST_CASES` for a long run.
proptest! {

    #[test]
    fn parse_never_panics_on_arbitrary_text(text in any::<String>()) {
        let _ = parse(&text);
    }

    #[test]
    fn parse_never_panics_on_near_miss_files(lines in prop::collection::vec(line_strategy(), 0..14)) {
        let text = lines.join("\n");
        if let Err(error) = parse(&text) {
            let message = error.to_string();
            prop_assert!(!message.contains('\n'), "{}", message);
        }
    }

    #[test]
    fn rendered_revisions_parse_back(
        message in "[ -~]{0,40}",
        up in prop::collection::vec("[a-zA-Z0-9 ;'()$]{0,20}", 0..5),
        down in prop::collection::vec("[a-zA-Z0-9 ;'()$]{0,20}", 0..5),
        up_transactional in any::<bool>(),
        down_transactional in any::<bool>(),
    ) {
        let revision = Revision {
            id: "20261121103000".into(),
            parents: vec!["20261120090000".into()],
            message: message.trim().to_owned(),
            created: "2026-11-21T10:30:00Z".into(),
            origin: None,
            phase: None,
            up: Section::new(up_transactional, &up.join("\n")),
            down: Section::new(down_transactional, &down.join("\n")),
        };
        let mut parsed = parse(&revision.render()).expect("parse rendered");
        parsed.up.first_line = 0;
        parsed.down.first_line = 0;
        prop_assert_eq!(parsed, revision);
    }
}

#[test]
fn origin_header_round_trips_and_is_not_checksummed() {
    let text = "-- revision: 00000000000001\n-- parents:\n-- message: create users\n\
                -- created: 2026-11-21T10:30:00Z\n-- origin: sqlx migrations/1_create_users.up.sql\n\n\
                -- migrate:up\nCREATE TABLE users (id int);\n\n-- migrate:down\nDROP TABLE users;\n";
    let parsed = parse(text).expect("parse with origin");
    assert_eq!(
        parsed.origin.as_deref(),
        Some("sqlx migrations/1_create_users.up.sql")
    );
    let mut without = parsed.clone();
    without.origin = None;
    assert_eq!(parsed.checksum(), without.checksum());
    let again = parse(&parsed.render()).expect("parse rendered");
    assert_eq!(again.origin, parsed.origin);
}

const WITH_PHASE: &str = "-- revision: 20261121103000\n-- parents: 20261120090000\n\
                          -- message: add email, phase two\n-- created: 2026-11-21T10:30:00Z\n\
                          -- phase: contract\n\n-- migrate:up\nALTER TABLE t DROP COLUMN a;\n\n\
                          -- migrate:down\nALTER TABLE t ADD COLUMN a integer;\n";

#[test]
fn phase_header_parses_renders_back_and_is_not_checksummed() {
    let parsed = parse(WITH_PHASE).expect("parse with phase");
    assert_eq!(parsed.phase, Some(RevisionPhase::Contract));
    assert_eq!(parsed.render(), WITH_PHASE);
    let mut without = parsed.clone();
    without.phase = None;
    assert_eq!(parsed.checksum(), without.checksum());
    assert!(!without.render().contains("-- phase:"));
    let expand = parse(&WITH_PHASE.replace("phase: contract", "phase: expand")).expect("expand");
    assert_eq!(expand.phase, Some(RevisionPhase::Expand));
}

#[test]
fn phase_header_values_are_strict_and_blamed_on_their_line() {
    for wrong in ["Expand", "contracts", "", "expand contract"] {
        let text = WITH_PHASE.replace("-- phase: contract", &format!("-- phase: {wrong}"));
        assert_eq!(
            failure(&text),
            (5, ParseProblem::InvalidPhase(wrong.to_owned())),
            "{wrong:?}"
        );
    }
    let twice = WITH_PHASE.replace("-- phase: contract", "-- phase: contract\n-- phase: expand");
    assert_eq!(failure(&twice), (6, ParseProblem::DuplicateHeader("phase")));
}
