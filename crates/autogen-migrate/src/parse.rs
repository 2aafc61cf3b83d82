//! Reading a revision file. Strict on purpose: the files are the truth about a database, so a
//! typo in a header or a misplaced marker is an error at its line, never a silent default.
//!
//! Shape: `-- key: value` header lines (and blank lines) up to `-- migrate:up`, then the up
//! body, then `-- migrate:down` and its body. A marker may carry `transaction:false`. A
//! `-- batch:` comment line in a body is checked here too (`batch.rs::check_section`): valid
//! options, a DML statement right below it, a `transaction:false` section.

use std::path::Path;

use crate::error::ParseProblem;
use crate::naming::{is_revision_id, is_rfc3339_utc};
use crate::revision::normalize_body;
use crate::{MigrateError, Revision, RevisionPhase, Section};

/// A parsed file with the header lines the graph needs for its errors.
pub(crate) struct Parsed {
    pub revision: Revision,
    /// 1-based line of `-- revision:`.
    pub revision_line: usize,
    /// 1-based line of `-- parents:`.
    pub parents_line: usize,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Up,
    Down,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::Up => "up",
            Kind::Down => "down",
        }
    }
}

/// A `-- migrate:<kind> [transaction:false]` line.
struct Marker {
    kind: Kind,
    transactional: bool,
}

/// A header value and its line.
struct Value<'a> {
    text: &'a str,
    line: usize,
}

#[derive(Default)]
struct Header<'a> {
    revision: Option<Value<'a>>,
    parents: Option<Value<'a>>,
    message: Option<Value<'a>>,
    created: Option<Value<'a>>,
    origin: Option<Value<'a>>,
    phase: Option<Value<'a>>,
}

pub(crate) fn parse(path: &Path, text: &str) -> Result<Parsed, MigrateError> {
    let error = |line: usize, problem: ParseProblem| MigrateError::Parse {
        path: path.to_path_buf(),
        line,
        problem,
    };
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let lines: Vec<&str> = text.lines().collect();

    // Header: everything before the first marker.
    let mut header = Header::default();
    let mut up_at = None;
    for (index, line) in lines.iter().enumerate() {
        let number = index + 1;
        if let Some(marker) = marker(line) {
            match marker.map_err(|problem| error(number, problem))? {
                Marker { kind: Kind::Up, .. } => {
                    up_at = Some(index);
                    break;
                }
                Marker {
                    kind: Kind::Down, ..
                } => return Err(error(number, ParseProblem::DownBeforeUp)),
            }
        }
        if line.trim().is_empty() {
            continue;
        }
        let (key, value) =
            header_line(line).ok_or_else(|| error(number, ParseProblem::UnexpectedHeaderLine))?;
        let (slot, name) = match key {
            "revision" => (&mut header.revision, "revision"),
            "parents" => (&mut header.parents, "parents"),
            "message" => (&mut header.message, "message"),
            "created" => (&mut header.created, "created"),
            "origin" => (&mut header.origin, "origin"),
            "phase" => (&mut header.phase, "phase"),
            other => return Err(error(number, ParseProblem::UnknownHeader(other.to_owned()))),
        };
        if slot.is_some() {
            return Err(error(number, ParseProblem::DuplicateHeader(name)));
        }
        *slot = Some(Value {
            text: value,
            line: number,
        });
    }

    fn required<'a>(
        value: Option<Value<'a>>,
        name: &'static str,
        error: impl Fn(usize, ParseProblem) -> MigrateError,
    ) -> Result<Value<'a>, MigrateError> {
        value.ok_or_else(|| error(1, ParseProblem::MissingHeader(name)))
    }
    let id_value = required(header.revision, "revision", error)?;
    let parents_value = required(header.parents, "parents", error)?;
    let message_value = required(header.message, "message", error)?;
    let created_value = required(header.created, "created", error)?;

    if !is_revision_id(id_value.text) {
        return Err(error(
            id_value.line,
            ParseProblem::InvalidRevisionId(id_value.text.to_owned()),
        ));
    }
    let parents = parse_parents(id_value.text, parents_value.text)
        .map_err(|problem| error(parents_value.line, problem))?;
    if !is_rfc3339_utc(created_value.text) {
        return Err(error(
            created_value.line,
            ParseProblem::InvalidCreated(created_value.text.to_owned()),
        ));
    }

    let phase = match header.phase {
        None => None,
        Some(value) => Some(RevisionPhase::parse(value.text).ok_or_else(|| {
            error(
                value.line,
                ParseProblem::InvalidPhase(value.text.to_owned()),
            )
        })?),
    };

    // Sections.
    let up_at = up_at.ok_or_else(|| error(lines.len().max(1), ParseProblem::MissingUp))?;
    let mut sections: Vec<(Marker, usize)> = Vec::new();
    for (index, line) in lines.iter().enumerate().skip(up_at) {
        let Some(marker) = marker(line) else {
            continue;
        };
        let marker = marker.map_err(|problem| error(index + 1, problem))?;
        if sections.iter().any(|(seen, _)| seen.kind == marker.kind) {
            return Err(error(
                index + 1,
                ParseProblem::DuplicateSection(marker.kind.name()),
            ));
        }
        sections.push((marker, index));
    }
    let [(up_marker, up_index), (down_marker, down_index)]: [(Marker, usize); 2] = sections
        .try_into()
        .map_err(|_| error(up_at + 1, ParseProblem::MissingDown))?;
    let up = Section {
        transactional: up_marker.transactional,
        sql: normalize_body(lines[up_index + 1..down_index].iter().copied()),
        first_line: up_index + 2,
    };
    let down = Section {
        transactional: down_marker.transactional,
        sql: normalize_body(lines[down_index + 1..].iter().copied()),
        first_line: down_index + 2,
    };

    for (section, marker_index) in [(&up, up_index), (&down, down_index)] {
        let statements = crate::split::split_statements(&section.sql);
        crate::batch::check_section(&section.sql, section.transactional, &statements)
            .map_err(|(line, problem)| error(marker_index + 1 + line, problem))?;
    }

    Ok(Parsed {
        revision: Revision {
            id: id_value.text.to_owned(),
            parents,
            message: message_value.text.to_owned(),
            created: created_value.text.to_owned(),
            origin: header.origin.map(|value| value.text.to_owned()),
            phase,
            up,
            down,
        },
        revision_line: id_value.line,
        parents_line: parents_value.line,
    })
}

