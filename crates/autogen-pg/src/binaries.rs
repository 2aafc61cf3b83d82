//! Finding the PostgreSQL server binaries (initdb + postgres) installed on this machine.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::error::PgError;

/// A directory holding `initdb` and `postgres`, with the server version it reports.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PgBinaries {
    pub bindir: PathBuf,
    /// As `postgres --version` prints it, e.g. "15.18".
    pub version: String,
    pub major: u32,
}

impl PgBinaries {
    /// Checks that `bindir` holds executable initdb and postgres, and asks postgres its version.
    pub fn from_bindir(bindir: &Path) -> Result<Self, PgError> {
        if missing_programs(bindir).is_some() {
            return Err(PgError::BinariesNotFound {
                searched: vec![bindir.to_path_buf()],
            });
        }
        probe_version(bindir)
    }

    pub fn initdb(&self) -> PathBuf {
        self.bindir.join("initdb")
    }

    pub fn postgres(&self) -> PathBuf {
        self.bindir.join("postgres")
    }
}

/// Search order: $AUTOGEN_PG_BIN, `pg_config --bindir`, each dir of $PATH containing initdb AND
/// postgres, then the places packages install them ([`INSTALL_LOCATIONS`]), newest major first.
pub fn find_binaries() -> Result<PgBinaries, PgError> {
    find_binaries_with_env(&|key| std::env::var(key).ok())
}

/// [`find_binaries`] reading the environment (AUTOGEN_PG_BIN, PATH) through `env`.
pub fn find_binaries_with_env(env: &dyn Fn(&str) -> Option<String>) -> Result<PgBinaries, PgError> {
    // An explicit choice is honoured or reported, never silently replaced by another install.
    if let Some(dir) = env("AUTOGEN_PG_BIN").filter(|v| !v.is_empty()) {
        let dir = PathBuf::from(dir);
        if let Some(problem) = missing_programs(&dir) {
            return Err(PgError::BinariesInvalid { path: dir, problem });
        }
        return probe_version(&dir);
    }

    let path_dirs: Vec<PathBuf> = env("PATH")
        .map(|p| std::env::split_paths(&p).collect())
        .unwrap_or_default();
    let mut candidates: Vec<PathBuf> = Vec::new();
    if let Some(dir) = pg_config_bindir(&path_dirs) {
        candidates.push(dir);
    }
    candidates.extend(path_dirs.iter().cloned());
    // The places with nothing installed here are named by their pattern in the error.
    let mut absent: Vec<PathBuf> = Vec::new();
    for location in INSTALL_LOCATIONS {
        let dirs = location.bindirs();
        if dirs.is_empty() {
            absent.push(location.pattern());
        }
        candidates.extend(dirs);
    }

    let mut searched: Vec<PathBuf> = Vec::new();
    for dir in candidates {
        if searched.contains(&dir) {
            continue;
        }
        searched.push(dir.clone());
        if missing_programs(&dir).is_none() {
            match probe_version(&dir) {
                Ok(found) => return Ok(found),
                Err(e) => tracing::warn!("skipping {}: {e}", dir.display()),
            }
        }
    }
    searched.extend(absent);
    Err(PgError::BinariesNotFound { searched })
}

/// `None` when both programs are there and executable, else what is wrong.
fn missing_programs(dir: &Path) -> Option<String> {
    if !dir.is_dir() {
        return Some("not a directory".to_owned());
    }
    let missing: Vec<&str> = ["initdb", "postgres"]
        .into_iter()
        .filter(|name| !is_executable(&dir.join(name)))
        .collect();
    match missing.as_slice() {
        [] => None,
        names => Some(format!("no executable {}", names.join(" or "))),
    }
}

