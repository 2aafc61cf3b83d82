//! `ConnectionSpec`: a parsed connection target, and its redacted rendering. The password lives
//! only in a private field; Display and Debug print the redacted URL, so logging a spec or an
//! error built from it can never leak the password.

use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Used when the URL and the environment give no connect_timeout.
pub(crate) const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// Where the server listens.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Host {
    /// A host name or IP address (IPv6 without brackets).
    Tcp(String),
    /// The directory holding the server's Unix socket `.s.PGSQL.<port>`.
    Unix(PathBuf),
}

/// libpq's sslmode values.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SslMode {
    Disable,
    Allow,
    Prefer,
    Require,
    VerifyCa,
    VerifyFull,
}

impl SslMode {
    pub(crate) fn parse(value: &str) -> Option<Self> {
        Some(match value {
            "disable" => SslMode::Disable,
            "allow" => SslMode::Allow,
            "prefer" => SslMode::Prefer,
            "require" => SslMode::Require,
            "verify-ca" => SslMode::VerifyCa,
            "verify-full" => SslMode::VerifyFull,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            SslMode::Disable => "disable",
            SslMode::Allow => "allow",
            SslMode::Prefer => "prefer",
            SslMode::Require => "require",
            SslMode::VerifyCa => "verify-ca",
            SslMode::VerifyFull => "verify-full",
        }
    }
}

/// Parsed connection target. Display and Debug print the REDACTED form only.
#[derive(Clone)]
pub struct ConnectionSpec {
    pub(crate) host: Host,
    pub(crate) port: u16,
    pub(crate) user: String,
    pub(crate) password: Option<String>,
    pub(crate) database: String,
    pub(crate) sslmode: SslMode,
    /// A PEM file path, or libpq's special value `system`.
    pub(crate) sslrootcert: Option<String>,
    pub(crate) application_name: Option<String>,
    /// `None` waits forever (libpq's connect_timeout=0).
    pub(crate) connect_timeout: Option<Duration>,
    pub(crate) options: Option<String>,
}

impl ConnectionSpec {
    /// A spec for a server on a Unix socket in `dir` (no password, no TLS).
    pub fn unix_socket(dir: &Path, port: u16, user: &str, database: &str) -> Self {
        ConnectionSpec {
            host: Host::Unix(dir.to_path_buf()),
            port,
            user: user.to_owned(),
            password: None,
            database: database.to_owned(),
            sslmode: SslMode::Disable,
            sslrootcert: None,
            application_name: None,
            connect_timeout: Some(DEFAULT_CONNECT_TIMEOUT),
            options: None,
        }
    }

    pub fn with_database(&self, database: &str) -> Self {
        let mut spec = self.clone();
        spec.database = database.to_owned();
        spec
    }

    /// The same target, logging in as `user` with `password`.
    pub fn with_credentials(&self, user: &str, password: Option<&str>) -> Self {
        let mut spec = self.clone();
        spec.user = user.to_owned();
        spec.password = password.map(str::to_owned);
        spec
    }

    pub fn database(&self) -> &str {
        &self.database
    }

    pub fn user(&self) -> &str {
        &self.user
    }

    pub fn host(&self) -> &Host {
        &self.host
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn sslmode(&self) -> SslMode {
        self.sslmode
    }

    pub fn has_password(&self) -> bool {
        self.password.is_some()
    }

    /// `postgres://user:***@host:port/db?...` — the password replaced by `***` (omitted if there is
    /// none). Never contains the password. It parses back to the same target (minus the password).
    pub fn redacted(&self) -> String {
        self.render(false)
    }

    /// The URL WITH the password (percent-encoded), for handing the target to a child process.
    /// Never print or log it; everything meant for people uses [`ConnectionSpec::redacted`].
    pub fn url_with_password(&self) -> String {
        self.render(true)
    }

    fn render(&self, with_password: bool) -> String {
        let mut out = String::from("postgres://");
        out.push_str(&encode(&self.user, USERINFO_SAFE));
        if let Some(password) = &self.password {
            out.push(':');
            if with_password {
                out.push_str(&encode(password, USERINFO_SAFE));
            } else {
                out.push_str("***");
            }
        }
        out.push('@');
        let mut query: Vec<(&str, String)> = Vec::new();
        match &self.host {
            Host::Tcp(host) => {
                if host.contains(':') {
                    out.push('[');
                    out.push_str(host);
                    out.push(']');
                } else {
                    out.push_str(&encode(host, HOST_SAFE));
                }
                out.push(':');
                out.push_str(&self.port.to_string());
            }
            Host::Unix(dir) => {
                query.push(("host", encode(&dir.to_string_lossy(), QUERY_SAFE)));
                query.push(("port", self.port.to_string()));
            }
        }
        out.push('/');
        out.push_str(&encode(&self.database, PATH_SAFE));
        if self.sslmode != SslMode::Prefer && matches!(self.host, Host::Tcp(_)) {
            query.push(("sslmode", self.sslmode.as_str().to_owned()));
        }
        if let Some(root) = &self.sslrootcert {
            query.push(("sslrootcert", encode(root, QUERY_SAFE)));
        }
        for (i, (key, value)) in query.iter().enumerate() {
            out.push(if i == 0 { '?' } else { '&' });
            out.push_str(key);
            out.push('=');
            out.push_str(value);
        }
        out
    }

    /// "host:port" or "socket /dir (port N)" — for error messages.
    pub fn target_description(&self) -> String {
        match &self.host {
            Host::Tcp(host) if host.contains(':') => format!("[{host}]:{}", self.port),
            Host::Tcp(host) => format!("{host}:{}", self.port),
            Host::Unix(dir) => format!("socket {} (port {})", dir.display(), self.port),
        }
    }

    /// The socket file for a Unix-socket target.
    pub(crate) fn socket_path(&self) -> Option<PathBuf> {
        match &self.host {
            Host::Unix(dir) => Some(dir.join(format!(".s.PGSQL.{}", self.port))),
            Host::Tcp(_) => None,
        }
    }
}

impl fmt::Display for ConnectionSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.redacted())
    }
}

impl fmt::Debug for ConnectionSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ConnectionSpec({})", self.redacted())
    }
}

// Characters left as they are in each URL part; everything else is percent-encoded so that the
// redacted form parses back unambiguously.
const USERINFO_SAFE: &[u8] = b"-._~!$'()*+,;";
const HOST_SAFE: &[u8] = b"-._~";
const PATH_SAFE: &[u8] = b"-._~!$'()*+,;:@";
const QUERY_SAFE: &[u8] = b"-._~!$'()*+,;:@/";

fn encode(text: &str, safe: &[u8]) -> String {
    let mut out = String::with_capacity(text.len());
    for &byte in text.as_bytes() {
        if byte.is_ascii_alphanumeric() || safe.contains(&byte) {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}
