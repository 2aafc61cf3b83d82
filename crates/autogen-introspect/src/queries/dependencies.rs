//! The dependency graph: one query over `pg_depend`, resolved client-side against the oids
//! the other queries returned (so only edges between objects of the catalog survive, and the
//! schema filter, extension membership and unmodeled kinds need no repeating here).

/// The catalogs whose rows can be an end of a [`autogen_schema::Dependency`], by the short
/// name each row reports (`class`, `type`, …). Anything else (schemas, languages, operator
/// classes, extensions) is not an object of the catalog and is left out here already.
const CATALOGS: [(&str, &str); 11] = [
    ("pg_class", "class"),
    ("pg_type", "type"),
    ("pg_proc", "proc"),
    ("pg_constraint", "constraint"),
    ("pg_attrdef", "attrdef"),
    ("pg_trigger", "trigger"),
    ("pg_rewrite", "rewrite"),
    ("pg_collation", "collation"),
    ("pg_policy", "policy"),
    ("pg_ts_config", "ts_config"),
    ("pg_ts_dict", "ts_dict"),
];

/// `CASE column WHEN 'pg_class'::regclass THEN 'class' … END` (constants folded at plan time).
fn catalog_name(column: &str) -> String {
    let arms: String = CATALOGS
        .iter()
        .map(|(catalog, short)| {
            format!(" WHEN 'pg_catalog.{catalog}'::pg_catalog.regclass THEN '{short}'")
        })
        .collect();
    format!("CASE {column}{arms} END")
}

/// Every dependency between user objects, as `(catalog, oid, sub-id)` of both ends.
///
/// Deptypes: `n` (normal: a view's query uses a column, a trigger calls a function, a column
/// has a type) and `a` (auto: an index or constraint on columns, a trigger on its table, a
/// default on its column, dropped together with what they are on, so a plan that re-creates
/// that must re-create them too). Not `i` (internal: the object is an implementation part of
/// the other, e.g. a view's rule, a constraint's index, an identity sequence, an array or row
/// type: never separate objects of the catalog), `e`/`x` (extension membership), `p`/`P`/`S`
/// (pins, partitions: not modeled).
///
/// Auto edges that only restate the catalog's structure are left out here already (they are
/// most of the rows of a large schema): a default's edge to its own column, an index's or a
/// primary key's, unique constraint's or foreign key's to the columns it lists (its key and
/// INCLUDE columns; a TOAST table's index too) and an index's or constraint's to its own
/// table. What an expression (a check, an index expression or predicate) uses stays.
///
/// Types are normalized here: an array type stands for its element type, a multirange type
/// (PostgreSQL 14+) for its range type, and a type with a relation (a table's or view's row
/// type, a composite type) for that `pg_class` row. Only user objects are read: oids below
/// 16384 (`FirstNormalObjectId`) are PostgreSQL's own, and its information_schema alone has
/// thousands of such rows.
pub fn dependencies(server_version: i32) -> String {
    let multirange = if server_version >= 140000 {
        "LEFT JOIN pg_catalog.pg_range m ON m.rngmultitypid = COALESCE(e.oid, t.oid)"
    } else {
        "LEFT JOIN (SELECT NULL::oid AS rngtypid) m ON false"
    };
    let end = |side: &str, catalog: &str, oid: &str, sub: &str| {
        format!(
            "CASE WHEN {side}.class IS NOT NULL THEN {side}.class ELSE {catalog} END, \
             COALESCE({side}.target, {oid}), \
             CASE WHEN {side}.class IS NOT NULL THEN 0 ELSE {sub} END"
        )
    };
    // A type end is normalized by a lateral lookup per edge (index scans on `pg_type` by oid)
    // rather than by joining a materialized CTE of all user types: on catalogs without
    // statistics (a schema just created, as on the dev database) the planner expected one
    // `pg_depend` row and nested-looped over the CTE, 25 s instead of 0.25 s at 5,000 tables.
    let type_target = |side: &str, catalog: &str, oid: &str| {
        format!(
            "LEFT JOIN LATERAL (SELECT \
               CASE WHEN b.typrelid <> 0 THEN 'class' ELSE 'type' END AS class, \
               CASE WHEN b.typrelid <> 0 THEN b.typrelid ELSE b.oid END AS target \
             FROM pg_catalog.pg_type t \
             LEFT JOIN pg_catalog.pg_type e ON e.oid = t.typelem AND t.typlen = -1 \
               AND t.typelem <> 0 \
             {multirange} \
             JOIN pg_catalog.pg_type b ON b.oid = COALESCE(m.rngtypid, e.oid, t.oid) \
             WHERE {catalog} = 'type' AND t.oid = {oid}) {side} ON true"
        )
    };
    format!(
        "WITH edge AS (SELECT {dependent} AS catalog, d.objid, d.objsubid, \
             {referenced} AS refcatalog, d.refobjid, d.refobjsubid \
           FROM pg_catalog.pg_depend d \
           LEFT JOIN pg_catalog.pg_index x ON d.deptype = 'a' \
             AND d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass AND x.indexrelid = d.objid \
           LEFT JOIN pg_catalog.pg_constraint k ON d.deptype = 'a' \
             AND d.classid = 'pg_catalog.pg_constraint'::pg_catalog.regclass AND k.oid = d.objid \
           WHERE d.deptype IN ('n', 'a') AND d.objid >= 16384 AND d.refobjid >= 16384 \
             AND NOT (d.classid = 'pg_catalog.pg_attrdef'::pg_catalog.regclass \
               AND d.deptype = 'a') \
             AND NOT COALESCE(d.refobjid = x.indrelid \
               AND (d.refobjsubid = 0 OR d.refobjsubid = ANY (x.indkey::int2[])), false) \
             AND NOT COALESCE(d.refobjid = k.conrelid \
               AND (d.refobjsubid = 0 OR (k.contype IN ('p', 'u', 'f') \
                 AND d.refobjsubid = ANY (k.conkey))), false)) \
         SELECT {dependent_end}, {referenced_end} \
         FROM edge {dependent_type} {referenced_type} \
         WHERE edge.catalog IS NOT NULL AND edge.refcatalog IS NOT NULL",
        dependent_type = type_target("dt", "edge.catalog", "edge.objid"),
        referenced_type = type_target("rt", "edge.refcatalog", "edge.refobjid"),
        dependent = catalog_name("d.classid"),
        referenced = catalog_name("d.refclassid"),
        dependent_end = end("dt", "edge.catalog", "edge.objid", "edge.objsubid"),
        referenced_end = end("rt", "edge.refcatalog", "edge.refobjid", "edge.refobjsubid"),
    )
}
