//! Children, families and the multi-agency index. Every read of a child's record checks the
//! permit's basis in the same transaction (`basis.rs`) and is audited; every change writes its
//! audit event in its own transaction.

pub(crate) mod basis;
mod changes;
pub mod import;
pub mod involvements;
mod linking;
pub mod merge;
pub(crate) mod record;
pub(crate) use record::root_of;
pub mod review;
pub mod rules;
mod scope;
mod search;
pub mod types;
pub mod volume;

use crate::audit::Event;
use crate::{AuditRow, Result, SqlStore, StoreError};
use async_trait::async_trait;
use everychild_policy::{self as policy, Basis, Capability, Permit, Target};
use import::ImportReport;
use merge::{MergeOutcome, MergeRequestRow, MergeRow};
use review::{ReviewDecision, ReviewItem};
use serde_json::json;
use types::*;

/// The child a permit is for, and the claimed basis.
pub(crate) fn permit_child<C: Capability>(p: &Permit<C>) -> Result<(i64, Basis)> {
    match p.target() {
        Target::Child { id, basis } => Ok((*id, *basis)),
        _ => Err(StoreError::Database(
            "this action needs a permit for one child".into(),
        )),
    }
}

/// The signed-in user of a permit.
pub(crate) fn permit_user<C: Capability>(p: &Permit<C>) -> Result<&policy::Actor> {
    p.actor()
        .ok_or_else(|| StoreError::Database("this action needs a signed-in user".into()))
}

impl SqlStore {
    /// Today's date (`YYYY-MM-DD`) by the store's clock, for callers outside the store.
    pub fn today_text(&self) -> String {
        self.today()
    }

    /// Today's date (`YYYY-MM-DD`) by the store's clock.
    pub(crate) fn today(&self) -> String {
        let d = self.clock.now().date();
        format!("{:04}-{:02}-{:02}", d.year(), d.month() as u8, d.day())
    }
}

