//! The catalog queries. Each reads one kind of object for the whole database in a single
//! round trip, so the number of queries never depends on the number of tables.
//!
//! Every query takes the schema filter as `$1` (schemas to include; empty = all) and `$2`
//! (schemas to exclude). Names come back as PostgreSQL prints them under `search_path = ''`:
//! types, functions and sequences in expressions are schema-qualified unless in pg_catalog.

/// Namespaces in scope: user schemas (system ones start with `pg_`) passing the filter.
fn namespace_filter(alias: &str) -> String {
    format!(
        "{alias}.nspname <> 'information_schema' AND {alias}.nspname NOT LIKE 'pg\\_%' \
         AND (cardinality($1::text[]) = 0 OR {alias}.nspname = ANY($1::text[])) \
         AND NOT ({alias}.nspname = ANY($2::text[]))"
    )
}

/// Objects created by an extension belong to it, not to the user's schema.
fn not_extension_member(catalog: &str, oid: &str) -> String {
    format!(
        "NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d WHERE d.classid = '{catalog}'::regclass \
         AND d.objid = {oid} AND d.deptype = 'e')"
    )
}

/// The ordinary tables autogen models: not partitions, not inheritance children.
fn tables_cte() -> String {
    format!(
        "WITH tbl AS (SELECT c.oid FROM pg_catalog.pg_class c \
           JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
           WHERE c.relkind = 'r' AND NOT c.relispartition \
             AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_inherits i WHERE i.inhrelid = c.oid) \
             AND {} AND {})",
        namespace_filter("n"),
        not_extension_member("pg_class", "c.oid")
    )
}

pub fn schemas() -> String {
    format!(
        "SELECT n.nspname::text, pg_catalog.obj_description(n.oid, 'pg_namespace') \
         FROM pg_catalog.pg_namespace n WHERE {} AND {}",
        namespace_filter("n"),
        not_extension_member("pg_namespace", "n.oid")
    )
}

/// Extensions whose objects live in a schema in scope (or in pg_catalog). plpgsql is part of
/// every database and never listed.
pub fn extensions() -> String {
    format!(
        "SELECT e.extname::text, n.nspname::text, e.extversion \
         FROM pg_catalog.pg_extension e JOIN pg_catalog.pg_namespace n ON n.oid = e.extnamespace \
         WHERE e.extname <> 'plpgsql' AND (n.nspname = 'pg_catalog' OR ({}))",
        namespace_filter("n")
    )
}

pub fn enums() -> String {
    format!(
        "SELECT n.nspname::text, t.typname::text, \
           ARRAY(SELECT e.enumlabel::text FROM pg_catalog.pg_enum e WHERE e.enumtypid = t.oid \
                 ORDER BY e.enumsortorder), \
           pg_catalog.obj_description(t.oid, 'pg_type') \
         FROM pg_catalog.pg_type t JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace \
         WHERE t.typtype = 'e' AND {} AND {}",
        namespace_filter("n"),
        not_extension_member("pg_type", "t.oid")
    )
}

/// Free-standing sequences (identity sequences are read with their column).
pub fn sequences() -> String {
    format!(
        "SELECT n.nspname::text, c.relname::text, pg_catalog.format_type(s.seqtypid, NULL), \
           s.seqstart, s.seqincrement, s.seqmin, s.seqmax, s.seqcache, s.seqcycle, \
           own_n.nspname::text, own_c.relname::text, own_a.attname::text, \
           pg_catalog.obj_description(c.oid, 'pg_class') \
         FROM pg_catalog.pg_sequence s \
         JOIN pg_catalog.pg_class c ON c.oid = s.seqrelid \
         JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
         LEFT JOIN pg_catalog.pg_depend d ON d.classid = 'pg_class'::regclass AND d.objid = c.oid \
           AND d.refclassid = 'pg_class'::regclass AND d.deptype IN ('a', 'i') \
         LEFT JOIN pg_catalog.pg_class own_c ON own_c.oid = d.refobjid \
         LEFT JOIN pg_catalog.pg_namespace own_n ON own_n.oid = own_c.relnamespace \
         LEFT JOIN pg_catalog.pg_attribute own_a ON own_a.attrelid = d.refobjid \
           AND own_a.attnum = d.refobjsubid \
         WHERE d.deptype IS DISTINCT FROM 'i' AND {} AND {}",
        namespace_filter("n"),
        not_extension_member("pg_class", "c.oid")
    )
}

