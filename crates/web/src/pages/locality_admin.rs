//! Managing one locality, for its locality managers and administrators: add hubs and delivery
//! sites, create teams, add members (with their matrix or co-ordination arrangement and SLA),
//! and name the locality's contact for each city-wide service.

use super::{render_status, Chrome};
use crate::error::{AppError, PageError};
use crate::forms::{Fields, FormErrors};
use crate::{AppState, Ctx};
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use everychild_domain::geo::Postcode;
use everychild_policy::{self as policy, Target};
use everychild_store::{AgePhaseRow, LocalityProfile, NewMember, NewSite, NewTeam, Site, Team};
use serde::Deserialize;

/// Building types a site may have: stored form and label.
pub const BUILDING_TYPES: [(&str, &str); 8] = [
    ("childrens_centre", "Children's centre"),
    ("secondary_school", "Secondary school"),
    ("primary_school", "Primary school"),
    ("youth_centre", "Youth centre"),
    ("neighbourhood_centre", "Neighbourhood centre"),
    ("health_centre", "Health centre"),
    ("library", "Library"),
    ("other", "Other"),
];

#[derive(Template)]
#[template(path = "locality_manage.html")]
struct ManagePage {
    c: Chrome,
    p: LocalityProfile,
    phases: Vec<AgePhaseRow>,
    teams: Vec<Team>,
    services: Vec<(i64, String)>,
    errors: FormErrors,
    done: Option<&'static str>,
    v: Fields,
}

impl ManagePage {
    fn building_types(&self) -> &'static [(&'static str, &'static str)] {
        &BUILDING_TYPES
    }
    fn sites(&self) -> &[Site] {
        &self.p.sites
    }
}

/// The page's query.
#[derive(Deserialize, Default)]
pub struct DoneQ {
    done: Option<String>,
}

async fn page(
    st: &AppState,
    ctx: &Ctx,
    id: i64,
    errors: FormErrors,
    v: Fields,
    done: Option<&'static str>,
) -> Result<Response, AppError> {
    let view = ctx
        .authorize::<policy::ViewLocalities>(st, Target::None, None)
        .await?;
    let teams_permit = ctx
        .authorize::<policy::ViewTeams>(st, Target::Locality(id), Some("manage a locality's teams"))
        .await?;
    let p = st
        .store
        .locality_profile(&view, id, None)
        .await?
        .ok_or(AppError::NotFound)?;
    let phases = st.store.age_phases(&view, p.authority.id).await?;
    let services = st.store.citywide_services(&view, p.authority.id).await?;
    let (teams, _) = st.store.team_directory(&teams_permit, None).await?;
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::BAD_REQUEST
    };
    render_status(
        status,
        &ManagePage {
            c: Chrome::new(
                st,
                ctx,
                format!("Manage {}", p.locality.name),
                "/localities",
            )
            .errors(!errors.is_empty()),
            p,
            phases,
            teams,
            services,
            errors,
            done,
            v,
        },
    )
    .map_err(|e| e.0)
}

/// GET /localities/{id}/manage
pub async fn show(
    ctx: Ctx,
    State(st): State<AppState>,
    Path(id): Path<i64>,
    Query(q): Query<DoneQ>,
) -> Result<Response, PageError> {
    ctx.authorize::<policy::ManageLocality>(&st, Target::Locality(id), None)
        .await?;
    let done = match q.done.as_deref() {
        Some("site") => Some("The hub or site has been added"),
        Some("team") => Some("The team has been created"),
        Some("member") => Some("The member has been added to the team"),
        Some("contact") => Some("The contact has been named"),
        _ => None,
    };
    Ok(page(&st, &ctx, id, FormErrors::none(), Fields::default(), done).await?)
}

fn optional_id(raw: &str, field: &'static str, what: &str, errors: &mut FormErrors) -> Option<i64> {
    if raw.is_empty() {
        return None;
    }
    match raw.parse() {
        Ok(v) => Some(v),
        Err(_) => {
            errors.add(field, &format!("Choose {what} from the list"));
            None
        }
    }
}

/// Answer a form: redirect on success, or the page again with the errors.
async fn finish(
    st: &AppState,
    ctx: &Ctx,
    id: i64,
    f: Fields,
    mut errors: FormErrors,
    result: Option<Result<(), everychild_store::StoreError>>,
    done: &str,
) -> Result<Response, PageError> {
    match result {
        Some(Ok(())) => {
            Ok(Redirect::to(&format!("/localities/{id}/manage?done={done}")).into_response())
        }
        Some(Err(e)) => {
            errors.refusal(e)?;
            Ok(page(st, ctx, id, errors, f, None).await?)
        }
        None => Ok(page(st, ctx, id, errors, f, None).await?),
    }
}

