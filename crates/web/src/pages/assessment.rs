//! The early help assessment of a request: the lead professional writes it domain by domain
//! with the child's and family's own words, completes it, and shares it with the team when the
//! family has agreed. Two people saving at once: the second is shown the difference and saves
//! nothing until they have seen it.

use super::children::child_permit;
use super::{render_status, Chrome};
use crate::error::{AppError, PageError};
use crate::forms::{Fields, FormErrors};
use crate::{AppState, Ctx};
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use everychild_domain::casework::{
    assessment_elements, AssessmentContent, AssessmentStatus, ConsentPurpose, ConsentScope,
    Element, Need,
};
use everychild_policy::{self as policy, Action};
use everychild_store::{AssessmentView, RequestDetail, SaveOutcome};

/// Who saved first, when, and each difference: (what, yours, theirs).
type Conflict = (String, String, Vec<(String, String, String)>);

#[derive(Template)]
#[template(path = "assessment.html")]
struct Page {
    c: Chrome,
    errors: FormErrors,
    request: i64,
    child_name: String,
    content: AssessmentContent,
    status: Option<AssessmentStatus>,
    version: i64,
    can_edit: bool,
    history: Vec<(i64, String, String, String)>,
    /// After a conflicting save: who saved, when, and each difference (what, yours, theirs).
    conflict: Option<Conflict>,
    /// Whom the family agreed to share with (consents to share in force): each organisation's
    /// name, or the whole team's label; empty if nobody.
    shared_with: Vec<String>,
}

impl Page {
    fn domains(&self) -> Vec<(&'static str, Vec<Need>)> {
        let mut out: Vec<(&'static str, Vec<Need>)> = Vec::new();
        for n in assessment_elements() {
            match out.last_mut() {
                Some((d, v)) if *d == n.domain() => v.push(n),
                _ => out.push((n.domain(), vec![n])),
            }
        }
        out
    }
    fn el(&self, n: &Need) -> Element {
        self.content
            .elements
            .get(n.as_str())
            .cloned()
            .unwrap_or_default()
    }
    fn editable(&self) -> bool {
        self.can_edit && matches!(self.status, None | Some(AssessmentStatus::Draft))
    }
}

/// The form's content.
fn content_of(f: &Fields) -> AssessmentContent {
    let mut c = AssessmentContent {
        child_words: f.get("child_words").to_owned(),
        family_words: f.get("family_words").to_owned(),
        summary: f.get("summary").to_owned(),
        ..AssessmentContent::default()
    };
    for n in assessment_elements() {
        let code = n.as_str();
        let e = Element {
            strengths: f.get(&format!("{code}-strengths")).to_owned(),
            needs: f.get(&format!("{code}-needs")).to_owned(),
            is_need: f.get(&format!("{code}-need")) == "yes",
        };
        if e != Element::default() {
            c.elements.insert(code.to_owned(), e);
        }
    }
    c
}

struct Scope {
    child: i64,
    child_name: String,
}

async fn scope(st: &AppState, ctx: &Ctx, request: i64) -> Result<Scope, AppError> {
    let find = ctx
        .authorize::<policy::FindChildBasis>(st, everychild_policy::Target::None, None)
        .await?;
    let (child, _) = st
        .store
        .request_scope(&find, request)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(Scope {
        child,
        child_name: String::new(),
    })
}

async fn page(
    st: &AppState,
    ctx: &Ctx,
    request: i64,
    errors: FormErrors,
    form: Option<(AssessmentContent, i64)>,
    conflict: Option<Conflict>,
) -> Result<Response, PageError> {
    let mut s = scope(st, ctx, request).await?;
    let Some((view, _)) = child_permit::<policy::ViewRequest>(
        st,
        ctx,
        s.child,
        Action::ViewRequest,
        "read the early help assessment",
    )
    .await?
    else {
        return Err(AppError::Forbidden.into());
    };
    let detail = st
        .store
        .request_detail(&view, request)
        .await?
        .ok_or(AppError::NotFound)?;
    s.child_name = detail.summary.child_name.clone();
    let shared_with = shared_with(&detail);
    let stored: Option<AssessmentView> = st.store.assessment(&view, request).await?;
    let can_edit = child_permit::<policy::ManageRequest>(
        st,
        ctx,
        s.child,
        Action::ManageRequest,
        "write the early help assessment",
    )
    .await?
    .is_some()
        && detail.summary.status.is_open();
    if stored.is_none() && !can_edit {
        return Err(
            AppError::NotFoundBecause(everychild_domain::FieldError::new(
                "assessment",
                "There is no assessment shared with you for this request: it has not been shared, or the family has not agreed to share it with your organisation",
            ))
            .into(),
        );
    }
    let (status, history) = match &stored {
        Some(v) => (Some(v.status), v.history.clone()),
        None => (None, Vec::new()),
    };
    let (content, version) = match (form, stored) {
        (Some(f), _) => f,
        (None, Some(v)) => (v.content, v.version),
        (None, None) => (AssessmentContent::default(), 0),
    };
    let code = if conflict.is_some() {
        StatusCode::CONFLICT
    } else if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::BAD_REQUEST
    };
    render_status(
        code,
        &Page {
            c: Chrome::new(
                st,
                ctx,
                format!("Early help assessment for {}", s.child_name),
                "/children",
            )
            .errors(!errors.is_empty()),
            errors,
            request,
            child_name: s.child_name,
            content,
            status,
            version,
            can_edit,
            history,
            conflict,
            shared_with,
        },
    )
}

