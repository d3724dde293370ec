//! "Find support": the public search of the service directory (no sign-in, no script needed)
//! and a page per service. Families search by postcode (nearest first, with the distance),
//! age, kind of support, level of need, locality, day and time, and free text; each result says
//! how to get the service and when it is open. Signed-in staff also see referral routes,
//! capacity and waiting times (`ViewServiceDetails`).

use super::{render, render_status, Chrome};
use crate::error::{AppError, PageError};
use crate::forms::FormErrors;
use crate::{AppState, Ctx};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use everychild_domain::directory::oruk::{Schedule, Service, Weekday};
use everychild_domain::directory::search::{DirectoryIndex, Hit, Near, Published, Query as Find};
use everychild_domain::directory::{Catchment, Extras, ReferralRoute, LEVELS};
use everychild_domain::geo::{GeoIndex, PostcodeError};
use everychild_policy::{self as policy, decide, Action, Decision, Target};
use serde::Deserialize;
use std::collections::{BTreeMap, HashSet};
use std::sync::Arc;

/// Results a page shows.
const PER_PAGE: usize = 20;

/// The search form, as typed.
#[derive(Debug, Default, Deserialize)]
pub struct FindForm {
    #[serde(default)]
    q: String,
    #[serde(default)]
    postcode: String,
    #[serde(default)]
    distance: String,
    #[serde(default)]
    age: String,
    #[serde(default)]
    category: String,
    #[serde(default)]
    level: String,
    #[serde(default)]
    locality: String,
    #[serde(default)]
    day: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    until: String,
    #[serde(default)]
    page: String,
}

/// What staff see beyond the public: how referrals reach the service and how busy it is.
pub struct StaffDetails {
    routes: Vec<&'static str>,
    capacity: Option<String>,
    waiting: Option<String>,
}

/// One result.
pub struct ResultRow {
    id: String,
    name: String,
    provider: Option<String>,
    summary: String,
    distance: Option<String>,
    place: Option<String>,
    opening: Vec<String>,
    how: Vec<&'static str>,
    phone: Option<String>,
    email: Option<String>,
    website: Option<String>,
    staff: Option<StaffDetails>,
}

/// A link to another page of results.
pub struct PageLink {
    number: usize,
    href: String,
    current: bool,
}

#[derive(Template)]
#[template(path = "find_support.html")]
struct SearchPage {
    c: Chrome,
    f: FindForm,
    errors: FormErrors,
    searched: bool,
    /// Whether the "more ways to narrow" fields have a value or an error (shown open).
    narrowed: bool,
    categories: Vec<(String, String)>,
    localities: Vec<(String, String)>,
    levels: Vec<(String, String)>,
    days: Vec<(String, String)>,
    distances: Vec<(String, String)>,
    total: usize,
    results: Vec<ResultRow>,
    pages: Vec<PageLink>,
    previous: Option<String>,
    next: Option<String>,
}

/// The words families read for each level of need.
fn level_label(l: u8) -> &'static str {
    match l {
        1 => "Level 1: open to every family",
        2 => "Level 2: some extra help",
        3 => "Level 3: several kinds of help together",
        _ => "Level 4: specialist help",
    }
}

fn route_words(r: ReferralRoute) -> &'static str {
    match r {
        ReferralRoute::SelfReferral => "You can contact the service yourself.",
        ReferralRoute::Professional => {
            "Someone who works with your family, such as a health visitor, teacher or GP, can refer you."
        }
        ReferralRoute::FrontDoor => {
            "Ask your family hub: the locality team decides with you whether this service is right."
        }
    }
}

