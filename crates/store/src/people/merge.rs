//! Merging duplicate records of one person, and undoing it. Nothing is moved or deleted: the
//! merged record points at its survivor (`merged_into`), every record's `root_id` names the
//! record it now belongs to, and reads gather the whole cluster. Undoing a merge restores both
//! records exactly as they were, including anything merged into the merged record before.

use super::record::root_of;
use crate::audit::{AuditTx, Event};
use crate::{Result, SqlStore, StoreError};
use everychild_policy::{self as policy, Permit};
use serde_json::json;
use std::collections::HashMap;

/// A merge, as listed on a record.
#[derive(Debug, Clone, serde::Serialize)]
pub struct MergeRow {
    /// Id.
    pub id: i64,
    /// The record kept.
    pub survivor_id: i64,
    /// The record merged into it.
    pub merged_id: i64,
    /// Why.
    pub reason: String,
    /// Who merged.
    pub merged_by: String,
    /// When.
    pub merged_at: String,
    /// When undone, if it was.
    pub undone_at: Option<String>,
}

/// Point every record whose chain of `merged_into` passes through `from` (inclusive) at
/// `to` as its root.
async fn reroot(a: &mut AuditTx<'_>, cluster_root: i64, from: i64, to: Option<i64>) -> Result<()> {
    let rows: Vec<(i64, Option<i64>)> =
        sqlx::query_as("SELECT id, merged_into FROM persons WHERE root_id = $1 OR id = $2")
            .bind(cluster_root)
            .bind(from)
            .fetch_all(&mut *a.tx)
            .await?;
    let parent: HashMap<i64, Option<i64>> = rows.iter().copied().collect();
    for (id, _) in &rows {
        let mut at = *id;
        let mut through = false;
        for _ in 0..rows.len() + 1 {
            if at == from {
                through = true;
                break;
            }
            match parent.get(&at).copied().flatten() {
                Some(p) => at = p,
                None => break,
            }
        }
        if through && *id != from {
            sqlx::query("UPDATE persons SET root_id = $1 WHERE id = $2")
                .bind(to.unwrap_or(from))
                .bind(id)
                .execute(&mut *a.tx)
                .await?;
        }
    }
    Ok(())
}

/// What asking for a merge did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MergeOutcome {
    /// Merged: the merge's id.
    Merged(i64),
    /// The records live in different localities: the merge waits for a second reviewer
    /// (the request's id).
    Waiting(i64),
}

/// A merge across localities waiting for a second reviewer.
#[derive(Debug, Clone, serde::Serialize)]
pub struct MergeRequestRow {
    /// Id.
    pub id: i64,
    /// The record to keep.
    pub survivor_id: i64,
    /// The record to merge into it.
    pub merged_id: i64,
    /// Why.
    pub reason: String,
    /// Who asked (user id).
    pub requested_by_id: i64,
    /// Who asked.
    pub requested_by: String,
    /// When.
    pub requested_at: String,
}

/// The locality a record lives in (by its postcode and the current boundaries), if known.
async fn locality_of(a: &mut AuditTx<'_>, person: i64) -> Result<Option<i64>> {
    let row: Option<(i64,)> = sqlx::query_as(
        "SELECT bw.locality_id FROM persons p \
         JOIN postcodes pc ON pc.postcode = p.postcode \
         JOIN boundary_set_wards bw ON bw.ward_code = pc.ward_code \
         JOIN boundary_sets bs ON bs.id = bw.set_id AND bs.is_current = 1 \
         WHERE p.id = $1",
    )
    .bind(person)
    .fetch_optional(&mut *a.tx)
    .await?;
    Ok(row.map(|(l,)| l))
}

