//! The one place that knows what each basis for seeing a child means in the data. It lists the
//! bases a user has for a child (for the policy to decide on), and checks a claimed basis in
//! SQL when the record is read, so a permit built on a false claim reads nothing.
//!
//! Every check binds `$1` = the child (any id of their merged cluster resolves to the whole
//! cluster), `$2` = the user, `$3` = now (stored timestamp text), `$4` = today (`YYYY-MM-DD`),
//! `$5` = the start of the lead professional's grace period ([`LEAD_GRACE_DAYS`] before now).

use crate::audit::AuditTx;
use crate::{Result, SqlStore, StoreError};
use everychild_policy::Basis;
use everychild_policy::{Capability, Permit};
use sqlx::AnyConnection;

/// Every id of the child's cluster (the record and everyone merged into it).
pub(crate) const CLUSTER: &str = "(SELECT c.id FROM persons c WHERE c.id = $1 OR c.root_id = $1)";

/// The SQL condition for each basis.
fn condition(b: Basis) -> String {
    match b {
        Basis::None => "1 = 1".into(),
        // An approved declaration of the user's own, or a child the user registered while
        // that record stands alone (once linked to another record, the registration must be
        // approved like any declaration); never lapsed.
        Basis::Involved => format!(
            "EXISTS (SELECT 1 FROM involvements i WHERE i.child_id IN {CLUSTER} \
             AND i.practitioner_id = $2 AND i.status = 'approved' AND i.expires_on >= $4 \
             AND (i.basis = 'declared' OR (i.basis = 'registered' AND i.child_id = $1 \
             AND NOT EXISTS (SELECT 1 FROM persons m WHERE m.root_id = $1))))"
        ),
        // The user's own organisation's extract lists the child, naming the user or the
        // user's team; never lapsed (a re-import renews it).
        Basis::AgencyRecord => format!(
            "EXISTS (SELECT 1 FROM involvements i JOIN users u ON u.id = $2 \
             WHERE i.child_id IN {CLUSTER} AND i.basis = 'agency_extract' \
             AND i.status = 'approved' AND i.expires_on >= $4 \
             AND i.organisation_id = u.organisation_id \
             AND (i.practitioner_id = $2 OR (i.team IS NOT NULL AND u.team IS NOT NULL \
             AND LOWER(i.team) = LOWER(u.team))))"
        ),
        Basis::Locality => "EXISTS (SELECT 1 FROM persons p \
             JOIN postcodes pc ON pc.postcode = p.postcode \
             JOIN boundary_set_wards bw ON bw.ward_code = pc.ward_code \
             JOIN boundary_sets bs ON bs.id = bw.set_id AND bs.is_current = 1 \
             JOIN user_localities ul ON ul.locality_id = bw.locality_id AND ul.user_id = $2 \
             WHERE p.id = $1)"
            .into(),
        Basis::BreakGlass => format!(
            "EXISTS (SELECT 1 FROM break_glass g WHERE g.child_id IN {CLUSTER} \
             AND g.user_id = $2 AND g.expires_at > $3)"
        ),
        // Lead professional of an open request for the child, or of one closed within the
        // grace period (to finish the record and see the outcome).
        Basis::LeadProfessional => format!(
            "EXISTS (SELECT 1 FROM support_requests r WHERE r.child_id IN {CLUSTER} \
             AND r.lead_professional_id = $2 AND (r.status <> 'closed' OR r.closed_at >= $5))"
        ),
        // A current member of the team around the child of an open request, who accepted.
        Basis::TeamMember => format!(
            "EXISTS (SELECT 1 FROM tac_members t JOIN support_requests r ON r.id = t.request_id \
             WHERE r.child_id IN {CLUSTER} AND t.user_id = $2 AND t.until IS NULL \
             AND t.accepted_at IS NOT NULL AND r.status <> 'closed')"
        ),
    }
}

/// How long a lead professional keeps access to a request they closed.
pub(crate) const LEAD_GRACE_DAYS: i64 = 30;

