//! Importing an Open Referral UK feed: every provider, taxonomy, term and service is upserted by
//! id in one audited transaction, so a failure writes nothing and nothing is wiped. A service
//! whose document is the one already published is left alone; a changed one gets a new,
//! published version (its extensions — levels, catchment, capacity — are kept); an entry
//! archived here stays archived.

use super::{insert_version, to_json, types::*, NewVersion};
use crate::audit::Event;
use crate::{Result, SqlStore};
use everychild_domain::directory::oruk::{Organization, Service, TaxonomyTerm};
use everychild_domain::directory::{EntryStatus, Extras};
use everychild_policy::{self as policy, Permit};
use serde_json::json;
use sqlx::{Any, Transaction};
use std::collections::BTreeMap;

async fn upsert_doc(
    tx: &mut Transaction<'static, Any>,
    table: &str,
    id: &str,
    name: &str,
    taxonomy: Option<&str>,
    document: &str,
    now: &str,
) -> Result<bool> {
    let found: Option<(String,)> =
        sqlx::query_as(&format!("SELECT document FROM {table} WHERE id = $1"))
            .bind(id)
            .fetch_optional(&mut **tx)
            .await?;
    match found {
        Some((d,)) if d == document => Ok(false),
        Some(_) => {
            let sql = match table {
                "directory_terms" => "UPDATE directory_terms SET name = $2, document = $3, updated_at = $4, taxonomy_id = $5 WHERE id = $1",
                "directory_taxonomies" => "UPDATE directory_taxonomies SET name = $2, document = $3, updated_at = $4 WHERE id = $1",
                _ => "UPDATE directory_organisations SET name = $2, document = $3, updated_at = $4 WHERE id = $1",
            };
            let q = sqlx::query(sql)
                .bind(id)
                .bind(name)
                .bind(document)
                .bind(now);
            let q = if table == "directory_terms" {
                q.bind(taxonomy)
            } else {
                q
            };
            q.execute(&mut **tx).await?;
            Ok(true)
        }
        None => {
            let q = match table {
                "directory_terms" => sqlx::query(
                    "INSERT INTO directory_terms (id, name, document, updated_at, taxonomy_id) VALUES ($1, $2, $3, $4, $5)",
                )
                .bind(id)
                .bind(name)
                .bind(document)
                .bind(now)
                .bind(taxonomy),
                "directory_taxonomies" => sqlx::query(
                    "INSERT INTO directory_taxonomies (id, name, document, updated_at) VALUES ($1, $2, $3, $4)",
                )
                .bind(id)
                .bind(name)
                .bind(document)
                .bind(now),
                _ => sqlx::query(
                    "INSERT INTO directory_organisations (id, name, document, updated_at, source) VALUES ($1, $2, $3, $4, 'import')",
                )
                .bind(id)
                .bind(name)
                .bind(document)
                .bind(now),
            };
            q.execute(&mut **tx).await?;
            Ok(true)
        }
    }
}

/// The providers and terms a feed names, each once (the last mention wins).
fn gather(
    feed: &DirectoryImport,
) -> (
    BTreeMap<String, Organization>,
    BTreeMap<String, TaxonomyTerm>,
) {
    let mut orgs: BTreeMap<String, Organization> = BTreeMap::new();
    for o in &feed.organizations {
        orgs.insert(o.id.clone(), o.clone());
    }
    let mut terms: BTreeMap<String, TaxonomyTerm> = BTreeMap::new();
    for t in &feed.terms {
        terms.insert(t.id.clone(), t.clone());
    }
    for s in &feed.services {
        if let Some(o) = &s.service.organization {
            orgs.entry(o.id.clone()).or_insert_with(|| o.clone());
        }
        for t in s.service.terms() {
            terms.entry(t.id.clone()).or_insert_with(|| t.clone());
        }
    }
    (orgs, terms)
}