/// Check that `actor` may merge `merged` into `survivor` now: both current roots, distinct,
/// of one kind, and within the reviewer's scope.
async fn check_mergeable(
    store: &SqlStore,
    a: &mut AuditTx<'_>,
    actor: &policy::Actor,
    survivor: i64,
    merged: i64,
) -> Result<()> {
    let s = root_of(&mut a.tx, survivor).await?;
    let m = root_of(&mut a.tx, merged).await?;
    // A reviewer needs a basis for both records (or to be the locality's reviewer for both):
    // merging must never be a way to open a child's record.
    for r in [s, m].into_iter().flatten() {
        if !super::scope::reviewer_sees(store, &mut a.tx, r, actor).await? {
            return Err(StoreError::invalid(
                "other",
                "There is no record with that number that you may merge",
            ));
        }
    }
    match (s, m) {
        (Some(s), Some(m)) if s == survivor && m == merged && s != m => {}
        (Some(_), Some(_)) if survivor == merged => {
            return Err(StoreError::invalid(
                "other",
                "A record cannot be merged into itself",
            ))
        }
        (Some(_), Some(_)) => {
            return Err(StoreError::invalid(
                "other",
                "One of the records has already been merged into another",
            ))
        }
        _ => {
            return Err(StoreError::invalid(
                "other",
                "There is no record with that number",
            ))
        }
    }
    let kinds: Vec<(String,)> = sqlx::query_as("SELECT kind FROM persons WHERE id IN ($1, $2)")
        .bind(survivor)
        .bind(merged)
        .fetch_all(&mut *a.tx)
        .await?;
    if kinds.len() != 2 || kinds[0].0 != kinds[1].0 {
        return Err(StoreError::invalid(
            "other",
            "A child's record can only be merged with another child's",
        ));
    }
    Ok(())
}

/// Make the merge inside the transaction; returns its id.
async fn apply_merge(
    store: &SqlStore,
    a: &mut AuditTx<'_>,
    survivor: i64,
    merged: i64,
    reason: &str,
    by: &str,
) -> Result<i64> {
    sqlx::query("UPDATE persons SET merged_into = $1, root_id = $1 WHERE id = $2")
        .bind(survivor)
        .bind(merged)
        .execute(&mut *a.tx)
        .await?;
    sqlx::query("UPDATE persons SET root_id = $1 WHERE root_id = $2")
        .bind(survivor)
        .bind(merged)
        .execute(&mut *a.tx)
        .await?;
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO person_merges (survivor_id, merged_id, reason, merged_by, merged_at) VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(survivor)
    .bind(merged)
    .bind(reason)
    .bind(by)
    .bind(store.now().to_db())
    .fetch_one(&mut *a.tx)
    .await?;
    Ok(id)
}

/// Merge `merged` into `survivor`; both must be current records of the same kind. Records
/// that live in different localities are not merged by one person: the merge waits for a
/// second reviewer.
pub(super) async fn merge(
    store: &SqlStore,
    p: &Permit<policy::ReviewLinks>,
    survivor: i64,
    merged: i64,
    reason: &str,
) -> Result<MergeOutcome> {
    let reason = reason.trim();
    if reason.chars().count() < 10 {
        return Err(StoreError::invalid(
            "reason",
            "Explain in at least 10 characters why these are the same person",
        ));
    }
    let actor = super::permit_user(p)?;
    let mut a = store.audited(p).await?;
    check_mergeable(store, &mut a, actor, survivor, merged).await?;
    let by = crate::localities::maker(p.principal());
    let (ls, lm) = (
        locality_of(&mut a, survivor).await?,
        locality_of(&mut a, merged).await?,
    );
    if let (Some(ls), Some(lm)) = (ls, lm) {
        if ls != lm {
            let open: Option<(i64,)> = sqlx::query_as(
                "SELECT id FROM person_merge_requests WHERE decided_at IS NULL \
                 AND ((survivor_id = $1 AND merged_id = $2) OR (survivor_id = $2 AND merged_id = $1))",
            )
            .bind(survivor)
            .bind(merged)
            .fetch_optional(&mut *a.tx)
            .await?;
            if open.is_some() {
                return Err(StoreError::invalid(
                    "other",
                    "A merge of these records is already waiting for a second reviewer",
                ));
            }
            let (id,): (i64,) = sqlx::query_as(
                "INSERT INTO person_merge_requests (survivor_id, merged_id, reason, requested_by_id, \
                 requested_by, requested_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
            )
            .bind(survivor)
            .bind(merged)
            .bind(reason)
            .bind(actor.user_id.0)
            .bind(&by)
            .bind(store.now().to_db())
            .fetch_one(&mut *a.tx)
            .await?;
            a.commit(
                Event::success(
                    "person.merge_requested",
                    Some(("person", survivor.to_string())),
                )
                .detail(json!({
                    "request_id": id, "merged_id": merged, "reason": reason,
                    "localities": [ls, lm],
                })),
            )
            .await?;
            return Ok(MergeOutcome::Waiting(id));
        }
    }
    let id = apply_merge(store, &mut a, survivor, merged, reason, &by).await?;
    a.commit(
        Event::success("person.merge", Some(("person", survivor.to_string())))
            .detail(json!({ "merge_id": id, "merged_id": merged, "reason": reason })),
    )
    .await?;
    Ok(MergeOutcome::Merged(id))
}

