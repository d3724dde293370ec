//! The children API: search the index (with a purpose) and read a child's record, on the same
//! basis and with the same audit as the pages.

use crate::error::{ApiError, AppError};
use crate::pages::children::{open_child, SEARCH_PURPOSES};
use crate::{AppState, Ctx};
use axum::extract::{Path, Query, State};
use axum::Json;
use everychild_domain::FieldError;
use everychild_policy::{self as policy, Target};
use everychild_store::{ChildHit, ChildQuery, ChildRecord};
use serde::Deserialize;
use utoipa::{IntoParams, OpenApi};

/// This module's part of the OpenAPI document.
#[derive(OpenApi)]
#[openapi(paths(search, record), tags((name = "children")))]
pub struct ChildrenDoc;

/// A search of the index.
#[derive(Deserialize, IntoParams)]
pub struct SearchParams {
    /// Names, in any order.
    name: Option<String>,
    /// Date of birth, `YYYY-MM-DD`.
    date_of_birth: Option<String>,
    /// NHS number or UPN.
    identifier: Option<String>,
    /// Postcode.
    postcode: Option<String>,
    /// Why: `known`, `working_with`, `safeguarding` or `data_quality` (recorded in the audit log).
    purpose: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/children", tag = "children", params(SearchParams),
    responses((status = 200, description = "Children matching: id, name, date of birth, postcode district, score, whether the caller may open the record"), (status = 400, body = crate::error::ErrorBody), (status = 403, body = crate::error::ErrorBody)))]
/// Search the index of children (practitioners and locality managers; audited).
pub async fn search(
    ctx: Ctx,
    State(st): State<AppState>,
    Query(q): Query<SearchParams>,
) -> Result<Json<Vec<ChildHit>>, ApiError> {
    ctx.authorize::<policy::SearchChildren>(&st, Target::None, None)
        .await?;
    let Some(purpose) = SEARCH_PURPOSES
        .iter()
        .find(|p| Some(p.0) == q.purpose.as_deref())
    else {
        return Err(AppError::Invalid(vec![FieldError::new(
            "purpose",
            "Give the purpose: known, working_with, safeguarding or data_quality",
        )])
        .into());
    };
    everychild_domain::person::search_is_specific(
        q.name.as_deref(),
        q.date_of_birth.as_deref(),
        q.identifier.as_deref(),
        q.postcode.as_deref(),
    )?;
    let permit = ctx
        .authorize::<policy::SearchChildren>(&st, Target::None, Some(purpose.1))
        .await?;
    let query = ChildQuery {
        name: q.name,
        date_of_birth: q.date_of_birth,
        identifier: q.identifier,
        postcode: q.postcode,
    };
    Ok(Json(st.store.search_children(&permit, &query).await?))
}

#[utoipa::path(get, path = "/api/v1/children/{id}", tag = "children", params(("id" = i64, Path, description = "Record number")),
    responses((status = 200, description = "The child's record: summary, family, who is involved, flags, addresses, agency records"), (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody)))]
/// A child's record, for those with a basis (audited).
pub async fn record(
    ctx: Ctx,
    State(st): State<AppState>,
    Path(id): Path<i64>,
) -> Result<Json<ChildRecord>, ApiError> {
    let Some((permit, _)) =
        open_child(&st, &ctx, id, "see the record of a child I work with").await?
    else {
        return Err(AppError::Forbidden.into());
    };
    Ok(Json(
        st.store
            .view_child(&permit)
            .await?
            .ok_or(AppError::NotFound)?,
    ))
}
