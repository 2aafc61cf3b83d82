//! Everything in scope that the catalog does not model, as `(kind, name, fingerprint)` rows.
//!
//! The fingerprint is a text of the object's definition as PostgreSQL prints it (a policy's
//! command, roles and expressions, a partition's bound, a rule's `pg_get_ruledef`, the
//! privileges held by others than the owner, …), so two databases can be told apart by an
//! unmodeled object's definition, not only by its existence. It is for comparing, not for
//! running, and never holds secrets (a user mapping's or a server's password options are
//! left out).

use super::{namespace_filter, not_extension_member};

/// `schema.name`, quoted as PostgreSQL quotes identifiers.
fn qualified(namespace: &str, name: &str) -> String {
    format!("pg_catalog.quote_ident({namespace}) || '.' || pg_catalog.quote_ident({name})")
}

/// A role oid as text: `PUBLIC` for 0, else the quoted role name.
fn role(oid: &str) -> String {
    format!(
        "CASE WHEN {oid} = 0 THEN 'PUBLIC' \
         ELSE pg_catalog.quote_ident(pg_catalog.pg_get_userbyid({oid})) END"
    )
}

/// The privileges of `acl` held by others than `owner` (if given), as sorted
/// `grantee:PRIVILEGE[*]` (`*`: with grant option); NULL when there are none. The owner is
/// left out because owners differ between databases of the same schema.
fn privileges(acl: &str, owner: Option<&str>) -> String {
    let item = format!(
        "{} || ':' || x.privilege_type || CASE WHEN x.is_grantable THEN '*' ELSE '' END",
        role("x.grantee")
    );
    let others = owner
        .map(|owner| format!("WHERE x.grantee <> {owner}"))
        .unwrap_or_default();
    format!(
        "(SELECT pg_catalog.string_agg({item}, ',' ORDER BY {item}) \
          FROM pg_catalog.aclexplode({acl}) x {others})"
    )
}

/// One `SELECT` of the query, and when it can find anything.
struct Part {
    /// A cheap condition (no deparsing, no schema or extension filter) that is false when
    /// the part cannot return a row; `None`: the part always runs. Most kinds have no object
    /// in most databases, and planning their `SELECT`s cost more than running them.
    census: Option<String>,
    sql: String,
}

impl Part {
    fn always(sql: String) -> Part {
        Part { census: None, sql }
    }

    fn when(census: String, sql: String) -> Part {
        Part {
            census: Some(census),
            sql,
        }
    }
}

/// Grants that differ from what the object's kind gets by default (`acldefault`: nothing for
/// tables, `EXECUTE` to PUBLIC for functions, `USAGE` to PUBLIC for types), as rows of kind
/// `grant` named `<what> <name>`.
fn grants(
    what: &str,
    name: &str,
    acl: &str,
    default_kind: char,
    owner: &str,
    from: &str,
) -> String {
    format!(
        "SELECT 'grant', '{what} ' || {name}, g.granted \
         FROM {from} \
         CROSS JOIN LATERAL (SELECT {granted} AS granted, {default} AS by_default) g \
         WHERE {acl} IS NOT NULL AND g.granted IS DISTINCT FROM g.by_default",
        granted = privileges(acl, Some(owner)),
        default = privileges(
            &format!("pg_catalog.acldefault('{default_kind}', {owner})"),
            Some(owner)
        ),
    )
}

/// What a relation holds: columns (type, NOT NULL, default, identity, generated, collation,
/// comment), constraints, indexes and its comment, for the fingerprint of tables autogen does
/// not model (foreign tables).
fn relation_body(relation: &str) -> String {
    let column = format!(
        "pg_catalog.quote_ident(a.attname) || ' ' || pg_catalog.format_type(a.atttypid, a.atttypmod) \
         || CASE WHEN a.attnotnull THEN ' NOT NULL' ELSE '' END \
         || COALESCE(' DEFAULT ' || pg_catalog.pg_get_expr(ad.adbin, ad.adrelid), '') \
         || CASE a.attidentity WHEN 'a' THEN ' IDENTITY ALWAYS' WHEN 'd' THEN ' IDENTITY' ELSE '' END \
         || CASE WHEN a.attgenerated <> '' THEN ' GENERATED' ELSE '' END \
         || CASE WHEN a.attcollation <> at.typcollation \
              THEN ' COLLATE ' || {collation} ELSE '' END \
         || COALESCE(' COMMENT ' || pg_catalog.quote_literal(cd.description), '')",
        collation = qualified("cn.nspname", "co.collname"),
    );
    format!(
        "pg_catalog.concat_ws('; ', \
           (SELECT pg_catalog.string_agg({column}, ', ' ORDER BY a.attnum) \
            FROM pg_catalog.pg_attribute a \
            JOIN pg_catalog.pg_type at ON at.oid = a.atttypid \
            LEFT JOIN pg_catalog.pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum \
            LEFT JOIN pg_catalog.pg_collation co ON co.oid = a.attcollation \
            LEFT JOIN pg_catalog.pg_namespace cn ON cn.oid = co.collnamespace \
            LEFT JOIN pg_catalog.pg_description cd ON cd.objoid = a.attrelid \
              AND cd.classoid = 'pg_catalog.pg_class'::pg_catalog.regclass \
              AND cd.objsubid = a.attnum \
            WHERE a.attrelid = {relation} AND a.attnum > 0 AND NOT a.attisdropped), \
           (SELECT pg_catalog.string_agg(pg_catalog.quote_ident(con.conname) || ' ' \
                || pg_catalog.pg_get_constraintdef(con.oid), ', ' ORDER BY con.conname) \
            FROM pg_catalog.pg_constraint con WHERE con.conrelid = {relation}), \
           (SELECT pg_catalog.string_agg(pg_catalog.pg_get_indexdef(i.indexrelid), ', ' \
                ORDER BY ic.relname) \
            FROM pg_catalog.pg_index i JOIN pg_catalog.pg_class ic ON ic.oid = i.indexrelid \
            WHERE i.indrelid = {relation}), \
           'COMMENT ' || pg_catalog.quote_literal(pg_catalog.obj_description({relation}, 'pg_class')))"
    )
}

