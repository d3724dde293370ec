//! Declared involvements. A practitioner who says they work with a child makes a request that
//! opens nothing until someone accountable for the child approves it: a practitioner who works
//! with the child on a corroborated basis, a manager of the child's locality, or the
//! declarer's line manager when the child is on their organisation's own caseload. Every
//! involvement lapses after the authority's number of months unless it is renewed (declared
//! again and approved, or sent again in the agency's extract). Declarations, approvals and
//! refusals are audited against the child, so they appear in the child's access log, and the
//! data protection officer sees them all.

use super::basis::{self, CLUSTER};
use super::record::root_of;
use super::types::NewInvolvement;
use super::{permit_child, permit_user};
use crate::audit::Event;
use crate::{Result, SqlStore, StoreError};
use everychild_domain::access::{expiry, parse_declared_role, parse_reason};
use everychild_domain::Role;
use everychild_policy::{self as policy, ApprovalGround, Basis, Permit, Target};
use serde::Serialize;
use serde_json::json;
use sqlx::AnyConnection;

/// A declared involvement, for the people who decide it and the data protection officer.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Declaration {
    /// Id.
    pub id: i64,
    /// The child's record it was made on.
    pub child_id: i64,
    /// Who declared it (user id).
    pub declared_by: i64,
    /// Their name.
    pub declarer_name: String,
    /// Their organisation.
    pub organisation: String,
    /// The role declared (stored form).
    pub role: String,
    /// Since when they say they work with the child.
    pub since: String,
    /// Why they say so.
    pub reason: Option<String>,
    /// `pending`, `approved`, `refused` or `ended`.
    pub status: String,
    /// When it was declared.
    pub declared_at: String,
    /// Who decided it.
    pub decided_by_name: Option<String>,
    /// When.
    pub decided_at: Option<String>,
    /// On what ground (a basis, `locality` or `line_manager`).
    pub decision_ground: Option<String>,
    /// The decider's note (the reason for a refusal).
    pub decision_note: Option<String>,
    /// The day an approved involvement lapses.
    pub expires_on: Option<String>,
}

/// What a user may know about a declaration before deciding it: no personal data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DeclarationScope {
    /// The involvement.
    pub id: i64,
    /// The child's current record (the survivor of any merge).
    pub child: i64,
    /// Who declared it.
    pub declared_by: i64,
    /// Whether it is still waiting for a decision.
    pub pending: bool,
    /// The ground on which the asking user may decide it, if any.
    pub ground: Option<ApprovalGround>,
}

/// The columns of [`Declaration`], from `involvements i` joined to the declarer `u`, their
/// organisation `o` and the decider `d`.
const COLUMNS: &str = "i.id, i.child_id, i.practitioner_id AS declared_by, \
     u.display_name AS declarer_name, o.name AS organisation, i.role, i.since, i.reason, \
     i.status, i.recorded_at AS declared_at, d.display_name AS decided_by_name, i.decided_at, \
     i.decision_ground, i.decision_note, i.expires_on \
     FROM involvements i JOIN users u ON u.id = i.practitioner_id \
     JOIN organisations o ON o.id = i.organisation_id LEFT JOIN users d ON d.id = i.decided_by";

/// Whether `approver` is `declarer`'s line manager in the same organisation, and the child
/// (`$1`, a root) is on that organisation's own caseload.
async fn line_manager_holds(
    conn: &mut AnyConnection,
    child: i64,
    declarer: i64,
    approver: i64,
) -> Result<bool> {
    let (n,): (i64,) = sqlx::query_as(&format!(
        "SELECT COUNT(*) FROM users dcl JOIN users apr ON apr.id = $3 \
         WHERE dcl.id = $2 AND dcl.line_manager_id = $3 \
         AND apr.organisation_id = dcl.organisation_id AND apr.disabled = 0 \
         AND EXISTS (SELECT 1 FROM involvements x WHERE x.child_id IN {CLUSTER} \
         AND x.basis = 'agency_extract' AND x.status = 'approved' \
         AND x.organisation_id = dcl.organisation_id)"
    ))
    .bind(child)
    .bind(declarer)
    .bind(approver)
    .fetch_one(&mut *conn)
    .await?;
    Ok(n > 0)
}

