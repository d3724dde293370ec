//! Reading the entry form: every field checked, every problem named by its field in GOV.UK
//! error-message style.

use super::Choices;
use crate::error::AppError;
use crate::forms::{Fields, FormErrors};
use crate::pages::directory_admin::is_web_address;
use crate::{AppState, Ctx};
use everychild_domain::directory::oruk::{is_email, parse_time, Weekday};
use everychild_domain::directory::{Catchment, DeliveryMode, Reach, ReferralRoute, Tier, LEVELS};
use everychild_domain::geo::{LatLon, Postcode};
use everychild_policy::{self as policy, Target};

/// What a service costs, as the form says.
pub enum Cost {
    /// Not stated.
    NotStated,
    /// Free.
    Free,
    /// A fee, in words.
    Fee(String),
}

/// The first location, as the form gives it.
pub struct Place {
    pub name: Option<String>,
    pub address_1: String,
    pub city: String,
    pub postcode: String,
    pub position: Option<LatLon>,
}

/// The form, read. Values that did not parse are left out; their errors are in the list.
pub struct Parsed {
    pub provider: String,
    pub name: String,
    pub description: Option<String>,
    pub url: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub minimum_age: Option<f64>,
    pub maximum_age: Option<f64>,
    pub send_to_25: bool,
    pub categories: Vec<String>,
    pub place: Option<Place>,
    pub days: Vec<Weekday>,
    pub opens_at: Option<String>,
    pub closes_at: Option<String>,
    pub cost: Cost,
    pub levels: Vec<u8>,
    pub catchment: Catchment,
    pub tier: Option<Tier>,
    pub reach: Option<Reach>,
    pub delivery: Vec<DeliveryMode>,
    pub referral: Vec<ReferralRoute>,
    pub eligibility: String,
    pub capacity: Option<(String, f64, Option<f64>)>,
    pub waiting_weeks: Option<u32>,
    pub review_by: Option<time::Date>,
}

/// Whether `s` looks like a telephone number: digits, spaces, `+`, `(`, `)` and `-`, with 10 to
/// 15 digits.
fn is_phone(s: &str) -> bool {
    let digits = s.chars().filter(char::is_ascii_digit).count();
    s.chars().all(|c| c.is_ascii_digit() || " +()-".contains(c)) && (10..=15).contains(&digits)
}

fn opt(s: &str) -> Option<String> {
    Some(s.trim().to_owned()).filter(|s| !s.is_empty())
}

/// A whole number no greater than `max`, if given.
fn whole(f: &Fields, name: &str, max: u32, message: &str, errors: &mut FormErrors) -> Option<u32> {
    let s = f.get(name).trim();
    if s.is_empty() {
        return None;
    }
    match s.parse::<u32>() {
        Ok(n) if n <= max => Some(n),
        _ => {
            errors.add(name, message);
            None
        }
    }
}

/// An age in years (0 to 150; a half for six months), if given.
fn age(f: &Fields, name: &str, which: &str, errors: &mut FormErrors) -> Option<f64> {
    let s = f.get(name).trim();
    if s.is_empty() {
        return None;
    }
    match s.parse::<f64>() {
        Ok(a) if a.is_finite() && (0.0..=150.0).contains(&a) => Some(a),
        _ => {
            errors.add(
                name,
                &format!("Enter the {which} age as a number of years from 0 to 150, like 5"),
            );
            None
        }
    }
}

/// A time of day as `HH:MM`, if given.
fn time_of_day(f: &Fields, name: &str, what: &str, errors: &mut FormErrors) -> Option<String> {
    let s = f.get(name).trim();
    if s.is_empty() {
        return None;
    }
    match parse_time(s) {
        Some(m) if s.len() <= 5 => Some(format!("{:02}:{:02}", m / 60, m % 60)),
        _ => {
            errors.add(
                name,
                &format!("Enter the {what} time in the 24-hour format HH:MM, like 09:30"),
            );
            None
        }
    }
}

