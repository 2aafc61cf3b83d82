//! Queries of the modeled objects beyond tables: views and materialized views, functions,
//! procedures and aggregates, triggers, domains and their checks, composite and range types,
//! collations, text search dictionaries and configurations; and the extension versions the server could update to. Like the table
//! queries, each reads its kind for the whole database in one round trip and takes the
//! schema filter as `$1`/`$2`. Every row starts with the object's oid, which the dependency
//! graph (`pg_depend`) is resolved against.

use super::{description_join, namespace_filter, not_extension_member};

/// `schema.name` quoted as PostgreSQL quotes identifiers.
fn qualified(namespace: &str, name: &str) -> String {
    format!("pg_catalog.quote_ident({namespace}) || '.' || pg_catalog.quote_ident({name})")
}

/// Views and materialized views: definition, options, whether a materialized view holds data,
/// comments, the `_RETURN` rule (what `pg_depend` names as the view's query), the columns
/// (number, name, type and collation oids, comment) and `GRANT`s to others than the owner.
pub fn views() -> String {
    let ns = namespace_filter("n");
    let member = not_extension_member("pg_class", "c.oid");
    let attributes = |expression: &str| {
        format!(
            "ARRAY(SELECT {expression} FROM pg_catalog.pg_attribute a \
               WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum)"
        )
    };
    format!(
        "SELECT c.oid, n.nspname::text, c.relname::text, c.relkind = 'm', \
           pg_catalog.pg_get_viewdef(c.oid), COALESCE(c.reloptions, '{{}}'::text[]), \
           NOT c.relispopulated, ds.description, rw.oid, \
           {numbers}, {names}, {types}, {collations}, {comments}, {type_names}, \
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
         LEFT JOIN pg_catalog.pg_rewrite rw ON rw.ev_class = c.oid AND rw.rulename = '_RETURN' \
         {description} \
         WHERE c.relkind IN ('v', 'm') AND {ns} AND {member}",
        numbers = attributes("a.attnum"),
        names = attributes("a.attname::text"),
        types = attributes("a.atttypid"),
        collations = attributes("a.attcollation"),
        comments = attributes(
            "(SELECT d.description FROM pg_catalog.pg_description d WHERE d.objoid = c.oid \
               AND d.classoid = 'pg_catalog.pg_class'::pg_catalog.regclass \
               AND d.objsubid = a.attnum)"
        ),
        type_names = attributes(
            "pg_catalog.format_type(a.atttypid, a.atttypmod) \
               || CASE WHEN a.attcollation <> 0 AND a.attcollation <> \
                    (SELECT t.typcollation FROM pg_catalog.pg_type t WHERE t.oid = a.atttypid) \
                  THEN ' COLLATE ' || (SELECT pg_catalog.quote_ident(cn.nspname) || '.' \
                    || pg_catalog.quote_ident(co.collname) FROM pg_catalog.pg_collation co \
                    JOIN pg_catalog.pg_namespace cn ON cn.oid = co.collnamespace \
                    WHERE co.oid = a.attcollation) ELSE '' END"
        ),
        description = description_join("ds", "c.oid", "pg_class", "0"),
    )
}

/// Functions, procedures, aggregates and window functions that are the user's own: not an
/// extension's, and not made by PostgreSQL as part of another object (the constructors of a
/// range type depend on it with deptype `i`). `pg_get_functiondef` refuses aggregates, so
/// for them the `pg_aggregate` row is read (function names as `regproc` prints them:
/// qualified unless in pg_catalog), to be put together as pg_dump does.
/// The entries of the ACL `acl` that `other` lacks, as rows for `grants_json`.
pub(crate) fn acl_beyond(acl: &str, other: &str) -> String {
    format!(
        "(SELECT x.grantee, x.privilege_type, x.is_grantable, NULL::text AS col \
          FROM pg_catalog.aclexplode({acl}) x \
          WHERE NOT EXISTS (SELECT 1 FROM pg_catalog.aclexplode({other}) o \
            WHERE o.grantee = x.grantee AND o.privilege_type = x.privilege_type \
              AND o.is_grantable = x.is_grantable))"
    )
}

