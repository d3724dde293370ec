//! Whose records a reviewer may link and merge: a reviewer needs a basis for every record a
//! decision touches (a corroborated relationship, or being a manager of the locality the
//! record lives in), so a merge can never be used to open a child's record.

use super::basis;
use crate::{Result, SqlStore};
use everychild_domain::Role;
use everychild_policy::{Actor, Basis};
use sqlx::AnyConnection;

/// Whether `actor` may see `person` (and the records merged into it) to review it.
pub(crate) async fn reviewer_sees(
    store: &SqlStore,
    conn: &mut AnyConnection,
    person: i64,
    actor: &Actor,
) -> Result<bool> {
    let bases = basis::bases(
        conn,
        person,
        actor.user_id.0,
        &store.now().to_db(),
        &store.today(),
    )
    .await?;
    Ok(bases.iter().any(|b| b.is_corroborated())
        || (actor.role == Role::LocalityManager && bases.contains(&Basis::Locality)))
}
