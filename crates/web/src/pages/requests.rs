//! Requests for support: a practitioner asks for help for a child they work with; the lead
//! locality's front door decides the level of need and the route; the lead professional (or the
//! locality manager) runs the team around the child, changes the level and closes with an
//! outcome. Every form names its problems and changes nothing when it has any.

use super::children::child_permit;
use super::{render, render_status, Chrome};
use crate::error::{AppError, PageError};
use crate::forms::{Fields, FormErrors};
use crate::{AppState, Ctx};
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use everychild_domain::casework::{
    ClosureReason, Command, ConsentPurpose, Level, Need, NewAction, NewMeeting, Outcome, Route,
    SocialCareOutcome,
};
use everychild_domain::FieldError;
use everychild_policy::{self as policy, decide, Action, Decision, Principal, Target};
use everychild_store::{RequestDetail, RequestSummary};

/// Every locality of every authority, `(id, name)`.
pub(crate) async fn all_localities(
    st: &AppState,
    ctx: &Ctx,
) -> Result<Vec<(i64, String)>, AppError> {
    let lookup = ctx
        .authorize::<policy::ViewLocalities>(st, Target::None, None)
        .await?;
    let mut out = Vec::new();
    for a in st.store.authorities(&lookup).await? {
        for l in st.store.localities(&lookup, a.id).await? {
            out.push((l.id, l.name));
        }
    }
    Ok(out)
}

#[derive(Template)]
#[template(path = "request_new.html")]
struct NewPage {
    c: Chrome,
    errors: FormErrors,
    v: Fields,
    child: i64,
    child_name: String,
    localities: Vec<(i64, String)>,
}

impl NewPage {
    fn groups(&self) -> Vec<(&'static str, Vec<Need>)> {
        let mut out: Vec<(&'static str, Vec<Need>)> = Vec::new();
        for n in Need::ALL {
            match out.last_mut() {
                Some((d, v)) if *d == n.domain() => v.push(*n),
                _ => out.push((n.domain(), vec![*n])),
            }
        }
        out
    }
    fn purposes(&self) -> &'static [ConsentPurpose] {
        ConsentPurpose::ALL
    }
    fn checked(&self, name: &str, value: &str) -> bool {
        self.v.all(name).contains(&value)
    }
}

async fn new_page(
    st: &AppState,
    ctx: &Ctx,
    child: i64,
    errors: FormErrors,
    v: Fields,
) -> Result<Response, PageError> {
    let Some((view, _)) = child_permit::<policy::ViewChild>(
        st,
        ctx,
        child,
        Action::ViewChild,
        "ask for support for a child I work with",
    )
    .await?
    else {
        return Err(AppError::Forbidden.into());
    };
    let rec = st
        .store
        .view_child(&view)
        .await?
        .ok_or(AppError::NotFound)?;
    let localities = all_localities(st, ctx).await?;
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::BAD_REQUEST
    };
    render_status(
        status,
        &NewPage {
            c: Chrome::new(st, ctx, "Ask for support", "/children").errors(!errors.is_empty()),
            errors,
            v,
            child,
            child_name: format!("{} {}", rec.child.given_name, rec.child.family_name),
            localities,
        },
    )
}

/// GET /children/{id}/requests/new
pub async fn new(
    ctx: Ctx,
    State(st): State<AppState>,
    Path(child): Path<i64>,
) -> Result<Response, PageError> {
    if child_permit::<policy::RequestSupport>(
        &st,
        &ctx,
        child,
        Action::RequestSupport,
        "ask for support",
    )
    .await?
    .is_none()
    {
        return Err(AppError::Forbidden.into());
    }
    new_page(&st, &ctx, child, FormErrors::none(), Fields::default()).await
}