pub fn functions() -> String {
    let ns = namespace_filter("n");
    // A routine's privileges compared with what it gets by default (`EXECUTE` to PUBLIC):
    // the grants beyond, and the defaults taken away.
    let default = "pg_catalog.acldefault('f', p.proowner)";
    let effective = format!("COALESCE(p.proacl, {default})");
    let regproc = |column: &str| format!("CASE WHEN a.{column} <> 0 THEN a.{column}::text END");
    format!(
        "SELECT p.oid, n.nspname::text, p.proname::text, p.prokind::text, \
           pg_catalog.pg_get_function_identity_arguments(p.oid), \
           pg_catalog.pg_get_function_arguments(p.oid), \
           CASE WHEN p.prokind <> 'p' THEN pg_catalog.pg_get_function_result(p.oid) END, \
           CASE WHEN p.prokind <> 'a' THEN pg_catalog.pg_get_functiondef(p.oid) END, \
           ds.description, p.proparallel::text, \
           a.aggkind::text, {transfn}, pg_catalog.format_type(a.aggtranstype, NULL), \
           a.aggtransspace, a.agginitval, {finalfn}, a.aggfinalextra, a.aggfinalmodify::text, \
           {combinefn}, {serialfn}, {deserialfn}, {mtransfn}, {minvtransfn}, \
           CASE WHEN a.aggmtranstype <> 0 THEN pg_catalog.format_type(a.aggmtranstype, NULL) END, \
           a.aggmtransspace, a.aggminitval, {mfinalfn}, a.aggmfinalextra, \
           a.aggmfinalmodify::text, \
           (SELECT 'OPERATOR(' || pg_catalog.quote_ident(opn.nspname) || '.' || o.oprname || ')' \
              FROM pg_catalog.pg_operator o \
              JOIN pg_catalog.pg_namespace opn ON opn.oid = o.oprnamespace \
              WHERE o.oid = a.aggsortop), \
           {grants}, {revoked} \
         FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace \
         LEFT JOIN pg_catalog.pg_aggregate a ON a.aggfnoid = p.oid \
         {description} \
         WHERE {ns} AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d \
           WHERE d.classid = 'pg_catalog.pg_proc'::pg_catalog.regclass AND d.objid = p.oid \
             AND d.deptype IN ('e', 'i'))",
        grants = super::grants_json(&acl_beyond(&effective, default), "p.proowner"),
        revoked = super::grants_json(&acl_beyond(default, &effective), "p.proowner"),
        transfn = regproc("aggtransfn"),
        finalfn = regproc("aggfinalfn"),
        combinefn = regproc("aggcombinefn"),
        serialfn = regproc("aggserialfn"),
        deserialfn = regproc("aggdeserialfn"),
        mtransfn = regproc("aggmtransfn"),
        minvtransfn = regproc("aggminvtransfn"),
        mfinalfn = regproc("aggmfinalfn"),
        description = description_join("ds", "p.oid", "pg_proc", "0"),
    )
}

/// User triggers (not the internal ones of foreign keys) of tables, views and materialized
/// views; triggers of other relations (partitions, foreign tables, …) are reported as
/// unsupported. Which tables autogen models (not an extension's) is
/// decided client-side, against the tables read: starting from the few triggers is cheaper
/// than from every table.
pub fn triggers(server_version: i32) -> String {
    // A trigger of a partitioned table is cloned onto each partition (`tgparentid`, 13+): the
    // clones are the parent's, not the partitions' own. Before 13 the clones cannot be told
    // apart, so partitions' triggers are left to the unsupported-objects query.
    let relations = if server_version >= 130000 {
        "c.relkind IN ('r', 'p', 'v', 'm') AND tg.tgparentid = 0"
    } else {
        "c.relkind IN ('r', 'p', 'v', 'm') AND NOT c.relispartition"
    };
    format!(
        "SELECT tg.oid, n.nspname::text, c.relname::text, tg.tgname::text, \
           pg_catalog.pg_get_triggerdef(tg.oid), tg.tgenabled::text, ds.description \
         FROM pg_catalog.pg_trigger tg \
         JOIN pg_catalog.pg_class c ON c.oid = tg.tgrelid \
         JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
         {description} \
         WHERE NOT tg.tgisinternal AND {relations} AND {ns}",
        description = description_join("ds", "tg.oid", "pg_trigger", "0"),
        ns = namespace_filter("n"),
    )
}