/// Each chosen value of a repeated field that parses; one error if any does not.
fn chosen<T>(
    f: &Fields,
    name: &str,
    what: &str,
    parse: impl Fn(&str) -> Option<T>,
    errors: &mut FormErrors,
) -> Vec<T> {
    let mut out = Vec::new();
    let mut bad = false;
    for v in f.all(name) {
        match parse(v) {
            Some(t) => out.push(t),
            None => bad = true,
        }
    }
    if bad {
        errors.add(name, &format!("Choose {what} from the list"));
    }
    out
}

/// One of a set of radios, if chosen.
fn radio<T>(
    f: &Fields,
    name: &str,
    what: &str,
    parse: impl Fn(&str) -> Option<T>,
    errors: &mut FormErrors,
) -> Option<T> {
    match f.get(name) {
        "" => None,
        v => {
            let t = parse(v);
            if t.is_none() {
                errors.add(name, &format!("Choose {what} from the list"));
            }
            t
        }
    }
}

fn check_length(f: &Fields, name: &str, what: &str, max: usize, errors: &mut FormErrors) {
    if f.get(name).trim().chars().count() > max {
        errors.add(name, &format!("{what} must be {max} characters or fewer"));
    }
}

/// The review-by date from its day, month and year.
fn review_date(f: &Fields, today: time::Date, errors: &mut FormErrors) -> Option<time::Date> {
    let part = |p: &str| f.get(&format!("review_by-{p}")).trim().to_owned();
    let (d, m, y) = (part("day"), part("month"), part("year"));
    if d.is_empty() && m.is_empty() && y.is_empty() {
        errors.add(
            "review_by",
            "Enter the date the entry must next be checked by",
        );
        return None;
    }
    let missing: Vec<&str> = [("a day", &d), ("a month", &m), ("a year", &y)]
        .iter()
        .filter(|(_, v)| v.is_empty())
        .map(|(w, _)| *w)
        .collect();
    if !missing.is_empty() {
        errors.add(
            "review_by",
            &format!("The review date must include {}", missing.join(" and ")),
        );
        return None;
    }
    let date = match (d.parse::<u8>(), m.parse::<u8>(), y.parse::<i32>()) {
        (Ok(d), Ok(m), Ok(y)) if y.to_string().len() == 4 => time::Month::try_from(m)
            .ok()
            .and_then(|m| time::Date::from_calendar_date(y, m, d).ok()),
        _ => None,
    };
    match date {
        None => {
            errors.add(
                "review_by",
                "The review date must be a real date, like 27 3 2027",
            );
            None
        }
        Some(date) if date < today => {
            errors.add(
                "review_by",
                "The review date must be today or in the future",
            );
            None
        }
        Some(date) => Some(date),
    }
}

/// The first location: none when every field is empty; else the address in full, with a
/// postcode in the geography.
async fn place(
    st: &AppState,
    ctx: &Ctx,
    f: &Fields,
    errors: &mut FormErrors,
) -> Result<Option<Place>, AppError> {
    let names = ["location_name", "address_1", "city", "postcode"];
    if names.iter().all(|n| f.get(n).trim().is_empty()) {
        return Ok(None);
    }
    check_length(f, "location_name", "The name of the place", 255, errors);
    check_length(f, "address_1", "The address", 255, errors);
    check_length(f, "city", "The town or city", 100, errors);
    if f.get("address_1").trim().is_empty() {
        errors.add("address_1", "Enter the building and street of the place");
    }
    if f.get("city").trim().is_empty() {
        errors.add("city", "Enter the town or city of the place");
    }
    let mut position = None;
    let mut postcode = f.get("postcode").trim().to_owned();
    match Postcode::parse(f.get("postcode")) {
        Err(e) => errors.push(e),
        Ok(pc) => {
            postcode = pc.to_string();
            let lookup = ctx
                .authorize::<policy::LookupPostcode>(st, Target::None, None)
                .await?;
            let geo = st.store.geo_index(&lookup).await?;
            match geo.lookup_postcode(&pc, None) {
                Ok(a) if a.entry.terminated.is_some() => errors.add(
                    "postcode",
                    &format!("{pc} is no longer in use: enter the postcode the place has now"),
                ),
                Ok(a) => position = a.lat_lon(),
                Err(_) => errors.add(
                    "postcode",
                    &format!("{pc} is not a postcode in the areas this directory covers"),
                ),
            }
        }
    }
    Ok(Some(Place {
        name: opt(f.get("location_name")),
        address_1: f.get("address_1").trim().to_owned(),
        city: f.get("city").trim().to_owned(),
        postcode,
        position,
    }))
}

