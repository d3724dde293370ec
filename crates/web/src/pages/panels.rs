//! Locality panels: cases that are stuck (no lead professional, no progress) or referred by the
//! team are proposed for the next panel; the locality manager sets its agenda, records each
//! decision and may give the team an action. The stuck-case count at each panel shows the trend.

use super::{render_status, Chrome};
use crate::error::{AppError, PageError};
use crate::forms::{Fields, FormErrors};
use crate::{AppState, Ctx};
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use everychild_domain::casework::NewAction;
use everychild_domain::FieldError;
use everychild_policy::{self as policy, Target};
use everychild_store::{PanelItem, PanelRow, Proposal};

#[derive(Template)]
#[template(path = "panel_overview.html")]
struct Overview {
    c: Chrome,
    errors: FormErrors,
    v: Fields,
    locality: i64,
    proposals: Vec<Proposal>,
    panels: Vec<PanelRow>,
    rule: String,
}

async fn overview(
    st: &AppState,
    ctx: &Ctx,
    locality: i64,
    errors: FormErrors,
    v: Fields,
) -> Result<Response, PageError> {
    let p = ctx
        .authorize::<policy::RunPanel>(
            st,
            Target::Locality(locality),
            Some("prepare the locality panel"),
        )
        .await?;
    let (proposals, panels) = st.store.panel_overview(&p).await?;
    let code = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::BAD_REQUEST
    };
    render_status(
        code,
        &Overview {
            c: Chrome::new(st, ctx, "Locality panel", "/front-door").errors(!errors.is_empty()),
            errors,
            v,
            locality,
            proposals,
            panels,
            rule: st.store.case_rules().stuck_text(),
        },
    )
}

/// GET /localities/{id}/panel
pub async fn show(
    ctx: Ctx,
    State(st): State<AppState>,
    Path(locality): Path<i64>,
) -> Result<Response, PageError> {
    overview(&st, &ctx, locality, FormErrors::none(), Fields::default()).await
}

/// POST /localities/{id}/panel: set the next panel's agenda.
pub async fn create(
    ctx: Ctx,
    State(st): State<AppState>,
    Path(locality): Path<i64>,
    body: Bytes,
) -> Result<Response, PageError> {
    let p = ctx
        .authorize::<policy::RunPanel>(
            &st,
            Target::Locality(locality),
            Some("set the locality panel's agenda"),
        )
        .await?;
    let f = Fields::parse(&body);
    let mut errors = FormErrors::none();
    match time::Date::parse(
        f.get("meets_on").trim(),
        &time::format_description::well_known::Iso8601::DATE,
    ) {
        Ok(d) => match st.store.create_panel(&p, d).await {
            Ok(id) => return Ok(Redirect::to(&format!("/panels/{id}")).into_response()),
            Err(e) => errors.refusal(e)?,
        },
        Err(_) => errors.push(FieldError::new(
            "meets_on",
            "Enter the date the panel meets, like 2026-12-01",
        )),
    }
    overview(&st, &ctx, locality, errors, f).await
}

#[derive(Template)]
#[template(path = "panel.html")]
struct PanelPage {
    c: Chrome,
    errors: FormErrors,
    panel: i64,
    locality: i64,
    meets_on: String,
    items: Vec<PanelItem>,
}

async fn panel_permit(
    st: &AppState,
    ctx: &Ctx,
    panel: i64,
) -> Result<(policy::Permit<policy::RunPanel>, i64), AppError> {
    let find = ctx
        .authorize::<policy::FindChildBasis>(st, Target::None, None)
        .await?;
    let locality = st
        .store
        .panel_scope(&find, panel)
        .await?
        .ok_or(AppError::NotFound)?;
    let p = ctx
        .authorize::<policy::RunPanel>(
            st,
            Target::Locality(locality),
            Some("run the locality panel"),
        )
        .await?;
    Ok((p, locality))
}

async fn panel_page(
    st: &AppState,
    ctx: &Ctx,
    panel: i64,
    errors: FormErrors,
) -> Result<Response, PageError> {
    let (p, locality) = panel_permit(st, ctx, panel).await?;
    let (meets_on, items) = st
        .store
        .panel_items(&p, panel)
        .await?
        .ok_or(AppError::NotFound)?;
    let code = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::BAD_REQUEST
    };
    render_status(
        code,
        &PanelPage {
            c: Chrome::new(
                st,
                ctx,
                format!("Locality panel, {meets_on}"),
                "/front-door",
            )
            .errors(!errors.is_empty()),
            errors,
            panel,
            locality,
            meets_on,
            items,
        },
    )
}

/// GET /panels/{id}
pub async fn agenda(
    ctx: Ctx,
    State(st): State<AppState>,
    Path(panel): Path<i64>,
) -> Result<Response, PageError> {
    panel_page(&st, &ctx, panel, FormErrors::none()).await
}

/// POST /panels/{id}/items/{item}: the panel's decision on a case.
pub async fn decide(
    ctx: Ctx,
    State(st): State<AppState>,
    Path((panel, item)): Path<(i64, i64)>,
    body: Bytes,
) -> Result<Response, PageError> {
    let (p, _) = panel_permit(&st, &ctx, panel).await?;
    let f = Fields::parse(&body);
    let mut errors = FormErrors::none();
    // An action is optional; if any part of it is given, all of it is needed.
    let wants_action = ["description", "owner", "due"]
        .iter()
        .any(|k| !f.get(k).trim().is_empty());
    let action = if wants_action {
        match NewAction::parse(
            f.get("description"),
            f.get("owner"),
            f.get("due"),
            st.clock.now().date(),
        ) {
            Ok(a) => Some(a),
            Err(es) => {
                es.into_iter().for_each(|e| errors.push(e));
                None
            }
        }
    } else {
        None
    };
    if errors.is_empty() {
        match st
            .store
            .decide_panel_item(&p, panel, item, f.get("decision"), action.as_ref())
            .await
        {
            Ok(()) => return Ok(Redirect::to(&format!("/panels/{panel}")).into_response()),
            Err(e) => errors.refusal(e)?,
        }
    }
    panel_page(&st, &ctx, panel, errors).await
}
