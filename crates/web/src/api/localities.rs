//! The locality API: localities and their figures, boundary sets, the postcode lookup, hubs,
//! teams and the lead-locality rule. Localities, hubs and the postcode lookup are public;
//! boundary sets need a sign-in; teams (staff contact details) need a staff role.

use crate::error::{ApiError, AppError};
use crate::pages::localities::choose_authority;
use crate::{AppState, Ctx};
use axum::extract::{Path, Query, State};
use axum::Json;
use everychild_domain::geo::{AreaCode, PostcodeAnswer, PostcodeError, Urn};
use everychild_domain::locality::lead_locality;
use everychild_domain::FieldError;
use everychild_policy::{self as policy, Target};
use everychild_store::{BoundarySetSummary, Site, Team};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, OpenApi, ToSchema};

/// This module's part of the OpenAPI document.
#[derive(OpenApi)]
#[openapi(
    paths(list_localities, get_locality, list_boundary_sets, postcode, list_hubs, list_teams, lead, summary),
    components(schemas(LocalitiesOut, LocalityItem, Named, LocalityOut, PhaseOut, DeprivationOut, BoundarySetOut, PostcodeOut, PostcodeHub, HubOut, TeamOut, MemberOut, ContactOut, TeamsOut, LeadOut, SummaryOut, Count, RulesOut, PhaseLevelsOut, WaitingListOut, NeedMetOut, AskedOfferedReceivedOut, StuckPointOut)),
    tags((name = "localities"))
)]
pub struct LocalitiesDoc;

/// The authority to use.
#[derive(Deserialize, IntoParams)]
pub struct AuthorityParam {
    /// ONS code of the authority (e.g. E06000016); the first authority if absent.
    authority: Option<String>,
}

/// A code and a name.
#[derive(Serialize, ToSchema)]
pub struct Named {
    /// Code or id.
    code: String,
    /// Name.
    name: String,
}

/// A locality in a list.
#[derive(Serialize, ToSchema)]
pub struct LocalityItem {
    id: i64,
    name: String,
    /// Wards in the current boundary set (empty for a locality not in it).
    wards: Vec<Named>,
}

/// An authority's localities.
#[derive(Serialize, ToSchema)]
pub struct LocalitiesOut {
    authority: Named,
    localities: Vec<LocalityItem>,
}

#[utoipa::path(get, path = "/api/v1/localities", tag = "localities", params(AuthorityParam), security(()),
    responses((status = 200, body = LocalitiesOut), (status = 404, body = crate::error::ErrorBody)))]
/// An authority's localities with their current wards (public).
pub async fn list_localities(
    ctx: Ctx,
    State(st): State<AppState>,
    Query(q): Query<AuthorityParam>,
) -> Result<Json<LocalitiesOut>, ApiError> {
    let p = ctx
        .authorize::<policy::ViewLocalities>(&st, Target::None, None)
        .await?;
    let (_, a) = choose_authority(&st, &p, q.authority.as_deref()).await?;
    let localities = st.store.localities(&p, a.id).await?;
    Ok(Json(LocalitiesOut {
        authority: Named {
            code: a.code,
            name: a.name,
        },
        localities: localities
            .into_iter()
            .map(|l| LocalityItem {
                id: l.id,
                name: l.name,
                wards: l
                    .wards
                    .into_iter()
                    .map(|(code, name)| Named { code, name })
                    .collect(),
            })
            .collect(),
    }))
}

/// People in one age phase.
#[derive(Serialize, ToSchema)]
pub struct PhaseOut {
    age_phase: String,
    persons: i64,
    /// People of the ages served only with SEND, if the phase extends.
    send_extension: Option<i64>,
}