/// `LEFT JOIN` of the comment on an object: a join, because `obj_description` and
/// `col_description` run a subquery per row (a fifth of the columns query's time).
fn description_join(alias: &str, object: &str, catalog: &str, sub_id: &str) -> String {
    format!(
        "LEFT JOIN pg_catalog.pg_description {alias} ON {alias}.objoid = {object} \
         AND {alias}.classoid = '{catalog}'::regclass AND {alias}.objsubid = {sub_id}"
    )
}

pub fn tables() -> String {
    format!(
        "{} SELECT c.oid, n.nspname::text, c.relname::text, c.relpersistence = 'u', ds.description \
         FROM tbl JOIN pg_catalog.pg_class c ON c.oid = tbl.oid \
         JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace {}",
        tables_cte(),
        description_join("ds", "c.oid", "pg_class", "0")
    )
}

/// Columns in no particular order (sorting 50,000 rows server-side spilled to disk; the
/// client sorts by attnum). Also each column's type and collation oids, which resolve index
/// keys client-side.
pub fn columns() -> String {
    format!(
        "{} SELECT a.attrelid, a.attnum, a.attname::text, \
           pg_catalog.format_type(a.atttypid, a.atttypmod), a.attnotnull, \
           CASE WHEN a.attgenerated = '' THEN pg_catalog.pg_get_expr(ad.adbin, ad.adrelid) END, \
           CASE WHEN a.attgenerated <> '' THEN pg_catalog.pg_get_expr(ad.adbin, ad.adrelid) END, \
           a.attidentity::text, \
           pg_catalog.quote_ident(cn.nspname) || '.' || pg_catalog.quote_ident(co.collname), \
           ds.description, \
           s.seqstart, s.seqincrement, s.seqmin, s.seqmax, s.seqcache, s.seqcycle, \
           a.atttypid, a.attcollation \
         FROM pg_catalog.pg_attribute a JOIN tbl ON tbl.oid = a.attrelid \
         JOIN pg_catalog.pg_type ty ON ty.oid = a.atttypid \
         LEFT JOIN pg_catalog.pg_collation co ON co.oid = a.attcollation \
           AND a.attcollation <> ty.typcollation \
         LEFT JOIN pg_catalog.pg_namespace cn ON cn.oid = co.collnamespace \
         LEFT JOIN pg_catalog.pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum \
         {} \
         LEFT JOIN (SELECT d.refobjid, d.refobjsubid, q.* FROM pg_catalog.pg_depend d \
             JOIN pg_catalog.pg_sequence q ON q.seqrelid = d.objid \
             WHERE d.classid = 'pg_class'::regclass AND d.refclassid = 'pg_class'::regclass \
               AND d.deptype = 'i') s \
           ON a.attidentity <> '' AND s.refobjid = a.attrelid AND s.refobjsubid = a.attnum \
         WHERE a.attnum > 0 AND NOT a.attisdropped",
        tables_cte(),
        description_join("ds", "a.attrelid", "pg_class", "a.attnum")
    )
}

/// Column names of an attribute-number array, in array order.
fn attribute_names(numbers: &str, relation: &str) -> String {
    format!(
        "ARRAY(SELECT a.attname::text FROM unnest({numbers}) WITH ORDINALITY k(num, ord) \
         JOIN pg_catalog.pg_attribute a ON a.attrelid = {relation} AND a.attnum = k.num ORDER BY k.ord)"
    )
}