fn is_executable(path: &Path) -> bool {
    std::fs::metadata(path)
        .map(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
        .unwrap_or(false)
}

/// `pg_config --bindir` of the first pg_config on PATH. Debian's libpq-dev ships one that points
/// at the server's bindir (/usr/lib/postgresql/N/bin).
fn pg_config_bindir(path_dirs: &[PathBuf]) -> Option<PathBuf> {
    let pg_config = path_dirs
        .iter()
        .map(|d| d.join("pg_config"))
        .find(|p| is_executable(p))?;
    let output = Command::new(&pg_config)
        .arg("--bindir")
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output()
        .ok()?;
    if !output.status.success() {
        return None;
    }
    let dir = String::from_utf8(output.stdout).ok()?;
    let dir = dir.trim();
    (!dir.is_empty()).then(|| PathBuf::from(dir))
}

/// Where a package puts the server binaries of one major version: `root/<prefix><version>/<bin>`.
struct InstallLocation {
    root: &'static str,
    /// Before the version in the directory's name (`postgresql@` for Homebrew's `postgresql@17`).
    prefix: &'static str,
    /// Below the versioned directory.
    bin: &'static str,
    /// Also an unversioned `root/<prefix without @>/<bin>` (Homebrew's `postgresql` formula).
    unversioned: bool,
}

/// Debian/Ubuntu, the PGDG packages of Fedora/RHEL, Homebrew on Apple silicon and on Intel
/// Macs, Postgres.app.
const INSTALL_LOCATIONS: [InstallLocation; 5] = [
    InstallLocation {
        root: "/usr/lib/postgresql",
        prefix: "",
        bin: "bin",
        unversioned: false,
    },
    InstallLocation {
        root: "/usr",
        prefix: "pgsql-",
        bin: "bin",
        unversioned: false,
    },
    InstallLocation {
        root: "/opt/homebrew/opt",
        prefix: "postgresql@",
        bin: "bin",
        unversioned: true,
    },
    InstallLocation {
        root: "/usr/local/opt",
        prefix: "postgresql@",
        bin: "bin",
        unversioned: true,
    },
    InstallLocation {
        root: "/Applications/Postgres.app/Contents/Versions",
        prefix: "",
        bin: "bin",
        unversioned: false,
    },
];

impl InstallLocation {
    /// The directories present, newest major first (then the unversioned one).
    fn bindirs(&self) -> Vec<PathBuf> {
        let mut dirs = versioned_bindirs(Path::new(self.root), self.prefix, self.bin);
        if self.unversioned {
            let name = self.prefix.trim_end_matches('@');
            let dir = Path::new(self.root).join(name).join(self.bin);
            if dir.is_dir() {
                dirs.push(dir);
            }
        }
        dirs
    }

    /// For messages: `/opt/homebrew/opt/postgresql@*/bin`.
    fn pattern(&self) -> PathBuf {
        Path::new(self.root)
            .join(format!("{}*", self.prefix))
            .join(self.bin)
    }
}

/// `root/<prefix><version>/<bin>` for every version-named entry of `root`, newest first.
fn versioned_bindirs(root: &Path, prefix: &str, bin: &str) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(root) else {
        return Vec::new();
    };
    let mut versions: Vec<(Vec<u32>, PathBuf)> = entries
        .filter_map(Result::ok)
        .filter_map(|entry| {
            let name = entry.file_name().to_string_lossy().into_owned();
            let key: Vec<u32> = name
                .strip_prefix(prefix)?
                .split('.')
                .map(|part| part.parse().ok())
                .collect::<Option<_>>()?;
            Some((key, entry.path().join(bin)))
        })
        .collect();
    versions.sort_by(|a, b| b.0.cmp(&a.0));
    versions.into_iter().map(|(_, dir)| dir).collect()
}

fn probe_version(bindir: &Path) -> Result<PgBinaries, PgError> {
    let postgres = bindir.join("postgres");
    let output = Command::new(&postgres)
        .arg("--version")
        .stdin(Stdio::null())
        .output()
        .map_err(|e| PgError::BinaryVersion {
            path: postgres.clone(),
            reason: e.to_string(),
        })?;
    let text = String::from_utf8_lossy(&output.stdout);
    if !output.status.success() {
        return Err(PgError::BinaryVersion {
            path: postgres,
            reason: format!(
                "it exited with {}: {}",
                output.status,
                String::from_utf8_lossy(&output.stderr).trim()
            ),
        });
    }
    let (version, major) = parse_version(&text).ok_or_else(|| PgError::BinaryVersion {
        path: postgres.clone(),
        reason: format!("unexpected output {:?}", text.trim()),
    })?;
    Ok(PgBinaries {
        bindir: bindir.to_path_buf(),
        version,
        major,
    })
}

