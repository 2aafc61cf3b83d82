//! Parsing `postgres://` URLs the way libpq does, including its environment variables, `~/.pgpass`
//! and defaults (tokio-postgres reads none of those, and rejects sslmode=verify-*).
//!
//! Error messages never echo the parts of the URL before the host (user and password), nor a
//! password parameter, so a malformed URL cannot leak its password into the terminal or CI logs.

use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::error::PgError;
use crate::pgpass;
use crate::spec::{ConnectionSpec, DEFAULT_CONNECT_TIMEOUT, Host, SslMode};
use crate::sysuser;

const SUPPORTED_PARAMS: &str = "host, port, user, password, dbname, sslmode, sslrootcert, application_name, connect_timeout, options";

/// What the URL itself says; `None` means "not given, ask the environment".
#[derive(Default)]
struct Given {
    host: Option<String>,
    port: Option<String>,
    user: Option<String>,
    password: Option<String>,
    dbname: Option<String>,
    sslmode: Option<String>,
    sslrootcert: Option<String>,
    application_name: Option<String>,
    connect_timeout: Option<String>,
    options: Option<String>,
}

impl ConnectionSpec {
    /// Parse `postgres://` / `postgresql://` URLs like libpq, filling gaps from PG* environment
    /// variables, `~/.pgpass` (or PGPASSFILE) and libpq's defaults.
    pub fn parse(url: &str) -> Result<Self, PgError> {
        Self::parse_with_env(url, &|key| std::env::var(key).ok())
    }

    /// Same as [`ConnectionSpec::parse`], but reading the environment through `env`.
    pub fn parse_with_env(
        url: &str,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Self, PgError> {
        let given = parse_url(url)?;
        resolve(given, env)
    }
}

fn parse_url(url: &str) -> Result<Given, PgError> {
    let rest = url
        .strip_prefix("postgresql://")
        .or_else(|| url.strip_prefix("postgres://"))
        .ok_or_else(|| {
            let scheme = url.split_once("://").map(|(scheme, _)| scheme).filter(|s| {
                s.chars()
                    .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
            });
            match scheme {
                Some(scheme) => PgError::invalid_url(format!(
                    "unsupported scheme `{scheme}://`; expected postgres:// or postgresql://"
                )),
                None => PgError::invalid_url(
                    "expected a URL starting with postgres:// or postgresql://",
                ),
            }
        })?;
    let mut given = Given::default();

    // A password may contain unencoded '@', ':' or '/' (people paste them like that), so the user
    // info ends at the LAST '@' before the query string, not the first.
    let (main, query) = match rest.split_once('?') {
        Some((main, query)) => (main, Some(query)),
        None => (rest, None),
    };
    let (userinfo, host_and_path) = match main.rfind('@') {
        Some(at) => (Some(&main[..at]), &main[at + 1..]),
        None => (None, main),
    };
    if let Some(userinfo) = userinfo {
        let (user, password) = match userinfo.split_once(':') {
            Some((user, password)) => (user, Some(password)),
            None => (userinfo, None),
        };
        given.user = non_empty(decode(user, "user name")?);
        if let Some(password) = password {
            given.password = non_empty(decode(password, "password")?);
        }
    }
    let (hostport, path) = match host_and_path.split_once('/') {
        Some((hostport, path)) => (hostport, Some(path)),
        None => (host_and_path, None),
    };
    if let Some(path) = path {
        given.dbname = non_empty(decode(path, "database name")?);
    }
    parse_hostport(hostport, &mut given)?;
    if let Some(query) = query {
        parse_query(query, &mut given)?;
    }
    Ok(given)
}

fn parse_hostport(hostport: &str, given: &mut Given) -> Result<(), PgError> {
    if hostport.contains(',') {
        return Err(PgError::invalid_url(
            "several hosts are not supported; give a single host",
        ));
    }
    let (host, port) = if let Some(bracketed) = hostport.strip_prefix('[') {
        let (host, after) = bracketed.split_once(']').ok_or_else(|| {
            PgError::invalid_url("missing `]` after the IPv6 address in the host part")
        })?;
        let port = match after {
            "" => None,
            _ => Some(after.strip_prefix(':').ok_or_else(|| {
                PgError::invalid_url("unexpected text after `]` in the host part")
            })?),
        };
        (host.to_owned(), port)
    } else {
        match hostport.split_once(':') {
            Some((host, port)) => (decode(host, "host")?, Some(port)),
            None => (decode(hostport, "host")?, None),
        }
    };
    given.host = non_empty(host);
    if let Some(port) = port {
        given.port = non_empty(decode(port, "port")?);
    }
    Ok(())
}

fn parse_query(query: &str, given: &mut Given) -> Result<(), PgError> {
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (key, value) = pair.split_once('=').ok_or_else(|| {
            PgError::invalid_url(
                "a query parameter has no `=` (expected key=value pairs joined by &)",
            )
        })?;
        let key = decode(key, "parameter name")?;
        let value = non_empty(decode(value, &format!("value of `{key}`"))?);
        let slot = match key.as_str() {
            "host" => &mut given.host,
            "port" => &mut given.port,
            "user" => &mut given.user,
            "password" => &mut given.password,
            "dbname" => &mut given.dbname,
            "sslmode" => &mut given.sslmode,
            "sslrootcert" => &mut given.sslrootcert,
            "application_name" | "fallback_application_name" => &mut given.application_name,
            "connect_timeout" => &mut given.connect_timeout,
            "options" => &mut given.options,
            // JDBC spelling that libpq accepts in URLs.
            "ssl" => {
                if value.as_deref() == Some("true") {
                    given.sslmode = Some("require".to_owned());
                    continue;
                }
                return Err(PgError::invalid_url(
                    "parameter `ssl` only accepts `true` (use sslmode=... instead)",
                ));
            }
            _ => {
                return Err(PgError::invalid_url(format!(
                    "unknown parameter `{key}` (supported: {SUPPORTED_PARAMS})"
                )));
            }
        };
        if key == "fallback_application_name" && slot.is_some() {
            continue;
        }
        *slot = value;
    }
    Ok(())
}

