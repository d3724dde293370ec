//! The audit log. An audited change opens its transaction by claiming the next place in the
//! chain (`UPDATE audit_head … RETURNING`), which serialises chain writers on both databases
//! and, on SQLite, takes the write lock at the first statement. The event is written, and the
//! head moved on, in the same transaction as the change.

use crate::{meta, Result, SqlStore, StoreError};
use async_trait::async_trait;
use everychild_domain::audit::{AuditRecord, ChainError, ChainVerifier};
use everychild_policy::{self as policy, Permit, Principal};
use futures_util::TryStreamExt;
use serde::Serialize;
use sqlx::{Any, Transaction};

/// What an audited operation records, besides who, when and where (taken from the permit and
/// the request).
#[derive(Debug)]
pub(crate) struct Event<'a> {
    pub action: &'a str,
    pub outcome: &'a str,
    pub subject: Option<(&'a str, String)>,
    pub detail: serde_json::Value,
}

impl<'a> Event<'a> {
    pub fn success(action: &'a str, subject: Option<(&'a str, String)>) -> Self {
        Self {
            action,
            outcome: "success",
            subject,
            detail: serde_json::Value::Object(Default::default()),
        }
    }
    pub fn detail(mut self, d: serde_json::Value) -> Self {
        self.detail = d;
        self
    }
}

/// Who to record, from the principal (and, for failed sign-ins, the name attempted).
pub(crate) struct Who {
    id: Option<i64>,
    username: Option<String>,
    role: Option<String>,
    org: Option<String>,
    /// The service client's token, when one was used: named in the event's detail.
    token: Option<(i64, String)>,
}

impl Who {
    pub fn of(p: &Principal) -> Self {
        match p {
            Principal::User(a) => Who {
                id: Some(a.user_id.0),
                username: Some(a.username.clone()),
                role: Some(a.role.as_str().to_owned()),
                org: Some(a.organisation_name.clone()),
                token: a.token.as_ref().map(|t| (t.id, t.name.clone())),
            },
            Principal::Pending(u) => Who {
                id: Some(u.user_id.0),
                username: Some(u.username.clone()),
                role: None,
                org: None,
                token: None,
            },
            Principal::Console => Who {
                id: None,
                username: Some("(console)".into()),
                role: None,
                org: None,
                token: None,
            },
            Principal::Anonymous => Who {
                id: None,
                username: None,
                role: None,
                org: None,
                token: None,
            },
        }
    }
    pub fn named(id: Option<i64>, username: &str) -> Self {
        Who {
            id,
            username: Some(username.to_owned()),
            role: None,
            org: None,
            token: None,
        }
    }
}

/// A transaction that has claimed the next place in the audit chain, and knows whom and why
/// it records (from the permit it was opened with): the area's SQL runs on `tx`, and
/// [`AuditTx::commit`] writes the event and commits both, or neither.
pub(crate) struct AuditTx<'s> {
    pub tx: Transaction<'static, Any>,
    store: &'s SqlStore,
    who: Who,
    purpose: Option<String>,
    seq: i64,
    prev_hash: String,
    _writer: Option<tokio::sync::OwnedMutexGuard<()>>,
}

impl SqlStore {
    /// Open a transaction that will carry one audit event for the holder of a permit: the
    /// actor and the purpose recorded are the permit's.
    pub(crate) async fn audited<C: policy::Capability>(
        &self,
        p: &Permit<C>,
    ) -> Result<AuditTx<'_>> {
        self.audited_as(Who::of(p.principal()), p.purpose()).await
    }

    /// Open a transaction that will carry one audit event recorded as `who`, for `purpose`
    /// (sign-in, where the actor is not yet a principal; or a permit's purpose overridden).
    pub(crate) async fn audited_as(&self, who: Who, purpose: Option<&str>) -> Result<AuditTx<'_>> {
        let writer = match &self.writer_lock {
            Some(l) => Some(l.clone().lock_owned().await),
            None => None,
        };
        let mut tx = self.pool.begin().await?;
        let (seq, prev_hash): (i64, String) =
            sqlx::query_as("UPDATE audit_head SET seq = seq + 1 WHERE id = 1 RETURNING seq, hash")
                .fetch_one(&mut *tx)
                .await?;
        Ok(AuditTx {
            tx,
            store: self,
            who,
            purpose: purpose.map(str::to_owned),
            seq,
            prev_hash,
            _writer: writer,
        })
    }
}

