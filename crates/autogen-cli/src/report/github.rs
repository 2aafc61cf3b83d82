//! GitHub Actions workflow commands (`--format github`): one `::error` or `::warning` line per
//! finding, which GitHub shows as an annotation on the file's line in the pull request.
//! Syntax and escaping follow GitHub's "Workflow commands" documentation: in the message,
//! `%`, CR and LF are percent-encoded; in property values `:` and `,` are too.

use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    /// A denied hazard, a missing revision, a drifted database: what fails the command.
    Error,
    /// A hazard the policy allows, a statement autogen cannot classify.
    Warning,
}

/// One annotation; without `file` GitHub shows it on the run's summary only.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Annotation {
    pub level: Level,
    /// Relative to the current directory (see [`super::display_path`]).
    pub file: Option<String>,
    /// 1-based; only meaningful with `file`.
    pub line: Option<usize>,
    pub title: String,
    pub message: String,
}

impl fmt::Display for Annotation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let command = match self.level {
            Level::Error => "error",
            Level::Warning => "warning",
        };
        let mut properties = Vec::new();
        if let Some(file) = &self.file {
            properties.push(format!("file={}", escape_property(file)));
            if let Some(line) = self.line {
                properties.push(format!("line={line}"));
            }
        }
        properties.push(format!("title={}", escape_property(&self.title)));
        write!(
            f,
            "::{command} {}::{}",
            properties.join(","),
            escape_data(&self.message)
        )
    }
}

/// The lines to print, each ending with a newline.
pub fn render(annotations: &[Annotation]) -> String {
    annotations.iter().map(|a| format!("{a}\n")).collect()
}

/// A message (the text after `::`).
pub fn escape_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// A property value (`file=`, `title=`).
pub fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_and_properties_are_escaped_as_github_documents() {
        let annotation = Annotation {
            level: Level::Error,
            file: Some("migrations/a,b:c.sql".to_string()),
            line: Some(7),
            title: "denied: data-loss, table-rewrite".to_string(),
            message: "100% sure:\r\nDROP TABLE a, b;".to_string(),
        };
        assert_eq!(
            annotation.to_string(),
            "::error file=migrations/a%2Cb%3Ac.sql,line=7,title=denied%3A data-loss%2C table-rewrite::100%25 sure:%0D%0ADROP TABLE a, b;"
        );
    }

    #[test]
    fn an_annotation_without_a_file_has_only_a_title() {
        let annotation = Annotation {
            level: Level::Warning,
            file: None,
            line: Some(3),
            title: "t".to_string(),
            message: "m".to_string(),
        };
        assert_eq!(annotation.to_string(), "::warning title=t::m");
    }
}
