//! The Open Referral UK 3.0 API at `/api/openreferral/`: anonymous, read-only, every published
//! service with its locations, schedules and taxonomy terms, in the profile's documents and its
//! paging wrapper. Responses carry `Access-Control-Allow-Origin: *` (set by the context layer)
//! so any site or app may read them. A malformed parameter is refused with 400 naming it; an
//! unknown id gets 404; both in the API's one error shape. What each filter matches is written
//! down in `everychild_domain::directory::search`.

use crate::error::{ApiError, AppError};
use crate::{AppState, Ctx};
use axum::extract::{Path, RawQuery, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::Json;
use everychild_domain::directory::oruk::{self, Location, Service, ServiceAtLocation, Weekday};
use everychild_domain::directory::search::{list_item, DirectoryIndex, Hit, Near, Page, Query};
use everychild_domain::geo::GeoIndex;
use everychild_domain::FieldError;
use everychild_policy::{self as policy, Target};
use serde::Serialize;
use std::sync::Arc;
use utoipa::OpenApi;

/// This module's part of the OpenAPI document.
#[derive(OpenApi)]
#[openapi(
    paths(about, services, service, service_at_locations, service_at_location, taxonomies, taxonomy, taxonomy_terms, taxonomy_term),
    tags((name = "openreferral", description = "Open Referral UK 3.0: the published service directory, anonymous and read-only"))
)]
pub struct OpenReferralDoc;

/// The most items a page may hold.
pub const MAX_PER_PAGE: usize = 1000;
/// Items a page holds when `per_page` is not given.
pub const DEFAULT_PER_PAGE: usize = 50;
/// The farthest `proximity` accepted, in metres.
pub const MAX_PROXIMITY_M: f64 = 200_000.0;

/// The parameters of a list call, parsed.
#[derive(Debug, Default)]
pub struct ListParams {
    /// The filters.
    pub query: Query,
    /// Page number from 1.
    pub page: usize,
    /// Items a page.
    pub per_page: usize,
}

fn bad(field: &'static str, message: impl Into<String>) -> AppError {
    AppError::Invalid(vec![FieldError::new(field, message)])
}

fn number(field: &'static str, v: &str) -> Result<f64, AppError> {
    v.trim()
        .parse::<f64>()
        .ok()
        .filter(|n| n.is_finite())
        .ok_or_else(|| bad(field, format!("{field} must be a number, not \"{v}\"")))
}

fn whole(field: &'static str, v: &str, min: usize, max: usize) -> Result<usize, AppError> {
    match v.trim().parse::<usize>() {
        Ok(n) if (min..=max).contains(&n) => Ok(n),
        _ => Err(bad(
            field,
            format!("{field} must be a whole number from {min} to {max}, not \"{v}\""),
        )),
    }
}

fn age(field: &'static str, v: &str) -> Result<f64, AppError> {
    let n = number(field, v)?;
    if (0.0..=150.0).contains(&n) {
        Ok(n)
    } else {
        Err(bad(field, format!("{field} must be an age from 0 to 150")))
    }
}

fn time_of_day(field: &'static str, v: &str) -> Result<u16, AppError> {
    oruk::parse_time(v.trim()).ok_or_else(|| {
        bad(
            field,
            format!("{field} must be a time of day as HH:MM or HH:MM:SS, not \"{v}\""),
        )
    })
}

/// Parse a raw query string: each parameter at most once; `allowed` are those this call
/// reads (others are ignored, as the profile's clients send more than every call uses).
fn pairs<'a>(
    raw: &'a [(String, String)],
    allowed: &[&'static str],
) -> Result<Vec<(&'static str, &'a str)>, AppError> {
    let mut out: Vec<(&'static str, &'a str)> = Vec::new();
    for (k, v) in raw {
        if let Some(name) = allowed.iter().find(|a| **a == k.as_str()) {
            if out.iter().any(|(n, _)| n == name) {
                return Err(bad(name, format!("{name} is given more than once")));
            }
            out.push((name, v.as_str()));
        }
    }
    Ok(out)
}

fn split_query(raw: Option<&str>) -> Result<Vec<(String, String)>, AppError> {
    serde_urlencoded::from_str(raw.unwrap_or(""))
        .map_err(|_| bad("query", "The query string is not valid"))
}

const SERVICE_PARAMS: &[&str] = &[
    "search",
    "page",
    "per_page",
    "taxonomy_term_id",
    "taxonomy_id",
    "minimum_age",
    "maximum_age",
    "day",
    "start_time",
    "end_time",
];
const LOCATION_PARAMS: &[&str] = &[
    "search",
    "page",
    "per_page",
    "taxonomy_term_id",
    "taxonomy_id",
    "minimum_age",
    "maximum_age",
    "day",
    "start_time",
    "end_time",
    "postcode",
    "proximity",
];
const PAGE_PARAMS: &[&str] = &["page", "per_page"];

