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
/// not model (partitioned, partitions, inheritance children, foreign tables).
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
/// `(kind, fingerprint)` of the lateral list applies when its fingerprint is not NULL (the
/// CASEs keep the deparsing to the relations concerned).
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
    let is_child = "EXISTS (SELECT 1 FROM pg_catalog.pg_inherits i WHERE i.inhrelid = c.oid)";
    format!(
        "SELECT v.kind, {name}, v.fingerprint \
         FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
         LEFT JOIN pg_catalog.pg_class toast ON toast.oid = c.reltoastrelid \
         LEFT JOIN pg_catalog.pg_am am ON am.oid = c.relam \
         CROSS JOIN LATERAL (VALUES \
           ('foreign table', CASE WHEN c.relkind = 'f' THEN \
              (SELECT 'SERVER ' || pg_catalog.quote_ident(s.srvname) \
                 || COALESCE(' OPTIONS ' || ft.ftoptions::text, '') \
               FROM pg_catalog.pg_foreign_table ft \
               JOIN pg_catalog.pg_foreign_server s ON s.oid = ft.ftserver \
               WHERE ft.ftrelid = c.oid) || '; ' || {body} END), \
           ('partitioned table', CASE WHEN c.relkind = 'p' AND NOT c.relispartition THEN \
              'PARTITION BY ' || pg_catalog.pg_get_partkeydef(c.oid) || '; ' || {body} END), \
           ('partition', CASE WHEN c.relispartition THEN \
              'PARTITION OF ' || {parents} || ' ' || pg_catalog.pg_get_expr(c.relpartbound, c.oid) \
              || CASE WHEN c.relkind = 'p' THEN ' PARTITION BY ' \
                   || pg_catalog.pg_get_partkeydef(c.oid) ELSE '' END || '; ' || {body} END), \
           ('inherited table', CASE WHEN c.relkind IN ('r', 'f') AND NOT c.relispartition \
                AND {is_child} THEN 'INHERITS ' || {parents} || '; ' || {body} END), \
           ('row-level security', CASE WHEN c.relkind IN ('r', 'p') \
                AND (c.relrowsecurity OR c.relforcerowsecurity) THEN \
              pg_catalog.concat_ws(', ', CASE WHEN c.relrowsecurity THEN 'enabled' END, \
                CASE WHEN c.relforcerowsecurity THEN 'forced' END) END), \
           ('table with storage parameters', CASE WHEN c.relkind = 'r' \
                AND (c.reloptions IS NOT NULL OR toast.reloptions IS NOT NULL) THEN \
              pg_catalog.concat_ws(', ', pg_catalog.array_to_string(c.reloptions, ', '), \
                (SELECT pg_catalog.string_agg('toast.' || o, ', ') \
                 FROM pg_catalog.unnest(toast.reloptions) o)) END), \
           ('replica identity', CASE WHEN c.relkind IN ('r', 'p') AND c.relreplident <> 'd' THEN \
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
           ('comment on a constraint index', CASE WHEN c.relkind = 'i' AND EXISTS ( \
                SELECT 1 FROM pg_catalog.pg_constraint con WHERE con.conindid = c.oid \
                AND con.contype IN ('p', 'u', 'x')) THEN \
              pg_catalog.obj_description(c.oid, 'pg_class') END), \
           ('invalid index', CASE WHEN c.relkind = 'i' AND EXISTS ( \
                SELECT 1 FROM pg_catalog.pg_index i WHERE i.indexrelid = c.oid \
                AND NOT i.indisvalid) THEN pg_catalog.pg_get_indexdef(c.oid) END), \
           ('clustered index', CASE WHEN c.relkind = 'i' AND EXISTS ( \
                SELECT 1 FROM pg_catalog.pg_index i WHERE i.indexrelid = c.oid \
                AND i.indisclustered) THEN 'CLUSTER ON' END) \
         ) v(kind, fingerprint) \
         WHERE v.fingerprint IS NOT NULL AND {ns} AND {member}",
        name = qualified("n.nspname", "c.relname"),
    )
}

/// Column properties the catalog has no field for: a statistics target, a storage or
/// compression other than the default, attribute options (`n_distinct`).
fn column_settings(server_version: i32) -> String {
    let compression = if server_version >= 140000 {
        "CASE WHEN a.attcompression <> '' THEN 'compression ' || a.attcompression::text END"
    } else {
        "NULL::text"
    };
    format!(
        "SELECT 'column setting', {name} || '.' || pg_catalog.quote_ident(a.attname), \
           pg_catalog.concat_ws(', ', \
             CASE WHEN COALESCE(a.attstattarget, -1) <> -1 \
               THEN 'statistics ' || a.attstattarget END, \
             CASE WHEN a.attstorage <> t.typstorage THEN 'storage ' || a.attstorage::text END, \
             {compression}, \
             pg_catalog.array_to_string(a.attoptions, ', ')) \
         FROM pg_catalog.pg_attribute a \
         JOIN pg_catalog.pg_class c ON c.oid = a.attrelid AND c.relkind IN ('r', 'p', 'm', 'f') \
         JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
         JOIN pg_catalog.pg_type t ON t.oid = a.atttypid \
         WHERE a.attnum > 0 AND NOT a.attisdropped \
           AND (COALESCE(a.attstattarget, -1) <> -1 OR a.attstorage <> t.typstorage \
             OR a.attoptions IS NOT NULL {compression_condition}) \
           AND {ns} AND {member}",
        name = qualified("n.nspname", "c.relname"),
        compression_condition = if server_version >= 140000 {
            "OR a.attcompression <> ''"
        } else {
            ""
        },
        ns = namespace_filter("n"),
        member = not_extension_member("pg_class", "c.oid"),
    )
}

