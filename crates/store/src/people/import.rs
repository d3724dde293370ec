//! Importing an agency's extract into the index, in one audited transaction. Rows already
//! stored with the same values change nothing; every other row is linked by the record-linkage
//! engine: to a known person when the model is sure, to the review queue when it is unsure, or
//! to a new person when nobody matches. The agency is then recorded as involved with the child.

use super::linking::{self, LinkFields};
use crate::audit::Event;
use crate::geo::upsert::{insert_many, Val};
use crate::{Backend, Result, SqlStore, StoreError};
use everychild_domain::person::ExtractRow;
use everychild_linkage::{Decision, Index, Role};
use everychild_policy::{self as policy, Permit};
use serde::Serialize;
use serde_json::json;
use std::collections::HashMap;

/// What an import did.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct ImportReport {
    /// Rows in the extract.
    pub rows: u64,
    /// Rows already stored with the same values.
    pub unchanged: u64,
    /// Rows stored before whose values changed.
    pub changed: u64,
    /// New rows linked to a person already known.
    pub linked: u64,
    /// New rows that became new people.
    pub new_people: u64,
    /// New rows queued for a person to decide.
    pub review: u64,
    /// Whether the linkage model was trained (again) for this import.
    pub trained: bool,
}

/// Whether neither name of a candidate is plainly different. Twins share a birth date and an
/// address, and a child's last name may change: the probability alone would link such records,
/// so they go to a reviewer instead of being linked automatically.
fn names_agree(c: &everychild_linkage::Candidate) -> bool {
    !c.explanation.fields.iter().any(|f| {
        matches!(f.role, Role::GivenName | Role::FamilyName)
            && f.left.is_some()
            && f.right.is_some()
            && f.weight < 0.0
    })
}

/// The involvement role an agency's records stand for, by agency type.
pub(super) fn role_for(agency_type: &str, row: &ExtractRow, today: &str) -> &'static str {
    match agency_type {
        "health" => {
            let young = row
                .date_of_birth
                .as_deref()
                .and_then(|d| d.get(..4)?.parse::<i32>().ok())
                .is_some_and(|y| {
                    today
                        .get(..4)
                        .and_then(|t| t.parse::<i32>().ok())
                        .is_some_and(|t| t - y < 5)
                });
            if young {
                "health_visitor"
            } else {
                "school_nurse"
            }
        }
        "education" => "school",
        "social_care" => "social_worker",
        "police" => "police",
        "housing" => "housing",
        "voluntary" => "voluntary",
        _ => "other",
    }
}

/// Fresh ids for `n` new rows of `table` (the caller holds the audit transaction, which on
/// SQLite is the only writer).
async fn reserve_ids(
    store: &SqlStore,
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    table: &str,
    n: usize,
) -> Result<Vec<i64>> {
    if n == 0 {
        return Ok(Vec::new());
    }
    match store.backend {
        Backend::Sqlite => {
            let (max,): (i64,) =
                sqlx::query_as(&format!("SELECT COALESCE(MAX(id), 0) FROM {table}"))
                    .fetch_one(&mut **tx)
                    .await?;
            Ok((1..=n as i64).map(|i| max + i).collect())
        }
        Backend::Postgres => {
            let rows: Vec<(i64,)> = sqlx::query_as(&format!(
                "SELECT nextval(pg_get_serial_sequence('{table}', 'id')) FROM generate_series(1, $1)"
            ))
            .bind(n as i64)
            .fetch_all(&mut **tx)
            .await?;
            Ok(rows.into_iter().map(|r| r.0).collect())
        }
    }
}

/// Renew the organisation's involvements with the children of the agency records `seen` again
/// in this extract, to `expires` (an extract is the agency's own word that it still works with
/// them). On the day of an earlier import this changes nothing.
async fn renew(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    org: i64,
    seen: &[i64],
    expires: &str,
) -> Result<()> {
    for chunk in seen.chunks(500) {
        let marks: Vec<String> = (0..chunk.len()).map(|i| format!("${}", i + 3)).collect();
        let sql = format!(
            "UPDATE involvements SET expires_on = $1 WHERE basis = 'agency_extract' \
             AND organisation_id = $2 AND status = 'approved' AND expires_on < $1 \
             AND child_id IN (SELECT person_id FROM agency_records WHERE id IN ({}))",
            marks.join(", ")
        );
        let mut q = sqlx::query(&sql).bind(expires).bind(org);
        for id in chunk {
            q = q.bind(*id);
        }
        q.execute(&mut **tx).await?;
    }
    Ok(())
}

fn t(v: &Option<String>) -> Val {
    Val::Text(v.clone())
}

