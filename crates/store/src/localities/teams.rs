//! Hubs and delivery sites, locality teams and their members, city-wide services' locality
//! contacts, and the staff links (localities, phone, line manager) behind them.

use super::permit_locality;
use crate::audit::Event;
use crate::{
    CitywideContact, NewMember, NewSite, NewTeam, Result, Site, SqlStore, StoreError, Team,
    TeamMember,
};
use everychild_policy::{self as policy, Permit};
use serde_json::json;

type SiteTuple = (
    i64,
    i64,
    String,
    Option<String>,
    i64,
    String,
    String,
    String,
    String,
);

pub(super) async fn sites_where(store: &SqlStore, filter: &str, id: i64) -> Result<Vec<Site>> {
    let sql = format!(
        "SELECT s.id, s.locality_id, l.name, p.name, s.is_hub, s.name, s.building_type, s.address, s.postcode \
         FROM sites s JOIN localities l ON l.id = s.locality_id LEFT JOIN age_phases p ON p.id = s.age_phase_id \
         WHERE {filter} ORDER BY l.name, s.is_hub DESC, p.min_age, s.name"
    );
    let rows: Vec<SiteTuple> = sqlx::query_as(&sql).bind(id).fetch_all(&store.pool).await?;
    Ok(rows
        .into_iter()
        .map(|r| Site {
            id: r.0,
            locality_id: r.1,
            locality_name: r.2,
            age_phase: r.3,
            is_hub: r.4 != 0,
            name: r.5,
            building_type: r.6,
            address: r.7,
            postcode: r.8,
        })
        .collect())
}

/// The authority of a locality, inside a transaction.
async fn authority_of_locality(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    locality: i64,
) -> Result<i64> {
    let row: Option<(Option<i64>,)> =
        sqlx::query_as("SELECT authority_id FROM localities WHERE id = $1")
            .bind(locality)
            .fetch_optional(&mut **tx)
            .await?;
    match row {
        Some((Some(a),)) => Ok(a),
        _ => Err(StoreError::invalid("locality", "There is no such locality")),
    }
}

pub(super) async fn add_site(
    store: &SqlStore,
    p: &Permit<policy::ManageLocality>,
    s: NewSite,
) -> Result<i64> {
    let locality = permit_locality(p)?;
    let name = s.name.trim();
    if name.is_empty() || name.chars().count() > 150 {
        return Err(StoreError::invalid(
            "name",
            "Enter a name of 150 characters or fewer",
        ));
    }
    if s.address.trim().is_empty() {
        return Err(StoreError::invalid("address", "Enter the address"));
    }
    let mut a = store.audited(p).await?;
    let authority = authority_of_locality(&mut a.tx, locality).await?;
    let place: Option<(String,)> = sqlx::query_as(
        "SELECT p.postcode FROM postcodes p JOIN authorities a ON a.id = $2 \
         WHERE p.postcode = $1 AND p.authority_code = a.code",
    )
    .bind(&s.postcode)
    .bind(authority)
    .fetch_optional(&mut *a.tx)
    .await?;
    if place.is_none() {
        return Err(StoreError::invalid(
            "postcode",
            format!("{} is not a postcode in this authority", s.postcode),
        ));
    }
    if let Some(phase) = s.age_phase_id {
        let ok: Option<(i64,)> =
            sqlx::query_as("SELECT id FROM age_phases WHERE id = $1 AND authority_id = $2")
                .bind(phase)
                .bind(authority)
                .fetch_optional(&mut *a.tx)
                .await?;
        if ok.is_none() {
            return Err(StoreError::invalid(
                "age_phase",
                "Choose one of this authority's age phases",
            ));
        }
    }
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO sites (authority_id, locality_id, age_phase_id, is_hub, name, building_type, address, postcode, easting, northing, created_at) \
         SELECT $1, $2, $3, $4, $5, $6, $7, p.postcode, p.easting, p.northing, $9 FROM postcodes p WHERE p.postcode = $8 RETURNING id",
    )
    .bind(authority)
    .bind(locality)
    .bind(s.age_phase_id)
    .bind(i64::from(s.is_hub))
    .bind(name)
    .bind(&s.building_type)
    .bind(s.address.trim())
    .bind(&s.postcode)
    .bind(store.now().to_db())
    .fetch_one(&mut *a.tx)
    .await
    .map_err(|e| match StoreError::from(e) {
        StoreError::Conflict(_) => StoreError::invalid("name", "A hub or site with that name already exists"),
        StoreError::Database(m) if m.contains("CHECK") || m.contains("check") => {
            StoreError::invalid("building_type", "Choose a building type from the list")
        }
        other => other,
    })?;
    if s.is_hub {
        crate::geo::bump(&mut a.tx).await?;
    }
    a.commit(
        Event::success("site.create", Some(("site", id.to_string())))
            .detail(json!({ "locality_id": locality, "is_hub": s.is_hub, "name": name })),
    )
    .await?;
    if s.is_hub {
        store.geo.invalidate();
        store.directory.invalidate();
    }
    Ok(id)
}

