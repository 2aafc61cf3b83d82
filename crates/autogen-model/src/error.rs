//! The errors of a run, as miette diagnostics pointing into the model files.

use crate::origin::LineIndex;
use crate::problem::Problem;
use miette::{NamedSource, SourceSpan};
use std::path::{Path, PathBuf};

/// All errors of a run (never just the first), in file order.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
#[error("{}", summary(.errors.len()))]
pub struct ModelErrors {
    #[related]
    pub errors: Vec<ModelError>,
}

fn summary(count: usize) -> String {
    match count {
        1 => "1 error in the models".to_string(),
        _ => format!("{count} errors in the models"),
    }
}

impl ModelErrors {
    /// Every error as `path:line:col: message`, one per line.
    pub fn one_lines(&self) -> String {
        self.errors
            .iter()
            .map(ModelError::one_line)
            .collect::<Vec<_>>()
            .join("\n")
    }
}

/// One error in a model file.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
#[error("{message}")]
pub struct ModelError {
    pub message: String,
    /// The file, named by its path.
    #[source_code]
    pub source_code: NamedSource<String>,
    #[label("{label}")]
    pub span: SourceSpan,
    pub label: String,
    #[help]
    pub help: Option<String>,
    pub file: PathBuf,
    /// 1-based.
    pub line: usize,
    /// 1-based, in characters.
    pub column: usize,
}

impl ModelError {
    /// `path:line:col: message` — one line, for plain output and tests.
    pub fn one_line(&self) -> String {
        format!(
            "{}:{}:{}: {}",
            self.file.display(),
            self.line,
            self.column,
            self.message
        )
    }

    /// An error at a byte range of `text`, the contents of `file`.
    pub(crate) fn at(
        file: &Path,
        text: &str,
        range: std::ops::Range<usize>,
        message: String,
        label: String,
        help: Option<String>,
    ) -> Self {
        let origin = LineIndex::new(text).origin(file, range);
        Self {
            message,
            source_code: NamedSource::new(file.display().to_string(), text.to_string()),
            span: SourceSpan::new(origin.byte_offset.into(), origin.byte_len),
            label,
            help,
            file: origin.file,
            line: origin.line,
            column: origin.column,
        }
    }

    /// A problem found while analyzing `text` (the spans belong to its parse).
    pub(crate) fn from_problem(file: &Path, text: &str, problem: Problem) -> Self {
        Self::at(
            file,
            text,
            problem.loc.byte_range(),
            problem.message,
            problem.label,
            problem.help,
        )
    }
}