/// Primary key, unique, foreign key, check and exclusion constraints (NOT NULL is a column
/// property). Column numbers are resolved to names client-side, except for foreign keys to
/// tables outside the inspected schemas. `nulls_not_distinct` and `ON DELETE SET NULL (cols)`
/// exist from PostgreSQL 15 on.
pub fn constraints(server_version: i32) -> String {
    let (nulls_not_distinct, on_delete_columns) = if server_version >= 150000 {
        (
            "COALESCE(ii.indnullsnotdistinct, false)",
            "COALESCE(con.confdelsetcols, '{}'::int2[])",
        )
    } else {
        ("false", "'{}'::int2[]")
    };
    format!(
        "{cte} SELECT con.conrelid, con.conname::text, con.contype::text, con.conkey, \
           rn.nspname::text, rc.relname::text, con.confrelid, con.confkey, \
           CASE WHEN con.contype = 'f' AND NOT EXISTS (SELECT 1 FROM tbl WHERE tbl.oid = con.confrelid) \
             THEN {referenced_names} END, \
           con.confupdtype::text, con.confdeltype::text, con.confmatchtype::text, \
           con.condeferrable, con.condeferred, con.convalidated, con.connoinherit, \
           CASE WHEN con.contype = 'c' THEN pg_catalog.pg_get_expr(con.conbin, con.conrelid) END, \
           CASE WHEN con.contype = 'x' THEN pg_catalog.pg_get_constraintdef(con.oid) END, \
           COALESCE(ii.indkey::int2[], '{{}}'::int2[]), {nulls_not_distinct}, ds.description, \
           COALESCE(ci.reloptions, '{{}}'::text[]), {on_delete_columns} \
         FROM pg_catalog.pg_constraint con JOIN tbl ON tbl.oid = con.conrelid \
         LEFT JOIN pg_catalog.pg_class rc ON rc.oid = con.confrelid \
         LEFT JOIN pg_catalog.pg_namespace rn ON rn.oid = rc.relnamespace \
         LEFT JOIN pg_catalog.pg_index ii ON ii.indexrelid = con.conindid AND con.contype IN ('p', 'u') \
         LEFT JOIN pg_catalog.pg_class ci ON ci.oid = ii.indexrelid \
         {description} \
         WHERE con.contype IN ('p', 'u', 'f', 'c', 'x')",
        cte = tables_cte(),
        referenced_names = attribute_names("con.confkey", "con.confrelid"),
        description = description_join("ds", "con.oid", "pg_constraint", "0"),
    )
}

/// Indexes that no constraint owns, with their raw key arrays (column numbers, operator
/// classes, collations, options); names, default operator classes and collations are
/// resolved client-side. Only expression keys are deparsed: `pg_get_indexdef` builds a
/// relcache entry per index.
pub fn indexes(server_version: i32) -> String {
    let nulls_not_distinct = if server_version >= 150000 {
        "i.indnullsnotdistinct"
    } else {
        "false"
    };
    format!(
        "{cte} SELECT i.indrelid, ic.relname::text, i.indisunique, am.amname::text, i.indnkeyatts, \
           i.indkey::int2[], i.indclass::oid[], i.indcollation::oid[], i.indoption::int2[], \
           CASE WHEN 0 = ANY (i.indkey::int2[]) THEN ARRAY(SELECT CASE WHEN i.indkey[k] = 0 \
               THEN pg_catalog.pg_get_indexdef(i.indexrelid, k + 1, false) END \
             FROM generate_series(0, i.indnkeyatts - 1) k ORDER BY k) END, \
           CASE WHEN 0 = ANY (i.indkey::int2[]) THEN ARRAY(SELECT ia.atttypid \
             FROM pg_catalog.pg_attribute ia WHERE ia.attrelid = i.indexrelid \
               AND ia.attnum <= i.indnkeyatts ORDER BY ia.attnum) END, \
           pg_catalog.pg_get_expr(i.indpred, i.indrelid), {nulls_not_distinct}, \
           COALESCE(ic.reloptions, '{{}}'::text[]), ds.description \
         FROM pg_catalog.pg_index i JOIN tbl ON tbl.oid = i.indrelid \
         JOIN pg_catalog.pg_class ic ON ic.oid = i.indexrelid \
         JOIN pg_catalog.pg_am am ON am.oid = ic.relam \
         {description} \
         WHERE i.indisvalid AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_constraint con \
           WHERE con.conindid = i.indexrelid AND con.conrelid = i.indrelid \
             AND con.contype IN ('p', 'u', 'x'))",
        cte = tables_cte(),
        description = description_join("ds", "i.indexrelid", "pg_class", "0"),
    )
}