/// Fill what the URL left out from the environment, ~/.pgpass and libpq's defaults.
fn resolve(given: Given, env: &dyn Fn(&str) -> Option<String>) -> Result<ConnectionSpec, PgError> {
    let env = |key: &str| env(key).filter(|v| !v.is_empty());

    let host_text = given.host.or_else(|| env("PGHOST"));
    let host = match host_text {
        Some(text) if text.contains(',') => {
            return Err(PgError::invalid_url(
                "several hosts are not supported; give a single host",
            ));
        }
        Some(text) if text.starts_with('/') => Host::Unix(PathBuf::from(text)),
        Some(text) => Host::Tcp(text),
        None => default_host(),
    };

    let port = match given.port {
        Some(text) => parse_port(&text, "the port")?,
        None => match env("PGPORT") {
            Some(text) => parse_port(&text, "PGPORT")?,
            None => 5432,
        },
    };

    let user = match given.user.or_else(|| env("PGUSER")) {
        Some(user) => user,
        None => sysuser::current()
            .map(|u| u.name)
            .or_else(|| env("USER"))
            .ok_or_else(|| {
                PgError::invalid_url(
                    "no user name given and the current OS user has no name; add user@ to the URL or set PGUSER",
                )
            })?,
    };
    let database = given
        .dbname
        .or_else(|| env("PGDATABASE"))
        .unwrap_or_else(|| user.clone());

    let sslrootcert = given.sslrootcert.or_else(|| env("PGSSLROOTCERT"));
    let sslmode = match given.sslmode {
        Some(text) => parse_sslmode(&text, "sslmode")?,
        None => match env("PGSSLMODE") {
            Some(text) => parse_sslmode(&text, "PGSSLMODE")?,
            // libpq 16+: sslrootcert=system makes the default verify-full.
            None if sslrootcert.as_deref() == Some("system") => SslMode::VerifyFull,
            None => SslMode::Prefer,
        },
    };

    let connect_timeout = match given.connect_timeout {
        Some(text) => parse_timeout(&text, "connect_timeout")?,
        None => match env("PGCONNECT_TIMEOUT") {
            Some(text) => parse_timeout(&text, "PGCONNECT_TIMEOUT")?,
            None => Some(DEFAULT_CONNECT_TIMEOUT),
        },
    };

    let password = match given.password.or_else(|| env("PGPASSWORD")) {
        Some(password) => Some(password),
        None => pgpass_file(&env).and_then(|file| {
            let host_key = match &host {
                Host::Tcp(name) => name.clone(),
                Host::Unix(dir) => dir.to_string_lossy().into_owned(),
            };
            pgpass::lookup(&file, &host_key, port, &database, &user)
        }),
    };

    Ok(ConnectionSpec {
        host,
        port,
        user,
        password,
        database,
        sslmode,
        sslrootcert,
        application_name: given.application_name.or_else(|| env("PGAPPNAME")),
        connect_timeout,
        options: given.options.or_else(|| env("PGOPTIONS")),
    })
}

