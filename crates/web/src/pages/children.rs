//! Children's records: search the index, register a child one works with, open a record on a
//! basis (involvement, team, locality, or break-glass with a reason), and change it.

use super::{render, render_status, Chrome};
use crate::error::{AppError, PageError};
use crate::forms::{Fields, FormErrors};
use crate::{AppState, Ctx};
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use everychild_domain::geo::Postcode;
use everychild_domain::person::{
    parse_date_of_birth, parse_name, Ethnicity, FlagKind, InvolvementRole, RelationshipKind, Sex,
};
use everychild_policy::{self as policy, decide, Action, Basis, Decision, Permit, Target};
use everychild_store::{
    ChildHit, ChildQuery, ChildRecord, Declaration, MergeRow, NewInvolvement, NewPerson,
};
use serde::Deserialize;

/// A permit for `C` on the child, on the strongest basis the policy accepts for `action`.
pub(crate) async fn child_permit<C: policy::Capability>(
    st: &AppState,
    ctx: &Ctx,
    child: i64,
    action: Action,
    purpose: &str,
) -> Result<Option<(Permit<C>, Basis)>, AppError> {
    let find = ctx
        .authorize::<policy::FindChildBasis>(st, Target::None, None)
        .await?;
    let bases = st
        .store
        .child_bases(&find, child)
        .await?
        .ok_or(AppError::NotFound)?;
    for basis in bases {
        let target = Target::Child { id: child, basis };
        if decide(&ctx.principal, action, &target) == Decision::Allow {
            return Ok(Some((
                ctx.authorize::<C>(st, target, Some(purpose)).await?,
                basis,
            )));
        }
    }
    Ok(None)
}

/// Open a child's record on the strongest basis the user has and the policy accepts.
/// `Ok(None)`: no basis (the caller offers to declare involvement or break glass).
pub(crate) async fn open_child(
    st: &AppState,
    ctx: &Ctx,
    id: i64,
    purpose: &str,
) -> Result<Option<(Permit<policy::ViewChild>, Basis)>, AppError> {
    child_permit(st, ctx, id, Action::ViewChild, purpose).await
}

/// The permit to change a child's record, on the basis that opens it.
async fn change_permit(
    st: &AppState,
    ctx: &Ctx,
    id: i64,
    purpose: &str,
) -> Result<Permit<policy::UpdateChild>, AppError> {
    child_permit(st, ctx, id, Action::UpdateChild, purpose)
        .await?
        .map(|p| p.0)
        .ok_or(AppError::Forbidden)
}

/// Purposes a search may be made for (recorded in the audit log).
pub const SEARCH_PURPOSES: [(&str, &str); 4] = [
    (
        "known",
        "Check whether a child is already known before asking for support",
    ),
    ("working_with", "Find a child I work with"),
    ("safeguarding", "A safeguarding concern about a child"),
    ("data_quality", "Check for duplicate records"),
];

#[derive(Template)]
#[template(path = "children_search.html")]
struct SearchPage {
    c: Chrome,
    errors: FormErrors,
    v: Fields,
    hits: Option<Vec<ChildHit>>,
    purposes: &'static [(&'static str, &'static str)],
}

/// The search form's query.
#[derive(Deserialize, Default)]
pub struct SearchQ {
    name: Option<String>,
    date_of_birth: Option<String>,
    identifier: Option<String>,
    postcode: Option<String>,
    purpose: Option<String>,
}