/// Every operator class, for deciding client-side whether an index key's class is the one
/// PostgreSQL picks by default (then it is not printed, as `pg_get_indexdef` does not):
/// default for its method, and its input type equal to the key's type, a pseudo-type
/// (anyarray, anyenum, …), or a type the key's type is binary-coercible to.
pub fn operator_classes() -> String {
    "SELECT opc.oid, CASE WHEN n.nspname = 'pg_catalog' THEN pg_catalog.quote_ident(opc.opcname) \
       ELSE pg_catalog.quote_ident(n.nspname) || '.' || pg_catalog.quote_ident(opc.opcname) END, \
       opc.opcdefault, opc.opcintype, opc.opckeytype, t.typtype = 'p', \
       ARRAY(SELECT pc.castsource FROM pg_catalog.pg_cast pc \
             WHERE pc.casttarget = opc.opcintype AND pc.castmethod = 'b') \
     FROM pg_catalog.pg_opclass opc \
     JOIN pg_catalog.pg_namespace n ON n.oid = opc.opcnamespace \
     JOIN pg_catalog.pg_type t ON t.oid = opc.opcintype"
        .to_string()
}

/// Collations by oid (qualified names), and the default collation of every collatable type:
/// what an index key's collation is compared with.
pub fn collations() -> String {
    "SELECT co.oid, pg_catalog.quote_ident(n.nspname) || '.' || pg_catalog.quote_ident(co.collname), NULL::oid \
     FROM pg_catalog.pg_collation co JOIN pg_catalog.pg_namespace n ON n.oid = co.collnamespace \
     UNION ALL SELECT t.oid, NULL, t.typcollation FROM pg_catalog.pg_type t WHERE t.typcollation <> 0"
        .to_string()
}