/// POST /children/{id}/requests
pub async fn create(
    ctx: Ctx,
    State(st): State<AppState>,
    Path(child): Path<i64>,
    body: Bytes,
) -> Result<Response, PageError> {
    let Some((permit, _)) = child_permit::<policy::RequestSupport>(
        &st,
        &ctx,
        child,
        Action::RequestSupport,
        "ask for support for a child I work with",
    )
    .await?
    else {
        return Err(AppError::Forbidden.into());
    };
    let f = Fields::parse(&body);
    let mut errors = FormErrors::none();
    let needs = errors.take(Need::parse_list(f.all("needs")));
    let mut consents = Vec::new();
    for c in f.all("consent") {
        if let Some(c) = errors.take(ConsentPurpose::parse(c)) {
            consents.push(c);
        }
    }
    let locality = match f.get("locality").trim() {
        "" => None,
        l => match l.parse::<i64>() {
            Ok(l) => Some(l),
            Err(_) => {
                errors.add("locality", "Choose a locality from the list");
                None
            }
        },
    };
    let text = |name: &str| Some(f.get(name).trim().to_owned()).filter(|s| !s.is_empty());
    for (name, what, max) in [
        ("concern", "What you have seen", 4000),
        ("service_asked", "The service asked for", 500),
        ("family_words", "The child's and family's words", 4000),
    ] {
        if f.get(name).chars().count() > max {
            errors.add(name, &format!("{what} must be {max} characters or fewer"));
        }
    }
    if let (Some(needs), true) = (needs, errors.is_empty()) {
        let r = everychild_store::NewRequest {
            concern: f.get("concern").to_owned(),
            needs,
            service_asked: text("service_asked"),
            family_words: text("family_words"),
            consents,
            consent_given_by: text("consent_given_by"),
            locality,
        };
        match st.store.make_request(&permit, r).await {
            Ok(id) => return Ok(Redirect::to(&format!("/requests/{id}")).into_response()),
            Err(e) => errors.refusal(e)?,
        }
    }
    new_page(&st, &ctx, child, errors, f).await
}

#[derive(Template)]
#[template(path = "request.html")]
struct DetailPage {
    c: Chrome,
    errors: FormErrors,
    v: Fields,
    r: RequestDetail,
    can_decide: bool,
    can_manage: bool,
    candidates: Vec<(i64, String)>,
    plan: everychild_store::Plan,
    /// The team's current members (for choosing an action's owner).
    members: Vec<(i64, String)>,
    me: i64,
    /// Organisations a consent may name, `(id, name)`: those of the team's current members,
    /// then the others.
    consent_orgs: super::assessment::ConsentOrgs,
    /// What was just done, for the success banner.
    done: Option<&'static str>,
    /// Referrals to services, with what may be done to each.
    referrals: Vec<super::referrals::ReferralView>,
    /// Whether the family's consent to referral is in force.
    refer_consent: bool,
}

impl DetailPage {
    fn levels(&self) -> &'static [Level] {
        Level::ALL
    }
    fn routes(&self) -> &'static [Route] {
        Route::ALL
    }
    fn outcomes(&self) -> &'static [Outcome] {
        Outcome::ALL
    }
    fn reasons(&self) -> &'static [ClosureReason] {
        ClosureReason::ALL
    }
    fn purposes(&self) -> &'static [ConsentPurpose] {
        ConsentPurpose::ALL
    }
    fn social_care_outcomes(&self) -> &'static [SocialCareOutcome] {
        SocialCareOutcome::ALL
    }
    fn can(&self, command: &str) -> bool {
        self.r.allowed.contains(&command)
    }
    fn level_label(&self, l: &Option<Level>) -> &'static str {
        l.map(|l| l.label()).unwrap_or("Not decided yet")
    }
}

/// The request's child and locality, or not found.
pub(crate) async fn scope(st: &AppState, ctx: &Ctx, id: i64) -> Result<(i64, i64), AppError> {
    let find = ctx
        .authorize::<policy::FindChildBasis>(st, Target::None, None)
        .await?;
    st.store
        .request_scope(&find, id)
        .await?
        .ok_or(AppError::NotFound)
}

async fn detail_page(
    st: &AppState,
    ctx: &Ctx,
    id: i64,
    errors: FormErrors,
    v: Fields,
) -> Result<Response, PageError> {
    detail_page_with(st, ctx, id, errors, v, None).await
}

