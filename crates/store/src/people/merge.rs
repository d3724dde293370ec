//! Merging duplicate records of one person, and undoing it. Nothing is moved or deleted: the
//! merged record points at its survivor (`merged_into`), every record's `root_id` names the
//! record it now belongs to, and reads gather the whole cluster. Undoing a merge restores both
//! records exactly as they were, including anything merged into the merged record before.

use super::record::root_of;
use crate::audit::{AuditTx, Event, Who};
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
async fn reroot(a: &mut AuditTx, cluster_root: i64, from: i64, to: Option<i64>) -> Result<()> {
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

/// Merge `merged` into `survivor`; both must be current records of the same kind.
pub(super) async fn merge(
    store: &SqlStore,
    p: &Permit<policy::ReviewLinks>,
    survivor: i64,
    merged: i64,
    reason: &str,
) -> Result<i64> {
    let reason = reason.trim();
    if reason.chars().count() < 10 {
        return Err(StoreError::Conflict(
            "reason: Explain in at least 10 characters why these are the same person".into(),
        ));
    }
    let actor = super::permit_user(p)?;
    let mut a = store.begin_audited().await?;
    let s = root_of(&mut a.tx, survivor).await?;
    let m = root_of(&mut a.tx, merged).await?;
    // A reviewer needs a basis for both records (or to be the locality's reviewer for both):
    // merging must never be a way to open a child's record.
    for r in [s, m].into_iter().flatten() {
        if !super::scope::reviewer_sees(store, &mut a.tx, r, actor).await? {
            return Err(StoreError::NotFound(
                "other: There is no record with that number that you may merge".into(),
            ));
        }
    }
    match (s, m) {
        (Some(s), Some(m)) if s == survivor && m == merged && s != m => {}
        (Some(_), Some(_)) if survivor == merged => {
            return Err(StoreError::Conflict(
                "other: A record cannot be merged into itself".into(),
            ))
        }
        (Some(_), Some(_)) => {
            return Err(StoreError::Conflict(
                "other: One of the records has already been merged into another".into(),
            ))
        }
        _ => {
            return Err(StoreError::NotFound(
                "other: There is no record with that number".into(),
            ))
        }
    }
    let kinds: Vec<(String,)> = sqlx::query_as("SELECT kind FROM persons WHERE id IN ($1, $2)")
        .bind(survivor)
        .bind(merged)
        .fetch_all(&mut *a.tx)
        .await?;
    if kinds.len() != 2 || kinds[0].0 != kinds[1].0 {
        return Err(StoreError::Conflict(
            "other: A child's record can only be merged with another child's".into(),
        ));
    }
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
    let by = crate::localities::maker(p.principal());
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO person_merges (survivor_id, merged_id, reason, merged_by, merged_at) VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(survivor)
    .bind(merged)
    .bind(reason)
    .bind(&by)
    .bind(store.now().to_db())
    .fetch_one(&mut *a.tx)
    .await?;
    store
        .commit_audited(
            a,
            Who::of(p.principal()),
            p.purpose(),
            Event::success("person.merge", Some(("person", survivor.to_string())))
                .detail(json!({ "merge_id": id, "merged_id": merged, "reason": reason })),
        )
        .await?;
    Ok(id)
}

/// Undo a merge.
pub(super) async fn unmerge(
    store: &SqlStore,
    p: &Permit<policy::ReviewLinks>,
    merge_id: i64,
) -> Result<()> {
    let mut a = store.begin_audited().await?;
    let row: Option<(i64, i64, Option<String>)> =
        sqlx::query_as("SELECT survivor_id, merged_id, undone_at FROM person_merges WHERE id = $1")
            .bind(merge_id)
            .fetch_optional(&mut *a.tx)
            .await?;
    let Some((survivor, merged, undone)) = row else {
        return Err(StoreError::NotFound("merge: There is no such merge".into()));
    };
    if undone.is_some() {
        return Err(StoreError::Conflict(
            "merge: This merge has already been undone".into(),
        ));
    }
    let actor = super::permit_user(p)?;
    for r in [survivor, merged] {
        if !super::scope::reviewer_sees(store, &mut a.tx, r, actor).await? {
            return Err(StoreError::NotFound("merge: There is no such merge".into()));
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
    store
        .commit_audited(
            a,
            Who::of(p.principal()),
            p.purpose(),
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