/// Whom the family has agreed to share with: the whole team, or each organisation named, by
/// the consents to share still in force.
fn shared_with(r: &RequestDetail) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let in_force = r
        .consents
        .iter()
        .filter(|c| c.purpose == ConsentPurpose::Share && c.withdrawn_at.is_none());
    for c in in_force {
        let who = match &c.organisation {
            None => ConsentScope::TEAM_LABEL.to_owned(),
            Some((_, name)) => name.clone(),
        };
        if !out.contains(&who) {
            out.push(who);
        }
    }
    // The whole team first.
    out.sort_by_key(|w| w != ConsentScope::TEAM_LABEL);
    out
}

/// Organisations a consent may name, `(id, name)`: those of the team's current members, then
/// every other organisation.
pub(crate) type ConsentOrgs = (Vec<(i64, String)>, Vec<(i64, String)>);

/// The organisations a consent may name, for the request page's form, by name: those of the
/// team's current members, and every other organisation.
pub(crate) async fn consent_organisations(
    st: &AppState,
    ctx: &Ctx,
    r: &RequestDetail,
) -> Result<ConsentOrgs, AppError> {
    let list = ctx
        .authorize::<policy::ListOrganisations>(st, everychild_policy::Target::None, None)
        .await?;
    let team: Vec<&str> = r
        .team
        .iter()
        .filter(|m| m.until.is_none())
        .map(|m| m.organisation.as_str())
        .collect();
    let mut orgs: Vec<(i64, String)> = st
        .store
        .list_organisations(&list)
        .await?
        .into_iter()
        .map(|o| (o.id, o.name))
        .collect();
    orgs.sort_by(|a, b| a.1.cmp(&b.1));
    Ok(orgs
        .into_iter()
        .partition(|(_, name)| team.contains(&name.as_str())))
}

/// GET /requests/{id}/assessment
pub async fn show(
    ctx: Ctx,
    State(st): State<AppState>,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    page(&st, &ctx, id, FormErrors::none(), None, None).await
}

async fn manage_permit(
    st: &AppState,
    ctx: &Ctx,
    request: i64,
) -> Result<policy::Permit<policy::ManageRequest>, AppError> {
    let s = scope(st, ctx, request).await?;
    child_permit::<policy::ManageRequest>(
        st,
        ctx,
        s.child,
        Action::ManageRequest,
        "write the early help assessment",
    )
    .await?
    .map(|p| p.0)
    .ok_or(AppError::Forbidden)
}