/// The request's page, with the forms' errors and values, or a success banner.
pub(crate) async fn detail_page_with(
    st: &AppState,
    ctx: &Ctx,
    id: i64,
    errors: FormErrors,
    v: Fields,
    done: Option<&'static str>,
) -> Result<Response, PageError> {
    let (child, locality) = scope(st, ctx, id).await?;
    let Some((view, _)) = child_permit::<policy::ViewRequest>(
        st,
        ctx,
        child,
        Action::ViewRequest,
        "work on a request for support",
    )
    .await?
    else {
        return Err(AppError::Forbidden.into());
    };
    let r = st
        .store
        .request_detail(&view, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let can_decide = decide(
        &ctx.principal,
        Action::DecideRequest,
        &Target::Locality(locality),
    ) == Decision::Allow;
    let manage = child_permit::<policy::ManageRequest>(
        st,
        ctx,
        child,
        Action::ManageRequest,
        "choose the team around the child",
    )
    .await?;
    let candidates = match &manage {
        Some((p, _)) if r.summary.status.is_open() => st.store.team_candidates(p, id).await?,
        _ => Vec::new(),
    };
    let consent_orgs = if manage.is_some() && r.summary.status.is_open() {
        super::assessment::consent_organisations(st, ctx, &r).await?
    } else {
        Default::default()
    };
    let plan = st.store.plan(&view, id).await?;
    let members = r
        .team
        .iter()
        .filter(|m| m.until.is_none())
        .map(|m| (m.user_id, format!("{} ({})", m.name, m.team_role)))
        .collect();
    let me = match &ctx.principal {
        Principal::User(a) => a.user_id.0,
        _ => 0,
    };
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::BAD_REQUEST
    };
    render_status(
        status,
        &DetailPage {
            c: Chrome::new(
                st,
                ctx,
                format!("Request for support for {}", r.summary.child_name),
                "/children",
            )
            .errors(!errors.is_empty()),
            errors,
            v,
            can_decide,
            can_manage: manage.is_some(),
            candidates,
            plan,
            members,
            me,
            consent_orgs,
            done,
            referrals: super::referrals::views(&r.referrals),
            refer_consent: super::referrals::has_refer_consent(&r),
            r,
        },
    )
}

/// What the request's page was sent back with after a change.
#[derive(Debug, Default, serde::Deserialize)]
pub struct Shown {
    #[serde(default)]
    done: String,
}

/// GET /requests/{id}
pub async fn show(
    ctx: Ctx,
    State(st): State<AppState>,
    Path(id): Path<i64>,
    Query(q): Query<Shown>,
) -> Result<Response, PageError> {
    let done = super::referrals::done_text(&q.done);
    detail_page_with(&st, &ctx, id, FormErrors::none(), Fields::default(), done).await
}

fn version(f: &Fields, errors: &mut FormErrors) -> i64 {
    match f.get("version").parse() {
        Ok(v) => v,
        Err(_) => {
            errors.add("version", "The form is out of date: reload the page");
            0
        }
    }
}

/// POST /requests/{id}/decide: the front door's decision.
pub async fn decide_request(
    ctx: Ctx,
    State(st): State<AppState>,
    Path(id): Path<i64>,
    body: Bytes,
) -> Result<Response, PageError> {
    let (_, locality) = scope(&st, &ctx, id).await?;
    let permit = ctx
        .authorize::<policy::DecideRequest>(
            &st,
            Target::Locality(locality),
            Some("decide the level of need and route"),
        )
        .await?;
    let f = Fields::parse(&body);
    let mut errors = FormErrors::none();
    let level = errors.take(Level::parse(f.get("level")));
    let route = errors.take(Route::parse(f.get("route")));
    let version = version(&f, &mut errors);
    if let (Some(level), Some(route), true) = (level, route, errors.is_empty()) {
        let cmd = Command::Decide {
            level,
            route,
            rationale: f.get("rationale").to_owned(),
        };
        match st.store.decide_request(&permit, id, version, cmd).await {
            Ok(()) => return Ok(Redirect::to(&format!("/requests/{id}")).into_response()),
            Err(e) => errors.refusal(e)?,
        }
    }
    detail_page(&st, &ctx, id, errors, f).await
}