/// Properties of relations the catalog has no field for, read in one scan of `pg_class`: each
/// `(kind, fingerprint)` of the lateral list applies when its fingerprint is not NULL. A cheap
/// first filter (no deparsing, no per-row subquery) keeps the list to the few relations that
/// can have one: 5,000 tables have 20,000 more relations (indexes, sequences, TOAST).
fn relations(server_version: i32) -> String {
    let ns = namespace_filter("n");
    let member = not_extension_member("pg_class", "c.oid");
    let body = relation_body("c.oid");
    let unlogged_sequence = if server_version >= 150000 {
        "CASE WHEN c.relkind = 'S' AND c.relpersistence = 'u' THEN 'unlogged' END"
    } else {
        "NULL::text"
    };
    let parents = format!(
        "(SELECT pg_catalog.string_agg({}, ', ' ORDER BY i.inhseqno) \
          FROM pg_catalog.pg_inherits i JOIN pg_catalog.pg_class p ON p.oid = i.inhparent \
          JOIN pg_catalog.pg_namespace pn ON pn.oid = p.relnamespace WHERE i.inhrelid = c.oid)",
        qualified("pn.nspname", "p.relname")
    );
    // Tables the catalog does not hold (foreign tables): their row-level security, storage
    // parameters and replica identity are reported here (a modeled table's are fields of the
    // catalog).
    let unmodeled = "(c.relkind = 'f')";
    format!(
        "SELECT v.kind, {name}, v.fingerprint \
         FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
         LEFT JOIN pg_catalog.pg_class toast ON toast.oid = c.reltoastrelid \
         LEFT JOIN pg_catalog.pg_am am ON am.oid = c.relam \
         LEFT JOIN pg_catalog.pg_index ci ON ci.indexrelid = c.oid \
         CROSS JOIN LATERAL (SELECT CASE WHEN {unmodeled} THEN {body} END AS body) rb \
         CROSS JOIN LATERAL (VALUES \
           ('foreign table', CASE WHEN c.relkind = 'f' THEN \
              (SELECT 'SERVER ' || pg_catalog.quote_ident(s.srvname) \
                 || COALESCE(' OPTIONS ' || ft.ftoptions::text, '') \
               FROM pg_catalog.pg_foreign_table ft \
               JOIN pg_catalog.pg_foreign_server s ON s.oid = ft.ftserver \
               WHERE ft.ftrelid = c.oid) || '; ' || rb.body END), \
           ('partition', CASE WHEN c.relispartition AND c.relkind = 'f' THEN \
              'PARTITION OF ' || {parents} || ' ' || pg_catalog.pg_get_expr(c.relpartbound, c.oid) \
              || CASE WHEN c.relkind = 'p' THEN ' PARTITION BY ' \
                   || pg_catalog.pg_get_partkeydef(c.oid) ELSE '' END || '; ' || rb.body END), \
           ('row-level security', CASE WHEN c.relkind IN ('r', 'p') AND {unmodeled} \
                AND (c.relrowsecurity OR c.relforcerowsecurity) THEN \
              pg_catalog.concat_ws(', ', CASE WHEN c.relrowsecurity THEN 'enabled' END, \
                CASE WHEN c.relforcerowsecurity THEN 'forced' END) END), \
           ('table with storage parameters', CASE WHEN c.relkind = 'r' AND {unmodeled} \
                AND (c.reloptions IS NOT NULL OR toast.reloptions IS NOT NULL) THEN \
              pg_catalog.concat_ws(', ', pg_catalog.array_to_string(c.reloptions, ', '), \
                (SELECT pg_catalog.string_agg('toast.' || o, ', ') \
                 FROM pg_catalog.unnest(toast.reloptions) o)) END), \
           ('replica identity', CASE WHEN c.relkind IN ('r', 'p') AND {unmodeled} \
                AND c.relreplident <> 'd' THEN \
              CASE c.relreplident WHEN 'n' THEN 'nothing' WHEN 'f' THEN 'full' \
                ELSE 'index ' || COALESCE((SELECT pg_catalog.quote_ident(ri.relname) \
                  FROM pg_catalog.pg_index i JOIN pg_catalog.pg_class ri ON ri.oid = i.indexrelid \
                  WHERE i.indrelid = c.oid AND i.indisreplident), '') END END), \
           ('table access method', CASE WHEN c.relkind IN ('r', 'm') AND am.amname <> 'heap' \
              THEN am.amname::text END), \
           ('tablespace placement', CASE WHEN c.reltablespace <> 0 \
                AND c.relkind IN ('r', 'm', 'i', 'p') THEN \
              (SELECT pg_catalog.quote_ident(ts.spcname) FROM pg_catalog.pg_tablespace ts \
               WHERE ts.oid = c.reltablespace) END), \
           ('unlogged sequence', {unlogged_sequence}), \
           ('invalid index', CASE WHEN c.relkind = 'i' AND NOT ci.indisvalid \
              THEN pg_catalog.pg_get_indexdef(c.oid) END), \
           ('clustered index', CASE WHEN c.relkind = 'i' AND ci.indisclustered \
              THEN 'CLUSTER ON' END) \
         ) v(kind, fingerprint) \
         WHERE (c.relkind IN ('f', 'p') OR c.relispartition \
             OR c.relrowsecurity OR c.relforcerowsecurity \
             OR (c.relkind = 'r' AND (c.reloptions IS NOT NULL OR toast.reloptions IS NOT NULL)) \
             OR (c.relkind IN ('r', 'p') AND c.relreplident <> 'd') \
             OR (c.relkind IN ('r', 'm') AND am.amname <> 'heap') \
             OR c.reltablespace <> 0 OR (c.relkind = 'S' AND c.relpersistence = 'u') \
             OR (c.relkind = 'i' AND (NOT ci.indisvalid OR ci.indisclustered))) \
           AND v.fingerprint IS NOT NULL AND {ns} AND {member}",
        name = qualified("n.nspname", "c.relname"),
    )
}

