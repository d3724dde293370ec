//! The schema and the field classification must agree: every column of every table created or
//! altered by the migrations (for both databases) has a class, and every classified column
//! exists. The record of processing in `docs/` must be the one the classification generates.

use everychild_domain::classification::{record_of_processing, TABLES};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Table → columns, from the migration files of one database.
fn schema(dir: &Path) -> BTreeMap<String, BTreeSet<String>> {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .map(|d| d.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    files.sort();
    let mut out: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for f in files {
        let sql = std::fs::read_to_string(&f).unwrap_or_default();
        let mut current: Option<String> = None;
        for line in sql.lines() {
            let l = line.trim();
            if let Some(rest) = l.strip_prefix("CREATE TABLE ") {
                let name = rest.split([' ', '(']).next().unwrap_or("").to_owned();
                out.entry(name.clone()).or_default();
                current = Some(name);
            } else if l.starts_with(");") {
                current = None;
            } else if let Some(rest) = l.strip_prefix("ALTER TABLE ") {
                let parts: Vec<&str> = rest.split_whitespace().collect();
                if let [table, "ADD", "COLUMN", column, ..] = parts.as_slice() {
                    out.entry((*table).to_owned())
                        .or_default()
                        .insert((*column).to_owned());
                }
            } else if let Some(t) = &current {
                let first = l.split_whitespace().next().unwrap_or("");
                let constraint = [
                    "PRIMARY",
                    "UNIQUE",
                    "CHECK",
                    "FOREIGN",
                    "CONSTRAINT",
                    "--",
                    "",
                ]
                .contains(&first);
                if !constraint {
                    out.entry(t.clone())
                        .or_default()
                        .insert(first.trim_end_matches(',').to_owned());
                }
            }
        }
    }
    out
}

#[test]
fn every_column_of_both_schemas_is_classified_and_nothing_else_is() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../migrations");
    let classified: BTreeMap<String, BTreeSet<String>> = TABLES
        .iter()
        .map(|t| {
            (
                t.table.to_owned(),
                t.columns.iter().map(|c| c.0.to_owned()).collect(),
            )
        })
        .collect();
    for db in ["sqlite", "postgres"] {
        let s = schema(&root.join(db));
        assert!(s.len() > 30, "{db}: the migrations were not read");
        let mut problems = Vec::new();
        for (table, columns) in &s {
            for c in columns {
                if !classified.get(table).is_some_and(|cs| cs.contains(c)) {
                    problems.push(format!(
                        "{table}.{c} has no class: add it to crates/domain/src/classification.rs"
                    ));
                }
            }
        }
        for (table, columns) in &classified {
            for c in columns {
                if !s.get(table).is_some_and(|cs| cs.contains(c)) {
                    problems.push(format!(
                        "{table}.{c} is classified but not in the {db} schema"
                    ));
                }
            }
        }
        assert!(problems.is_empty(), "{db}:\n{}", problems.join("\n"));
    }
}

#[test]
fn the_record_of_processing_in_the_docs_is_the_generated_one() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/RECORD-OF-PROCESSING.md");
    let stored = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        stored == record_of_processing(),
        "docs/RECORD-OF-PROCESSING.md is out of date: run `everychild privacy record > docs/RECORD-OF-PROCESSING.md`"
    );
}
