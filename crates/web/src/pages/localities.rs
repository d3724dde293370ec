//! Localities: the overview with its map, a profile per locality, the team directory of a
//! locality, and the postcode lookup ("which locality and hub serves this postcode").

use super::{render, render_status, Chrome};
use crate::error::{AppError, PageError};
use crate::forms::FormErrors;
use crate::svgmap::{self, Area};
use crate::{AppState, Ctx};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use everychild_domain::geo::{AreaCode, PostcodeError, Urn};
use everychild_domain::locality::{lead_locality, LeadDecision};
use everychild_policy::{self as policy, decide, Action, Decision, Permit, Target};
use everychild_store::{
    AgePhaseRow, Authority, CitywideContact, LocalityProfile, LocalityRow, SchoolRow, Site, Team,
};
use serde::Deserialize;

/// Which authority a page is about.
#[derive(Deserialize, Default)]
pub struct AuthorityQ {
    /// ONS code; the first authority if absent.
    authority: Option<String>,
}

/// Pick the authority named by `code` (or the first); 404 for an unknown code.
pub(crate) async fn choose_authority(
    st: &AppState,
    p: &Permit<policy::ViewLocalities>,
    code: Option<&str>,
) -> Result<(Vec<Authority>, Authority), AppError> {
    let all = st.store.authorities(p).await?;
    let chosen = match code.map(str::trim).filter(|c| !c.is_empty()) {
        Some(c) => all.iter().find(|a| a.code.eq_ignore_ascii_case(c)).cloned(),
        None => all.first().cloned(),
    }
    .ok_or(AppError::NotFound)?;
    Ok((all, chosen))
}

/// A locality in the overview.
pub struct OverviewRow {
    /// The locality.
    pub l: LocalityRow,
    /// Children and young people aged 0-19.
    pub children: i64,
    /// Hubs.
    pub hubs: Vec<Site>,
    /// Map colour.
    pub colour: &'static str,
}

#[derive(Template)]
#[template(path = "localities.html")]
struct OverviewPage {
    c: Chrome,
    authorities: Vec<Authority>,
    authority: Authority,
    phases: Vec<AgePhaseRow>,
    rows: Vec<OverviewRow>,
    retired: Vec<LocalityRow>,
    map: String,
}

/// GET /localities
pub async fn overview(
    ctx: Ctx,
    State(st): State<AppState>,
    Query(q): Query<AuthorityQ>,
) -> Result<Response, PageError> {
    let permit = ctx
        .authorize::<policy::ViewLocalities>(&st, Target::None, None)
        .await?;
    let (authorities, authority) = choose_authority(&st, &permit, q.authority.as_deref()).await?;
    let localities = st.store.localities(&permit, authority.id).await?;
    let wards = st.store.authority_wards(&permit, authority.id).await?;
    let sites = st.store.sites(&permit, authority.id).await?;
    let phases = st.store.age_phases(&permit, authority.id).await?;
    let (current, retired): (Vec<_>, Vec<_>) =
        localities.into_iter().partition(LocalityRow::is_current);
    let group_of = |ward: &str| {
        current
            .iter()
            .position(|l| l.wards.iter().any(|w| w.0 == ward))
    };
    let areas: Vec<Area> = wards
        .iter()
        .map(|w| Area {
            name: match group_of(&w.code) {
                Some(g) => format!("{} ward, {}", w.name, current[g].name),
                None => format!("{} ward", w.name),
            },
            geometry: w.geometry.clone().unwrap_or_default(),
            group: group_of(&w.code),
        })
        .collect();
    let labels: Vec<String> = current.iter().map(|l| l.name.clone()).collect();
    let map = svgmap::render(
        &format!(
            "Map of {}'s {} localities and their wards",
            authority.name,
            current.len()
        ),
        &areas,
        &labels,
    );
    let rows = current
        .into_iter()
        .enumerate()
        .map(|(i, l)| OverviewRow {
            children: wards
                .iter()
                .filter(|w| l.wards.iter().any(|x| x.0 == w.code))
                .map(|w| w.children)
                .sum(),
            hubs: sites
                .iter()
                .filter(|s| s.is_hub && s.locality_id == l.id)
                .cloned()
                .collect(),
            colour: svgmap::fill(i),
            l,
        })
        .collect();
    render(&OverviewPage {
        c: Chrome::new(
            &st,
            &ctx,
            format!("Localities in {}", authority.name),
            "/localities",
        ),
        authorities,
        authority,
        phases,
        rows,
        retired,
        map,
    })
}

/// Which boundary set a profile uses.
#[derive(Deserialize)]
pub struct SetQ {
    /// Boundary set id; the current one if absent.
    set: Option<i64>,
}

