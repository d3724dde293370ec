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
pub(crate) fn spawn(
    pool: AnyPool,
    writer_lock: Option<Arc<Mutex<()>>>,
    sealing: crate::pool::Sealing,
) -> mpsc::Sender<Queued> {
    let (tx, rx) = mpsc::channel(4 * MAX_BATCH);
    tokio::spawn(run(pool, writer_lock, sealing, rx));
    tx
}

async fn run(
    pool: AnyPool,
    writer_lock: Option<Arc<Mutex<()>>>,
    sealing: crate::pool::Sealing,
    mut rx: mpsc::Receiver<Queued>,
) {
    while let Some(first) = rx.recv().await {
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match rx.try_recv() {
                Ok(q) => batch.push(q),
                Err(_) => break,
            }
        }
        let key = crate::pool::sealing_key(&sealing);
        let result = write(&pool, writer_lock.as_deref(), key.as_ref(), &mut batch).await;
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
     action, outcome, subject_type, subject_id, purpose, detail, ip, request_id, prev_hash, hash, key_id) VALUES ";

/// Values per audit row.
const COLUMNS: usize = 17;

/// `($1, …, $17), ($18, …, $34), …` for `rows` rows.
pub(crate) fn placeholders(rows: usize) -> String {
    (0..rows)
        .map(|r| {
            let cols: Vec<String> = (1..=COLUMNS)
                .map(|c| format!("${}", r * COLUMNS + c))
                .collect();
            format!("({})", cols.join(", "))
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Bind one record's 17 values: the fields, its seal and the id of the key that sealed it.
pub(crate) fn bind_record<'q>(
    q: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>,
    r: &AuditRecord,
    hash: &str,
    key_id: Option<&str>,
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
        .bind(key_id.map(str::to_owned))
}

async fn write(
    pool: &AnyPool,
    writer_lock: Option<&Mutex<()>>,
    key: Option<&everychild_domain::audit::AuditKey>,
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
        let (h, _) = q.rec.seal(key);
        prev = h;
        hashes.push(prev.clone());
    }
    for (chunk, hs) in batch
        .chunks(ROWS_PER_INSERT)
        .zip(hashes.chunks(ROWS_PER_INSERT))
    {
        let sql = format!("{INSERT_COLUMNS}{}", placeholders(chunk.len()));
        let mut q = sqlx::query(&sql);
        for (item, h) in chunk.iter().zip(hs) {
            q = bind_record(q, &item.rec, h, key.map(|k| k.id()));
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
        assert_eq!(super::placeholders(1).matches('$').count(), 17);
        let two = super::placeholders(2);
        assert!(two.starts_with("($1, $2,") && two.ends_with("$33, $34)"));
    }
}
