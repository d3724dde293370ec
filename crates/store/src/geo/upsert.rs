//! Upserting reference tables: rows are compared with what is stored, and only new or changed
//! rows are written, so importing the same files twice changes nothing. Table and column names
//! come from constants in this crate; every value is a bound parameter.

use crate::Result;
use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::{Any, Row, Transaction};
use std::collections::HashMap;

/// A value in a reference table.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Val {
    /// Text or null.
    Text(Option<String>),
    /// Integer or null.
    Int(Option<i64>),
    /// Decimal or null.
    Real(Option<f64>),
}

impl Val {
    pub fn text(s: impl Into<String>) -> Self {
        Val::Text(Some(s.into()))
    }
    pub fn opt_text<S: ToString>(s: Option<S>) -> Self {
        Val::Text(s.map(|s| s.to_string()))
    }
    pub fn int(i: impl Into<i64>) -> Self {
        Val::Int(Some(i.into()))
    }
}

/// The kind of a column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Text,
    Int,
    Real,
}

/// The shape of a reference table: its name, key columns and other columns with their kinds.
pub(crate) struct Spec {
    pub table: &'static str,
    pub key: &'static [(&'static str, Kind)],
    pub columns: &'static [(&'static str, Kind)],
}

/// How many rows an upsert added, changed and left as they were.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct TableCounts {
    /// New rows.
    pub added: u64,
    /// Rows whose values changed.
    pub changed: u64,
    /// Rows already stored with the same values.
    pub unchanged: u64,
}

/// A row to upsert: key values, then the other columns' values, in the spec's order.
pub(crate) type NewRow = (Vec<Val>, Vec<Val>);

fn read_val(row: &AnyRow, i: usize, kind: Kind) -> Result<Val> {
    Ok(match kind {
        Kind::Text => Val::Text(row.try_get::<Option<String>, _>(i)?),
        Kind::Int => Val::Int(row.try_get::<Option<i64>, _>(i)?),
        Kind::Real => Val::Real(row.try_get::<Option<f64>, _>(i)?),
    })
}

fn bind<'q>(
    q: sqlx::query::Query<'q, Any, sqlx::any::AnyArguments<'q>>,
    v: &Val,
) -> sqlx::query::Query<'q, Any, sqlx::any::AnyArguments<'q>> {
    match v {
        Val::Text(t) => q.bind(t.clone()),
        Val::Int(i) => q.bind(*i),
        Val::Real(r) => q.bind(*r),
    }
}

impl Val {
    fn is_null(&self) -> bool {
        matches!(self, Val::Text(None) | Val::Int(None) | Val::Real(None))
    }
}

/// A typed `NULL` for a null value, else the next numbered placeholder, cast for decimals.
/// (PostgreSQL resolves the type of each column of a multi-row `VALUES` list from the list
/// itself, and sqlx's generic driver leaves the type of a decimal parameter open, so without
/// the casts a column of decimals is taken as text.)
fn placeholder(v: &Val, n: &mut usize) -> String {
    match v {
        Val::Text(None) => "CAST(NULL AS TEXT)".into(),
        Val::Int(None) => "CAST(NULL AS BIGINT)".into(),
        Val::Real(None) => "CAST(NULL AS DOUBLE PRECISION)".into(),
        Val::Real(Some(_)) => {
            *n += 1;
            format!("CAST(${n} AS DOUBLE PRECISION)")
        }
        _ => {
            *n += 1;
            format!("${n}")
        }
    }
}

/// Key values as one map key.
fn key_string(vals: &[Val]) -> String {
    vals.iter()
        .map(|v| match v {
            Val::Text(t) => t.clone().unwrap_or_default(),
            Val::Int(i) => i.map(|i| i.to_string()).unwrap_or_default(),
            Val::Real(r) => r.map(|r| r.to_string()).unwrap_or_default(),
        })
        .collect::<Vec<_>>()
        .join("\u{1f}")
}

/// Most bound values in one statement. Both databases allow far more, but binding costs grow
/// faster than linearly with the count in the driver: an import of 17,000 rows took 14 s in
/// statements of 30,000 values and 1 s in statements of 900.
const MAX_PARAMS: usize = 900;