#[derive(Template)]
#[template(path = "locality.html")]
struct ProfilePage {
    c: Chrome,
    p: LocalityProfile,
    /// (decile, LSOAs, bar width)
    imd: Vec<(usize, i64, i64)>,
    idaci: Vec<(usize, i64, i64)>,
    map: String,
    can_see_teams: bool,
    /// Front-line staff: the teams around schools and clusters (a manager's, or one's own).
    can_see_group_teams: bool,
    can_see_dashboard: bool,
    is_current_set: bool,
}

fn bars(counts: &[i64; 10]) -> Vec<(usize, i64, i64)> {
    let max = counts.iter().copied().max().unwrap_or(0).max(1);
    counts
        .iter()
        .enumerate()
        .map(|(i, n)| (i + 1, *n, n * 200 / max))
        .collect()
}

/// GET /localities/{id}
pub async fn profile(
    ctx: Ctx,
    State(st): State<AppState>,
    Path(id): Path<i64>,
    Query(q): Query<SetQ>,
) -> Result<Response, PageError> {
    let permit = ctx
        .authorize::<policy::ViewLocalities>(&st, Target::None, None)
        .await?;
    let p = st
        .store
        .locality_profile(&permit, id, q.set)
        .await?
        .ok_or(AppError::NotFound)?;
    let current_set = st
        .store
        .locality_profile(&permit, id, None)
        .await?
        .and_then(|c| c.set_id);
    let wards = st.store.authority_wards(&permit, p.authority.id).await?;
    let areas: Vec<Area> = wards
        .iter()
        .map(|w| {
            let mine = p.locality.wards.iter().any(|x| x.0 == w.code);
            Area {
                name: format!(
                    "{} ward{}",
                    w.name,
                    if mine {
                        format!(", {}", p.locality.name)
                    } else {
                        String::new()
                    }
                ),
                geometry: w.geometry.clone().unwrap_or_default(),
                group: mine.then_some(0),
            }
        })
        .collect();
    let map = svgmap::render(
        &format!(
            "Map of {} showing the wards of {}",
            p.authority.name, p.locality.name
        ),
        &areas,
        std::slice::from_ref(&p.locality.name),
    );
    let can_see_teams =
        decide(&ctx.principal, Action::ViewTeams, &Target::Locality(id)) == Decision::Allow;
    let can_see_group_teams =
        decide(&ctx.principal, Action::FindChildBasis, &Target::None) == Decision::Allow;
    let can_see_dashboard = decide(
        &ctx.principal,
        Action::ViewLocalitySummary,
        &Target::Locality(id),
    ) == Decision::Allow;
    render(&ProfilePage {
        c: Chrome::new(&st, &ctx, p.locality.name.clone(), "/localities"),
        imd: bars(&p.imd_deciles),
        idaci: bars(&p.idaci_deciles),
        map,
        can_see_teams,
        can_see_group_teams,
        can_see_dashboard,
        is_current_set: p.set_id == current_set,
        p,
    })
}

/// Which age phase the team page shows.
#[derive(Deserialize)]
pub struct PhaseQ {
    /// Age phase id; all phases if absent.
    phase: Option<i64>,
}

#[derive(Template)]
#[template(path = "locality_teams.html")]
struct TeamsPage {
    c: Chrome,
    locality: LocalityRow,
    authority: Authority,
    phases: Vec<AgePhaseRow>,
    phase: Option<i64>,
    teams: Vec<Team>,
    contacts: Vec<CitywideContact>,
    can_manage: bool,
}

/// GET /localities/{id}/teams
pub async fn teams(
    ctx: Ctx,
    State(st): State<AppState>,
    Path(id): Path<i64>,
    Query(q): Query<PhaseQ>,
) -> Result<Response, PageError> {
    let permit = ctx
        .authorize::<policy::ViewTeams>(&st, Target::Locality(id), Some("contact a locality team"))
        .await?;
    let view = ctx
        .authorize::<policy::ViewLocalities>(&st, Target::None, None)
        .await?;
    let profile = st
        .store
        .locality_profile(&view, id, None)
        .await?
        .ok_or(AppError::NotFound)?;
    let phases = st.store.age_phases(&view, profile.authority.id).await?;
    let phase = q.phase.filter(|p| phases.iter().any(|x| x.id == *p));
    let (teams, contacts) = st.store.team_directory(&permit, phase).await?;
    render(&TeamsPage {
        c: Chrome::new(
            &st,
            &ctx,
            format!("Teams in {}", profile.locality.name),
            "/localities",
        ),
        locality: profile.locality,
        authority: profile.authority,
        phases,
        phase,
        teams,
        contacts,
        can_manage: decide(
            &ctx.principal,
            Action::ManageLocality,
            &Target::Locality(id),
        ) == Decision::Allow,
    })
}