/// GET /children
pub async fn search(
    ctx: Ctx,
    State(st): State<AppState>,
    Query(q): Query<SearchQ>,
) -> Result<Response, PageError> {
    ctx.authorize::<policy::SearchChildren>(&st, Target::None, None)
        .await?;
    let mut errors = FormErrors::none();
    let pairs: Vec<(String, String)> = [
        ("name", &q.name),
        ("date_of_birth", &q.date_of_birth),
        ("identifier", &q.identifier),
        ("postcode", &q.postcode),
        ("purpose", &q.purpose),
    ]
    .iter()
    .filter_map(|(k, v)| v.as_ref().map(|v| ((*k).to_owned(), v.clone())))
    .collect();
    let asked = pairs
        .iter()
        .any(|(k, v)| k != "purpose" && !v.trim().is_empty());
    let mut hits = None;
    if asked {
        let purpose = SEARCH_PURPOSES
            .iter()
            .find(|p| Some(p.0) == q.purpose.as_deref());
        if purpose.is_none() {
            errors.add("purpose", "Choose why you are searching");
        }
        let today = st.clock.now().date();
        if let Some(d) = q.date_of_birth.as_deref().filter(|d| !d.trim().is_empty()) {
            errors.take(parse_date_of_birth(d, today));
        }
        if let Some(pc) = q.postcode.as_deref().filter(|d| !d.trim().is_empty()) {
            errors.take(Postcode::parse(pc));
        }
        if let Err(e) = everychild_domain::person::search_is_specific(
            q.name.as_deref(),
            q.date_of_birth.as_deref(),
            q.identifier.as_deref(),
            q.postcode.as_deref(),
        ) {
            errors.push(e);
        }
        if let (true, Some(purpose)) = (errors.is_empty(), purpose) {
            let permit = ctx
                .authorize::<policy::SearchChildren>(&st, Target::None, Some(purpose.1))
                .await?;
            let query = ChildQuery {
                name: q.name.clone(),
                date_of_birth: q.date_of_birth.clone(),
                identifier: q.identifier.clone(),
                postcode: q
                    .postcode
                    .as_deref()
                    .and_then(|p| Postcode::parse(p).ok())
                    .map(|p| p.to_string()),
            };
            hits = Some(st.store.search_children(&permit, &query).await?);
        }
    }
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::BAD_REQUEST
    };
    render_status(
        status,
        &SearchPage {
            c: Chrome::new(&st, &ctx, "Find a child", "/children").errors(!errors.is_empty()),
            errors,
            v: Fields::from_pairs(pairs),
            hits,
            purposes: &SEARCH_PURPOSES,
        },
    )
}

#[derive(Template)]
#[template(path = "child.html")]
struct RecordPage {
    c: Chrome,
    r: ChildRecord,
    /// Declarations on this child waiting for the viewer's decision.
    pending: Vec<Declaration>,
    merges: Option<Vec<MergeRow>>,
    /// Merges across localities waiting for a second reviewer.
    merge_requests: Vec<everychild_store::MergeRequestRow>,
    /// The viewer's user id (who may not decide a merge they asked for).
    me: i64,
    basis: Basis,
    can_change: bool,
    can_see_log: bool,
    done: Option<&'static str>,
    errors: FormErrors,
}

impl RecordPage {
    fn label<'a>(&self, kind: &'a str, value: &'a str) -> &'a str {
        let found = match kind {
            "sex" => Sex::parse(value).map(Sex::label).ok(),
            "ethnicity" => Ethnicity::parse(value).map(Ethnicity::label).ok(),
            "role" => InvolvementRole::parse(value)
                .map(InvolvementRole::label)
                .ok(),
            "flag" => FlagKind::parse(value).map(FlagKind::label).ok(),
            "relationship" => RelationshipKind::parse(value)
                .map(RelationshipKind::label)
                .ok(),
            _ => None,
        };
        found.unwrap_or(value)
    }
    fn flag_kinds(&self) -> &'static [FlagKind] {
        FlagKind::ALL
    }
    fn relationship_kinds(&self) -> &'static [RelationshipKind] {
        RelationshipKind::ALL
    }
    fn basis_text(&self) -> &'static str {
        match self.basis {
            Basis::Involved => "you are recorded as working with this child",
            Basis::AgencyRecord => {
                "your organisation's records name you or your team for this child"
            }
            Basis::LeadProfessional => "you are this child's lead professional",
            Basis::TeamMember => "you are in the team around this child",
            Basis::Locality => "you manage this child's locality",
            Basis::BreakGlass => {
                "emergency access you asked for, which the data protection officer will review"
            }
            Basis::None => "",
        }
    }
}

#[derive(Template)]
#[template(path = "child_no_access.html")]
struct NoAccessPage {
    c: Chrome,
    id: i64,
    /// The user's own latest declaration that has not opened the record: status, when, and
    /// the decider's note.
    own: Option<(String, String, Option<String>)>,
    errors: FormErrors,
    v: Fields,
    roles: &'static [InvolvementRole],
}

impl NoAccessPage {
    /// Whether the user's own declaration is still waiting (so no new one is offered).
    fn waiting(&self) -> bool {
        self.own.as_ref().is_some_and(|o| o.0 == "pending")
    }
}