type MemberTuple = (
    i64,
    i64,
    String,
    Option<String>,
    String,
    String,
    String,
    Option<String>,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
);
type TeamTuple = (i64, i64, String, i64, String, String, Option<String>);

pub(super) async fn directory(
    store: &SqlStore,
    p: &Permit<policy::ViewTeams>,
    age_phase_id: Option<i64>,
) -> Result<(Vec<Team>, Vec<CitywideContact>)> {
    let locality = permit_locality(p)?;
    let teams: Vec<TeamTuple> = sqlx::query_as(
        "SELECT t.id, t.locality_id, p.name, p.id, t.kind, t.name, s.name FROM teams t \
         JOIN age_phases p ON p.id = t.age_phase_id LEFT JOIN sites s ON s.id = t.base_site_id \
         WHERE t.locality_id = $1 AND ($2 = 0 OR t.age_phase_id = $2) ORDER BY p.min_age, t.kind",
    )
    .bind(locality)
    .bind(age_phase_id.unwrap_or(0))
    .fetch_all(&store.pool)
    .await?;
    let members: Vec<MemberTuple> = sqlx::query_as(
        "SELECT m.team_id, u.id, u.display_name, u.job_title, m.role_in_team, o.name, o.agency_type, \
         lm.display_name, m.relationship, m.sla_reference, u.email, u.phone \
         FROM team_members m JOIN teams t ON t.id = m.team_id JOIN users u ON u.id = m.user_id \
         JOIN organisations o ON o.id = u.organisation_id LEFT JOIN users lm ON lm.id = u.line_manager_id \
         WHERE t.locality_id = $1 AND u.disabled = 0 ORDER BY m.role_in_team, u.display_name",
    )
    .bind(locality)
    .fetch_all(&store.pool)
    .await?;
    type ContactTuple = (
        String,
        String,
        i64,
        String,
        Option<String>,
        Option<String>,
        Option<String>,
    );
    let contacts: Vec<ContactTuple> = sqlx::query_as(
        "SELECT c.name, o.name, u.id, u.display_name, u.job_title, u.email, u.phone \
             FROM citywide_contacts cc JOIN citywide_services c ON c.id = cc.service_id \
             JOIN organisations o ON o.id = c.organisation_id JOIN users u ON u.id = cc.user_id \
             WHERE cc.locality_id = $1 AND u.disabled = 0 ORDER BY c.name",
    )
    .bind(locality)
    .fetch_all(&store.pool)
    .await?;
    store
        .audit_only(
            p,
            Event::success("teams.view", Some(("locality", locality.to_string())))
                .detail(json!({ "age_phase_id": age_phase_id })),
        )
        .await?;
    let teams = teams
        .into_iter()
        .map(|t| Team {
            members: members
                .iter()
                .filter(|m| m.0 == t.0)
                .map(|m| TeamMember {
                    user_id: m.1,
                    display_name: m.2.clone(),
                    job_title: m.3.clone(),
                    role_in_team: m.4.clone(),
                    organisation: m.5.clone(),
                    agency_type: m.6.clone(),
                    line_manager: m.7.clone(),
                    relationship: m.8.clone(),
                    sla_reference: m.9.clone(),
                    email: m.10.clone(),
                    phone: m.11.clone(),
                })
                .collect(),
            id: t.0,
            locality_id: t.1,
            age_phase: t.2,
            age_phase_id: t.3,
            kind: t.4,
            name: t.5,
            base: t.6,
        })
        .collect();
    let contacts = contacts
        .into_iter()
        .map(|c| CitywideContact {
            service: c.0,
            organisation: c.1,
            user_id: c.2,
            display_name: c.3,
            job_title: c.4,
            email: c.5,
            phone: c.6,
        })
        .collect();
    Ok((teams, contacts))
}