/// Row-level security policies of tables. Roles as names, `public` for PUBLIC, sorted.
pub fn policies() -> String {
    format!(
        "SELECT pol.oid, n.nspname::text, c.relname::text, pol.polname::text, \
           NOT pol.polpermissive, pol.polcmd::text, \
           ARRAY(SELECT CASE WHEN r.oid = 0 THEN 'public' \
               ELSE pg_catalog.pg_get_userbyid(r.oid)::text END \
             FROM pg_catalog.unnest(pol.polroles) r(oid) ORDER BY 1), \
           pg_catalog.pg_get_expr(pol.polqual, pol.polrelid), \
           pg_catalog.pg_get_expr(pol.polwithcheck, pol.polrelid), ds.description \
         FROM pg_catalog.pg_policy pol \
         JOIN pg_catalog.pg_class c ON c.oid = pol.polrelid \
         JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
         {description} \
         WHERE c.relkind IN ('r', 'p') AND {ns}",
        description = description_join("ds", "pol.oid", "pg_policy", "0"),
        ns = namespace_filter("n"),
    )
}

/// Default privileges (`pg_default_acl`) of the database and of schemas in scope: the role
/// (NULL when it is the role reading the schema), the schema (NULL: everywhere), the kind of
/// objects, and what differs from PostgreSQL's defaults for that kind — for an entry of a
/// schema, everything it grants (it only adds to the global ones).
pub fn default_privileges() -> String {
    let kind = "CASE d.defaclobjtype WHEN 'S' THEN 's' ELSE d.defaclobjtype END::\"char\"";
    let builtin = format!("pg_catalog.acldefault({kind}, d.defaclrole)");
    let global = format!("CASE WHEN d.defaclnamespace = 0 THEN {builtin} END");
    format!(
        "SELECT CASE WHEN d.defaclrole = (SELECT r.oid FROM pg_catalog.pg_roles r \
               WHERE r.rolname = CURRENT_USER) THEN NULL \
             ELSE pg_catalog.pg_get_userbyid(d.defaclrole)::text END, \
           n.nspname::text, d.defaclobjtype::text, {grants}, {revoked} \
         FROM pg_catalog.pg_default_acl d \
         LEFT JOIN pg_catalog.pg_namespace n ON n.oid = d.defaclnamespace \
         WHERE d.defaclnamespace = 0 OR ({ns})",
        grants = super::grants_json(&acl_beyond("d.defaclacl", &global), "d.defaclrole"),
        revoked = super::grants_json(
            &format!(
                "(SELECT * FROM {} x WHERE d.defaclnamespace = 0)",
                acl_beyond(&builtin, "d.defaclacl")
            ),
            "d.defaclrole"
        ),
        ns = namespace_filter("n"),
    )
}

/// Domains: base type, a collation other than the base type's, default, NOT NULL.
pub fn domains() -> String {
    format!(
        "SELECT t.oid, n.nspname::text, t.typname::text, \
           pg_catalog.format_type(t.typbasetype, t.typtypmod), \
           CASE WHEN t.typcollation <> bt.typcollation THEN {collation} END, \
           pg_catalog.pg_get_expr(t.typdefaultbin, 0), t.typnotnull, ds.description, \
           {privileges} \
         FROM pg_catalog.pg_type t JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace \
         JOIN pg_catalog.pg_type bt ON bt.oid = t.typbasetype \
         LEFT JOIN pg_catalog.pg_collation co ON co.oid = t.typcollation \
         LEFT JOIN pg_catalog.pg_namespace cn ON cn.oid = co.collnamespace \
         {description} \
         WHERE t.typtype = 'd' AND {ns} AND {member}",
        collation = qualified("cn.nspname", "co.collname"),
        description = description_join("ds", "t.oid", "pg_type", "0"),
        ns = namespace_filter("n"),
        member = not_extension_member("pg_type", "t.oid"),
        privileges = type_privileges(),
    )
}

/// A type's privileges compared with what it gets by default (`USAGE` to PUBLIC): the grants
/// beyond (a JSON column) and the defaults taken away (another), for `rows::grants`.
pub(crate) fn type_privileges() -> String {
    let default = "pg_catalog.acldefault('T', t.typowner)";
    let effective = format!("COALESCE(t.typacl, {default})");
    format!(
        "{}, {}",
        super::grants_json(&acl_beyond(&effective, default), "t.typowner"),
        super::grants_json(&acl_beyond(default, &effective), "t.typowner")
    )
}

/// The CHECK constraints of the domains above, by domain oid (`pg_get_constraintdef`
/// appends ` NOT VALID` to one not validated yet; the decoder takes it off).
pub fn domain_checks() -> String {
    format!(
        "SELECT con.oid, con.contypid, con.conname::text, pg_catalog.pg_get_constraintdef(con.oid), \
           con.convalidated, ds.description \
         FROM pg_catalog.pg_constraint con JOIN pg_catalog.pg_type t ON t.oid = con.contypid \
         JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace \
         {description} \
         WHERE con.contype = 'c' AND t.typtype = 'd' AND {ns} AND {member}",
        description = description_join("ds", "con.oid", "pg_constraint", "0"),
        ns = namespace_filter("n"),
        member = not_extension_member("pg_type", "t.oid"),
    )
}