/// libpq's default: the Unix socket directory it was built with (Debian's is /var/run/postgresql),
/// or localhost where that directory does not exist (no local server to talk to anyway).
fn default_host() -> Host {
    let dir = Path::new(pgpass::DEFAULT_SOCKET_DIR);
    if dir.is_dir() {
        Host::Unix(dir.to_path_buf())
    } else {
        Host::Tcp("localhost".to_owned())
    }
}

fn pgpass_file(env: &dyn Fn(&str) -> Option<String>) -> Option<PathBuf> {
    if let Some(file) = env("PGPASSFILE") {
        return Some(PathBuf::from(file));
    }
    let home = env("HOME")
        .map(PathBuf::from)
        .or_else(|| sysuser::current().map(|u| u.home))?;
    Some(home.join(".pgpass"))
}

fn parse_port(text: &str, what: &str) -> Result<u16, PgError> {
    match text.parse::<u16>() {
        Ok(port) if port != 0 => Ok(port),
        _ => Err(PgError::invalid_url(format!(
            "{what} must be a number from 1 to 65535"
        ))),
    }
}

fn parse_sslmode(text: &str, what: &str) -> Result<SslMode, PgError> {
    SslMode::parse(text).ok_or_else(|| {
        PgError::invalid_url(format!(
            "{what} `{text}` is not one of disable, allow, prefer, require, verify-ca, verify-full"
        ))
    })
}

/// libpq: 0 (or negative) waits forever, and anything below 2 s is raised to 2 s.
fn parse_timeout(text: &str, what: &str) -> Result<Option<Duration>, PgError> {
    let seconds: i64 = text.trim().parse().map_err(|_| {
        PgError::invalid_url(format!("{what} `{text}` is not a whole number of seconds"))
    })?;
    Ok(match seconds {
        s if s <= 0 => None,
        s => Some(Duration::from_secs(s.max(2).unsigned_abs())),
    })
}

fn non_empty(text: String) -> Option<String> {
    (!text.is_empty()).then_some(text)
}