/// The fingerprint of a column's settings (a statistics target, a storage or compression
/// other than the default, attribute options such as `n_distinct`), NULL when there are none,
/// for the columns whose settings the catalog has no place for: those of views, materialized
/// views and foreign tables, and (through the columns query) a partition's columns and an
/// inheritance child's inherited ones. `a` is the column's `pg_attribute` row, `t` its type's
/// `pg_type` row.
pub(crate) fn column_settings(server_version: i32, a: &str, t: &str) -> String {
    let (compression, compressed) = if server_version >= 140000 {
        (
            format!(
                "CASE WHEN {a}.attcompression <> '' THEN 'compression ' || {a}.attcompression::text END"
            ),
            format!("OR {a}.attcompression <> ''"),
        )
    } else {
        ("NULL::text".to_string(), String::new())
    };
    format!(
        "CASE WHEN COALESCE({a}.attstattarget, -1) <> -1 OR {a}.attstorage <> {t}.typstorage \
           OR {a}.attoptions IS NOT NULL {compressed} THEN \
           pg_catalog.concat_ws(', ', \
             CASE WHEN COALESCE({a}.attstattarget, -1) <> -1 \
               THEN 'statistics ' || {a}.attstattarget END, \
             CASE WHEN {a}.attstorage <> {t}.typstorage THEN 'storage ' || {a}.attstorage::text END, \
             {compression}, \
             pg_catalog.array_to_string({a}.attoptions, ', ')) END"
    )
}

/// The fingerprint of a column's `GRANT`s (see [`privileges`]; a column has none by default),
/// NULL when it has none. `a` is the column's `pg_attribute` row, `owner` its relation's owner.
pub(crate) fn column_grants(a: &str, owner: &str) -> String {
    format!(
        "CASE WHEN {a}.attacl IS NOT NULL THEN {} END",
        privileges(&format!("{a}.attacl"), Some(owner))
    )
}