/// Children, families and the multi-agency index.
#[async_trait]
pub trait PeopleRepo: Send + Sync {
    /// The bases the signed-in user has for a child, strongest first (no personal data; not
    /// audited): `None` if there is no such child, empty if the user has no basis.
    async fn child_bases(
        &self,
        p: &Permit<policy::FindChildBasis>,
        child: i64,
    ) -> Result<Option<Vec<policy::Basis>>>;
    /// Search the index of children; audited with the search terms.
    async fn search_children(
        &self,
        p: &Permit<policy::SearchChildren>,
        q: &ChildQuery,
    ) -> Result<Vec<ChildHit>>;
    /// A child's record, if the permit's basis holds now (checked in the same transaction as
    /// the read); audited. `Ok(None)` for no such child or a basis that does not hold;
    /// `Err(Merged(id))` is never returned: a merged record answers with its survivor's id in
    /// [`ChildRecord::child`].
    async fn view_child(&self, p: &Permit<policy::ViewChild>) -> Result<Option<ChildRecord>>;
    /// Register a child one works with (and, optionally, their parents or carers), recording
    /// one's own involvement; audited.
    async fn register_child(
        &self,
        p: &Permit<policy::DeclareInvolvement>,
        child: NewPerson,
        involvement: NewInvolvement,
    ) -> Result<i64>;
    /// Ask to be recorded as working with the permit's child, with the reason: a request that
    /// opens nothing until it is approved; audited against the child.
    async fn declare_involvement(
        &self,
        p: &Permit<policy::DeclareInvolvement>,
        involvement: NewInvolvement,
        reason: &str,
    ) -> Result<i64>;
    /// Add a flag to the permit's child; audited.
    async fn add_flag(
        &self,
        p: &Permit<policy::UpdateChild>,
        kind: &str,
        since: &str,
    ) -> Result<i64>;
    /// End a flag of the permit's child; audited.
    async fn end_flag(&self, p: &Permit<policy::UpdateChild>, flag: i64, until: &str)
        -> Result<()>;
    /// Add a relative of the permit's child (a new person); audited.
    async fn add_relative(
        &self,
        p: &Permit<policy::UpdateChild>,
        relative: NewPerson,
        kind: &str,
        same_household: bool,
        parental_responsibility: bool,
    ) -> Result<i64>;
    /// Hide (or show again) the permit's child's address and contacts everywhere; audited.
    async fn set_shielded(&self, p: &Permit<policy::UpdateChild>, shielded: bool) -> Result<()>;
    /// Open the permit's child's record in an emergency for `minutes`; audited, and queued for
    /// the data protection officer's review.
    async fn break_glass(
        &self,
        p: &Permit<policy::BreakGlass>,
        reason: &str,
        minutes: i64,
    ) -> Result<String>;
    /// Break-glass accesses, unreviewed first.
    async fn break_glass_list(
        &self,
        p: &Permit<policy::ReviewBreakGlass>,
    ) -> Result<Vec<BreakGlassRow>>;
    /// Record the review of a break-glass access; audited.
    async fn review_break_glass(
        &self,
        p: &Permit<policy::ReviewBreakGlass>,
        id: i64,
        appropriate: bool,
    ) -> Result<()>;
    /// Import an agency's extract: unchanged rows change nothing; the others are linked to a
    /// known child, queued for review or made new children by the linkage engine, and the
    /// agency is recorded as involved; one audited transaction.
    async fn import_agency_extract(
        &self,
        p: &Permit<policy::ImportAgencyRecords>,
        organisation: i64,
        rows: &[everychild_domain::person::ExtractRow],
    ) -> Result<ImportReport>;
    /// Agency records waiting for a reviewer, with their candidates; audited.
    async fn review_queue(&self, p: &Permit<policy::ReviewLinks>) -> Result<Vec<ReviewItem>>;
    /// One agency record waiting for a reviewer; audited.
    async fn review_item(
        &self,
        p: &Permit<policy::ReviewLinks>,
        id: i64,
    ) -> Result<Option<ReviewItem>>;
    /// Link the record to a candidate, make it a new child, or defer it; audited.
    async fn decide_review(
        &self,
        p: &Permit<policy::ReviewLinks>,
        id: i64,
        decision: ReviewDecision,
    ) -> Result<()>;
    /// Merge the record `merged` into `survivor` (nothing is moved or lost); audited. Records
    /// in different localities wait for a second reviewer instead.
    async fn merge_people(
        &self,
        p: &Permit<policy::ReviewLinks>,
        survivor: i64,
        merged: i64,
        reason: &str,
    ) -> Result<MergeOutcome>;
    /// A second reviewer approves (merging, in the same transaction) or refuses a merge
    /// waiting across localities; returns the merge's id when approved; audited.
    async fn decide_merge_request(
        &self,
        p: &Permit<policy::ReviewLinks>,
        request: i64,
        approve: bool,
    ) -> Result<Option<i64>>;
    /// Merges waiting for a second reviewer that involve a record.
    async fn merge_requests(
        &self,
        p: &Permit<policy::ReviewLinks>,
        person: i64,
    ) -> Result<Vec<MergeRequestRow>>;
    /// Undo a merge, restoring both records exactly; audited.
    async fn unmerge(&self, p: &Permit<policy::ReviewLinks>, merge_id: i64) -> Result<()>;
    /// The merges into a record.
    async fn merges(&self, p: &Permit<policy::ReviewLinks>, person: i64) -> Result<Vec<MergeRow>>;
    /// Who has viewed, searched for or changed a child's record; audited.
    async fn child_access_log(
        &self,
        p: &Permit<policy::ViewChildAccessLog>,
        child: i64,
    ) -> Result<Vec<AuditRow>>;
}

