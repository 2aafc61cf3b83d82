//! Machine-readable output end to end: `--format json` of check, lint, history, current,
//! heads, upgrade and downgrade against the examples of docs/json.md (insta snapshots, with
//! what varies between runs — the database URL, durations — redacted), and `--format github`
//! against GitHub's workflow command syntax and escaping.

mod common;

use common::project::{Project, fresh_database, with_db};

const ACCOUNTS: &str = r#"
use autogen::Model;

#[derive(Model)]
#[model(table = "accounts")]
pub struct Account {
    #[model(primary_key)]
    pub id: i64,
}
"#;

const FIRST: &str = "20260101000000";
const SECOND: &str = "20260102000000";

/// Revision 1 creates `accounts` with a `legacy` column the models no longer have; revision 2
/// drops a scratch table on the way (data-loss) and runs a DO block autogen cannot classify.
fn project() -> Project {
    let project = Project::new();
    project.write_models(ACCOUNTS);
    project.write_revision(
        FIRST,
        &[],
        "CREATE TABLE accounts (id bigint PRIMARY KEY, legacy text);",
        "DROP TABLE accounts;",
    );
    project.write_revision(
        SECOND,
        &[FIRST],
        "CREATE TABLE scratch (id integer);\nDROP TABLE scratch;\nDO $$ BEGIN PERFORM 1; END $$;",
        "",
    );
    project
}

/// Parses stdout as one JSON object with `format_version` 1.
fn document(stdout: &str) -> serde_json::Value {
    let value: serde_json::Value = serde_json::from_str(stdout)
        .unwrap_or_else(|error| panic!("stdout is one JSON document ({error}):\n{stdout}"));
    assert_eq!(value["format_version"], 1, "{stdout}");
    value
}

/// `value` with what varies between runs replaced by `"[field]"`: each path is dot-separated
/// keys, `*` standing for every element of an array. (insta's redactions need a feature the
/// workspace does not build.)
fn redact(mut value: serde_json::Value, paths: &[&str]) -> serde_json::Value {
    fn walk(value: &mut serde_json::Value, keys: &[&str]) {
        match keys {
            [] => {}
            ["*", rest @ ..] => {
                for item in value.as_array_mut().into_iter().flatten() {
                    walk(item, rest);
                }
            }
            [last] => {
                if let Some(field) = value.get_mut(*last) {
                    *field = serde_json::Value::String(format!("[{last}]"));
                }
            }
            [key, rest @ ..] => {
                if let Some(inner) = value.get_mut(*key) {
                    walk(inner, rest);
                }
            }
        }
    }
    for path in paths {
        walk(&mut value, &path.split('.').collect::<Vec<_>>());
    }
    value
}

#[test]
fn lint_json() {
    let project = project();
    let out = project.expect(1, &["lint", "--deny", "data-loss", "--format", "json"]);
    insta::assert_json_snapshot!("lint", document(&out));
}

#[test]
fn history_current_heads_json() {
    let project = project();
    let (_database, url) = fresh_database();
    project.expect(0, &with_db(&url, &["upgrade", FIRST]));

    let out = project.expect(0, &with_db(&url, &["history", "--format", "json"]));
    insta::assert_json_snapshot!("history", document(&out));

    let out = project.expect(0, &with_db(&url, &["current", "--format", "json"]));
    insta::assert_json_snapshot!("current", redact(document(&out), &["database"]));

    // No database needed.
    let out = project.expect(0, &["heads", "--format", "json"]);
    insta::assert_json_snapshot!("heads", document(&out));
    let out = project.expect(0, &["history", "--format", "json"]);
    let history = document(&out);
    assert!(history["current"].is_null(), "{out}");
    assert!(history["revisions"][0]["applied"].is_null(), "{out}");
}

#[test]
fn upgrade_and_downgrade_json() {
    let project = project();
    let (_database, url) = fresh_database();
    let redactions = |name: &str, out: &str| {
        insta::assert_json_snapshot!(
            name,
            redact(document(out), &["database", "ran.*.duration_ms"])
        );
    };
    let out = project.expect(0, &with_db(&url, &["upgrade", "--format", "json"]));
    redactions("upgrade", &out);
    let out = project.expect(
        0,
        &with_db(
            &url,
            &["downgrade", "-2", "--allow-data-loss", "--format", "json"],
        ),
    );
    redactions("downgrade", &out);

    // Nothing to do is still one document.
    let out = project.expect(
        0,
        &with_db(&url, &["downgrade", "base", "--format", "json"]),
    );
    assert_eq!(document(&out)["ran"], serde_json::json!([]), "{out}");

    // --sql prints SQL: JSON is refused before anything is written.
    for args in [
        &["upgrade", "--sql", "--format", "json"][..],
        &["downgrade", "--sql", "head:base", "--format", "json"][..],
    ] {
        let (out, err) = project.expect_both(2, args);
        assert_eq!(out, "", "{args:?}");
        assert!(
            err.contains("--format json does not apply to --sql"),
            "{err}"
        );
    }
}

#[test]
fn check_json() {
    let project = project();
    let (_database, url) = fresh_database();
    project.expect(0, &with_db(&url, &["upgrade", FIRST]));
    let out = project.expect(
        1,
        &with_db(&url, &["check", "--deny", "data-loss", "--format", "json"]),
    );
    insta::assert_json_snapshot!(
        "check",
        redact(document(&out), &["compared.database", "database.url"])
    );

    // An error (no such database) is on stderr only: stdout never holds partial JSON.
    let missing = url.replacen("/autogen_tmp", "/no_such_autogen_tmp", 1);
    assert_ne!(missing, url);
    let (out, _) = project.expect_both(2, &with_db(&missing, &["check", "--format", "json"]));
    assert_eq!(out, "");
}