/// Parse the parameters of a list call; `geo` places a postcode.
pub fn parse_list(
    raw: &[(String, String)],
    allowed: &[&'static str],
    geo: Option<&GeoIndex>,
) -> Result<ListParams, AppError> {
    let mut p = ListParams {
        page: 1,
        per_page: DEFAULT_PER_PAGE,
        ..ListParams::default()
    };
    let mut postcode = None;
    let mut proximity = None;
    for (name, v) in pairs(raw, allowed)? {
        let q = &mut p.query;
        match name {
            "page" => p.page = whole(name, v, 1, 1_000_000)?,
            "per_page" => p.per_page = whole(name, v, 1, MAX_PER_PAGE)?,
            "search" => {
                if v.chars().count() > 200 {
                    return Err(bad(name, "search must be 200 characters or fewer"));
                }
                q.text = Some(v.to_owned()).filter(|t| !t.trim().is_empty());
            }
            "taxonomy_term_id" | "taxonomy_id" => {
                let v = v.trim();
                if v.is_empty() || v.len() > 200 {
                    return Err(bad(name, format!("{name} must be an id")));
                }
                if name == "taxonomy_id" {
                    q.taxonomy_id = Some(v.to_owned());
                } else {
                    q.taxonomy_term_id = Some(v.to_owned());
                }
            }
            "minimum_age" => q.minimum_age = Some(age(name, v)?),
            "maximum_age" => q.maximum_age = Some(age(name, v)?),
            "day" => {
                q.day = Some(Weekday::parse(v).ok_or_else(|| {
                    bad(
                        name,
                        format!("day must be a day of the week (MO, TU, WE, TH, FR, SA, SU or its name), not \"{v}\""),
                    )
                })?)
            }
            "start_time" => q.start_time = Some(time_of_day(name, v)?),
            "end_time" => q.end_time = Some(time_of_day(name, v)?),
            "postcode" => postcode = Some(v),
            "proximity" => {
                let m = number(name, v)?;
                if !(m > 0.0 && m <= MAX_PROXIMITY_M) {
                    return Err(bad(
                        name,
                        format!("proximity must be a distance in metres above 0 and up to {MAX_PROXIMITY_M}"),
                    ));
                }
                proximity = Some(m);
            }
            _ => {}
        }
    }
    if let (Some(a), Some(b)) = (p.query.start_time, p.query.end_time) {
        if a > b {
            return Err(bad("end_time", "end_time must not be before start_time"));
        }
    }
    match (postcode, geo) {
        (Some(pc), Some(geo)) => {
            let found = geo.lookup(pc, None).map_err(|e| match e {
                everychild_domain::geo::PostcodeError::Malformed(_) => {
                    bad("postcode", format!("postcode \"{pc}\" is not a postcode"))
                }
                everychild_domain::geo::PostcodeError::NotInAuthority { postcode, .. } => bad(
                    "postcode",
                    format!("postcode {postcode} is not in the areas this directory covers"),
                ),
            })?;
            let at = found.lat_lon().ok_or_else(|| {
                bad(
                    "postcode",
                    format!("postcode {} has no known position", found.entry.postcode),
                )
            })?;
            p.query.near = Some(Near {
                at,
                locality: found.locality.map(|(id, _)| id),
                within: proximity,
            });
        }
        (None, _) if proximity.is_some() => {
            return Err(bad(
                "proximity",
                "proximity needs a postcode to measure from",
            ));
        }
        _ => {}
    }
    Ok(p)
}

async fn index(ctx: &Ctx, st: &AppState) -> Result<Arc<DirectoryIndex>, AppError> {
    let p = ctx
        .authorize::<policy::ViewDirectory>(st, Target::None, None)
        .await?;
    Ok(st.store.directory_index(&p).await?)
}

async fn geo(ctx: &Ctx, st: &AppState) -> Result<Arc<GeoIndex>, AppError> {
    let p = ctx
        .authorize::<policy::LookupPostcode>(st, Target::None, None)
        .await?;
    Ok(st.store.geo_index(&p).await?)
}

fn not_found(what: &str, id: &str) -> ApiError {
    ApiError(AppError::NotFoundBecause(FieldError::new(
        "id",
        format!("There is no {what} with id {id}"),
    )))
}

/// A page of a list that takes only `page` and `per_page`.
fn paged<T: Serialize>(raw: Option<&str>, items: &[T]) -> Result<Response, ApiError> {
    let raw = split_query(raw)?;
    let params = parse_list(&raw, PAGE_PARAMS, None)?;
    Ok(Json(Page::of(items.iter(), params.page, params.per_page)).into_response())
}

/// One item found by id, or 404 naming what and which.
fn one<T: Serialize>(item: Option<&T>, what: &str, id: &str) -> Result<Response, ApiError> {
    let item = item.ok_or_else(|| not_found(what, id))?;
    Ok(Json(item).into_response())
}

/// What the API says about itself.
#[derive(Serialize)]
struct About {
    version: &'static str,
    profile: &'static str,
    openapi_url: String,
}

/// The absolute base of this server as the client reached it, or the configured public URL.
fn base_url(st: &AppState, headers: &HeaderMap) -> String {
    if let Some(u) = &st.settings.public_url {
        return u.trim_end_matches('/').to_owned();
    }
    let host = headers
        .get(axum::http::header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| {
            h.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']'))
        })
        .unwrap_or("localhost");
    format!("http://{host}")
}