/// Import `rows` as the records of organisation `org`.
pub(super) async fn import(
    store: &SqlStore,
    p: &Permit<policy::ImportAgencyRecords>,
    org: i64,
    rows: &[ExtractRow],
) -> Result<ImportReport> {
    let now = store.now().to_db();
    let today = store.today();
    let started = std::time::Instant::now();
    let mut phases: Vec<(&str, f64)> = Vec::new();
    let mut lap = std::time::Instant::now();
    let mut mark = |name: &'static str, phases: &mut Vec<(&str, f64)>| {
        phases.push((name, lap.elapsed().as_secs_f64()));
        lap = std::time::Instant::now();
    };
    let mut a = store.audited(p).await?;
    let agency: Option<(String, String)> =
        sqlx::query_as("SELECT name, agency_type FROM organisations WHERE id = $1")
            .bind(org)
            .fetch_optional(&mut *a.tx)
            .await?;
    let Some((org_name, agency_type)) = agency else {
        return Err(StoreError::invalid(
            "agency",
            "There is no such organisation",
        ));
    };
    let mut report = ImportReport {
        rows: rows.len() as u64,
        ..Default::default()
    };
    let stored: Vec<(i64, String, String)> = sqlx::query_as(
        "SELECT id, source_id, content_hash FROM agency_records WHERE organisation_id = $1",
    )
    .bind(org)
    .fetch_all(&mut *a.tx)
    .await?;
    let stored: HashMap<String, (i64, String)> =
        stored.into_iter().map(|(id, s, h)| (s, (id, h))).collect();
    // The workers an extract may name: the organisation's own users, by username or email.
    let staff: Vec<(i64, String, Option<String>)> = sqlx::query_as(
        "SELECT id, username, email FROM users WHERE organisation_id = $1 AND disabled = 0",
    )
    .bind(org)
    .fetch_all(&mut *a.tx)
    .await?;
    let worker_id = |r: &ExtractRow| -> Option<i64> {
        let w = r.worker.as_deref()?.to_lowercase();
        staff
            .iter()
            .find(|(_, u, e)| *u == w || e.as_deref().is_some_and(|e| e.to_lowercase() == w))
            .map(|s| s.0)
    };
    let expires = super::involvements::expires_from_today(store);
    let mut fresh: Vec<&ExtractRow> = Vec::new();
    let mut seen: Vec<i64> = Vec::new();
    for r in rows {
        match stored.get(&r.source_id) {
            Some((id, h)) if *h == r.fingerprint() => {
                report.unchanged += 1;
                seen.push(*id);
            }
            Some((id, _)) => {
                seen.push(*id);
                sqlx::query("UPDATE agency_records SET fields = $1, content_hash = $2, last_seen = $3 WHERE id = $4")
                    .bind(serde_json::to_string(r).unwrap_or_default())
                    .bind(r.fingerprint())
                    .bind(&now)
                    .bind(id)
                    .execute(&mut *a.tx)
                    .await?;
                report.changed += 1;
            }
            None => fresh.push(r),
        }
    }

    mark("compared with stored records", &mut phases);
    if !fresh.is_empty() {
        let known = linking::load_people(&mut a.tx).await?;
        mark("loaded the children known", &mut phases);
        // Rows are linked only to children known before this extract: an agency's own records
        // have their own ids, and two of them are two records unless a reviewer merges them.
        let index = if known.is_empty() {
            None
        } else {
            let (model, trained) = linking::model_for(&mut a.tx, &known, &fresh, &now).await?;
            report.trained = trained;
            let mut index =
                Index::new(model).map_err(|e| StoreError::Database(format!("linkage: {e}")))?;
            for (id, f) in &known {
                index.insert(&f.record(&id.to_string()));
            }
            Some(index)
        };
        let new_ids = reserve_ids(store, &mut a.tx, "persons", fresh.len()).await?;
        let record_ids = reserve_ids(store, &mut a.tx, "agency_records", fresh.len()).await?;
        let mut persons = Vec::new();
        let mut addresses = Vec::new();
        let mut records = Vec::new();
        let mut involvements = Vec::new();
        let mut reviews = Vec::new();
        let mut next_new = new_ids.into_iter();
        // Every row is scored against the children known before the extract, so the
        // candidates of all rows are found at once, on every core.
        let incoming: Vec<_> = fresh
            .iter()
            .map(|r| LinkFields::of_row(r).record(&r.source_id))
            .collect();
        mark(
            "trained or loaded the model and indexed the known",
            &mut phases,
        );
        let found = match &index {
            Some(i) => i.candidates_many(&incoming, 5),
            None => vec![Vec::new(); fresh.len()],
        };
        mark("found candidates", &mut phases);
        for ((r, record_id), candidates) in fresh.iter().zip(record_ids).zip(found) {
            let sure: Vec<_> = candidates
                .iter()
                .filter(|c| c.decision == Decision::AutoLink && names_agree(c))
                .collect();
            let unsure: Vec<_> = candidates
                .iter()
                .filter(|c| c.decision != Decision::NoLink)
                .collect();
            let (status, person, probability) = if sure.len() == 1 {
                report.linked += 1;
                let pid: i64 = sure[0].id.parse().unwrap_or(0);
                (("linked"), Some(pid), Some(sure[0].probability))
            } else if !unsure.is_empty() {
                report.review += 1;
                for c in &unsure {
                    reviews.push(vec![
                        Val::int(record_id),
                        Val::Int(c.id.parse().ok()),
                        Val::Real(Some(c.probability)),
                        Val::text(serde_json::to_string(&c.explanation).unwrap_or_default()),
                        Val::text("open"),
                        Val::text(&now),
                    ]);
                }
                ("review", None, unsure.first().map(|c| c.probability))
            } else {
                report.new_people += 1;
                let pid = next_new
                    .next()
                    .ok_or_else(|| StoreError::Database("ran out of reserved ids".into()))?;
                persons.push(vec![
                    Val::int(pid),
                    Val::text("child"),
                    Val::text(r.given_name.clone().unwrap_or_default()),
                    Val::text(r.middle_names.clone().unwrap_or_default()),
                    Val::text(r.family_name.clone().unwrap_or_default()),
                    t(&r.date_of_birth),
                    Val::text(r.sex.clone().unwrap_or_else(|| "not_known".into())),
                    t(&r.nhs_number),
                    Val::text(match (&r.nhs_number, r.nhs_number_verified) {
                        (None, _) => "none",
                        (Some(_), true) => "verified",
                        (Some(_), false) => "unverified",
                    }),
                    t(&r.upn),
                    t(&r.address),
                    t(&r.postcode),
                    Val::text(&now),
                    Val::text(&now),
                ]);
                if let Some(addr) = &r.address {
                    addresses.push(vec![
                        Val::int(pid),
                        Val::text(addr),
                        t(&r.postcode),
                        Val::text(&today),
                        Val::text(&org_name),
                    ]);
                }
                ("new", Some(pid), None)
            };
            records.push(vec![
                Val::int(record_id),
                Val::int(org),
                Val::text(&r.source_id),
                Val::Int(person),
                Val::text(status),
                Val::Real(probability),
                Val::text(serde_json::to_string(r).unwrap_or_default()),
                Val::text(r.fingerprint()),
                Val::text(&now),
                Val::text(&now),
            ]);
            if let Some(pid) = person {
                involvements.push(vec![
                    Val::int(pid),
                    Val::int(org),
                    Val::Int(worker_id(r)),
                    Val::text(&expires),
                    t(&r.team),
                    Val::text(role_for(&agency_type, r, &today)),
                    Val::text(r.since.clone().unwrap_or_else(|| today.clone())),
                    Val::text("agency_extract"),
                    Val::text(format!("(import: {org_name})")),
                    Val::text(&now),
                ]);
            }
        }
        let person_cols = [
            "id",
            "kind",
            "given_name",
            "middle_names",
            "family_name",
            "date_of_birth",
            "sex",
            "nhs_number",
            "nhs_number_status",
            "upn",
            "address",
            "postcode",
            "created_at",
            "updated_at",
        ];
        insert_many(&mut a.tx, "persons", &person_cols, &persons).await?;
        insert_many(
            &mut a.tx,
            "person_addresses",
            &["person_id", "address", "postcode", "from_date", "source"],
            &addresses,
        )
        .await?;
        let record_cols = [
            "id",
            "organisation_id",
            "source_id",
            "person_id",
            "status",
            "probability",
            "fields",
            "content_hash",
            "first_seen",
            "last_seen",
        ];
        insert_many(&mut a.tx, "agency_records", &record_cols, &records).await?;
        let inv_cols = [
            "child_id",
            "organisation_id",
            "practitioner_id",
            "expires_on",
            "team",
            "role",
            "since",
            "basis",
            "recorded_by",
            "recorded_at",
        ];
        insert_many(&mut a.tx, "involvements", &inv_cols, &involvements).await?;
        let review_cols = [
            "agency_record_id",
            "candidate_id",
            "probability",
            "explanation",
            "status",
            "created_at",
        ];
        insert_many(&mut a.tx, "link_reviews", &review_cols, &reviews).await?;
    }
    mark("wrote the records", &mut phases);
    renew(&mut a.tx, org, &seen, &expires).await?;
    a.commit(
        Event::success("agency.import", Some(("organisation", org.to_string())))
            .detail(json!(report)),
    )
    .await?;
    mark("renewed involvements and committed", &mut phases);
    tracing::info!(
        organisation = org,
        rows = rows.len(),
        seconds = started.elapsed().as_secs_f64(),
        phases = ?phases,
        "agency extract imported"
    );
    Ok(report)
}
