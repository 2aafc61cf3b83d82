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
/// postgres, then /usr/lib/postgresql/*/bin newest major first.
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
    candidates.extend(debian_bindirs(Path::new("/usr/lib/postgresql")));

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
    if !searched
        .iter()
        .any(|d| d.starts_with("/usr/lib/postgresql"))
    {
        searched.push(PathBuf::from("/usr/lib/postgresql/*/bin"));
    }
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

/// `/usr/lib/postgresql/<major>/bin`, newest major first.
fn debian_bindirs(root: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(root) else {
        return Vec::new();
    };
    let mut versions: Vec<(Vec<u32>, PathBuf)> = entries
        .filter_map(Result::ok)
        .filter_map(|entry| {
            let name = entry.file_name().to_string_lossy().into_owned();
            let key: Vec<u32> = name
                .split('.')
                .map(|part| part.parse().ok())
                .collect::<Option<_>>()?;
            Some((key, entry.path().join("bin")))
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
        let dirs = debian_bindirs(root.path());
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
            assert!(text.contains("AUTOGEN_PG_BIN"), "{text}");
        }
    }
}