/// A second reviewer approves (`approve`) or refuses a merge waiting across localities.
/// The one who asked cannot decide; the decider needs the same scope over both records; an
/// approval makes the merge in its own transaction.
pub(super) async fn decide_request(
    store: &SqlStore,
    p: &Permit<policy::ReviewLinks>,
    request: i64,
    approve: bool,
) -> Result<Option<i64>> {
    let actor = super::permit_user(p)?;
    let mut a = store.audited(p).await?;
    let row: Option<(i64, i64, String, i64)> = sqlx::query_as(
        "SELECT survivor_id, merged_id, reason, requested_by_id FROM person_merge_requests \
         WHERE id = $1 AND decided_at IS NULL",
    )
    .bind(request)
    .fetch_optional(&mut *a.tx)
    .await?;
    let Some((survivor, merged, reason, asked_by)) = row else {
        return Err(StoreError::invalid(
            "request",
            "There is no merge waiting with that number",
        ));
    };
    for r in [survivor, merged] {
        if !super::scope::reviewer_sees(store, &mut a.tx, r, actor).await? {
            return Err(StoreError::invalid(
                "request",
                "There is no merge waiting with that number",
            ));
        }
    }
    if asked_by == actor.user_id.0 {
        return Err(StoreError::invalid(
            "request",
            "A second reviewer must decide a merge you asked for",
        ));
    }
    let by = crate::localities::maker(p.principal());
    let merge_id = if approve {
        check_mergeable(store, &mut a, actor, survivor, merged).await?;
        Some(apply_merge(store, &mut a, survivor, merged, &reason, &by).await?)
    } else {
        None
    };
    sqlx::query(
        "UPDATE person_merge_requests SET decided_by_id = $1, decided_by = $2, decided_at = $3, \
         outcome = $4, merge_id = $5 WHERE id = $6",
    )
    .bind(actor.user_id.0)
    .bind(&by)
    .bind(store.now().to_db())
    .bind(if approve { "merged" } else { "refused" })
    .bind(merge_id)
    .bind(request)
    .execute(&mut *a.tx)
    .await?;
    let ev = match merge_id {
        Some(id) => {
            Event::success("person.merge", Some(("person", survivor.to_string()))).detail(json!({
                "merge_id": id, "merged_id": merged, "reason": reason,
                "request_id": request, "approved": true,
            }))
        }
        None => Event::success(
            "person.merge_refused",
            Some(("person", survivor.to_string())),
        )
        .detail(json!({ "request_id": request, "merged_id": merged })),
    };
    a.commit(ev).await?;
    Ok(merge_id)
}

