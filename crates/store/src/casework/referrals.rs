//! Referrals from a request for support to services in the directory. A referral is made in one
//! audited transaction that checks the request (this child's, decided and open), the family's
//! consent to referral, and the child against the eligibility of the entry's live version as
//! stored (not the search index, which may lag); a child who is not eligible is referred only
//! with a reason for the override, and both are kept. A service with no places puts the child
//! on its waiting list. Each later change goes through the domain's state machine
//! ([`referral::apply`]) with the referral's version, so a stale form is told, not applied.

use super::*;
use async_trait::async_trait;
use everychild_domain::casework::referral::{
    self, ChildFacts, ReferralCommand, ReferralError, ReferralStatus,
};
use everychild_domain::directory::oruk::Service;
use everychild_domain::directory::Extras;
use std::collections::HashMap;

/// The longest reason for referring a child the service's rules leave out.
pub const OVERRIDE_MAX: usize = 500;

/// What a referral made: its id, where it starts and, on a waiting list, its place.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReferralMade {
    /// Id.
    pub id: i64,
    /// Referred, or waiting when the service has no places.
    pub status: ReferralStatus,
    /// Place on the service's waiting list (1 is next), when waiting.
    pub position: Option<i64>,
}

/// A referral of a request, as the request's page lists it.
#[derive(Debug, Clone, Serialize)]
pub struct ReferralRow {
    /// Id.
    pub id: i64,
    /// The directory entry.
    pub entry_id: String,
    /// The service's name when referred.
    pub service_name: String,
    /// The need it is for, if one was named.
    pub need: Option<Need>,
    /// Status.
    pub status: ReferralStatus,
    /// Why it was declined or withdrawn.
    pub reason: Option<String>,
    /// How things were for the child when it ended.
    pub outcome: Option<Outcome>,
    /// Why the child was not eligible (empty when eligible).
    pub not_eligible: Vec<String>,
    /// Why the referrer referred all the same.
    pub override_reason: Option<String>,
    /// Who referred.
    pub referred_by: String,
    /// When.
    pub referred_at: String,
    /// Place on the service's waiting list, when waiting.
    pub position: Option<i64>,
    /// Version (for changes).
    pub version: i64,
}

fn corrupt(what: &str, e: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(format!("{what}: {e}"))
}

/// Place on the entry's waiting list of a waiting referral: those waiting for the same entry
/// referred earlier, plus one.
async fn position(conn: &mut sqlx::AnyConnection, id: i64) -> Result<i64> {
    let (ahead,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM service_referrals w JOIN service_referrals r ON r.id = $1 \
         WHERE w.entry_id = r.entry_id AND w.status = 'waiting' AND w.id <> r.id \
         AND (w.referred_at < r.referred_at OR (w.referred_at = r.referred_at AND w.id < r.id))",
    )
    .bind(id)
    .fetch_one(&mut *conn)
    .await?;
    Ok(ahead + 1)
}

/// The referrals of a request, newest first.
pub(super) async fn of_request(
    conn: &mut sqlx::AnyConnection,
    request: i64,
) -> Result<Vec<ReferralRow>> {
    type Row = (
        i64,
        String,
        String,
        Option<String>,
        String,
        Option<String>,
        Option<String>,
        Option<String>,
        Option<String>,
        String,
        String,
        i64,
    );
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT id, entry_id, service_name, need, status, reason, outcome, not_eligible, override_reason, \
         referred_by, referred_at, version FROM service_referrals WHERE request_id = $1 \
         ORDER BY referred_at DESC, id DESC",
    )
    .bind(request)
    .fetch_all(&mut *conn)
    .await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        let status = ReferralStatus::parse(&r.4).map_err(|e| corrupt("referral status", e))?;
        let position = if status == ReferralStatus::Waiting {
            Some(position(conn, r.0).await?)
        } else {
            None
        };
        out.push(ReferralRow {
            id: r.0,
            entry_id: r.1,
            service_name: r.2,
            need: r.3.as_deref().and_then(|n| Need::parse(n).ok()),
            status,
            reason: r.5,
            outcome: r.6.as_deref().and_then(|o| Outcome::parse(o).ok()),
            not_eligible: match r.7.as_deref() {
                Some(j) => serde_json::from_str(j).map_err(|e| corrupt("not_eligible", e))?,
                None => Vec::new(),
            },
            override_reason: r.8,
            referred_by: r.9,
            referred_at: r.10,
            position,
            version: r.11,
        });
    }
    Ok(out)
}

