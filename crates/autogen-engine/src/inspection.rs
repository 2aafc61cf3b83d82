//! Reading a database's schema with two connections sharing the work when a second one opens
//! (see `autogen_introspect::inspect_with_helper`): a third less wall time on large schemas.

use crate::EngineError;
use autogen_introspect::{InspectOptions, Inspection};
use autogen_pg::{Client, ConnectionSpec, PgError};

/// Inspects the database `spec` names, opening two connections at once; one is enough.
pub(crate) async fn inspect_database(
    spec: &ConnectionSpec,
    options: &InspectOptions,
) -> Result<Inspection, EngineError> {
    let (first, second) = tokio::join!(spec.connect(), spec.connect());
    // A connection limit may refuse either one of the two.
    let (mut client, second) = match (first, second) {
        (Ok(client), second) => (client, second),
        (Err(error), Ok(client)) => (client, Err(error)),
        (Err(error), Err(_)) => return Err(error.into()),
    };
    inspect(&mut client, second, options).await
}

/// Inspects through `client`; `second` is another connection to the same database, if one
/// could be opened (it is only for speed: without it, `client` does all the work).
pub(crate) async fn inspect(
    client: &mut Client,
    second: Result<Client, PgError>,
    options: &InspectOptions,
) -> Result<Inspection, EngineError> {
    Ok(match second {
        Ok(mut helper) => {
            autogen_introspect::inspect_with_helper(client, &mut helper, options).await?
        }
        Err(error) => {
            tracing::debug!("inspecting on one connection: a second one failed: {error}");
            autogen_introspect::inspect(client, options).await?
        }
    })
}