/// "Mondays and Wednesdays, 9:30am to 12pm", from a schedule.
pub fn opening_text(s: &Schedule) -> String {
    if let Some(d) = s.description.as_deref().filter(|d| !d.trim().is_empty()) {
        return d.to_owned();
    }
    let days: Vec<&str> = s
        .byday
        .as_deref()
        .unwrap_or("")
        .split(',')
        .filter_map(Weekday::parse)
        .map(Weekday::name)
        .collect();
    let days = match days.as_slice() {
        [] => String::new(),
        [one] => format!("{one}s"),
        [init @ .., last] => format!(
            "{} and {last}s",
            init.iter()
                .map(|d| format!("{d}s"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    };
    let t = |v: &Option<String>| {
        v.as_deref()
            .and_then(everychild_domain::directory::oruk::parse_time)
            .map(clock)
    };
    let times = match (t(&s.opens_at), t(&s.closes_at)) {
        (Some(a), Some(b)) => format!("{a} to {b}"),
        (Some(a), None) => format!("from {a}"),
        (None, Some(b)) => format!("until {b}"),
        (None, None) => String::new(),
    };
    match (days.is_empty(), times.is_empty()) {
        (false, false) => format!("{days}, {times}"),
        (false, true) => days,
        (true, false) => times,
        (true, true) => String::new(),
    }
}

/// 9:30am, 12pm, 3:15pm.
fn clock(minutes: u16) -> String {
    if minutes >= 24 * 60 {
        return "midnight".into();
    }
    let (h, m) = (minutes / 60, minutes % 60);
    let suffix = if h < 12 { "am" } else { "pm" };
    let h12 = match h % 12 {
        0 => 12,
        x => x,
    };
    if m == 0 {
        format!("{h12}{suffix}")
    } else {
        format!("{h12}:{m:02}{suffix}")
    }
}

fn miles(metres: f64) -> String {
    let m = metres / 1609.344;
    if m < 0.1 {
        "Less than 0.1 miles away".into()
    } else {
        format!("{m:.1} miles away")
    }
}

/// "3 of 12 places available", from a service's capacity.
pub(crate) fn capacity_text(x: &Extras) -> Option<String> {
    x.capacity.as_ref().map(|c| match c.maximum {
        Some(m) => format!(
            "{} of {} {} available",
            c.available,
            m,
            c.unit.to_lowercase()
        ),
        None => format!("{} {} available", c.available, c.unit.to_lowercase()),
    })
}

/// "About 6 weeks", from a service's waiting time.
pub(crate) fn waiting_text(x: &Extras) -> Option<String> {
    x.waiting_weeks.map(|w| match w {
        0 => "No wait".to_owned(),
        1 => "About 1 week".to_owned(),
        n => format!("About {n} weeks"),
    })
}

fn staff_details(e: &Published) -> StaffDetails {
    let x = &e.extras;
    StaffDetails {
        routes: x.referral_routes.iter().map(|r| r.label()).collect(),
        capacity: capacity_text(x),
        waiting: waiting_text(x),
    }
}

fn how_to_get(e: &Published) -> Vec<&'static str> {
    let routes = &e.extras.referral_routes;
    if routes.is_empty() {
        vec!["Contact the service to ask how to use it."]
    } else {
        routes.iter().map(|r| route_words(*r)).collect()
    }
}

/// A provider's website, only if it is an ordinary web address (never `javascript:` and the
/// like, which a feed could carry).
fn web_link(url: Option<&str>) -> Option<String> {
    let u = url?.trim();
    let lower = u.to_ascii_lowercase();
    (lower.starts_with("https://") || lower.starts_with("http://")).then(|| u.to_owned())
}

fn first_phone(s: &Service) -> Option<String> {
    s.phones
        .iter()
        .chain(s.contacts.iter().flat_map(|c| c.phones.iter()))
        .map(|p| p.number.clone())
        .find(|n| !n.trim().is_empty())
}

fn address_of(s: &Service, at: usize) -> Option<String> {
    let l = s.service_at_locations.get(at)?.location.as_ref()?;
    let mut parts: Vec<String> = Vec::new();
    if let Some(n) = l.name.as_deref().filter(|n| !n.is_empty()) {
        parts.push(n.to_owned());
    }
    if let Some(a) = l.addresses.first() {
        for p in [&a.address_1, &a.city, &a.postal_code] {
            if !p.trim().is_empty() {
                parts.push(p.clone());
            }
        }
    }
    (!parts.is_empty()).then(|| parts.join(", "))
}

/// The schedules of a service that apply at one of its locations (or to it everywhere).
fn openings(s: &Service, at: Option<usize>) -> Vec<String> {
    let sal = at
        .and_then(|i| s.service_at_locations.get(i))
        .map(|x| x.id.as_str());
    s.schedules
        .iter()
        .filter(|sc| match (sal, sc.service_at_location_id.as_deref()) {
            (Some(want), Some(has)) => want == has,
            _ => true,
        })
        .map(opening_text)
        .filter(|t| !t.is_empty())
        .collect()
}

pub(crate) fn short(text: Option<&str>) -> String {
    let t = text.unwrap_or("").trim();
    let first = t.split_inclusive(". ").next().unwrap_or(t);
    if first.chars().count() > 220 {
        let cut: String = first.chars().take(217).collect();
        format!("{}…", cut.trim_end())
    } else {
        first.trim().to_owned()
    }
}

fn row(h: &Hit<'_>, staff: bool) -> ResultRow {
    let s = &h.entry.service;
    let at = h.at.or(if s.service_at_locations.is_empty() {
        None
    } else {
        Some(0)
    });
    ResultRow {
        id: s.id.clone(),
        name: s.name.clone(),
        provider: s.organization.as_ref().map(|o| o.name.clone()),
        summary: short(s.description.as_deref()),
        distance: h.distance.map(miles),
        place: at.and_then(|i| address_of(s, i)),
        opening: openings(s, at),
        how: how_to_get(h.entry),
        phone: first_phone(s),
        email: s.email.clone(),
        website: web_link(s.url.as_deref()),
        staff: staff.then(|| staff_details(h.entry)),
    }
}

fn can_see_details(ctx: &Ctx) -> bool {
    decide(&ctx.principal, Action::ViewServiceDetails, &Target::None) == Decision::Allow
}

async fn indexes(
    ctx: &Ctx,
    st: &AppState,
) -> Result<(Arc<DirectoryIndex>, Arc<GeoIndex>), AppError> {
    let p = ctx
        .authorize::<policy::ViewDirectory>(st, Target::None, None)
        .await?;
    let g = ctx
        .authorize::<policy::LookupPostcode>(st, Target::None, None)
        .await?;
    Ok((
        st.store.directory_index(&p).await?,
        st.store.geo_index(&g).await?,
    ))
}

/// Every current locality of every authority: (id, name).
async fn localities(ctx: &Ctx, st: &AppState) -> Result<Vec<(i64, String)>, AppError> {
    let p = ctx
        .authorize::<policy::ViewLocalities>(st, Target::None, None)
        .await?;
    let mut out = Vec::new();
    for a in st.store.authorities(&p).await? {
        for l in st.store.localities(&p, a.id).await? {
            if l.is_current() {
                out.push((l.id, l.name));
            }
        }
    }
    Ok(out)
}

/// Read the form into a search, naming every field that is wrong.
fn parse(f: &FindForm, geo: &GeoIndex, errors: &mut FormErrors) -> Find {
    let mut q = Find {
        text: Some(f.q.trim().to_owned()).filter(|t| !t.is_empty()),
        ..Find::default()
    };
    if f.q.chars().count() > 200 {
        errors.add("q", "Enter 200 characters or fewer");
    }
    // Checked in the order of the form, so the error summary follows it.
    let within = match f.distance.as_str() {
        "" => None,
        d => match d.parse::<f64>() {
            Ok(m) if m > 0.0 && m <= 50.0 => Some(m * 1609.344),
            _ => {
                errors.add("distance", "Choose a distance from the list");
                None
            }
        },
    };
    let pc = f.postcode.trim();
    if !pc.is_empty() {
        match geo.lookup(pc, None) {
            Ok(found) => match found.lat_lon() {
                Some(at) => {
                    q.near = Some(Near {
                        at,
                        locality: found.locality.map(|(id, _)| id),
                        within,
                    })
                }
                None => errors.add("postcode", "We do not know where this postcode is. Try a nearby postcode"),
            },
            Err(PostcodeError::Malformed(e)) => errors.add("postcode", &e.message),
            Err(PostcodeError::NotInAuthority { postcode, .. }) => errors.add(
                "postcode",
                &format!("{postcode} is outside the area this directory covers. Enter a postcode in the area"),
            ),
        }
    } else if within.is_some() {
        errors.add("postcode", "Enter a postcode to search by distance");
    }
    let age = f.age.trim();
    if !age.is_empty() {
        match age.parse::<u8>() {
            Ok(a) if a <= 25 => q.age = Some(f64::from(a)),
            _ => errors.add(
                "age",
                "Enter an age from 0 to 25, as a whole number of years",
            ),
        }
    }
    if !f.category.is_empty() {
        q.taxonomy_term_id = Some(f.category.clone());
    }
    if !f.level.is_empty() {
        match f.level.parse::<u8>() {
            Ok(l) if LEVELS.contains(&l) => q.level = Some(l),
            _ => errors.add("level", "Choose a level of need from the list"),
        }
    }
    if !f.locality.is_empty() {
        match f.locality.parse::<i64>() {
            Ok(l) => q.locality = Some(l),
            Err(_) => errors.add("locality", "Choose a locality from the list"),
        }
    }
    if !f.day.is_empty() {
        match Weekday::parse(&f.day) {
            Some(d) => q.day = Some(d),
            None => errors.add("day", "Choose a day from the list"),
        }
    }
    for (field, raw, slot) in [
        ("from", &f.from, &mut q.start_time),
        ("until", &f.until, &mut q.end_time),
    ] {
        let raw = raw.trim();
        if !raw.is_empty() {
            match everychild_domain::directory::oruk::parse_time(raw) {
                Some(t) => *slot = Some(t),
                None => errors.add(field, "Enter a time like 09:30 or 15:00"),
            }
        }
    }
    if let (Some(a), Some(b)) = (q.start_time, q.end_time) {
        if a > b {
            errors.add(
                "until",
                "The finishing time must be after the starting time",
            );
        }
    }
    q
}

/// The services found: with a point to search from, one row per service at its nearest
/// location (then those with no location, such as helplines); otherwise by name.
fn find<'a>(idx: &'a DirectoryIndex, q: &Find) -> Vec<Hit<'a>> {
    if q.near.is_none() {
        return idx.services(q);
    }
    let mut seen = HashSet::new();
    let mut out: Vec<Hit<'a>> = idx
        .service_at_locations(q)
        .into_iter()
        .filter(|h| seen.insert(h.entry.service.id.as_str()))
        .collect();
    if q.near.is_some_and(|n| n.within.is_none()) {
        out.extend(
            idx.services(q)
                .into_iter()
                .filter(|h| h.entry.service.service_at_locations.is_empty()),
        );
    }
    out
}