/// "postgres (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1)" -> ("15.18", 15); "17devel" -> 17.
fn parse_version(text: &str) -> Option<(String, u32)> {
    let after = match text.find("(PostgreSQL)") {
        Some(i) => &text[i + "(PostgreSQL)".len()..],
        None => text.trim().rsplit(' ').next()?,
    };
    let version = after.split_whitespace().next()?.to_owned();
    let digits: String = version.chars().take_while(char::is_ascii_digit).collect();
    let major = digits.parse().ok()?;
    Some((version, major))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions() {
        assert_eq!(
            parse_version("postgres (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1)\n"),
            Some(("15.18".to_owned(), 15))
        );
        assert_eq!(
            parse_version("postgres (PostgreSQL) 17devel"),
            Some(("17devel".to_owned(), 17))
        );
        assert_eq!(
            parse_version("postgres (PostgreSQL) 18beta1"),
            Some(("18beta1".to_owned(), 18))
        );
        assert_eq!(parse_version("nonsense"), None);
    }

    #[test]
    fn debian_dirs_newest_first() {
        let root = tempfile::tempdir().expect("tempdir");
        for v in ["9.6", "12", "15", "not-a-version"] {
            std::fs::create_dir(root.path().join(v)).expect("mkdir");
        }
        let dirs = versioned_bindirs(root.path(), "", "bin");
        let names: Vec<String> = dirs
            .iter()
            .map(|d| {
                d.parent()
                    .and_then(|p| p.file_name())
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default()
            })
            .collect();
        assert_eq!(names, ["15", "12", "9.6"]);
    }

    #[test]
    fn homebrew_and_pgdg_dirs_newest_first() {
        let root = tempfile::tempdir().expect("tempdir");
        for name in [
            "postgresql@14",
            "postgresql@17",
            "postgresql",
            "pgsql-16",
            "other@18",
        ] {
            std::fs::create_dir(root.path().join(name)).expect("mkdir");
        }
        let names = |dirs: Vec<PathBuf>| -> Vec<String> {
            dirs.iter()
                .filter_map(|d| d.strip_prefix(root.path()).ok())
                .map(|d| d.to_string_lossy().into_owned())
                .collect()
        };
        assert_eq!(
            names(versioned_bindirs(root.path(), "postgresql@", "bin")),
            ["postgresql@17/bin", "postgresql@14/bin"]
        );
        assert_eq!(
            names(versioned_bindirs(root.path(), "pgsql-", "bin")),
            ["pgsql-16/bin"]
        );
        let patterns: Vec<PathBuf> = INSTALL_LOCATIONS.iter().map(|l| l.pattern()).collect();
        assert!(patterns.contains(&PathBuf::from("/opt/homebrew/opt/postgresql@*/bin")));
        assert!(patterns.contains(&PathBuf::from("/usr/local/opt/postgresql@*/bin")));
        assert!(patterns.contains(&PathBuf::from(
            "/Applications/Postgres.app/Contents/Versions/*/bin"
        )));
    }

    #[test]
    fn explicit_dir_that_is_empty_is_an_error_naming_it() {
        let dir = tempfile::tempdir().expect("tempdir");
        let dir_text = dir.path().to_string_lossy().into_owned();
        let env = |key: &str| (key == "AUTOGEN_PG_BIN").then(|| dir_text.clone());
        let err = find_binaries_with_env(&env).expect_err("empty dir");
        let text = err.to_string();
        assert!(text.contains("AUTOGEN_PG_BIN"), "{text}");
        assert!(text.contains(&dir_text), "{text}");
        assert!(text.contains("no executable initdb or postgres"), "{text}");
    }

    #[test]
    fn nothing_found_lists_what_was_searched() {
        let empty = tempfile::tempdir().expect("tempdir");
        let path = empty.path().to_string_lossy().into_owned();
        let env = |key: &str| (key == "PATH").then(|| path.clone());
        // /usr/lib/postgresql may hold a real install here; only check the error shape if not.
        if let Err(err) = find_binaries_with_env(&env) {
            let text = err.to_string();
            assert!(text.contains(&path), "{text}");
            assert!(text.contains("apt-get install postgresql"), "{text}");
            assert!(text.contains("brew install postgresql"), "{text}");
            assert!(text.contains("--dev-url"), "{text}");
            assert!(text.contains("AUTOGEN_PG_BIN"), "{text}");
        }
    }
}