/// Everything in scope that the IR does not model yet, as (kind, qualified name) rows.
pub fn unsupported() -> String {
    let ns = namespace_filter("n");
    let class_member = not_extension_member("pg_class", "c.oid");
    let type_member = not_extension_member("pg_type", "t.oid");
    let proc_member = not_extension_member("pg_proc", "p.oid");
    let qualified = "pg_catalog.quote_ident(n.nspname) || '.' || pg_catalog.quote_ident";
    let relation = |kind: &str, condition: &str| {
        format!(
            "SELECT '{kind}', {qualified}(c.relname) FROM pg_catalog.pg_class c \
             JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
             WHERE {condition} AND {ns} AND {class_member}"
        )
    };
    let type_kind = |kind: &str, condition: &str| {
        format!(
            "SELECT '{kind}', {qualified}(t.typname) FROM pg_catalog.pg_type t \
             JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace \
             WHERE {condition} AND {ns} AND {type_member}"
        )
    };
    let routine = |kind: &str, prokind: &str| {
        format!(
            "SELECT '{kind}', {qualified}(p.proname) || '(' || pg_catalog.pg_get_function_identity_arguments(p.oid) || ')' \
             FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace \
             WHERE p.prokind = '{prokind}' AND {ns} AND {proc_member}"
        )
    };
    let on_table = |kind: &str,
                    catalog: &str,
                    alias: &str,
                    name: &str,
                    relid: &str,
                    condition: &str| {
        format!(
            "SELECT '{kind}', {qualified}(c.relname) || '.' || pg_catalog.quote_ident({alias}.{name}) \
             FROM pg_catalog.{catalog} {alias} JOIN pg_catalog.pg_class c ON c.oid = {alias}.{relid} \
             JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
             WHERE {condition} AND {ns} AND {class_member}"
        )
    };
    let parts = [
        relation("view", "c.relkind = 'v'"),
        relation("materialized view", "c.relkind = 'm'"),
        relation("foreign table", "c.relkind = 'f'"),
        relation(
            "partitioned table",
            "c.relkind = 'p' AND NOT c.relispartition",
        ),
        relation("partition", "c.relispartition AND c.relkind IN ('r', 'p')"),
        relation(
            "inherited table",
            "c.relkind = 'r' AND NOT c.relispartition AND EXISTS \
             (SELECT 1 FROM pg_catalog.pg_inherits i WHERE i.inhrelid = c.oid)",
        ),
        relation("row-level security", "c.relkind = 'r' AND c.relrowsecurity"),
        relation(
            "table with storage parameters",
            "c.relkind = 'r' AND c.reloptions IS NOT NULL",
        ),
        relation(
            "comment on a constraint index",
            "c.relkind = 'i' AND pg_catalog.obj_description(c.oid, 'pg_class') IS NOT NULL \
             AND EXISTS (SELECT 1 FROM pg_catalog.pg_constraint con WHERE con.conindid = c.oid \
             AND con.contype IN ('p', 'u', 'x'))",
        ),
        relation(
            "invalid index",
            "c.relkind = 'i' AND EXISTS (SELECT 1 FROM pg_catalog.pg_index i \
             WHERE i.indexrelid = c.oid AND NOT i.indisvalid)",
        ),
        type_kind(
            "composite type",
            "t.typtype = 'c' AND EXISTS (SELECT 1 FROM pg_catalog.pg_class r \
             WHERE r.oid = t.typrelid AND r.relkind = 'c')",
        ),
        type_kind("domain", "t.typtype = 'd'"),
        type_kind("range type", "t.typtype = 'r'"),
        type_kind(
            "base type",
            "t.typtype = 'b' AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_type e WHERE e.typarray = t.oid)",
        ),
        routine("function", "f"),
        routine("procedure", "p"),
        routine("aggregate", "a"),
        routine("window function", "w"),
        on_table(
            "trigger",
            "pg_trigger",
            "tg",
            "tgname",
            "tgrelid",
            "NOT tg.tgisinternal",
        ),
        on_table("policy", "pg_policy", "po", "polname", "polrelid", "true"),
        on_table(
            "rule",
            "pg_rewrite",
            "ru",
            "rulename",
            "ev_class",
            "ru.rulename <> '_RETURN'",
        ),
        format!(
            "SELECT 'statistics object', {qualified}(s.stxname) FROM pg_catalog.pg_statistic_ext s \
             JOIN pg_catalog.pg_namespace n ON n.oid = s.stxnamespace WHERE {ns} AND {}",
            not_extension_member("pg_statistic_ext", "s.oid")
        ),
        format!(
            "SELECT 'collation', {qualified}(co.collname) FROM pg_catalog.pg_collation co \
             JOIN pg_catalog.pg_namespace n ON n.oid = co.collnamespace WHERE {ns} AND {}",
            not_extension_member("pg_collation", "co.oid")
        ),
        format!(
            "SELECT 'operator', {qualified}(o.oprname) FROM pg_catalog.pg_operator o \
             JOIN pg_catalog.pg_namespace n ON n.oid = o.oprnamespace WHERE {ns} AND {}",
            not_extension_member("pg_operator", "o.oid")
        ),
        format!(
            "SELECT 'text search configuration', {qualified}(ts.cfgname) FROM pg_catalog.pg_ts_config ts \
             JOIN pg_catalog.pg_namespace n ON n.oid = ts.cfgnamespace WHERE {ns} AND {}",
            not_extension_member("pg_ts_config", "ts.oid")
        ),
    ];
    parts.join(" UNION ALL ")
}