#[async_trait::async_trait]
impl PeopleRepo for SqlStore {
    async fn child_bases(
        &self,
        p: &Permit<policy::FindChildBasis>,
        child: i64,
    ) -> Result<Option<Vec<Basis>>> {
        let user = permit_user(p)?.user_id.0;
        let mut conn = self.pool.acquire().await?;
        let Some(root) = record::root_of(&mut conn, child).await? else {
            return Ok(None);
        };
        basis::bases(&mut conn, root, user, &self.now().to_db(), &self.today())
            .await
            .map(Some)
    }

    async fn search_children(
        &self,
        p: &Permit<policy::SearchChildren>,
        q: &ChildQuery,
    ) -> Result<Vec<ChildHit>> {
        let user = permit_user(p)?.user_id.0;
        volume::check(self, p, volume::Volume::Searches, None).await?;
        let hits = search::run(self, q, p.principal(), user).await?;
        let detail = json!({
            "name": q.name, "date_of_birth": q.date_of_birth,
            "identifier": q.identifier.as_ref().map(|_| "given"), "postcode": q.postcode,
            "results": hits.len(),
        });
        self.audit_only(p, Event::success("child.search", None).detail(detail))
            .await?;
        Ok(hits)
    }

    async fn view_child(&self, p: &Permit<policy::ViewChild>) -> Result<Option<ChildRecord>> {
        let (child, claimed) = permit_child(p)?;
        let actor = permit_user(p)?;
        volume::check(self, p, volume::Volume::Reads, Some(child)).await?;
        let mut tx = self.pool.begin().await?;
        let Some(root) = record::root_of(&mut tx, child).await? else {
            return Ok(None);
        };
        if !basis::holds(
            &mut tx,
            root,
            actor.user_id.0,
            claimed,
            &self.now().to_db(),
            &self.today(),
        )
        .await?
        {
            drop(tx);
            self.audit_only(
                p,
                Event {
                    action: "child.view",
                    outcome: "refused",
                    subject: Some(("person", child.to_string())),
                    detail: json!({ "basis": claimed.as_str(), "why": "the basis does not hold" }),
                },
            )
            .await?;
            return Ok(None);
        }
        let rec = record::read(&mut tx, root, actor.agency_type).await?;
        tx.commit().await?;
        if rec.is_some() {
            self.audit_only(
                p,
                Event::success("child.view", Some(("person", root.to_string())))
                    .detail(json!({ "basis": claimed.as_str(), "asked_for": child })),
            )
            .await?;
        }
        Ok(rec)
    }

    async fn register_child(
        &self,
        p: &Permit<policy::DeclareInvolvement>,
        child: NewPerson,
        involvement: NewInvolvement,
    ) -> Result<i64> {
        changes::register_child(self, p, child, involvement).await
    }

    async fn declare_involvement(
        &self,
        p: &Permit<policy::DeclareInvolvement>,
        involvement: NewInvolvement,
        reason: &str,
    ) -> Result<i64> {
        involvements::declare(self, p, involvement, reason).await
    }

    async fn add_flag(
        &self,
        p: &Permit<policy::UpdateChild>,
        kind: &str,
        since: &str,
    ) -> Result<i64> {
        changes::add_flag(self, p, kind, since).await
    }

    async fn end_flag(
        &self,
        p: &Permit<policy::UpdateChild>,
        flag: i64,
        until: &str,
    ) -> Result<()> {
        changes::end_flag(self, p, flag, until).await
    }

    async fn add_relative(
        &self,
        p: &Permit<policy::UpdateChild>,
        relative: NewPerson,
        kind: &str,
        same_household: bool,
        parental_responsibility: bool,
    ) -> Result<i64> {
        changes::add_relative(
            self,
            p,
            relative,
            kind,
            same_household,
            parental_responsibility,
        )
        .await
    }

    async fn set_shielded(&self, p: &Permit<policy::UpdateChild>, shielded: bool) -> Result<()> {
        changes::set_shielded(self, p, shielded).await
    }