/// What a manage form asks for.
enum Manage {
    Panel,
    Meeting,
    Action,
    Lead,
    Member,
    Level,
    Close,
    SocialCare,
    Withdraw(i64),
}

async fn manage(
    ctx: Ctx,
    st: AppState,
    id: i64,
    body: Bytes,
    what: Manage,
) -> Result<Response, PageError> {
    let (child, _) = scope(&st, &ctx, id).await?;
    let Some((permit, _)) = child_permit::<policy::ManageRequest>(
        &st,
        &ctx,
        child,
        Action::ManageRequest,
        "run the team around the child",
    )
    .await?
    else {
        return Err(AppError::Forbidden.into());
    };
    let f = Fields::parse(&body);
    let mut errors = FormErrors::none();
    let user = |name: &'static str, errors: &mut FormErrors| match f.get(name).parse::<i64>() {
        Ok(u) => Some(u),
        Err(_) => {
            errors.push(FieldError::new(name, "Choose someone from the list"));
            None
        }
    };
    let result = match what {
        Manage::Lead => {
            let v = version(&f, &mut errors);
            match user("lead", &mut errors) {
                Some(u) if errors.is_empty() => Some(
                    st.store
                        .manage_request(
                            &permit,
                            id,
                            v,
                            Command::AppointLead { user: u },
                            Some(f.get("handover_note")),
                        )
                        .await,
                ),
                _ => None,
            }
        }
        Manage::Member => match user("member", &mut errors) {
            Some(u) => Some(
                st.store
                    .add_to_team(&permit, id, u, f.get("team_role"))
                    .await,
            ),
            None => None,
        },
        Manage::Level => {
            let v = version(&f, &mut errors);
            match errors.take(Level::parse(f.get("new_level"))) {
                Some(level) if errors.is_empty() => Some(
                    st.store
                        .manage_request(
                            &permit,
                            id,
                            v,
                            Command::ChangeLevel {
                                level,
                                reason: f.get("reason").to_owned(),
                            },
                            None,
                        )
                        .await,
                ),
                _ => None,
            }
        }
        Manage::Close => {
            let v = version(&f, &mut errors);
            let outcome = errors.take(Outcome::parse(f.get("outcome")));
            let reason = errors.take(ClosureReason::parse(f.get("closure_reason")));
            let mut need_outcomes = Vec::new();
            for (k, val) in f.with_prefix("outcome-") {
                if let (Ok(n), Ok(o)) = (Need::parse(k), Outcome::parse(val)) {
                    need_outcomes.push((n, o));
                }
            }
            match (outcome, reason) {
                (Some(outcome), Some(reason)) if errors.is_empty() => Some(
                    st.store
                        .manage_request(
                            &permit,
                            id,
                            v,
                            Command::Close {
                                outcome,
                                summary: f.get("summary").to_owned(),
                                reason,
                                need_outcomes,
                                feedback: f.get("feedback").to_owned(),
                            },
                            None,
                        )
                        .await,
                ),
                _ => None,
            }
        }
        Manage::SocialCare => {
            let v = version(&f, &mut errors);
            match errors.take(SocialCareOutcome::parse(f.get("social_care_outcome"))) {
                Some(outcome) if errors.is_empty() => Some(
                    st.store
                        .manage_request(
                            &permit,
                            id,
                            v,
                            Command::SocialCareOutcome {
                                outcome,
                                note: f.get("social_care_note").to_owned(),
                            },
                            None,
                        )
                        .await,
                ),
                _ => None,
            }
        }
        Manage::Withdraw(c) => Some(st.store.withdraw_consent(&permit, id, c).await),
        Manage::Panel => Some(st.store.refer_to_panel(&permit, id, f.get("why")).await),
        Manage::Meeting => match NewMeeting::parse(
            f.get("held_on"),
            f.get("attendees"),
            f.get("decisions"),
            f.get("is_review") == "yes",
            st.clock.now().date(),
        ) {
            Ok(m) => Some(st.store.add_meeting(&permit, id, &m).await),
            Err(es) => {
                es.into_iter().for_each(|e| errors.push(e));
                None
            }
        },
        Manage::Action => match NewAction::parse(
            f.get("description"),
            f.get("owner"),
            f.get("due"),
            st.clock.now().date(),
        ) {
            Ok(a) => Some(st.store.add_action(&permit, id, &a).await.map(|_| ())),
            Err(es) => {
                es.into_iter().for_each(|e| errors.push(e));
                None
            }
        },
    };
    match result {
        Some(Ok(())) => Ok(Redirect::to(&format!("/requests/{id}")).into_response()),
        Some(Err(e)) => {
            errors.refusal(e)?;
            detail_page(&st, &ctx, id, errors, f).await
        }
        None => detail_page(&st, &ctx, id, errors, f).await,
    }
}

