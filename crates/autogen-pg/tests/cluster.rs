//! DevCluster / DevServer / TempDatabase against real PostgreSQL started from the system binaries.

use std::path::Path;

use autogen_pg::{ClusterOptions, ConnectionSpec, DevCluster, DevServer, PgError, find_binaries};

fn start_cluster() -> DevCluster {
    DevCluster::start().unwrap_or_else(|e| panic!("could not start a dev cluster: {e}"))
}

async fn database_names(cluster_or_spec: &ConnectionSpec) -> Vec<String> {
    let client = cluster_or_spec.connect().await.expect("admin connection");
    client
        .query("SELECT datname FROM pg_database", &[])
        .await
        .expect("list databases")
        .iter()
        .map(|row| row.get(0))
        .collect()
}

#[test]
fn finds_the_installed_binaries() {
    let binaries = find_binaries().expect("PostgreSQL binaries");
    assert!(binaries.bindir.join("initdb").is_file());
    assert!(binaries.bindir.join("postgres").is_file());
    assert!(binaries.major >= 12, "{binaries:?}");
    assert!(binaries.version.starts_with(&binaries.major.to_string()));
}

#[test]
fn explicit_bin_dir_that_is_empty_is_an_error() {
    let empty = tempfile::tempdir().expect("tempdir");
    let text = empty.path().to_string_lossy().into_owned();
    let err =
        autogen_pg::find_binaries_with_env(&|key| (key == "AUTOGEN_PG_BIN").then(|| text.clone()))
            .expect_err("empty AUTOGEN_PG_BIN must not fall through");
    let message = err.to_string();
    assert!(
        message.starts_with(&format!("AUTOGEN_PG_BIN={text} ")),
        "{message}"
    );
}

#[tokio::test]
async fn cluster_starts_serves_and_cleans_up() {
    let cluster = start_cluster();
    let dir = cluster.socket_dir().to_path_buf();
    let pid = cluster.pid().expect("running postmaster");
    assert!(dir.join("data/PG_VERSION").is_file());
    assert!(dir.join(".s.PGSQL.5432").exists());

    let spec = cluster.connection("postgres");
    assert_eq!(spec.user(), "postgres");
    let client = spec.connect().await.expect("connect over the socket");
    let row = client
        .query_one(
            "SELECT current_setting('server_encoding'), current_setting('lc_collate'), current_setting('fsync')",
            &[],
        )
        .await
        .expect("query");
    let (encoding, collate, fsync): (String, String, String) = (row.get(0), row.get(1), row.get(2));
    assert_eq!(
        (encoding.as_str(), collate.as_str(), fsync.as_str()),
        ("UTF8", "C", "off")
    );
    let version: String = client
        .query_one("SHOW server_version", &[])
        .await
        .expect("version")
        .get(0);
    assert!(
        version.starts_with(&cluster.binaries().version),
        "{version}"
    );

    drop(client);
    drop(cluster);
    assert!(!dir.exists(), "{} must be removed", dir.display());
    assert!(
        !Path::new(&format!("/proc/{pid}")).exists(),
        "postmaster {pid} must be gone"
    );
}

#[test]
fn shutdown_is_idempotent_and_keeps_drop_safe() {
    let cluster = start_cluster();
    let dir = cluster.socket_dir().to_path_buf();
    cluster.shutdown();
    assert!(!dir.exists());
    assert_eq!(cluster.pid(), None);
    cluster.shutdown();
    drop(cluster);
}

#[test]
fn clusters_started_from_short_lived_threads_keep_running() {
    // The server belongs to the process, not to the thread that started it: the cluster must
    // outlive its starting thread.
    let cluster = std::thread::spawn(start_cluster)
        .join()
        .expect("start thread");
    std::thread::sleep(std::time::Duration::from_millis(200));
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        let client = cluster
            .connection("postgres")
            .connect()
            .await
            .expect("cluster still up after its starting thread ended");
        client.simple_query("SELECT 1").await.expect("query");
    });
}

#[tokio::test]
async fn temp_databases_are_created_and_dropped() {
    let server = DevServer::start(None).await.expect("dev server");
    assert!(
        server.describe().starts_with("ephemeral PostgreSQL "),
        "{}",
        server.describe()
    );
    let admin = server.admin_connection();

    let first = server.create_database().await.expect("create");
    let second = server.create_database().await.expect("create");
    assert_ne!(first.name(), second.name());
    assert!(first.name().starts_with("autogen_tmp_"));
    assert_eq!(first.connection().database(), first.name());

    let client = first.connect().await.expect("connect to temp db");
    client
        .batch_execute("CREATE TABLE t (id int PRIMARY KEY)")
        .await
        .expect("ddl");
    let names = database_names(&admin).await;
    assert!(names.iter().any(|n| n == first.name()));
    assert!(names.iter().any(|n| n == second.name()));

    // Dropping works even with a session still open (WITH (FORCE)).
    let first_name = first.name().to_owned();
    first.drop_database().await.expect("drop");
    // Plain Drop drops too.
    let second_name = second.name().to_owned();
    drop(second);
    let names = database_names(&admin).await;
    assert!(!names.contains(&first_name), "{names:?}");
    assert!(!names.contains(&second_name), "{names:?}");
    drop(client);
}