/// POST /localities/{id}/sites
pub async fn add_site(
    ctx: Ctx,
    State(st): State<AppState>,
    Path(id): Path<i64>,
    body: Bytes,
) -> Result<Response, PageError> {
    let permit = ctx
        .authorize::<policy::ManageLocality>(&st, Target::Locality(id), Some("add a hub or site"))
        .await?;
    let f = Fields::parse(&body);
    let mut errors = FormErrors::none();
    let postcode = errors.take(Postcode::parse(f.get("postcode")));
    if !BUILDING_TYPES.iter().any(|b| b.0 == f.get("building_type")) {
        errors.add("building_type", "Choose a building type");
    }
    let age_phase_id = optional_id(f.get("age_phase"), "age_phase", "an age phase", &mut errors);
    let is_hub = f.get("is_hub") == "yes";
    if is_hub && age_phase_id.is_none() && errors.get("age_phase").is_none() {
        errors.add("age_phase", "Choose the age phase the hub serves");
    }
    let result = match postcode {
        Some(pc) if errors.is_empty() => Some(
            st.store
                .add_site(
                    &permit,
                    NewSite {
                        age_phase_id,
                        is_hub,
                        name: f.get("name").to_owned(),
                        building_type: f.get("building_type").to_owned(),
                        address: f.get("address").to_owned(),
                        postcode: pc.to_string(),
                    },
                )
                .await
                .map(|_| ()),
        ),
        _ => None,
    };
    finish(&st, &ctx, id, f, errors, result, "site").await
}

/// POST /localities/{id}/teams
pub async fn create_team(
    ctx: Ctx,
    State(st): State<AppState>,
    Path(id): Path<i64>,
    body: Bytes,
) -> Result<Response, PageError> {
    let permit = ctx
        .authorize::<policy::ManageLocality>(
            &st,
            Target::Locality(id),
            Some("create a locality team"),
        )
        .await?;
    let f = Fields::parse(&body);
    let mut errors = FormErrors::none();
    let phase = optional_id(
        f.get("team_age_phase"),
        "team_age_phase",
        "an age phase",
        &mut errors,
    );
    if phase.is_none() && errors.is_empty() {
        errors.add("team_age_phase", "Choose the age phase the team serves");
    }
    let base = optional_id(f.get("base"), "base", "a hub or site", &mut errors);
    let result = match phase {
        Some(age_phase_id) if errors.is_empty() => Some(
            st.store
                .create_team(
                    &permit,
                    NewTeam {
                        age_phase_id,
                        kind: f.get("kind").to_owned(),
                        name: f.get("team_name").to_owned(),
                        base_site_id: base,
                    },
                )
                .await
                .map(|_| ()),
        ),
        _ => None,
    };
    finish(&st, &ctx, id, f, errors, result, "team").await
}

/// POST /localities/{id}/members
pub async fn add_member(
    ctx: Ctx,
    State(st): State<AppState>,
    Path(id): Path<i64>,
    body: Bytes,
) -> Result<Response, PageError> {
    let permit = ctx
        .authorize::<policy::ManageLocality>(&st, Target::Locality(id), Some("add a team member"))
        .await?;
    let f = Fields::parse(&body);
    let mut errors = FormErrors::none();
    let team = optional_id(f.get("team"), "team", "a team", &mut errors);
    if team.is_none() && errors.get("team").is_none() {
        errors.add("team", "Choose a team");
    }
    let user = match st
        .store
        .staff_by_username(&permit, f.get("username"))
        .await?
    {
        Some(u) => Some(u),
        None => {
            errors.add("username", "Enter the username of someone with an account");
            None
        }
    };
    let since = f.get("since").trim().to_owned();
    if time::Date::parse(&since, &time::format_description::well_known::Iso8601::DATE).is_err() {
        errors.add(
            "since",
            "Enter the date they joined the team, like 2026-04-01",
        );
    }
    let result = match (team, user) {
        (Some(team), Some(user)) if errors.is_empty() => Some(
            st.store
                .add_team_member(
                    &permit,
                    team,
                    NewMember {
                        user_id: user.0,
                        relationship: f.get("relationship").to_owned(),
                        role_in_team: f.get("role_in_team").to_owned(),
                        sla_reference: Some(f.get("sla_reference").to_owned()),
                        since,
                    },
                )
                .await,
        ),
        _ => None,
    };
    finish(&st, &ctx, id, f, errors, result, "member").await
}

/// POST /localities/{id}/contacts
pub async fn set_contact(
    ctx: Ctx,
    State(st): State<AppState>,
    Path(id): Path<i64>,
    body: Bytes,
) -> Result<Response, PageError> {
    let permit = ctx
        .authorize::<policy::ManageLocality>(
            &st,
            Target::Locality(id),
            Some("name a city-wide service's contact"),
        )
        .await?;
    let f = Fields::parse(&body);
    let mut errors = FormErrors::none();
    let service = optional_id(f.get("service"), "service", "a service", &mut errors);
    if service.is_none() && errors.get("service").is_none() {
        errors.add("service", "Choose a city-wide service");
    }
    let user = match st
        .store
        .staff_by_username(&permit, f.get("contact_username"))
        .await?
    {
        Some(u) => Some(u),
        None => {
            errors.add(
                "contact_username",
                "Enter the username of someone with an account",
            );
            None
        }
    };
    let result = match (service, user) {
        (Some(s), Some(u)) if errors.is_empty() => {
            Some(st.store.set_citywide_contact(&permit, s, u.0).await)
        }
        _ => None,
    };
    finish(&st, &ctx, id, f, errors, result, "contact").await
}
