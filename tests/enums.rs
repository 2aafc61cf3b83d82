//! Enum evolution end to end, with data in the columns: a type renamed (`renamed_from` on the
//! `DbEnum`), a value renamed (`renamed_from` on a variant), a value added and used by a
//! default in the same revision (so its `up` runs outside a transaction), and the way back.

mod common;

use common::project::{Project, query, runtime, with_db};

const MODELS_V1: &str = r#"
use autogen::{DbEnum, Model};

#[derive(DbEnum)]
#[model(type_name = "mood")]
pub enum Mood { Happy, Sad }

#[derive(Model)]
#[model(table = "people")]
#[model(check(name = "people_sad_check", expr = "mood <> 'sad' OR id > 0"))]
pub struct Person {
    #[model(primary_key)]
    pub id: i64,
    #[model(default = "'happy'")]
    pub mood: Mood,
}
"#;

/// The type renamed, `sad` renamed to `unhappy`, and `meh` added and made the default.
const MODELS_V2: &str = r#"
use autogen::{DbEnum, Model};

#[derive(DbEnum)]
#[model(type_name = "feeling", renamed_from = "mood")]
pub enum Feeling { Happy, #[model(renamed_from = "sad")] Unhappy, Meh }

#[derive(Model)]
#[model(table = "people")]
#[model(check(name = "people_sad_check", expr = "mood <> 'unhappy' OR id > 0"))]
pub struct Person {
    #[model(primary_key)]
    pub id: i64,
    #[model(default = "'meh'")]
    pub mood: Feeling,
}
"#;

#[test]
fn enum_renames_and_a_used_new_value_round_trip_with_data() {
    let project = Project::new();
    let database = runtime().block_on(autogen_testkit::fresh_database());
    let url = autogen_testkit::url(&database);

    project.write_models(MODELS_V1);
    project.expect(0, &["revision", "-m", "people"]);
    project.expect(0, &with_db(&url, &["upgrade"]));
    query(
        &url,
        "INSERT INTO public.people (id, mood) VALUES (1, 'happy'), (2, 'sad')",
    );

    project.write_models(MODELS_V2);
    let path = project.expect(0, &["revision", "-m", "feelings"]);
    let revision = std::fs::read_to_string(path.trim_end()).expect("second revision");
    for expected in [
        "-- migrate:up transaction:false",
        "ALTER TYPE \"public\".\"mood\" RENAME TO \"feeling\";",
        "ALTER TYPE \"public\".\"feeling\" RENAME VALUE 'sad' TO 'unhappy';",
        "ALTER TYPE \"public\".\"feeling\" ADD VALUE 'meh' AFTER 'unhappy';",
        "SET DEFAULT 'meh'::public.feeling;",
        "ALTER TYPE \"public\".\"feeling\" RENAME TO \"mood\";",
        "ALTER TYPE \"public\".\"mood\" RENAME VALUE 'unhappy' TO 'sad';",
    ] {
        assert!(
            revision.contains(expected),
            "missing {expected:?} in\n{revision}"
        );
    }
    // Nothing is re-created on the way up: the rows keep their values, relabeled.
    assert!(
        !revision.contains("RENAME TO \"feeling_autogen_old\""),
        "{revision}"
    );

    project.expect(0, &with_db(&url, &["upgrade"]));
    project.expect(0, &with_db(&url, &["check"]));
    assert_eq!(
        query(&url, "SELECT mood::text FROM public.people ORDER BY id"),
        ["happy", "unhappy"]
    );
    assert_eq!(
        query(
            &url,
            "SELECT pg_typeof(mood)::text FROM public.people LIMIT 1"
        ),
        ["feeling"]
    );
    // The new value is the default and is usable.
    query(&url, "INSERT INTO public.people (id) VALUES (3)");
    assert_eq!(
        query(&url, "SELECT mood::text FROM public.people WHERE id = 3"),
        ["meh"]
    );

    // Down removes `meh` (the type is re-created): a row holding it fails the conversion, and
    // the revision's transaction leaves everything as it was.
    let refused = project.run(&with_db(&url, &["downgrade", "-1"]));
    assert_eq!(refused.status.code(), Some(2));
    assert!(
        common::stderr(&refused).contains("invalid input value for enum"),
        "{}",
        common::stderr(&refused)
    );
    assert_eq!(
        query(&url, "SELECT mood::text FROM public.people ORDER BY id"),
        ["happy", "unhappy", "meh"]
    );
    project.expect(0, &with_db(&url, &["check"]));
    query(&url, "DELETE FROM public.people WHERE id = 3");
    project.expect(0, &with_db(&url, &["downgrade", "-1"]));
    assert_eq!(
        query(&url, "SELECT mood::text FROM public.people ORDER BY id"),
        ["happy", "sad"]
    );
    assert_eq!(
        query(
            &url,
            "SELECT pg_typeof(mood)::text FROM public.people LIMIT 1"
        ),
        ["mood"]
    );

    // And up again, on the same data.
    project.expect(0, &with_db(&url, &["upgrade"]));
    project.expect(0, &with_db(&url, &["check"]));
    assert_eq!(
        query(&url, "SELECT mood::text FROM public.people ORDER BY id"),
        ["happy", "unhappy"]
    );
}

const MODELS_WITH_ARCHIVED: &str = r#"
use autogen::{DbEnum, Model};

#[derive(DbEnum)]
#[model(type_name = "status")]
pub enum Status { Draft, Published, Archived }

#[derive(Model)]
#[model(table = "posts")]
pub struct Post {
    #[model(primary_key)]
    pub id: i64,
    pub state: Status,
}
"#;

/// A view (declared in the project's SQL files) uses the enum type and a column of it;
/// removing a value re-creates the type, and the view is dropped and created again around it.
#[test]
fn removing_an_enum_value_keeps_the_views_that_use_the_type() {
    let project = Project::new();
    let database = runtime().block_on(autogen_testkit::fresh_database());
    let url = autogen_testkit::url(&database);

    project.write_models(MODELS_WITH_ARCHIVED);
    project.enable_sql_declarations();
    project.write_file(
        "sql/views.sql",
        "CREATE VIEW public.visible_posts AS SELECT id, state FROM public.posts\n  WHERE state = 'published'::public.status;\n",
    );
    let first = project.expect(0, &["revision", "-m", "posts"]);
    let first = std::fs::read_to_string(first.trim_end()).expect("revision");
    assert!(
        first.contains("CREATE VIEW \"public\".\"visible_posts\" AS"),
        "the declared view is created:\n{first}"
    );
    project.expect(0, &with_db(&url, &["upgrade"]));
    query(
        &url,
        "INSERT INTO public.posts VALUES (1, 'draft'), (2, 'published')",
    );

    project.write_models(&MODELS_WITH_ARCHIVED.replace(", Archived", ""));
    let path = project.expect(0, &["revision", "-m", "no archive"]);
    let revision = std::fs::read_to_string(path.trim_end()).expect("revision");
    for expected in [
        "DROP VIEW \"public\".\"visible_posts\";",
        "CREATE VIEW \"public\".\"visible_posts\" AS",
        "RENAME TO \"status_autogen_old\"",
    ] {
        assert!(
            revision.contains(expected),
            "missing {expected:?} in\n{revision}"
        );
    }
    project.expect(0, &with_db(&url, &["upgrade"]));
    project.expect(0, &with_db(&url, &["check"]));
    assert_eq!(
        query(&url, "SELECT id::text FROM public.visible_posts"),
        ["2"]
    );
    assert_eq!(
        query(
            &url,
            "SELECT string_agg(enumlabel, ',' ORDER BY enumsortorder) FROM pg_enum \
             WHERE enumtypid = 'public.status'::regtype"
        ),
        ["draft,published"]
    );

    project.expect(0, &with_db(&url, &["downgrade", "-1"]));
    assert_eq!(
        query(&url, "SELECT id::text FROM public.visible_posts"),
        ["2"]
    );
    project.expect(0, &with_db(&url, &["upgrade"]));
    project.expect(0, &with_db(&url, &["check"]));
}