impl AuditTx<'_> {
    /// Write the event into the transaction and commit both.
    pub(crate) async fn commit(mut self, ev: Event<'_>) -> Result<()> {
        let store = self.store;
        let mut rec = store.record(self.who, self.purpose.as_deref(), ev);
        rec.seq = self.seq;
        rec.prev_hash = self.prev_hash;
        let key = crate::pool::sealing_key(&store.sealing);
        let (hash, key_id) = rec.seal(key.as_ref());
        let sql = format!(
            "{}{}",
            crate::batch::INSERT_COLUMNS,
            crate::batch::placeholders(1)
        );
        crate::batch::bind_record(sqlx::query(&sql), &rec, &hash, key_id.as_deref())
            .execute(&mut *self.tx)
            .await?;
        sqlx::query("UPDATE audit_head SET hash = $1 WHERE id = 1")
            .bind(&hash)
            .execute(&mut *self.tx)
            .await?;
        self.tx.commit().await?;
        Ok(())
    }
}

impl SqlStore {
    /// The record for an event, before it has its place in the chain.
    fn record(&self, who: Who, purpose: Option<&str>, ev: Event<'_>) -> AuditRecord {
        let m = meta::current();
        let (subject_type, subject_id) = match ev.subject {
            Some((t, id)) => (Some(t.to_owned()), Some(id)),
            None => (None, None),
        };
        AuditRecord {
            seq: 0,
            at: self.now().to_db(),
            actor_id: who.id,
            actor_username: who.username,
            actor_role: who.role,
            actor_org: who.org,
            action: ev.action.to_owned(),
            outcome: ev.outcome.to_owned(),
            subject_type,
            subject_id,
            purpose: purpose.map(str::to_owned),
            detail: match who.token {
                // Every event made with a token names it.
                Some((id, name)) => {
                    let mut d = ev.detail;
                    let token = serde_json::json!({ "id": id, "name": name });
                    match d.as_object_mut() {
                        Some(o) => {
                            o.insert("token".into(), token);
                        }
                        None => d = serde_json::json!({ "token": token, "detail": d }),
                    }
                    d.to_string()
                }
                None => ev.detail.to_string(),
            },
            ip: m.ip,
            request_id: m.request_id,
            prev_hash: String::new(),
        }
    }

    /// Record an event with no other change (a view, a search, a refusal): queued for the
    /// group-commit writer; returns once the event has committed.
    pub(crate) async fn audit_queued(
        &self,
        who: Who,
        purpose: Option<&str>,
        ev: Event<'_>,
    ) -> Result<()> {
        let rec = self.record(who, purpose, ev);
        let (done, wait) = tokio::sync::oneshot::channel();
        let gone = || StoreError::Unavailable("the audit writer has stopped".into());
        self.audit_queue
            .send(crate::batch::Queued { rec, done })
            .await
            .map_err(|_| gone())?;
        wait.await.map_err(|_| gone())?
    }

    /// Record an event with no other change, for the holder of a permit.
    pub(crate) async fn audit_only<C: policy::Capability>(
        &self,
        p: &Permit<C>,
        ev: Event<'_>,
    ) -> Result<()> {
        self.audit_queued(Who::of(p.principal()), p.purpose(), ev)
            .await
    }
}

/// Filters on the audit page and API.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    /// Actor's username, exactly.
    pub actor: Option<String>,
    /// Action prefix, e.g. `user.` or `sign_in`.
    pub action: Option<String>,
    /// Subject type and, optionally, id.
    pub subject_type: Option<String>,
    /// Subject id.
    pub subject_id: Option<String>,
    /// Outcome.
    pub outcome: Option<String>,
    /// From this instant (stored text form).
    pub from: Option<String>,
    /// Before this instant (stored text form).
    pub to: Option<String>,
    /// Page number from 1.
    pub page: i64,
    /// Rows a page.
    pub per_page: i64,
}