/// A locality's deprivation profile.
#[derive(Serialize, ToSchema)]
pub struct DeprivationOut {
    /// LSOAs (2011) in the locality.
    lsoas: i64,
    /// LSOAs per IMD 2019 decile, decile 1 (most deprived) first.
    imd_deciles: Vec<i64>,
    /// LSOAs per IDACI decile derived from the published score, decile 1 first.
    idaci_deciles: Vec<i64>,
    /// LSOAs whose IDACI decile is ambiguous (counted in the more deprived one).
    idaci_ambiguous: i64,
}

/// A locality with its figures under one boundary set.
#[derive(Serialize, ToSchema)]
pub struct LocalityOut {
    id: i64,
    name: String,
    authority: Named,
    /// The boundary set the figures are for.
    boundary_set_id: Option<i64>,
    wards: Vec<Named>,
    population: i64,
    /// People aged 0-19 (ONS mid-2020).
    children: i64,
    population_by_age_phase: Vec<PhaseOut>,
    deprivation: DeprivationOut,
    hubs: Vec<HubOut>,
}

/// Which boundary set.
#[derive(Deserialize, IntoParams)]
pub struct SetParam {
    /// Boundary set id; the current set if absent.
    set: Option<i64>,
}

#[utoipa::path(get, path = "/api/v1/localities/{id}", tag = "localities", params(("id" = i64, Path, description = "Locality id"), SetParam), security(()),
    responses((status = 200, body = LocalityOut), (status = 404, body = crate::error::ErrorBody)))]
/// A locality with its population by age phase and deprivation profile (public).
pub async fn get_locality(
    ctx: Ctx,
    State(st): State<AppState>,
    Path(id): Path<i64>,
    Query(q): Query<SetParam>,
) -> Result<Json<LocalityOut>, ApiError> {
    let p = ctx
        .authorize::<policy::ViewLocalities>(&st, Target::None, None)
        .await?;
    let x = st
        .store
        .locality_profile(&p, id, q.set)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(Json(LocalityOut {
        id: x.locality.id,
        name: x.locality.name,
        authority: Named {
            code: x.authority.code,
            name: x.authority.name,
        },
        boundary_set_id: x.set_id,
        wards: x
            .locality
            .wards
            .into_iter()
            .map(|(code, name)| Named { code, name })
            .collect(),
        population: x.population,
        children: x.children,
        population_by_age_phase: x
            .by_phase
            .into_iter()
            .map(|b| PhaseOut {
                age_phase: b.phase,
                persons: b.persons,
                send_extension: b.send_extension,
            })
            .collect(),
        deprivation: DeprivationOut {
            lsoas: x.lsoas,
            imd_deciles: x.imd_deciles.to_vec(),
            idaci_deciles: x.idaci_deciles.to_vec(),
            idaci_ambiguous: x.idaci_ambiguous,
        },
        hubs: x
            .sites
            .into_iter()
            .filter(|s| s.is_hub)
            .map(HubOut::from)
            .collect(),
    }))
}

/// A boundary set.
#[derive(Serialize, ToSchema)]
pub struct BoundarySetOut {
    id: i64,
    version: i64,
    name: String,
    note: String,
    is_current: bool,
    created_by: String,
    created_at: String,
    made_current_at: Option<String>,
    localities: i64,
}

impl From<BoundarySetSummary> for BoundarySetOut {
    fn from(s: BoundarySetSummary) -> Self {
        Self {
            id: s.id,
            version: s.version,
            name: s.name,
            note: s.note,
            is_current: s.is_current,
            created_by: s.created_by,
            created_at: s.created_at,
            made_current_at: s.made_current_at,
            localities: s.localities,
        }
    }
}

#[utoipa::path(get, path = "/api/v1/boundary-sets", tag = "localities", params(AuthorityParam),
    responses((status = 200, body = Vec<BoundarySetOut>), (status = 401, body = crate::error::ErrorBody)))]
