//! A deterministic generator of large, realistic-looking schemas.
//!
//! Table `i` lives in schema `SCHEMAS[i % 4]`, has about ten columns of mixed types (a
//! `bigint` identity primary key, text, varchar(n), integer, numeric(12,2), boolean with a
//! default, timestamptz defaulting to now(), jsonb, uuid, one extra column from a palette, and —
//! for every table but the first — a `parent_id` with a foreign key to a random earlier table),
//! one CHECK constraint and three secondary indexes (a plain one, a multi-column one and a
//! partial or expression one). The same `(tables, seed)` always produces byte-identical SQL.
//!
//! Two workloads: [`Workload::Tables`] is the above; [`Workload::Objects`] gives every table a
//! plain, a partial and an expression index, and adds for every 100 tables a few of the other
//! objects a real schema has: a `BEGIN ATOMIC` function, a plpgsql trigger function with two
//! triggers, a view over a join, a view over that view and a materialized view with an index.

use std::fmt::Write as _;

/// The schemas the tables are spread over, round-robin.
pub const SCHEMAS: [&str; 4] = ["bench_core", "bench_sales", "bench_content", "bench_audit"];

const NOUNS: [&str; 12] = [
    "account", "order", "invoice", "product", "event", "session", "ticket", "document", "payment",
    "shipment", "review", "message",
];

