//! The catalog queries. Each reads one kind of object for the whole database in a single
//! round trip, so the number of queries never depends on the number of tables.
//!
//! Every query takes the schema filter as `$1` (schemas to include; empty = all) and `$2`
//! (schemas to exclude). Names come back as PostgreSQL prints them under `search_path = ''`:
//! types, functions and sequences in expressions are schema-qualified unless in pg_catalog.
//!
//! This module reads schemas, extensions, enums, sequences and tables; `objects` the other
//! modeled objects (views, routines, triggers, domains, composite and range types,
//! collations), `dependencies` the `pg_depend` graph, `unsupported` what is not modeled.

mod dependencies;
mod objects;
mod unsupported;

pub use dependencies::dependencies;
pub use objects::*;
pub use unsupported::{census, unsupported};

/// Namespaces in scope: user schemas (system ones start with `pg_`) passing the filter.
pub(crate) fn namespace_filter(alias: &str) -> String {
    format!(
        "{alias}.nspname <> 'information_schema' AND {alias}.nspname NOT LIKE 'pg\\_%' \
         AND (cardinality($1::text[]) = 0 OR {alias}.nspname = ANY($1::text[])) \
         AND NOT ({alias}.nspname = ANY($2::text[]))"
    )
}

/// Objects created by an extension belong to it, not to the user's schema.
pub(crate) fn not_extension_member(catalog: &str, oid: &str) -> String {
    format!(
        "NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d WHERE d.classid = '{catalog}'::regclass \
         AND d.objid = {oid} AND d.deptype = 'e')"
    )
}

/// The tables autogen models: ordinary and partitioned tables, their partitions and
/// inheritance children (`INHERITS`).
pub(crate) fn tables_cte() -> String {
    format!(
        "WITH tbl AS (SELECT c.oid FROM pg_catalog.pg_class c \
           JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
           WHERE c.relkind IN ('r', 'p') AND {} AND {})",
        namespace_filter("n"),
        not_extension_member("pg_class", "c.oid")
    )
}

/// `tbl` (see [`tables_cte`]) and `rel`: the tables, views and materialized views autogen
/// models, the relations that can have indexes or triggers in the catalog.
pub(crate) fn relations_cte() -> String {
    format!(
        "{}, rel AS (SELECT oid FROM tbl UNION ALL SELECT c.oid FROM pg_catalog.pg_class c \
           JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
           WHERE c.relkind IN ('v', 'm') AND {} AND {})",
        tables_cte(),
        namespace_filter("n"),
        not_extension_member("pg_class", "c.oid")
    )
}

/// Schemas with their privileges compared with what they get by default: nothing for a new
/// schema, and for `public` the `USAGE` to PUBLIC every database is created with (PostgreSQL
/// 15+ gives exactly that; before 15 its `CREATE` to PUBLIC is a grant beyond, in every
/// database of that version alike).
pub fn schemas() -> String {
    let default = "CASE WHEN n.nspname = 'public' \
        THEN pg_catalog.array_append(pg_catalog.acldefault('n', n.nspowner), \
          pg_catalog.makeaclitem(0, n.nspowner, 'USAGE', false)) \
        ELSE pg_catalog.acldefault('n', n.nspowner) END";
    let effective = format!("COALESCE(n.nspacl, {default})");
    format!(
        "SELECT n.nspname::text, pg_catalog.obj_description(n.oid, 'pg_namespace'), \
           {grants}, {revoked} \
         FROM pg_catalog.pg_namespace n WHERE {ns} AND {member}",
        grants = grants_json(&objects::acl_beyond(&effective, default), "n.nspowner"),
        revoked = grants_json(&objects::acl_beyond(default, &effective), "n.nspowner"),
        ns = namespace_filter("n"),
        member = not_extension_member("pg_namespace", "n.oid")
    )
}

