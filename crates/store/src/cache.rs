//! An in-memory value built from the database (the postcode index, the directory's search
//! index), loaded on first use and reloaded when its version row moves on. The version is
//! checked at most every few seconds, so a change made by another server on the same database
//! is seen soon; a change made through this store invalidates the value at once.

use crate::{Result, SqlStore};
use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How long a loaded value is trusted before its version is checked again.
const RECHECK: Duration = Duration::from_secs(5);

struct Loaded<T> {
    value: Arc<T>,
    version: i64,
    /// When the version was last confirmed; `None` makes the next use check it.
    checked: Option<Instant>,
}

/// One cached value and the single-row table (`id = 1`, `version`) that says when it changed.
pub struct VersionedCache<T> {
    table: &'static str,
    loaded: Mutex<Option<Loaded<T>>>,
    loading: tokio::sync::Mutex<()>,
    /// Moves on at every invalidation, so a load that raced a change is not trusted.
    generation: AtomicU64,
}

impl<T> std::fmt::Debug for VersionedCache<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "VersionedCache({})", self.table)
    }
}

impl<T> VersionedCache<T> {
    /// A cache whose version lives in `table` (a constant of ours, never input).
    pub(crate) fn new(table: &'static str) -> Self {
        Self {
            table,
            loaded: Mutex::new(None),
            loading: tokio::sync::Mutex::new(()),
            generation: AtomicU64::new(0),
        }
    }

    /// Forget the loaded value (after a change made through this store).
    pub(crate) fn invalidate(&self) {
        self.generation.fetch_add(1, Ordering::SeqCst);
        if let Ok(mut l) = self.loaded.lock() {
            *l = None;
        }
    }

    fn fresh(&self) -> Option<(Arc<T>, Option<i64>)> {
        let l = self.loaded.lock().ok()?;
        let l = l.as_ref()?;
        if l.checked.is_some_and(|c| c.elapsed() < RECHECK) {
            Some((l.value.clone(), None))
        } else {
            Some((l.value.clone(), Some(l.version)))
        }
    }

    async fn version(&self, store: &SqlStore) -> Result<i64> {
        let sql = format!("SELECT version FROM {} WHERE id = 1", self.table);
        let (v,): (i64,) = sqlx::query_as(&sql).fetch_one(&store.pool).await?;
        Ok(v)
    }

    /// Record, inside a change's transaction, that the value must be rebuilt.
    pub(crate) async fn bump(&self, tx: &mut sqlx::Transaction<'static, sqlx::Any>) -> Result<()> {
        let sql = format!(
            "UPDATE {} SET version = version + 1 WHERE id = 1",
            self.table
        );
        sqlx::query(&sql).execute(&mut **tx).await?;
        Ok(())
    }

    /// The current value; `load` builds it when it is missing or out of date (one loader at a
    /// time; the others wait and share its result).
    pub(crate) async fn get<F>(&self, store: &SqlStore, load: F) -> Result<Arc<T>>
    where
        F: Future<Output = Result<T>>,
    {
        match self.fresh() {
            Some((v, None)) => return Ok(v),
            Some((v, Some(at))) if self.version(store).await? == at => {
                if let Ok(mut l) = self.loaded.lock() {
                    if let Some(l) = l.as_mut() {
                        l.checked = Some(Instant::now());
                    }
                }
                return Ok(v);
            }
            _ => {}
        }
        let _one_loader = self.loading.lock().await;
        if let Some((v, None)) = self.fresh() {
            return Ok(v);
        }
        let generation = self.generation.load(Ordering::SeqCst);
        let version = self.version(store).await?;
        let value = Arc::new(load.await?);
        // A change made here while this loaded may not be in it: keep it, but check the
        // version at the next use (which then finds the change and loads again).
        let raced = self.generation.load(Ordering::SeqCst) != generation;
        if let Ok(mut l) = self.loaded.lock() {
            *l = Some(Loaded {
                value: value.clone(),
                version,
                checked: (!raced).then(Instant::now),
            });
        }
        Ok(value)
    }
}