/// An authority's boundary sets, newest first (signed-in users).
pub async fn list_boundary_sets(
    ctx: Ctx,
    State(st): State<AppState>,
    Query(q): Query<AuthorityParam>,
) -> Result<Json<Vec<BoundarySetOut>>, ApiError> {
    let sets = ctx
        .authorize::<policy::ViewBoundarySets>(&st, Target::None, None)
        .await?;
    let view = ctx
        .authorize::<policy::ViewLocalities>(&st, Target::None, None)
        .await?;
    let (_, a) = choose_authority(&st, &view, q.authority.as_deref()).await?;
    let list = st.store.boundary_sets(&sets, a.id).await?;
    Ok(Json(list.into_iter().map(BoundarySetOut::from).collect()))
}

/// A hub.
#[derive(Serialize, ToSchema)]
pub struct HubOut {
    id: i64,
    name: String,
    locality_id: i64,
    locality: String,
    age_phase: Option<String>,
    building_type: String,
    address: String,
    postcode: String,
}

impl From<Site> for HubOut {
    fn from(s: Site) -> Self {
        Self {
            id: s.id,
            name: s.name,
            locality_id: s.locality_id,
            locality: s.locality_name,
            age_phase: s.age_phase,
            building_type: s.building_type,
            address: s.address,
            postcode: s.postcode,
        }
    }
}

#[utoipa::path(get, path = "/api/v1/hubs", tag = "localities", params(AuthorityParam), security(()),
    responses((status = 200, body = Vec<HubOut>)))]
/// An authority's hubs (public).
pub async fn list_hubs(
    ctx: Ctx,
    State(st): State<AppState>,
    Query(q): Query<AuthorityParam>,
) -> Result<Json<Vec<HubOut>>, ApiError> {
    let p = ctx
        .authorize::<policy::ViewLocalities>(&st, Target::None, None)
        .await?;
    let (_, a) = choose_authority(&st, &p, q.authority.as_deref()).await?;
    let sites = st.store.sites(&p, a.id).await?;
    Ok(Json(
        sites
            .into_iter()
            .filter(|s| s.is_hub)
            .map(HubOut::from)
            .collect(),
    ))
}

/// What serves a postcode.
#[derive(Serialize, ToSchema)]
pub struct PostcodeOut {
    postcode: String,
    /// `YYYYMM` when the postcode was terminated, if it has been.
    terminated: Option<String>,
    authority: Named,
    ward: Option<Named>,
    lsoa11: Option<String>,
    locality: Option<Named>,
    latitude: Option<f64>,
    longitude: Option<f64>,
    /// The locality's hub for each age phase.
    hubs: Vec<PostcodeHub>,
}

/// A hub serving a postcode.
#[derive(Serialize, ToSchema)]
pub struct PostcodeHub {
    age_phase: String,
    id: i64,
    name: String,
    address: String,
    postcode: String,
}

fn postcode_out(a: &PostcodeAnswer<'_>, authority: &str) -> PostcodeOut {
    let ll = a.lat_lon();
    PostcodeOut {
        postcode: a.entry.postcode.to_string(),
        terminated: a.entry.terminated.clone(),
        authority: Named {
            code: a.entry.authority.to_string(),
            name: authority.to_owned(),
        },
        ward: a.entry.ward.as_ref().map(|c| Named {
            code: c.to_string(),
            name: a.ward_name.unwrap_or("").into(),
        }),
        lsoa11: a.entry.lsoa11.as_ref().map(ToString::to_string),
        locality: a.locality.map(|(id, n)| Named {
            code: id.to_string(),
            name: n.into(),
        }),
        latitude: ll.map(|l| l.latitude),
        longitude: ll.map(|l| l.longitude),
        hubs: a
            .hubs
            .iter()
            .map(|h| PostcodeHub {
                age_phase: h.phase_name.clone(),
                id: h.hub_id,
                name: h.hub_name.clone(),
                address: h.address.clone(),
                postcode: h.postcode.clone(),
            })
            .collect(),
    }
}