/// `$5`: the start of the grace period, from `now` (stored timestamp text).
fn grace_start(now: &str) -> String {
    everychild_domain::Timestamp::parse(now)
        .map(|t| t.minus_days(LEAD_GRACE_DAYS).to_db())
        .unwrap_or_else(|_| now.to_owned())
}

/// The bases, strongest first, that can be checked.
const ORDER: [Basis; 6] = [
    Basis::LeadProfessional,
    Basis::TeamMember,
    Basis::AgencyRecord,
    Basis::Involved,
    Basis::Locality,
    Basis::BreakGlass,
];

/// Every basis `user` has for `child`, strongest first (empty if none).
pub(crate) async fn bases(
    conn: &mut AnyConnection,
    child: i64,
    user: i64,
    now: &str,
    today: &str,
) -> Result<Vec<Basis>> {
    let cols: Vec<String> = ORDER
        .iter()
        .map(|b| format!("CASE WHEN {} THEN 1 ELSE 0 END", condition(*b)))
        .collect();
    let sql = format!("SELECT {}", cols.join(", "));
    let row = sqlx::query(&sql)
        .bind(child)
        .bind(user)
        .bind(now)
        .bind(today)
        .bind(grace_start(now))
        .fetch_one(&mut *conn)
        .await?;
    let mut out = Vec::new();
    for (i, b) in ORDER.iter().enumerate() {
        let v: i64 = sqlx::Row::try_get::<i32, _>(&row, i)
            .map(i64::from)
            .or_else(|_| sqlx::Row::try_get::<i64, _>(&row, i))?;
        if v == 1 {
            out.push(*b);
        }
    }
    Ok(out)
}

/// Whether `user` holds `basis` for `child` now.
pub(crate) async fn holds(
    conn: &mut AnyConnection,
    child: i64,
    user: i64,
    basis: Basis,
    now: &str,
    today: &str,
) -> Result<bool> {
    if basis == Basis::None {
        return Ok(false);
    }
    let sql = format!("SELECT CASE WHEN {} THEN 1 ELSE 0 END", condition(basis));
    let row = sqlx::query(&sql)
        .bind(child)
        .bind(user)
        .bind(now)
        .bind(today)
        .bind(grace_start(now))
        .fetch_one(&mut *conn)
        .await?;
    let v: i64 = sqlx::Row::try_get::<i32, _>(&row, 0)
        .map(i64::from)
        .or_else(|_| sqlx::Row::try_get::<i64, _>(&row, 0))?;
    Ok(v == 1)
}

/// Begin a change to the permit's child: the audit place is claimed and the basis checked.
pub(crate) async fn begin_checked<'s, C: Capability>(
    store: &'s SqlStore,
    p: &Permit<C>,
) -> Result<(AuditTx<'s>, i64)> {
    let (child, claimed) = super::permit_child(p)?;
    let actor = super::permit_user(p)?;
    let mut a = store.audited(p).await?;
    let root = super::root_of(&mut a.tx, child).await?;
    let holds = match root {
        Some(r) => {
            holds(
                &mut a.tx,
                r,
                actor.user_id.0,
                claimed,
                &store.now().to_db(),
                &store.today(),
            )
            .await?
        }
        None => false,
    };
    match root {
        Some(r) if holds => Ok((a, r)),
        _ => Err(StoreError::invalid(
            "child",
            "There is no such child you may work with",
        )),
    }
}

/// Open a connection to read the permit's child, checking the basis first (no write lock).
pub(crate) async fn read_checked<C: Capability>(
    store: &SqlStore,
    p: &Permit<C>,
) -> Result<(sqlx::pool::PoolConnection<sqlx::Any>, i64)> {
    let (child, claimed) = super::permit_child(p)?;
    let actor = super::permit_user(p)?;
    let mut conn = store.pool.acquire().await?;
    let root = super::root_of(&mut conn, child).await?;
    let holds = match root {
        Some(r) => {
            holds(
                &mut conn,
                r,
                actor.user_id.0,
                claimed,
                &store.now().to_db(),
                &store.today(),
            )
            .await?
        }
        None => false,
    };
    match root {
        Some(r) if holds => Ok((conn, r)),
        _ => Err(StoreError::invalid(
            "child",
            "There is no such child you may work with",
        )),
    }
}
