//! The data protection officer's oversight of children's records: every break-glass access to
//! review, and who has viewed, searched for or changed a child's record.

use super::{render, Chrome};
use crate::error::PageError;
use crate::{AppState, Ctx};
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use everychild_policy::{self as policy, Target};
use everychild_store::{AuditRow, BreakGlassRow, VolumeAlert};

#[derive(Template)]
#[template(path = "break_glass.html")]
struct ReviewPage {
    c: Chrome,
    rows: Vec<BreakGlassRow>,
    /// Users who reached a volume limit in the last 30 days.
    volumes: Vec<VolumeAlert>,
}

/// GET /break-glass
pub async fn list(ctx: Ctx, State(st): State<AppState>) -> Result<Response, PageError> {
    let p = ctx
        .authorize::<policy::ReviewBreakGlass>(&st, Target::None, Some("review emergency access"))
        .await?;
    let rows = st.store.break_glass_list(&p).await?;
    let oversee = ctx
        .authorize::<policy::OverseeAccess>(&st, Target::None, Some("oversee volumes of reads"))
        .await?;
    let volumes = st.store.volume_alerts(&oversee).await?;
    render(&ReviewPage {
        c: Chrome::new(&st, &ctx, "Emergency access to review", "/break-glass"),
        rows,
        volumes,
    })
}

/// POST /break-glass/{id}/review
pub async fn review(
    ctx: Ctx,
    State(st): State<AppState>,
    Path(id): Path<i64>,
    body: Bytes,
) -> Result<Response, PageError> {
    let p = ctx
        .authorize::<policy::ReviewBreakGlass>(&st, Target::None, Some("review emergency access"))
        .await?;
    let f = crate::forms::Fields::parse(&body);
    st.store
        .review_break_glass(&p, id, f.get("outcome") == "appropriate")
        .await?;
    Ok(Redirect::to("/break-glass").into_response())
}

#[derive(Template)]
#[template(path = "child_access_log.html")]
struct LogPage {
    c: Chrome,
    id: i64,
    events: Vec<AuditRow>,
}

/// GET /children/{id}/access-log
pub async fn access_log(
    ctx: Ctx,
    State(st): State<AppState>,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    let p = ctx
        .authorize::<policy::ViewChildAccessLog>(
            &st,
            Target::None,
            Some("check who has viewed a child's record"),
        )
        .await?;
    let events = st.store.child_access_log(&p, id).await?;
    render(&LogPage {
        c: Chrome::new(
            &st,
            &ctx,
            "Who has viewed this child's record",
            "/break-glass",
        ),
        id,
        events,
    })
}