pub(super) async fn create_team(
    store: &SqlStore,
    p: &Permit<policy::ManageLocality>,
    t: NewTeam,
) -> Result<i64> {
    let locality = permit_locality(p)?;
    if t.kind != "core" && t.kind != "extended" {
        return Err(StoreError::invalid("kind", "Choose core or extended"));
    }
    if t.name.trim().is_empty() {
        return Err(StoreError::invalid("name", "Enter the team's name"));
    }
    let mut a = store.audited(p).await?;
    let authority = authority_of_locality(&mut a.tx, locality).await?;
    let phase: Option<(i64,)> =
        sqlx::query_as("SELECT id FROM age_phases WHERE id = $1 AND authority_id = $2")
            .bind(t.age_phase_id)
            .bind(authority)
            .fetch_optional(&mut *a.tx)
            .await?;
    if phase.is_none() {
        return Err(StoreError::invalid(
            "age_phase",
            "Choose one of this authority's age phases",
        ));
    }
    if let Some(site) = t.base_site_id {
        let ok: Option<(i64,)> =
            sqlx::query_as("SELECT id FROM sites WHERE id = $1 AND locality_id = $2")
                .bind(site)
                .bind(locality)
                .fetch_optional(&mut *a.tx)
                .await?;
        if ok.is_none() {
            return Err(StoreError::invalid(
                "base",
                "Choose a hub or site in this locality",
            ));
        }
    }
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO teams (locality_id, age_phase_id, kind, name, base_site_id) VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(locality)
    .bind(t.age_phase_id)
    .bind(&t.kind)
    .bind(t.name.trim())
    .bind(t.base_site_id)
    .fetch_one(&mut *a.tx)
    .await
    .map_err(|e| match StoreError::from(e) {
        StoreError::Conflict(_) => StoreError::invalid("kind", "This locality already has a team of that kind for that age phase"),
        other => other,
    })?;
    a.commit(
        Event::success("team.create", Some(("team", id.to_string()))).detail(
            json!({ "locality_id": locality, "kind": t.kind, "age_phase_id": t.age_phase_id }),
        ),
    )
    .await?;
    Ok(id)
}

pub(super) async fn add_member(
    store: &SqlStore,
    p: &Permit<policy::ManageLocality>,
    team_id: i64,
    m: NewMember,
) -> Result<()> {
    let locality = permit_locality(p)?;
    if m.relationship != "matrix" && m.relationship != "coordination" {
        return Err(StoreError::invalid(
            "relationship",
            "Choose matrix management or co-ordination",
        ));
    }
    if m.role_in_team.trim().is_empty() {
        return Err(StoreError::invalid(
            "role_in_team",
            "Enter the member's role in the team",
        ));
    }
    let mut a = store.audited(p).await?;
    let team: Option<(i64,)> =
        sqlx::query_as("SELECT id FROM teams WHERE id = $1 AND locality_id = $2")
            .bind(team_id)
            .bind(locality)
            .fetch_optional(&mut *a.tx)
            .await?;
    if team.is_none() {
        return Err(StoreError::invalid(
            "team",
            "There is no such team in this locality",
        ));
    }
    sqlx::query(
        "INSERT INTO team_members (team_id, user_id, relationship, role_in_team, sla_reference, since) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(team_id)
    .bind(m.user_id)
    .bind(&m.relationship)
    .bind(m.role_in_team.trim())
    .bind(m.sla_reference.as_deref().map(str::trim).filter(|s| !s.is_empty()))
    .bind(&m.since)
    .execute(&mut *a.tx)
    .await
    .map_err(|e| match StoreError::from(e) {
        StoreError::Conflict(_) => StoreError::invalid("user_id", "That person is already in this team"),
        StoreError::NotFound(_) => StoreError::invalid("user_id", "There is no such user"),
        other => other,
    })?;
    a.commit(
        Event::success("team.add_member", Some(("team", team_id.to_string())))
            .detail(json!({ "user_id": m.user_id, "relationship": m.relationship })),
    )
    .await
}

pub(super) async fn add_citywide_service(
    store: &SqlStore,
    p: &Permit<policy::ConfigureAuthority>,
    authority_id: i64,
    name: &str,
    organisation_id: i64,
) -> Result<i64> {
    let name = name.trim();
    if name.is_empty() {
        return Err(StoreError::invalid("name", "Enter the service's name"));
    }
    let mut a = store.audited(p).await?;
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO citywide_services (authority_id, name, organisation_id) VALUES ($1, $2, $3) RETURNING id",
    )
    .bind(authority_id)
    .bind(name)
    .bind(organisation_id)
    .fetch_one(&mut *a.tx)
    .await
    .map_err(|e| match StoreError::from(e) {
        StoreError::Conflict(_) => StoreError::invalid("name", "That city-wide service already exists"),
        other => other,
    })?;
    a.commit(
        Event::success(
            "citywide_service.create",
            Some(("citywide_service", id.to_string())),
        )
        .detail(json!({ "name": name, "authority_id": authority_id })),
    )
    .await?;
    Ok(id)
}