/// POST /requests/{id}/lead
pub async fn lead(
    ctx: Ctx,
    State(st): State<AppState>,
    Path(id): Path<i64>,
    body: Bytes,
) -> Result<Response, PageError> {
    manage(ctx, st, id, body, Manage::Lead).await
}

/// POST /requests/{id}/members
pub async fn member(
    ctx: Ctx,
    State(st): State<AppState>,
    Path(id): Path<i64>,
    body: Bytes,
) -> Result<Response, PageError> {
    manage(ctx, st, id, body, Manage::Member).await
}

/// POST /requests/{id}/level
pub async fn level(
    ctx: Ctx,
    State(st): State<AppState>,
    Path(id): Path<i64>,
    body: Bytes,
) -> Result<Response, PageError> {
    manage(ctx, st, id, body, Manage::Level).await
}

/// POST /requests/{id}/social-care
pub async fn social_care(
    ctx: Ctx,
    State(st): State<AppState>,
    Path(id): Path<i64>,
    body: Bytes,
) -> Result<Response, PageError> {
    manage(ctx, st, id, body, Manage::SocialCare).await
}

/// POST /requests/{id}/close
pub async fn close(
    ctx: Ctx,
    State(st): State<AppState>,
    Path(id): Path<i64>,
    body: Bytes,
) -> Result<Response, PageError> {
    manage(ctx, st, id, body, Manage::Close).await
}

/// POST /requests/{id}/consents/{consent}/withdraw
pub async fn withdraw(
    ctx: Ctx,
    State(st): State<AppState>,
    Path((id, consent)): Path<(i64, i64)>,
    body: Bytes,
) -> Result<Response, PageError> {
    manage(ctx, st, id, body, Manage::Withdraw(consent)).await
}

#[derive(Template)]
#[template(path = "child_requests.html")]
struct ChildRequestsPage {
    c: Chrome,
    child: i64,
    requests: Vec<RequestSummary>,
    can_ask: bool,
}

/// GET /children/{id}/requests
pub async fn for_child(
    ctx: Ctx,
    State(st): State<AppState>,
    Path(child): Path<i64>,
) -> Result<Response, PageError> {
    let Some((view, basis)) = child_permit::<policy::ViewRequest>(
        &st,
        &ctx,
        child,
        Action::ViewRequest,
        "see the support asked for a child",
    )
    .await?
    else {
        return Err(AppError::Forbidden.into());
    };
    let requests = st.store.child_requests(&view).await?;
    let can_ask = decide(
        &ctx.principal,
        Action::RequestSupport,
        &Target::Child { id: child, basis },
    ) == Decision::Allow;
    render(&ChildRequestsPage {
        c: Chrome::new(&st, &ctx, "Requests for support", "/children"),
        child,
        requests,
        can_ask,
    })
}

#[derive(Template)]
#[template(path = "front_door.html")]
struct FrontDoorPage {
    c: Chrome,
    doors: Vec<Door>,
}