/// `GRANT`s that are not modeled: on tables, sequences and foreign tables (a view's grants
/// are part of the view), on columns, routines and types. Schemas are left out: `public`
/// carries a non-default ACL in every database.
fn all_grants() -> String {
    let ns = namespace_filter("n");
    let class_member = not_extension_member("pg_class", "c.oid");
    let relation_name = qualified("n.nspname", "c.relname");
    let parts = [
        grants(
            "table",
            &relation_name,
            "c.relacl",
            'r',
            "c.relowner",
            &format!(
                "pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
                 AND c.relkind IN ('r', 'p', 'f') AND {ns} AND {class_member}"
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
                 AND c.relkind = 'S' AND {ns} AND {class_member}"
            ),
        ),
        grants(
            "column",
            &format!("{relation_name} || '.' || pg_catalog.quote_ident(a.attname)"),
            "a.attacl",
            'c',
            "c.relowner",
            &format!(
                "pg_catalog.pg_attribute a JOIN pg_catalog.pg_class c ON c.oid = a.attrelid \
                 AND a.attnum > 0 AND NOT a.attisdropped AND a.attacl IS NOT NULL \
                 JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
                 AND {ns} AND {class_member}"
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
                 AND {ns} AND {}",
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
                 AND {ns} AND {}",
                not_extension_member("pg_type", "t.oid")
            ),
        ),
    ];
    parts.join(" UNION ALL ")
}