/// The record page's query.
#[derive(Deserialize, Default)]
pub struct DoneQ {
    pub(crate) done: Option<String>,
}

async fn record_page(
    st: &AppState,
    ctx: &Ctx,
    id: i64,
    done: Option<&'static str>,
    errors: FormErrors,
) -> Result<Response, AppError> {
    let Some((permit, basis)) =
        open_child(st, ctx, id, "see the record of a child I work with").await?
    else {
        return no_access(st, ctx, id, FormErrors::none(), Fields::default()).await;
    };
    let r = st
        .store
        .view_child(&permit)
        .await?
        .ok_or(AppError::NotFound)?;
    if r.child.id != id {
        return Ok(Redirect::to(&format!("/children/{}", r.child.id)).into_response());
    }
    let pending = st.store.pending_declarations(&permit).await?;
    let can_change = decide(
        &ctx.principal,
        Action::UpdateChild,
        &Target::Child { id, basis },
    ) == Decision::Allow;
    let (merges, merge_requests) =
        if decide(&ctx.principal, Action::ReviewLinks, &Target::None) == Decision::Allow {
            let p = ctx
                .authorize::<policy::ReviewLinks>(st, Target::None, None)
                .await?;
            (
                Some(st.store.merges(&p, id).await?),
                st.store.merge_requests(&p, id).await?,
            )
        } else {
            (None, Vec::new())
        };
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::BAD_REQUEST
    };
    render_status(
        status,
        &RecordPage {
            c: Chrome::new(st, ctx, r.child.full_name(), "/children").errors(!errors.is_empty()),
            can_see_log: decide(&ctx.principal, Action::ViewChildAccessLog, &Target::None)
                == Decision::Allow,
            r,
            pending,
            merges,
            merge_requests,
            me: ctx.actor().map(|a| a.user_id.0).unwrap_or(0),
            basis,
            can_change,
            done,
            errors,
        },
    )
    .map_err(|e| e.0)
}

async fn no_access(
    st: &AppState,
    ctx: &Ctx,
    id: i64,
    errors: FormErrors,
    v: Fields,
) -> Result<Response, AppError> {
    let find = ctx
        .authorize::<policy::FindChildBasis>(st, Target::None, None)
        .await?;
    let own = st.store.own_declaration(&find, id).await?;
    render_status(
        if errors.is_empty() {
            StatusCode::FORBIDDEN
        } else {
            StatusCode::BAD_REQUEST
        },
        &NoAccessPage {
            c: Chrome::new(
                st,
                ctx,
                "You have no recorded relationship with this child",
                "/children",
            )
            .errors(!errors.is_empty()),
            id,
            own,
            errors,
            v,
            roles: InvolvementRole::ALL,
        },
    )
    .map_err(|e| e.0)
}

/// GET /children/{id}
pub async fn record(
    ctx: Ctx,
    State(st): State<AppState>,
    Path(id): Path<i64>,
    Query(q): Query<DoneQ>,
) -> Result<Response, PageError> {
    let done = match q.done.as_deref() {
        Some("registered") => {
            Some("The child has been registered and you are recorded as working with them")
        }
        Some("declaration_approved") => Some("The declaration has been approved"),
        Some("declaration_refused") => Some("The declaration has been refused"),
        Some("break_glass") => {
            Some("Emergency access granted; the data protection officer will review it")
        }
        Some("flag") => Some("The flag has been added"),
        Some("flag_end") => Some("The flag has been ended"),
        Some("relative") => Some("The family member has been added"),
        Some("shield") => Some("The address and contacts are now hidden everywhere"),
        Some("merged") => Some("The other record has been merged into this one"),
        Some("merge-requested") => Some("The records live in different localities, so the merge waits for a second reviewer: it is made when another reviewer approves it"),
        Some("merge-refused") => Some("The merge has been refused: both records stay as they are"),
        Some("unmerged") => Some("The merge has been undone: both records are as they were"),
        _ => None,
    };
    Ok(record_page(&st, &ctx, id, done, FormErrors::none()).await?)
}

fn since_date(
    f: &Fields,
    field: &'static str,
    today: time::Date,
    errors: &mut FormErrors,
) -> String {
    let raw = f.get(field).trim();
    match time::Date::parse(raw, &time::format_description::well_known::Iso8601::DATE) {
        Ok(d) if d <= today => raw.to_owned(),
        _ => {
            errors.add(field, "Enter a date, today or earlier, like 2026-04-01");
            String::new()
        }
    }
}