fn lookup_error(e: PostcodeError) -> AppError {
    match e {
        PostcodeError::Malformed(f) => AppError::Invalid(vec![f]),
        e @ PostcodeError::NotInAuthority { .. } => {
            let mut m = e.to_string();
            if let PostcodeError::NotInAuthority {
                lies_in: Some(l), ..
            } = &e
            {
                m.push_str(&format!(" (it is in {l})"));
            }
            AppError::NotFoundBecause(FieldError::new("postcode", m))
        }
    }
}

async fn authority_code(
    st: &AppState,
    ctx: &Ctx,
    code: Option<&str>,
) -> Result<(AreaCode, String, everychild_store::Authority), AppError> {
    let view = ctx
        .authorize::<policy::ViewLocalities>(st, Target::None, None)
        .await?;
    let (_, a) = choose_authority(st, &view, code).await?;
    let c = AreaCode::parse(&a.code).map_err(|e| AppError::Internal(e.to_string()))?;
    Ok((c, a.name.clone(), a))
}

#[utoipa::path(get, path = "/api/v1/postcodes/{postcode}", tag = "localities", params(("postcode" = String, Path, description = "A full postcode, any spacing or case"), AuthorityParam), security(()),
    responses((status = 200, body = PostcodeOut), (status = 400, body = crate::error::ErrorBody, description = "Not a postcode"), (status = 404, body = crate::error::ErrorBody, description = "Not in this authority")))]
/// The ward, LSOA, locality and hubs serving a postcode (public).
pub async fn postcode(
    ctx: Ctx,
    State(st): State<AppState>,
    Path(raw): Path<String>,
    Query(q): Query<AuthorityParam>,
) -> Result<Json<PostcodeOut>, ApiError> {
    let lookup = ctx
        .authorize::<policy::LookupPostcode>(&st, Target::None, None)
        .await?;
    let (code, name, _) = authority_code(&st, &ctx, q.authority.as_deref()).await?;
    let index = st.store.geo_index(&lookup).await?;
    let a = index.lookup(&raw, Some(&code)).map_err(lookup_error)?;
    Ok(Json(postcode_out(&a, &name)))
}

/// The lead-locality question.
#[derive(Deserialize, IntoParams)]
pub struct LeadParams {
    /// The child's home postcode.
    postcode: Option<String>,
    /// The URN of the child's school.
    school: Option<String>,
    /// ONS code of the authority; the first if absent.
    authority: Option<String>,
}

/// Which locality leads, and why.
#[derive(Serialize, ToSchema)]
pub struct LeadOut {
    locality: Option<Named>,
    reason: String,
    /// The authority's rule: `home` or `school`.
    rule: String,
}

#[utoipa::path(get, path = "/api/v1/lead-locality", tag = "localities", params(LeadParams), security(()),
    responses((status = 200, body = LeadOut), (status = 400, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody)))]
/// Which locality leads for a child, from the home postcode and school, with the reason (public).
pub async fn lead(
    ctx: Ctx,
    State(st): State<AppState>,
    Query(q): Query<LeadParams>,
) -> Result<Json<LeadOut>, ApiError> {
    let lookup = ctx
        .authorize::<policy::LookupPostcode>(&st, Target::None, None)
        .await?;
    let (code, _, authority) = authority_code(&st, &ctx, q.authority.as_deref()).await?;
    let index = st.store.geo_index(&lookup).await?;
    let mut errors = Vec::new();
    let home = match q
        .postcode
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        None => None,
        Some(raw) => match index.lookup(raw, Some(&code)) {
            Ok(a) => a.locality,
            Err(PostcodeError::NotInAuthority { .. }) => None,
            Err(PostcodeError::Malformed(f)) => {
                errors.push(f);
                None
            }
        },
    };
    let school = match q.school.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(raw) => match Urn::parse_field(raw, "school") {
            Ok(u) => match index.school(u) {
                Some(s) => Some(s),
                None => {
                    return Err(AppError::NotFoundBecause(FieldError::new(
                        "school",
                        format!("There is no open school with URN {u}"),
                    ))
                    .into())
                }
            },
            Err(f) => {
                errors.push(f);
                None
            }
        },
    };
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors).into());
    }
    if q.postcode.is_none() && q.school.is_none() {
        return Err(AppError::Invalid(vec![FieldError::new(
            "postcode",
            "Give a home postcode, a school URN, or both",
        )])
        .into());
    }
    let d = lead_locality(authority.lead_rule, home, school.as_ref());
    Ok(Json(LeadOut {
        locality: d.locality.map(|(id, name)| Named {
            code: id.to_string(),
            name,
        }),
        reason: d.reason,
        rule: authority.lead_rule.as_str().into(),
    }))
}