/// Column settings and grants of relations whose columns the catalog does not read (views,
/// materialized views, foreign tables); the
/// columns query reports those of modeled tables.
fn other_columns(server_version: i32) -> String {
    let ns = namespace_filter("n");
    let member = not_extension_member("pg_class", "c.oid");
    format!(
        "SELECT v.kind, v.name, v.fingerprint \
         FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
         JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid \
         JOIN pg_catalog.pg_type t ON t.oid = a.atttypid \
         CROSS JOIN LATERAL (VALUES \
           ('column setting', {name}, {settings}), \
           ('grant', 'column ' || {name}, {grants}) \
         ) v(kind, name, fingerprint) \
         WHERE c.relkind IN ('v', 'm', 'f') \
           AND a.attnum > 0 AND NOT a.attisdropped AND v.fingerprint IS NOT NULL \
           AND {ns} AND {member}",
        name = format!(
            "{} || '.' || pg_catalog.quote_ident(a.attname)",
            qualified("n.nspname", "c.relname")
        ),
        settings = column_settings(server_version, "a", "t"),
        grants = column_grants("a", "c.relowner"),
    )
}

/// `GRANT`s that are not modeled: on tables the catalog does not hold (partitioned, partitions,
/// foreign tables), identity sequences, routines that are part of
/// another object (a range type's constructors) and types other than enums, domains,
/// composite and range types; the grants of modeled tables (and their columns), sequences,
/// routines, schemas and those types are theirs, a view's are the view's (other columns:
/// see [`column_grants`]).
fn all_grants() -> Vec<Part> {
    let ns = namespace_filter("n");
    let identity_sequence = "EXISTS (SELECT 1 FROM pg_catalog.pg_depend d \
        WHERE d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass AND d.objid = c.oid \
          AND d.deptype = 'i')";
    let class_member = not_extension_member("pg_class", "c.oid");
    let relation_name = qualified("n.nspname", "c.relname");
    // Enums, domains, range types and free-standing composite types carry their grants.
    let modeled_type = "t.typtype IN ('e', 'd', 'r') OR (t.typtype = 'c' AND EXISTS \
        (SELECT 1 FROM pg_catalog.pg_class r WHERE r.oid = t.typrelid AND r.relkind = 'c'))";
    let parts = [
        grants(
            "table",
            &relation_name,
            "c.relacl",
            'r',
            "c.relowner",
            &format!(
                "pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
                 AND c.relkind = 'f' \
                 AND {ns} AND {class_member}"
            ),
        ),
        grants(
            "sequence",
            &relation_name,
            "c.relacl",
            's',
            "c.relowner",
            &format!(
                "pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
                 AND c.relkind = 'S' AND {ns} AND {class_member} AND {identity_sequence}"
            ),
        ),
        grants(
            "function",
            &format!(
                "{} || '(' || pg_catalog.pg_get_function_identity_arguments(p.oid) || ')'",
                qualified("n.nspname", "p.proname")
            ),
            "p.proacl",
            'f',
            "p.proowner",
            &format!(
                "pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace \
                 AND {ns} AND {} AND EXISTS (SELECT 1 FROM pg_catalog.pg_depend d \
                   WHERE d.classid = 'pg_catalog.pg_proc'::pg_catalog.regclass \
                     AND d.objid = p.oid AND d.deptype = 'i')",
                not_extension_member("pg_proc", "p.oid")
            ),
        ),
        grants(
            "type",
            &qualified("n.nspname", "t.typname"),
            "t.typacl",
            'T',
            "t.typowner",
            &format!(
                "pg_catalog.pg_type t JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace \
                 AND {ns} AND {} AND NOT ({modeled_type})",
                not_extension_member("pg_type", "t.oid")
            ),
        ),
    ];
    let exists = |catalog: &str, alias: &str, condition: &str| {
        format!(
            "EXISTS (SELECT 1 FROM pg_catalog.{catalog} {alias} WHERE {alias}.oid >= 16384 \
             AND {condition})"
        )
    };
    let census = [
        exists(
            "pg_class",
            "c",
            "c.relacl IS NOT NULL AND c.relkind IN ('r', 'p', 'f')",
        ),
        exists("pg_class", "c", "c.relacl IS NOT NULL AND c.relkind = 'S'"),
        exists("pg_proc", "p", "p.proacl IS NOT NULL"),
        exists("pg_type", "t", "t.typacl IS NOT NULL"),
    ];
    census
        .into_iter()
        .zip(parts)
        .map(|(census, sql)| Part::when(census, sql))
        .collect()
}

