//! Clerical review: agency records the linkage engine was unsure about, each shown beside its
//! candidate children with the weight each field gave, and the reviewer's decision — link to
//! one of them, none of them (a new child), or decide later.

use super::record::{PersonRow, PERSON_COLUMNS};
use super::types::PersonView;
use crate::audit::Event;
use crate::{Result, SqlStore, StoreError};
use everychild_domain::person::ExtractRow;
use everychild_linkage::Explanation;
use everychild_policy::{self as policy, Permit};
use serde::Serialize;
use serde_json::json;

/// One candidate child for an agency record.
#[derive(Debug, Clone, Serialize)]
pub struct ReviewCandidate {
    /// The child.
    pub person: PersonView,
    /// Match probability.
    pub probability: f64,
    /// Each field's values, level and weight.
    pub explanation: Explanation,
}

/// An agency record waiting for a decision.
#[derive(Debug, Clone, Serialize)]
pub struct ReviewItem {
    /// The agency record's id.
    pub id: i64,
    /// The agency.
    pub organisation: String,
    /// Its record as imported.
    pub record: ExtractRow,
    /// `open` or `deferred`.
    pub status: String,
    /// When it was queued.
    pub created_at: String,
    /// Candidates, most likely first.
    pub candidates: Vec<ReviewCandidate>,
}

/// A reviewer's decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReviewDecision {
    /// The record is this child.
    Link(i64),
    /// The record is none of the candidates: a new child.
    NewChild,
    /// Decide later.
    Defer,
}

/// Agency records in review that `actor` may decide (every candidate in their scope): open
/// ones first, then deferred; `only` limits to one record.
async fn items(
    store: &SqlStore,
    actor: &everychild_policy::Actor,
    only: Option<i64>,
    limit: i64,
) -> Result<Vec<ReviewItem>> {
    let rows: Vec<(i64, String, String, String, String)> = sqlx::query_as(
        "SELECT a.id, o.name, a.fields, MIN(r.status), MIN(r.created_at) FROM agency_records a \
         JOIN organisations o ON o.id = a.organisation_id JOIN link_reviews r ON r.agency_record_id = a.id \
         WHERE a.status = 'review' AND r.status IN ('open', 'deferred') AND ($1 = 0 OR a.id = $1) \
         GROUP BY a.id, o.name, a.fields ORDER BY MIN(r.status) DESC, a.id LIMIT $2",
    )
    .bind(only.unwrap_or(0))
    .bind(limit)
    .fetch_all(&store.pool)
    .await?;
    let mut out = Vec::with_capacity(rows.len());
    for (id, organisation, fields, status, created_at) in rows {
        let record: ExtractRow = serde_json::from_str(&fields)
            .map_err(|e| StoreError::Corrupt(format!("agency record {id}: {e}")))?;
        let sql = format!(
            "SELECT {PERSON_COLUMNS}, r.probability AS review_probability, r.explanation AS review_explanation \
             FROM link_reviews r JOIN persons p ON p.id = r.candidate_id \
             WHERE r.agency_record_id = $1 AND r.status IN ('open', 'deferred') ORDER BY r.probability DESC"
        );
        let cand_rows = sqlx::query(&sql).bind(id).fetch_all(&store.pool).await?;
        let mut candidates = Vec::new();
        let mut conn = store.pool.acquire().await?;
        let mut in_scope = true;
        let mut any_shielded = false;
        for row in cand_rows {
            use sqlx::{FromRow, Row};
            let mut pr = PersonRow::from_row(&row)?;
            let root = super::record::root_of(&mut conn, pr.id)
                .await?
                .unwrap_or(pr.id);
            in_scope &= super::scope::reviewer_sees(store, &mut conn, root, actor).await?;
            let (cluster_shielded,): (i64,) = sqlx::query_as(&format!(
                "SELECT COALESCE(MAX(shielded), 0) FROM persons WHERE id IN {}",
                super::basis::CLUSTER
            ))
            .bind(root)
            .fetch_one(&mut *conn)
            .await?;
            pr.shielded = pr.shielded.max(cluster_shielded);
            any_shielded |= pr.shielded != 0;
            let person = pr.view();
            let explanation: String = row.try_get("review_explanation")?;
            candidates.push(ReviewCandidate {
                person,
                probability: row.try_get("review_probability")?,
                explanation: serde_json::from_str(&explanation)
                    .map_err(|e| StoreError::Corrupt(format!("explanation: {e}")))?,
            });
        }
        if !in_scope {
            continue;
        }
        let mut record = record;
        if any_shielded {
            // Beside a shielded candidate, the agency's address and postcode would say where
            // the child lives: hidden, in the record and in the comparison.
            record.address = None;
            record.postcode = None;
            for c in &mut candidates {
                for f in &mut c.explanation.fields {
                    if matches!(
                        f.role,
                        everychild_linkage::Role::Postcode
                            | everychild_linkage::Role::Address
                            | everychild_linkage::Role::HouseNumber
                            | everychild_linkage::Role::Town
                    ) {
                        f.left = None;
                        f.right = None;
                    }
                }
            }
        }
        out.push(ReviewItem {
            id,
            organisation,
            record,
            status,
            created_at,
            candidates,
        });
    }
    Ok(out)
}