/// The names of the taxonomy terms a service is classified with (the stored term's name, or
/// the one embedded in the document), without repeats.
async fn category_names(tx: &mut sqlx::AnyConnection, service: &Service) -> Result<Vec<String>> {
    let mut out: Vec<String> = Vec::new();
    for a in &service.attributes {
        let stored: Option<(String,)> = match a.term_id() {
            Some(id) => {
                sqlx::query_as("SELECT name FROM directory_terms WHERE id = $1")
                    .bind(id)
                    .fetch_optional(&mut *tx)
                    .await?
            }
            None => None,
        };
        let name = stored
            .map(|s| s.0)
            .or_else(|| a.taxonomy_term.as_ref().map(|t| t.name.clone()));
        if let Some(n) = name.filter(|n| !n.trim().is_empty()) {
            if !out.contains(&n) {
                out.push(n);
            }
        }
    }
    Ok(out)
}

fn referral_error(e: ReferralError) -> StoreError {
    match e {
        ReferralError::Field(f) => StoreError::Invalid(vec![f]),
        other => StoreError::invalid("command", format!("{other}")),
    }
}

impl SqlStore {
    /// Every locality's name, for the reasons an eligibility check gives.
    async fn locality_names(conn: &mut sqlx::AnyConnection) -> Result<HashMap<i64, String>> {
        let rows: Vec<(i64, String)> = sqlx::query_as("SELECT id, name FROM localities")
            .fetch_all(&mut *conn)
            .await?;
        Ok(rows.into_iter().collect())
    }
}

/// Referrals of a request to services in the directory, and their life; audited.
#[async_trait]
pub trait ReferralRepo: Send + Sync {
    /// Refer the child of an open, decided request to a published service, in one audited
    /// transaction: the family's consent to referral must be in force, and the child is checked
    /// against the eligibility of the entry's live version. A child who is not eligible is
    /// refused (`Conflict` naming every reason) unless `override_reason` says why to refer all
    /// the same; both are kept. `need` must be one of the request's needs. A service with no
    /// places puts the child on its waiting list.
    async fn refer_to_service(
        &self,
        p: &Permit<policy::ManageRequest>,
        request: i64,
        entry_id: &str,
        need: Option<everychild_domain::casework::Need>,
        override_reason: Option<&str>,
    ) -> Result<ReferralMade>;
    /// Record what happened to a referral (offered, declined, withdrawn, started, ended), from
    /// `version`: a stale version or a command its status does not allow changes nothing.
    async fn update_referral(
        &self,
        p: &Permit<policy::ManageRequest>,
        request: i64,
        referral: i64,
        version: i64,
        cmd: &everychild_domain::casework::referral::ReferralCommand,
    ) -> Result<()>;
}

