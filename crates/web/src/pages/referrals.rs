//! Referrals from a request for support to services in the directory. The lead professional
//! (or the locality manager) searches the directory from the request and sees, for each
//! service, whether the child is eligible and, if not, every reason why, with its places and
//! waiting time; chooses one and the need it is for; and refers, giving a reason when the
//! service's rules leave the child out. What the service then does (offers a place, declines,
//! starts, ends) and a withdrawal are recorded on the request's page. The eligibility shown is
//! the domain's one check ([`check_eligibility`]), which the store repeats against the entry's
//! live version when the referral is made.

use super::children::child_permit;
use super::find_support::{capacity_text, short, waiting_text};
use super::requests::{all_localities, detail_page_with, scope};
use super::{render_status, Chrome};
use crate::error::{AppError, PageError};
use crate::forms::{Fields, FormErrors};
use crate::{AppState, Ctx};
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use everychild_domain::casework::referral::{
    allowed, check_eligibility, ChildFacts, ReferralCommand, ReferralStatus,
};
use everychild_domain::casework::{ConsentPurpose, Need, Outcome, Status};
use everychild_domain::directory::search::{DirectoryIndex, Published, Query as Find};
use everychild_policy::{self as policy, Action, Permit, Target};
use everychild_store::{ReferralRow, RequestDetail, StoreError, OVERRIDE_MAX};
use serde::Deserialize;
use std::collections::{BTreeMap, HashMap};

/// Services a search shows at most (eligible ones first).
const SHOWN: usize = 25;

/// The success banner's words for `?done=` on the request's page.
pub(crate) fn done_text(code: &str) -> Option<&'static str> {
    Some(match code {
        "referral-referred" => "The referral has been made",
        "referral-waiting" => "The service has no places now: the child is on its waiting list",
        "referral-offer" => "The offer of a place has been recorded",
        "referral-decline" => "The service's refusal has been recorded",
        "referral-withdraw" => "The referral has been withdrawn",
        "referral-start" => "The start of the service has been recorded",
        "referral-end" => "The end of the service has been recorded",
        _ => return None,
    })
}

/// Whether the family's consent to referral is in force on the request.
pub(crate) fn has_refer_consent(r: &RequestDetail) -> bool {
    r.consents
        .iter()
        .any(|c| c.purpose == ConsentPurpose::Refer && c.withdrawn_at.is_none())
}

/// A referral as the request's page shows it, with the commands its status allows.
pub struct ReferralView {
    /// The stored row.
    pub row: ReferralRow,
    /// The status tag's colour.
    pub colour: &'static str,
    /// The commands that apply.
    pub allowed: &'static [&'static str],
}

impl ReferralView {
    /// Whether `command` applies now.
    pub fn can(&self, command: &str) -> bool {
        self.allowed.contains(&command)
    }
    /// The field a form's error is shown against.
    pub fn field(&self, part: &str) -> String {
        if part.is_empty() {
            format!("referral-{}", self.row.id)
        } else {
            format!("referral-{}-{part}", self.row.id)
        }
    }
}

fn colour(s: ReferralStatus) -> &'static str {
    match s {
        ReferralStatus::Referred => "blue",
        ReferralStatus::Waiting => "yellow",
        ReferralStatus::Offered => "turquoise",
        ReferralStatus::Started => "green",
        ReferralStatus::Declined => "red",
        ReferralStatus::Withdrawn | ReferralStatus::Ended => "grey",
    }
}

/// The request's referrals as its page shows them.
pub(crate) fn views(rows: &[ReferralRow]) -> Vec<ReferralView> {
    rows.iter()
        .map(|r| ReferralView {
            colour: colour(r.status),
            allowed: allowed(r.status),
            row: r.clone(),
        })
        .collect()
}

/// The search, as typed, and the service chosen.
#[derive(Debug, Default, Deserialize)]
pub struct FindForm {
    #[serde(default)]
    q: String,
    #[serde(default)]
    category: String,
    #[serde(default)]
    service: String,
}

