//! The extension a model's unknown column type comes from.

/// Models cannot declare extensions (SQL declarations can), so when nothing declared provides
/// a type PostgreSQL does not know and it shares its name with an available extension
/// (citext, hstore, ltree, cube, …), it is taken to come from that extension. The extension then appears in the desired schema like any other object.
/// Language-independent: the error is recognized by its SQLSTATE, and the missing type among
/// the statement's column types by asking the server (`to_regtype`), never by reading the
/// (possibly translated) message.
pub(super) async fn extension_for_missing_type(
    client: &autogen_pg::Client,
    error: &autogen_pg::tokio_postgres::Error,
    types: &[String],
) -> Option<String> {
    let db_error = error.as_db_error()?;
    if db_error.code() != &autogen_pg::tokio_postgres::error::SqlState::UNDEFINED_OBJECT {
        return None;
    }
    for data_type in types {
        let element = data_type.trim_end_matches("[]");
        let known = client
            .query_one("SELECT pg_catalog.to_regtype($1) IS NOT NULL", &[&element])
            .await
            .ok()?
            .try_get::<_, bool>(0)
            .ok()?;
        if known {
            continue;
        }
        let name = element.rsplit('.').next()?.trim_matches('"').to_string();
        let available = client
            .query_opt(
                "SELECT 1 FROM pg_catalog.pg_available_extensions WHERE name = $1",
                &[&name],
            )
            .await
            .ok()?;
        if available.is_some() {
            return Some(name);
        }
    }
    None
}