/// Objects in a schema: `(kind, catalog, alias, namespace column, name, fingerprint, extra
/// condition)`.
fn schema_objects(server_version: i32) -> Vec<Part> {
    let ns = namespace_filter("n");
    let statistics_target = if server_version >= 170000 {
        "COALESCE(' STATISTICS ' || s.stxstattarget, '')"
    } else if server_version >= 130000 {
        "CASE WHEN s.stxstattarget <> -1 THEN ' STATISTICS ' || s.stxstattarget ELSE '' END"
    } else {
        "''"
    };
    let object = |kind: &str,
                  catalog: &str,
                  alias: &str,
                  namespace: &str,
                  name: &str,
                  fingerprint: &str,
                  condition: &str| {
        Part::when(
            format!(
                "EXISTS (SELECT 1 FROM pg_catalog.{catalog} {alias} \
                 WHERE {alias}.oid >= 16384 AND {condition})"
            ),
            format!(
                "SELECT '{kind}', {name}, {fingerprint} \
                 FROM pg_catalog.{catalog} {alias} \
                 JOIN pg_catalog.pg_namespace n ON n.oid = {alias}.{namespace} \
                 WHERE {condition} AND {ns} AND {member}",
                member = not_extension_member(catalog, &format!("{alias}.oid")),
            ),
        )
    };
    let named = |alias: &str, column: &str| qualified("n.nspname", &format!("{alias}.{column}"));
    vec![
        object(
            "base type",
            "pg_type",
            "t",
            "typnamespace",
            &named("t", "typname"),
            "pg_catalog.concat_ws(' ', t.typinput::text, t.typoutput::text, t.typreceive::text, \
               t.typsend::text, t.typmodin::text, t.typmodout::text, t.typanalyze::text, \
               t.typlen, t.typbyval, t.typalign, t.typstorage, t.typcategory, t.typispreferred, \
               t.typdelim, pg_catalog.format_type(t.typelem, NULL), \
               pg_catalog.quote_literal(t.typdefault), t.typcollation <> 0)",
            // Not an array type (those have an element, a variable length and no array type
            // of their own); a correlated NOT EXISTS here made the census scan pg_type
            // quadratically.
            "t.typtype = 'b' AND (t.typarray <> 0 OR t.typelem = 0 OR t.typlen <> -1)",
        ),
        object(
            "shell type",
            "pg_type",
            "t",
            "typnamespace",
            &named("t", "typname"),
            "'shell'",
            "t.typtype = 'p' AND NOT t.typisdefined",
        ),
        object(
            "statistics object",
            "pg_statistic_ext",
            "s",
            "stxnamespace",
            &named("s", "stxname"),
            &format!("pg_catalog.pg_get_statisticsobjdef(s.oid) || {statistics_target}"),
            "true",
        ),
        object(
            "operator",
            "pg_operator",
            "o",
            "oprnamespace",
            "o.oid::pg_catalog.regoperator::text",
            "pg_catalog.concat_ws(' ', o.oprcode::text, o.oprcom::pg_catalog.regoperator::text, \
               o.oprnegate::pg_catalog.regoperator::text, o.oprrest::text, o.oprjoin::text, \
               o.oprcanmerge, o.oprcanhash, \
               pg_catalog.quote_literal(pg_catalog.obj_description(o.oid, 'pg_operator')))",
            "true",
        ),
        object(
            "operator class",
            "pg_opclass",
            "oc",
            "opcnamespace",
            &format!(
                "{} || ' USING ' || (SELECT am.amname FROM pg_catalog.pg_am am \
                 WHERE am.oid = oc.opcmethod)",
                named("oc", "opcname")
            ),
            "pg_catalog.concat_ws(' ', oc.opcdefault, pg_catalog.format_type(oc.opcintype, NULL), \
               pg_catalog.format_type(oc.opckeytype, NULL), \
               (SELECT f.opfname FROM pg_catalog.pg_opfamily f WHERE f.oid = oc.opcfamily))",
            "true",
        ),
        object(
            "operator family",
            "pg_opfamily",
            "f",
            "opfnamespace",
            &format!(
                "{} || ' USING ' || (SELECT am.amname FROM pg_catalog.pg_am am \
                 WHERE am.oid = f.opfmethod)",
                named("f", "opfname")
            ),
            "pg_catalog.concat_ws('; ', \
               (SELECT pg_catalog.string_agg(ao.amopstrategy::text || ' ' \
                  || ao.amopopr::pg_catalog.regoperator::text || ' ' || ao.amoppurpose::text, ', ' \
                  ORDER BY ao.amopstrategy, ao.amopopr::pg_catalog.regoperator::text) \
                FROM pg_catalog.pg_amop ao WHERE ao.amopfamily = f.oid), \
               (SELECT pg_catalog.string_agg(ap.amprocnum::text || ' ' \
                  || ap.amproc::pg_catalog.regprocedure::text, ', ' \
                  ORDER BY ap.amprocnum, ap.amproc::pg_catalog.regprocedure::text) \
                FROM pg_catalog.pg_amproc ap WHERE ap.amprocfamily = f.oid))",
            "true",
        ),
        object(
            "text search parser",
            "pg_ts_parser",
            "tp",
            "prsnamespace",
            &named("tp", "prsname"),
            "pg_catalog.concat_ws(' ', tp.prsstart::text, tp.prstoken::text, tp.prsend::text, \
               tp.prsheadline::text, tp.prslextype::text)",
            "true",
        ),
        object(
            "text search template",
            "pg_ts_template",
            "tt",
            "tmplnamespace",
            &named("tt", "tmplname"),
            "pg_catalog.concat_ws(' ', tt.tmplinit::text, tt.tmpllexize::text)",
            "true",
        ),
        object(
            "conversion",
            "pg_conversion",
            "cv",
            "connamespace",
            &named("cv", "conname"),
            "pg_catalog.concat_ws(' ', pg_catalog.pg_encoding_to_char(cv.conforencoding), \
               pg_catalog.pg_encoding_to_char(cv.contoencoding), cv.conproc::text, \
               cv.condefault)",
            "true",
        ),
    ]
}

