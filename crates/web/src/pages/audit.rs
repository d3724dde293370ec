//! The audit log viewer, for administrators and the data protection officer. Read-only:
//! nothing in the product can change or delete an event.

use super::{render, Chrome};
use crate::error::PageError;
use crate::{AppState, Ctx};
use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use everychild_policy::{self as policy, Target};
use everychild_store::{AuditFilter, AuditPage};
use serde::Deserialize;

/// Filters from the query string.
#[derive(Deserialize, Default, Clone)]
pub struct AuditQuery {
    /// Actor username.
    pub actor: Option<String>,
    /// Action prefix.
    pub action: Option<String>,
    /// Subject type.
    pub subject_type: Option<String>,
    /// Subject id.
    pub subject_id: Option<String>,
    /// Outcome.
    pub outcome: Option<String>,
    /// From date (YYYY-MM-DD, UTC).
    pub from: Option<String>,
    /// To date inclusive (YYYY-MM-DD, UTC).
    pub to: Option<String>,
    /// Page.
    pub page: Option<i64>,
}

/// Turn query filters into a store filter; a date that is not YYYY-MM-DD is an error naming it.
pub fn to_filter(
    q: &AuditQuery,
    per_page: i64,
) -> Result<AuditFilter, everychild_domain::FieldError> {
    let date = |field: &'static str,
                v: &Option<String>,
                add_day: bool|
     -> Result<Option<String>, everychild_domain::FieldError> {
        match v.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            None => Ok(None),
            Some(s) => {
                let fmt = time::macros::format_description!("[year]-[month]-[day]");
                let d = time::Date::parse(s, &fmt).map_err(|_| {
                    everychild_domain::FieldError::new(
                        field,
                        "Enter a date in the format YYYY-MM-DD, like 2026-11-22",
                    )
                })?;
                let d = if add_day {
                    d.next_day().unwrap_or(d)
                } else {
                    d
                };
                Ok(Some(format!("{d}T00:00:00.000Z")))
            }
        }
    };
    Ok(AuditFilter {
        actor: q.actor.clone().map(|s| s.trim().to_lowercase()),
        action: q.action.clone().map(|s| s.trim().to_owned()),
        subject_type: q.subject_type.clone(),
        subject_id: q.subject_id.clone(),
        outcome: q.outcome.clone(),
        from: date("from", &q.from, false)?,
        to: date("to", &q.to, true)?,
        page: q.page.unwrap_or(1),
        per_page,
    })
}

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditListPage {
    c: Chrome,
    q: AuditQuery,
    page: Option<AuditPage>,
    error: Option<String>,
    prev: Option<String>,
    next: Option<String>,
}

fn page_link(q: &AuditQuery, page: i64) -> String {
    let mut q = q.clone();
    q.page = Some(page);
    let pairs: Vec<(&str, String)> = [
        ("actor", q.actor),
        ("action", q.action),
        ("subject_type", q.subject_type),
        ("subject_id", q.subject_id),
        ("outcome", q.outcome),
        ("from", q.from),
        ("to", q.to),
        ("page", q.page.map(|p| p.to_string())),
    ]
    .into_iter()
    .filter_map(|(k, v)| v.filter(|v| !v.is_empty()).map(|v| (k, v)))
    .collect();
    format!(
        "/audit?{}",
        serde_urlencoded::to_string(pairs).unwrap_or_default()
    )
}

/// GET /audit
pub async fn show(
    ctx: Ctx,
    State(st): State<AppState>,
    Query(q): Query<AuditQuery>,
) -> Result<Response, PageError> {
    let permit = ctx
        .authorize::<policy::ReadAudit>(&st, Target::None, Some("audit review"))
        .await?;
    let (page, error) = match to_filter(&q, 50) {
        Ok(f) => (Some(st.store.search_audit(&permit, &f).await?), None),
        Err(e) => (None, Some(e.to_string())),
    };
    let (prev, next) = match &page {
        Some(p) => (
            (p.page > 1).then(|| page_link(&q, p.page - 1)),
            (p.page * p.per_page < p.total).then(|| page_link(&q, p.page + 1)),
        ),
        None => (None, None),
    };
    render(&AuditListPage {
        c: Chrome::new(&st, &ctx, "Audit log", "/audit").errors(error.is_some()),
        q,
        page,
        error,
        prev,
        next,
    })
}
