//! The clerical review queue: agency records the linkage engine was unsure about, each beside
//! its candidate children with the weight every field gave, for a locality manager to link,
//! make a new child, or leave for later.

use super::{render, Chrome};
use crate::error::{AppError, PageError};
use crate::forms::Fields;
use crate::{AppState, Ctx};
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use everychild_policy::{self as policy, Target};
use everychild_store::{ReviewCandidate, ReviewDecision, ReviewItem};

#[derive(Template)]
#[template(path = "reviews.html")]
struct ListPage {
    c: Chrome,
    items: Vec<ReviewItem>,
}

/// GET /reviews
pub async fn list(ctx: Ctx, State(st): State<AppState>) -> Result<Response, PageError> {
    let p = ctx
        .authorize::<policy::ReviewLinks>(
            &st,
            Target::None,
            Some("decide which records are the same child"),
        )
        .await?;
    let items = st.store.review_queue(&p).await?;
    render(&ListPage {
        c: Chrome::new(&st, &ctx, "Records to review", "/reviews"),
        items,
    })
}

#[derive(Template)]
#[template(path = "review.html")]
struct ItemPage {
    c: Chrome,
    it: ReviewItem,
}

impl ItemPage {
    /// The field names people read, by the engine's role names.
    fn field(&self, role: &str) -> &'static str {
        match role {
            "given_name" => "First name",
            "middle_name" => "Middle names",
            "family_name" => "Last name",
            "dob" => "Date of birth",
            "sex" => "Sex",
            "postcode" => "Postcode",
            "address" => "Address",
            "nhs_number" => "NHS number",
            "identifier" => "Unique pupil number",
            _ => "Other",
        }
    }
}

impl ItemPage {
    /// The agency's value and the candidate's value of a field as recorded (not as the engine
    /// normalised them); a shielded child's address and postcode stay hidden.
    fn values(&self, cand: &ReviewCandidate, role: &str) -> (String, String) {
        let r = &self.it.record;
        let p = &cand.person;
        let hidden = || "(hidden: this child is shielded)".to_owned();
        let (left, right) = match role {
            "given_name" => (r.given_name.clone(), Some(p.given_name.clone())),
            "middle_name" => (r.middle_names.clone(), Some(p.middle_names.clone())),
            "family_name" => (r.family_name.clone(), Some(p.family_name.clone())),
            "dob" => (r.date_of_birth.clone(), p.date_of_birth.clone()),
            "sex" => (r.sex.clone(), Some(p.sex.clone())),
            "postcode" if p.shielded => (r.postcode.clone(), Some(hidden())),
            "postcode" => (r.postcode.clone(), p.postcode.clone()),
            "address" if p.shielded => (r.address.clone(), Some(hidden())),
            "address" => (r.address.clone(), p.address.clone()),
            "nhs_number" => (r.nhs_number.clone(), p.nhs_number.clone()),
            "identifier" => (r.upn.clone(), p.upn.clone()),
            _ => (None, None),
        };
        let shown = |v: Option<String>| {
            v.filter(|v| !v.trim().is_empty())
                .unwrap_or_else(|| "(none)".to_owned())
        };
        (shown(left), shown(right))
    }
}

/// GET /reviews/{id}
pub async fn item(
    ctx: Ctx,
    State(st): State<AppState>,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    let p = ctx
        .authorize::<policy::ReviewLinks>(
            &st,
            Target::None,
            Some("decide which records are the same child"),
        )
        .await?;
    let it = st
        .store
        .review_item(&p, id)
        .await?
        .ok_or(AppError::NotFound)?;
    render(&ItemPage {
        c: Chrome::new(
            &st,
            &ctx,
            format!("Review {} record {}", it.organisation, it.record.source_id),
            "/reviews",
        ),
        it,
    })
}

/// POST /reviews/{id}
pub async fn decide(
    ctx: Ctx,
    State(st): State<AppState>,
    Path(id): Path<i64>,
    body: Bytes,
) -> Result<Response, PageError> {
    let p = ctx
        .authorize::<policy::ReviewLinks>(
            &st,
            Target::None,
            Some("decide which records are the same child"),
        )
        .await?;
    let f = Fields::parse(&body);
    let d = match f.get("decision") {
        "new" => ReviewDecision::NewChild,
        "defer" => ReviewDecision::Defer,
        other => match other.strip_prefix("link:").and_then(|v| v.parse().ok()) {
            Some(pid) => ReviewDecision::Link(pid),
            None => {
                return Err(AppError::Invalid(vec![everychild_domain::FieldError::new(
                    "decision",
                    "Choose one of the children, a new child, or decide later",
                )])
                .into())
            }
        },
    };
    st.store.decide_review(&p, id, d).await?;
    Ok(Redirect::to("/reviews").into_response())
}
