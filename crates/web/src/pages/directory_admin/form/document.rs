//! The Open Referral document behind the form: reading an entry's working version into the
//! form's fields, and building the document the form describes. The form edits the first
//! location, schedule, telephone number and cost; everything else is kept as it was, and new
//! parts get fresh (version 4) UUIDs.

use super::parse::{Cost, Parsed};
use super::Choices;
use crate::crypto::uuid_v4;
use crate::forms::Fields;
use crate::pages::directory_admin::view::hhmm;
use everychild_domain::directory::oruk::{
    self, Address, Attribute, CostOption, Location, Phone, Schedule, Service, ServiceAtLocation,
    Weekday,
};
use everychild_domain::directory::{Capacity, Catchment, Extras};
use everychild_store::EntryDetail;

/// The first location of a document.
pub(in crate::pages::directory_admin) fn first_location(s: &Service) -> Option<&Location> {
    s.service_at_locations.first()?.location.as_ref()
}

/// The first address of the first location.
pub(in crate::pages::directory_admin) fn first_address(s: &Service) -> Option<&Address> {
    first_location(s)?.addresses.first()
}

/// What a service costs: `free`, `fee` with its description, or `` when not stated.
pub(in crate::pages::directory_admin) fn cost_of(s: &Service) -> (&'static str, String) {
    if let Some(f) = s.fees.as_deref().map(str::trim).filter(|f| !f.is_empty()) {
        return ("fee", f.to_owned());
    }
    match s.cost_options.first() {
        Some(c)
            if c.amount == Some(0.0)
                || c.option
                    .as_deref()
                    .is_some_and(|o| o.eq_ignore_ascii_case("free")) =>
        {
            ("free", String::new())
        }
        Some(c) => {
            let desc = c.amount_description.clone().unwrap_or_default();
            match c.amount {
                Some(a) => ("fee", format!("£{a:.2} {desc}").trim().to_owned()),
                None => ("fee", desc),
            }
        }
        None => ("", String::new()),
    }
}

/// The days of a schedule, Monday first.
fn days_of(sc: &Schedule) -> Vec<Weekday> {
    let mut d: Vec<Weekday> = sc
        .byday
        .as_deref()
        .unwrap_or("")
        .split(',')
        .filter_map(Weekday::parse)
        .collect();
    d.sort();
    d.dedup();
    d
}

fn age_text(a: f64) -> String {
    if a.fract() == 0.0 {
        format!("{a:.0}")
    } else {
        a.to_string()
    }
}

/// The form's values for an entry's working version.
pub(super) fn fields_of(d: &EntryDetail) -> Fields {
    let s = &d.service;
    let x = &d.extras;
    let mut v: Vec<(String, String)> = Vec::new();
    let mut put = |k: &str, val: &str| v.push((k.to_owned(), val.to_owned()));
    put("version", &d.summary.version.to_string());
    put("provider", s.organization_id.as_deref().unwrap_or(""));
    put("name", &s.name);
    put("description", s.description.as_deref().unwrap_or(""));
    put("url", s.url.as_deref().unwrap_or(""));
    put("email", s.email.as_deref().unwrap_or(""));
    put(
        "phone",
        s.phones.first().map(|p| p.number.as_str()).unwrap_or(""),
    );
    put(
        "minimum_age",
        &s.minimum_age.map(age_text).unwrap_or_default(),
    );
    put(
        "maximum_age",
        &s.maximum_age.map(age_text).unwrap_or_default(),
    );
    if x.eligibility.send_to_25 {
        put("send_to_25", "yes");
    }
    for t in s.attributes.iter().filter_map(Attribute::term_id) {
        put("categories", t);
    }
    if let Some(l) = first_location(s) {
        put("location_name", l.name.as_deref().unwrap_or(""));
    }
    if let Some(a) = first_address(s) {
        put("address_1", &a.address_1);
        put("city", &a.city);
        put("postcode", &a.postal_code);
    }
    if let Some(sc) = s.schedules.first() {
        for day in days_of(sc) {
            put("days", day.code());
        }
        put(
            "opens_at",
            &sc.opens_at.as_deref().map(hhmm).unwrap_or_default(),
        );
        put(
            "closes_at",
            &sc.closes_at.as_deref().map(hhmm).unwrap_or_default(),
        );
    }
    let (cost, fee) = cost_of(s);
    put("cost", cost);
    put("fee_description", &fee);
    for l in &x.levels {
        put("levels", &l.to_string());
    }
    match &x.catchment {
        Catchment::CityWide => put("catchment", "city_wide"),
        Catchment::Localities(ls) => {
            put("catchment", "localities");
            for l in ls {
                put("localities", &l.to_string());
            }
        }
    }
    put("tier", x.tier.map(|t| t.as_str()).unwrap_or(""));
    put("reach", x.reach.map(|t| t.as_str()).unwrap_or(""));
    for m in &x.delivery {
        put("delivery", m.as_str());
    }
    for r in &x.referral_routes {
        put("referral", r.as_str());
    }
    put("eligibility", &x.eligibility.text);
    if let Some(c) = &x.capacity {
        put("capacity_unit", &c.unit);
        put("capacity_available", &age_text(c.available));
        put(
            "capacity_maximum",
            &c.maximum.map(age_text).unwrap_or_default(),
        );
    }
    put(
        "waiting_weeks",
        &x.waiting_weeks.map(|w| w.to_string()).unwrap_or_default(),
    );
    if let Some(r) = d.summary.review_by {
        put("review_by-day", &r.day().to_string());
        put("review_by-month", &u8::from(r.month()).to_string());
        put("review_by-year", &r.year().to_string());
    }
    Fields::from_pairs(v)
}