/// POST /children/{id}/involvement: record that one works with the child.
pub async fn declare(
    ctx: Ctx,
    State(st): State<AppState>,
    Path(id): Path<i64>,
    body: Bytes,
) -> Result<Response, PageError> {
    let permit = ctx
        .authorize::<policy::DeclareInvolvement>(
            &st,
            Target::Child {
                id,
                basis: Basis::None,
            },
            Some("record that I work with a child"),
        )
        .await?;
    let f = Fields::parse(&body);
    let mut errors = FormErrors::none();
    let role = errors.take(InvolvementRole::parse(f.get("role")));
    let since = since_date(&f, "since", st.clock.now().date(), &mut errors);
    if let (Some(role), true) = (role, errors.is_empty()) {
        let inv = NewInvolvement {
            role: role.as_str().into(),
            team: None,
            since,
            contact: Some(f.get("contact").trim().to_owned()).filter(|s| !s.is_empty()),
        };
        match st
            .store
            .declare_involvement(&permit, inv, f.get("reason"))
            .await
        {
            Ok(_) => return Ok(Redirect::to(&format!("/children/{id}")).into_response()),
            Err(e) => errors.refusal(e)?,
        }
    }
    Ok(no_access(&st, &ctx, id, errors, f).await?)
}

/// POST /children/{id}/break-glass
pub async fn break_glass(
    ctx: Ctx,
    State(st): State<AppState>,
    Path(id): Path<i64>,
    body: Bytes,
) -> Result<Response, PageError> {
    let permit = ctx
        .authorize::<policy::BreakGlass>(
            &st,
            Target::Child {
                id,
                basis: Basis::None,
            },
            Some("emergency access to a child's record"),
        )
        .await?;
    let f = Fields::parse(&body);
    let minutes: i64 = f.get("minutes").parse().unwrap_or(60);
    match st
        .store
        .break_glass(&permit, f.get("glass_reason"), minutes)
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/children/{id}?done=break_glass")).into_response()),
        Err(e) => {
            let mut errors = FormErrors::none();
            errors.refusal(e)?;
            // The store names its own input: the reason is this form's `glass_reason`.
            Ok(no_access(&st, &ctx, id, errors.renamed("reason", "glass_reason"), f).await?)
        }
    }
}

/// POST /children/{id}/flags
pub async fn add_flag(
    ctx: Ctx,
    State(st): State<AppState>,
    Path(id): Path<i64>,
    body: Bytes,
) -> Result<Response, PageError> {
    let permit = change_permit(&st, &ctx, id, "record a flag on a child's record").await?;
    let f = Fields::parse(&body);
    let mut errors = FormErrors::none();
    let kind = errors.take(FlagKind::parse(f.get("flag")));
    let since = since_date(&f, "flag_since", st.clock.now().date(), &mut errors);
    match kind {
        Some(k) if errors.is_empty() => {
            st.store.add_flag(&permit, k.as_str(), &since).await?;
            Ok(Redirect::to(&format!("/children/{id}?done=flag")).into_response())
        }
        _ => Ok(record_page(&st, &ctx, id, None, errors).await?),
    }
}

/// POST /children/{id}/flags/{flag}/end
pub async fn end_flag(
    ctx: Ctx,
    State(st): State<AppState>,
    Path((id, flag)): Path<(i64, i64)>,
) -> Result<Response, PageError> {
    let permit = change_permit(&st, &ctx, id, "end a flag on a child's record").await?;
    let today = st.clock.now().date();
    st.store.end_flag(&permit, flag, &today.to_string()).await?;
    Ok(Redirect::to(&format!("/children/{id}?done=flag_end")).into_response())
}