/// A service the child could be referred to, with the child checked against it.
pub struct Candidate {
    id: String,
    name: String,
    provider: Option<String>,
    summary: String,
    eligible: bool,
    not_eligible: Vec<String>,
    to_confirm: Vec<String>,
    capacity: Option<String>,
    waiting: Option<String>,
    no_places: bool,
    choose: String,
}

#[derive(Template)]
#[template(path = "referral_new.html")]
struct NewPage {
    c: Chrome,
    errors: FormErrors,
    v: Fields,
    f: FindForm,
    request: i64,
    child_name: String,
    /// The request can take referrals (decided and open).
    open: bool,
    consent: bool,
    needs: Vec<Need>,
    categories: Vec<(String, String)>,
    searched: bool,
    total: usize,
    results: Vec<Candidate>,
    chosen: Option<Candidate>,
    override_max: usize,
}

fn candidate(
    e: &Published,
    facts: &ChildFacts,
    names: &HashMap<i64, String>,
    request: i64,
    f: &FindForm,
) -> Candidate {
    let s = &e.service;
    let check = check_eligibility(s, &e.extras, facts, |l| {
        names
            .get(&l)
            .cloned()
            .unwrap_or_else(|| format!("locality {l}"))
    });
    let choose = serde_urlencoded::to_string([
        ("q", f.q.as_str()),
        ("category", f.category.as_str()),
        ("service", s.id.as_str()),
    ])
    .unwrap_or_default();
    Candidate {
        id: s.id.clone(),
        name: s.name.clone(),
        provider: s.organization.as_ref().map(|o| o.name.clone()),
        summary: short(s.description.as_deref()),
        eligible: check.eligible(),
        not_eligible: check.not_eligible,
        to_confirm: check.to_confirm,
        capacity: capacity_text(&e.extras),
        waiting: waiting_text(&e.extras),
        no_places: e
            .extras
            .capacity
            .as_ref()
            .is_some_and(|c| c.available <= 0.0),
        choose: format!("/requests/{request}/referrals/new?{choose}#service"),
    }
}

/// The permit to refer: only those who may manage the request.
async fn manage_permit(
    st: &AppState,
    ctx: &Ctx,
    child: i64,
) -> Result<Permit<policy::ManageRequest>, AppError> {
    child_permit::<policy::ManageRequest>(
        st,
        ctx,
        child,
        Action::ManageRequest,
        "refer the child to a service",
    )
    .await?
    .map(|p| p.0)
    .ok_or(AppError::Forbidden)
}