/// Objects on a table: triggers and policies of relations autogen does not model (those of
/// modeled tables and views are in the catalog; clones on partitions are left out), and
/// rules.
fn table_objects(server_version: i32) -> Vec<Part> {
    let ns = namespace_filter("n");
    let member = not_extension_member("pg_class", "c.oid");
    let on_table = |kind: &str,
                    catalog: &str,
                    alias: &str,
                    name: &str,
                    fingerprint: &str,
                    relation: &str,
                    condition: &str| {
        Part::when(
            format!(
                "EXISTS (SELECT 1 FROM pg_catalog.{catalog} {alias} \
                 JOIN pg_catalog.pg_class c ON c.oid = {alias}.{relation} WHERE {condition})"
            ),
            format!(
                "SELECT '{kind}', {qualified} || '.' || pg_catalog.quote_ident({alias}.{name}), \
                   {fingerprint} \
                 FROM pg_catalog.{catalog} {alias} \
                 JOIN pg_catalog.pg_class c ON c.oid = {alias}.{relation} \
                 JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
                 WHERE {condition} AND {ns} AND {member}",
                qualified = qualified("n.nspname", "c.relname"),
            ),
        )
    };
    // Before 13 a partition's own triggers and the clones of its parent's cannot be told
    // apart: the catalog leaves them all out, so they are reported here.
    let (not_a_clone, partition_triggers) = if server_version >= 130000 {
        ("AND tg.tgparentid = 0", "")
    } else {
        ("", "OR c.relispartition")
    };
    let comment = |oid: &str, catalog: &str| {
        format!(
            "COALESCE(' COMMENT ' || pg_catalog.quote_literal(\
             pg_catalog.obj_description({oid}, '{catalog}')), '')"
        )
    };
    vec![
        on_table(
            "trigger on an unmodeled table",
            "pg_trigger",
            "tg",
            "tgname",
            &format!(
                "pg_catalog.pg_get_triggerdef(tg.oid) || ' ' || tg.tgenabled::text || {}",
                comment("tg.oid", "pg_trigger")
            ),
            "tgrelid",
            &format!(
                "NOT tg.tgisinternal {not_a_clone} AND (c.relkind NOT IN ('r', 'p', 'v', 'm') \
                 {partition_triggers})"
            ),
        ),
        on_table(
            "policy on an unmodeled table",
            "pg_policy",
            "po",
            "polname",
            &format!(
                "pg_catalog.concat_ws(' ', po.polcmd, \
                   CASE WHEN po.polpermissive THEN 'PERMISSIVE' ELSE 'RESTRICTIVE' END, \
                   'TO ' || (SELECT pg_catalog.string_agg({role}, ', ' ORDER BY {role}) \
                     FROM pg_catalog.unnest(po.polroles) r(oid)), \
                   'USING ' || pg_catalog.pg_get_expr(po.polqual, po.polrelid), \
                   'WITH CHECK ' || pg_catalog.pg_get_expr(po.polwithcheck, po.polrelid)) || {}",
                comment("po.oid", "pg_policy"),
                role = role("r.oid"),
            ),
            "polrelid",
            "c.relkind NOT IN ('r', 'p')",
        ),
        on_table(
            "rule",
            "pg_rewrite",
            "ru",
            "rulename",
            &format!(
                "pg_catalog.pg_get_ruledef(ru.oid) || ' ' || ru.ev_enabled::text || {}",
                comment("ru.oid", "pg_rewrite")
            ),
            "ev_class",
            "ru.rulename <> '_RETURN'",
        ),
    ]
}