/// The strongest ground on which `actor` may decide `declarer`'s declaration for `child` (a
/// root), if any: a corroborated basis first, then the locality, then line management.
async fn ground_for(
    store: &SqlStore,
    conn: &mut AnyConnection,
    child: i64,
    declarer: i64,
    actor: &policy::Actor,
) -> Result<Option<ApprovalGround>> {
    let user = actor.user_id.0;
    if user == declarer {
        return Ok(None);
    }
    let bases = basis::bases(conn, child, user, &store.now().to_db(), &store.today()).await?;
    if let Some(b) = bases.iter().find(|b| b.is_corroborated()) {
        return Ok(Some(ApprovalGround::Basis(*b)));
    }
    if actor.role == Role::LocalityManager && bases.contains(&Basis::Locality) {
        return Ok(Some(ApprovalGround::Locality));
    }
    if line_manager_holds(conn, child, declarer, user).await? {
        return Ok(Some(ApprovalGround::LineManager));
    }
    Ok(None)
}

/// Whether the claimed ground holds now.
async fn ground_holds(
    store: &SqlStore,
    conn: &mut AnyConnection,
    child: i64,
    declarer: i64,
    actor: &policy::Actor,
    ground: ApprovalGround,
) -> Result<bool> {
    let (now, today) = (store.now().to_db(), store.today());
    let user = actor.user_id.0;
    Ok(match ground {
        ApprovalGround::Basis(b) if b.is_corroborated() => {
            basis::holds(conn, child, user, b, &now, &today).await?
        }
        ApprovalGround::Basis(_) => false,
        ApprovalGround::Locality => {
            actor.role == Role::LocalityManager
                && basis::holds(conn, child, user, Basis::Locality, &now, &today).await?
        }
        ApprovalGround::LineManager => line_manager_holds(conn, child, declarer, user).await?,
    })
}

/// Record that the permit's user works with the permit's child: a request for approval.
pub(super) async fn declare(
    store: &SqlStore,
    p: &Permit<policy::DeclareInvolvement>,
    inv: NewInvolvement,
    reason: &str,
) -> Result<i64> {
    let (child, _) = permit_child(p)?;
    let actor = permit_user(p)?;
    let role = parse_declared_role(&inv.role, actor.agency_type).map_err(StoreError::from)?;
    let reason =
        parse_reason(reason, "reason", "how you work with this child").map_err(StoreError::from)?;
    let mut a = store.audited(p).await?;
    let Some(root) = root_of(&mut a.tx, child).await? else {
        return Err(StoreError::invalid("child", "There is no such child"));
    };
    let (waiting,): (i64,) = sqlx::query_as(&format!(
        "SELECT COUNT(*) FROM involvements WHERE child_id IN {CLUSTER} \
         AND practitioner_id = $2 AND status = 'pending'"
    ))
    .bind(root)
    .bind(actor.user_id.0)
    .fetch_one(&mut *a.tx)
    .await?;
    if waiting > 0 {
        return Err(StoreError::invalid(
            "reason",
            "You have already asked to be recorded as working with this child: \
             wait for the decision",
        ));
    }
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO involvements (child_id, organisation_id, practitioner_id, team, role, since, \
         contact, basis, recorded_by, recorded_at, status, reason) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, 'declared', $8, $9, 'pending', $10) RETURNING id",
    )
    .bind(root)
    .bind(actor.organisation_id.0)
    .bind(actor.user_id.0)
    .bind(&inv.team)
    .bind(role.as_str())
    .bind(&inv.since)
    .bind(&inv.contact)
    .bind(&actor.username)
    .bind(store.now().to_db())
    .bind(&reason)
    .fetch_one(&mut *a.tx)
    .await?;
    a.commit(Event {
        action: "child.declare_involvement",
        outcome: "pending",
        subject: Some(("person", root.to_string())),
        detail: json!({ "involvement_id": id, "role": role.as_str() }),
    })
    .await?;
    Ok(id)
}

