//! Reading a CSV file into a linkage dataset: the column mapping (`--id`, `--truth`,
//! `--field ROLE=COL`), checked against the header so that a missing column or an unknown role
//! is refused by name before any record is read.

use anyhow::{bail, Context};
use everychild_linkage::{Dataset, Role};
use std::collections::HashMap;
use std::path::Path;

/// Which column holds what.
#[derive(Debug, Clone)]
pub struct Mapping {
    /// The record id column.
    pub id: String,
    /// The truth column, if any (equal values = same person).
    pub truth: Option<String>,
    /// Role and column of each compared field.
    pub fields: Vec<(Role, String)>,
}

/// Parse `ROLE=COL` arguments; with none, roles are inferred from column names that are role
/// names (given_name, surname, dob, postcode…) in `header`.
pub fn parse_fields(
    args: &[String],
    header: &[String],
    id: &str,
    truth: Option<&str>,
) -> anyhow::Result<Vec<(Role, String)>> {
    let mut out: Vec<(Role, String)> = Vec::new();
    if args.is_empty() {
        for h in header {
            if h == id || Some(h.as_str()) == truth {
                continue;
            }
            if let Ok(role) = Role::parse(h, h) {
                if !matches!(role, Role::Attribute(_)) && !out.iter().any(|(r, _)| *r == role) {
                    out.push((role, h.clone()));
                }
            }
        }
        if out.is_empty() {
            bail!("no --field given and no column is named after a role; give --field ROLE=COL (roles: {})", Role::NAMES);
        }
        return Ok(out);
    }
    for a in args {
        let Some((role, col)) = a.split_once('=') else {
            bail!("--field {a:?} is not ROLE=COL (for example --field given_name=first_name)");
        };
        let role = Role::parse(role, col.trim())?;
        if out.iter().any(|(r, _)| *r == role) {
            bail!("the role {} is given more than once", role.label());
        }
        out.push((role, col.trim().to_owned()));
    }
    Ok(out)
}

/// One CSV file's header and rows.
pub struct Table {
    /// Column names, trimmed.
    pub header: Vec<String>,
    /// Rows of values, trimmed.
    pub rows: Vec<csv::StringRecord>,
}

/// Read a whole CSV file (values trimmed; rows may be ragged and are checked later).
pub fn read(path: &Path) -> anyhow::Result<Table> {
    let mut r = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .flexible(true)
        .from_path(path)
        .with_context(|| format!("could not read {}", path.display()))?;
    let header: Vec<String> = r
        .headers()
        .with_context(|| format!("could not read the header of {}", path.display()))?
        .iter()
        .map(str::to_owned)
        .collect();
    let mut rows = Vec::new();
    for (n, rec) in r.records().enumerate() {
        let rec =
            rec.with_context(|| format!("{}: could not read row {}", path.display(), n + 2))?;
        rows.push(rec);
    }
    Ok(Table { header, rows })
}

/// Positions of the mapped columns in a table; names every column that is missing.
fn positions(
    t: &Table,
    m: &Mapping,
    path: &Path,
) -> anyhow::Result<(usize, Option<usize>, Vec<usize>)> {
    let pos: HashMap<&str, usize> = t
        .header
        .iter()
        .enumerate()
        .map(|(i, h)| (h.as_str(), i))
        .collect();
    let mut missing = Vec::new();
    let mut find = |c: &str| -> usize {
        match pos.get(c) {
            Some(i) => *i,
            None => {
                missing.push(c.to_owned());
                0
            }
        }
    };
    let id = find(&m.id);
    let truth = m.truth.as_deref().map(&mut find);
    let fields: Vec<usize> = m.fields.iter().map(|(_, c)| find(c)).collect();
    if !missing.is_empty() {
        bail!(
            "{}: no column named {} (the columns are: {})",
            path.display(),
            missing
                .iter()
                .map(|c| format!("{c:?}"))
                .collect::<Vec<_>>()
                .join(", "),
            t.header.join(", ")
        );
    }
    Ok((id, truth, fields))
}

/// Add a table's rows to `data` as source `source`, and their truth labels to `truth`.
pub fn load(
    t: &Table,
    m: &Mapping,
    path: &Path,
    source: u8,
    data: &mut Dataset,
    truth: &mut Vec<u32>,
    labels: &mut HashMap<String, u32>,
) -> anyhow::Result<()> {
    let (id, tcol, fields) = positions(t, m, path)?;
    let mut ids = Vec::with_capacity(t.rows.len());
    for (n, row) in t.rows.iter().enumerate() {
        let rid = row.get(id).unwrap_or("");
        if rid.is_empty() {
            bail!(
                "{}: row {} has no value in the id column {:?}",
                path.display(),
                n + 2,
                m.id
            );
        }
        ids.push(rid);
        let label = match tcol.and_then(|c| row.get(c)).filter(|v| !v.is_empty()) {
            Some(v) => {
                let next = labels.len() as u32;
                *labels.entry(v.to_owned()).or_insert(next)
            }
            None => u32::MAX,
        };
        truth.push(label);
    }
    data.extend(&ids, source, |r, c| {
        let col = *fields.get(c)?;
        t.rows.get(r)?.get(col).filter(|v| !v.is_empty())
    });
    Ok(())
}