/// Views and materialized views, with what re-creating one needs: its definition, options,
/// comments, a materialized view's indexes, and `GRANT`s to others than the owner.
pub fn views() -> String {
    let ns = namespace_filter("n");
    let member = not_extension_member("pg_class", "c.oid");
    format!(
        "SELECT n.nspname, c.relname, c.relkind = 'm', pg_catalog.pg_get_viewdef(c.oid), \
           COALESCE(c.reloptions, '{{}}'::text[]), \
           pg_catalog.obj_description(c.oid, 'pg_class'), \
           ARRAY(SELECT a.attname::text FROM pg_catalog.pg_attribute a \
                 JOIN pg_catalog.pg_description d ON d.objoid = c.oid \
                   AND d.classoid = 'pg_catalog.pg_class'::pg_catalog.regclass \
                   AND d.objsubid = a.attnum \
                 WHERE a.attrelid = c.oid AND a.attnum > 0 ORDER BY a.attnum), \
           ARRAY(SELECT d.description FROM pg_catalog.pg_attribute a \
                 JOIN pg_catalog.pg_description d ON d.objoid = c.oid \
                   AND d.classoid = 'pg_catalog.pg_class'::pg_catalog.regclass \
                   AND d.objsubid = a.attnum \
                 WHERE a.attrelid = c.oid AND a.attnum > 0 ORDER BY a.attnum), \
           ARRAY(SELECT pg_catalog.pg_get_indexdef(i.indexrelid) FROM pg_catalog.pg_index i \
                 WHERE i.indrelid = c.oid ORDER BY 1), \
           ARRAY(SELECT pg_catalog.format('GRANT %s ON TABLE %I.%I TO %s%s;', \
                   pg_catalog.string_agg(x.privilege_type, ', ' ORDER BY x.privilege_type), \
                   n.nspname, c.relname, \
                   CASE WHEN x.grantee = 0 THEN 'PUBLIC' \
                        ELSE pg_catalog.quote_ident(r.rolname) END, \
                   CASE WHEN x.is_grantable THEN ' WITH GRANT OPTION' ELSE '' END) \
                 FROM pg_catalog.aclexplode(c.relacl) x \
                 LEFT JOIN pg_catalog.pg_roles r ON r.oid = x.grantee \
                 WHERE x.grantee <> c.relowner \
                 GROUP BY x.grantee, r.rolname, x.is_grantable ORDER BY 1) \
         FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
         WHERE c.relkind IN ('v', 'm') AND {ns} AND {member}"
    )
}

/// What each view's query uses (`pg_depend` of its rewrite rule): columns and whole
/// relations (kind `column`/`relation`) and types (kind `type`; an array's element type).
pub fn view_dependencies() -> String {
    let ns = namespace_filter("vn");
    format!(
        "SELECT DISTINCT vn.nspname, v.relname, \
           CASE WHEN t.oid IS NOT NULL THEN 'type' \
                WHEN a.attname IS NOT NULL THEN 'column' ELSE 'relation' END, \
           COALESCE(rn.nspname, tn.nspname), \
           COALESCE(rc.relname, et.typname, t.typname), a.attname \
         FROM pg_catalog.pg_depend d \
         JOIN pg_catalog.pg_rewrite rw ON d.classid = 'pg_catalog.pg_rewrite'::pg_catalog.regclass \
           AND d.objid = rw.oid \
         JOIN pg_catalog.pg_class v ON v.oid = rw.ev_class AND v.relkind IN ('v', 'm') \
         JOIN pg_catalog.pg_namespace vn ON vn.oid = v.relnamespace \
         LEFT JOIN pg_catalog.pg_class rc ON d.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass \
           AND rc.oid = d.refobjid \
         LEFT JOIN pg_catalog.pg_namespace rn ON rn.oid = rc.relnamespace \
         LEFT JOIN pg_catalog.pg_attribute a ON a.attrelid = rc.oid AND a.attnum = d.refobjsubid \
           AND d.refobjsubid > 0 \
         LEFT JOIN pg_catalog.pg_type t ON d.refclassid = 'pg_catalog.pg_type'::pg_catalog.regclass \
           AND t.oid = d.refobjid \
         LEFT JOIN pg_catalog.pg_type et ON et.oid = t.typelem AND t.typcategory = 'A' \
         LEFT JOIN pg_catalog.pg_namespace tn ON tn.oid = COALESCE(et.typnamespace, t.typnamespace) \
         WHERE d.refobjid <> v.oid AND (rc.oid IS NOT NULL OR t.oid IS NOT NULL) AND {ns}"
    )
}