/// Free-standing composite types (`CREATE TYPE … AS (…)`: relkind `c`, not a table's row
/// type), by the oid of their `pg_class` row (what `pg_depend` names for their attributes),
/// with the attributes in order: name, type, a collation other than the type's, comment.
pub fn composite_types() -> String {
    let attributes = |expression: &str| {
        format!(
            "ARRAY(SELECT {expression} FROM pg_catalog.pg_attribute a \
               JOIN pg_catalog.pg_type at ON at.oid = a.atttypid \
               LEFT JOIN pg_catalog.pg_collation co ON co.oid = a.attcollation \
               LEFT JOIN pg_catalog.pg_namespace cn ON cn.oid = co.collnamespace \
               LEFT JOIN pg_catalog.pg_description d ON d.objoid = r.oid \
                 AND d.classoid = 'pg_catalog.pg_class'::pg_catalog.regclass \
                 AND d.objsubid = a.attnum \
               WHERE a.attrelid = r.oid AND a.attnum > 0 AND NOT a.attisdropped \
               ORDER BY a.attnum)"
        )
    };
    format!(
        "SELECT r.oid, n.nspname::text, t.typname::text, ds.description, {names}, {types}, \
           {collations}, {comments}, {privileges} \
         FROM pg_catalog.pg_type t JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace \
         JOIN pg_catalog.pg_class r ON r.oid = t.typrelid AND r.relkind = 'c' \
         {description} \
         WHERE t.typtype = 'c' AND {ns} AND {member}",
        names = attributes("a.attname::text"),
        types = attributes("pg_catalog.format_type(a.atttypid, a.atttypmod)"),
        collations = attributes(&format!(
            "CASE WHEN a.attcollation <> at.typcollation THEN {} END",
            qualified("cn.nspname", "co.collname")
        )),
        comments = attributes("d.description"),
        privileges = type_privileges(),
        description = description_join("ds", "t.oid", "pg_type", "0"),
        ns = namespace_filter("n"),
        member = not_extension_member("pg_type", "t.oid"),
    )
}

/// Range types with their subtype (and its oid, to tell default operator classes and
/// collations client-side), canonical and subtype_diff functions, and (PostgreSQL 14+) the
/// multirange type's schema and name.
pub fn range_types(server_version: i32) -> String {
    let (multirange_columns, multirange_join) = if server_version >= 140000 {
        (
            "mn.nspname::text, mt.typname::text, \
             pg_catalog.format_type(r.rngmultitypid, NULL)",
            "LEFT JOIN pg_catalog.pg_type mt ON mt.oid = r.rngmultitypid \
             LEFT JOIN pg_catalog.pg_namespace mn ON mn.oid = mt.typnamespace",
        )
    } else {
        ("NULL::text, NULL::text, NULL::text", "")
    };
    format!(
        "SELECT t.oid, n.nspname::text, t.typname::text, \
           pg_catalog.format_type(r.rngsubtype, NULL), r.rngsubtype, r.rngsubopc, \
           r.rngcollation, \
           CASE WHEN r.rngcanonical <> 0 THEN r.rngcanonical::text END, \
           CASE WHEN r.rngsubdiff <> 0 THEN r.rngsubdiff::text END, \
           {multirange_columns}, ds.description, {privileges} \
         FROM pg_catalog.pg_range r JOIN pg_catalog.pg_type t ON t.oid = r.rngtypid \
         JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace \
         {multirange_join} \
         {description} \
         WHERE {ns} AND {member}",
        privileges = type_privileges(),
        description = description_join("ds", "t.oid", "pg_type", "0"),
        ns = namespace_filter("n"),
        member = not_extension_member("pg_type", "t.oid"),
    )
}