/// One stored event.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct AuditRow {
    /// Sequence number.
    pub seq: i64,
    /// When (UTC text).
    pub at: String,
    /// Actor id.
    pub actor_id: Option<i64>,
    /// Actor username.
    pub actor_username: Option<String>,
    /// Actor role.
    pub actor_role: Option<String>,
    /// Actor organisation.
    pub actor_org: Option<String>,
    /// Action.
    pub action: String,
    /// Outcome.
    pub outcome: String,
    /// Subject type.
    pub subject_type: Option<String>,
    /// Subject id.
    pub subject_id: Option<String>,
    /// Purpose.
    pub purpose: Option<String>,
    /// Detail (JSON text).
    pub detail: String,
    /// Client address.
    pub ip: Option<String>,
    /// Request id.
    pub request_id: Option<String>,
    /// Previous hash.
    pub prev_hash: String,
    /// This event's hash (its keyed seal when `key_id` is set).
    pub hash: String,
    /// The id of the key that sealed it; none for events from before keying.
    pub key_id: Option<String>,
}

/// What an administrator sees in place of the detail of an event about a child.
pub const WITHHELD: &str =
    r#"{"withheld":"about a child: only the data protection officer reads this"}"#;

/// Whether an event's detail may hold data about a child (search terms, reasons, needs):
/// anything done to a person's record, any search of children, any casework.
fn holds_child_data(e: &AuditRow) -> bool {
    e.subject_type.as_deref() == Some("person")
        || [
            "child.",
            "request.",
            "link_review.",
            "involvement.",
            "referral.",
            "group_team.",
        ]
        .iter()
        .any(|p| e.action.starts_with(p))
}

impl AuditRow {
    fn record(&self) -> AuditRecord {
        AuditRecord {
            seq: self.seq,
            at: self.at.clone(),
            actor_id: self.actor_id,
            actor_username: self.actor_username.clone(),
            actor_role: self.actor_role.clone(),
            actor_org: self.actor_org.clone(),
            action: self.action.clone(),
            outcome: self.outcome.clone(),
            subject_type: self.subject_type.clone(),
            subject_id: self.subject_id.clone(),
            purpose: self.purpose.clone(),
            detail: self.detail.clone(),
            ip: self.ip.clone(),
            request_id: self.request_id.clone(),
            prev_hash: self.prev_hash.clone(),
        }
    }
}

/// A page of events, newest first.
#[derive(Debug, Clone, Serialize)]
pub struct AuditPage {
    /// The events.
    pub events: Vec<AuditRow>,
    /// How many match in all.
    pub total: i64,
    /// This page.
    pub page: i64,
    /// Rows a page.
    pub per_page: i64,
}

pub(crate) const COLUMNS: &str =
    "seq, at, actor_id, actor_username, actor_role, actor_org, action, outcome, \
    subject_type, subject_id, purpose, detail, ip, request_id, prev_hash, hash, key_id";

/// The audit log: read, verify, and record refusals.
#[async_trait]
pub trait AuditRepo: Send + Sync {
    /// Filter the log; the search is itself audited.
    async fn search_audit(
        &self,
        p: &Permit<policy::ReadAudit>,
        f: &AuditFilter,
    ) -> Result<AuditPage>;
    /// Verify the whole chain, naming the first bad event.
    async fn verify_audit(
        &self,
        p: &Permit<policy::VerifyAudit>,
    ) -> Result<std::result::Result<i64, ChainError>>;
    /// Record that the policy refused a signed-in user.
    async fn record_denied(
        &self,
        principal: &policy::Principal,
        action: policy::Action,
        subject: Option<(&str, String)>,
    ) -> Result<()>;
}

