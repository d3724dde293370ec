//! Volume limits against harvesting: a user may search the index, and open distinct children's
//! records, only so many times an hour ([`crate::AccessRules`]). Past the limit the request is
//! refused, the refusal is audited as `refused_volume`, and the data protection officer sees
//! it among the volume alerts.

use crate::audit::Event;
use crate::{Result, SqlStore, StoreError};
use everychild_policy::{self as policy, Capability, Permit};
use serde::Serialize;
use serde_json::json;

/// What is counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Volume {
    /// Searches of the index.
    Searches,
    /// Distinct children's records opened.
    Reads,
}

/// Refuse (and audit the refusal) when the permit's user is at the limit for `what`.
/// `child` is the record about to be opened: one the user already opened within the hour adds
/// nothing to the count of distinct records, so it is let through after one indexed lookup
/// (counting costs a scan of the user's hour of reads, so it is done only for a new record).
pub(crate) async fn check<C: Capability>(
    store: &SqlStore,
    p: &Permit<C>,
    what: Volume,
    child: Option<i64>,
) -> Result<()> {
    let Some(actor) = p.actor() else {
        return Ok(());
    };
    let since =
        everychild_domain::Timestamp::from_datetime(store.clock.now() - time::Duration::hours(1))
            .to_db();
    if let (Volume::Reads, Some(child)) = (what, child) {
        let seen: Option<(i64,)> = sqlx::query_as(
            "SELECT 1 FROM audit_events WHERE actor_id = $1 AND subject_id = $2 AND at >= $3 \
             AND subject_type = 'person' AND action = 'child.view' AND outcome = 'success' LIMIT 1",
        )
        .bind(actor.user_id.0)
        .bind(child.to_string())
        .bind(&since)
        .fetch_optional(&store.pool)
        .await?;
        if seen.is_some() {
            return Ok(());
        }
    }
    let (sql, limit, action) = match what {
        Volume::Searches => (
            "SELECT COUNT(*) FROM audit_events WHERE actor_id = $1 AND at >= $2 \
             AND action = 'child.search' AND outcome = 'success'",
            store.access.searches_per_hour,
            "child.search",
        ),
        Volume::Reads => (
            "SELECT COUNT(DISTINCT subject_id) FROM audit_events WHERE actor_id = $1 AND at >= $2 \
             AND action = 'child.view' AND outcome = 'success'",
            store.access.reads_per_hour,
            "child.view",
        ),
    };
    let (n,): (i64,) = sqlx::query_as(sql)
        .bind(actor.user_id.0)
        .bind(&since)
        .fetch_one(&store.pool)
        .await?;
    if n < i64::from(limit) {
        return Ok(());
    }
    store
        .audit_only(
            p,
            Event {
                action,
                outcome: "refused_volume",
                subject: None,
                detail: json!({ "limit": limit, "window": "1 hour", "count": n }),
            },
        )
        .await?;
    let what = match what {
        Volume::Searches => "searches of the index",
        Volume::Reads => "children's records opened",
    };
    Err(StoreError::TooMany(format!(
        "You have reached the limit of {limit} {what} in an hour. The data protection officer \
         has been told. Try again later, or ask your manager if your work needs more"
    )))
}

/// A user who reached a volume limit.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct VolumeAlert {
    /// Who.
    pub username: String,
    /// Their role.
    pub role: String,
    /// Their organisation.
    pub organisation: String,
    /// `child.search` or `child.view`.
    pub action: String,
    /// How many refusals.
    pub refusals: i64,
    /// The first and the last refusal.
    pub first_at: String,
    /// The last refusal.
    pub last_at: String,
}

/// Users who reached a volume limit in the last 30 days, most recent first; audited.
pub(crate) async fn alerts(
    store: &SqlStore,
    p: &Permit<policy::OverseeAccess>,
) -> Result<Vec<VolumeAlert>> {
    let since =
        everychild_domain::Timestamp::from_datetime(store.clock.now() - time::Duration::days(30))
            .to_db();
    let rows: Vec<VolumeAlert> = sqlx::query_as(
        "SELECT actor_username AS username, COALESCE(MAX(actor_role), '') AS role, \
         COALESCE(MAX(actor_org), '') AS organisation, action, COUNT(*) AS refusals, \
         MIN(at) AS first_at, MAX(at) AS last_at FROM audit_events \
         WHERE outcome = 'refused_volume' AND at >= $1 AND actor_username IS NOT NULL \
         GROUP BY actor_username, action ORDER BY MAX(at) DESC LIMIT 200",
    )
    .bind(&since)
    .fetch_all(&store.pool)
    .await?;
    store
        .audit_only(
            p,
            Event::success("oversight.volumes", None).detail(json!({ "listed": rows.len() })),
        )
        .await?;
    Ok(rows)
}