/// splitmix64: tiny, fast and stable across platforms and Rust versions (unlike the
/// standard library's hashers), which is all a reproducible generator needs.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Self {
        Self(seed)
    }

    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n > 0`).
    fn below(&mut self, n: usize) -> usize {
        // The modulo bias is irrelevant for a benchmark generator.
        (self.next_u64() % n as u64) as usize
    }

    fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// Which kind of schema to generate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Workload {
    /// Tables only (each with a plain, a multi-column and a partial or expression index).
    Tables,
    /// Tables with a plain, a partial and an expression index each, and per 100 tables a
    /// function, a trigger function with two triggers, two views and a materialized view.
    Objects,
}

impl Workload {
    pub fn label(self) -> &'static str {
        match self {
            Workload::Tables => "tables",
            Workload::Objects => "objects",
        }
    }

    /// `tables` or `objects`.
    pub fn parse(text: &str) -> Option<Workload> {
        match text {
            "tables" => Some(Workload::Tables),
            "objects" => Some(Workload::Objects),
            _ => None,
        }
    }
}

/// One generated table: where it lives and the SQL that creates it (table, indexes, comment).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GeneratedTable {
    pub schema: &'static str,
    pub name: String,
    pub sql: String,
}

/// A generated schema: the preamble (`CREATE SCHEMA` statements) and the tables in
/// dependency order (every foreign key points at an earlier table).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GeneratedSchema {
    pub preamble: String,
    pub tables: Vec<GeneratedTable>,
    /// The other objects ([`Workload::Objects`]), one block per 100 tables, after the tables.
    pub objects: Vec<String>,
}

impl GeneratedSchema {
    /// The whole schema as one SQL script.
    pub fn to_sql(&self) -> String {
        let mut out = self.preamble.clone();
        for sql in self
            .tables
            .iter()
            .map(|table| &table.sql)
            .chain(&self.objects)
        {
            out.push('\n');
            out.push_str(sql);
        }
        out
    }

    /// The script split into chunks of at most `tables_per_batch` tables (the preamble
    /// first, the other objects last), each suitable for one multi-statement simple query.
    pub fn batches(&self, tables_per_batch: usize) -> Vec<String> {
        let mut batches = vec![self.preamble.clone()];
        for chunk in self.tables.chunks(tables_per_batch.max(1)) {
            batches.push(chunk.iter().map(|table| table.sql.as_str()).collect());
        }
        if !self.objects.is_empty() {
            batches.push(self.objects.concat());
        }
        batches
    }

    /// How many secondary indexes (not counting primary keys) the schema has.
    pub fn index_count(&self) -> usize {
        self.tables.len() * 3
    }
}

/// Generates `tables` tables from `seed` ([`Workload::Tables`]).
pub fn generate(tables: usize, seed: u64) -> GeneratedSchema {
    generate_workload(Workload::Tables, tables, seed)
}

/// Generates a `workload` schema of `tables` tables from `seed`.
pub fn generate_workload(workload: Workload, tables: usize, seed: u64) -> GeneratedSchema {
    let mut rng = Rng::new(seed);
    let mut preamble = format!("-- autogen-bench synthetic schema: {tables} tables, seed {seed}\n");
    for schema in SCHEMAS {
        let _ = writeln!(preamble, "CREATE SCHEMA {schema};");
    }

    let mut generated: Vec<GeneratedTable> = Vec::with_capacity(tables);
    for i in 0..tables {
        let schema = SCHEMAS[i % SCHEMAS.len()];
        let name = format!("{}_{i:05}", rng.pick(&NOUNS));
        let parent = if i == 0 {
            None
        } else {
            let target = &generated[rng.below(i)];
            Some((target.schema, target.name.clone()))
        };
        let sql = table_sql(&mut rng, workload, schema, &name, parent);
        generated.push(GeneratedTable { schema, name, sql });
    }
    let objects = match workload {
        Workload::Tables => Vec::new(),
        Workload::Objects => generated
            .chunks(100)
            .enumerate()
            .filter(|(_, block)| block.len() >= 2)
            .map(|(n, block)| objects_sql(n, block))
            .collect(),
    };
    GeneratedSchema {
        preamble,
        tables: generated,
        objects,
    }
}

/// The other objects of block `n` (100 tables): over its last table (`child`, which has a
/// `parent_id`) and the first one.
fn objects_sql(n: usize, block: &[GeneratedTable]) -> String {
    let schema = SCHEMAS[n % SCHEMAS.len()];
    let first = &block[0];
    let child = &block[block.len() - 1];
    let (first, child) = (
        format!("{}.{}", first.schema, first.name),
        format!("{}.{}", child.schema, child.name),
    );
    format!(
        "CREATE FUNCTION {schema}.amount_of_{n:03}(p_id bigint) RETURNS numeric
    LANGUAGE sql STABLE
BEGIN ATOMIC
    SELECT amount FROM {child} WHERE id = p_id;
END;
CREATE FUNCTION {schema}.touch_{n:03}() RETURNS trigger LANGUAGE plpgsql
    AS $$ BEGIN NEW.created_at := now(); RETURN NEW; END $$;
CREATE TRIGGER touch_{n:03} BEFORE UPDATE ON {first}
    FOR EACH ROW EXECUTE FUNCTION {schema}.touch_{n:03}();
CREATE TRIGGER touch_{n:03} BEFORE UPDATE OF amount ON {child}
    FOR EACH ROW WHEN (OLD.amount IS DISTINCT FROM NEW.amount)
    EXECUTE FUNCTION {schema}.touch_{n:03}();
CREATE VIEW {schema}.active_{n:03} AS
    SELECT c.id, c.name, c.amount, p.name AS parent_name
    FROM {child} c LEFT JOIN {first} p ON p.id = c.parent_id
    WHERE c.is_active;
CREATE VIEW {schema}.large_active_{n:03} AS
    SELECT id, name FROM {schema}.active_{n:03} WHERE amount > 100;
CREATE MATERIALIZED VIEW {schema}.totals_{n:03} AS
    SELECT is_active, count(*) AS rows, sum(amount) AS amount FROM {child} GROUP BY is_active;
CREATE UNIQUE INDEX totals_{n:03}_is_active ON {schema}.totals_{n:03} (is_active);
COMMENT ON VIEW {schema}.active_{n:03} IS 'Active rows of block {n}';
"
    )
}

/// Convenience: the whole script for `tables` tables from `seed`.
pub fn generate_sql(tables: usize, seed: u64) -> String {
    generate(tables, seed).to_sql()
}

fn table_sql(
    rng: &mut Rng,
    workload: Workload,
    schema: &str,
    name: &str,
    parent: Option<(&'static str, String)>,
) -> String {
    let qualified = format!("{schema}.{name}");
    let mut columns: Vec<String> = Vec::with_capacity(12);
    columns.push("id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY".into());
    columns.push("name text NOT NULL".into());
    let code_len = rng.pick(&[16, 32, 64, 128, 255]);
    let code_null = if rng.chance(50) { " NOT NULL" } else { "" };
    columns.push(format!("code varchar({code_len}){code_null}"));
    columns.push(if rng.chance(50) {
        "quantity integer NOT NULL DEFAULT 0".into()
    } else {
        "quantity integer".into()
    });
    columns.push("amount numeric(12,2) NOT NULL DEFAULT 0".into());
    let active_default = if rng.chance(80) { "true" } else { "false" };
    columns.push(format!(
        "is_active boolean NOT NULL DEFAULT {active_default}"
    ));
    columns.push("created_at timestamptz NOT NULL DEFAULT now()".into());
    columns.push(if rng.chance(30) {
        "attributes jsonb NOT NULL DEFAULT '{}'::jsonb".into()
    } else {
        "attributes jsonb".into()
    });
    columns.push("external_id uuid".into());
    let extra = *rng.pick(&[
        "note text",
        "updated_at timestamptz",
        "score double precision",
        "tags text[] NOT NULL DEFAULT '{}'",
        "status smallint NOT NULL DEFAULT 0",
        "valid_until date",
    ]);
    columns.push(extra.into());
    if parent.is_some() {
        columns.push("parent_id bigint".into());
    }

    let check = match rng.below(3) {
        0 => format!("CONSTRAINT {name}_amount_check CHECK (amount >= 0)"),
        1 => format!("CONSTRAINT {name}_quantity_check CHECK (quantity IS NULL OR quantity >= 0)"),
        _ => format!("CONSTRAINT {name}_name_check CHECK (char_length(name) > 0)"),
    };
    columns.push(check);
    if let Some((parent_schema, parent_name)) = &parent {
        let action = rng.pick(&["NO ACTION", "CASCADE", "SET NULL", "RESTRICT"]);
        columns.push(format!(
            "CONSTRAINT {name}_parent_id_fkey FOREIGN KEY (parent_id) \
             REFERENCES {parent_schema}.{parent_name} (id) ON DELETE {action}"
        ));
    }

    let mut sql = format!("CREATE TABLE {qualified} (\n");
    for (n, column) in columns.iter().enumerate() {
        let separator = if n + 1 == columns.len() { "" } else { "," };
        let _ = writeln!(sql, "    {column}{separator}");
    }
    sql.push_str(");\n");

    // 1. plain
    let _ = writeln!(
        sql,
        "CREATE INDEX {name}_created_at_idx ON {qualified} (created_at);"
    );
    if workload == Workload::Objects {
        // 2. partial, 3. expression
        let _ = writeln!(
            sql,
            "CREATE INDEX {name}_active_code_idx ON {qualified} (code) WHERE is_active;\n\
             CREATE INDEX {name}_lower_name_idx ON {qualified} (lower(name));"
        );
        return with_comment(rng, sql, &qualified, name);
    }
    // 2. multi-column
    let multi = if parent.is_some() && rng.chance(50) {
        ("parent_id_created_at", "parent_id, created_at DESC")
    } else {
        *rng.pick(&[
            ("code_quantity", "code, quantity"),
            ("is_active_created_at", "is_active, created_at"),
            ("name_amount", "name, amount DESC"),
        ])
    };
    let _ = writeln!(
        sql,
        "CREATE INDEX {name}_{}_idx ON {qualified} ({});",
        multi.0, multi.1
    );
    // 3. partial or expression
    let _ = match rng.below(4) {
        0 => writeln!(
            sql,
            "CREATE INDEX {name}_lower_name_idx ON {qualified} (lower(name));"
        ),
        1 => writeln!(
            sql,
            "CREATE INDEX {name}_active_code_idx ON {qualified} (code) WHERE is_active;"
        ),
        2 => writeln!(
            sql,
            "CREATE INDEX {name}_positive_amount_idx ON {qualified} (amount) WHERE amount > 0;"
        ),
        _ => writeln!(
            sql,
            "CREATE UNIQUE INDEX {name}_external_id_key ON {qualified} (external_id) \
             WHERE external_id IS NOT NULL;"
        ),
    };
    with_comment(rng, sql, &qualified, name)
}

/// `sql` with a table comment one time in four.
fn with_comment(rng: &mut Rng, mut sql: String, qualified: &str, name: &str) -> String {
    if rng.chance(25) {
        let _ = writeln!(
            sql,
            "COMMENT ON TABLE {qualified} IS 'Synthetic {} table #{}';",
            name.split('_').next().unwrap_or(name),
            name.rsplit('_').next().unwrap_or(name)
        );
    }
    sql
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_inputs_give_identical_sql() {
        assert_eq!(generate_sql(50, 7), generate_sql(50, 7));
        assert_ne!(generate_sql(50, 7), generate_sql(50, 8));
    }

    #[test]
    fn first_table_references_nothing_and_the_rest_reference_earlier_tables() {
        let schema = generate(30, 1);
        assert!(!schema.tables[0].sql.contains("REFERENCES"));
        for (i, table) in schema.tables.iter().enumerate().skip(1) {
            let target = table
                .sql
                .split("REFERENCES ")
                .nth(1)
                .and_then(|rest| rest.split(' ').next())
                .expect("every later table has an FK");
            let position = schema
                .tables
                .iter()
                .position(|t| format!("{}.{}", t.schema, t.name) == target)
                .expect("FK target is a generated table");
            assert!(position < i);
        }
    }

    #[test]
    fn every_table_has_three_secondary_indexes_and_a_check() {
        for table in generate(40, 3).tables {
            assert_eq!(
                table.sql.matches("CREATE INDEX").count()
                    + table.sql.matches("CREATE UNIQUE INDEX").count(),
                3
            );
            assert_eq!(table.sql.matches(" CHECK (").count(), 1);
        }
    }

    #[test]
    fn the_objects_workload_adds_views_routines_and_triggers_per_hundred_tables() {
        let schema = generate_workload(Workload::Objects, 250, 1);
        assert_eq!(schema.objects.len(), 3);
        let sql = schema.to_sql();
        assert_eq!(sql.matches("CREATE VIEW").count(), 6);
        assert_eq!(sql.matches("CREATE MATERIALIZED VIEW").count(), 3);
        assert_eq!(sql.matches("CREATE TRIGGER").count(), 6);
        assert_eq!(sql.matches("CREATE FUNCTION").count(), 6);
        for table in &schema.tables {
            assert!(table.sql.contains(") WHERE is_active;"), "{}", table.sql);
            assert!(table.sql.contains("(lower(name));"), "{}", table.sql);
        }
        // The tables workload is unchanged by the option.
        assert!(generate(250, 1).objects.is_empty());
    }

    #[test]
    fn batches_cover_the_whole_script() {
        let schema = generate(25, 9);
        let batches = schema.batches(10);
        assert_eq!(batches.len(), 1 + 3);
        let joined: String = batches[1..].concat();
        let expected: String = schema.tables.iter().map(|t| t.sql.as_str()).collect();
        assert_eq!(joined, expected);
    }
}