struct Door {
    id: i64,
    locality: String,
    waiting: Vec<RequestSummary>,
    open: Vec<RequestSummary>,
    summary: everychild_store::LocalitySummary,
    can_see_dashboard: bool,
}

impl FrontDoorPage {
    fn need_label(&self, code: &str) -> &'static str {
        Need::parse(code).map(|n| n.label()).unwrap_or("Other")
    }
}

/// GET /front-door: the front door of each locality the manager works in.
pub async fn front_door(ctx: Ctx, State(st): State<AppState>) -> Result<Response, PageError> {
    // Signed in, and on the front line.
    ctx.authorize::<policy::FindChildBasis>(&st, Target::None, None)
        .await?;
    let localities = match &ctx.principal {
        Principal::User(a) => a.localities.clone(),
        _ => Vec::new(),
    };
    let names = all_localities(&st, &ctx).await?;
    let mut doors = Vec::new();
    for l in localities {
        if decide(&ctx.principal, Action::ViewFrontDoor, &Target::Locality(l)) != Decision::Allow {
            continue;
        }
        let p = ctx
            .authorize::<policy::ViewFrontDoor>(
                &st,
                Target::Locality(l),
                Some("decide requests for support at the front door"),
            )
            .await?;
        let (waiting, open) = st.store.front_door(&p).await?;
        let sp = ctx
            .authorize::<policy::ViewLocalitySummary>(&st, Target::Locality(l), None)
            .await?;
        let summary = st.store.locality_summary(&sp).await?;
        doors.push(Door {
            id: l,
            locality: names
                .iter()
                .find(|n| n.0 == l)
                .map(|n| n.1.clone())
                .unwrap_or_default(),
            waiting,
            open,
            summary,
            can_see_dashboard: decide(
                &ctx.principal,
                Action::ViewLocalitySummary,
                &Target::Locality(l),
            ) == Decision::Allow,
        });
    }
    let manager = matches!(&ctx.principal, Principal::User(a) if a.role == everychild_domain::Role::LocalityManager);
    if doors.is_empty() && !manager {
        return Err(AppError::Forbidden.into());
    }
    render(&FrontDoorPage {
        c: Chrome::new(&st, &ctx, "Front door", "/front-door"),
        doors,
    })
}

/// POST /requests/{id}/meetings
pub async fn meeting(
    ctx: Ctx,
    State(st): State<AppState>,
    Path(id): Path<i64>,
    body: Bytes,
) -> Result<Response, PageError> {
    manage(ctx, st, id, body, Manage::Meeting).await
}

/// POST /requests/{id}/actions
pub async fn action(
    ctx: Ctx,
    State(st): State<AppState>,
    Path(id): Path<i64>,
    body: Bytes,
) -> Result<Response, PageError> {
    manage(ctx, st, id, body, Manage::Action).await
}

/// POST /requests/{id}/actions/{action}/done: the owner, the lead or the manager.
pub async fn action_done(
    ctx: Ctx,
    State(st): State<AppState>,
    Path((id, action)): Path<(i64, i64)>,
) -> Result<Response, PageError> {
    let (child, _) = scope(&st, &ctx, id).await?;
    let Some((permit, _)) = child_permit::<policy::ViewRequest>(
        &st,
        &ctx,
        child,
        Action::ViewRequest,
        "mark an action of the plan done",
    )
    .await?
    else {
        return Err(AppError::Forbidden.into());
    };
    let mut errors = FormErrors::none();
    match st.store.complete_action(&permit, id, action).await {
        Ok(()) => Ok(Redirect::to(&format!("/requests/{id}")).into_response()),
        Err(e) => {
            errors.refusal(e)?;
            detail_page(&st, &ctx, id, errors, Fields::default()).await
        }
    }
}

/// POST /requests/{id}/panel: bring the case to the locality panel.
pub async fn refer_to_panel(
    ctx: Ctx,
    State(st): State<AppState>,
    Path(id): Path<i64>,
    body: Bytes,
) -> Result<Response, PageError> {
    manage(ctx, st, id, body, Manage::Panel).await
}
