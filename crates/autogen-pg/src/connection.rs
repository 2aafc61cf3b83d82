//! Connecting: sslmode -> TLS setup, the connection task, the timeout, and turning
//! tokio-postgres errors into one-line messages that name the (redacted) target.

use std::error::Error as _;
use std::io;

use tokio_postgres::config::SslMode as PgSslMode;
use tokio_postgres::error::SqlState;
use tokio_postgres::{Client, Config, NoTls};
use tokio_postgres_rustls::MakeRustlsConnect;

use crate::error::PgError;
use crate::spec::{ConnectionSpec, Host, SslMode};
use crate::tls::{self, Verification};

/// What to do about TLS for one attempt.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum TlsPlan {
    Off,
    /// Try TLS, fall back to plain text if the server or the handshake says no.
    Opportunistic,
    Required(Verification),
}

impl ConnectionSpec {
    /// Connect (TLS per sslmode via rustls; Unix sockets never use TLS), spawn the connection task
    /// on the current tokio runtime, return the client. Applies connect_timeout (default 10 s).
    ///
    /// Needs a tokio runtime with IO and time enabled (`enable_all`). The client works as long as
    /// that runtime runs its connection task.
    pub async fn connect(&self) -> Result<Client, PgError> {
        let plan = self.tls_plan();
        match self.connect_with(plan).await {
            // libpq's prefer/allow also fall back to plain text when the TLS handshake fails.
            Err(PgError::Tls { .. }) if plan == TlsPlan::Opportunistic => {
                self.connect_with(TlsPlan::Off).await
            }
            result => result,
        }
    }

    fn tls_plan(&self) -> TlsPlan {
        if matches!(self.host, Host::Unix(_)) {
            return TlsPlan::Off;
        }
        match self.sslmode {
            SslMode::Disable => TlsPlan::Off,
            SslMode::Allow | SslMode::Prefer => TlsPlan::Opportunistic,
            // libpq: require with a root certificate given behaves like verify-ca.
            SslMode::Require if self.sslrootcert.is_some() => {
                TlsPlan::Required(Verification::Chain)
            }
            SslMode::Require => TlsPlan::Required(Verification::None),
            SslMode::VerifyCa => TlsPlan::Required(Verification::Chain),
            SslMode::VerifyFull => TlsPlan::Required(Verification::Full),
        }
    }

    fn pg_config(&self) -> Config {
        let mut config = Config::new();
        config
            .user(&self.user)
            .dbname(&self.database)
            .port(self.port)
            .application_name(self.application_name.as_deref().unwrap_or("autogen"));
        match &self.host {
            Host::Tcp(name) => config.host(name),
            Host::Unix(dir) => config.host_path(dir),
        };
        if let Some(password) = &self.password {
            config.password(password);
        }
        if let Some(options) = &self.options {
            config.options(options);
        }
        if let Some(timeout) = self.connect_timeout {
            config.connect_timeout(timeout);
        }
        config
    }

    async fn connect_with(&self, plan: TlsPlan) -> Result<Client, PgError> {
        let mut config = self.pg_config();
        let attempt = async {
            match plan {
                TlsPlan::Off => {
                    config.ssl_mode(PgSslMode::Disable);
                    let (client, connection) = config.connect(NoTls).await?;
                    tokio::spawn(drive(connection));
                    Ok(client)
                }
                TlsPlan::Opportunistic | TlsPlan::Required(_) => {
                    let (mode, verification) = match plan {
                        TlsPlan::Required(v) => (PgSslMode::Require, v),
                        _ => (PgSslMode::Prefer, Verification::None),
                    };
                    config.ssl_mode(mode);
                    let tls_config = tls::client_config(verification, self.sslrootcert.as_deref())
                        .map_err(Setup)?;
                    let (client, connection) =
                        config.connect(MakeRustlsConnect::new(tls_config)).await?;
                    tokio::spawn(drive(connection));
                    Ok(client)
                }
            }
        };
        let result: Result<Client, Failure> = match self.connect_timeout {
            Some(limit) => match tokio::time::timeout(limit, attempt).await {
                Ok(result) => result,
                Err(_) => {
                    return Err(PgError::ConnectTimeout {
                        url: self.redacted(),
                        target: self.target_description(),
                        seconds: limit.as_secs(),
                    });
                }
            },
            None => attempt.await,
        };
        result.map_err(|failure| match failure {
            Failure::Setup(Setup(reason)) => PgError::Tls {
                url: self.redacted(),
                reason,
                hint: "check sslrootcert",
            },
            Failure::Pg(error) => self.classify(&error),
        })
    }

