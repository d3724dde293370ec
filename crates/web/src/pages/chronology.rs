//! A child's chronology: every event from every agency on one timeline, filterable by kind,
//! with an alert when concerns from different agencies accumulate.

use super::children::child_permit;
use super::{render, Chrome};
use crate::error::{AppError, PageError};
use crate::{AppState, Ctx};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use everychild_policy::{self as policy, Action};
use everychild_store::ChronologyEvent;
use serde::Deserialize;

/// The kinds of event, with the words for the filter.
const KINDS: [(&str, &str); 8] = [
    ("involvement", "Agencies involved"),
    ("flag", "Flags"),
    ("request", "Requests for support"),
    ("decision", "Front-door decisions"),
    ("level", "Step-up and step-down"),
    ("team", "Team around the child"),
    ("assessment", "Assessments"),
    ("closure", "Closures"),
];

#[derive(Template)]
#[template(path = "chronology.html")]
struct Page {
    c: Chrome,
    child: i64,
    kind: String,
    events: Vec<ChronologyEvent>,
    alert: Option<(Vec<String>, String, String)>,
    kinds: &'static [(&'static str, &'static str)],
    alert_rule: String,
}

impl Page {
    fn kind_label(&self, k: &str) -> &'static str {
        KINDS
            .iter()
            .find(|x| x.0 == k)
            .map(|x| x.1)
            .unwrap_or("Other")
    }
}

/// The filter.
#[derive(Deserialize, Default)]
pub struct KindQ {
    kind: Option<String>,
}

/// GET /children/{id}/chronology
pub async fn show(
    ctx: Ctx,
    State(st): State<AppState>,
    Path(child): Path<i64>,
    Query(q): Query<KindQ>,
) -> Result<Response, PageError> {
    let Some((view, _)) = child_permit::<policy::ViewRequest>(
        &st,
        &ctx,
        child,
        Action::ViewRequest,
        "read the child's chronology",
    )
    .await?
    else {
        return Err(AppError::Forbidden.into());
    };
    let kind = q.kind.unwrap_or_default();
    if !kind.is_empty() && !KINDS.iter().any(|k| k.0 == kind) {
        return Err(AppError::Invalid(vec![everychild_domain::FieldError::new(
            "kind",
            "Choose a kind of event from the list",
        )])
        .into());
    }
    let chrono = st.store.chronology(&view).await?;
    let events = chrono
        .events
        .into_iter()
        .filter(|e| kind.is_empty() || e.kind == kind)
        .collect();
    render(&Page {
        c: Chrome::new(&st, &ctx, "Chronology", "/children"),
        child,
        kind,
        events,
        alert: chrono.alert,
        kinds: &KINDS,
        alert_rule: st.store.case_rules().alert_text(),
    })
}