/// POST /children/{id}/relatives
pub async fn add_relative(
    ctx: Ctx,
    State(st): State<AppState>,
    Path(id): Path<i64>,
    body: Bytes,
) -> Result<Response, PageError> {
    let permit = change_permit(&st, &ctx, id, "add a family member to a child's record").await?;
    let f = Fields::parse(&body);
    let mut errors = FormErrors::none();
    let given = errors.take(parse_name(
        f.get("rel_given_name"),
        "rel_given_name",
        "first name",
    ));
    let family = errors.take(parse_name(
        f.get("rel_family_name"),
        "rel_family_name",
        "last name",
    ));
    let kind = errors.take(
        RelationshipKind::parse(f.get("rel_kind"))
            .map_err(|e| everychild_domain::FieldError::new("rel_kind", e.message)),
    );
    if let (Some(given_name), Some(family_name), Some(kind), true) =
        (given, family, kind, errors.is_empty())
    {
        let person = NewPerson {
            kind: "adult".into(),
            given_name,
            family_name,
            sex: "not_known".into(),
            nhs_number_status: "none".into(),
            send_status: "none".into(),
            phone: Some(f.get("rel_phone").trim().to_owned()).filter(|s| !s.is_empty()),
            ..Default::default()
        };
        st.store
            .add_relative(
                &permit,
                person,
                kind.as_str(),
                f.get("rel_household") == "yes",
                f.get("rel_pr") == "yes",
            )
            .await?;
        return Ok(Redirect::to(&format!("/children/{id}?done=relative")).into_response());
    }
    Ok(record_page(&st, &ctx, id, None, errors).await?)
}

/// POST /children/{id}/shield
pub async fn shield(
    ctx: Ctx,
    State(st): State<AppState>,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    let permit = change_permit(&st, &ctx, id, "hide a child's address and contacts").await?;
    st.store.set_shielded(&permit, true).await?;
    Ok(Redirect::to(&format!("/children/{id}?done=shield")).into_response())
}

#[derive(Template)]
#[template(path = "child_new.html")]
struct NewPage {
    c: Chrome,
    errors: FormErrors,
    v: Fields,
    roles: &'static [InvolvementRole],
    sexes: &'static [Sex],
    ethnicities: &'static [Ethnicity],
}

/// GET /children/new
pub async fn new(ctx: Ctx, State(st): State<AppState>) -> Result<Response, PageError> {
    ctx.authorize::<policy::DeclareInvolvement>(&st, Target::None, None)
        .await?;
    render(&NewPage {
        c: Chrome::new(&st, &ctx, "Register a child you work with", "/children"),
        errors: FormErrors::none(),
        v: Fields::default(),
        roles: InvolvementRole::ALL,
        sexes: Sex::ALL,
        ethnicities: Ethnicity::ALL,
    })
}

/// POST /children
pub async fn create(
    ctx: Ctx,
    State(st): State<AppState>,
    body: Bytes,
) -> Result<Response, PageError> {
    let permit = ctx
        .authorize::<policy::DeclareInvolvement>(
            &st,
            Target::None,
            Some("register a child I work with"),
        )
        .await?;
    let f = Fields::parse(&body);
    let mut errors = FormErrors::none();
    let today = st.clock.now().date();
    let given = errors.take(parse_name(f.get("given_name"), "given_name", "first name"));
    let family = errors.take(parse_name(f.get("family_name"), "family_name", "last name"));
    let dob = errors.take(parse_date_of_birth(f.get("date_of_birth"), today));
    let sex = errors.take(Sex::parse(f.get("sex")));
    let ethnicity = match f.get("ethnicity") {
        "" => None,
        e => errors.take(Ethnicity::parse(e)),
    };
    let nhs = f.get("nhs_number").trim();
    let nhs = if nhs.is_empty() {
        None
    } else {
        errors.take(everychild_domain::ids::NhsNumber::parse(nhs))
    };
    let postcode = match f.get("postcode").trim() {
        "" => None,
        p => errors.take(Postcode::parse(p)),
    };
    let role = errors.take(InvolvementRole::parse(f.get("role")));
    let since = since_date(&f, "since", today, &mut errors);
    if let (Some(given_name), Some(family_name), Some(dob), Some(sex), Some(role), true) =
        (given, family, dob, sex, role, errors.is_empty())
    {
        let child = NewPerson {
            kind: "child".into(),
            given_name,
            family_name,
            middle_names: f.get("middle_names").trim().to_owned(),
            date_of_birth: Some(dob.to_string()),
            sex: sex.as_str().into(),
            nhs_number_status: if nhs.is_some() { "unverified" } else { "none" }.into(),
            nhs_number: nhs.map(|n| n.as_str().to_owned()),
            ethnicity: ethnicity.map(|e| e.as_str().to_owned()),
            send_status: "none".into(),
            address: Some(f.get("address").trim().to_owned()).filter(|s| !s.is_empty()),
            postcode: postcode.map(|p| p.to_string()),
            ..Default::default()
        };
        let inv = NewInvolvement {
            role: role.as_str().into(),
            team: None,
            since,
            contact: Some(f.get("contact").trim().to_owned()).filter(|s| !s.is_empty()),
        };
        let id = st.store.register_child(&permit, child, inv).await?;
        return Ok(Redirect::to(&format!("/children/{id}?done=registered")).into_response());
    }
    render_status(
        StatusCode::BAD_REQUEST,
        &NewPage {
            c: Chrome::new(&st, &ctx, "Register a child you work with", "/children").errors(true),
            errors,
            v: f,
            roles: InvolvementRole::ALL,
            sexes: Sex::ALL,
            ethnicities: Ethnicity::ALL,
        },
    )
}