/// POST /requests/{id}/assessment: save the draft.
pub async fn save(
    ctx: Ctx,
    State(st): State<AppState>,
    Path(id): Path<i64>,
    body: Bytes,
) -> Result<Response, PageError> {
    let permit = manage_permit(&st, &ctx, id).await?;
    let f = Fields::parse(&body);
    let content = content_of(&f);
    let mut errors = FormErrors::none();
    let base: i64 = match f.get("version").parse() {
        Ok(v) => v,
        Err(_) => {
            errors.add("version", "The form is out of date: reload the page");
            0
        }
    };
    if errors.is_empty() {
        match st.store.save_assessment(&permit, id, base, &content).await {
            Ok(SaveOutcome::Saved(_)) => {
                return Ok(Redirect::to(&format!("/requests/{id}/assessment")).into_response())
            }
            Ok(SaveOutcome::Conflict {
                stored,
                version,
                by,
                at,
            }) => {
                let diff = content.diff(&stored);
                // Keep what they wrote, on the stored version: saving again is a choice made
                // having seen the difference.
                return page(
                    &st,
                    &ctx,
                    id,
                    errors,
                    Some((content, version)),
                    Some((by, at, diff)),
                )
                .await;
            }
            Err(e) => errors.refusal(e)?,
        }
    }
    page(&st, &ctx, id, errors, Some((content, base)), None).await
}

async fn advance(
    ctx: Ctx,
    st: AppState,
    id: i64,
    body: Bytes,
    share: bool,
) -> Result<Response, PageError> {
    let permit = manage_permit(&st, &ctx, id).await?;
    let f = Fields::parse(&body);
    let mut errors = FormErrors::none();
    let version: i64 = f.get("version").parse().unwrap_or(-1);
    match st
        .store
        .advance_assessment(&permit, id, version, share)
        .await
    {
        Ok(()) => Ok(Redirect::to(&format!("/requests/{id}/assessment")).into_response()),
        Err(e) => {
            errors.refusal(e)?;
            page(&st, &ctx, id, errors, None, None).await
        }
    }
}

/// POST /requests/{id}/assessment/complete
pub async fn complete(
    ctx: Ctx,
    State(st): State<AppState>,
    Path(id): Path<i64>,
    body: Bytes,
) -> Result<Response, PageError> {
    advance(ctx, st, id, body, false).await
}

/// POST /requests/{id}/assessment/share
pub async fn share(
    ctx: Ctx,
    State(st): State<AppState>,
    Path(id): Path<i64>,
    body: Bytes,
) -> Result<Response, PageError> {
    advance(ctx, st, id, body, true).await
}

/// POST /requests/{id}/consents: record consent given after the request, for a purpose and
/// for every agency in the team or one organisation. Problems are shown on the request's page,
/// each against its field.
pub async fn consent(
    ctx: Ctx,
    State(st): State<AppState>,
    Path(id): Path<i64>,
    body: Bytes,
) -> Result<Response, PageError> {
    let permit = manage_permit(&st, &ctx, id).await?;
    let f = Fields::parse(&body);
    let mut errors = FormErrors::none();
    // The purpose's own errors name the request form's checkboxes; here it is one select.
    let purpose = errors.take(
        ConsentPurpose::parse(f.get("purpose"))
            .map_err(|e| everychild_domain::FieldError::new("purpose", e.message)),
    );
    let scope = errors.take(ConsentScope::parse(f.get("organisation")));
    if f.get("consent_given_by").trim().is_empty() {
        errors.add("consent_given_by", "Enter who gave consent");
    }
    if let (Some(purpose), Some(scope), true) = (purpose, scope, errors.is_empty()) {
        match st
            .store
            .record_consent(&permit, id, purpose, scope, f.get("consent_given_by"))
            .await
        {
            Ok(()) => return Ok(Redirect::to(&format!("/requests/{id}")).into_response()),
            Err(e) => errors.refusal(e)?,
        }
    }
    super::requests::detail_page_with(&st, &ctx, id, errors, f, None).await
}