/// Insert new rows and update changed ones of `spec`'s table, in `tx`.
pub(crate) async fn upsert(
    tx: &mut Transaction<'static, Any>,
    spec: &Spec,
    rows: Vec<NewRow>,
) -> Result<TableCounts> {
    let all_cols: Vec<&str> = spec
        .key
        .iter()
        .chain(spec.columns.iter())
        .map(|c| c.0)
        .collect();
    let select = format!("SELECT {} FROM {}", all_cols.join(", "), spec.table);
    let stored = sqlx::query(&select).fetch_all(&mut **tx).await?;
    let mut existing: HashMap<String, Vec<Val>> = HashMap::with_capacity(stored.len());
    for row in &stored {
        let mut key = Vec::with_capacity(spec.key.len());
        for (i, (_, k)) in spec.key.iter().enumerate() {
            key.push(read_val(row, i, *k)?);
        }
        let mut vals = Vec::with_capacity(spec.columns.len());
        for (i, (_, k)) in spec.columns.iter().enumerate() {
            vals.push(read_val(row, spec.key.len() + i, *k)?);
        }
        existing.insert(key_string(&key), vals);
    }

    let mut counts = TableCounts::default();
    let mut inserts: Vec<NewRow> = Vec::new();
    for (key, vals) in rows {
        match existing.get(&key_string(&key)) {
            None => inserts.push((key, vals)),
            Some(old) if *old == vals => counts.unchanged += 1,
            Some(_) => {
                let mut n = 0;
                let sets: Vec<String> = spec
                    .columns
                    .iter()
                    .zip(&vals)
                    .map(|(c, v)| format!("{} = {}", c.0, placeholder(v, &mut n)))
                    .collect();
                let wheres: Vec<String> = spec
                    .key
                    .iter()
                    .zip(&key)
                    .map(|(k, v)| format!("{} = {}", k.0, placeholder(v, &mut n)))
                    .collect();
                let sql = format!(
                    "UPDATE {} SET {} WHERE {}",
                    spec.table,
                    sets.join(", "),
                    wheres.join(" AND ")
                );
                let mut q = sqlx::query(&sql);
                for v in vals.iter().chain(key.iter()).filter(|v| !v.is_null()) {
                    q = bind(q, v);
                }
                q.execute(&mut **tx).await?;
                counts.changed += 1;
            }
        }
    }
    counts.added = inserts.len() as u64;
    let per_row = all_cols.len();
    for chunk in inserts.chunks((MAX_PARAMS / per_row).max(1)) {
        let mut n = 0;
        let values: Vec<String> = chunk
            .iter()
            .map(|(key, vals)| {
                let ps: Vec<String> = key
                    .iter()
                    .chain(vals.iter())
                    .map(|v| placeholder(v, &mut n))
                    .collect();
                format!("({})", ps.join(", "))
            })
            .collect();
        let sql = format!(
            "INSERT INTO {} ({}) VALUES {}",
            spec.table,
            all_cols.join(", "),
            values.join(", ")
        );
        let mut q = sqlx::query(&sql);
        for (key, vals) in chunk {
            for v in key.iter().chain(vals.iter()).filter(|v| !v.is_null()) {
                q = bind(q, v);
            }
        }
        q.execute(&mut **tx).await?;
    }
    Ok(counts)
}

/// Insert `rows` (values in `columns` order) into `table`, in statements of at most
/// [`MAX_PARAMS`] values.
pub(crate) async fn insert_many(
    tx: &mut Transaction<'static, Any>,
    table: &str,
    columns: &[&str],
    rows: &[Vec<Val>],
) -> Result<()> {
    for chunk in rows.chunks((MAX_PARAMS / columns.len().max(1)).max(1)) {
        let mut n = 0;
        let values: Vec<String> = chunk
            .iter()
            .map(|r| {
                let ps: Vec<String> = r.iter().map(|v| placeholder(v, &mut n)).collect();
                format!("({})", ps.join(", "))
            })
            .collect();
        let sql = format!(
            "INSERT INTO {table} ({}) VALUES {}",
            columns.join(", "),
            values.join(", ")
        );
        let mut q = sqlx::query(&sql);
        for v in chunk.iter().flatten().filter(|v| !v.is_null()) {
            q = bind(q, v);
        }
        q.execute(&mut **tx).await?;
    }
    Ok(())
}