#[utoipa::path(get, path = "/api/openreferral/", tag = "openreferral", security(()),
    responses((status = 200, description = "The HSDS version and profile this API follows")))]
/// Which version and profile of Open Referral this API speaks.
pub async fn about(
    ctx: Ctx,
    State(st): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    ctx.authorize::<policy::ViewDirectory>(&st, Target::None, None)
        .await?;
    Ok(Json(About {
        version: "HSDS-UK-3.0",
        profile: "https://github.com/OpenReferralUK/uk-profile/blob/main/docs/index.md",
        openapi_url: format!("{}/api/v1/openapi.json", base_url(&st, &headers)),
    })
    .into_response())
}

#[utoipa::path(get, path = "/api/openreferral/services", tag = "openreferral", security(()),
    params(("search" = Option<String>, Query, description = "Every word is the start of a word in the service's name, description, provider or classification"),
        ("page" = Option<usize>, Query, description = "Page from 1"), ("per_page" = Option<usize>, Query, description = "Items a page, 1 to 1000 (default 50)"),
        ("taxonomy_term_id" = Option<String>, Query), ("taxonomy_id" = Option<String>, Query),
        ("minimum_age" = Option<f64>, Query, description = "The service's minimum age is at least this"), ("maximum_age" = Option<f64>, Query, description = "The service's maximum age is this or below"),
        ("day" = Option<String>, Query, description = "MO … SU"), ("start_time" = Option<String>, Query, description = "Opens at or after HH:MM"), ("end_time" = Option<String>, Query, description = "Closes at or before HH:MM")),
    responses((status = 200, description = "A page of services (their one-to-one fields and provider)"), (status = 400, body = crate::error::ErrorBody)))]
/// Published services, by name.
pub async fn services(
    ctx: Ctx,
    State(st): State<AppState>,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let raw = split_query(raw.as_deref())?;
    let params = parse_list(&raw, SERVICE_PARAMS, None)?;
    let idx = index(&ctx, &st).await?;
    let hits = idx.services(&params.query);
    let page = Page::of(hits.into_iter(), params.page, params.per_page)
        .map(|h: Hit<'_>| list_item(&h.entry.service));
    Ok(Json(page).into_response())
}

#[utoipa::path(get, path = "/api/openreferral/services/{id}", tag = "openreferral", security(()),
    params(("id" = String, Path)),
    responses((status = 200, description = "A fully nested service"), (status = 404, body = crate::error::ErrorBody)))]
/// One published service with everything about it.
pub async fn service(
    ctx: Ctx,
    State(st): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let idx = index(&ctx, &st).await?;
    one(idx.service(&id).map(|s| &s.service), "service", &id)
}

/// A service at a location in a list: the location's own fields and the service's.
#[derive(Serialize)]
struct SalItem {
    id: String,
    service_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    location_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    location: Option<Location>,
    service: Service,
}

fn sal_item(s: &Service, sal: &ServiceAtLocation, full: bool) -> SalItem {
    let location = sal.location.as_ref().map(|l| {
        if full {
            l.clone()
        } else {
            Location {
                addresses: Vec::new(),
                accessibility: Vec::new(),
                attributes: Vec::new(),
                ..l.clone()
            }
        }
    });
    let service = if full {
        Service {
            service_at_locations: Vec::new(),
            ..s.clone()
        }
    } else {
        list_item(s)
    };
    SalItem {
        id: sal.id.clone(),
        service_id: s.id.clone(),
        location_id: sal
            .location_id
            .clone()
            .or_else(|| sal.location.as_ref().map(|l| l.id.clone())),
        location,
        service,
    }
}