/// `Monday, Tuesday, 09:30 to 12:00`.
fn describe(days: &[Weekday], opens: Option<&str>, closes: Option<&str>) -> String {
    let days: Vec<&str> = days.iter().map(|d| d.name()).collect();
    let mut out = days.join(", ");
    if let (Some(o), Some(c)) = (opens, closes) {
        if !out.is_empty() {
            out.push_str(", ");
        }
        out.push_str(&format!("{o} to {c}"));
    }
    out
}

/// The document and extensions the form describes: the entry's working version changed where
/// the form says so, or a new document with fresh ids.
pub(super) fn build(
    p: &Parsed,
    base: Option<&EntryDetail>,
    ch: &Choices,
    now: &str,
) -> (Service, Extras) {
    let mut s = base.map(|d| d.service.clone()).unwrap_or_else(|| Service {
        id: uuid_v4(),
        status: "active".into(),
        ..Service::default()
    });
    let mut x = base.map(|d| d.extras.clone()).unwrap_or_default();
    let sid = s.id.clone();
    if s.organization_id.as_deref() != Some(p.provider.as_str()) {
        s.organization = None;
    }
    s.organization_id = Some(p.provider.clone()).filter(|p| !p.is_empty());
    s.name = p.name.clone();
    s.description = p.description.clone();
    s.url = p.url.clone();
    s.email = p.email.clone();
    s.minimum_age = p.minimum_age;
    s.maximum_age = p.maximum_age;

    // The first telephone number.
    match &p.phone {
        Some(n) if s.phones.is_empty() => s.phones.push(Phone {
            id: uuid_v4(),
            number: n.clone(),
            r#type: Some("voice".into()),
            ..Phone::default()
        }),
        Some(n) => {
            if let Some(ph) = s.phones.first_mut() {
                ph.number = n.clone();
            }
        }
        None if !s.phones.is_empty() => {
            s.phones.remove(0);
        }
        None => {}
    }

    // Categories: the terms the form shows are set as chosen; any others are kept.
    let shown = |t: &str| ch.terms.iter().any(|x| x.id == t);
    s.attributes.retain(|a| match a.term_id() {
        Some(t) if shown(t) => p.categories.iter().any(|c| c == t),
        _ => true,
    });
    for c in &p.categories {
        if !s.attributes.iter().any(|a| a.term_id() == Some(c.as_str())) {
            s.attributes.push(Attribute {
                id: uuid_v4(),
                link_id: Some(sid.clone()),
                taxonomy_term_id: Some(c.clone()),
                link_type: Some("service".into()),
                taxonomy_term: ch.terms.iter().find(|t| &t.id == c).cloned(),
            });
        }
    }

    // The first location.
    match &p.place {
        Some(pl) => {
            if s.service_at_locations.is_empty() {
                s.service_at_locations.push(ServiceAtLocation {
                    id: uuid_v4(),
                    service_id: Some(sid.clone()),
                    ..ServiceAtLocation::default()
                });
            }
            if let Some(sal) = s.service_at_locations.first_mut() {
                let loc = sal.location.get_or_insert_with(|| Location {
                    id: uuid_v4(),
                    location_type: "physical".into(),
                    ..Location::default()
                });
                sal.location_id = Some(loc.id.clone());
                loc.name = pl.name.clone();
                if loc.addresses.is_empty() {
                    loc.addresses.push(Address {
                        id: uuid_v4(),
                        location_id: Some(loc.id.clone()),
                        country: "GB".into(),
                        address_type: "physical".into(),
                        ..Address::default()
                    });
                }
                let compact = |s: &str| s.replace(' ', "").to_ascii_uppercase();
                let moved = loc
                    .addresses
                    .first()
                    .is_none_or(|a| compact(&a.postal_code) != compact(&pl.postcode));
                if let Some(a) = loc.addresses.first_mut() {
                    a.address_1 = pl.address_1.clone();
                    a.city = pl.city.clone();
                    a.postal_code = pl.postcode.clone();
                    if a.country.trim().is_empty() {
                        a.country = "GB".into();
                    }
                }
                if moved || loc.latitude.is_none() {
                    loc.latitude = pl.position.map(|p| p.latitude);
                    loc.longitude = pl.position.map(|p| p.longitude);
                }
            }
        }
        // Cleared on the form: the place it showed is removed (one it could not show is kept).
        None if first_location(&s).is_some_and(|l| l.name.is_some() || !l.addresses.is_empty()) => {
            let gone = s.service_at_locations.remove(0);
            for sc in &mut s.schedules {
                if sc.service_at_location_id.as_deref() == Some(gone.id.as_str()) {
                    sc.service_at_location_id = None;
                }
            }
        }
        None => {}
    }

    // The first schedule, changed only when the form changes it (a monthly rule is kept).
    let minutes = |t: Option<&str>| t.and_then(oruk::parse_time);
    let wanted = !p.days.is_empty() || p.opens_at.is_some() || p.closes_at.is_some();
    // A schedule the form could show (days or times); one with neither is kept as it is.
    let shown =
        |sc: &Schedule| !days_of(sc).is_empty() || sc.opens_at.is_some() || sc.closes_at.is_some();
    let same = s.schedules.first().is_some_and(|sc| {
        days_of(sc) == p.days
            && minutes(sc.opens_at.as_deref()) == minutes(p.opens_at.as_deref())
            && minutes(sc.closes_at.as_deref()) == minutes(p.closes_at.as_deref())
    });
    if wanted && !same {
        if s.schedules.is_empty() {
            s.schedules.push(Schedule {
                id: uuid_v4(),
                service_id: Some(sid.clone()),
                service_at_location_id: s.service_at_locations.first().map(|x| x.id.clone()),
                ..Schedule::default()
            });
        }
        if let Some(sc) = s.schedules.first_mut() {
            let byday: Vec<&str> = p.days.iter().map(|d| d.code()).collect();
            sc.byday = Some(byday.join(",")).filter(|b| !b.is_empty());
            if sc.byday.is_some() {
                sc.freq = Some("WEEKLY".into());
            }
            sc.opens_at = p.opens_at.clone();
            sc.closes_at = p.closes_at.clone();
            sc.description = Some(describe(
                &p.days,
                p.opens_at.as_deref(),
                p.closes_at.as_deref(),
            ));
        }
    } else if !wanted && s.schedules.first().is_some_and(shown) {
        s.schedules.remove(0);
    }

    // The first cost.
    let was = cost_of(&s);
    match &p.cost {
        Cost::NotStated if !was.0.is_empty() => {
            s.fees = None;
            if !s.cost_options.is_empty() {
                s.cost_options.remove(0);
            }
        }
        Cost::Free if was.0 != "free" => {
            s.fees = None;
            first_cost(&mut s, &sid, |c| {
                c.option = Some("Free".into());
                c.amount = Some(0.0);
                c.amount_description = Some("No charge".into());
            });
        }
        Cost::Fee(desc) if was != ("fee", desc.clone()) => {
            s.fees = Some(desc.clone());
            first_cost(&mut s, &sid, |c| {
                if c.option
                    .as_deref()
                    .is_some_and(|o| o.eq_ignore_ascii_case("free"))
                {
                    c.option = None;
                }
                c.amount = None;
                c.amount_description = Some(desc.clone());
            });
        }
        _ => {}
    }

    // Our extensions.
    x.levels = p.levels.clone();
    x.catchment = p.catchment.clone();
    x.tier = p.tier;
    x.reach = p.reach;
    x.delivery = p.delivery.clone();
    x.referral_routes = p.referral.clone();
    x.eligibility.send_to_25 = p.send_to_25;
    x.eligibility.text = p.eligibility.clone();
    x.waiting_weeks = p.waiting_weeks;
    let old = x.capacity.take();
    x.capacity = p.capacity.as_ref().map(|(unit, available, maximum)| {
        let same = old
            .as_ref()
            .is_some_and(|c| &c.unit == unit && c.available == *available && c.maximum == *maximum);
        Capacity {
            id: old.as_ref().map(|c| c.id.clone()).unwrap_or_else(uuid_v4),
            unit: unit.clone(),
            available: *available,
            maximum: *maximum,
            description: old
                .as_ref()
                .filter(|_| same)
                .and_then(|c| c.description.clone()),
            updated: match (&old, same) {
                (Some(c), true) => c.updated.clone(),
                _ => now.to_owned(),
            },
        }
    });
    (s, x)
}

/// Change the first cost option, adding one if there is none.
fn first_cost(s: &mut Service, sid: &str, f: impl FnOnce(&mut CostOption)) {
    if s.cost_options.is_empty() {
        s.cost_options.push(CostOption {
            id: uuid_v4(),
            service_id: Some(sid.to_owned()),
            ..CostOption::default()
        });
    }
    if let Some(c) = s.cost_options.first_mut() {
        f(c);
    }
}