#[test]
fn check_json_clean() {
    let project = Project::new();
    project.write_models(ACCOUNTS);
    project.write_revision(
        FIRST,
        &[],
        "CREATE TABLE accounts (id bigint PRIMARY KEY);",
        "DROP TABLE accounts;",
    );
    let out = project.expect(0, &["check", "--format", "json"]);
    let report = document(&out);
    assert_eq!(report["clean"], true, "{out}");
    assert!(report["new_revision"].is_null(), "{out}");
    assert!(report["database"].is_null(), "{out}");
}

/// Whether `line` is a workflow command as GitHub documents it; the equivalent of the regex
/// `^::(error|warning) (file=[^,:\r\n]+,line=[0-9]+,)?title=[^,:\r\n]*::[^\r\n]*$`: property
/// values escape `:` and `,` (so neither appears unescaped inside one), and no value holds a
/// raw CR or LF.
fn is_annotation(line: &str) -> bool {
    let Some(rest) = line
        .strip_prefix("::error ")
        .or_else(|| line.strip_prefix("::warning "))
    else {
        return false;
    };
    let Some((properties, message)) = rest.split_once("::") else {
        return false;
    };
    if message.contains(['\r', '\n']) {
        return false;
    }
    let properties: Vec<&str> = properties.split(',').collect();
    let valid_value = |value: &str| !value.contains([':', '\r', '\n']);
    match properties.as_slice() {
        [title] => title.strip_prefix("title=").is_some_and(valid_value),
        [file, line, title] => {
            file.strip_prefix("file=")
                .is_some_and(|file| !file.is_empty() && valid_value(file))
                && line.strip_prefix("line=").is_some_and(|line| {
                    !line.is_empty() && line.chars().all(|c| c.is_ascii_digit())
                })
                && title.strip_prefix("title=").is_some_and(valid_value)
        }
        _ => false,
    }
}

#[test]
fn github_annotations() {
    let project = project();
    // A statement autogen cannot classify whose text needs every escape.
    project.write_revision(
        "20260103000000",
        &[SECOND],
        "DO $$ BEGIN RAISE NOTICE '100%%: a, b';\nEND $$;",
        "",
    );
    let (out, _) = project.expect_both(1, &["lint", "--deny", "data-loss", "--format", "github"]);
    let lines: Vec<&str> = out.lines().collect();
    assert!(!lines.is_empty());
    for line in &lines {
        assert!(is_annotation(line), "not an annotation: {line}");
    }
    assert!(
        lines.contains(
            &"::error file=migrations/20260102000000_hand_written.sql,line=8,title=denied hazard (up)%3A data-loss::DROP TABLE scratch;"
        ),
        "{out}"
    );
    // The two lines docs/json.md shows.
    assert!(
        lines.contains(
            &"::warning file=migrations/20260102000000_hand_written.sql,line=9,title=cannot classify (up)::DO $$ BEGIN PERFORM 1; END $$;"
        ),
        "{out}"
    );
    assert!(
        lines.contains(
            &"::warning file=migrations/20260103000000_hand_written.sql,line=7,title=cannot classify (up)::DO $$ BEGIN RAISE NOTICE '100%25%25: a, b';%0AEND $$;"
        ),
        "{out}"
    );

    // check: the missing revision at the model line of its table (the column is gone from
    // the models: the struct's line) and the denied statement of a pending revision at its
    // line.
    let (_database, url) = fresh_database();
    project.expect(0, &with_db(&url, &["upgrade", FIRST]));
    let out = project.expect(
        1,
        &with_db(
            &url,
            &["check", "--deny", "data-loss", "--format", "github"],
        ),
    );
    for line in out.lines() {
        assert!(is_annotation(line), "not an annotation: {line}");
    }
    assert!(
        out.contains("::error file=models/app.rs,line=6,title=autogen%3A a new revision is needed::the models differ from the revisions: drop column public.accounts.legacy"),
        "{out}"
    );
    assert!(
        out.contains("::error file=migrations/20260102000000_hand_written.sql,line=8,title=denied hazard%3A data-loss::DROP TABLE scratch;"),
        "{out}"
    );
    assert!(
        out.contains("::error title=autogen%3A database not at head::"),
        "{out}"
    );
}

/// docs/json.md shows each snapshot as its example: the documented fields are the output's.
#[test]
fn the_documented_examples_are_the_snapshots() {
    let docs = std::fs::read_to_string(common::workspace().join("docs/json.md")).expect("docs");
    for name in [
        "check",
        "lint",
        "history",
        "current",
        "heads",
        "upgrade",
        "downgrade",
    ] {
        let path = common::workspace().join(format!("tests/snapshots/json__{name}.snap"));
        let snapshot = std::fs::read_to_string(&path).expect("snapshot");
        let body = snapshot
            .splitn(3, "---\n")
            .nth(2)
            .expect("an insta header")
            .trim_end();
        assert!(
            docs.contains(&format!("```json\n{body}\n```")),
            "docs/json.md lacks the example of {name}"
        );
    }
}

#[test]
fn the_annotation_matcher_rejects_what_github_would_misread() {
    assert!(is_annotation("::warning title=t::m"));
    assert!(is_annotation(
        "::error file=a/b.sql,line=3,title=x%3A y::100%25"
    ));
    assert!(!is_annotation("::error file=a.sql,line=3,title=x: y::m"));
    assert!(!is_annotation("::notice title=t::m"));
    assert!(!is_annotation("::error file=a,b.sql,line=3,title=t::m"));
}