#[tokio::test]
async fn external_dev_url_server() {
    let cluster = start_cluster();
    let url = format!(
        "postgres://postgres@/postgres?host={}&port=5432",
        cluster.socket_dir().display()
    );
    let server = DevServer::start(Some(&url))
        .await
        .expect("external dev server");
    assert_eq!(server.describe(), url);
    let temp = server.create_database().await.expect("create");
    let name = temp.name().to_owned();
    temp.connect()
        .await
        .expect("connect")
        .simple_query("SELECT 1")
        .await
        .expect("query");
    assert!(
        database_names(&cluster.connection("postgres"))
            .await
            .contains(&name)
    );
    // An external server gets its garbage collected on Drop.
    drop(temp);
    assert!(
        !database_names(&cluster.connection("postgres"))
            .await
            .contains(&name)
    );
}

#[tokio::test]
async fn missing_database_is_named() {
    let cluster = start_cluster();
    let err = cluster
        .connection("no_such_db")
        .connect()
        .await
        .expect_err("database does not exist");
    assert!(matches!(err, PgError::DatabaseNotFound { .. }), "{err:?}");
    let message = err.to_string();
    assert!(
        message.contains("database \"no_such_db\" does not exist"),
        "{message}"
    );
    assert!(
        message.contains(&cluster.socket_dir().display().to_string()),
        "{message}"
    );
}

#[tokio::test]
async fn refused_connection_names_the_target_and_hides_the_password() {
    let spec =
        ConnectionSpec::parse("postgres://alice:Very-Secret-9@127.0.0.1:1/app?sslmode=disable")
            .expect("parses");
    let err = spec.connect().await.expect_err("nothing listens on port 1");
    assert!(matches!(err, PgError::ConnectionRefused { .. }), "{err:?}");
    let message = err.to_string();
    assert_eq!(
        message,
        "could not connect to postgres://alice:***@127.0.0.1:1/app?sslmode=disable: connection refused; is the server running on 127.0.0.1:1?"
    );
    assert!(!format!("{err:?}").contains("Very-Secret-9"));

    // Same with sslmode=prefer (the TLS attempt must not hide the real cause).
    let spec =
        ConnectionSpec::parse("postgres://alice:Very-Secret-9@127.0.0.1:1/app").expect("parses");
    let err = spec.connect().await.expect_err("refused");
    assert!(matches!(err, PgError::ConnectionRefused { .. }), "{err:?}");
}

#[tokio::test]
async fn missing_socket_is_reported() {
    let dir = tempfile::tempdir().expect("tempdir");
    let spec = ConnectionSpec::unix_socket(dir.path(), 5432, "postgres", "postgres");
    let err = spec.connect().await.expect_err("no server there");
    assert!(matches!(err, PgError::SocketNotFound { .. }), "{err:?}");
    assert!(err.to_string().contains(".s.PGSQL.5432"), "{err}");
}

#[tokio::test]
async fn bad_url_is_a_clear_error() {
    let err = match DevServer::start(Some("postgres://u:pw@h:notaport/db")).await {
        Ok(_) => panic!("bad URL accepted"),
        Err(e) => e,
    };
    assert!(matches!(err, PgError::InvalidUrl { .. }), "{err:?}");
    assert_eq!(
        err.to_string(),
        "invalid connection URL: the port must be a number from 1 to 65535"
    );
    let err = match DevServer::start(Some("postgres://h/db?colour=blue")).await {
        Ok(_) => panic!("unknown parameter accepted"),
        Err(e) => e,
    };
    assert!(
        err.to_string().contains("unknown parameter `colour`"),
        "{err}"
    );
}