#[async_trait::async_trait]
impl AuditRepo for SqlStore {
    async fn search_audit(
        &self,
        p: &Permit<policy::ReadAudit>,
        f: &AuditFilter,
    ) -> Result<AuditPage> {
        // Build the WHERE clause from fixed fragments; values are always bound.
        let mut clauses: Vec<String> = Vec::new();
        let mut binds: Vec<String> = Vec::new();
        let mut add = |clause: &str, v: &Option<String>| {
            if let Some(v) = v.as_ref().filter(|v| !v.is_empty()) {
                binds.push(v.clone());
                clauses.push(clause.replace('?', &format!("${}", binds.len())));
            }
        };
        add("actor_username = ?", &f.actor);
        add(
            "action LIKE ?",
            &f.action
                .as_ref()
                .map(|a| format!("{}%", a.replace(['%', '_'], ""))),
        );
        add("subject_type = ?", &f.subject_type);
        add("subject_id = ?", &f.subject_id);
        add("outcome = ?", &f.outcome);
        add("at >= ?", &f.from);
        add("at < ?", &f.to);
        let where_ = if clauses.is_empty() {
            String::new()
        } else {
            format!(" WHERE {}", clauses.join(" AND "))
        };
        let per_page = f.per_page.clamp(1, 500);
        let page = f.page.max(1);
        let count_sql = format!("SELECT COUNT(*) FROM audit_events{where_}");
        let mut q = sqlx::query_as::<_, (i64,)>(&count_sql);
        for b in &binds {
            q = q.bind(b);
        }
        let (total,) = q.fetch_one(&self.pool).await?;
        let list_sql = format!(
            "SELECT {COLUMNS} FROM audit_events{where_} ORDER BY seq DESC LIMIT {per_page} OFFSET {}",
            (page - 1) * per_page
        );
        let mut q = sqlx::query_as::<_, AuditRow>(&list_sql);
        for b in &binds {
            q = q.bind(b);
        }
        let mut events = q.fetch_all(&self.pool).await?;
        // Search terms, reasons and needs are about children: only the data protection
        // officer reads them; administrators see who did what to which record, and when.
        let reader_is_dpo = p
            .actor()
            .is_some_and(|a| a.role == everychild_domain::Role::DataProtectionOfficer);
        if !reader_is_dpo {
            for e in &mut events {
                if holds_child_data(e) {
                    e.detail = WITHHELD.to_owned();
                }
            }
        }
        let detail = serde_json::json!({
            "actor": f.actor, "action": f.action, "subject_type": f.subject_type,
            "subject_id": f.subject_id, "outcome": f.outcome, "from": f.from, "to": f.to,
            "page": page, "results": events.len(),
        });
        self.audit_only(p, Event::success("audit.search", None).detail(detail))
            .await?;
        Ok(AuditPage {
            events,
            total,
            page,
            per_page,
        })
    }

    async fn verify_audit(
        &self,
        _p: &Permit<policy::VerifyAudit>,
    ) -> Result<std::result::Result<i64, ChainError>> {
        let mut conn = self.pool.acquire().await?;
        let sql = format!("SELECT {COLUMNS} FROM audit_events ORDER BY seq");
        let mut rows = sqlx::query_as::<_, AuditRow>(&sql).fetch(&mut *conn);
        let keys = self.sealing.read().map(|k| k.clone()).unwrap_or_default();
        let mut v = if keys.keys.is_empty() {
            ChainVerifier::unkeyed()
        } else {
            ChainVerifier::keyed(keys.keys, keys.unkeyed_until)
        };
        while let Some(row) = rows.try_next().await? {
            if let Err(e) = v.check(&row.record(), &row.hash, row.key_id.as_deref()) {
                return Ok(Err(e));
            }
        }
        drop(rows);
        let (head_seq, head_hash): (i64, String) =
            sqlx::query_as("SELECT seq, hash FROM audit_head WHERE id = 1")
                .fetch_one(&mut *conn)
                .await?;
        Ok(v.finish(head_seq, &head_hash))
    }

    async fn record_denied(
        &self,
        principal: &Principal,
        action: policy::Action,
        subject: Option<(&str, String)>,
    ) -> Result<()> {
        let ev = Event {
            action: "access.denied",
            outcome: "denied",
            subject,
            detail: serde_json::json!({ "requested": format!("{action:?}") }),
        };
        self.audit_queued(Who::of(principal), None, ev).await
    }
}