/// Collations in user schemas. Where a collation keeps its locale moved between versions:
/// `collcollate`/`collctype` (`name` up to 14, ICU locales there too), `colliculocale` for
/// ICU in 15 and 16 (`collcollate` is NULL then), `colllocale` for ICU and builtin from 17.
pub fn user_collations(server_version: i32) -> String {
    let (collate, ctype) = if server_version >= 170000 {
        (
            "COALESCE(co.colllocale, co.collcollate)",
            "COALESCE(co.colllocale, co.collctype)",
        )
    } else if server_version >= 150000 {
        (
            "COALESCE(co.colliculocale, co.collcollate)",
            "COALESCE(co.colliculocale, co.collctype)",
        )
    } else {
        ("co.collcollate::text", "co.collctype::text")
    };
    format!(
        "SELECT co.oid, n.nspname::text, co.collname::text, co.collprovider::text, \
           {collate}, {ctype}, co.collisdeterministic, ds.description \
         FROM pg_catalog.pg_collation co JOIN pg_catalog.pg_namespace n ON n.oid = co.collnamespace \
         {description} \
         WHERE {ns} AND {member}",
        description = description_join("ds", "co.oid", "pg_collation", "0"),
        ns = namespace_filter("n"),
        member = not_extension_member("pg_collation", "co.oid"),
    )
}

/// Text search dictionaries: template (qualified), options as stored (`dictinitoption`, split
/// client-side), comment.
pub fn text_search_dictionaries() -> String {
    // `td`: `d` is `pg_depend` in the extension membership test.
    format!(
        "SELECT td.oid, n.nspname::text, td.dictname::text, {template}, td.dictinitoption, \
           ds.description \
         FROM pg_catalog.pg_ts_dict td JOIN pg_catalog.pg_namespace n ON n.oid = td.dictnamespace \
         JOIN pg_catalog.pg_ts_template t ON t.oid = td.dicttemplate \
         JOIN pg_catalog.pg_namespace tn ON tn.oid = t.tmplnamespace \
         {description} \
         WHERE {ns} AND {member}",
        template = qualified("tn.nspname", "t.tmplname"),
        description = description_join("ds", "td.oid", "pg_ts_dict", "0"),
        ns = namespace_filter("n"),
        member = not_extension_member("pg_ts_dict", "td.oid"),
    )
}

/// Text search configurations: parser (qualified), the mappings as two parallel arrays with
/// one element per (token type, dictionary), by token type alias (`ts_token_type` of the
/// parser) and the dictionaries' order; comment.
pub fn text_search_configurations() -> String {
    format!(
        "SELECT c.oid, n.nspname::text, c.cfgname::text, {parser}, \
           COALESCE(mp.tokens, '{{}}'::text[]), COALESCE(mp.dictionaries, '{{}}'::text[]), \
           ds.description \
         FROM pg_catalog.pg_ts_config c JOIN pg_catalog.pg_namespace n ON n.oid = c.cfgnamespace \
         JOIN pg_catalog.pg_ts_parser p ON p.oid = c.cfgparser \
         JOIN pg_catalog.pg_namespace pn ON pn.oid = p.prsnamespace \
         LEFT JOIN LATERAL (SELECT \
             pg_catalog.array_agg(tt.alias ORDER BY tt.alias, m.mapseqno) AS tokens, \
             pg_catalog.array_agg({dictionary} ORDER BY tt.alias, m.mapseqno) AS dictionaries \
           FROM pg_catalog.pg_ts_config_map m \
           JOIN pg_catalog.ts_token_type(c.cfgparser) tt ON tt.tokid = m.maptokentype \
           JOIN pg_catalog.pg_ts_dict md ON md.oid = m.mapdict \
           JOIN pg_catalog.pg_namespace mn ON mn.oid = md.dictnamespace \
           WHERE m.mapcfg = c.oid) mp ON true \
         {description} \
         WHERE {ns} AND {member}",
        parser = qualified("pn.nspname", "p.prsname"),
        // Qualified even in pg_catalog (`regdictionary` leaves that schema out).
        dictionary = qualified("mn.nspname", "md.dictname"),
        description = description_join("ds", "c.oid", "pg_ts_config", "0"),
        ns = namespace_filter("n"),
        member = not_extension_member("pg_ts_config", "c.oid"),
    )
}

/// For each extension of the catalog (see `extensions`) whose files this server has, every
/// version `ALTER EXTENSION … UPDATE` could reach from the installed one.
pub fn extension_updates() -> String {
    format!(
        "SELECT e.extname::text, e.extversion, u.target \
         FROM pg_catalog.pg_extension e JOIN pg_catalog.pg_namespace n ON n.oid = e.extnamespace \
         CROSS JOIN LATERAL pg_catalog.pg_extension_update_paths(e.extname) u \
         WHERE e.extname <> 'plpgsql' AND (n.nspname = 'pg_catalog' OR ({})) \
           AND e.extname IN (SELECT a.name FROM pg_catalog.pg_available_extensions a) \
           AND u.source = e.extversion AND u.path IS NOT NULL",
        namespace_filter("n")
    )
}