/// The postcode lookup's query.
#[derive(Deserialize, Default)]
pub struct PostcodeQ {
    postcode: Option<String>,
    school: Option<String>,
    authority: Option<String>,
}

/// What a lookup found.
pub struct Found {
    /// The postcode.
    pub postcode: String,
    /// When it was terminated, if it has been.
    pub terminated: Option<String>,
    /// Ward name.
    pub ward: String,
    /// LSOA code.
    pub lsoa: String,
    /// Locality id and name.
    pub locality: Option<(i64, String)>,
    /// Hubs: phase, hub name, address, postcode.
    pub hubs: Vec<(String, String, String, String)>,
}

#[derive(Template)]
#[template(path = "postcode.html")]
struct PostcodePage {
    c: Chrome,
    errors: FormErrors,
    authorities: Vec<Authority>,
    authority: Authority,
    schools: Vec<SchoolRow>,
    postcode: String,
    school: String,
    found: Option<Found>,
    lead: Option<LeadDecision>,
}

/// GET /postcode
pub async fn postcode(
    ctx: Ctx,
    State(st): State<AppState>,
    Query(q): Query<PostcodeQ>,
) -> Result<Response, PageError> {
    let view = ctx
        .authorize::<policy::ViewLocalities>(&st, Target::None, None)
        .await?;
    let lookup = ctx
        .authorize::<policy::LookupPostcode>(&st, Target::None, None)
        .await?;
    let (authorities, authority) = choose_authority(&st, &view, q.authority.as_deref()).await?;
    let schools = st.store.schools(&view, authority.id).await?;
    let raw = q.postcode.unwrap_or_default();
    let school = q.school.unwrap_or_default();
    let mut errors = FormErrors::none();
    let mut found = None;
    let mut lead = None;
    let mut status = StatusCode::OK;
    if !raw.trim().is_empty() || !school.is_empty() {
        let index = st.store.geo_index(&lookup).await?;
        let code =
            AreaCode::parse(&authority.code).map_err(|e| AppError::Internal(e.to_string()))?;
        let urn = if school.is_empty() {
            None
        } else {
            match Urn::parse_field(&school, "school") {
                Ok(u) => Some(u),
                Err(e) => {
                    errors.push(e);
                    None
                }
            }
        };
        let school_answer = urn.and_then(|u| index.school(u));
        if urn.is_some() && school_answer.is_none() {
            errors.add("school", "Choose a school from the list");
        }
        let home = if raw.trim().is_empty() {
            None
        } else {
            match index.lookup(&raw, Some(&code)) {
                Ok(a) => {
                    found = Some(Found {
                        postcode: a.entry.postcode.to_string(),
                        terminated: a.entry.terminated.clone(),
                        ward: a.ward_name.unwrap_or("").to_owned(),
                        lsoa: a
                            .entry
                            .lsoa11
                            .as_ref()
                            .map(ToString::to_string)
                            .unwrap_or_default(),
                        locality: a.locality.map(|(i, n)| (i, n.to_owned())),
                        hubs: a
                            .hubs
                            .iter()
                            .map(|h| {
                                (
                                    h.phase_name.clone(),
                                    h.hub_name.clone(),
                                    h.address.clone(),
                                    h.postcode.clone(),
                                )
                            })
                            .collect(),
                    });
                    a.locality
                }
                Err(PostcodeError::Malformed(e)) => {
                    status = StatusCode::BAD_REQUEST;
                    errors.push(e);
                    None
                }
                Err(e @ PostcodeError::NotInAuthority { .. }) => {
                    status = StatusCode::NOT_FOUND;
                    let mut m = e.to_string();
                    if let PostcodeError::NotInAuthority {
                        lies_in: Some(l), ..
                    } = &e
                    {
                        m.push_str(&format!(": it is in {l}"));
                    }
                    errors.add("postcode", &m);
                    None
                }
            }
        };
        if errors.is_empty() && school_answer.is_some() {
            lead = Some(lead_locality(
                authority.lead_rule,
                home,
                school_answer.as_ref(),
            ));
        }
        if !errors.is_empty() && status == StatusCode::OK {
            status = StatusCode::BAD_REQUEST;
        }
    }
    render_status(
        status,
        &PostcodePage {
            c: Chrome::new(
                &st,
                &ctx,
                "Find the locality and hub for a postcode",
                "/postcode",
            )
            .errors(!errors.is_empty()),
            errors,
            authorities,
            authority,
            schools,
            postcode: raw,
            school,
            found,
            lead,
        },
    )
}