pub(super) async fn set_citywide_contact(
    store: &SqlStore,
    p: &Permit<policy::ManageLocality>,
    service_id: i64,
    user_id: i64,
) -> Result<()> {
    let locality = permit_locality(p)?;
    let mut a = store.audited(p).await?;
    let authority = authority_of_locality(&mut a.tx, locality).await?;
    let svc: Option<(i64,)> =
        sqlx::query_as("SELECT id FROM citywide_services WHERE id = $1 AND authority_id = $2")
            .bind(service_id)
            .bind(authority)
            .fetch_optional(&mut *a.tx)
            .await?;
    if svc.is_none() {
        return Err(StoreError::invalid(
            "service",
            "There is no such city-wide service",
        ));
    }
    sqlx::query("DELETE FROM citywide_contacts WHERE service_id = $1 AND locality_id = $2")
        .bind(service_id)
        .bind(locality)
        .execute(&mut *a.tx)
        .await?;
    sqlx::query(
        "INSERT INTO citywide_contacts (service_id, locality_id, user_id) VALUES ($1, $2, $3)",
    )
    .bind(service_id)
    .bind(locality)
    .bind(user_id)
    .execute(&mut *a.tx)
    .await
    .map_err(|e| match StoreError::from(e) {
        StoreError::NotFound(_) => StoreError::invalid("user_id", "There is no such user"),
        other => other,
    })?;
    a.commit(
        Event::success(
            "citywide_contact.set",
            Some(("locality", locality.to_string())),
        )
        .detail(json!({ "service_id": service_id, "user_id": user_id })),
    )
    .await
}

pub(super) async fn set_school_city_wide(
    store: &SqlStore,
    p: &Permit<policy::ConfigureAuthority>,
    urn: i64,
    city_wide: bool,
) -> Result<()> {
    let mut a = store.audited(p).await?;
    let n = sqlx::query("UPDATE schools SET city_wide = $1 WHERE urn = $2")
        .bind(i64::from(city_wide))
        .bind(urn)
        .execute(&mut *a.tx)
        .await?
        .rows_affected();
    if n == 0 {
        return Err(StoreError::invalid(
            "urn",
            "There is no school with that URN",
        ));
    }
    crate::geo::bump(&mut a.tx).await?;
    a.commit(
        Event::success("school.city_wide", Some(("school", urn.to_string())))
            .detail(json!({ "city_wide": city_wide })),
    )
    .await?;
    store.geo.invalidate();
    store.directory.invalidate();
    Ok(())
}

pub(super) async fn set_user_localities(
    store: &SqlStore,
    p: &Permit<policy::ManageUser>,
    localities: &[i64],
) -> Result<()> {
    let user = SqlStore::target_user(p)?.0;
    let mut a = store.audited(p).await?;
    sqlx::query("DELETE FROM user_localities WHERE user_id = $1")
        .bind(user)
        .execute(&mut *a.tx)
        .await?;
    for l in localities {
        sqlx::query("INSERT INTO user_localities (user_id, locality_id) VALUES ($1, $2)")
            .bind(user)
            .bind(*l)
            .execute(&mut *a.tx)
            .await
            .map_err(|e| match StoreError::from(e) {
                StoreError::NotFound(_) => {
                    StoreError::invalid("localities", "There is no such locality or user")
                }
                StoreError::Conflict(_) => {
                    StoreError::invalid("localities", "A locality is listed twice")
                }
                other => other,
            })?;
    }
    a.commit(
        Event::success("user.localities", Some(("user", user.to_string())))
            .detail(json!({ "localities": localities })),
    )
    .await
}

pub(super) async fn set_staff_contact(
    store: &SqlStore,
    p: &Permit<policy::ManageUser>,
    phone: Option<&str>,
    line_manager: Option<i64>,
) -> Result<()> {
    let user = SqlStore::target_user(p)?.0;
    if line_manager == Some(user) {
        return Err(StoreError::invalid(
            "line_manager",
            "A person cannot manage themselves",
        ));
    }
    let phone = phone.map(str::trim).filter(|s| !s.is_empty());
    if let Some(ph) = phone {
        let digits = ph.chars().filter(char::is_ascii_digit).count();
        if !(10..=13).contains(&digits)
            || !ph
                .chars()
                .all(|c| c.is_ascii_digit() || " +()-".contains(c))
        {
            return Err(StoreError::invalid(
                "phone",
                "Enter a UK phone number, like 0116 454 1000",
            ));
        }
    }
    let mut a = store.audited(p).await?;
    let n = sqlx::query("UPDATE users SET phone = $1, line_manager_id = $2 WHERE id = $3")
        .bind(phone)
        .bind(line_manager)
        .bind(user)
        .execute(&mut *a.tx)
        .await
        .map_err(|e| match StoreError::from(e) {
            StoreError::NotFound(_) => StoreError::invalid("line_manager", "There is no such user"),
            other => other,
        })?
        .rows_affected();
    if n == 0 {
        return Err(StoreError::invalid("user_id", "There is no such user"));
    }
    a.commit(
        Event::success("user.staff_contact", Some(("user", user.to_string())))
            .detail(json!({ "line_manager": line_manager, "phone_set": phone.is_some() })),
    )
    .await
}