fn query_string(f: &FindForm, page: usize) -> String {
    let pairs = [
        ("q", &f.q),
        ("postcode", &f.postcode),
        ("distance", &f.distance),
        ("age", &f.age),
        ("category", &f.category),
        ("level", &f.level),
        ("locality", &f.locality),
        ("day", &f.day),
        ("from", &f.from),
        ("until", &f.until),
    ];
    let mut v: Vec<(&str, String)> = pairs
        .iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| (*k, (*v).clone()))
        .collect();
    v.push(("page", page.to_string()));
    format!(
        "/find-support?{}",
        serde_urlencoded::to_string(v).unwrap_or_default()
    )
}

/// GET /find-support
pub async fn search(
    ctx: Ctx,
    State(st): State<AppState>,
    Query(f): Query<FindForm>,
) -> Result<Response, PageError> {
    let (idx, geo) = indexes(&ctx, &st).await?;
    let locs = localities(&ctx, &st).await?;
    let mut errors = FormErrors::none();
    let q = parse(&f, &geo, &mut errors);
    let searched = [
        &f.q,
        &f.postcode,
        &f.age,
        &f.category,
        &f.level,
        &f.locality,
        &f.day,
        &f.from,
        &f.until,
    ]
    .iter()
    .any(|v| !v.trim().is_empty());
    let page = f.page.parse::<usize>().unwrap_or(1).clamp(1, 100_000);
    let staff = can_see_details(&ctx);
    let (total, results) = if errors.is_empty() {
        let hits = find(&idx, &q);
        let total = hits.len();
        let rows = hits
            .iter()
            .skip((page - 1) * PER_PAGE)
            .take(PER_PAGE)
            .map(|h| row(h, staff))
            .collect();
        (total, rows)
    } else {
        (0, Vec::new())
    };
    let last = total.div_ceil(PER_PAGE).max(1);
    let pages = (1..=last)
        .filter(|n| *n == 1 || *n == last || n.abs_diff(page) <= 2)
        .map(|n| PageLink {
            number: n,
            href: query_string(&f, n),
            current: n == page,
        })
        .collect();
    let mut categories: Vec<(String, String)> = vec![(String::new(), "Any kind of support".into())];
    let mut by_name: BTreeMap<String, String> = BTreeMap::new();
    for t in idx.terms() {
        by_name.insert(t.name.clone(), t.id.clone());
    }
    categories.extend(by_name.into_iter().map(|(n, id)| (id, n)));
    let mut localities: Vec<(String, String)> = vec![(String::new(), "Anywhere".into())];
    localities.extend(locs.into_iter().map(|(id, n)| (id.to_string(), n)));
    let mut levels: Vec<(String, String)> = vec![(String::new(), "Any level".into())];
    levels.extend(
        LEVELS
            .iter()
            .map(|l| (l.to_string(), level_label(*l).to_owned())),
    );
    let mut days: Vec<(String, String)> = vec![(String::new(), "Any day".into())];
    days.extend(
        Weekday::ALL
            .iter()
            .map(|d| (d.code().to_owned(), d.name().to_owned())),
    );
    let distances = [
        ("", "Any distance"),
        ("1", "1 mile"),
        ("2", "2 miles"),
        ("5", "5 miles"),
        ("10", "10 miles"),
    ]
    .iter()
    .map(|(v, l)| ((*v).to_owned(), (*l).to_owned()))
    .collect();
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::BAD_REQUEST
    };
    let narrowed = [&f.level, &f.locality, &f.day, &f.from, &f.until]
        .iter()
        .any(|v| !v.trim().is_empty());
    let previous = (page > 1 && page <= last).then(|| query_string(&f, page - 1));
    let next = (page < last).then(|| query_string(&f, page + 1));
    let title = if searched {
        "Support found"
    } else {
        "Find support for children and families"
    };
    render_status(
        status,
        &SearchPage {
            c: Chrome::new(&st, &ctx, title, "/find-support").errors(!errors.is_empty()),
            searched,
            narrowed,
            errors,
            categories,
            localities,
            levels,
            days,
            distances,
            total,
            results,
            pages,
            previous,
            next,
            f,
        },
    )
}

