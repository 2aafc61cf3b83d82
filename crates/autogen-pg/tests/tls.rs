//! sslmodes against a dev cluster with ssl=on on 127.0.0.1, using a throwaway CA made by the
//! `openssl` command (the test is skipped, with a note, where it is missing).

use std::net::TcpListener;
use std::path::Path;
use std::process::Command;

use autogen_pg::{ClusterOptions, ConnectionSpec, DevCluster, PgError, find_binaries};

fn openssl(dir: &Path, args: &[&str]) -> bool {
    Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false)
}

/// ca.crt plus server.crt/server.key issued to DNS name "localhost" only.
fn make_certificates(dir: &Path) -> bool {
    std::fs::write(
        dir.join("server.ext"),
        "subjectAltName=DNS:localhost\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature\nextendedKeyUsage=serverAuth\n",
    )
    .expect("write ext");
    let ec = [
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-nodes",
    ];
    openssl(
        dir,
        &[
            &["req", "-x509"][..],
            &ec,
            &[
                "-keyout",
                "ca.key",
                "-out",
                "ca.crt",
                "-days",
                "2",
                "-subj",
                "/CN=autogen test CA",
                "-addext",
                "basicConstraints=critical,CA:TRUE",
                "-addext",
                "keyUsage=critical,keyCertSign,cRLSign",
            ],
        ]
        .concat(),
    ) && openssl(
        dir,
        &[
            &["req"][..],
            &ec,
            &[
                "-keyout",
                "server.key",
                "-out",
                "server.csr",
                "-subj",
                "/CN=localhost",
            ],
        ]
        .concat(),
    ) && openssl(
        dir,
        &[
            "x509",
            "-req",
            "-in",
            "server.csr",
            "-CA",
            "ca.crt",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-out",
            "server.crt",
            "-days",
            "2",
            "-extfile",
            "server.ext",
        ],
    )
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("free port")
}

async fn uses_tls(spec: &ConnectionSpec) -> Result<bool, PgError> {
    let client = spec.connect().await?;
    let row = client
        .query_one(
            "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()",
            &[],
        )
        .await
        .expect("pg_stat_ssl");
    Ok(row.get(0))
}

#[tokio::test]
async fn sslmodes_over_loopback() {
    let certs = tempfile::tempdir().expect("tempdir");
    if !make_certificates(certs.path()) {
        eprintln!("skipping: the openssl command is missing or failed");
        return;
    }
    let read = |name: &str| std::fs::read(certs.path().join(name)).expect("read cert");
    let port = free_port();
    let options = ClusterOptions {
        port,
        settings: vec![
            ("listen_addresses".to_owned(), "127.0.0.1".to_owned()),
            ("ssl".to_owned(), "on".to_owned()),
        ],
        data_files: vec![
            ("server.crt".to_owned(), read("server.crt")),
            ("server.key".to_owned(), read("server.key")),
        ],
    };
    let binaries = find_binaries().expect("binaries");
    let cluster = DevCluster::start_with_options(&binaries, &options).expect("TLS cluster");
    let ca = certs.path().join("ca.crt").display().to_string();
    let other_ca_dir = tempfile::tempdir().expect("tempdir");
    let spec = |host: &str, query: &str| {
        ConnectionSpec::parse_with_env(
            &format!("postgres://postgres:unused-pw@{host}:{port}/postgres?{query}"),
            &|_| None,
        )
        .expect("parses")
    };

    assert!(
        uses_tls(&spec("127.0.0.1", "sslmode=require"))
            .await
            .expect("require")
    );
    assert!(
        uses_tls(&spec("127.0.0.1", "sslmode=prefer"))
            .await
            .expect("prefer")
    );
    assert!(
        uses_tls(&spec("127.0.0.1", "sslmode=allow"))
            .await
            .expect("allow")
    );
    assert!(
        !uses_tls(&spec("127.0.0.1", "sslmode=disable"))
            .await
            .expect("disable")
    );

    // verify-ca checks the chain but not the name (the certificate names only "localhost").
    let verify_ca = spec("127.0.0.1", &format!("sslmode=verify-ca&sslrootcert={ca}"));
    assert!(uses_tls(&verify_ca).await.expect("verify-ca"));
    // require + sslrootcert behaves like verify-ca, as in libpq.
    let require_ca = spec("127.0.0.1", &format!("sslmode=require&sslrootcert={ca}"));
    assert!(uses_tls(&require_ca).await.expect("require with CA"));

    // verify-full also checks the name.
    let full_ok = spec(
        "localhost",
        &format!("sslmode=verify-full&sslrootcert={ca}"),
    );
    assert!(uses_tls(&full_ok).await.expect("verify-full by name"));
    let full_ip = spec(
        "127.0.0.1",
        &format!("sslmode=verify-full&sslrootcert={ca}"),
    );
    let err = uses_tls(&full_ip).await.expect_err("name mismatch");
    assert!(matches!(err, PgError::Tls { .. }), "{err:?}");
    assert!(err.to_string().contains("verify-ca"), "{err}");
    assert!(!err.to_string().contains("unused-pw"), "{err}");

    // A CA that did not sign the server certificate.
    assert!(make_certificates(other_ca_dir.path()));
    let other_ca = other_ca_dir.path().join("ca.crt").display().to_string();
    let wrong_ca = spec(
        "localhost",
        &format!("sslmode=verify-full&sslrootcert={other_ca}"),
    );
    let err = uses_tls(&wrong_ca).await.expect_err("unknown issuer");
    assert!(matches!(err, PgError::Tls { .. }), "{err:?}");
    assert!(err.to_string().contains("sslrootcert"), "{err}");

    // A missing root certificate file is reported as such.
    let missing = spec(
        "localhost",
        "sslmode=verify-full&sslrootcert=/nonexistent/ca.crt",
    );
    let err = uses_tls(&missing).await.expect_err("missing file");
    assert!(err.to_string().contains("/nonexistent/ca.crt"), "{err}");

    // Unix sockets never use TLS, whatever the sslmode says.
    let socket = ConnectionSpec::parse_with_env(
        &format!(
            "postgres://postgres@/postgres?host={}&port={port}&sslmode=require",
            cluster.socket_dir().display()
        ),
        &|_| None,
    )
    .expect("parses");
    assert!(!uses_tls(&socket).await.expect("socket"));
}

#[tokio::test]
async fn require_against_a_server_without_tls() {
    let port = free_port();
    let options = ClusterOptions {
        port,
        settings: vec![("listen_addresses".to_owned(), "127.0.0.1".to_owned())],
        ..ClusterOptions::default()
    };
    let cluster = DevCluster::start_with_options(&find_binaries().expect("binaries"), &options)
        .expect("cluster");
    let spec = |mode: &str| {
        ConnectionSpec::parse_with_env(
            &format!("postgres://postgres@127.0.0.1:{port}/postgres?sslmode={mode}"),
            &|_| None,
        )
        .expect("parses")
    };
    let err = spec("require")
        .connect()
        .await
        .expect_err("no TLS on the server");
    assert!(matches!(err, PgError::Tls { .. }), "{err:?}");
    assert!(err.to_string().contains("does not accept TLS"), "{err}");
    // prefer falls back to plain text.
    spec("prefer").connect().await.expect("prefer without TLS");
    drop(cluster);
}
