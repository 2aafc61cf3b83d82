//! `CREATE AGGREGATE` from a `pg_aggregate` row. PostgreSQL has no deparser for aggregates
//! (`pg_get_functiondef` refuses them), so the statement is put together the way pg_dump
//! does (`dumpAgg`): every option that differs from its default, in pg_dump's order, with
//! function names as `regproc` prints them under an empty search_path.

use autogen_schema::{QualifiedName, quote_literal};

/// What `pg_aggregate` (and `pg_proc`) say about an aggregate. Function names are `None` when
/// the aggregate has none of that kind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Aggregate {
    pub name: QualifiedName,
    /// `pg_get_function_arguments`: `integer`, `text ORDER BY anyelement`, or empty.
    pub arguments: String,
    /// `proparallel`: `s`afe, `r`estricted, `u`nsafe.
    pub parallel: char,
    /// `aggkind`: `n`ormal, `o`rdered-set, `h`ypothetical-set.
    pub kind: char,
    pub transition: String,
    pub state_type: String,
    pub state_space: i32,
    pub initial_value: Option<String>,
    pub final_function: Option<String>,
    pub final_extra: bool,
    /// `r`ead only, `s`hareable, read `w`rite.
    pub final_modify: char,
    pub combine: Option<String>,
    pub serial: Option<String>,
    pub deserial: Option<String>,
    pub moving_transition: Option<String>,
    pub moving_inverse: Option<String>,
    pub moving_state_type: Option<String>,
    pub moving_state_space: i32,
    pub moving_initial_value: Option<String>,
    pub moving_final_function: Option<String>,
    pub moving_final_extra: bool,
    pub moving_final_modify: char,
    /// `OPERATOR(schema.op)`.
    pub sort_operator: Option<String>,
}

fn modify(code: char) -> &'static str {
    match code {
        's' => "SHAREABLE",
        'w' => "READ_WRITE",
        _ => "READ_ONLY",
    }
}

impl Aggregate {
    /// The statement, without `;`.
    pub fn definition(&self) -> String {
        // An ordinary aggregate's final function only reads the state by default; an
        // ordered-set one's may write it.
        let default_modify = if self.kind == 'n' { 'r' } else { 'w' };
        let mut options = vec![
            format!("SFUNC = {}", self.transition),
            format!("STYPE = {}", self.state_type),
        ];
        if self.state_space != 0 {
            options.push(format!("SSPACE = {}", self.state_space));
        }
        if let Some(value) = &self.initial_value {
            options.push(format!("INITCOND = {}", quote_literal(value)));
        }
        if let Some(function) = &self.final_function {
            options.push(format!("FINALFUNC = {function}"));
            if self.final_extra {
                options.push("FINALFUNC_EXTRA".to_string());
            }
            if self.final_modify != default_modify {
                options.push(format!("FINALFUNC_MODIFY = {}", modify(self.final_modify)));
            }
        }
        for (key, value) in [
            ("COMBINEFUNC", &self.combine),
            ("SERIALFUNC", &self.serial),
            ("DESERIALFUNC", &self.deserial),
        ] {
            if let Some(value) = value {
                options.push(format!("{key} = {value}"));
            }
        }
        if let Some(function) = &self.moving_transition {
            options.push(format!("MSFUNC = {function}"));
            if let Some(inverse) = &self.moving_inverse {
                options.push(format!("MINVFUNC = {inverse}"));
            }
            if let Some(state_type) = &self.moving_state_type {
                options.push(format!("MSTYPE = {state_type}"));
            }
        }
        if self.moving_state_space != 0 {
            options.push(format!("MSSPACE = {}", self.moving_state_space));
        }
        if let Some(value) = &self.moving_initial_value {
            options.push(format!("MINITCOND = {}", quote_literal(value)));
        }
        if let Some(function) = &self.moving_final_function {
            options.push(format!("MFINALFUNC = {function}"));
            if self.moving_final_extra {
                options.push("MFINALFUNC_EXTRA".to_string());
            }
            if self.moving_final_modify != default_modify {
                options.push(format!(
                    "MFINALFUNC_MODIFY = {}",
                    modify(self.moving_final_modify)
                ));
            }
        }
        if let Some(operator) = &self.sort_operator {
            options.push(format!("SORTOP = {operator}"));
        }
        if self.kind == 'h' {
            options.push("HYPOTHETICAL".to_string());
        }
        match self.parallel {
            's' => options.push("PARALLEL = SAFE".to_string()),
            'r' => options.push("PARALLEL = RESTRICTED".to_string()),
            _ => {}
        }
        // An aggregate without arguments is written `name(*)`.
        let arguments = if self.arguments.is_empty() {
            "*"
        } else {
            &self.arguments
        };
        format!(
            "CREATE AGGREGATE {}({arguments}) (\n    {}\n)",
            self.name.quoted(),
            options.join(",\n    ")
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sum() -> Aggregate {
        Aggregate {
            name: QualifiedName::new("app", "total"),
            arguments: "numeric".into(),
            parallel: 'u',
            kind: 'n',
            transition: "app.sum_step".into(),
            state_type: "numeric".into(),
            state_space: 0,
            initial_value: None,
            final_function: None,
            final_extra: false,
            final_modify: 'r',
            combine: None,
            serial: None,
            deserial: None,
            moving_transition: None,
            moving_inverse: None,
            moving_state_type: None,
            moving_state_space: 0,
            moving_initial_value: None,
            moving_final_function: None,
            moving_final_extra: false,
            moving_final_modify: 'r',
            sort_operator: None,
        }
    }

    #[test]
    fn only_options_that_differ_from_their_defaults_are_written() {
        assert_eq!(
            sum().definition(),
            "CREATE AGGREGATE \"app\".\"total\"(numeric) (\n    SFUNC = app.sum_step,\n    STYPE = numeric\n)"
        );
        let mut full = sum();
        full.initial_value = Some("0".into());
        full.final_function = Some("app.sum_final".into());
        full.final_modify = 'w';
        full.sort_operator = Some("OPERATOR(pg_catalog.>)".into());
        full.parallel = 's';
        full.arguments = String::new();
        assert_eq!(
            full.definition(),
            "CREATE AGGREGATE \"app\".\"total\"(*) (\n    SFUNC = app.sum_step,\n    STYPE = numeric,\n    \
             INITCOND = '0',\n    FINALFUNC = app.sum_final,\n    FINALFUNC_MODIFY = READ_WRITE,\n    \
             SORTOP = OPERATOR(pg_catalog.>),\n    PARALLEL = SAFE\n)"
        );
    }

    #[test]
    fn ordered_set_aggregates_default_to_read_write_final_functions() {
        let mut ordered = sum();
        ordered.kind = 'h';
        ordered.arguments = "VARIADIC \"any\" ORDER BY VARIADIC \"any\"".into();
        ordered.final_function = Some("f".into());
        ordered.final_modify = 'w';
        assert_eq!(
            ordered.definition(),
            "CREATE AGGREGATE \"app\".\"total\"(VARIADIC \"any\" ORDER BY VARIADIC \"any\") (\n    \
             SFUNC = app.sum_step,\n    STYPE = numeric,\n    FINALFUNC = f,\n    HYPOTHETICAL\n)"
        );
    }
}
