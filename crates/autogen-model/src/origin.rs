//! Where each declared object was written, and byte offset -> line/column.

use std::path::PathBuf;

/// A place in a model file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    pub file: PathBuf,
    /// 1-based.
    pub line: usize,
    /// 1-based, in characters.
    pub column: usize,
    pub byte_offset: usize,
    pub byte_len: usize,
}

/// Origins parallel to [`autogen_schema::Catalog`]'s enums and tables.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CatalogOrigins {
    /// The enum item of each `catalog.enums` entry.
    pub enums: Vec<Origin>,
    pub tables: Vec<TableOrigins>,
}

/// Origins parallel to one table's lists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableOrigins {
    /// The struct (its name).
    pub table: Origin,
    /// Each column's field, from its name to the end of its type.
    pub columns: Vec<Origin>,
    /// The attribute item that declared the primary key.
    pub primary_key: Option<Origin>,
    pub uniques: Vec<Origin>,
    pub foreign_keys: Vec<Origin>,
    pub checks: Vec<Origin>,
    pub indexes: Vec<Origin>,
}

/// Line starts of one text, for turning byte offsets into line and column.
pub(crate) struct LineIndex<'a> {
    text: &'a str,
    starts: Vec<usize>,
}

impl<'a> LineIndex<'a> {
    pub fn new(text: &'a str) -> Self {
        let starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(offset, _)| offset + 1))
            .collect();
        Self { text, starts }
    }

    /// 1-based line and character column of `offset` (clamped into the text).
    pub fn line_column(&self, offset: usize) -> (usize, usize) {
        let mut offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = self.starts.partition_point(|start| *start <= offset);
        let line_start = self.starts[line.saturating_sub(1)];
        let column = self.text[line_start..offset]
            .chars()
            .filter(|ch| *ch != '\u{feff}')
            .count();
        (line.max(1), column + 1)
    }

    pub fn origin(&self, file: &std::path::Path, range: std::ops::Range<usize>) -> Origin {
        let start = range.start.min(self.text.len());
        let end = range.end.clamp(start, self.text.len());
        let (line, column) = self.line_column(start);
        Origin {
            file: file.to_path_buf(),
            line,
            column,
            byte_offset: start,
            byte_len: end - start,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_and_columns_are_one_based_and_count_chars() {
        let index = LineIndex::new("ab\nçd\n\nx");
        assert_eq!(index.line_column(0), (1, 1));
        assert_eq!(index.line_column(2), (1, 3));
        assert_eq!(index.line_column(3), (2, 1));
        assert_eq!(index.line_column(5), (2, 2)); // after the two-byte `ç`
        assert_eq!(index.line_column(7), (3, 1));
        assert_eq!(index.line_column(8), (4, 1));
        assert_eq!(index.line_column(9), (4, 2));
        assert_eq!(index.line_column(999), (4, 2));
    }
}
