//! The administrator's boundary sets: list them, see one with its figures against the current
//! set, make one current, and draw a new one (merge localities, move a ward) with the
//! populations before and after shown before it is saved. Old sets are never changed.

use super::localities::choose_authority;
use super::{render, render_status, Chrome};
use crate::error::{AppError, PageError};
use crate::forms::{Fields, FormErrors};
use crate::{AppState, Ctx};
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use everychild_domain::geo::AreaCode;
use everychild_domain::locality::{check_boundary_set, BoundaryProblem, BoundaryProposal};
use everychild_policy::{self as policy, Target};
use everychild_store::{Authority, BoundarySetSummary, LocalityRow, WardFigures};
use serde::Deserialize;
use std::collections::{BTreeMap, BTreeSet};

#[derive(Template)]
#[template(path = "boundary_sets.html")]
struct ListPage {
    c: Chrome,
    authorities: Vec<Authority>,
    authority: Authority,
    sets: Vec<BoundarySetSummary>,
    localities: Vec<LocalityRow>,
    done: Option<&'static str>,
    errors: FormErrors,
    new_name: String,
}

/// The list page's query.
#[derive(Deserialize, Default)]
pub struct ListQ {
    authority: Option<String>,
    done: Option<String>,
}

async fn list_page(
    st: &AppState,
    ctx: &Ctx,
    code: Option<&str>,
    done: Option<&'static str>,
    errors: FormErrors,
    new_name: String,
) -> Result<Response, AppError> {
    let view = ctx
        .authorize::<policy::ViewLocalities>(st, Target::None, None)
        .await?;
    let sets_permit = ctx
        .authorize::<policy::ViewBoundarySets>(st, Target::None, None)
        .await?;
    let (authorities, authority) = choose_authority(st, &view, code).await?;
    let sets = st.store.boundary_sets(&sets_permit, authority.id).await?;
    let localities = st.store.localities(&view, authority.id).await?;
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::BAD_REQUEST
    };
    render_status(
        status,
        &ListPage {
            c: Chrome::new(
                st,
                ctx,
                format!("Boundary sets for {}", authority.name),
                "/admin/boundary-sets",
            )
            .errors(!errors.is_empty()),
            authorities,
            authority,
            sets,
            localities,
            done,
            errors,
            new_name,
        },
    )
    .map_err(|e| e.0)
}

/// GET /admin/boundary-sets
pub async fn list(
    ctx: Ctx,
    State(st): State<AppState>,
    Query(q): Query<ListQ>,
) -> Result<Response, PageError> {
    ctx.authorize::<policy::ManageBoundarySets>(&st, Target::None, None)
        .await?;
    let done = match q.done.as_deref() {
        Some("current") => Some("The boundary set is now the current one"),
        Some("saved") => Some("The boundary set has been saved"),
        Some("locality") => Some("The locality has been added"),
        _ => None,
    };
    Ok(list_page(
        &st,
        &ctx,
        q.authority.as_deref(),
        done,
        FormErrors::none(),
        String::new(),
    )
    .await?)
}

/// POST /admin/localities
pub async fn create_locality(
    ctx: Ctx,
    State(st): State<AppState>,
    body: Bytes,
) -> Result<Response, PageError> {
    let permit = ctx
        .authorize::<policy::ConfigureAuthority>(&st, Target::None, Some("add a locality"))
        .await?;
    let f = Fields::parse(&body);
    let view = ctx
        .authorize::<policy::ViewLocalities>(&st, Target::None, None)
        .await?;
    let (_, authority) = choose_authority(&st, &view, Some(f.get("authority"))).await?;
    match st
        .store
        .create_locality(&permit, authority.id, f.get("name"))
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!(
            "/admin/boundary-sets?authority={}&done=locality",
            authority.code
        ))
        .into_response()),
        Err(e) => {
            let mut errors = FormErrors::none();
            errors.refusal(e)?;
            {
                Ok(list_page(
                    &st,
                    &ctx,
                    Some(&authority.code),
                    None,
                    errors,
                    f.get("name").to_owned(),
                )
                .await?)
            }
        }
    }
}

/// A locality's children under the current set and under another.
pub struct Compare {
    /// Locality name.
    pub name: String,
    /// Children 0-19 under the current set (`None` if not in it).
    pub before: Option<i64>,
    /// Under the set shown or proposed (`None` if not in it).
    pub after: Option<i64>,
}

/// Children per locality id under an assignment of wards.
fn children_by_locality(
    wards: &[WardFigures],
    assign: &BTreeMap<String, i64>,
) -> BTreeMap<i64, i64> {
    let mut m = BTreeMap::new();
    for w in wards {
        if let Some(l) = assign.get(&w.code) {
            *m.entry(*l).or_insert(0) += w.children;
        }
    }
    m
}

fn compare(
    localities: &[LocalityRow],
    wards: &[WardFigures],
    current: &BTreeMap<String, i64>,
    other: &BTreeMap<String, i64>,
) -> Vec<Compare> {
    let before = children_by_locality(wards, current);
    let after = children_by_locality(wards, other);
    localities
        .iter()
        .filter(|l| before.contains_key(&l.id) || after.contains_key(&l.id))
        .map(|l| Compare {
            name: l.name.clone(),
            before: before.get(&l.id).copied(),
            after: after.get(&l.id).copied(),
        })
        .collect()
}

