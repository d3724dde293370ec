//! The entry form: one template for a new entry and an edit. It edits the first location,
//! first schedule, first telephone number and first cost of the Open Referral document and
//! our extensions; everything else in the document (other locations, contacts, languages,
//! funding…) is kept as it was. Input is checked at the edge (every problem named by its
//! field, nothing saved), then the built document is checked as the store will check it.

use super::{entry_target, home_target, is_approver, status_for, today};
use crate::error::{AppError, PageError};
use crate::forms::{Fields, FormErrors};
use crate::pages::{render_status, Chrome};
use crate::{AppState, Ctx};
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use everychild_domain::directory::oruk::{Service, TaxonomyTerm, Weekday};
use everychild_domain::directory::EntryCommand;
use everychild_domain::{FieldError, Timestamp};
use everychild_policy::{self as policy, Target};
use everychild_store::{EntryDetail, EntryInput};

mod document;
mod parse;

use document::{build, fields_of};
pub(super) use document::{cost_of, first_address, first_location};

/// A provider the user may choose.
pub(super) struct Provider {
    id: String,
    label: String,
    owner: Option<i64>,
}

/// What the form offers.
pub(super) struct Choices {
    providers: Vec<Provider>,
    terms: Vec<TaxonomyTerm>,
    localities: Vec<(i64, String)>,
}

/// The current localities of the first authority, `(id, name)`.
pub(super) async fn localities(st: &AppState, ctx: &Ctx) -> Result<Vec<(i64, String)>, AppError> {
    let p = ctx
        .authorize::<policy::ViewLocalities>(st, Target::None, None)
        .await?;
    let Some(a) = st.store.authorities(&p).await?.into_iter().next() else {
        return Ok(Vec::new());
    };
    Ok(st
        .store
        .localities(&p, a.id)
        .await?
        .into_iter()
        .filter(|l| l.is_current())
        .map(|l| (l.id, l.name))
        .collect())
}

async fn choices(st: &AppState, ctx: &Ctx) -> Result<Choices, AppError> {
    let view = ctx
        .authorize::<policy::ViewDirectoryEntries>(st, home_target(ctx), None)
        .await?;
    let approver = is_approver(ctx);
    let providers = st
        .store
        .directory_organisations(&view)
        .await?
        .into_iter()
        .map(|o| Provider {
            label: match (&o.owner_name, approver) {
                (Some(owner), true) => format!("{} (kept by {owner})", o.name),
                _ => o.name,
            },
            id: o.id,
            owner: o.owner_organisation_id,
        })
        .collect();
    let dir = ctx
        .authorize::<policy::ViewDirectory>(st, Target::None, None)
        .await?;
    let mut terms = st.store.directory_index(&dir).await?.terms().to_vec();
    terms.sort_by(|a, b| a.name.cmp(&b.name).then_with(|| a.id.cmp(&b.id)));
    Ok(Choices {
        providers,
        terms,
        localities: localities(st, ctx).await?,
    })
}

/// A checkbox or radio: value, label, whether chosen.
pub struct Opt {
    /// Value.
    pub value: String,
    /// Label.
    pub label: String,
    /// Chosen.
    pub checked: bool,
}

fn opts(v: &Fields, name: &str, items: impl IntoIterator<Item = (String, String)>) -> Vec<Opt> {
    let chosen = v.all(name);
    items
        .into_iter()
        .map(|(value, label)| Opt {
            checked: chosen.contains(&value.as_str()),
            value,
            label,
        })
        .collect()
}

fn labelled<T: Copy>(
    all: &[T],
    f: impl Fn(T) -> (&'static str, &'static str),
) -> Vec<(String, String)> {
    all.iter()
        .map(|t| {
            let (v, l) = f(*t);
            (v.to_owned(), l.to_owned())
        })
        .collect()
}

#[derive(Template)]
#[template(path = "directory_form.html")]
struct FormPage {
    c: Chrome,
    errors: FormErrors,
    v: Fields,
    action: String,
    editing: Option<(String, String)>,
    providers: Vec<(String, String)>,
    categories: Vec<Opt>,
    localities: Vec<Opt>,
    days: Vec<Opt>,
    levels: Vec<Opt>,
    tiers: Vec<Opt>,
    reaches: Vec<Opt>,
    delivery: Vec<Opt>,
    referral: Vec<Opt>,
}