/// A team member.
#[derive(Serialize, ToSchema)]
pub struct MemberOut {
    user_id: i64,
    name: String,
    job_title: Option<String>,
    role_in_team: String,
    organisation: String,
    agency_type: String,
    line_manager: Option<String>,
    /// `matrix` or `coordination`.
    relationship: String,
    sla_reference: Option<String>,
    email: Option<String>,
    phone: Option<String>,
}

/// A team.
#[derive(Serialize, ToSchema)]
pub struct TeamOut {
    id: i64,
    name: String,
    /// `core` or `extended`.
    kind: String,
    age_phase: String,
    base: Option<String>,
    members: Vec<MemberOut>,
}

impl From<Team> for TeamOut {
    fn from(t: Team) -> Self {
        Self {
            id: t.id,
            name: t.name,
            kind: t.kind,
            age_phase: t.age_phase,
            base: t.base,
            members: t
                .members
                .into_iter()
                .map(|m| MemberOut {
                    user_id: m.user_id,
                    name: m.display_name,
                    job_title: m.job_title,
                    role_in_team: m.role_in_team,
                    organisation: m.organisation,
                    agency_type: m.agency_type,
                    line_manager: m.line_manager,
                    relationship: m.relationship,
                    sla_reference: m.sla_reference,
                    email: m.email,
                    phone: m.phone,
                })
                .collect(),
        }
    }
}

/// A city-wide service's contact for a locality.
#[derive(Serialize, ToSchema)]
pub struct ContactOut {
    service: String,
    organisation: String,
    user_id: i64,
    name: String,
    email: Option<String>,
    phone: Option<String>,
}

/// A locality's teams and contacts.
#[derive(Serialize, ToSchema)]
pub struct TeamsOut {
    teams: Vec<TeamOut>,
    citywide_contacts: Vec<ContactOut>,
}

/// Which teams.
#[derive(Deserialize, IntoParams)]
pub struct TeamsParams {
    /// Locality id.
    locality: Option<i64>,
    /// Age phase id; all if absent.
    phase: Option<i64>,
}

#[utoipa::path(get, path = "/api/v1/teams", tag = "localities", params(TeamsParams),
    responses((status = 200, body = TeamsOut), (status = 400, body = crate::error::ErrorBody), (status = 403, body = crate::error::ErrorBody)))]
/// A locality's core and extended teams and city-wide contacts (staff; audited).
pub async fn list_teams(
    ctx: Ctx,
    State(st): State<AppState>,
    Query(q): Query<TeamsParams>,
) -> Result<Json<TeamsOut>, ApiError> {
    let target = q.locality.map_or(Target::None, Target::Locality);
    let p = ctx
        .authorize::<policy::ViewTeams>(&st, target, Some("contact a locality team"))
        .await?;
    if q.locality.is_none() {
        let e = FieldError::new("locality", "Give the locality's id");
        return Err(AppError::Invalid(vec![e]).into());
    }
    let (teams, contacts) = st.store.team_directory(&p, q.phase).await?;
    Ok(Json(TeamsOut {
        teams: teams.into_iter().map(TeamOut::from).collect(),
        citywide_contacts: contacts
            .into_iter()
            .map(|c| ContactOut {
                service: c.service,
                organisation: c.organisation,
                user_id: c.user_id,
                name: c.display_name,
                email: c.email,
                phone: c.phone,
            })
            .collect(),
    }))
}