    async fn break_glass(
        &self,
        p: &Permit<policy::BreakGlass>,
        reason: &str,
        minutes: i64,
    ) -> Result<String> {
        let (child, _) = permit_child(p)?;
        let user = permit_user(p)?.user_id.0;
        let reason = reason.trim();
        if reason.chars().count() < 10 {
            return Err(StoreError::invalid(
                "reason",
                "Explain in at least 10 characters why you need to open this record now",
            ));
        }
        if !(5..=120).contains(&minutes) {
            return Err(StoreError::invalid(
                "minutes",
                "Ask for between 5 and 120 minutes",
            ));
        }
        let now = self.clock.now();
        let expires =
            everychild_domain::Timestamp::from_datetime(now + time::Duration::minutes(minutes))
                .to_db();
        let day_ago =
            everychild_domain::Timestamp::from_datetime(now - time::Duration::hours(24)).to_db();
        let mut a = self.audited(p).await?;
        let Some(root) = record::root_of(&mut a.tx, child).await? else {
            return Err(StoreError::invalid("child", "There is no such child"));
        };
        // At most once per child per user per day until the data protection officer has
        // reviewed the last use.
        let (recent,): (i64,) = sqlx::query_as(&format!(
            "SELECT COUNT(*) FROM break_glass WHERE child_id IN {} AND user_id = $2 \
             AND granted_at >= $3 AND reviewed_at IS NULL",
            basis::CLUSTER
        ))
        .bind(root)
        .bind(user)
        .bind(&day_ago)
        .fetch_one(&mut *a.tx)
        .await?;
        if recent > 0 {
            return Err(StoreError::invalid(
                "reason",
                "You used emergency access to this child's record in the last 24 hours; \
                 the data protection officer must review it before you can use it again",
            ));
        }
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO break_glass (user_id, child_id, reason, granted_at, expires_at) VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(user)
        .bind(root)
        .bind(reason)
        .bind(self.now().to_db())
        .bind(&expires)
        .fetch_one(&mut *a.tx)
        .await?;
        a.commit(Event {
                action: "child.break_glass",
                outcome: "success",
                subject: Some(("person", root.to_string())),
                // The reason is kept with the access for the data protection officer, not in
                // the audit log that administrators read.
                detail: json!({ "break_glass_id": id, "expires_at": expires, "review": "awaiting the data protection officer" }),
            })
        .await?;
        Ok(expires)
    }