/// What the permit's user may know about declaration `id` before deciding it.
async fn scope(
    store: &SqlStore,
    p: &Permit<policy::FindChildBasis>,
    id: i64,
) -> Result<Option<DeclarationScope>> {
    let actor = permit_user(p)?;
    let mut conn = store.pool.acquire().await?;
    let row: Option<(i64, i64, String)> = sqlx::query_as(
        "SELECT child_id, practitioner_id, status FROM involvements \
         WHERE id = $1 AND basis = 'declared' AND practitioner_id IS NOT NULL",
    )
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?;
    let Some((child, declared_by, status)) = row else {
        return Ok(None);
    };
    let Some(root) = root_of(&mut conn, child).await? else {
        return Ok(None);
    };
    let ground = ground_for(store, &mut conn, root, declared_by, actor).await?;
    Ok(Some(DeclarationScope {
        id,
        child: root,
        declared_by,
        pending: status == "pending",
        ground,
    }))
}

/// Approve or refuse the permit's declaration; a refusal needs a reason.
async fn decide(
    store: &SqlStore,
    p: &Permit<policy::DecideInvolvement>,
    approve: bool,
    note: &str,
) -> Result<()> {
    let Target::Involvement {
        id,
        child,
        declared_by,
        ground,
    } = *p.target()
    else {
        return Err(StoreError::Database(
            "this action needs a permit for one declared involvement".into(),
        ));
    };
    let actor = permit_user(p)?;
    let note = if approve {
        Some(note.trim().to_owned()).filter(|s| !s.is_empty())
    } else {
        Some(parse_reason(note, "note", "why you refuse").map_err(StoreError::from)?)
    };
    if note.as_ref().is_some_and(|n| n.chars().count() > 1000) {
        return Err(StoreError::invalid(
            "note",
            "The note must be 1,000 characters or fewer",
        ));
    }
    let mut a = store.audited(p).await?;
    let row: Option<(i64, i64, String)> = sqlx::query_as(
        "SELECT child_id, practitioner_id, status FROM involvements \
         WHERE id = $1 AND basis = 'declared'",
    )
    .bind(id)
    .fetch_optional(&mut *a.tx)
    .await?;
    let refused = || {
        StoreError::invalid(
            "involvement",
            "There is no declaration you may decide with that id",
        )
    };
    let Some((on, declarer, status)) = row else {
        return Err(refused());
    };
    let root = root_of(&mut a.tx, on).await?;
    if root != Some(child) || declarer != declared_by.0 {
        return Err(refused());
    }
    if status != "pending" {
        return Err(StoreError::invalid(
            "involvement",
            "This declaration has already been decided",
        ));
    }
    if !ground_holds(store, &mut a.tx, child, declarer, actor, ground).await? {
        return Err(refused());
    }
    let expires = approve.then(|| expires_from_today(store));
    sqlx::query(
        "UPDATE involvements SET status = $1, decided_by = $2, decided_at = $3, \
         decision_ground = $4, decision_note = $5, expires_on = $6 WHERE id = $7 AND status = 'pending'",
    )
    .bind(if approve { "approved" } else { "refused" })
    .bind(actor.user_id.0)
    .bind(store.now().to_db())
    .bind(ground.as_str())
    .bind(&note)
    .bind(&expires)
    .bind(id)
    .execute(&mut *a.tx)
    .await?;
    a.commit(Event {
        action: if approve {
            "child.involvement_approved"
        } else {
            "child.involvement_refused"
        },
        outcome: "success",
        subject: Some(("person", child.to_string())),
        detail: json!({
            "involvement_id": id, "declared_by": declarer,
            "ground": ground.as_str(), "expires_on": expires,
        }),
    })
    .await
}