/// One location of a service, for its page.
pub struct PlaceRow {
    name: String,
    address: Option<String>,
    opening: Vec<String>,
}

#[derive(Template)]
#[template(path = "find_support_service.html")]
struct ServicePage {
    c: Chrome,
    name: String,
    provider: Option<String>,
    description: String,
    ages: Option<String>,
    eligibility: String,
    categories: Vec<String>,
    places: Vec<PlaceRow>,
    opening: Vec<String>,
    cost: Vec<String>,
    how: Vec<&'static str>,
    phone: Option<String>,
    email: Option<String>,
    website: Option<String>,
    languages: Vec<String>,
    levels: Vec<&'static str>,
    area: String,
    updated: Option<String>,
    staff: Option<StaffDetails>,
}

fn ages(s: &Service, send_to_25: bool) -> Option<String> {
    let fmt = |a: f64| format!("{}", a as i64);
    let base = match (s.minimum_age, s.maximum_age) {
        (Some(lo), Some(hi)) => Some(format!("Ages {} to {}", fmt(lo), fmt(hi))),
        (Some(lo), None) => Some(format!("Ages {} and over", fmt(lo))),
        (None, Some(hi)) => Some(format!("Up to age {}", fmt(hi))),
        (None, None) => None,
    };
    match (base, send_to_25) {
        (Some(b), true) => Some(format!(
            "{b}, or up to 25 for young people with special educational needs and disabilities"
        )),
        (b, _) => b,
    }
}

