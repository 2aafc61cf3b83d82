//! Finds a model's columns by name for constraint and index lists, explaining near misses.

use super::column::ColumnDecl;
use crate::naming::unraw;
use crate::problem::{Problem, Spanned};
use crate::suggest;

/// Finds columns by name for constraint lists, explaining near misses.
pub(crate) struct ColumnLookup<'a> {
    pub columns: &'a [ColumnDecl],
    /// Field names left out with `#[model(skip)]`.
    pub skipped: &'a [String],
}

impl ColumnLookup<'_> {
    pub fn exists(&self, name: &str) -> bool {
        self.columns.iter().any(|decl| decl.column.name == name)
    }

    pub fn missing(&self, name: &Spanned<String>) -> Problem {
        let problem = Problem::new(
            name.loc,
            format!("there is no column `{}` in this model", name.value),
        )
        .label("unknown column");
        if let Some(decl) = self
            .columns
            .iter()
            .find(|decl| unraw(&decl.field) == name.value)
        {
            return problem.help(format!(
                "`{}` is a field; its column is called `{}`",
                name.value, decl.column.name
            ));
        }
        if self.skipped.contains(&name.value) {
            return problem.help(format!("`{}` is skipped with #[model(skip)]", name.value));
        }
        let names: Vec<&str> = self
            .columns
            .iter()
            .map(|decl| decl.column.name.as_str())
            .collect();
        problem.help(
            suggest::did_you_mean(&name.value, names.iter().copied())
                .unwrap_or_else(|| format!("the columns are: {}", names.join(", "))),
        )
    }

    /// The names, or `None` (with problems) when any is not a column.
    pub fn resolve(
        &self,
        names: &[Spanned<String>],
        problems: &mut Vec<Problem>,
    ) -> Option<Vec<String>> {
        let mut ok = true;
        for name in names {
            if !self.exists(&name.value) {
                problems.push(self.missing(name));
                ok = false;
            }
        }
        ok.then(|| names.iter().map(|name| name.value.clone()).collect())
    }
}