/// Objects of the database rather than of a schema: read whatever the schema filter says
/// (they are not in any schema), except those of extensions.
fn database_objects(server_version: i32) -> Vec<Part> {
    let user_object = |catalog: &str, oid: &str| {
        format!("{oid} >= 16384 AND {}", not_extension_member(catalog, oid))
    };
    let (publication_filters, publication_schemas) = if server_version >= 150000 {
        (
            "|| COALESCE(' WHERE ' || pg_catalog.pg_get_expr(pr.prqual, pr.prrelid), '') \
             || COALESCE(' COLUMNS ' || pr.prattrs::text, '')",
            "(SELECT pg_catalog.string_agg('SCHEMA ' || pg_catalog.quote_ident(pn.nspname), ', ' \
                ORDER BY pn.nspname) FROM pg_catalog.pg_publication_namespace pns \
              JOIN pg_catalog.pg_namespace pn ON pn.oid = pns.pnnspid WHERE pns.pnpubid = p.oid)",
        )
    } else {
        ("", "NULL::text")
    };
    let mut parts = vec![
        Part::when(
            "EXISTS (SELECT 1 FROM pg_catalog.pg_event_trigger e WHERE e.oid >= 16384)".to_string(),
        format!(
            "SELECT 'event trigger', pg_catalog.quote_ident(e.evtname), \
               pg_catalog.concat_ws(' ', e.evtevent, e.evtfoid::pg_catalog.regprocedure::text, \
                 e.evtenabled, e.evttags::text) \
             FROM pg_catalog.pg_event_trigger e WHERE {}",
            user_object("pg_event_trigger", "e.oid")
        ),
        ),
        Part::when(
            "EXISTS (SELECT 1 FROM pg_catalog.pg_publication)".to_string(),
        format!(
            "SELECT 'publication', pg_catalog.quote_ident(p.pubname), \
               pg_catalog.concat_ws('; ', \
                 pg_catalog.concat_ws(' ', CASE WHEN p.puballtables THEN 'ALL TABLES' END, \
                   p.pubinsert, p.pubupdate, p.pubdelete, p.pubtruncate, p.pubviaroot), \
                 (SELECT pg_catalog.string_agg(pr.prrelid::pg_catalog.regclass::text \
                    {publication_filters}, ', ' ORDER BY pr.prrelid::pg_catalog.regclass::text) \
                  FROM pg_catalog.pg_publication_rel pr WHERE pr.prpubid = p.oid), \
                 {publication_schemas}) \
             FROM pg_catalog.pg_publication p"
        ),
        ),
        // Only columns anyone may read (the connection string holds secrets).
        Part::when(
            "EXISTS (SELECT 1 FROM pg_catalog.pg_subscription s WHERE s.subdbid = (SELECT d.oid FROM pg_catalog.pg_database d WHERE d.datname = pg_catalog.current_database()))".to_string(),
        "SELECT 'subscription', pg_catalog.quote_ident(s.subname), \
           pg_catalog.concat_ws(' ', s.subenabled, s.subpublications::text) \
         FROM pg_catalog.pg_subscription s \
         WHERE s.subdbid = (SELECT d.oid FROM pg_catalog.pg_database d \
           WHERE d.datname = pg_catalog.current_database())"
            .to_string(),
        ),
        Part::when(
            "EXISTS (SELECT 1 FROM pg_catalog.pg_foreign_data_wrapper w WHERE w.oid >= 16384)".to_string(),
        format!(
            "SELECT 'foreign-data wrapper', pg_catalog.quote_ident(w.fdwname), \
               pg_catalog.concat_ws(' ', w.fdwhandler::pg_catalog.regproc::text, \
                 w.fdwvalidator::pg_catalog.regproc::text, w.fdwoptions::text) \
             FROM pg_catalog.pg_foreign_data_wrapper w WHERE {}",
            user_object("pg_foreign_data_wrapper", "w.oid")
        ),
        ),
        Part::when(
            "EXISTS (SELECT 1 FROM pg_catalog.pg_foreign_server s WHERE s.oid >= 16384)".to_string(),
        format!(
            "SELECT 'foreign server', pg_catalog.quote_ident(s.srvname), \
               pg_catalog.concat_ws(' ', \
                 (SELECT w.fdwname::text FROM pg_catalog.pg_foreign_data_wrapper w \
                  WHERE w.oid = s.srvfdw), s.srvtype, s.srvversion, \
                 (SELECT pg_catalog.array_agg(o ORDER BY o)::text \
                  FROM pg_catalog.unnest(s.srvoptions) o WHERE o NOT ILIKE 'password%')) \
             FROM pg_catalog.pg_foreign_server s WHERE {}",
            user_object("pg_foreign_server", "s.oid")
        ),
        ),
        // Option names only: their values hold passwords.
        Part::when(
            "EXISTS (SELECT 1 FROM pg_catalog.pg_user_mappings)".to_string(),
        "SELECT 'user mapping', pg_catalog.quote_ident(um.usename) || ' on ' \
           || pg_catalog.quote_ident(um.srvname), \
           COALESCE((SELECT pg_catalog.string_agg(pg_catalog.split_part(o, '=', 1), ', ' \
               ORDER BY pg_catalog.split_part(o, '=', 1)) \
             FROM pg_catalog.unnest(um.umoptions) o), '') \
         FROM pg_catalog.pg_user_mappings um"
            .to_string(),
        ),
        Part::when(
            "EXISTS (SELECT 1 FROM pg_catalog.pg_language l WHERE l.oid >= 16384)".to_string(),
        format!(
            "SELECT 'language', pg_catalog.quote_ident(l.lanname), \
               pg_catalog.concat_ws(' ', l.lanpltrusted, l.lanplcallfoid::pg_catalog.regproc::text, \
                 l.laninline::pg_catalog.regproc::text, l.lanvalidator::pg_catalog.regproc::text) \
             FROM pg_catalog.pg_language l WHERE {}",
            user_object("pg_language", "l.oid")
        ),
        ),
        Part::when(
            "EXISTS (SELECT 1 FROM pg_catalog.pg_am am WHERE am.oid >= 16384)".to_string(),
        format!(
            "SELECT 'access method', pg_catalog.quote_ident(am.amname), \
               am.amtype::text || ' ' || am.amhandler::text \
             FROM pg_catalog.pg_am am WHERE {}",
            user_object("pg_am", "am.oid")
        ),
        ),
        Part::when(
            "EXISTS (SELECT 1 FROM pg_catalog.pg_cast ca WHERE ca.oid >= 16384)".to_string(),
        format!(
            "SELECT 'cast', '(' || pg_catalog.format_type(ca.castsource, NULL) || ' AS ' \
               || pg_catalog.format_type(ca.casttarget, NULL) || ')', \
               pg_catalog.concat_ws(' ', ca.castfunc::pg_catalog.regprocedure::text, \
                 ca.castcontext, ca.castmethod) \
             FROM pg_catalog.pg_cast ca WHERE {} AND NOT EXISTS (SELECT 1 \
               FROM pg_catalog.pg_depend d WHERE d.classid = 'pg_catalog.pg_cast'::pg_catalog.regclass \
               AND d.objid = ca.oid AND d.deptype = 'i')",
            user_object("pg_cast", "ca.oid")
        ),
        ),
        Part::when(
            "EXISTS (SELECT 1 FROM pg_catalog.pg_transform tr WHERE tr.oid >= 16384)".to_string(),
        format!(
            "SELECT 'transform', pg_catalog.format_type(tr.trftype, NULL) || ' for ' \
               || (SELECT pg_catalog.quote_ident(l.lanname) FROM pg_catalog.pg_language l \
                   WHERE l.oid = tr.trflang), \
               pg_catalog.concat_ws(' ', tr.trffromsql::pg_catalog.regprocedure::text, \
                 tr.trftosql::pg_catalog.regprocedure::text) \
             FROM pg_catalog.pg_transform tr WHERE {}",
            user_object("pg_transform", "tr.oid")
        ),
        ),
    ];
    if server_version >= 160000 {
        parts.push(Part::when(
            "EXISTS (SELECT 1 FROM pg_catalog.pg_collation co WHERE co.collicurules IS NOT NULL)"
                .to_string(),
            format!(
                "SELECT 'collation with ICU rules', {}, co.collicurules \
             FROM pg_catalog.pg_collation co \
             JOIN pg_catalog.pg_namespace n ON n.oid = co.collnamespace \
             WHERE co.collicurules IS NOT NULL AND {} AND {}",
                qualified("n.nspname", "co.collname"),
                namespace_filter("n"),
                not_extension_member("pg_collation", "co.oid")
            ),
        ));
    }
    parts
}

fn parts(server_version: i32) -> Vec<Part> {
    let mut parts = vec![
        Part::always(relations(server_version)),
        Part::always(other_columns(server_version)),
    ];
    parts.extend(all_grants());
    parts.extend(schema_objects(server_version));
    parts.extend(table_objects(server_version));
    parts.extend(database_objects(server_version));
    parts
}

/// One row: for each part that has a census condition, whether it can find anything (the
/// argument of [`unsupported`]). Runs before the query itself, early in the pipeline.
pub fn census(server_version: i32) -> String {
    let conditions: Vec<String> = parts(server_version)
        .into_iter()
        .filter_map(|part| part.census)
        .collect();
    format!("SELECT ARRAY[{}]::boolean[]", conditions.join(", "))
}

/// The query: the parts the census (`present`, in its order) found something for and those
/// that always run, `UNION ALL`.
pub fn unsupported(server_version: i32, present: &[bool]) -> String {
    let mut census = present.iter();
    parts(server_version)
        .into_iter()
        .filter(|part| part.census.is_none() || census.next().copied().unwrap_or(true))
        .map(|part| part.sql)
        .collect::<Vec<_>>()
        .join(" UNION ALL ")
}