/// GET /find-support/services/{id}
pub async fn service(
    ctx: Ctx,
    State(st): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let (idx, _) = indexes(&ctx, &st).await?;
    let e = idx.service(&id).ok_or(AppError::NotFound)?;
    let s = &e.service;
    let x = &e.extras;
    let locs = localities(&ctx, &st).await?;
    let area = match &x.catchment {
        Catchment::CityWide => "Families anywhere in the area".to_owned(),
        Catchment::Localities(ids) => {
            let names: Vec<&str> = ids
                .iter()
                .filter_map(|i| locs.iter().find(|(l, _)| l == i).map(|(_, n)| n.as_str()))
                .collect();
            format!("Families living in {}", names.join(", "))
        }
    };
    let places = s
        .service_at_locations
        .iter()
        .enumerate()
        .map(|(i, sal)| PlaceRow {
            name: sal
                .location
                .as_ref()
                .and_then(|l| l.name.clone())
                .unwrap_or_else(|| "Venue".into()),
            address: address_of(s, i).map(|a| {
                a.split_once(", ")
                    .map(|(_, rest)| rest.to_owned())
                    .unwrap_or(a)
            }),
            opening: s
                .schedules
                .iter()
                .filter(|sc| sc.service_at_location_id.as_deref() == Some(sal.id.as_str()))
                .map(opening_text)
                .filter(|t| !t.is_empty())
                .collect(),
        })
        .collect();
    let opening = s
        .schedules
        .iter()
        .filter(|sc| sc.service_at_location_id.is_none())
        .map(opening_text)
        .filter(|t| !t.is_empty())
        .collect();
    let mut cost: Vec<String> = s
        .cost_options
        .iter()
        .map(|c| match (c.option.as_deref(), c.amount) {
            (_, Some(0.0)) => "Free".to_owned(),
            (Some(o), Some(a)) => format!("{o}: £{a:.2}"),
            (Some(o), None) => o.to_owned(),
            (None, Some(a)) => format!("£{a:.2}"),
            (None, None) => c.amount_description.clone().unwrap_or_default(),
        })
        .filter(|c| !c.is_empty())
        .collect();
    if let Some(f) = s.fees.as_deref().filter(|f| !f.trim().is_empty()) {
        cost.push(f.to_owned());
    }
    cost.dedup();
    let staff = can_see_details(&ctx);
    render(&ServicePage {
        c: Chrome::new(&st, &ctx, s.name.clone(), "/find-support"),
        name: s.name.clone(),
        provider: s.organization.as_ref().map(|o| o.name.clone()),
        description: s.description.clone().unwrap_or_default(),
        ages: ages(s, x.eligibility.send_to_25),
        eligibility: x.eligibility.text.clone(),
        categories: s.terms().map(|t| t.name.clone()).collect(),
        places,
        opening,
        cost,
        how: how_to_get(e),
        phone: first_phone(s),
        email: s.email.clone(),
        website: web_link(s.url.as_deref()),
        languages: s.languages.iter().filter_map(|l| l.name.clone()).collect(),
        levels: x.levels.iter().map(|l| level_label(*l)).collect(),
        area,
        updated: s
            .last_modified
            .as_deref()
            .and_then(|m| m.get(..10))
            .map(str::to_owned),
        staff: staff.then(|| staff_details(e)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn opening_times_read_as_people_say_them() {
        assert_eq!(clock(9 * 60 + 30), "9:30am");
        assert_eq!(clock(12 * 60), "12pm");
        assert_eq!(clock(0), "12am");
        assert_eq!(clock(24 * 60), "midnight");
        let s = Schedule {
            byday: Some("MO,WE".into()),
            opens_at: Some("09:30".into()),
            closes_at: Some("24:00".into()),
            ..Schedule::default()
        };
        assert_eq!(
            opening_text(&s),
            "Mondays and Wednesdays, 9:30am to midnight"
        );
        assert_eq!(miles(80.0), "Less than 0.1 miles away");
        assert_eq!(miles(1609.344 * 2.25), "2.2 miles away");
    }
}