#[tokio::test]
async fn authentication_failures_are_explained_without_the_password() {
    let binaries = find_binaries().expect("binaries");
    let options = ClusterOptions {
        data_files: vec![(
            "test_hba.conf".to_owned(),
            b"local all postgres trust\nlocal all all scram-sha-256\n".to_vec(),
        )],
        settings: vec![("hba_file".to_owned(), "test_hba.conf".to_owned())],
        ..ClusterOptions::default()
    };
    let cluster = DevCluster::start_with_options(&binaries, &options).expect("cluster");
    let admin = cluster
        .connection("postgres")
        .connect()
        .await
        .expect("admin");
    admin
        .batch_execute("CREATE ROLE alice LOGIN PASSWORD 'right-password'")
        .await
        .expect("create role");

    let dir = cluster.socket_dir().display().to_string();
    let url =
        |password: &str| format!("postgres://alice:{password}@/postgres?host={dir}&port=5432");
    let no_pgpass = |key: &str| (key == "PGPASSFILE").then(|| "/nonexistent".to_owned());

    let good = ConnectionSpec::parse_with_env(&url("right-password"), &no_pgpass).expect("parses");
    good.connect().await.expect("right password works");

    let bad = ConnectionSpec::parse_with_env(&url("Wrong-Passw0rd"), &no_pgpass).expect("parses");
    let err = bad.connect().await.expect_err("wrong password");
    assert!(
        matches!(err, PgError::AuthenticationFailed { .. }),
        "{err:?}"
    );
    let message = err.to_string();
    assert!(
        message.contains("password authentication failed for user \"alice\""),
        "{message}"
    );
    assert!(!message.contains("Wrong-Passw0rd"), "{message}");
    assert!(!format!("{err:?}").contains("Wrong-Passw0rd"));

    let missing = ConnectionSpec::parse_with_env(
        &format!("postgres://alice@/postgres?host={dir}&port=5432"),
        &no_pgpass,
    )
    .expect("parses");
    let err = missing.connect().await.expect_err("no password");
    assert!(
        matches!(err, PgError::AuthenticationFailed { .. }),
        "{err:?}"
    );
    assert!(err.to_string().contains("none was given"), "{err}");
}

#[tokio::test]
async fn connect_timeout_applies() {
    // A listener that never answers the startup packet.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let spec = ConnectionSpec::parse(&format!(
        "postgres://u:pw@127.0.0.1:{port}/db?sslmode=disable&connect_timeout=2"
    ))
    .expect("parses");
    let err = spec.connect().await.expect_err("silent server");
    assert!(matches!(err, PgError::ConnectTimeout { .. }), "{err:?}");
    assert!(
        err.to_string().contains(&format!("127.0.0.1:{port}")),
        "{err}"
    );
    drop(listener);
}

/// Set in the child process of `killed_owner_takes_the_server_down_and_the_next_start_cleans_up`.
const VICTIM_VAR: &str = "AUTOGEN_PG_TEST_VICTIM";

/// True when `pid` no longer runs (gone, or a zombie nobody reaped yet).
fn process_gone(pid: &str) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Err(_) => true,
        Ok(stat) => stat
            .rsplit_once(')')
            .is_some_and(|(_, rest)| rest.trim_start().starts_with('Z')),
    }
}

#[test]
fn killed_owner_takes_the_server_down_and_the_next_start_cleans_up() {
    use std::io::BufRead;
    use std::process::{Command, Stdio};
    use std::time::{Duration, Instant};

    if std::env::var_os(VICTIM_VAR).is_some() {
        // The child: start a cluster, say where, and wait to be killed.
        let cluster = start_cluster();
        println!("SOCKET_DIR={}", cluster.socket_dir().display());
        std::thread::sleep(Duration::from_secs(60));
        return;
    }

    let mut child = Command::new(std::env::current_exe().expect("test binary"))
        .args([
            "--exact",
            "killed_owner_takes_the_server_down_and_the_next_start_cleans_up",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(VICTIM_VAR, "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn the victim");
    let stdout = child.stdout.take().expect("stdout");
    let dir = std::io::BufReader::new(stdout)
        .lines()
        .map_while(Result::ok)
        // libtest prints "test <name> ... " without a newline before the test's own output.
        .find_map(|line| {
            line.split_once("SOCKET_DIR=")
                .map(|(_, dir)| std::path::PathBuf::from(dir.trim()))
        })
        .expect("the victim reports its cluster");
    let pid_file =
        std::fs::read_to_string(dir.join("data/postmaster.pid")).expect("postmaster.pid");
    let pid = pid_file.lines().next().expect("pid line").trim().to_owned();
    assert!(!process_gone(&pid), "postmaster {pid} should run");

    child.kill().expect("kill the victim");
    child.wait().expect("reap the victim");

    // The watchdog: the postmaster dies with its owner (a SIGKILL leaves no chance to clean up).
    let deadline = Instant::now() + Duration::from_secs(10);
    while !process_gone(&pid) {
        assert!(
            Instant::now() < deadline,
            "postmaster {pid} outlived its owner"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(dir.exists(), "a killed owner cannot clean up");

    // The next start removes the orphaned directory.
    let next = start_cluster();
    assert!(
        !dir.exists(),
        "{} should have been removed as stale",
        dir.display()
    );
    drop(next);
}