/// POST /children/{id}/merge: merge another record into this one.
pub async fn merge(
    ctx: Ctx,
    State(st): State<AppState>,
    Path(id): Path<i64>,
    body: Bytes,
) -> Result<Response, PageError> {
    let permit = ctx
        .authorize::<policy::ReviewLinks>(
            &st,
            Target::None,
            Some("merge duplicate records of a child"),
        )
        .await?;
    let f = Fields::parse(&body);
    let mut errors = FormErrors::none();
    match f.get("other").trim().parse::<i64>() {
        Err(_) => errors.add("other", "Enter the number of the other record"),
        Ok(other) => match st
            .store
            .merge_people(&permit, id, other, f.get("merge_reason"))
            .await
        {
            Ok(everychild_store::MergeOutcome::Merged(_)) => {
                return Ok(Redirect::to(&format!("/children/{id}?done=merged")).into_response())
            }
            Ok(everychild_store::MergeOutcome::Waiting(_)) => {
                return Ok(
                    Redirect::to(&format!("/children/{id}?done=merge-requested")).into_response(),
                )
            }
            Err(e) => {
                errors.refusal(e)?;
                // The store names its own input: the reason is this form's `merge_reason`.
                errors = errors.renamed("reason", "merge_reason");
            }
        },
    }
    Ok(record_page(&st, &ctx, id, None, errors).await?)
}

/// POST /merge-requests/{id}/approve and /refuse: a second reviewer decides a merge across
/// localities.
pub async fn decide_merge_request(
    ctx: Ctx,
    State(st): State<AppState>,
    Path((request, verdict)): Path<(i64, String)>,
    body: Bytes,
) -> Result<Response, PageError> {
    let approve = match verdict.as_str() {
        "approve" => true,
        "refuse" => false,
        _ => return Err(AppError::NotFound.into()),
    };
    let permit = ctx
        .authorize::<policy::ReviewLinks>(
            &st,
            Target::None,
            Some("decide a merge of a child's records across localities"),
        )
        .await?;
    let back: i64 = Fields::parse(&body).get("child").parse().unwrap_or(0);
    match st
        .store
        .decide_merge_request(&permit, request, approve)
        .await
    {
        Ok(Some(_)) => Ok(Redirect::to(&format!("/children/{back}?done=merged")).into_response()),
        Ok(None) => {
            Ok(Redirect::to(&format!("/children/{back}?done=merge-refused")).into_response())
        }
        Err(e) => {
            let mut named = FormErrors::none();
            named.refusal(e)?;
            let mut errors = FormErrors::none();
            for (_, message) in named.list() {
                errors.add("merge_reason", message);
            }
            Ok(record_page(&st, &ctx, back, None, errors).await?)
        }
    }
}

/// POST /merges/{id}/undo
pub async fn unmerge(
    ctx: Ctx,
    State(st): State<AppState>,
    Path(merge_id): Path<i64>,
    body: Bytes,
) -> Result<Response, PageError> {
    let permit = ctx
        .authorize::<policy::ReviewLinks>(
            &st,
            Target::None,
            Some("undo a merge of a child's records"),
        )
        .await?;
    st.store.unmerge(&permit, merge_id).await?;
    let back: i64 = Fields::parse(&body).get("child").parse().unwrap_or(0);
    Ok(Redirect::to(&format!("/children/{back}?done=unmerged")).into_response())
}