fn form_page(
    st: &AppState,
    ctx: &Ctx,
    ch: Choices,
    editing: Option<(String, String)>,
    v: Fields,
    errors: FormErrors,
    conflict: bool,
) -> Result<Response, PageError> {
    use everychild_domain::casework::Level;
    use everychild_domain::directory::{DeliveryMode, Reach, ReferralRoute, Tier};
    let title = match &editing {
        Some((_, name)) => format!("Edit {name}"),
        None => "Add a service to the directory".to_owned(),
    };
    let mut providers = vec![(String::new(), "Choose a provider".to_owned())];
    providers.extend(ch.providers.iter().map(|p| (p.id.clone(), p.label.clone())));
    let page = FormPage {
        c: Chrome::new(st, ctx, title, "/directory").errors(!errors.is_empty()),
        action: match &editing {
            Some((id, _)) => format!("/directory/entries/{id}"),
            None => "/directory/entries".to_owned(),
        },
        editing,
        providers,
        categories: opts(
            &v,
            "categories",
            ch.terms.iter().map(|t| (t.id.clone(), t.name.clone())),
        ),
        localities: opts(
            &v,
            "localities",
            ch.localities.iter().map(|l| (l.0.to_string(), l.1.clone())),
        ),
        days: opts(
            &v,
            "days",
            Weekday::ALL
                .iter()
                .map(|d| (d.code().to_owned(), d.name().to_owned())),
        ),
        levels: opts(
            &v,
            "levels",
            Level::ALL
                .iter()
                .map(|l| (l.number().to_string(), l.label().to_owned())),
        ),
        tiers: opts(&v, "tier", labelled(Tier::ALL, |t| (t.as_str(), t.label()))),
        reaches: opts(
            &v,
            "reach",
            labelled(Reach::ALL, |t| (t.as_str(), t.label())),
        ),
        delivery: opts(
            &v,
            "delivery",
            labelled(DeliveryMode::ALL, |t| (t.as_str(), t.label())),
        ),
        referral: opts(
            &v,
            "referral",
            labelled(ReferralRoute::ALL, |t| (t.as_str(), t.label())),
        ),
        errors,
        v,
    };
    render_status(status_for(&page.errors, conflict), &page)
}

/// GET /directory/entries/new
pub async fn new(ctx: Ctx, State(st): State<AppState>) -> Result<Response, PageError> {
    ctx.authorize::<policy::EditDirectoryEntry>(&st, home_target(&ctx), None)
        .await?;
    let ch = choices(&st, &ctx).await?;
    let mut v = vec![("catchment".to_owned(), "city_wide".to_owned())];
    if let [only] = ch.providers.as_slice() {
        v.push(("provider".to_owned(), only.id.clone()));
    }
    form_page(
        &st,
        &ctx,
        ch,
        None,
        Fields::from_pairs(v),
        FormErrors::none(),
        false,
    )
}

/// POST /directory/entries
pub async fn create(
    ctx: Ctx,
    State(st): State<AppState>,
    body: Bytes,
) -> Result<Response, PageError> {
    let permit = ctx
        .authorize::<policy::EditDirectoryEntry>(
            &st,
            home_target(&ctx),
            Some("write a directory entry"),
        )
        .await?;
    let f = Fields::parse(&body);
    let ch = choices(&st, &ctx).await?;
    let mut errors = FormErrors::none();
    let p = parse::parse(&st, &ctx, &f, &ch, &mut errors).await?;
    let (service, extras) = build(&p, None, &ch, &now(&st));
    check(&service, &extras, &mut errors);
    if !errors.is_empty() {
        return form_page(&st, &ctx, ch, None, f, errors, false);
    }
    let input = EntryInput {
        service,
        extras,
        review_by: p.review_by,
    };
    match st.store.save_directory_entry(&permit, &input, None).await {
        Ok(_) => Ok(Redirect::to(&format!(
            "/directory/entries/{}?done=created",
            input.service.id
        ))
        .into_response()),
        Err(e) => {
            errors.refusal(e)?;
            form_page(&st, &ctx, ch, None, f, errors, true)
        }
    }
}