/// Objects in a schema: `(kind, catalog, alias, namespace column, name, fingerprint, extra
/// condition)`.
fn schema_objects(server_version: i32) -> Vec<String> {
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
        format!(
            "SELECT '{kind}', {name}, {fingerprint} \
             FROM pg_catalog.{catalog} {alias} \
             JOIN pg_catalog.pg_namespace n ON n.oid = {alias}.{namespace} \
             WHERE {condition} AND {ns} AND {member}",
            member = not_extension_member(catalog, &format!("{alias}.oid")),
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
            "t.typtype = 'b' AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_type e \
             WHERE e.typarray = t.oid)",
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
            "text search configuration",
            "pg_ts_config",
            "ts",
            "cfgnamespace",
            &named("ts", "cfgname"),
            "(SELECT p.prsname::text FROM pg_catalog.pg_ts_parser p WHERE p.oid = ts.cfgparser) \
             || '; ' || COALESCE((SELECT pg_catalog.string_agg(m.maptokentype::text || ':' \
                  || m.mapdict::pg_catalog.regdictionary::text, ', ' \
                  ORDER BY m.maptokentype, m.mapseqno) \
                FROM pg_catalog.pg_ts_config_map m WHERE m.mapcfg = ts.oid), '')",
            "true",
        ),
        object(
            "text search dictionary",
            "pg_ts_dict",
            "td",
            "dictnamespace",
            &named("td", "dictname"),
            "(SELECT tt.tmplname::text FROM pg_catalog.pg_ts_template tt \
               WHERE tt.oid = td.dicttemplate) || COALESCE(' ' || td.dictinitoption, '')",
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

/// Objects on a table: triggers of relations autogen does not model (those of modeled
/// tables and views are in the catalog; clones on partitions are left out), policies and
/// rules.
fn table_objects(server_version: i32) -> Vec<String> {
    let ns = namespace_filter("n");
    let member = not_extension_member("pg_class", "c.oid");
    let on_table = |kind: &str,
                    catalog: &str,
                    alias: &str,
                    name: &str,
                    fingerprint: &str,
                    relation: &str,
                    condition: &str| {
        format!(
            "SELECT '{kind}', {qualified} || '.' || pg_catalog.quote_ident({alias}.{name}), \
               {fingerprint} \
             FROM pg_catalog.{catalog} {alias} JOIN pg_catalog.pg_class c ON c.oid = {alias}.{relation} \
             JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
             WHERE {condition} AND {ns} AND {member}",
            qualified = qualified("n.nspname", "c.relname"),
        )
    };
    let not_a_clone = if server_version >= 130000 {
        "AND tg.tgparentid = 0"
    } else {
        ""
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
                "NOT tg.tgisinternal {not_a_clone} AND (c.relkind NOT IN ('r', 'v', 'm') \
                 OR c.relispartition \
                 OR EXISTS (SELECT 1 FROM pg_catalog.pg_inherits i WHERE i.inhrelid = c.oid))"
            ),
        ),
        on_table(
            "policy",
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
            "true",
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
fn database_objects(server_version: i32) -> Vec<String> {
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
        format!(
            "SELECT 'event trigger', pg_catalog.quote_ident(e.evtname), \
               pg_catalog.concat_ws(' ', e.evtevent, e.evtfoid::pg_catalog.regprocedure::text, \
                 e.evtenabled, e.evttags::text) \
             FROM pg_catalog.pg_event_trigger e WHERE {}",
            user_object("pg_event_trigger", "e.oid")
        ),
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
        // Only columns anyone may read (the connection string holds secrets).
        "SELECT 'subscription', pg_catalog.quote_ident(s.subname), \
           pg_catalog.concat_ws(' ', s.subenabled, s.subpublications::text) \
         FROM pg_catalog.pg_subscription s \
         WHERE s.subdbid = (SELECT d.oid FROM pg_catalog.pg_database d \
           WHERE d.datname = pg_catalog.current_database())"
            .to_string(),
        format!(
            "SELECT 'foreign-data wrapper', pg_catalog.quote_ident(w.fdwname), \
               pg_catalog.concat_ws(' ', w.fdwhandler::pg_catalog.regproc::text, \
                 w.fdwvalidator::pg_catalog.regproc::text, w.fdwoptions::text) \
             FROM pg_catalog.pg_foreign_data_wrapper w WHERE {}",
            user_object("pg_foreign_data_wrapper", "w.oid")
        ),
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
        // Option names only: their values hold passwords.
        "SELECT 'user mapping', pg_catalog.quote_ident(um.usename) || ' on ' \
           || pg_catalog.quote_ident(um.srvname), \
           COALESCE((SELECT pg_catalog.string_agg(pg_catalog.split_part(o, '=', 1), ', ' \
               ORDER BY pg_catalog.split_part(o, '=', 1)) \
             FROM pg_catalog.unnest(um.umoptions) o), '') \
         FROM pg_catalog.pg_user_mappings um"
            .to_string(),
        format!(
            "SELECT 'language', pg_catalog.quote_ident(l.lanname), \
               pg_catalog.concat_ws(' ', l.lanpltrusted, l.lanplcallfoid::pg_catalog.regproc::text, \
                 l.laninline::pg_catalog.regproc::text, l.lanvalidator::pg_catalog.regproc::text) \
             FROM pg_catalog.pg_language l WHERE {}",
            user_object("pg_language", "l.oid")
        ),
        format!(
            "SELECT 'access method', pg_catalog.quote_ident(am.amname), \
               am.amtype::text || ' ' || am.amhandler::text \
             FROM pg_catalog.pg_am am WHERE {}",
            user_object("pg_am", "am.oid")
        ),
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
        format!(
            "SELECT 'transform', pg_catalog.format_type(tr.trftype, NULL) || ' for ' \
               || (SELECT pg_catalog.quote_ident(l.lanname) FROM pg_catalog.pg_language l \
                   WHERE l.oid = tr.trflang), \
               pg_catalog.concat_ws(' ', tr.trffromsql::pg_catalog.regprocedure::text, \
                 tr.trftosql::pg_catalog.regprocedure::text) \
             FROM pg_catalog.pg_transform tr WHERE {}",
            user_object("pg_transform", "tr.oid")
        ),
    ];
    if server_version >= 160000 {
        parts.push(format!(
            "SELECT 'collation with ICU rules', {}, co.collicurules \
             FROM pg_catalog.pg_collation co \
             JOIN pg_catalog.pg_namespace n ON n.oid = co.collnamespace \
             WHERE co.collicurules IS NOT NULL AND {} AND {}",
            qualified("n.nspname", "co.collname"),
            namespace_filter("n"),
            not_extension_member("pg_collation", "co.oid")
        ));
    }
    parts
}

/// Default privileges (`ALTER DEFAULT PRIVILEGES`) of the database or of a schema in scope.
fn default_privileges() -> String {
    format!(
        "SELECT 'default privileges', \
           pg_catalog.quote_ident(pg_catalog.pg_get_userbyid(da.defaclrole)) || ' ' \
           || COALESCE('in ' || pg_catalog.quote_ident(n.nspname), 'everywhere') || ' on ' \
           || CASE da.defaclobjtype WHEN 'r' THEN 'tables' WHEN 'S' THEN 'sequences' \
                WHEN 'f' THEN 'functions' WHEN 'T' THEN 'types' WHEN 'n' THEN 'schemas' \
                ELSE da.defaclobjtype::text END, \
           COALESCE({}, '') \
         FROM pg_catalog.pg_default_acl da \
         LEFT JOIN pg_catalog.pg_namespace n ON n.oid = da.defaclnamespace \
         WHERE da.defaclnamespace = 0 OR ({})",
        privileges("da.defaclacl", None),
        namespace_filter("n"),
    )
}

/// The query: every part above, `UNION ALL`.
pub fn unsupported(server_version: i32) -> String {
    let mut parts = vec![
        relations(server_version),
        column_settings(server_version),
        all_grants(),
        default_privileges(),
    ];
    parts.extend(schema_objects(server_version));
    parts.extend(table_objects(server_version));
    parts.extend(database_objects(server_version));
    parts.join(" UNION ALL ")
}
