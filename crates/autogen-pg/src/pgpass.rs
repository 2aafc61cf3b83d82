//! `~/.pgpass` lookup with libpq's rules: lines `hostname:port:database:username:password`, `*`
//! matches anything, `\` escapes `:` and `\`, `#` starts a comment line, and a file readable by
//! group or others is ignored (with a warning), exactly as libpq does.

use std::path::Path;

/// libpq matches connections over its default socket directory against the host name `localhost`.
pub(crate) const DEFAULT_SOCKET_DIR: &str = "/var/run/postgresql";

pub(crate) fn lookup(
    file: &Path,
    host: &str,
    port: u16,
    database: &str,
    user: &str,
) -> Option<String> {
    use std::os::unix::fs::PermissionsExt;
    let meta = std::fs::metadata(file).ok()?;
    if !meta.is_file() {
        return None;
    }
    if meta.permissions().mode() & 0o077 != 0 {
        tracing::warn!(
            "password file {} has group or world access; permissions should be u=rw (0600) or less; ignoring it",
            file.display()
        );
        return None;
    }
    let text = std::fs::read_to_string(file).ok()?;
    let host = if host == DEFAULT_SOCKET_DIR {
        "localhost"
    } else {
        host
    };
    let port = port.to_string();
    let wanted = [host, port.as_str(), database, user];
    text.lines()
        .filter(|line| !line.trim().is_empty() && !line.starts_with('#'))
        .find_map(|line| {
            let fields = split_line(line)?;
            let matches = fields[..4]
                .iter()
                .zip(wanted)
                .all(|(field, want)| field == "*" || field == want);
            matches.then(|| fields[4].clone())
        })
}

/// Splits a line into exactly five unescaped fields (the password takes the rest of the line).
fn split_line(line: &str) -> Option<Vec<String>> {
    let mut fields = Vec::with_capacity(5);
    let mut current = String::new();
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                if let Some(next) = chars.next() {
                    current.push(next);
                }
            }
            ':' if fields.len() < 4 => fields.push(std::mem::take(&mut current)),
            _ => current.push(c),
        }
    }
    fields.push(current);
    (fields.len() == 5).then_some(fields)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;
    use std::os::unix::fs::PermissionsExt;

    fn pgpass(contents: &str, mode: u32) -> tempfile::NamedTempFile {
        let mut file = tempfile::NamedTempFile::new().expect("temp file");
        file.write_all(contents.as_bytes()).expect("write");
        std::fs::set_permissions(file.path(), std::fs::Permissions::from_mode(mode))
            .expect("chmod");
        file
    }

    #[test]
    fn first_matching_line_wins_and_wildcards_match() {
        let file = pgpass(
            "# comment\n\
             db.example:5432:app:alice:first\n\
             *:*:app:alice:second\n\
             *:*:*:*:fallback\n",
            0o600,
        );
        let p = file.path();
        assert_eq!(
            lookup(p, "db.example", 5432, "app", "alice").as_deref(),
            Some("first")
        );
        assert_eq!(
            lookup(p, "other", 6000, "app", "alice").as_deref(),
            Some("second")
        );
        assert_eq!(
            lookup(p, "other", 6000, "x", "bob").as_deref(),
            Some("fallback")
        );
    }

    #[test]
    fn escapes_and_password_with_colons() {
        let file = pgpass("h\\:x:5432:d:u:pa\\:ss:w\\\\ord\n", 0o600);
        assert_eq!(
            lookup(file.path(), "h:x", 5432, "d", "u").as_deref(),
            Some("pa:ss:w\\ord")
        );
    }

    #[test]
    fn default_socket_dir_matches_localhost() {
        let file = pgpass("localhost:5432:d:u:pw\n", 0o600);
        assert_eq!(
            lookup(file.path(), DEFAULT_SOCKET_DIR, 5432, "d", "u").as_deref(),
            Some("pw")
        );
        assert_eq!(lookup(file.path(), "/tmp", 5432, "d", "u"), None);
    }

    #[test]
    fn group_readable_file_is_ignored() {
        let file = pgpass("*:*:*:*:pw\n", 0o640);
        assert_eq!(lookup(file.path(), "h", 5432, "d", "u"), None);
    }

    #[test]
    fn short_lines_are_skipped() {
        let file = pgpass("h:5432:d\n*:*:*:*:pw\n", 0o600);
        assert_eq!(
            lookup(file.path(), "h", 5432, "d", "u").as_deref(),
            Some("pw")
        );
    }
}