pub(super) async fn run(
    store: &SqlStore,
    p: &Permit<policy::ImportDirectory>,
    feed: &DirectoryImport,
) -> Result<DirectoryImportReport> {
    let (orgs, terms) = gather(feed);
    let mut a = store.audited(p).await?;
    let now = store.now().to_db();
    let mut touched = false;
    for o in orgs.values() {
        touched |= upsert_doc(
            &mut a.tx,
            "directory_organisations",
            &o.id,
            &o.name,
            None,
            &to_json(o)?,
            &now,
        )
        .await?;
    }
    for t in &feed.taxonomies {
        touched |= upsert_doc(
            &mut a.tx,
            "directory_taxonomies",
            &t.id,
            &t.name,
            None,
            &to_json(t)?,
            &now,
        )
        .await?;
    }
    for t in terms.values() {
        let doc = to_json(t)?;
        touched |= upsert_doc(
            &mut a.tx,
            "directory_terms",
            &t.id,
            &t.name,
            t.taxonomy_id.as_deref(),
            &doc,
            &now,
        )
        .await?;
    }
    let mut report = DirectoryImportReport::default();
    for item in &feed.services {
        let mut service: Service = item.service.clone();
        let new_extras = item.extras.as_ref().map(to_json).transpose()?;
        let new_review = item.review_by.map(super::date_text);
        let named = service
            .organization_id
            .clone()
            .or_else(|| service.organization.as_ref().map(|o| o.id.clone()));
        // A provider the feed names but does not describe, and that is not stored, is left
        // unlinked rather than invented.
        let org = match named {
            Some(id) if orgs.contains_key(&id) => Some(id),
            Some(id) => {
                let found: Option<(String,)> =
                    sqlx::query_as("SELECT id FROM directory_organisations WHERE id = $1")
                        .bind(&id)
                        .fetch_optional(&mut *a.tx)
                        .await?;
                found.map(|f| f.0)
            }
            None => None,
        };
        if let Some(id) = &org {
            service.organization_id = Some(id.clone());
        }
        let document = to_json(&service)?;
        type Row = (
            String,
            i64,
            Option<String>,
            Option<String>,
            Option<String>,
            Option<String>,
        );
        let row: Option<Row> = sqlx::query_as(
            "SELECT e.status, e.version, lv.document, COALESCE(lv.extras, cv.extras), COALESCE(lv.review_by, cv.review_by), lv.change FROM directory_entries e \
             JOIN directory_entry_versions cv ON cv.entry_id = e.id AND cv.version = e.version \
             LEFT JOIN directory_entry_versions lv ON lv.entry_id = e.id AND lv.version = e.live_version \
             WHERE e.id = $1",
        )
        .bind(&service.id)
        .fetch_optional(&mut *a.tx)
        .await?;
        let (version, extras, review_by) = match row {
            None => {
                sqlx::query(
                    "INSERT INTO directory_entries (id, directory_organisation_id, name, status, version, live_version, review_by, source, created_at, updated_at) \
                     VALUES ($1, $2, $3, 'published', 1, 1, $6, $4, $5, $5)",
                )
                .bind(&service.id)
                .bind(org.as_deref())
                .bind(&service.name)
                .bind(&feed.source)
                .bind(&now)
                .bind(new_review.as_deref())
                .execute(&mut *a.tx)
                .await?;
                report.added.push(service.id.clone());
                let extras = match new_extras {
                    Some(x) => x,
                    None => to_json(&Extras::default())?,
                };
                (1, extras, new_review)
            }
            Some((status, _, _, _, _, _)) if status == EntryStatus::Archived.as_str() => {
                report.archived_here.push(service.id.clone());
                continue;
            }
            // An editor's change here waits for approval: the feed never overwrites it.
            Some((status, _, _, _, _, _))
                if status == EntryStatus::Draft.as_str()
                    || status == EntryStatus::AwaitingApproval.as_str() =>
            {
                report.pending_here.push(service.id.clone());
                continue;
            }
            Some((_, _, Some(live), Some(extras), review, _))
                if live == document
                    && new_extras.as_ref().is_none_or(|x| *x == extras)
                    && (new_review.is_none() || new_review == review) =>
            {
                report.unchanged.push(service.id.clone());
                continue;
            }
            // The version public now was approved by a person here: the feed's change waits
            // for a second person, and the approved version stays public meanwhile.
            Some((_, v, _, extras, review_by, live_change))
                if live_change.as_deref() == Some("approve") =>
            {
                let next = v + 1;
                let extras = match (new_extras, extras) {
                    (Some(x), _) | (None, Some(x)) => x,
                    (None, None) => to_json(&Extras::default())?,
                };
                let review_by = new_review.or(review_by);
                sqlx::query(
                    "UPDATE directory_entries SET status = 'awaiting_approval', version = $2, updated_at = $3 WHERE id = $1",
                )
                .bind(&service.id)
                .bind(next)
                .bind(&now)
                .execute(&mut *a.tx)
                .await?;
                insert_version(
                    store,
                    &mut a.tx,
                    p,
                    NewVersion {
                        id: &service.id,
                        version: next,
                        status: EntryStatus::AwaitingApproval,
                        change: "imported",
                        note: Some(&feed.source),
                        document: &document,
                        extras: &extras,
                        review_by: review_by.as_deref(),
                    },
                )
                .await?;
                report.held_for_approval.push(service.id.clone());
                continue;
            }
            Some((_, v, _, extras, review_by, _)) => {
                let next = v + 1;
                let extras = match (new_extras, extras) {
                    (Some(x), _) | (None, Some(x)) => x,
                    (None, None) => to_json(&Extras::default())?,
                };
                let review_by = new_review.or(review_by);
                sqlx::query(
                    "UPDATE directory_entries SET directory_organisation_id = $2, name = $3, status = 'published', version = $4, live_version = $4, source = $5, updated_at = $6, review_by = $7 WHERE id = $1",
                )
                .bind(&service.id)
                .bind(org.as_deref())
                .bind(&service.name)
                .bind(next)
                .bind(&feed.source)
                .bind(&now)
                .bind(review_by.as_deref())
                .execute(&mut *a.tx)
                .await?;
                report.changed.push(service.id.clone());
                (next, extras, review_by)
            }
        };
        touched = true;
        insert_version(
            store,
            &mut a.tx,
            p,
            NewVersion {
                id: &service.id,
                version,
                status: EntryStatus::Published,
                change: "imported",
                note: Some(&feed.source),
                document: &document,
                extras: &extras,
                review_by: review_by.as_deref(),
            },
        )
        .await?;
    }
    if touched {
        store.directory.bump(&mut a.tx).await?;
    }
    a.commit(Event::success("directory.import", None).detail(json!({
        "source": feed.source,
        "added": report.added.len(),
        "changed": report.changed.len(),
        "unchanged": report.unchanged.len(),
        "archived_here": report.archived_here.len(),
        "pending_here": report.pending_here.len(),
        "held_for_approval": report.held_for_approval.len(),
    })))
    .await?;
    store.directory.invalidate();
    Ok(report)
}