async fn page(
    st: &AppState,
    ctx: &Ctx,
    id: i64,
    f: FindForm,
    mut errors: FormErrors,
    v: Fields,
    status: StatusCode,
) -> Result<Response, PageError> {
    let (child, _) = scope(st, ctx, id).await?;
    manage_permit(st, ctx, child).await?;
    let Some((view, _)) = child_permit::<policy::ViewRequest>(
        st,
        ctx,
        child,
        Action::ViewRequest,
        "refer the child to a service",
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
    let dp = ctx
        .authorize::<policy::ViewDirectory>(st, Target::None, None)
        .await?;
    let idx: std::sync::Arc<DirectoryIndex> = st.store.directory_index(&dp).await?;
    let names: HashMap<i64, String> = all_localities(st, ctx).await?.into_iter().collect();
    let facts = ChildFacts::of_request(
        r.summary.date_of_birth.as_deref(),
        st.clock.now().date(),
        r.summary.level,
        Some(r.locality_id),
        r.summary.needs.clone(),
    );
    // The search: free text and a category of the directory's taxonomy.
    let mut bad_search = false;
    if f.q.chars().count() > 200 {
        errors.add("q", "Enter 200 characters or fewer");
        bad_search = true;
    }
    if !f.category.is_empty() && !idx.terms().iter().any(|t| t.id == f.category) {
        errors.add("category", "Choose a kind of support from the list");
        bad_search = true;
    }
    let searched = !f.q.trim().is_empty() || !f.category.is_empty();
    let (total, results) = if searched && !bad_search {
        let q = Find {
            text: Some(f.q.trim().to_owned()).filter(|t| !t.is_empty()),
            taxonomy_term_id: Some(f.category.clone()).filter(|c| !c.is_empty()),
            ..Find::default()
        };
        let mut all: Vec<Candidate> = idx
            .services(&q)
            .iter()
            .map(|h| candidate(h.entry, &facts, &names, id, &f))
            .collect();
        all.sort_by_key(|c| !c.eligible);
        let total = all.len();
        all.truncate(SHOWN);
        (total, all)
    } else {
        (0, Vec::new())
    };
    let chosen = match f.service.trim() {
        "" => None,
        sid => match idx.service(sid) {
            Some(e) => Some(candidate(e, &facts, &names, id, &f)),
            None => {
                errors.add(
                    "service",
                    "This service is not published in the directory now: choose another",
                );
                None
            }
        },
    };
    let mut by_name: BTreeMap<String, String> = BTreeMap::new();
    for t in idx.terms() {
        by_name.insert(t.name.clone(), t.id.clone());
    }
    let mut categories = vec![(String::new(), "Any kind of support".to_owned())];
    categories.extend(by_name.into_iter().map(|(n, id)| (id, n)));
    let status = if status == StatusCode::OK && !errors.is_empty() {
        StatusCode::BAD_REQUEST
    } else {
        status
    };
    render_status(
        status,
        &NewPage {
            c: Chrome::new(
                st,
                ctx,
                format!("Refer {} to a service", r.summary.child_name),
                "/children",
            )
            .errors(!errors.is_empty()),
            errors,
            v,
            request: id,
            child_name: r.summary.child_name.clone(),
            open: r.summary.status.is_open() && r.summary.status != Status::AwaitingDecision,
            consent: has_refer_consent(&r),
            needs: r.summary.needs.clone(),
            categories,
            searched,
            total,
            results,
            chosen,
            override_max: OVERRIDE_MAX,
            f,
        },
    )
}

impl NewPage {
    fn need_chosen(&self, n: &Need) -> bool {
        self.v.get("need") == n.as_str()
    }
}

/// GET /requests/{id}/referrals/new: search the directory, see eligibility, choose a service.
pub async fn new(
    ctx: Ctx,
    State(st): State<AppState>,
    Path(id): Path<i64>,
    Query(f): Query<FindForm>,
) -> Result<Response, PageError> {
    page(
        &st,
        &ctx,
        id,
        f,
        FormErrors::none(),
        Fields::default(),
        StatusCode::OK,
    )
    .await
}

/// POST /requests/{id}/referrals: refer to the chosen service.
pub async fn create(
    ctx: Ctx,
    State(st): State<AppState>,
    Path(id): Path<i64>,
    body: Bytes,
) -> Result<Response, PageError> {
    let (child, _) = scope(&st, &ctx, id).await?;
    let permit = manage_permit(&st, &ctx, child).await?;
    let v = Fields::parse(&body);
    let mut errors = FormErrors::none();
    let service = v.get("service").trim().to_owned();
    if service.is_empty() {
        errors.add("service", "Choose a service to refer to");
    }
    let need = match v.get("need") {
        "" => {
            errors.add("need", "Choose the need this referral is for");
            None
        }
        n => match Need::parse(n) {
            Ok(n) => Some(n),
            Err(_) => {
                errors.add("need", "Choose the need this referral is for from the list");
                None
            }
        },
    };
    let why = v.get("override_reason").trim();
    if why.chars().count() > OVERRIDE_MAX {
        errors.add(
            "override_reason",
            &format!("Give the reason in {OVERRIDE_MAX} characters or fewer"),
        );
    }
    let f = FindForm {
        q: v.get("q").to_owned(),
        category: v.get("category").to_owned(),
        service: service.clone(),
    };
    if !errors.is_empty() {
        return page(&st, &ctx, id, f, errors, v, StatusCode::BAD_REQUEST).await;
    }
    let why = Some(why).filter(|w| !w.is_empty());
    match st
        .store
        .refer_to_service(&permit, id, &service, need, why)
        .await
    {
        Ok(made) => Ok(Redirect::to(&format!(
            "/requests/{id}?done=referral-{}",
            made.status.as_str()
        ))
        .into_response()),
        Err(e) => {
            errors.refusal(e)?;
            let why = v.get("override_reason").to_owned();
            let v = Fields::from_pairs(vec![
                ("need".into(), v.get("need").to_owned()),
                ("override_reason".into(), why),
            ]);
            page(&st, &ctx, id, f, errors, v, StatusCode::CONFLICT).await
        }
    }
}

/// POST /requests/{id}/referrals/{referral}: what happened to a referral.
pub async fn command(
    ctx: Ctx,
    State(st): State<AppState>,
    Path((id, referral)): Path<(i64, i64)>,
    body: Bytes,
) -> Result<Response, PageError> {
    let (child, _) = scope(&st, &ctx, id).await?;
    let permit = manage_permit(&st, &ctx, child).await?;
    let f = Fields::parse(&body);
    let mut errors = FormErrors::none();
    let field = |part: &str| {
        if part.is_empty() {
            format!("referral-{referral}")
        } else {
            format!("referral-{referral}-{part}")
        }
    };
    let version = match f.get("version").parse::<i64>() {
        Ok(v) => Some(v),
        Err(_) => {
            errors.add(&field(""), "The form is out of date: reload the page");
            None
        }
    };
    let name = f.get("command");
    let reason = || {
        let r = f.get("reason").trim();
        if r.is_empty() || r.chars().count() > 500 {
            None
        } else {
            Some(r.to_owned())
        }
    };
    let cmd = match name {
        "offer" => Some(ReferralCommand::Offer),
        "start" => Some(ReferralCommand::Start),
        "decline" | "withdraw" => match reason() {
            Some(reason) if name == "decline" => Some(ReferralCommand::Decline { reason }),
            Some(reason) => Some(ReferralCommand::Withdraw { reason }),
            None => {
                errors.add(
                    &field(&format!("{name}-reason")),
                    "Give the reason, in 500 characters or fewer",
                );
                None
            }
        },
        "end" => match Outcome::parse(f.get("outcome")) {
            Ok(outcome) => Some(ReferralCommand::End { outcome }),
            Err(_) => {
                errors.add(
                    &field("outcome"),
                    "Choose how things are for the child now, compared with the referral",
                );
                None
            }
        },
        _ => {
            errors.add(&field(""), "Choose what happened from the buttons shown");
            None
        }
    };
    let (Some(version), Some(cmd), true) = (version, cmd, errors.is_empty()) else {
        return detail_page_with(&st, &ctx, id, errors, f, None).await;
    };
    match st
        .store
        .update_referral(&permit, id, referral, version, &cmd)
        .await
    {
        Ok(()) => Ok(
            Redirect::to(&format!("/requests/{id}?done=referral-{}", cmd.name())).into_response(),
        ),
        Err(StoreError::NotFound(_)) => Err(AppError::NotFound.into()),
        Err(e) => {
            let mut named = FormErrors::none();
            named.refusal(e)?;
            for (k, m) in named.list() {
                let part = match k.as_str() {
                    "reason" => format!("{name}-reason"),
                    _ => String::new(),
                };
                errors.add(&field(&part), m);
            }
            let mut resp = detail_page_with(&st, &ctx, id, errors, f, None).await?;
            *resp.status_mut() = StatusCode::CONFLICT;
            Ok(resp)
        }
    }
}