/// Extensions whose objects live in a schema in scope (or in pg_catalog), with the extensions
/// each requires. plpgsql is part of every database and never listed.
pub fn extensions() -> String {
    format!(
        "SELECT e.extname::text, n.nspname::text, e.extversion, \
           ARRAY(SELECT r.extname::text FROM pg_catalog.pg_depend d \
                 JOIN pg_catalog.pg_extension r ON r.oid = d.refobjid \
                 WHERE d.classid = 'pg_catalog.pg_extension'::pg_catalog.regclass \
                   AND d.objid = e.oid AND d.deptype = 'n' \
                   AND d.refclassid = 'pg_catalog.pg_extension'::pg_catalog.regclass \
                 ORDER BY 1) \
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
           pg_catalog.obj_description(t.oid, 'pg_type'), t.oid, {} \
         FROM pg_catalog.pg_type t JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace \
         WHERE t.typtype = 'e' AND {} AND {}",
        objects::type_privileges(),
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
           pg_catalog.obj_description(c.oid, 'pg_class'), c.oid, {grants} \
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
        not_extension_member("pg_class", "c.oid"),
        grants = grants_json(
            "(SELECT x.grantee, x.privilege_type, x.is_grantable, NULL::text AS col \
               FROM pg_catalog.aclexplode(c.relacl) x)",
            "c.relowner",
        ),
    )
}

/// `LEFT JOIN` of the comment on an object: a join, because `obj_description` and
/// `col_description` run a subquery per row (a fifth of the columns query's time).
pub(crate) fn description_join(alias: &str, object: &str, catalog: &str, sub_id: &str) -> String {
    format!(
        "LEFT JOIN pg_catalog.pg_description {alias} ON {alias}.objoid = {object} \
         AND {alias}.classoid = '{catalog}'::regclass AND {alias}.objsubid = {sub_id}"
    )
}

/// Tables with their settings: persistence, row-level security, storage parameters (the
/// TOAST table's prefixed `toast.`, sorted), replica identity (with its index's name), the
/// privileges others than the owner hold on the table and its columns, a partitioned table's
/// key, a partition's parent and bound, and an inheritance child's parents in their order.
pub fn tables() -> String {
    format!(
        "{} SELECT c.oid, n.nspname::text, c.relname::text, c.relpersistence = 'u', ds.description, \
           c.relrowsecurity, c.relforcerowsecurity, \
           CASE WHEN c.reloptions IS NOT NULL OR toast.reloptions IS NOT NULL THEN \
             ARRAY(SELECT o FROM (SELECT pg_catalog.unnest(c.reloptions) \
                 UNION ALL SELECT 'toast.' || pg_catalog.unnest(toast.reloptions)) p(o) \
               ORDER BY o) END, \
           c.relreplident::text, \
           CASE WHEN c.relreplident = 'i' THEN (SELECT ri.relname::text \
             FROM pg_catalog.pg_index i JOIN pg_catalog.pg_class ri ON ri.oid = i.indexrelid \
             WHERE i.indrelid = c.oid AND i.indisreplident) END, \
           {grants}, \
           CASE WHEN c.relkind = 'p' THEN pg_catalog.pg_get_partkeydef(c.oid) END, \
           CASE WHEN c.relispartition THEN (SELECT pn.nspname::text FROM pg_catalog.pg_inherits i \
             JOIN pg_catalog.pg_class p ON p.oid = i.inhparent \
             JOIN pg_catalog.pg_namespace pn ON pn.oid = p.relnamespace \
             WHERE i.inhrelid = c.oid) END, \
           CASE WHEN c.relispartition THEN (SELECT p.relname::text FROM pg_catalog.pg_inherits i \
             JOIN pg_catalog.pg_class p ON p.oid = i.inhparent WHERE i.inhrelid = c.oid) END, \
           CASE WHEN c.relispartition THEN pg_catalog.pg_get_expr(c.relpartbound, c.oid) END, \
           ARRAY(SELECT pn.nspname::text FROM pg_catalog.pg_inherits i \
             JOIN pg_catalog.pg_class p ON p.oid = i.inhparent \
             JOIN pg_catalog.pg_namespace pn ON pn.oid = p.relnamespace \
             WHERE i.inhrelid = c.oid AND NOT c.relispartition ORDER BY i.inhseqno), \
           ARRAY(SELECT p.relname::text FROM pg_catalog.pg_inherits i \
             JOIN pg_catalog.pg_class p ON p.oid = i.inhparent \
             WHERE i.inhrelid = c.oid AND NOT c.relispartition ORDER BY i.inhseqno) \
         FROM tbl JOIN pg_catalog.pg_class c ON c.oid = tbl.oid \
         JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
         LEFT JOIN pg_catalog.pg_class toast ON toast.oid = c.reltoastrelid {description}",
        tables_cte(),
        description = description_join("ds", "c.oid", "pg_class", "0"),
        grants = grants_json(
            "(SELECT x.grantee, x.privilege_type, x.is_grantable, NULL::text AS col \
               FROM pg_catalog.aclexplode(c.relacl) x \
             UNION ALL SELECT x.grantee, x.privilege_type, x.is_grantable, a.attname::text \
               FROM pg_catalog.pg_attribute a \
               CROSS JOIN LATERAL pg_catalog.aclexplode(a.attacl) x \
               WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped \
                 AND a.attacl IS NOT NULL)",
            "c.relowner",
        ),
    )
}

