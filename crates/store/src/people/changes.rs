//! Changing the index: registering a child, declaring involvement, flags, relatives and
//! shielding. A change to a child's record checks the permit's basis inside its transaction.

use super::basis;
use super::permit_user;
use super::types::{NewInvolvement, NewPerson};
use crate::audit::{AuditTx, Event};
use crate::{Result, SqlStore, StoreError};
use everychild_policy::{self as policy, Permit};
use serde_json::json;

/// Map a constraint failure on a vocabulary column to a message naming the field.
fn vocabulary(field: &'static str, what: &'static str) -> impl Fn(sqlx::Error) -> StoreError {
    move |e| match StoreError::from(e) {
        StoreError::Database(m) if m.to_lowercase().contains("check") => {
            StoreError::invalid(field, format!("Choose {what} from the list"))
        }
        other => other,
    }
}

/// Insert a person; returns the id.
async fn insert_person(a: &mut AuditTx<'_>, p: &NewPerson, now: &str) -> Result<i64> {
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO persons (kind, given_name, middle_names, family_name, date_of_birth, sex, nhs_number, nhs_number_status, \
         upn, ethnicity, first_language, disability, send_status, address, postcode, phone, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $17) RETURNING id",
    )
    .bind(&p.kind)
    .bind(p.given_name.trim())
    .bind(p.middle_names.trim())
    .bind(p.family_name.trim())
    .bind(&p.date_of_birth)
    .bind(&p.sex)
    .bind(&p.nhs_number)
    .bind(&p.nhs_number_status)
    .bind(&p.upn)
    .bind(&p.ethnicity)
    .bind(&p.first_language)
    .bind(&p.disability)
    .bind(&p.send_status)
    .bind(&p.address)
    .bind(&p.postcode)
    .bind(&p.phone)
    .bind(now)
    .fetch_one(&mut *a.tx)
    .await
    .map_err(vocabulary("form", "each answer"))?;
    if let Some(addr) = p.address.as_deref().filter(|s| !s.trim().is_empty()) {
        sqlx::query("INSERT INTO person_addresses (person_id, address, postcode, from_date, source) VALUES ($1, $2, $3, $4, 'recorded')")
            .bind(id)
            .bind(addr.trim())
            .bind(&p.postcode)
            .bind(&now[..10])
            .execute(&mut *a.tx)
            .await?;
    }
    Ok(id)
}

/// Insert a child from an agency record; returns the id.
pub(super) async fn insert_person_from_row(
    a: &mut AuditTx<'_>,
    r: &everychild_domain::person::ExtractRow,
    now: &str,
) -> Result<i64> {
    let p = NewPerson {
        kind: "child".into(),
        given_name: r.given_name.clone().unwrap_or_default(),
        middle_names: r.middle_names.clone().unwrap_or_default(),
        family_name: r.family_name.clone().unwrap_or_default(),
        date_of_birth: r.date_of_birth.clone(),
        sex: r.sex.clone().unwrap_or_else(|| "not_known".into()),
        nhs_number_status: match (&r.nhs_number, r.nhs_number_verified) {
            (None, _) => "none",
            (Some(_), true) => "verified",
            (Some(_), false) => "unverified",
        }
        .into(),
        nhs_number: r.nhs_number.clone(),
        upn: r.upn.clone(),
        send_status: "none".into(),
        address: r.address.clone(),
        postcode: r.postcode.clone(),
        ..Default::default()
    };
    insert_person(a, &p, now).await
}

async fn insert_involvement(
    store: &SqlStore,
    a: &mut AuditTx<'_>,
    child: i64,
    actor: &policy::Actor,
    inv: &NewInvolvement,
    basis: &str,
) -> Result<i64> {
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO involvements (child_id, organisation_id, practitioner_id, team, role, since, contact, basis, recorded_by, recorded_at, status, expires_on) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'approved', $11) RETURNING id",
    )
    .bind(child)
    .bind(actor.organisation_id.0)
    .bind(actor.user_id.0)
    .bind(&inv.team)
    .bind(&inv.role)
    .bind(&inv.since)
    .bind(&inv.contact)
    .bind(basis)
    .bind(&actor.username)
    .bind(store.now().to_db())
    .bind(super::involvements::expires_from_today(store))
    .fetch_one(&mut *a.tx)
    .await?;
    Ok(id)
}