    async fn break_glass_list(
        &self,
        _p: &Permit<policy::ReviewBreakGlass>,
    ) -> Result<Vec<BreakGlassRow>> {
        type Row = (
            i64,
            String,
            String,
            i64,
            String,
            String,
            String,
            Option<String>,
            Option<String>,
        );
        let rows: Vec<Row> = sqlx::query_as(
            "SELECT g.id, u.username, u.display_name, g.child_id, g.reason, g.granted_at, g.expires_at, g.review_outcome, g.reviewed_by \
             FROM break_glass g JOIN users u ON u.id = g.user_id \
             ORDER BY (g.reviewed_at IS NULL) DESC, g.granted_at DESC LIMIT 500",
        )
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|r| BreakGlassRow {
                id: r.0,
                username: r.1,
                display_name: r.2,
                child_id: r.3,
                reason: r.4,
                granted_at: r.5,
                expires_at: r.6,
                review_outcome: r.7,
                reviewed_by: r.8,
            })
            .collect())
    }

    async fn review_break_glass(
        &self,
        p: &Permit<policy::ReviewBreakGlass>,
        id: i64,
        appropriate: bool,
    ) -> Result<()> {
        let outcome = if appropriate {
            "appropriate"
        } else {
            "inappropriate"
        };
        let mut a = self.audited(p).await?;
        let n = sqlx::query(
            "UPDATE break_glass SET review_outcome = $1, reviewed_by = $2, reviewed_at = $3 WHERE id = $4 AND reviewed_at IS NULL",
        )
        .bind(outcome)
        .bind(crate::localities::maker(p.principal()))
        .bind(self.now().to_db())
        .bind(id)
        .execute(&mut *a.tx)
        .await?
        .rows_affected();
        if n == 0 {
            return Err(StoreError::invalid(
                "id",
                "There is no unreviewed break-glass access with that id",
            ));
        }
        a.commit(
            Event::success("break_glass.review", Some(("break_glass", id.to_string())))
                .detail(json!({ "outcome": outcome })),
        )
        .await
    }

    async fn import_agency_extract(
        &self,
        p: &Permit<policy::ImportAgencyRecords>,
        organisation: i64,
        rows: &[everychild_domain::person::ExtractRow],
    ) -> Result<import::ImportReport> {
        let report = import::import(self, p, organisation, rows).await?;
        self.analyze(&[
            "persons",
            "person_addresses",
            "person_relationships",
            "person_flags",
            "agency_records",
            "link_reviews",
            "involvements",
        ])
        .await?;
        Ok(report)
    }

    async fn review_queue(
        &self,
        p: &Permit<policy::ReviewLinks>,
    ) -> Result<Vec<review::ReviewItem>> {
        review::queue(self, p).await
    }

    async fn review_item(
        &self,
        p: &Permit<policy::ReviewLinks>,
        id: i64,
    ) -> Result<Option<review::ReviewItem>> {
        review::item(self, p, id).await
    }

    async fn decide_review(
        &self,
        p: &Permit<policy::ReviewLinks>,
        id: i64,
        d: review::ReviewDecision,
    ) -> Result<()> {
        review::decide(self, p, id, d).await
    }

    async fn merge_people(
        &self,
        p: &Permit<policy::ReviewLinks>,
        survivor: i64,
        merged: i64,
        reason: &str,
    ) -> Result<merge::MergeOutcome> {
        merge::merge(self, p, survivor, merged, reason).await
    }
    async fn decide_merge_request(
        &self,
        p: &Permit<policy::ReviewLinks>,
        request: i64,
        approve: bool,
    ) -> Result<Option<i64>> {
        merge::decide_request(self, p, request, approve).await
    }
    async fn merge_requests(
        &self,
        p: &Permit<policy::ReviewLinks>,
        person: i64,
    ) -> Result<Vec<merge::MergeRequestRow>> {
        merge::requests_of(self, p, person).await
    }

    async fn unmerge(&self, p: &Permit<policy::ReviewLinks>, merge_id: i64) -> Result<()> {
        merge::unmerge(self, p, merge_id).await
    }

    async fn merges(
        &self,
        _p: &Permit<policy::ReviewLinks>,
        person: i64,
    ) -> Result<Vec<merge::MergeRow>> {
        merge::merges_of(self, person).await
    }

    async fn child_access_log(
        &self,
        p: &Permit<policy::ViewChildAccessLog>,
        child: i64,
    ) -> Result<Vec<AuditRow>> {
        let mut conn = self.pool.acquire().await?;
        let Some(root) = record::root_of(&mut conn, child).await? else {
            return Ok(Vec::new());
        };
        let ids: Vec<(i64,)> =
            sqlx::query_as("SELECT id FROM persons WHERE id = $1 OR root_id = $1")
                .bind(root)
                .fetch_all(&mut *conn)
                .await?;
        let mut rows = Vec::new();
        for (id,) in ids {
            let sql = format!(
                "SELECT {} FROM audit_events WHERE subject_type = 'person' AND subject_id = $1 ORDER BY seq DESC LIMIT 1000",
                crate::audit::COLUMNS
            );
            let mut part: Vec<AuditRow> = sqlx::query_as(&sql)
                .bind(id.to_string())
                .fetch_all(&mut *conn)
                .await?;
            rows.append(&mut part);
        }
        drop(conn);
        rows.sort_by_key(|r| std::cmp::Reverse(r.seq));
        self.audit_only(
            p,
            Event::success("child.access_log", Some(("person", root.to_string()))),
        )
        .await?;
        Ok(rows)
    }
}