#[async_trait]
impl ReferralRepo for SqlStore {
    async fn refer_to_service(
        &self,
        p: &Permit<policy::ManageRequest>,
        request: i64,
        entry_id: &str,
        need: Option<Need>,
        override_reason: Option<&str>,
    ) -> Result<ReferralMade> {
        let override_reason = override_reason.map(str::trim).filter(|r| !r.is_empty());
        if override_reason.is_some_and(|r| r.chars().count() > OVERRIDE_MAX) {
            return Err(StoreError::invalid(
                "override_reason",
                format!("Give the reason in {OVERRIDE_MAX} characters or fewer"),
            ));
        }
        let (mut a, child) = begin_for_child(self, p).await?;
        let status = request_of_child(&mut a.tx, request, child).await?;
        if status == Status::Closed.as_str() || status == Status::AwaitingDecision.as_str() {
            return Err(StoreError::invalid(
                "request",
                "Referrals are for a request the front door has decided and not yet closed",
            ));
        }
        // Consent to referral for every agency, or naming the partnership organisation that
        // runs this service's entry in the directory.
        let (consents,): (i64,) = sqlx::query_as(
            "SELECT COUNT(*) FROM request_consents c WHERE c.request_id = $1 AND c.purpose = $2 AND c.withdrawn_at IS NULL \
             AND (c.organisation_id IS NULL OR c.organisation_id = (SELECT o.owner_organisation_id FROM directory_entries e \
                  JOIN directory_organisations o ON o.id = e.directory_organisation_id WHERE e.id = $3))",
        )
        .bind(request)
        .bind(ConsentPurpose::Refer.as_str())
        .bind(entry_id)
        .fetch_one(&mut *a.tx)
        .await?;
        if consents == 0 {
            return Err(StoreError::invalid("consent", "The family has not agreed to referral to this service's organisation. Record the family's consent to referral on the request first"));
        }
        // The entry's live version, as stored.
        let live: Option<(i64, String, String)> = sqlx::query_as(
            "SELECT e.live_version, v.document, v.extras FROM directory_entries e \
             JOIN directory_entry_versions v ON v.entry_id = e.id AND v.version = e.live_version \
             WHERE e.id = $1 AND e.live_version IS NOT NULL",
        )
        .bind(entry_id)
        .fetch_optional(&mut *a.tx)
        .await?;
        let Some((entry_version, document, extras)) = live else {
            return Err(StoreError::invalid(
                "service",
                "This service is not published in the directory now: choose another",
            ));
        };
        let service: Service = serde_json::from_str(&document).map_err(|e| corrupt(entry_id, e))?;
        let extras: Extras = serde_json::from_str(&extras).map_err(|e| corrupt(entry_id, e))?;
        // What the request records about the child.
        type Facts = (Option<String>, Option<String>, i64);
        let (dob, level, locality): Facts = sqlx::query_as(
            "SELECT p.date_of_birth, r.level, r.locality_id FROM support_requests r \
             JOIN persons p ON p.id = r.child_id WHERE r.id = $1",
        )
        .bind(request)
        .fetch_one(&mut *a.tx)
        .await?;
        let needs: Vec<(String,)> =
            sqlx::query_as("SELECT need FROM request_needs WHERE request_id = $1 ORDER BY need")
                .bind(request)
                .fetch_all(&mut *a.tx)
                .await?;
        let needs: Vec<Need> = needs
            .into_iter()
            .filter_map(|(n,)| Need::parse(&n).ok())
            .collect();
        if let Some(n) = need {
            if !needs.contains(&n) {
                return Err(StoreError::invalid(
                    "need",
                    "Choose one of the needs the request records",
                ));
            }
        }
        let facts = ChildFacts::of_request(
            dob.as_deref(),
            self.today_date(),
            level_of(level),
            Some(locality),
            needs,
        );
        let names = Self::locality_names(&mut a.tx).await?;
        let check = referral::check_eligibility(&service, &extras, &facts, |l| {
            names
                .get(&l)
                .cloned()
                .unwrap_or_else(|| format!("locality {l}"))
        });
        if !check.eligible() && override_reason.is_none() {
            return Err(StoreError::invalid(
                "service",
                check.not_eligible.join("; "),
            ));
        }
        let not_eligible = if check.eligible() {
            None
        } else {
            Some(serde_json::to_string(&check.not_eligible).map_err(|e| corrupt("reasons", e))?)
        };
        // Only a child who is not eligible needs an override; a reason given anyway is not kept.
        let override_reason = override_reason.filter(|_| !check.eligible());
        let categories = serde_json::to_string(&category_names(&mut a.tx, &service).await?)
            .map_err(|e| corrupt("categories", e))?;
        let status = referral::initial_status(&extras);
        let now = self.now().to_db();
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO service_referrals (request_id, entry_id, entry_version, service_name, categories, need, status, \
             not_eligible, override_reason, referred_by, referred_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11) RETURNING id",
        )
        .bind(request)
        .bind(entry_id)
        .bind(entry_version)
        .bind(&service.name)
        .bind(&categories)
        .bind(need.map(|n| n.as_str()))
        .bind(status.as_str())
        .bind(not_eligible.as_deref())
        .bind(override_reason)
        .bind(maker(p.principal()))
        .bind(&now)
        .fetch_one(&mut *a.tx)
        .await?;
        sqlx::query("UPDATE support_requests SET updated_at = $1 WHERE id = $2")
            .bind(&now)
            .bind(request)
            .execute(&mut *a.tx)
            .await?;
        let position = if status == ReferralStatus::Waiting {
            Some(position(&mut a.tx, id).await?)
        } else {
            None
        };
        a.commit(
            Event::success("request.referral", Some(("person", child.to_string()))).detail(json!({
                "request_id": request,
                "referral_id": id,
                "entry_id": entry_id,
                "status": status.as_str(),
                "override": override_reason.is_some(),
            })),
        )
        .await?;
        Ok(ReferralMade {
            id,
            status,
            position,
        })
    }

    async fn update_referral(
        &self,
        p: &Permit<policy::ManageRequest>,
        request: i64,
        referral_id: i64,
        version: i64,
        cmd: &ReferralCommand,
    ) -> Result<()> {
        let (mut a, child) = begin_for_child(self, p).await?;
        request_of_child(&mut a.tx, request, child).await?;
        let row: Option<(String, i64)> = sqlx::query_as(
            "SELECT status, version FROM service_referrals WHERE id = $1 AND request_id = $2",
        )
        .bind(referral_id)
        .bind(request)
        .fetch_optional(&mut *a.tx)
        .await?;
        let Some((status, current)) = row else {
            return Err(StoreError::NotFound(
                "There is no such referral of this request".into(),
            ));
        };
        if current != version {
            return Err(StoreError::invalid("version", "Someone else changed this referral while you were looking at it. Nothing was saved: check what they did before you try again"));
        }
        let from = ReferralStatus::parse(&status).map_err(|e| corrupt("referral status", e))?;
        let to = referral::apply(from, cmd).map_err(referral_error)?;
        let now = self.now().to_db();
        let (reason, outcome) = match cmd {
            ReferralCommand::Decline { reason } | ReferralCommand::Withdraw { reason } => {
                (Some(reason.trim()), None)
            }
            ReferralCommand::End { outcome } => (None, Some(outcome.as_str())),
            ReferralCommand::Offer | ReferralCommand::Start => (None, None),
        };
        let stamp = |c: bool| c.then_some(now.as_str());
        let n = sqlx::query(
            "UPDATE service_referrals SET status = $1, reason = COALESCE($2, reason), outcome = COALESCE($3, outcome), \
             offered_at = COALESCE($4, offered_at), started_at = COALESCE($5, started_at), closed_at = COALESCE($6, closed_at), \
             updated_at = $7, version = version + 1 WHERE id = $8 AND request_id = $9 AND version = $10",
        )
        .bind(to.as_str())
        .bind(reason)
        .bind(outcome)
        .bind(stamp(matches!(cmd, ReferralCommand::Offer)))
        .bind(stamp(matches!(cmd, ReferralCommand::Start)))
        .bind(stamp(!to.is_open()))
        .bind(&now)
        .bind(referral_id)
        .bind(request)
        .bind(version)
        .execute(&mut *a.tx)
        .await?
        .rows_affected();
        if n != 1 {
            return Err(StoreError::invalid("version", "Someone else changed this referral while you were looking at it. Nothing was saved"));
        }
        sqlx::query("UPDATE support_requests SET updated_at = $1 WHERE id = $2")
            .bind(&now)
            .bind(request)
            .execute(&mut *a.tx)
            .await?;
        let action = format!("request.referral.{}", cmd.name());
        a.commit(
            Event::success(&action, Some(("person", child.to_string()))).detail(json!({
                "request_id": request,
                "referral_id": referral_id,
                "from": from.as_str(),
                "status": to.as_str(),
                "outcome": outcome,
            })),
        )
        .await
    }
}