/// Read the whole form.
pub async fn parse(
    st: &AppState,
    ctx: &Ctx,
    f: &Fields,
    ch: &Choices,
    errors: &mut FormErrors,
) -> Result<Parsed, AppError> {
    let provider = f.get("provider").trim().to_owned();
    if provider.is_empty() {
        errors.add(
            "provider",
            "Choose the organisation that provides the service",
        );
    } else if !ch.providers.iter().any(|p| p.id == provider) {
        errors.add("provider", "Choose a provider from the list");
    }
    let name = f.get("name").trim().to_owned();
    if name.is_empty() {
        errors.add("name", "Enter the name of the service");
    }
    check_length(f, "name", "The name", 255, errors);
    if f.get("description").trim().is_empty() {
        errors.add("description", "Enter a description of the service");
    }
    check_length(f, "description", "The description", 4000, errors);
    let url = opt(f.get("url"));
    if url.as_deref().is_some_and(|u| !is_web_address(u)) {
        errors.add(
            "url",
            "Enter the website address in the correct format, like https://www.example.org",
        );
    }
    let email = opt(f.get("email"));
    if email.as_deref().is_some_and(|e| !is_email(e)) {
        errors.add(
            "email",
            "Enter an email address in the correct format, like name@example.org",
        );
    }
    let phone = opt(f.get("phone"));
    if phone.as_deref().is_some_and(|p| !is_phone(p)) {
        errors.add(
            "phone",
            "Enter a telephone number, like 0116 496 0000 or +44 116 496 0000",
        );
    }
    let minimum_age = age(f, "minimum_age", "minimum", errors);
    let maximum_age = age(f, "maximum_age", "maximum", errors);
    if let (Some(lo), Some(hi)) = (minimum_age, maximum_age) {
        if lo > hi {
            errors.add(
                "minimum_age",
                "The minimum age must be the same as or less than the maximum age",
            );
        }
    }
    let categories = chosen(
        f,
        "categories",
        "categories",
        |v| ch.terms.iter().find(|t| t.id == v).map(|t| t.id.clone()),
        errors,
    );
    let place = place(st, ctx, f, errors).await?;
    let mut days = chosen(
        f,
        "days",
        "days",
        |v| Weekday::ALL.into_iter().find(|d| d.code() == v),
        errors,
    );
    days.sort();
    days.dedup();
    let opens_at = time_of_day(f, "opens_at", "opening", errors);
    let closes_at = time_of_day(f, "closes_at", "closing", errors);
    let (o, c) = (f.get("opens_at").trim(), f.get("closes_at").trim());
    if !o.is_empty() && c.is_empty() {
        errors.add("closes_at", "Enter the closing time, like 17:00");
    } else if o.is_empty() && !c.is_empty() {
        errors.add("opens_at", "Enter the opening time, like 09:30");
    }
    if let (Some(o), Some(c)) = (&opens_at, &closes_at) {
        if parse_time(c) <= parse_time(o) {
            errors.add(
                "closes_at",
                "The closing time must be after the opening time",
            );
        }
    }
    if days.is_empty()
        && (opens_at.is_some() || closes_at.is_some())
        && errors.get("days").is_none()
    {
        errors.add("days", "Choose the days the service is open");
    }
    let cost = match f.get("cost") {
        "" => Cost::NotStated,
        "free" => Cost::Free,
        "fee" => match opt(f.get("fee_description")) {
            Some(d) if d.chars().count() <= 500 => Cost::Fee(d),
            Some(_) => {
                errors.add("fee_description", "The fee must be 500 characters or fewer");
                Cost::NotStated
            }
            None => {
                errors.add(
                    "fee_description",
                    "Say what the service costs, like £2 a session",
                );
                Cost::NotStated
            }
        },
        _ => {
            errors.add(
                "cost",
                "Choose whether the service is free or charges a fee",
            );
            Cost::NotStated
        }
    };
    let mut levels = chosen(
        f,
        "levels",
        "levels of need",
        |v| v.parse::<u8>().ok().filter(|l| LEVELS.contains(l)),
        errors,
    );
    levels.sort_unstable();
    levels.dedup();
    let catchment = match f.get("catchment") {
        "city_wide" => Catchment::CityWide,
        "localities" => {
            let mut ls = chosen(
                f,
                "localities",
                "localities",
                |v| {
                    let id = v.parse::<i64>().ok()?;
                    ch.localities.iter().any(|l| l.0 == id).then_some(id)
                },
                errors,
            );
            ls.sort_unstable();
            ls.dedup();
            if ls.is_empty() && errors.get("localities").is_none() {
                errors.add("localities", "Choose at least one locality, or city-wide");
            }
            Catchment::Localities(ls)
        }
        _ => {
            errors.add("catchment", "Choose where the service takes families from");
            Catchment::CityWide
        }
    };
    let tier = radio(f, "tier", "a tier", Tier::parse, errors);
    let reach = radio(f, "reach", "a reach", Reach::parse, errors);
    let delivery = chosen(
        f,
        "delivery",
        "how it is delivered",
        DeliveryMode::parse,
        errors,
    );
    let referral = chosen(
        f,
        "referral",
        "how families reach it",
        ReferralRoute::parse,
        errors,
    );
    check_length(f, "eligibility", "Who the service is for", 2000, errors);
    let capacity = if ["capacity_unit", "capacity_available", "capacity_maximum"]
        .iter()
        .all(|n| f.get(n).trim().is_empty())
    {
        None
    } else {
        let unit = f.get("capacity_unit").trim().to_owned();
        if unit.is_empty() {
            errors.add("capacity_unit", "Enter what is counted, like places");
        }
        check_length(f, "capacity_unit", "What is counted", 50, errors);
        let msg = "Enter the number available as a whole number, like 4";
        let available = whole(f, "capacity_available", 100_000, msg, errors);
        if f.get("capacity_available").trim().is_empty() {
            errors.add(
                "capacity_available",
                "Enter how many are available now, like 4",
            );
        }
        let msg = "Enter the most there can be as a whole number, like 12";
        let maximum = whole(f, "capacity_maximum", 100_000, msg, errors);
        if let (Some(a), Some(m)) = (available, maximum) {
            if m < a {
                errors.add(
                    "capacity_maximum",
                    "The most there can be must be the same as or more than the number available",
                );
            }
        }
        available.map(|a| (unit, f64::from(a), maximum.map(f64::from)))
    };
    let waiting_weeks = whole(
        f,
        "waiting_weeks",
        520,
        "Enter the waiting time as a whole number of weeks from 0 to 520",
        errors,
    );
    let review_by = review_date(f, super::today(st), errors);
    Ok(Parsed {
        provider,
        name,
        description: opt(f.get("description")),
        url,
        email,
        phone,
        minimum_age,
        maximum_age,
        send_to_25: f.get("send_to_25") == "yes",
        categories,
        place,
        days,
        opens_at,
        closes_at,
        cost,
        levels,
        catchment,
        tier,
        reach,
        delivery,
        referral,
        eligibility: f.get("eligibility").trim().to_owned(),
        capacity,
        waiting_weeks,
        review_by,
    })
}