/// Percent-decoding; `what` names the URL part in errors (never its value, which might be secret).
fn decode(text: &str, what: &str) -> Result<String, PgError> {
    if !text.contains('%') {
        return Ok(text.to_owned());
    }
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = bytes
                .get(i + 1..i + 3)
                .and_then(|h| std::str::from_utf8(h).ok())
                .and_then(|h| u8::from_str_radix(h, 16).ok())
                .ok_or_else(|| {
                    PgError::invalid_url(format!(
                        "invalid percent-encoding in the {what} (`%` must be followed by two hex digits; write a literal % as %25)"
                    ))
                })?;
            out.push(hex);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).map_err(|_| {
        PgError::invalid_url(format!(
            "the {what} is not valid UTF-8 after percent-decoding"
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;
    use std::io::Write;
    use std::os::unix::fs::PermissionsExt;

    fn env_of(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> + use<> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        move |key: &str| map.get(key).cloned()
    }

    /// An environment that pins every default so tests do not depend on the machine.
    fn quiet_env() -> impl Fn(&str) -> Option<String> + use<> {
        env_of(&[("PGUSER", "envuser"), ("HOME", "/nonexistent-autogen-home")])
    }

    fn parse(url: &str) -> ConnectionSpec {
        match ConnectionSpec::parse_with_env(url, &quiet_env()) {
            Ok(spec) => spec,
            Err(e) => panic!("{url}: {e}"),
        }
    }

    fn parse_err(url: &str) -> String {
        match ConnectionSpec::parse_with_env(url, &quiet_env()) {
            Ok(spec) => panic!("{url} parsed as {spec:?}"),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn full_url() {
        let spec = parse("postgres://alice:s3cret@db.example.com:6543/app");
        assert_eq!(spec.host, Host::Tcp("db.example.com".into()));
        assert_eq!(spec.port, 6543);
        assert_eq!(spec.user, "alice");
        assert_eq!(spec.password.as_deref(), Some("s3cret"));
        assert_eq!(spec.database, "app");
        assert_eq!(spec.sslmode, SslMode::Prefer);
        assert_eq!(spec.connect_timeout, Some(Duration::from_secs(10)));
    }

    #[test]
    fn postgresql_scheme_and_defaults() {
        let spec = parse("postgresql://db.example.com");
        assert_eq!(spec.port, 5432);
        assert_eq!(spec.user, "envuser");
        assert_eq!(spec.database, "envuser");
        assert_eq!(spec.password, None);
    }

    #[test]
    fn percent_encoding() {
        let spec = parse("postgres://al%40ice:p%40ss%3Aw%2Fo%25rd@h/my%20db");
        assert_eq!(spec.user, "al@ice");
        assert_eq!(spec.password.as_deref(), Some("p@ss:w/o%rd"));
        assert_eq!(spec.database, "my db");
    }

    #[test]
    fn unencoded_at_and_slash_in_password() {
        let spec = parse("postgres://bob:pa@ss/wo:rd@h:5433/db");
        assert_eq!(spec.user, "bob");
        assert_eq!(spec.password.as_deref(), Some("pa@ss/wo:rd"));
        assert_eq!(spec.host, Host::Tcp("h".into()));
        assert_eq!(spec.port, 5433);
        assert_eq!(spec.database, "db");
    }

    #[test]
    fn ipv6_hosts() {
        let spec = parse("postgres://u@[::1]:5433/db");
        assert_eq!(spec.host, Host::Tcp("::1".into()));
        assert_eq!(spec.port, 5433);
        let spec = parse("postgres://[fe80::1]/db");
        assert_eq!(spec.host, Host::Tcp("fe80::1".into()));
        assert_eq!(spec.port, 5432);
        assert_eq!(spec.target_description(), "[fe80::1]:5432");
        assert!(parse_err("postgres://[::1/db").contains("missing `]`"));
    }

    #[test]
    fn unix_socket_forms() {
        let spec = parse("postgres:///app?host=/var/run/postgresql");
        assert_eq!(spec.host, Host::Unix("/var/run/postgresql".into()));
        assert_eq!(spec.database, "app");
        let spec = parse("postgres://u@%2Ftmp%2Fsock:6000/app");
        assert_eq!(spec.host, Host::Unix("/tmp/sock".into()));
        assert_eq!(spec.port, 6000);
        assert_eq!(spec.target_description(), "socket /tmp/sock (port 6000)");
        // The query overrides the authority, as in libpq.
        let spec = parse("postgres://u@ignored:1/app?host=/s&port=7000");
        assert_eq!(spec.host, Host::Unix("/s".into()));
        assert_eq!(spec.port, 7000);
    }

    #[test]
    fn query_parameters() {
        let spec = parse(
            "postgres://h/db?user=q&password=pw&dbname=other&sslmode=verify-full&sslrootcert=/ca.pem&application_name=x&connect_timeout=3&options=-c%20search_path%3Dfoo",
        );
        assert_eq!(spec.user, "q");
        assert_eq!(spec.password.as_deref(), Some("pw"));
        assert_eq!(spec.database, "other");
        assert_eq!(spec.sslmode, SslMode::VerifyFull);
        assert_eq!(spec.sslrootcert.as_deref(), Some("/ca.pem"));
        assert_eq!(spec.application_name.as_deref(), Some("x"));
        assert_eq!(spec.connect_timeout, Some(Duration::from_secs(3)));
        assert_eq!(spec.options.as_deref(), Some("-c search_path=foo"));
    }

    #[test]
    fn sslmode_values() {
        for (text, mode) in [
            ("disable", SslMode::Disable),
            ("allow", SslMode::Allow),
            ("prefer", SslMode::Prefer),
            ("require", SslMode::Require),
            ("verify-ca", SslMode::VerifyCa),
            ("verify-full", SslMode::VerifyFull),
        ] {
            assert_eq!(
                parse(&format!("postgres://h/d?sslmode={text}")).sslmode,
                mode
            );
        }
        assert_eq!(parse("postgres://h/d?ssl=true").sslmode, SslMode::Require);
        assert_eq!(
            parse("postgres://h/d?sslrootcert=system").sslmode,
            SslMode::VerifyFull
        );
        let err = parse_err("postgres://h/d?sslmode=sometimes");
        assert!(err.contains("sslmode `sometimes`"), "{err}");
    }

    #[test]
    fn connect_timeout_rules() {
        assert_eq!(
            parse("postgres://h?connect_timeout=0").connect_timeout,
            None
        );
        assert_eq!(
            parse("postgres://h?connect_timeout=1").connect_timeout,
            Some(Duration::from_secs(2))
        );
        assert!(parse_err("postgres://h?connect_timeout=soon").contains("connect_timeout"));
    }

    #[test]
    fn unknown_parameter_is_named() {
        let err = parse_err("postgres://h/db?sslmode=disable&frobnicate=1");
        assert!(err.contains("unknown parameter `frobnicate`"), "{err}");
    }

    #[test]
    fn bad_urls() {
        assert!(parse_err("mysql://h/db").contains("unsupported scheme `mysql://`"));
        assert!(parse_err("host=localhost dbname=x").contains("postgres://"));
        assert!(parse_err("postgres://h:99999/db").contains("port"));
        assert!(parse_err("postgres://h:abc/db").contains("port"));
        assert!(parse_err("postgres://h,h2/db").contains("several hosts"));
        assert!(parse_err("postgres://h/d%zz").contains("percent-encoding"));
        assert!(parse_err("postgres://h/d?novalue").contains("no `=`"));
    }

    #[test]
    fn environment_defaults() {
        let env = env_of(&[
            ("PGHOST", "envhost"),
            ("PGPORT", "6001"),
            ("PGUSER", "envuser"),
            ("PGPASSWORD", "envpw"),
            ("PGDATABASE", "envdb"),
            ("PGSSLMODE", "require"),
            ("PGSSLROOTCERT", "/root.crt"),
            ("PGAPPNAME", "envapp"),
            ("PGCONNECT_TIMEOUT", "7"),
        ]);
        let spec = ConnectionSpec::parse_with_env("postgres://", &env).expect("parses");
        assert_eq!(spec.host, Host::Tcp("envhost".into()));
        assert_eq!(spec.port, 6001);
        assert_eq!(spec.user, "envuser");
        assert_eq!(spec.password.as_deref(), Some("envpw"));
        assert_eq!(spec.database, "envdb");
        assert_eq!(spec.sslmode, SslMode::Require);
        assert_eq!(spec.sslrootcert.as_deref(), Some("/root.crt"));
        assert_eq!(spec.application_name.as_deref(), Some("envapp"));
        assert_eq!(spec.connect_timeout, Some(Duration::from_secs(7)));

        // The URL wins over the environment.
        let spec = ConnectionSpec::parse_with_env("postgres://u:p@h:1/d?sslmode=disable", &env)
            .expect("parses");
        assert_eq!(
            (spec.user.as_str(), spec.password.as_deref(), spec.port),
            ("u", Some("p"), 1)
        );
        assert_eq!(spec.sslmode, SslMode::Disable);

        let bad = env_of(&[("PGUSER", "u"), ("PGPORT", "x")]);
        let err = ConnectionSpec::parse_with_env("postgres://h", &bad).expect_err("bad PGPORT");
        assert!(err.to_string().contains("PGPORT"));
    }

    #[test]
    fn default_host_and_user() {
        let spec =
            ConnectionSpec::parse_with_env("postgres://", &|_| None).expect("defaults parse");
        match &spec.host {
            Host::Unix(dir) => assert_eq!(dir, Path::new("/var/run/postgresql")),
            Host::Tcp(name) => assert_eq!(name, "localhost"),
        }
        assert!(!spec.user.is_empty());
        assert_eq!(spec.database, spec.user);
    }

    #[test]
    fn password_from_pgpass() {
        let dir = tempfile::tempdir().expect("tempdir");
        let file = dir.path().join("pgpass");
        let mut f = std::fs::File::create(&file).expect("create");
        writeln!(f, "h:5432:db:alice:frompgpass").expect("write");
        writeln!(f, "localhost:5432:*:alice:local").expect("write");
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600)).expect("chmod");
        let file_str = file.to_string_lossy().into_owned();
        let env = env_of(&[("PGPASSFILE", &file_str)]);

        let spec = ConnectionSpec::parse_with_env("postgres://alice@h/db", &env).expect("parses");
        assert_eq!(spec.password.as_deref(), Some("frompgpass"));
        // The default socket directory matches "localhost".
        let spec =
            ConnectionSpec::parse_with_env("postgres://alice@/db?host=/var/run/postgresql", &env)
                .expect("parses");
        assert_eq!(spec.password.as_deref(), Some("local"));
        // An explicit password is not replaced.
        let spec =
            ConnectionSpec::parse_with_env("postgres://alice:given@h/db", &env).expect("parses");
        assert_eq!(spec.password.as_deref(), Some("given"));
        // Nothing matches another user.
        let spec = ConnectionSpec::parse_with_env("postgres://bob@h/db", &env).expect("parses");
        assert_eq!(spec.password, None);

        // $HOME/.pgpass when PGPASSFILE is unset.
        std::fs::rename(&file, dir.path().join(".pgpass")).expect("rename");
        let home = dir.path().to_string_lossy().into_owned();
        let env = env_of(&[("HOME", &home)]);
        let spec = ConnectionSpec::parse_with_env("postgres://alice@h/db", &env).expect("parses");
        assert_eq!(spec.password.as_deref(), Some("frompgpass"));
    }

    #[test]
    fn redacted_form_hides_the_password_and_round_trips() {
        let secret = "Sup3r-Secr3t!";
        let spec = parse(&format!(
            "postgres://alice:{secret}@db.example.com:6543/app?sslmode=require"
        ));
        let redacted = spec.redacted();
        assert_eq!(
            redacted,
            "postgres://alice:***@db.example.com:6543/app?sslmode=require"
        );
        assert_eq!(spec.to_string(), redacted);
        let debug = format!("{spec:?}");
        assert!(!debug.contains(secret), "{debug}");
        assert!(!format!("{:#?}", spec.clone()).contains(secret));

        let back = parse(&redacted);
        assert_eq!(back.host, spec.host);
        assert_eq!(back.port, spec.port);
        assert_eq!(back.database, spec.database);
        assert_eq!(back.sslmode, spec.sslmode);

        let spec = parse("postgres://u@/my%20db?host=/tmp/x%26y&port=7000");
        assert_eq!(
            spec.redacted(),
            "postgres://u@/my%20db?host=/tmp/x%26y&port=7000"
        );
        let back = parse(&spec.redacted());
        assert_eq!(back.host, Host::Unix("/tmp/x&y".into()));
        assert_eq!(back.database, "my db");

        let spec = parse("postgres://u@[::1]:5433/db");
        assert_eq!(spec.redacted(), "postgres://u@[::1]:5433/db");
    }

    #[test]
    fn url_with_password_round_trips() {
        let spec = parse("postgres://a%3Ab:p%40ss%3Aw%2Fo%25rd%20x@h:5433/db?sslmode=require");
        let full = spec.url_with_password();
        assert_eq!(
            full,
            "postgres://a%3Ab:p%40ss%3Aw%2Fo%25rd%20x@h:5433/db?sslmode=require"
        );
        let back = parse(&full);
        assert_eq!(back.user, "a:b");
        assert_eq!(back.password.as_deref(), Some("p@ss:w/o%rd x"));
        // Display stays redacted.
        assert!(!spec.to_string().contains("p%40ss"));
    }

    #[test]
    fn errors_never_contain_the_password() {
        let secret = "hunter2secret";
        for url in [
            format!("postgres://u:{secret}@h:notaport/db"),
            format!("postgres://u:{secret}@h/db?sslmode=bogus"),
            format!("postgres://u:{secret}@h/db?nope=1"),
            format!("postgres://u:{secret}%zz@h/db"),
            format!("postgres://u:{secret}@[::1/db"),
            format!("postgres://u:{secret}@h1,h2/db"),
            format!("postgres://h/db?password={secret}&junk"),
            format!("postgres://h/db?password={secret}%G0"),
            format!("mysql://u:{secret}@h/db"),
            format!("u:{secret}@h/db"),
        ] {
            let err = parse_err(&url);
            assert!(!err.contains(secret), "{url} -> {err}");
            assert!(!format!("{err:?}").contains(secret));
        }
    }
}