/// A count by name.
#[derive(Serialize, ToSchema)]
pub struct Count {
    /// What is counted (a status, a need code).
    name: String,
    /// How many.
    count: i64,
}

/// The casework rules in force (the deployment's settings).
#[derive(Serialize, ToSchema)]
pub struct RulesOut {
    /// Weeks without progress after which an open request is stuck.
    stuck_weeks: i64,
    /// Days early help may wait for a lead professional before it is stuck.
    no_lead_days: i64,
    /// Requests for support from this many different agencies …
    alert_agencies: usize,
    /// … within this many days raise the concern alert on a child's chronology.
    alert_days: i64,
}

/// Open requests in one age phase, by level of need.
#[derive(Serialize, ToSchema)]
pub struct PhaseLevelsOut {
    /// The phase's name, or words for the extension or other ages.
    phase: String,
    /// `phase`; `send_extension` (older than every phase, within the oldest phase's extension
    /// for special educational needs and disabilities); or `other` (older still, or the date
    /// of birth is not known).
    kind: String,
    /// Youngest age in the row (none for `other`).
    min_age: Option<i64>,
    /// Oldest age in the row (none for `other`).
    max_age: Option<i64>,
    /// Open requests at levels 1, 2, 3 and 4.
    by_level: [i64; 4],
    /// Open requests whose level is not decided yet.
    not_decided: i64,
}

/// A service's waiting list, as far as this locality's requests are on it.
#[derive(Serialize, ToSchema)]
pub struct WaitingListOut {
    /// The directory entry's id.
    entry_id: String,
    /// The service's name.
    service_name: String,
    /// Referrals from this locality waiting for a place.
    waiting: i64,
    /// Days the longest-waiting of them has waited.
    longest_wait_days: i64,
}

/// One need recorded on requests in the past 12 months, against what was offered and received.
#[derive(Serialize, ToSchema)]
pub struct NeedMetOut {
    /// The need's code (e.g. `dev_health`).
    need: String,
    /// Requests that record the need.
    requests: i64,
    /// Of those, requests where a referral for the need was offered a place.
    offered: i64,
    /// Of those, requests where a service for the need was received (started or ended).
    received: i64,
    /// Requests with the need that have not received a service for it.
    unmet: i64,
}

/// Requests in the past 12 months: asked for a service, offered one, received one.
#[derive(Serialize, ToSchema)]
pub struct AskedOfferedReceivedOut {
    /// Requests made.
    requests: i64,
    /// Requests that asked for a service.
    asked: i64,
    /// Requests with a referral offered a place.
    offered: i64,
    /// Requests with a referral received (started or ended).
    received: i64,
}

/// The stuck-case count when a panel's agenda was set.
#[derive(Serialize, ToSchema)]
pub struct StuckPointOut {
    /// When the panel meets (YYYY-MM-DD).
    meets_on: String,
    /// Stuck cases when its agenda was set.
    stuck_count: i64,
}

/// A locality's open work in counts: no child is named.
#[derive(Serialize, ToSchema)]
pub struct SummaryOut {
    /// Locality id.
    locality_id: i64,
    /// Locality name.
    name: String,
    /// The rules the stuck count was made by.
    rules: RulesOut,
    /// Requests waiting at the front door.
    awaiting_decision: i64,
    /// Open requests at levels 1, 2, 3 and 4.
    open_by_level: [i64; 4],
    /// Open requests by status.
    open_by_status: Vec<Count>,
    /// Early help agreed with no lead professional.
    without_lead: i64,
    /// Decided, open requests stuck now by `rules`: no change for `stuck_weeks` weeks, or early
    /// help without a lead professional for more than `no_lead_days` days.
    stuck: i64,
    /// Requests in the past year made within 12 months of the last one closing.
    re_referrals: i64,
    /// Step-ups in the past year.
    step_ups: i64,
    /// Step-downs in the past year.
    step_downs: i64,
    /// Requests closed in the past year with the child better, the same, worse.
    closed_by_outcome: [i64; 3],
    /// Needs seen in open requests, most common first.
    needs: Vec<Count>,
    /// Open actions past their due date.
    overdue_actions: i64,
    /// Teams whose review of the plan is past due.
    overdue_reviews: i64,
    /// Open requests by age phase (age today) and level: the authority's phases, then the
    /// oldest phase's SEND extension if it has one, then other ages.
    open_by_phase: Vec<PhaseLevelsOut>,
    /// Services whose waiting list holds referrals from this locality, longest list first.
    waiting_lists: Vec<WaitingListOut>,
    /// Each need recorded on requests in the past 12 months, most unmet first.
    need_met: Vec<NeedMetOut>,
    /// Requests in the past 12 months that asked for, were offered and received a service.
    asked_offered_received: AskedOfferedReceivedOut,
    /// Stuck cases when each panel's agenda was set, oldest first.
    stuck_trend: Vec<StuckPointOut>,
}