pub(super) async fn register_child(
    store: &SqlStore,
    p: &Permit<policy::DeclareInvolvement>,
    child: NewPerson,
    inv: NewInvolvement,
) -> Result<i64> {
    let actor = permit_user(p)?;
    if child.kind != "child" {
        return Err(StoreError::invalid(
            "kind",
            "Only a child can be registered here",
        ));
    }
    everychild_domain::access::parse_declared_role(&inv.role, actor.agency_type)
        .map_err(StoreError::from)?;
    let now = store.now().to_db();
    let mut a = store.audited(p).await?;
    let id = insert_person(&mut a, &child, &now).await?;
    insert_involvement(store, &mut a, id, actor, &inv, "registered").await?;
    a.commit(
        Event::success("child.register", Some(("person", id.to_string())))
            .detail(json!({ "role": inv.role })),
    )
    .await?;
    Ok(id)
}

/// Begin a change to the permit's child: claims the audit place and checks the basis.
async fn begin_change<'s>(
    store: &'s SqlStore,
    p: &Permit<policy::UpdateChild>,
) -> Result<(AuditTx<'s>, i64)> {
    basis::begin_checked(store, p).await
}

pub(super) async fn add_flag(
    store: &SqlStore,
    p: &Permit<policy::UpdateChild>,
    kind: &str,
    since: &str,
) -> Result<i64> {
    let actor = permit_user(p)?;
    let (mut a, root) = begin_change(store, p).await?;
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO person_flags (person_id, kind, since, organisation_id, recorded_by, recorded_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(root)
    .bind(kind)
    .bind(since)
    .bind(actor.organisation_id.0)
    .bind(&actor.username)
    .bind(store.now().to_db())
    .fetch_one(&mut *a.tx)
    .await
    .map_err(vocabulary("flag", "a flag"))?;
    a.commit(
        Event::success("child.flag", Some(("person", root.to_string())))
            .detail(json!({ "flag_id": id, "kind": kind, "since": since })),
    )
    .await?;
    Ok(id)
}

pub(super) async fn end_flag(
    store: &SqlStore,
    p: &Permit<policy::UpdateChild>,
    flag: i64,
    until: &str,
) -> Result<()> {
    let (mut a, root) = begin_change(store, p).await?;
    let sql = format!(
        "UPDATE person_flags SET until = $1 WHERE id = $2 AND until IS NULL AND person_id IN {}",
        super::basis::CLUSTER.replace("$1", "$3")
    );
    let n = sqlx::query(&sql)
        .bind(until)
        .bind(flag)
        .bind(root)
        .execute(&mut *a.tx)
        .await?
        .rows_affected();
    if n == 0 {
        return Err(StoreError::invalid(
            "flag",
            "There is no current flag with that id on this record",
        ));
    }
    a.commit(
        Event::success("child.flag_end", Some(("person", root.to_string())))
            .detail(json!({ "flag_id": flag, "until": until })),
    )
    .await
}

pub(super) async fn add_relative(
    store: &SqlStore,
    p: &Permit<policy::UpdateChild>,
    relative: NewPerson,
    kind: &str,
    same_household: bool,
    parental_responsibility: bool,
) -> Result<i64> {
    let (mut a, root) = begin_change(store, p).await?;
    let now = store.now().to_db();
    let id = insert_person(&mut a, &relative, &now).await?;
    sqlx::query(
        "INSERT INTO person_relationships (person_id, related_id, kind, same_household, parental_responsibility, since) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(id)
    .bind(root)
    .bind(kind)
    .bind(i64::from(same_household))
    .bind(i64::from(parental_responsibility))
    .bind(&now[..10])
    .execute(&mut *a.tx)
    .await?;
    a.commit(
        Event::success("child.add_relative", Some(("person", root.to_string())))
            .detail(json!({ "relative_id": id, "kind": kind })),
    )
    .await?;
    Ok(id)
}

pub(super) async fn set_shielded(
    store: &SqlStore,
    p: &Permit<policy::UpdateChild>,
    shielded: bool,
) -> Result<()> {
    let (mut a, root) = begin_change(store, p).await?;
    let sql = format!(
        "UPDATE persons SET shielded = $2, version = version + 1, updated_at = $3 WHERE id IN {}",
        super::basis::CLUSTER
    );
    sqlx::query(&sql)
        .bind(root)
        .bind(i64::from(shielded))
        .bind(store.now().to_db())
        .execute(&mut *a.tx)
        .await?;
    a.commit(Event::success(
        if shielded {
            "child.shield"
        } else {
            "child.unshield"
        },
        Some(("person", root.to_string())),
    ))
    .await
}