/// Merges waiting for a second reviewer that involve a record (or its cluster), for a
/// reviewer within whose scope the record is (none otherwise).
pub(super) async fn requests_of(
    store: &SqlStore,
    p: &Permit<policy::ReviewLinks>,
    person: i64,
) -> Result<Vec<MergeRequestRow>> {
    let actor = super::permit_user(p)?;
    let mut conn = store.pool.acquire().await?;
    if !super::scope::reviewer_sees(store, &mut conn, person, actor).await? {
        return Ok(Vec::new());
    }
    drop(conn);
    type Row = (i64, i64, i64, String, i64, String, String);
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT r.id, r.survivor_id, r.merged_id, r.reason, r.requested_by_id, r.requested_by, r.requested_at \
         FROM person_merge_requests r WHERE r.decided_at IS NULL AND (r.survivor_id IN \
         (SELECT id FROM persons WHERE id = $1 OR root_id = $1) OR r.merged_id IN \
         (SELECT id FROM persons WHERE id = $1 OR root_id = $1)) ORDER BY r.id",
    )
    .bind(person)
    .fetch_all(&store.pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| MergeRequestRow {
            id: r.0,
            survivor_id: r.1,
            merged_id: r.2,
            reason: r.3,
            requested_by_id: r.4,
            requested_by: r.5,
            requested_at: r.6,
        })
        .collect())
}

/// Undo a merge.
pub(super) async fn unmerge(
    store: &SqlStore,
    p: &Permit<policy::ReviewLinks>,
    merge_id: i64,
) -> Result<()> {
    let mut a = store.audited(p).await?;
    let row: Option<(i64, i64, Option<String>)> =
        sqlx::query_as("SELECT survivor_id, merged_id, undone_at FROM person_merges WHERE id = $1")
            .bind(merge_id)
            .fetch_optional(&mut *a.tx)
            .await?;
    let Some((survivor, merged, undone)) = row else {
        return Err(StoreError::invalid("merge", "There is no such merge"));
    };
    if undone.is_some() {
        return Err(StoreError::invalid(
            "merge",
            "This merge has already been undone",
        ));
    }
    let actor = super::permit_user(p)?;
    for r in [survivor, merged] {
        if !super::scope::reviewer_sees(store, &mut a.tx, r, actor).await? {
            return Err(StoreError::invalid("merge", "There is no such merge"));
        }
    }
    let cluster_root = root_of(&mut a.tx, survivor).await?.unwrap_or(survivor);
    sqlx::query("UPDATE persons SET merged_into = NULL, root_id = NULL WHERE id = $1")
        .bind(merged)
        .execute(&mut *a.tx)
        .await?;
    reroot(&mut a, cluster_root, merged, None).await?;
    sqlx::query("UPDATE person_merges SET undone_by = $1, undone_at = $2 WHERE id = $3")
        .bind(crate::localities::maker(p.principal()))
        .bind(store.now().to_db())
        .bind(merge_id)
        .execute(&mut *a.tx)
        .await?;
    a.commit(
        Event::success("person.unmerge", Some(("person", survivor.to_string())))
            .detail(json!({ "merge_id": merge_id, "merged_id": merged })),
    )
    .await
}

/// The merges into a record (and into records merged into it).
pub(super) async fn merges_of(store: &SqlStore, person: i64) -> Result<Vec<MergeRow>> {
    type Row = (i64, i64, i64, String, String, String, Option<String>);
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT m.id, m.survivor_id, m.merged_id, m.reason, m.merged_by, m.merged_at, m.undone_at FROM person_merges m \
         WHERE m.survivor_id IN (SELECT id FROM persons WHERE id = $1 OR root_id = $1) ORDER BY m.merged_at DESC",
    )
    .bind(person)
    .fetch_all(&store.pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| MergeRow {
            id: r.0,
            survivor_id: r.1,
            merged_id: r.2,
            reason: r.3,
            merged_by: r.4,
            merged_at: r.5,
            undone_at: r.6,
        })
        .collect())
}