/// The privileges of `entries` (rows of `grantee`, `privilege_type`, `is_grantable`, `col`:
/// what `aclexplode` gives, with a column name or NULL) held by others than `owner`, as the
/// JSON array of [`autogen_schema::Grant`]s; NULL when there are none.
pub(crate) fn grants_json(entries: &str, owner: &str) -> String {
    format!(
        "(SELECT pg_catalog.json_agg(pg_catalog.json_build_object(\
             'grantee', CASE WHEN e.grantee = 0 THEN 'public' \
               ELSE pg_catalog.pg_get_userbyid(e.grantee)::text END, \
             'privilege', e.privilege_type, 'column', e.col, 'grantable', e.is_grantable))::text \
         FROM {entries} e WHERE e.grantee <> {owner})"
    )
}

/// Columns in no particular order (sorting 50,000 rows server-side spilled to disk; the
/// client sorts by attnum). Defaults are deparsed without their table (`pg_get_expr(…, 0)`):
/// a default cannot use a column, and building the table's deparse context for each of them
/// was half of this query's time; generated expressions do use columns and get it. Also each column's type and collation oids, which resolve index
/// keys client-side, its settings (statistics target, storage when not its type's, compression
/// from PostgreSQL 14 on, attribute options; `attstattarget` is NULL for the default from
/// PostgreSQL 17 on) and their fingerprint, for the columns the catalog does not list (a
/// partition's, an inheritance child's inherited ones), and the fingerprint of its grants
/// (NULL for nearly every column; read here rather than in a second scan of `pg_attribute`
/// by the unsupported-objects query). A column's grants are its table's
/// (`tables`).
pub fn columns(server_version: i32) -> String {
    format!(
        "{} SELECT a.attrelid, a.attnum, a.attname::text, \
           pg_catalog.format_type(a.atttypid, a.atttypmod), a.attnotnull, \
           CASE WHEN a.attgenerated = '' THEN pg_catalog.pg_get_expr(ad.adbin, 0) END, \
           CASE WHEN a.attgenerated <> '' THEN pg_catalog.pg_get_expr(ad.adbin, ad.adrelid) END, \
           a.attidentity::text, \
           pg_catalog.quote_ident(cn.nspname) || '.' || pg_catalog.quote_ident(co.collname), \
           ds.description, \
           s.seqstart, s.seqincrement, s.seqmin, s.seqmax, s.seqcache, s.seqcycle, \
           a.atttypid, a.attcollation, ad.oid, {settings}, \
           CASE WHEN ({settings}) IS NOT NULL THEN \
             (SELECT pg_catalog.quote_ident(n.nspname) || '.' || pg_catalog.quote_ident(c.relname) \
                || '.' || pg_catalog.quote_ident(a.attname) \
              FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
              WHERE c.oid = a.attrelid) END, \
           a.attislocal, \
           CASE WHEN COALESCE(a.attstattarget, -1) <> -1 THEN a.attstattarget::int4 END, \
           CASE WHEN a.attstorage <> ty.typstorage THEN \
             CASE a.attstorage WHEN 'p' THEN 'plain' WHEN 'e' THEN 'external' \
               WHEN 'x' THEN 'extended' WHEN 'm' THEN 'main' END END, \
           {compression}, COALESCE(a.attoptions, '{{}}'::text[]) \
         FROM pg_catalog.pg_attribute a JOIN tbl ON tbl.oid = a.attrelid \
         JOIN pg_catalog.pg_type ty ON ty.oid = a.atttypid \
         LEFT JOIN pg_catalog.pg_collation co ON co.oid = a.attcollation \
           AND a.attcollation <> ty.typcollation \
         LEFT JOIN pg_catalog.pg_namespace cn ON cn.oid = co.collnamespace \
         LEFT JOIN pg_catalog.pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum \
         {description} \
         LEFT JOIN (SELECT d.refobjid, d.refobjsubid, q.* FROM pg_catalog.pg_depend d \
             JOIN pg_catalog.pg_sequence q ON q.seqrelid = d.objid \
             WHERE d.classid = 'pg_class'::regclass AND d.refclassid = 'pg_class'::regclass \
               AND d.deptype = 'i') s \
           ON a.attidentity <> '' AND s.refobjid = a.attrelid AND s.refobjsubid = a.attnum \
         WHERE a.attnum > 0 AND NOT a.attisdropped",
        tables_cte(),
        description = description_join("ds", "a.attrelid", "pg_class", "a.attnum"),
        settings = unsupported::column_settings(server_version, "a", "ty"),
        compression = if server_version >= 140000 {
            "CASE a.attcompression WHEN 'p' THEN 'pglz' WHEN 'l' THEN 'lz4' END"
        } else {
            "NULL::text"
        },
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
/// property). A partition's constraints are its own ones only: not the clones of its parent's
/// (`conparentid`), nor a check it holds both of its own and from its parent (merged when it
/// was attached: the parent's). Column numbers are resolved to names client-side, except for foreign keys to
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
           COALESCE(ci.reloptions, '{{}}'::text[]), {on_delete_columns}, con.oid, \
           CASE WHEN con.contype IN ('p', 'u', 'x') THEN con.conindid END, di.description \
         FROM pg_catalog.pg_constraint con JOIN tbl ON tbl.oid = con.conrelid \
         LEFT JOIN pg_catalog.pg_class rc ON rc.oid = con.confrelid \
         LEFT JOIN pg_catalog.pg_namespace rn ON rn.oid = rc.relnamespace \
         LEFT JOIN pg_catalog.pg_index ii ON ii.indexrelid = con.conindid AND con.contype IN ('p', 'u') \
         LEFT JOIN pg_catalog.pg_class ci ON ci.oid = ii.indexrelid \
         {description} {index_description} \
         WHERE con.contype IN ('p', 'u', 'f', 'c', 'x') \
           AND con.conparentid = 0 AND (con.conislocal OR con.coninhcount = 0) \
           AND NOT (con.coninhcount > 0 AND EXISTS (SELECT 1 FROM pg_catalog.pg_class pc \
             WHERE pc.oid = con.conrelid AND pc.relispartition))",
        cte = tables_cte(),
        referenced_names = attribute_names("con.confkey", "con.confrelid"),
        description = description_join("ds", "con.oid", "pg_constraint", "0"),
        index_description = description_join("di", "con.conindid", "pg_class", "0"),
    )
}