/// The review queue; audited (it shows records of children).
pub(super) async fn queue(
    store: &SqlStore,
    p: &Permit<policy::ReviewLinks>,
) -> Result<Vec<ReviewItem>> {
    let list = items(store, super::permit_user(p)?, None, 200).await?;
    store
        .audit_only(
            p,
            Event::success("link_review.list", None).detail(json!({ "items": list.len() })),
        )
        .await?;
    Ok(list)
}

/// One agency record in review; audited.
pub(super) async fn item(
    store: &SqlStore,
    p: &Permit<policy::ReviewLinks>,
    id: i64,
) -> Result<Option<ReviewItem>> {
    let it = items(store, super::permit_user(p)?, Some(id), 1)
        .await?
        .pop();
    if it.is_some() {
        store
            .audit_only(
                p,
                Event::success("link_review.view", Some(("agency_record", id.to_string()))),
            )
            .await?;
    }
    Ok(it)
}

/// Apply a reviewer's decision, in one audited transaction.
pub(super) async fn decide(
    store: &SqlStore,
    p: &Permit<policy::ReviewLinks>,
    id: i64,
    d: ReviewDecision,
) -> Result<()> {
    let now = store.now().to_db();
    let by = crate::localities::maker(p.principal());
    let mut a = store.audited(p).await?;
    let rec: Option<(i64, String, String)> = sqlx::query_as(
        "SELECT a.organisation_id, a.fields, o.agency_type FROM agency_records a JOIN organisations o ON o.id = a.organisation_id \
         WHERE a.id = $1 AND a.status = 'review'",
    )
    .bind(id)
    .fetch_optional(&mut *a.tx)
    .await?;
    let Some((org, fields, agency_type)) = rec else {
        return Err(StoreError::invalid(
            "record",
            "There is no agency record waiting for review with that number",
        ));
    };
    let row: ExtractRow = serde_json::from_str(&fields)
        .map_err(|e| StoreError::Corrupt(format!("agency record {id}: {e}")))?;
    // The reviewer must have every candidate in scope (a basis, or their locality).
    let candidates: Vec<(i64,)> = sqlx::query_as(
        "SELECT candidate_id FROM link_reviews WHERE agency_record_id = $1 AND status IN ('open', 'deferred')",
    )
    .bind(id)
    .fetch_all(&mut *a.tx)
    .await?;
    let actor = super::permit_user(p)?;
    for (c,) in &candidates {
        let root = super::record::root_of(&mut a.tx, *c).await?.unwrap_or(*c);
        if !super::scope::reviewer_sees(store, &mut a.tx, root, actor).await? {
            return Err(StoreError::invalid(
                "record",
                "There is no agency record waiting for your review with that number",
            ));
        }
    }
    let person = match d {
        ReviewDecision::Defer => {
            sqlx::query("UPDATE link_reviews SET status = 'deferred', decided_by = $1, decided_at = $2 WHERE agency_record_id = $3 AND status = 'open'")
                .bind(&by)
                .bind(&now)
                .bind(id)
                .execute(&mut *a.tx)
                .await?;
            None
        }
        ReviewDecision::Link(pid) => {
            let n = sqlx::query("UPDATE link_reviews SET status = 'linked', decided_by = $1, decided_at = $2 WHERE agency_record_id = $3 AND candidate_id = $4 AND status IN ('open', 'deferred')")
                .bind(&by)
                .bind(&now)
                .bind(id)
                .bind(pid)
                .execute(&mut *a.tx)
                .await?
                .rows_affected();
            if n == 0 {
                return Err(StoreError::invalid(
                    "candidate",
                    "Choose one of the children listed",
                ));
            }
            Some(pid)
        }
        ReviewDecision::NewChild => {
            let pid = super::changes::insert_person_from_row(&mut a, &row, &now).await?;
            Some(pid)
        }
    };
    if let Some(pid) = person {
        sqlx::query("UPDATE link_reviews SET status = 'rejected', decided_by = $1, decided_at = $2 WHERE agency_record_id = $3 AND status IN ('open', 'deferred')")
            .bind(&by)
            .bind(&now)
            .bind(id)
            .execute(&mut *a.tx)
            .await?;
        let status = if matches!(d, ReviewDecision::NewChild) {
            "new"
        } else {
            "linked"
        };
        sqlx::query("UPDATE agency_records SET status = $1, person_id = $2 WHERE id = $3")
            .bind(status)
            .bind(pid)
            .bind(id)
            .execute(&mut *a.tx)
            .await?;
        let role = super::import::role_for(&agency_type, &row, &store.today());
        sqlx::query(
            "INSERT INTO involvements (child_id, organisation_id, team, role, since, basis, recorded_by, recorded_at, expires_on) \
             VALUES ($1, $2, $3, $4, $5, 'agency_extract', $6, $7, $8)",
        )
        .bind(pid)
        .bind(org)
        .bind(&row.team)
        .bind(role)
        .bind(row.since.clone().unwrap_or_else(|| store.today()))
        .bind(&by)
        .bind(&now)
        .bind(super::involvements::expires_from_today(store))
        .execute(&mut *a.tx)
        .await?;
    }
    let what = match d {
        ReviewDecision::Link(_) => "linked",
        ReviewDecision::NewChild => "new_child",
        ReviewDecision::Defer => "deferred",
    };
    a.commit(
        Event::success(
            "link_review.decide",
            Some(("agency_record", id.to_string())),
        )
        .detail(json!({ "decision": what, "person_id": person })),
    )
    .await
}