#[utoipa::path(get, path = "/api/v1/localities/{id}/summary", tag = "localities", params(("id" = i64, Path, description = "Locality id")),
    responses((status = 200, body = SummaryOut), (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody)))]
/// Open work in a locality in counts (its locality managers, commissioners and analysts).
pub async fn summary(
    ctx: Ctx,
    State(st): State<AppState>,
    Path(id): Path<i64>,
) -> Result<Json<SummaryOut>, ApiError> {
    let p = ctx
        .authorize::<policy::ViewLocalitySummary>(&st, Target::Locality(id), None)
        .await?;
    let s = st.store.locality_summary(&p).await?;
    let name = s.locality_name.clone().ok_or(AppError::NotFound)?;
    let counts = |v: Vec<(String, i64)>| {
        v.into_iter()
            .map(|(name, count)| Count { name, count })
            .collect()
    };
    let aor = s.asked_offered_received;
    Ok(Json(SummaryOut {
        locality_id: id,
        name,
        rules: RulesOut {
            stuck_weeks: s.rules.stuck_weeks,
            no_lead_days: s.rules.no_lead_days,
            alert_agencies: s.rules.alert_agencies,
            alert_days: s.rules.alert_days,
        },
        awaiting_decision: s.awaiting_decision,
        open_by_level: s.open_by_level,
        open_by_status: counts(s.open_by_status),
        without_lead: s.without_lead,
        stuck: s.stuck,
        re_referrals: s.re_referrals,
        step_ups: s.step_ups,
        step_downs: s.step_downs,
        closed_by_outcome: s.closed_by_outcome,
        needs: counts(s.needs),
        overdue_actions: s.overdue_actions,
        overdue_reviews: s.overdue_reviews,
        open_by_phase: s
            .open_by_phase
            .into_iter()
            .map(|r| PhaseLevelsOut {
                phase: r.phase,
                kind: r.kind,
                min_age: r.min_age,
                max_age: r.max_age,
                by_level: r.by_level,
                not_decided: r.not_decided,
            })
            .collect(),
        waiting_lists: s
            .waiting_lists
            .into_iter()
            .map(|w| WaitingListOut {
                entry_id: w.entry_id,
                service_name: w.service_name,
                waiting: w.waiting,
                longest_wait_days: w.longest_wait_days,
            })
            .collect(),
        need_met: s
            .need_met
            .into_iter()
            .map(|n| NeedMetOut {
                need: n.need,
                requests: n.requests,
                offered: n.offered,
                received: n.received,
                unmet: n.unmet,
            })
            .collect(),
        asked_offered_received: AskedOfferedReceivedOut {
            requests: aor.requests,
            asked: aor.asked,
            offered: aor.offered,
            received: aor.received,
        },
        stuck_trend: s
            .stuck_trend
            .into_iter()
            .map(|p| StuckPointOut {
                meets_on: p.meets_on,
                stuck_count: p.stuck_count,
            })
            .collect(),
    }))
}