/// Indexes that no constraint owns, of tables and materialized views, with their raw key
/// arrays (column numbers, operator classes, collations, options); names, default operator
/// classes and collations are resolved client-side. Only expression keys are deparsed:
/// `pg_get_indexdef` builds a relcache entry per index.
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
           COALESCE(ic.reloptions, '{{}}'::text[]), ds.description, i.indexrelid \
         FROM pg_catalog.pg_index i JOIN rel ON rel.oid = i.indrelid \
         JOIN pg_catalog.pg_class ic ON ic.oid = i.indexrelid \
         JOIN pg_catalog.pg_am am ON am.oid = ic.relam \
         {description} \
         WHERE i.indisvalid AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_constraint con \
           WHERE con.conindid = i.indexrelid AND con.conrelid = i.indrelid \
             AND con.contype IN ('p', 'u', 'x')) \
           AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_inherits ih \
             WHERE ih.inhrelid = i.indexrelid)",
        cte = relations_cte(),
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

/// Collations by oid (qualified names), and the default collation of every collatable type
/// (what an index key's collation is compared with) and the base type of every domain (an
/// index key's default operator class is its base type's).
pub fn collations() -> String {
    "SELECT co.oid, pg_catalog.quote_ident(n.nspname) || '.' || pg_catalog.quote_ident(co.collname), \
       NULL::oid, NULL::oid \
     FROM pg_catalog.pg_collation co JOIN pg_catalog.pg_namespace n ON n.oid = co.collnamespace \
     UNION ALL SELECT t.oid, NULL, t.typcollation, t.typbasetype FROM pg_catalog.pg_type t \
     WHERE t.typcollation <> 0 OR t.typtype = 'd'"
        .to_string()
}