    /// Turn a tokio-postgres connect error into a message for people.
    pub(crate) fn classify(&self, error: &tokio_postgres::Error) -> PgError {
        let url = self.redacted();
        if let Some(db) = error.as_db_error() {
            let code = db.code();
            if *code == SqlState::INVALID_PASSWORD
                || *code == SqlState::INVALID_AUTHORIZATION_SPECIFICATION
            {
                return PgError::AuthenticationFailed {
                    url,
                    user: self.user.clone(),
                    message: db.message().to_owned(),
                };
            }
            if *code == SqlState::INVALID_CATALOG_NAME {
                return PgError::DatabaseNotFound {
                    url,
                    database: self.database.clone(),
                };
            }
            return PgError::Connect {
                url,
                message: format!("{} (SQLSTATE {})", db.message(), code.code()),
            };
        }

        let kind = error.to_string();
        let cause = error.source().map(|s| s.to_string()).unwrap_or_default();
        if kind.starts_with("error performing TLS handshake") {
            let hint = match find_rustls_error(error) {
                Some(rustls::Error::InvalidCertificate(
                    rustls::CertificateError::NotValidForName
                    | rustls::CertificateError::NotValidForNameContext { .. },
                )) => {
                    "the certificate was not issued for this host name; connect with a name the certificate lists, or use sslmode=verify-ca"
                }
                Some(rustls::Error::InvalidCertificate(
                    rustls::CertificateError::UnknownIssuer
                    | rustls::CertificateError::BadSignature,
                )) => {
                    "point sslrootcert at the CA that signed the server certificate, or use sslmode=require to encrypt without verifying"
                }
                Some(rustls::Error::InvalidCertificate(_)) => {
                    "the server certificate was rejected; check it (expiry, usage) or use sslmode=require to encrypt without verifying"
                }
                _ if cause.contains("does not support TLS") => {
                    "the server does not accept TLS connections; use sslmode=prefer or sslmode=disable"
                }
                _ => "check the server's TLS settings, or use sslmode=disable on a trusted network",
            };
            return PgError::Tls {
                url,
                reason: cause,
                hint,
            };
        }
        if kind.starts_with("invalid configuration") && cause.contains("password missing") {
            return PgError::AuthenticationFailed {
                url,
                user: self.user.clone(),
                message: format!(
                    "the server asks for a password for user \"{}\" but none was given",
                    self.user
                ),
            };
        }
        if kind.starts_with("authentication error") {
            return PgError::AuthenticationFailed {
                url,
                user: self.user.clone(),
                message: format!("authentication failed for user \"{}\": {cause}", self.user),
            };
        }
        if let Some(io_error) = find_io_error(error) {
            match io_error.kind() {
                io::ErrorKind::ConnectionRefused => {
                    return PgError::ConnectionRefused {
                        url,
                        target: self.target_description(),
                    };
                }
                io::ErrorKind::NotFound => {
                    if let Some(socket) = self.socket_path() {
                        return PgError::SocketNotFound { url, socket };
                    }
                }
                io::ErrorKind::TimedOut => {
                    return PgError::ConnectTimeout {
                        url,
                        target: self.target_description(),
                        seconds: self.connect_timeout.map(|d| d.as_secs()).unwrap_or(0),
                    };
                }
                _ => {}
            }
            if kind.starts_with("error connecting to server") {
                return PgError::Unreachable {
                    url,
                    reason: format!("{} ({io_error})", self.target_description()),
                };
            }
        }
        let message = if cause.is_empty() {
            kind
        } else {
            format!("{kind}: {cause}")
        };
        PgError::Connect { url, message }
    }
}

/// The rustls error behind a failed handshake. tokio-postgres wraps it in an io::Error, whose
/// `source()` skips the wrapped error itself, hence the `get_ref`.
fn find_rustls_error(error: &tokio_postgres::Error) -> Option<&rustls::Error> {
    let mut source = error.source();
    while let Some(current) = source {
        if let Some(tls_error) = current.downcast_ref::<rustls::Error>() {
            return Some(tls_error);
        }
        if let Some(inner) = current
            .downcast_ref::<io::Error>()
            .and_then(io::Error::get_ref)
            .and_then(|inner| inner.downcast_ref::<rustls::Error>())
        {
            return Some(inner);
        }
        source = current.source();
    }
    None
}

fn find_io_error(error: &tokio_postgres::Error) -> Option<&io::Error> {
    let mut source = error.source();
    while let Some(current) = source {
        if let Some(io_error) = current.downcast_ref::<io::Error>() {
            return Some(io_error);
        }
        source = current.source();
    }
    None
}

/// The connection task: it owns the socket and ends when the client is dropped.
async fn drive<S, T>(connection: tokio_postgres::Connection<S, T>)
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin,
    T: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin,
{
    if let Err(error) = connection.await {
        tracing::debug!("PostgreSQL connection ended: {error}");
    }
}

struct Setup(String);

enum Failure {
    Setup(Setup),
    Pg(tokio_postgres::Error),
}

impl From<Setup> for Failure {
    fn from(setup: Setup) -> Self {
        Failure::Setup(setup)
    }
}

impl From<tokio_postgres::Error> for Failure {
    fn from(error: tokio_postgres::Error) -> Self {
        Failure::Pg(error)
    }
}