/// `Some` when `line` is a section marker (`-- migrate:` directly followed by a name), with the
/// problem if the marker itself is wrong. `-- migrate: words` is an ordinary comment.
fn marker(line: &str) -> Option<Result<Marker, ParseProblem>> {
    let rest = line
        .strip_prefix("--")?
        .trim_start()
        .strip_prefix("migrate:")?;
    if rest.is_empty() || rest.starts_with(char::is_whitespace) {
        return None;
    }
    let mut words = rest.split_whitespace();
    let kind = match words.next() {
        Some("up") => Kind::Up,
        Some("down") => Kind::Down,
        other => {
            return Some(Err(ParseProblem::UnknownSection(
                other.unwrap_or_default().to_owned(),
            )));
        }
    };
    let transactional = match (words.next(), words.next()) {
        (None, _) => true,
        (Some("transaction:false"), None) => false,
        (Some("transaction:true"), None) => true,
        (Some(_), Some(extra)) => {
            return Some(Err(ParseProblem::BadSectionOption(extra.to_owned())));
        }
        (Some(option), None) => {
            return Some(Err(ParseProblem::BadSectionOption(option.to_owned())));
        }
    };
    Some(Ok(Marker {
        kind,
        transactional,
    }))
}

/// `-- key: value` -> `(key, trimmed value)`; keys are lowercase words.
fn header_line(line: &str) -> Option<(&str, &str)> {
    let rest = line.strip_prefix("--")?.trim_start();
    let key_end = rest.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-'))?;
    let (key, value) = rest.split_at(key_end);
    let value = value.strip_prefix(':')?;
    if key.is_empty() {
        return None;
    }
    Some((key, value.trim()))
}

fn parse_parents(id: &str, value: &str) -> Result<Vec<String>, ParseProblem> {
    if value.is_empty() {
        return Ok(Vec::new());
    }
    let mut parents: Vec<String> = Vec::new();
    for parent in value.split(',').map(str::trim) {
        if parent.is_empty() {
            return Err(ParseProblem::EmptyParent);
        }
        if !is_revision_id(parent) {
            return Err(ParseProblem::InvalidRevisionId(parent.to_owned()));
        }
        if parent == id {
            return Err(ParseProblem::SelfParent(parent.to_owned()));
        }
        if parents.iter().any(|seen| seen == parent) {
            return Err(ParseProblem::DuplicateParent(parent.to_owned()));
        }
        parents.push(parent.to_owned());
    }
    Ok(parents)
}