#[utoipa::path(get, path = "/api/openreferral/service_at_locations", tag = "openreferral", security(()),
    params(("search" = Option<String>, Query), ("page" = Option<usize>, Query), ("per_page" = Option<usize>, Query),
        ("taxonomy_term_id" = Option<String>, Query), ("taxonomy_id" = Option<String>, Query),
        ("minimum_age" = Option<f64>, Query), ("maximum_age" = Option<f64>, Query),
        ("day" = Option<String>, Query), ("start_time" = Option<String>, Query), ("end_time" = Option<String>, Query),
        ("postcode" = Option<String>, Query, description = "Only services whose area covers the postcode; with proximity, nearest first"),
        ("proximity" = Option<f64>, Query, description = "Only locations within this many metres of the postcode's centre")),
    responses((status = 200, description = "A page of services at locations"), (status = 400, body = crate::error::ErrorBody)))]
/// Published services at their locations: nearest first from a postcode, else by name.
pub async fn service_at_locations(
    ctx: Ctx,
    State(st): State<AppState>,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let raw = split_query(raw.as_deref())?;
    let wants_geo = raw.iter().any(|(k, _)| k == "postcode");
    let geo = if wants_geo {
        Some(geo(&ctx, &st).await?)
    } else {
        None
    };
    let params = parse_list(&raw, LOCATION_PARAMS, geo.as_deref())?;
    let idx = index(&ctx, &st).await?;
    let hits: Vec<(&Service, &ServiceAtLocation)> = idx
        .service_at_locations(&params.query)
        .into_iter()
        .filter_map(|h| {
            let s = &h.entry.service;
            Some((s, s.service_at_locations.get(h.at?)?))
        })
        .collect();
    let page = Page::of(hits.into_iter(), params.page, params.per_page)
        .map(|(s, sal)| sal_item(s, sal, false));
    Ok(Json(page).into_response())
}

#[utoipa::path(get, path = "/api/openreferral/service_at_locations/{id}", tag = "openreferral", security(()),
    params(("id" = String, Path)),
    responses((status = 200, description = "A service at a location, fully nested"), (status = 404, body = crate::error::ErrorBody)))]
/// One service at one location with everything about both.
pub async fn service_at_location(
    ctx: Ctx,
    State(st): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let idx = index(&ctx, &st).await?;
    let (entry, at) = idx
        .service_at_location(&id)
        .ok_or_else(|| not_found("service at location", &id))?;
    let sal = entry
        .service
        .service_at_locations
        .get(at)
        .ok_or_else(|| not_found("service at location", &id))?;
    let item = sal_item(&entry.service, sal, true);
    Ok(Json(item).into_response())
}

#[utoipa::path(get, path = "/api/openreferral/taxonomies", tag = "openreferral", security(()),
    params(("page" = Option<usize>, Query), ("per_page" = Option<usize>, Query)),
    responses((status = 200, description = "A page of taxonomies"), (status = 400, body = crate::error::ErrorBody)))]
/// Every taxonomy, by name.
pub async fn taxonomies(
    ctx: Ctx,
    State(st): State<AppState>,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let idx = index(&ctx, &st).await?;
    paged(raw.as_deref(), idx.taxonomies())
}

#[utoipa::path(get, path = "/api/openreferral/taxonomies/{id}", tag = "openreferral", security(()),
    params(("id" = String, Path)),
    responses((status = 200, description = "A taxonomy"), (status = 404, body = crate::error::ErrorBody)))]
/// One taxonomy.
pub async fn taxonomy(
    ctx: Ctx,
    State(st): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let idx = index(&ctx, &st).await?;
    one(
        idx.taxonomies().iter().find(|t| t.id == id),
        "taxonomy",
        &id,
    )
}

#[utoipa::path(get, path = "/api/openreferral/taxonomy_terms", tag = "openreferral", security(()),
    params(("page" = Option<usize>, Query), ("per_page" = Option<usize>, Query)),
    responses((status = 200, description = "A page of taxonomy terms"), (status = 400, body = crate::error::ErrorBody)))]
/// Every taxonomy term, by name.
pub async fn taxonomy_terms(
    ctx: Ctx,
    State(st): State<AppState>,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let idx = index(&ctx, &st).await?;
    paged(raw.as_deref(), idx.terms())
}

#[utoipa::path(get, path = "/api/openreferral/taxonomy_terms/{id}", tag = "openreferral", security(()),
    params(("id" = String, Path)),
    responses((status = 200, description = "A taxonomy term"), (status = 404, body = crate::error::ErrorBody)))]
/// One taxonomy term.
pub async fn taxonomy_term(
    ctx: Ctx,
    State(st): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let idx = index(&ctx, &st).await?;
    one(
        idx.terms().iter().find(|t| t.id == id),
        "taxonomy term",
        &id,
    )
}