/// The current set's ward → locality map.
fn current_assignment(localities: &[LocalityRow]) -> BTreeMap<String, i64> {
    localities
        .iter()
        .flat_map(|l| l.wards.iter().map(move |w| (w.0.clone(), l.id)))
        .collect()
}

#[derive(Template)]
#[template(path = "boundary_set.html")]
struct ShowPage {
    c: Chrome,
    authority: Authority,
    set: BoundarySetSummary,
    by_locality: Vec<(String, i64, Vec<String>)>,
    compare: Vec<Compare>,
}

/// GET /admin/boundary-sets/{id}
pub async fn show(
    ctx: Ctx,
    State(st): State<AppState>,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    ctx.authorize::<policy::ManageBoundarySets>(&st, Target::None, None)
        .await?;
    let sets = ctx
        .authorize::<policy::ViewBoundarySets>(&st, Target::None, None)
        .await?;
    let view = ctx
        .authorize::<policy::ViewLocalities>(&st, Target::None, None)
        .await?;
    let detail = st
        .store
        .boundary_set(&sets, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let authority = st
        .store
        .authorities(&view)
        .await?
        .into_iter()
        .find(|a| a.id == detail.authority_id)
        .ok_or(AppError::NotFound)?;
    let localities = st.store.localities(&view, authority.id).await?;
    let wards = st.store.authority_wards(&view, authority.id).await?;
    let this: BTreeMap<String, i64> = detail
        .wards
        .iter()
        .map(|w| (w.ward_code.clone(), w.locality_id))
        .collect();
    let mut by_locality: Vec<(String, i64, Vec<String>)> = Vec::new();
    for w in &detail.wards {
        match by_locality.iter_mut().find(|x| x.0 == w.locality_name) {
            Some(x) => x.2.push(w.ward_name.clone()),
            None => by_locality.push((
                w.locality_name.clone(),
                w.locality_id,
                vec![w.ward_name.clone()],
            )),
        }
    }
    render(&ShowPage {
        c: Chrome::new(&st, &ctx, detail.set.name.clone(), "/admin/boundary-sets"),
        compare: compare(&localities, &wards, &current_assignment(&localities), &this),
        authority,
        set: detail.set,
        by_locality,
    })
}

/// POST /admin/boundary-sets/{id}/make-current
pub async fn make_current(
    ctx: Ctx,
    State(st): State<AppState>,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    let permit = ctx
        .authorize::<policy::ManageBoundarySets>(
            &st,
            Target::None,
            Some("change the current boundary set"),
        )
        .await?;
    let sets = ctx
        .authorize::<policy::ViewBoundarySets>(&st, Target::None, None)
        .await?;
    let view = ctx
        .authorize::<policy::ViewLocalities>(&st, Target::None, None)
        .await?;
    let detail = st
        .store
        .boundary_set(&sets, id)
        .await?
        .ok_or(AppError::NotFound)?;
    st.store.make_boundary_set_current(&permit, id).await?;
    let code = st
        .store
        .authorities(&view)
        .await?
        .into_iter()
        .find(|a| a.id == detail.authority_id)
        .map(|a| a.code)
        .unwrap_or_default();
    Ok(Redirect::to(&format!(
        "/admin/boundary-sets?authority={code}&done=current"
    ))
    .into_response())
}

#[derive(Template)]
#[template(path = "boundary_set_new.html")]
struct EditorPage {
    c: Chrome,
    authority: Authority,
    errors: FormErrors,
    set_name: String,
    note: String,
    make_current: bool,
    localities: Vec<LocalityRow>,
    in_set: BTreeSet<i64>,
    wards: Vec<WardFigures>,
    assign: BTreeMap<String, i64>,
    preview: Option<Vec<Compare>>,
}

impl EditorPage {
    fn assigned(&self, ward: &str, locality: &i64) -> bool {
        self.assign.get(ward) == Some(locality)
    }
    fn ticked(&self, locality: &i64) -> bool {
        self.in_set.contains(locality)
    }
}

/// The editor's query: the authority and the set to start from.
#[derive(Deserialize)]
pub struct NewQ {
    authority: Option<String>,
    from: Option<i64>,
}

/// GET /admin/boundary-sets/new
pub async fn new(
    ctx: Ctx,
    State(st): State<AppState>,
    Query(q): Query<NewQ>,
) -> Result<Response, PageError> {
    ctx.authorize::<policy::ManageBoundarySets>(&st, Target::None, None)
        .await?;
    let sets = ctx
        .authorize::<policy::ViewBoundarySets>(&st, Target::None, None)
        .await?;
    let view = ctx
        .authorize::<policy::ViewLocalities>(&st, Target::None, None)
        .await?;
    let (_, authority) = choose_authority(&st, &view, q.authority.as_deref()).await?;
    let localities = st.store.localities(&view, authority.id).await?;
    let wards = st.store.authority_wards(&view, authority.id).await?;
    let assign = match q.from {
        Some(id) => {
            let d = st
                .store
                .boundary_set(&sets, id)
                .await?
                .ok_or(AppError::NotFound)?;
            if d.authority_id != authority.id {
                return Err(AppError::NotFound.into());
            }
            d.wards
                .into_iter()
                .map(|w| (w.ward_code, w.locality_id))
                .collect()
        }
        None => current_assignment(&localities),
    };
    let in_set = assign.values().copied().collect();
    render(&EditorPage {
        c: Chrome::new(&st, &ctx, "New boundary set", "/admin/boundary-sets"),
        authority,
        errors: FormErrors::none(),
        set_name: String::new(),
        note: String::new(),
        make_current: false,
        localities,
        in_set,
        wards,
        assign,
        preview: None,
    })
}

/// POST /admin/boundary-sets: preview or save a new set.
pub async fn create(
    ctx: Ctx,
    State(st): State<AppState>,
    body: Bytes,
) -> Result<Response, PageError> {
    let permit = ctx
        .authorize::<policy::ManageBoundarySets>(
            &st,
            Target::None,
            Some("redraw locality boundaries"),
        )
        .await?;
    let view = ctx
        .authorize::<policy::ViewLocalities>(&st, Target::None, None)
        .await?;
    let f = Fields::parse(&body);
    let (_, authority) = choose_authority(&st, &view, Some(f.get("authority"))).await?;
    let localities = st.store.localities(&view, authority.id).await?;
    let wards = st.store.authority_wards(&view, authority.id).await?;
    let mut errors = FormErrors::none();
    let known: BTreeSet<i64> = localities.iter().map(|l| l.id).collect();
    let mut proposal = BoundaryProposal::default();
    for raw in f.all("localities") {
        match raw.parse::<i64>() {
            Ok(l) if known.contains(&l) => {
                proposal.localities.insert(l);
            }
            _ => errors.add("localities", "Choose localities from the list"),
        }
    }
    let mut assign = BTreeMap::new();
    for (ward, value) in f.with_prefix("ward_") {
        if value.is_empty() {
            continue;
        }
        match (AreaCode::parse(ward), value.parse::<i64>()) {
            (Ok(code), Ok(l)) if known.contains(&l) => {
                assign.insert(code.to_string(), l);
                proposal.wards.insert(code, l);
            }
            _ => errors.add(&format!("ward_{ward}"), "Choose a locality from the list"),
        }
    }
    let all_wards: BTreeSet<AreaCode> = wards
        .iter()
        .filter_map(|w| AreaCode::parse(&w.code).ok())
        .collect();
    let ward_name = |c: &AreaCode| {
        wards
            .iter()
            .find(|w| w.code == c.as_str())
            .map_or(c.to_string(), |w| w.name.clone())
    };
    let locality_name = |l: i64| {
        localities
            .iter()
            .find(|x| x.id == l)
            .map_or(l.to_string(), |x| x.name.clone())
    };
    let checked = check_boundary_set(&all_wards, proposal.clone());
    if let Err(problems) = &checked {
        for p in problems {
            match p {
                BoundaryProblem::WardUnassigned(w) => errors.add(
                    &format!("ward_{w}"),
                    &format!("Choose a locality for {} ward", ward_name(w)),
                ),
                BoundaryProblem::UnknownWard(w) => errors.add(
                    "localities",
                    &format!("{w} is not one of this authority's wards"),
                ),
                BoundaryProblem::UnknownLocality(w, l) => errors.add(
                    &format!("ward_{w}"),
                    &format!(
                        "{} ward is given to {}, which is not ticked as a locality of this set",
                        ward_name(w),
                        locality_name(*l)
                    ),
                ),
                BoundaryProblem::EmptyLocality(l) => errors.add(
                    "localities",
                    &format!(
                        "{} has no wards: give it a ward or untick it",
                        locality_name(*l)
                    ),
                ),
            }
        }
    }
    let name = f.get("name").trim().to_owned();
    let saving = f.get("action") == "save";
    if saving && name.is_empty() {
        errors.add("name", "Enter a name for the boundary set");
    }
    let make_current = f.get("make_current") == "yes";
    if saving && errors.is_empty() {
        if let Ok(valid) = &checked {
            match st
                .store
                .create_boundary_set(
                    &permit,
                    authority.id,
                    &name,
                    f.get("note"),
                    valid,
                    make_current,
                )
                .await
            {
                Ok(id) => {
                    return Ok(Redirect::to(&format!("/admin/boundary-sets/{id}")).into_response())
                }
                Err(e) => errors.refusal(e)?,
            }
        }
    }
    let preview = Some(compare(
        &localities,
        &wards,
        &current_assignment(&localities),
        &assign,
    ));
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::BAD_REQUEST
    };
    render_status(
        status,
        &EditorPage {
            c: Chrome::new(&st, &ctx, "New boundary set", "/admin/boundary-sets")
                .errors(!errors.is_empty()),
            authority,
            errors,
            set_name: name,
            note: f.get("note").to_owned(),
            make_current,
            in_set: proposal.localities.clone(),
            localities,
            wards,
            assign,
            preview,
        },
    )
}
