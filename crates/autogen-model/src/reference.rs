//! The target of a foreign key as users write it: `table(col)`, `schema.table(a, b)`.
//! Names are taken verbatim (like `table = "..."`); double quotes allow any character.

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Reference {
    pub schema: Option<String>,
    pub table: String,
    pub columns: Vec<String>,
}

const EXPECTED: &str = "expected `table(column)` or `schema.table(column, ...)`";

pub(crate) fn parse_reference(text: &str) -> Result<Reference, String> {
    let mut cursor = Cursor { rest: text };
    let first = cursor.ident()?;
    let (schema, table) = if cursor.eat('.') {
        (Some(first), cursor.ident()?)
    } else {
        (None, first)
    };
    if !cursor.eat('(') {
        return Err(format!("{EXPECTED}: the referenced column(s) are missing"));
    }
    let mut columns = vec![cursor.ident()?];
    while cursor.eat(',') {
        columns.push(cursor.ident()?);
    }
    if !cursor.eat(')') {
        return Err(format!("{EXPECTED}: missing `)`"));
    }
    cursor.skip_space();
    if !cursor.rest.is_empty() {
        return Err(format!(
            "{EXPECTED}: unexpected `{}` at the end",
            cursor.rest
        ));
    }
    Ok(Reference {
        schema,
        table,
        columns,
    })
}

struct Cursor<'a> {
    rest: &'a str,
}

impl<'a> Cursor<'a> {
    fn skip_space(&mut self) {
        self.rest = self.rest.trim_start();
    }

    fn eat(&mut self, ch: char) -> bool {
        self.skip_space();
        match self.rest.strip_prefix(ch) {
            Some(rest) => {
                self.rest = rest;
                true
            }
            None => false,
        }
    }

    fn ident(&mut self) -> Result<String, String> {
        self.skip_space();
        if let Some(rest) = self.rest.strip_prefix('"') {
            return self.quoted(rest);
        }
        let end = self
            .rest
            .find(|ch: char| ch.is_whitespace() || matches!(ch, '.' | '(' | ')' | ',' | '"'))
            .unwrap_or(self.rest.len());
        if end == 0 {
            return Err(format!("{EXPECTED}: a name is missing"));
        }
        let (name, rest) = self.rest.split_at(end);
        self.rest = rest;
        Ok(name.to_string())
    }

    /// A double-quoted name; `""` inside stands for one `"`.
    fn quoted(&mut self, mut rest: &'a str) -> Result<String, String> {
        let mut name = String::new();
        loop {
            let Some(end) = rest.find('"') else {
                return Err(format!("{EXPECTED}: unterminated quoted name"));
            };
            name.push_str(&rest[..end]);
            rest = &rest[end + 1..];
            match rest.strip_prefix('"') {
                Some(after) => {
                    name.push('"');
                    rest = after;
                }
                None => break,
            }
        }
        if name.is_empty() {
            return Err(format!("{EXPECTED}: a name is empty"));
        }
        self.rest = rest;
        Ok(name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reference(schema: Option<&str>, table: &str, columns: &[&str]) -> Reference {
        Reference {
            schema: schema.map(str::to_string),
            table: table.to_string(),
            columns: columns.iter().map(|c| c.to_string()).collect(),
        }
    }

    #[test]
    fn parses_plain_and_qualified_targets() {
        assert_eq!(
            parse_reference("worlds(id)"),
            Ok(reference(None, "worlds", &["id"]))
        );
        assert_eq!(
            parse_reference(" app . worlds ( a , b ) "),
            Ok(reference(Some("app"), "worlds", &["a", "b"]))
        );
        assert_eq!(
            parse_reference(r#""My.Schema"."T""x"("Id")"#),
            Ok(reference(Some("My.Schema"), "T\"x", &["Id"]))
        );
    }

    #[test]
    fn rejects_incomplete_targets() {
        for bad in [
            "",
            "worlds",
            "worlds(",
            "worlds()",
            "worlds(id",
            "a.(id)",
            "w(id) x",
            "\"x(id)",
            "\"\"(id)",
        ] {
            assert!(parse_reference(bad).is_err(), "{bad}");
        }
    }
}
