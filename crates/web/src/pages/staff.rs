//! The staff directory: who works where and how to reach them.

use super::{render, Chrome};
use crate::error::{AppError, PageError};
use crate::{AppState, Ctx};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use everychild_domain::UserId;
use everychild_policy::{self as policy, Target};
use everychild_store::StaffCard;
use serde::Deserialize;

#[derive(Template)]
#[template(path = "staff_search.html")]
struct SearchPage {
    c: Chrome,
    q: String,
    results: Option<Vec<StaffCard>>,
}

#[derive(Template)]
#[template(path = "staff_profile.html")]
struct ProfilePage {
    c: Chrome,
    s: StaffCard,
}

/// Search query.
#[derive(Deserialize)]
pub struct Q {
    q: Option<String>,
}

/// GET /staff
pub async fn search(
    ctx: Ctx,
    State(st): State<AppState>,
    Query(q): Query<Q>,
) -> Result<Response, PageError> {
    let permit = ctx
        .authorize::<policy::SearchStaff>(&st, Target::None, Some("find a colleague"))
        .await?;
    let text =
        q.q.unwrap_or_default()
            .chars()
            .take(100)
            .collect::<String>();
    let results = if text.trim().is_empty() {
        None
    } else {
        Some(st.store.search_staff(&permit, &text).await?)
    };
    render(&SearchPage {
        c: Chrome::new(&st, &ctx, "Staff directory", "/staff"),
        q: text,
        results,
    })
}

/// GET /staff/{id}
pub async fn profile(
    ctx: Ctx,
    State(st): State<AppState>,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    let permit = ctx
        .authorize::<policy::ViewStaffProfile>(
            &st,
            Target::User(UserId(id)),
            Some("contact a colleague"),
        )
        .await?;
    let s = st
        .store
        .staff_profile(&permit)
        .await?
        .ok_or(AppError::NotFound)?;
    render(&ProfilePage {
        c: Chrome::new(&st, &ctx, s.display_name.clone(), "/staff"),
        s,
    })
}
