//! Declared involvements and team invitations: the declarations waiting for the user's
//! decision, approving or refusing one, the data protection officer's view of them all, and a
//! member's answer to a place in a team around the child.

use super::{render, Chrome};
use crate::error::{AppError, PageError};
use crate::forms::Fields;
use crate::{AppState, Ctx};
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use everychild_domain::person::InvolvementRole;
use everychild_domain::UserId;
use everychild_policy::{self as policy, Target};
use everychild_store::{Declaration, TeamInvitation};

/// Words for a declared role.
fn role_label(role: &str) -> &'static str {
    InvolvementRole::parse(role)
        .map(|r| r.label())
        .unwrap_or("Other")
}

/// Words for the ground a decision was made on.
fn ground_label(g: &str) -> &'static str {
    match g {
        "locality" => "manager of the child's locality",
        "line_manager" => "the declarer's line manager",
        "lead_professional" => "lead professional",
        "team_member" => "member of the team around the child",
        "agency_record" => "works with the child (agency record)",
        "involved" => "works with the child (approved)",
        _ => "other",
    }
}

#[derive(Template)]
#[template(path = "involvements.html")]
struct WaitingPage {
    c: Chrome,
    rows: Vec<(Declaration, String, Option<String>)>,
    done: Option<&'static str>,
}

impl WaitingPage {
    fn role(&self, r: &str) -> &'static str {
        role_label(r)
    }
}

/// GET /involvements: declarations waiting for the user's decision.
pub async fn waiting(
    ctx: Ctx,
    State(st): State<AppState>,
    axum::extract::Query(q): axum::extract::Query<super::children::DoneQ>,
) -> Result<Response, PageError> {
    let p = ctx
        .authorize::<policy::FindChildBasis>(
            &st,
            Target::None,
            Some("decide who works with a child"),
        )
        .await?;
    let rows = st.store.declarations_waiting(&p).await?;
    render(&WaitingPage {
        c: Chrome::new(&st, &ctx, "Declarations to decide", "/involvements"),
        rows,
        done: match q.done.as_deref() {
            Some("approved") => Some("The declaration has been approved"),
            Some("refused") => Some("The declaration has been refused"),
            _ => None,
        },
    })
}

/// POST /involvements/{id}/decision: approve or refuse a declaration (`decision` =
/// `approve` or `refuse`, `note` required to refuse); back to `back` (the child's record or
/// the list).
pub async fn decide(
    ctx: Ctx,
    State(st): State<AppState>,
    Path(id): Path<i64>,
    body: Bytes,
) -> Result<Response, PageError> {
    let find = ctx
        .authorize::<policy::FindChildBasis>(&st, Target::None, None)
        .await?;
    let scope = st
        .store
        .declaration_scope(&find, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let f = Fields::parse(&body);
    let approve = match f.get("decision") {
        "approve" => true,
        "refuse" => false,
        _ => {
            return Err(AppError::Invalid(vec![everychild_domain::FieldError::new(
                "decision",
                "Choose whether to approve or refuse the declaration",
            )])
            .into())
        }
    };
    let Some(ground) = scope.ground else {
        return Err(AppError::Forbidden.into());
    };
    if !approve {
        everychild_domain::access::parse_reason(f.get("note"), "note", "why you refuse")
            .map_err(|e| AppError::Invalid(vec![e]))?;
    }
    let p = ctx
        .authorize::<policy::DecideInvolvement>(
            &st,
            Target::Involvement {
                id,
                child: scope.child,
                declared_by: UserId(scope.declared_by),
                ground,
            },
            Some("decide who works with a child"),
        )
        .await?;
    st.store
        .decide_involvement(&p, approve, f.get("note"))
        .await?;
    let done = if approve { "approved" } else { "refused" };
    let back = if f.get("back") == "child" {
        format!("/children/{}?done=declaration_{done}", scope.child)
    } else {
        format!("/involvements?done={done}")
    };
    Ok(Redirect::to(&back).into_response())
}

#[derive(Template)]
#[template(path = "involvements_oversight.html")]
struct OversightPage {
    c: Chrome,
    rows: Vec<Declaration>,
}

impl OversightPage {
    fn role(&self, r: &str) -> &'static str {
        role_label(r)
    }
    fn ground(&self, g: &str) -> &'static str {
        ground_label(g)
    }
}

/// GET /oversight/involvements: every declaration, for the data protection officer.
pub async fn oversight(ctx: Ctx, State(st): State<AppState>) -> Result<Response, PageError> {
    let p = ctx
        .authorize::<policy::OverseeAccess>(
            &st,
            Target::None,
            Some("oversee declared involvements"),
        )
        .await?;
    let rows = st.store.declarations_oversight(&p).await?;
    render(&OversightPage {
        c: Chrome::new(&st, &ctx, "Declared involvements", "/break-glass"),
        rows,
    })
}

#[derive(Template)]
#[template(path = "team_invitations.html")]
struct InvitationsPage {
    c: Chrome,
    rows: Vec<TeamInvitation>,
    done: Option<&'static str>,
}

/// GET /team-invitations: places in teams around children waiting for the user's answer.
pub async fn invitations(
    ctx: Ctx,
    State(st): State<AppState>,
    axum::extract::Query(q): axum::extract::Query<super::children::DoneQ>,
) -> Result<Response, PageError> {
    let p = ctx
        .authorize::<policy::AnswerTeamInvitation>(
            &st,
            Target::None,
            Some("answer a place in a team around a child"),
        )
        .await?;
    let rows = st.store.team_invitations(&p).await?;
    render(&InvitationsPage {
        c: Chrome::new(
            &st,
            &ctx,
            "Places in teams around children",
            "/team-invitations",
        ),
        rows,
        done: match q.done.as_deref() {
            Some("declined") => Some("You have declined the place in the team"),
            _ => None,
        },
    })
}

/// POST /requests/{id}/membership: accept (`answer=accept`) or decline a place in the team.
pub async fn answer(
    ctx: Ctx,
    State(st): State<AppState>,
    Path(id): Path<i64>,
    body: Bytes,
) -> Result<Response, PageError> {
    let p = ctx
        .authorize::<policy::AnswerTeamInvitation>(
            &st,
            Target::None,
            Some("answer a place in a team around a child"),
        )
        .await?;
    let f = Fields::parse(&body);
    let accept = match f.get("answer") {
        "accept" => true,
        "decline" => false,
        _ => {
            return Err(AppError::Invalid(vec![everychild_domain::FieldError::new(
                "answer",
                "Choose whether to accept or decline the place in the team",
            )])
            .into())
        }
    };
    st.store.answer_team_invitation(&p, id, accept).await?;
    Ok(if accept {
        Redirect::to(&format!("/requests/{id}"))
    } else {
        Redirect::to("/team-invitations?done=declined")
    }
    .into_response())
}