/// The entry, if the user may edit it now.
async fn editable(st: &AppState, ctx: &Ctx, id: &str) -> Result<(Target, EntryDetail), AppError> {
    let target = entry_target(st, ctx, id).await?;
    ctx.authorize::<policy::EditDirectoryEntry>(st, target.clone(), None)
        .await?;
    let view = ctx
        .authorize::<policy::ViewDirectoryEntries>(st, target.clone(), None)
        .await?;
    let d = st
        .store
        .directory_entry(&view, id)
        .await?
        .ok_or(AppError::NotFound)?;
    if !d.summary.status.allowed().contains(&EntryCommand::Edit) {
        return Err(AppError::Conflict(vec![FieldError::new(
            "status",
            "An archived entry cannot be changed: restore it as a draft first",
        )]));
    }
    Ok((target, d))
}

/// GET /directory/entries/{id}/edit
pub async fn edit(
    ctx: Ctx,
    State(st): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let (_, d) = editable(&st, &ctx, &id).await?;
    let ch = choices(&st, &ctx).await?;
    let editing = Some((id, d.summary.name.clone()));
    form_page(
        &st,
        &ctx,
        ch,
        editing,
        fields_of(&d),
        FormErrors::none(),
        false,
    )
}

/// POST /directory/entries/{id}: save a new version from the version the form was opened at.
pub async fn save(
    ctx: Ctx,
    State(st): State<AppState>,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, PageError> {
    let (target, d) = editable(&st, &ctx, &id).await?;
    let permit = ctx
        .authorize::<policy::EditDirectoryEntry>(&st, target, Some("edit a directory entry"))
        .await?;
    let f = Fields::parse(&body);
    let ch = choices(&st, &ctx).await?;
    let editing = Some((id.clone(), d.summary.name.clone()));
    let mut errors = FormErrors::none();
    let base = match f.get("version").trim().parse::<i64>() {
        Ok(v) => Some(v),
        Err(_) => {
            errors.add(
                "version",
                "The form is out of date: reload the page and try again",
            );
            None
        }
    };
    let p = parse::parse(&st, &ctx, &f, &ch, &mut errors).await?;
    let (service, extras) = build(&p, Some(&d), &ch, &now(&st));
    check(&service, &extras, &mut errors);
    let Some(base) = base.filter(|_| errors.is_empty()) else {
        return form_page(&st, &ctx, ch, editing, f, errors, false);
    };
    // Moving an entry to a provider another organisation maintains is work on the whole
    // directory, not on one organisation's entries.
    let new_owner = ch
        .providers
        .iter()
        .find(|x| x.id == p.provider)
        .and_then(|x| x.owner);
    let permit = if new_owner != d.owner_organisation_id {
        ctx.authorize::<policy::EditDirectoryEntry>(
            &st,
            Target::None,
            Some("move a directory entry to another provider"),
        )
        .await?
    } else {
        permit
    };
    let input = EntryInput {
        service,
        extras,
        review_by: p.review_by,
    };
    match st
        .store
        .save_directory_entry(&permit, &input, Some(base))
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/directory/entries/{id}?done=saved")).into_response()),
        Err(e) => {
            errors.refusal(e)?;
            form_page(&st, &ctx, ch, editing, f, errors, true)
        }
    }
}

fn now(st: &AppState) -> String {
    Timestamp::from_datetime(st.clock.now()).to_db()
}

/// The form field a document problem belongs to (`form` when none does).
fn field_of(path: &str) -> &'static str {
    match path {
        "name" => "name",
        "description" => "description",
        "url" => "url",
        "email" => "email",
        "minimum_age" => "minimum_age",
        "maximum_age" => "maximum_age",
        "organization_id" => "provider",
        "phones[0].number" => "phone",
        "schedules[0].opens_at" => "opens_at",
        "schedules[0].closes_at" => "closes_at",
        "schedules[0].byday" => "days",
        "service_at_locations[0].location.addresses[0].address_1" => "address_1",
        "service_at_locations[0].location.addresses[0].city" => "city",
        "service_at_locations[0].location.addresses[0].postal_code" => "postcode",
        "extras.levels" => "levels",
        "extras.catchment" => "localities",
        "extras.capacity.unit" => "capacity_unit",
        "extras.capacity.available" => "capacity_available",
        "extras.capacity.maximum" => "capacity_maximum",
        "extras.waiting_weeks" => "waiting_weeks",
        _ => "form",
    }
}

/// Every problem the store would find in the document, by the field it belongs to.
fn check(s: &Service, x: &everychild_domain::directory::Extras, errors: &mut FormErrors) {
    for p in s.problems().into_iter().chain(x.problems()) {
        let field = field_of(&p.path);
        if field == "form" || errors.get(field).is_none() {
            errors.add(field, &format!("The entry cannot be saved: {p}"));
        }
    }
}