/// Declarations waiting for a decision on the permit's child (shown on the record page to the
/// people who may decide them).
async fn pending_for_child(
    store: &SqlStore,
    p: &Permit<policy::ViewChild>,
) -> Result<Vec<Declaration>> {
    let actor = permit_user(p)?;
    let (mut conn, root) = basis::read_checked(store, p).await?;
    let rows: Vec<Declaration> = sqlx::query_as(&format!(
        "SELECT {COLUMNS} WHERE i.child_id IN {CLUSTER} AND i.basis = 'declared' \
         AND i.status = 'pending' ORDER BY i.recorded_at"
    ))
    .bind(root)
    .fetch_all(&mut *conn)
    .await?;
    let mut out = Vec::new();
    for r in rows {
        if ground_for(store, &mut conn, root, r.declared_by, actor)
            .await?
            .is_some()
        {
            out.push(r);
        }
    }
    Ok(out)
}

/// Every declaration waiting for a decision that the permit's user may decide, oldest first,
/// with the child's name and date of birth (what the decider needs to recognise the child);
/// audited with the number listed.
async fn waiting_for(
    store: &SqlStore,
    p: &Permit<policy::FindChildBasis>,
) -> Result<Vec<(Declaration, String, Option<String>)>> {
    let actor = permit_user(p)?;
    let mut conn = store.pool.acquire().await?;
    let rows: Vec<Declaration> = sqlx::query_as(&format!(
        "SELECT {COLUMNS} WHERE i.basis = 'declared' AND i.status = 'pending' \
         AND i.practitioner_id <> $1 ORDER BY i.recorded_at LIMIT 500"
    ))
    .bind(actor.user_id.0)
    .fetch_all(&mut *conn)
    .await?;
    let mut out = Vec::new();
    for r in rows {
        let Some(root) = root_of(&mut conn, r.child_id).await? else {
            continue;
        };
        if ground_for(store, &mut conn, root, r.declared_by, actor)
            .await?
            .is_none()
        {
            continue;
        }
        let (name, born): (String, Option<String>) = sqlx::query_as(
            "SELECT given_name || ' ' || family_name, date_of_birth FROM persons WHERE id = $1",
        )
        .bind(root)
        .fetch_one(&mut *conn)
        .await?;
        out.push((r, name, born));
    }
    drop(conn);
    let children: Vec<String> = out.iter().map(|r| r.0.child_id.to_string()).collect();
    store
        .audit_only(
            p,
            Event::success("involvement.queue", None)
                .detail(json!({ "listed": out.len(), "children": children })),
        )
        .await?;
    Ok(out)
}

/// The permit's user's latest declaration for a child that has not opened the record (still
/// pending, or refused): its status, when, and the decider's note. No other personal data.
async fn own_latest(
    store: &SqlStore,
    p: &Permit<policy::FindChildBasis>,
    child: i64,
) -> Result<Option<(String, String, Option<String>)>> {
    let actor = permit_user(p)?;
    let mut conn = store.pool.acquire().await?;
    let Some(root) = root_of(&mut conn, child).await? else {
        return Ok(None);
    };
    let row: Option<(String, String, Option<String>)> = sqlx::query_as(&format!(
        "SELECT status, recorded_at, decision_note FROM involvements \
         WHERE child_id IN {CLUSTER} AND practitioner_id = $2 AND basis = 'declared' \
         ORDER BY recorded_at DESC, id DESC LIMIT 1"
    ))
    .bind(root)
    .bind(actor.user_id.0)
    .fetch_optional(&mut *conn)
    .await?;
    Ok(row.filter(|r| r.0 == "pending" || r.0 == "refused"))
}

/// Every declaration, pending first, for the data protection officer; audited.
async fn oversight(
    store: &SqlStore,
    p: &Permit<policy::OverseeAccess>,
) -> Result<Vec<Declaration>> {
    let rows: Vec<Declaration> = sqlx::query_as(&format!(
        "SELECT {COLUMNS} WHERE i.basis = 'declared' \
         ORDER BY (CASE WHEN i.status = 'pending' THEN 0 ELSE 1 END), i.recorded_at DESC LIMIT 1000"
    ))
    .fetch_all(&store.pool)
    .await?;
    store
        .audit_only(
            p,
            Event::success("oversight.involvements", None).detail(json!({ "listed": rows.len() })),
        )
        .await?;
    Ok(rows)
}

