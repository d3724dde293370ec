//! Group commit for audit events that accompany no other change (views, searches, refusals).
//! Requests queue their event and wait; one writer task takes whatever is queued (up to
//! [`MAX_BATCH`]), claims that many places in the chain in one statement, chains the hashes in
//! memory and writes them in one transaction. A request gets its data only after its event has
//! committed, so auditing still fails closed; under load many events share one commit.

use crate::{Result, StoreError};
use everychild_domain::audit::AuditRecord;
use sqlx::AnyPool;
use std::sync::Arc;
use tokio::sync::{mpsc, oneshot, Mutex};

/// Most events written in one transaction.
pub(crate) const MAX_BATCH: usize = 256;
const ROWS_PER_INSERT: usize = 64;

/// An event waiting for its place in the chain.
pub(crate) struct Queued {
    pub rec: AuditRecord,
    pub done: oneshot::Sender<Result<()>>,
}

/// Start the writer; events sent to the returned channel are written in order.
pub(crate) fn spawn(pool: AnyPool, writer_lock: Option<Arc<Mutex<()>>>) -> mpsc::Sender<Queued> {
    let (tx, rx) = mpsc::channel(4 * MAX_BATCH);
    tokio::spawn(run(pool, writer_lock, rx));
    tx
}

async fn run(pool: AnyPool, writer_lock: Option<Arc<Mutex<()>>>, mut rx: mpsc::Receiver<Queued>) {
    while let Some(first) = rx.recv().await {
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match rx.try_recv() {
                Ok(q) => batch.push(q),
                Err(_) => break,
            }
        }
        let result = write(&pool, writer_lock.as_deref(), &mut batch).await;
        for q in batch {
            let r = match &result {
                Ok(()) => Ok(()),
                Err(StoreError::Unavailable(m)) => Err(StoreError::Unavailable(m.clone())),
                Err(e) => Err(StoreError::Database(e.to_string())),
            };
            let _ = q.done.send(r);
        }
    }
}

pub(crate) const INSERT_COLUMNS: &str = "INSERT INTO audit_events (seq, at, actor_id, actor_username, actor_role, actor_org, \
     action, outcome, subject_type, subject_id, purpose, detail, ip, request_id, prev_hash, hash) VALUES ";

/// `($1, …, $16), ($17, …, $32), …` for `rows` rows.
pub(crate) fn placeholders(rows: usize) -> String {
    (0..rows)
        .map(|r| {
            let cols: Vec<String> = (1..=16).map(|c| format!("${}", r * 16 + c)).collect();
            format!("({})", cols.join(", "))
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Bind one record's 16 values, hash last.
pub(crate) fn bind_record<'q>(
    q: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>,
    r: &AuditRecord,
    hash: &str,
) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>> {
    q.bind(r.seq)
        .bind(r.at.clone())
        .bind(r.actor_id)
        .bind(r.actor_username.clone())
        .bind(r.actor_role.clone())
        .bind(r.actor_org.clone())
        .bind(r.action.clone())
        .bind(r.outcome.clone())
        .bind(r.subject_type.clone())
        .bind(r.subject_id.clone())
        .bind(r.purpose.clone())
        .bind(r.detail.clone())
        .bind(r.ip.clone())
        .bind(r.request_id.clone())
        .bind(r.prev_hash.clone())
        .bind(hash.to_owned())
}

async fn write(
    pool: &AnyPool,
    writer_lock: Option<&Mutex<()>>,
    batch: &mut [Queued],
) -> Result<()> {
    let _guard = match writer_lock {
        Some(l) => Some(l.lock().await),
        None => None,
    };
    let mut tx = pool.begin().await?;
    let n = i64::try_from(batch.len()).unwrap_or(i64::MAX);
    let (last, mut prev): (i64, String) =
        sqlx::query_as("UPDATE audit_head SET seq = seq + $1 WHERE id = 1 RETURNING seq, hash")
            .bind(n)
            .fetch_one(&mut *tx)
            .await?;
    let mut hashes = Vec::with_capacity(batch.len());
    for (i, q) in batch.iter_mut().enumerate() {
        q.rec.seq = last - n + 1 + i64::try_from(i).unwrap_or(0);
        q.rec.prev_hash = prev;
        prev = q.rec.compute_hash();
        hashes.push(prev.clone());
    }
    for (chunk, hs) in batch
        .chunks(ROWS_PER_INSERT)
        .zip(hashes.chunks(ROWS_PER_INSERT))
    {
        let sql = format!("{INSERT_COLUMNS}{}", placeholders(chunk.len()));
        let mut q = sqlx::query(&sql);
        for (item, h) in chunk.iter().zip(hs) {
            q = bind_record(q, &item.rec, h);
        }
        q.execute(&mut *tx).await?;
    }
    sqlx::query("UPDATE audit_head SET hash = $1 WHERE id = 1")
        .bind(&prev)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn placeholders_number_every_column_of_every_row() {
        assert_eq!(super::placeholders(1).matches('$').count(), 16);
        let two = super::placeholders(2);
        assert!(two.starts_with("($1, $2,") && two.ends_with("$31, $32)"));
    }
}
