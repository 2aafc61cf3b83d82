//! Revision ids, file-name slugs and timestamps. Ids are UTC `yyyymmddHHMMSS`, so sorting file
//! names sorts revisions by creation time and every machine names a revision the same way.

use std::time::{SystemTime, UNIX_EPOCH};

/// The longest slug, in bytes, so file names stay readable and well under path limits.
const SLUG_LIMIT: usize = 60;

/// The file-name part derived from a message: lowercase ASCII alphanumeric words joined by `_`,
/// at most 60 bytes (whole words; a single longer word is cut), `revision` when nothing is left.
pub fn slug(message: &str) -> String {
    let mut slug = String::new();
    for word in message
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|word| !word.is_empty())
    {
        let word = word.to_ascii_lowercase();
        let separator = usize::from(!slug.is_empty());
        if slug.len() + separator + word.len() > SLUG_LIMIT {
            if slug.is_empty() {
                // ASCII only, so any byte index is a char boundary.
                slug.push_str(&word[..SLUG_LIMIT]);
            }
            break;
        }
        if separator == 1 {
            slug.push('_');
        }
        slug.push_str(&word);
    }
    if slug.is_empty() {
        "revision".to_owned()
    } else {
        slug
    }
}

/// A new revision id for `now` (UTC `yyyymmddHHMMSS`). When `taken` says the id is in use, the
/// next second is tried, and so on, so two revisions made within one second still differ.
pub fn new_revision_id(now: SystemTime, taken: &dyn Fn(&str) -> bool) -> String {
    let mut seconds = unix_seconds(now);
    loop {
        let id = compact_utc(seconds);
        if !taken(&id) {
            return id;
        }
        seconds += 1;
    }
}

/// `now` as RFC 3339 in UTC with whole seconds, e.g. `2026-11-21T10:30:00Z`.
pub fn rfc3339_utc(now: SystemTime) -> String {
    let t = CivilTime::from_unix(unix_seconds(now));
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
        t.year, t.month, t.day, t.hour, t.minute, t.second
    )
}

/// Whether `id` has the shape of a revision id: 14 ASCII digits.
pub(crate) fn is_revision_id(id: &str) -> bool {
    id.len() == 14 && id.bytes().all(|b| b.is_ascii_digit())
}

/// Whether `text` is `YYYY-MM-DDTHH:MM:SSZ` with plausible field ranges.
pub(crate) fn is_rfc3339_utc(text: &str) -> bool {
    let bytes = text.as_bytes();
    if bytes.len() != 20 {
        return false;
    }
    let shape_ok = bytes.iter().enumerate().all(|(i, &b)| match i {
        4 | 7 => b == b'-',
        10 => b == b'T',
        13 | 16 => b == b':',
        19 => b == b'Z',
        _ => b.is_ascii_digit(),
    });
    if !shape_ok {
        return false;
    }
    let number = |from: usize, to: usize| -> u32 {
        bytes[from..to]
            .iter()
            .fold(0, |n, b| n * 10 + u32::from(b - b'0'))
    };
    (1..=12).contains(&number(5, 7))
        && (1..=31).contains(&number(8, 10))
        && number(11, 13) < 24
        && number(14, 16) < 60
        && number(17, 19) < 61
}

fn unix_seconds(now: SystemTime) -> i64 {
    match now.duration_since(UNIX_EPOCH) {
        Ok(after) => i64::try_from(after.as_secs()).unwrap_or(i64::MAX / 2),
        Err(before) => -i64::try_from(before.duration().as_secs()).unwrap_or(i64::MAX / 2),
    }
}

fn compact_utc(seconds: i64) -> String {
    let t = CivilTime::from_unix(seconds);
    format!(
        "{:04}{:02}{:02}{:02}{:02}{:02}",
        t.year, t.month, t.day, t.hour, t.minute, t.second
    )
}

/// A UTC calendar time.
struct CivilTime {
    year: i64,
    month: u32,
    day: u32,
    hour: u32,
    minute: u32,
    second: u32,
}

impl CivilTime {
    /// Howard Hinnant's `civil_from_days`, valid for every day an i64 of seconds can name.
    fn from_unix(seconds: i64) -> CivilTime {
        let days = seconds.div_euclid(86_400);
        let in_day = seconds.rem_euclid(86_400);
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let day_of_era = z.rem_euclid(146_097);
        let year_of_era =
            (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
        let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
        let mp = (5 * day_of_year + 2) / 153;
        let day = day_of_year - (153 * mp + 2) / 5 + 1;
        let month = if mp < 10 { mp + 3 } else { mp - 9 };
        let year = year_of_era + era * 400 + i64::from(month <= 2);
        // Every narrowed value is within its small range by construction.
        CivilTime {
            year,
            month: month as u32,
            day: day as u32,
            hour: (in_day / 3600) as u32,
            minute: (in_day / 60 % 60) as u32,
            second: (in_day % 60) as u32,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn at(seconds: u64) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(seconds)
    }

    #[test]
    fn formats_utc_times() {
        assert_eq!(rfc3339_utc(at(0)), "1970-01-01T00:00:00Z");
        // 2026-11-21T10:30:00Z
        assert_eq!(rfc3339_utc(at(1_795_257_000)), "2026-11-21T10:30:00Z");
        // A leap day.
        assert_eq!(rfc3339_utc(at(951_782_400)), "2000-02-29T00:00:00Z");
        assert_eq!(rfc3339_utc(at(4_107_542_399)), "2100-02-28T23:59:59Z");
        assert_eq!(
            rfc3339_utc(UNIX_EPOCH - Duration::from_secs(1)),
            "1969-12-31T23:59:59Z"
        );
    }

    #[test]
    fn ids_skip_taken_seconds() {
        let now = at(1_795_257_000);
        assert_eq!(new_revision_id(now, &|_| false), "20261121103000");
        let taken = |id: &str| id == "20261121103000" || id == "20261121103001";
        assert_eq!(new_revision_id(now, &taken), "20261121103002");
        // Carries across the minute, hour and day.
        let end_of_day = at(1_795_305_599);
        assert_eq!(new_revision_id(end_of_day, &|_| false), "20261121235959");
        assert_eq!(
            new_revision_id(end_of_day, &|id| id == "20261121235959"),
            "20261122000000"
        );
    }

    #[test]
    fn slugs() {
        assert_eq!(slug("Add phone to users"), "add_phone_to_users");
        assert_eq!(slug("  --Fix: käse & \"quotes\"!! "), "fix_k_se_quotes");
        assert_eq!(slug(""), "revision");
        assert_eq!(slug("!!! ---"), "revision");
        let long = "word ".repeat(30);
        let cut = slug(&long);
        assert!(cut.len() <= 60, "{cut}");
        assert!(!cut.ends_with('_'));
        assert_eq!(cut, ["word"; 12].join("_"));
        assert_eq!(slug(&"x".repeat(100)), "x".repeat(60));
    }

    #[test]
    fn validates_shapes() {
        assert!(is_revision_id("20261121103000"));
        assert!(!is_revision_id("2026112110300"));
        assert!(!is_revision_id("2026112110300a"));
        assert!(is_rfc3339_utc("2026-11-21T10:30:00Z"));
        assert!(!is_rfc3339_utc("2026-13-21T10:30:00Z"));
        assert!(!is_rfc3339_utc("2026-11-21 10:30:00Z"));
        assert!(!is_rfc3339_utc("2026-11-21T10:30:00+01:00"));
    }
}