/// The day an involvement recorded today lapses, as stored text.
pub(crate) fn expires_from_today(store: &SqlStore) -> String {
    let d = expiry(store.clock.now().date(), store.access.involvement_months);
    format!("{:04}-{:02}-{:02}", d.year(), d.month() as u8, d.day())
}

/// Declared involvements and the data protection officer's oversight of access.
#[async_trait::async_trait]
pub trait InvolvementRepo: Send + Sync {
    /// What the user may know about a declaration before deciding it (no personal data).
    async fn declaration_scope(
        &self,
        p: &Permit<policy::FindChildBasis>,
        id: i64,
    ) -> Result<Option<DeclarationScope>>;
    /// Approve or refuse the permit's declaration (a refusal needs a reason); the ground is
    /// checked in the same transaction; audited against the child.
    async fn decide_involvement(
        &self,
        p: &Permit<policy::DecideInvolvement>,
        approve: bool,
        note: &str,
    ) -> Result<()>;
    /// Declarations waiting on the permit's child that the user may decide.
    async fn pending_declarations(&self, p: &Permit<policy::ViewChild>)
        -> Result<Vec<Declaration>>;
    /// Every declaration waiting for the user's decision, with the child's name and date of
    /// birth; audited.
    async fn declarations_waiting(
        &self,
        p: &Permit<policy::FindChildBasis>,
    ) -> Result<Vec<(Declaration, String, Option<String>)>>;
    /// The user's own latest declaration for a child that has not opened it: status, when,
    /// and the decider's note.
    async fn own_declaration(
        &self,
        p: &Permit<policy::FindChildBasis>,
        child: i64,
    ) -> Result<Option<(String, String, Option<String>)>>;
    /// Users who reached a volume limit (searches, record reads) in the last 30 days; audited.
    async fn volume_alerts(
        &self,
        p: &Permit<policy::OverseeAccess>,
    ) -> Result<Vec<super::volume::VolumeAlert>>;
    /// Every declaration, pending first, for the data protection officer; audited.
    async fn declarations_oversight(
        &self,
        p: &Permit<policy::OverseeAccess>,
    ) -> Result<Vec<Declaration>>;
}

#[async_trait::async_trait]
impl InvolvementRepo for SqlStore {
    async fn declaration_scope(
        &self,
        p: &Permit<policy::FindChildBasis>,
        id: i64,
    ) -> Result<Option<DeclarationScope>> {
        scope(self, p, id).await
    }

    async fn decide_involvement(
        &self,
        p: &Permit<policy::DecideInvolvement>,
        approve: bool,
        note: &str,
    ) -> Result<()> {
        decide(self, p, approve, note).await
    }

    async fn pending_declarations(
        &self,
        p: &Permit<policy::ViewChild>,
    ) -> Result<Vec<Declaration>> {
        pending_for_child(self, p).await
    }

    async fn declarations_waiting(
        &self,
        p: &Permit<policy::FindChildBasis>,
    ) -> Result<Vec<(Declaration, String, Option<String>)>> {
        waiting_for(self, p).await
    }

    async fn own_declaration(
        &self,
        p: &Permit<policy::FindChildBasis>,
        child: i64,
    ) -> Result<Option<(String, String, Option<String>)>> {
        own_latest(self, p, child).await
    }

    async fn volume_alerts(
        &self,
        p: &Permit<policy::OverseeAccess>,
    ) -> Result<Vec<super::volume::VolumeAlert>> {
        super::volume::alerts(self, p).await
    }

    async fn declarations_oversight(
        &self,
        p: &Permit<policy::OverseeAccess>,
    ) -> Result<Vec<Declaration>> {
        oversight(self, p).await
    }
}
