//! The checks an Open Referral document must pass before it is stored: every problem named by
//! its JSON path, and the small parsers they use (UUIDs, emails, URIs, times of day).

use super::*;

/// One problem with a document: where (a JSON path such as `service_at_locations[0].location.id`)
/// and what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// Path within the document.
    pub path: String,
    /// What is wrong, in words.
    pub message: String,
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.path, self.message)
    }
}

/// The service statuses the profile allows.
pub const STATUSES: [&str; 4] = ["active", "inactive", "defunct", "temporarily closed"];

/// Whether `s` is a UUID in its 8-4-4-4-12 hexadecimal form.
pub fn is_uuid(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 36
        && b.iter().enumerate().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => *c == b'-',
            _ => c.is_ascii_hexdigit(),
        })
}

/// A version 4 UUID in its 8-4-4-4-12 form from 16 random bytes (the caller supplies the
/// randomness: the domain has none).
pub fn uuid_v4_from(mut b: [u8; 16]) -> String {
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &h[0..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    )
}

/// Read a document of the profile from JSON, naming a value of the wrong type by its path
/// (`schedules[0].opens_at`); the whole document is `(document)`.
pub fn read_document<T: serde::de::DeserializeOwned>(
    value: serde_json::Value,
) -> Result<T, Vec<Problem>> {
    serde_path_to_error::deserialize(value).map_err(|e| {
        let path = e.path().to_string();
        vec![Problem {
            path: if path == "." {
                "(document)".into()
            } else {
                path
            },
            message: e.into_inner().to_string(),
        }]
    })
}

/// Whether `s` looks like an email address: one `@`, something before it, a dotted domain
/// after it, no spaces.
pub fn is_email(s: &str) -> bool {
    let Some((local, domain)) = s.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && !domain.contains('@')
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !s.chars().any(char::is_whitespace)
}

/// Whether `s` is an absolute URI: a scheme of letters, digits, `+`, `-` or `.` starting with
/// a letter, a colon, then something, with no spaces.
pub fn is_uri(s: &str) -> bool {
    let Some((scheme, rest)) = s.split_once(':') else {
        return false;
    };
    let mut cs = scheme.chars();
    cs.next().is_some_and(|c| c.is_ascii_alphabetic())
        && cs.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
        && !rest.is_empty()
        && !s.chars().any(char::is_whitespace)
}

/// A time of day from `HH:MM` or `HH:MM:SS`, in minutes after midnight.
pub fn parse_time(s: &str) -> Option<u16> {
    let mut parts = s.trim().split(':');
    let h: u16 = parts.next()?.parse().ok()?;
    let m: u16 = parts.next()?.parse().ok()?;
    if let Some(sec) = parts.next() {
        let sec: u16 = sec.split('.').next()?.parse().ok()?;
        if sec > 59 {
            return None;
        }
    }
    if parts.next().is_some() || h > 24 || m > 59 || (h == 24 && m > 0) {
        return None;
    }
    Some(h * 60 + m)
}

struct Checker {
    problems: Vec<Problem>,
}

impl Checker {
    fn push(&mut self, path: &str, message: impl Into<String>) {
        self.problems.push(Problem {
            path: path.to_owned(),
            message: message.into(),
        });
    }
    fn id(&mut self, path: &str, id: &str) {
        if id.trim().is_empty() {
            self.push(&format!("{path}id"), "is required");
        } else if !is_uuid(id) {
            self.push(&format!("{path}id"), format!("\"{id}\" is not a UUID"));
        }
    }
    fn opt_uuid(&mut self, path: &str, field: &str, v: &Option<String>) {
        if let Some(v) = v {
            if !is_uuid(v) {
                self.push(&format!("{path}{field}"), format!("\"{v}\" is not a UUID"));
            }
        }
    }
    fn required(&mut self, path: &str, field: &str, v: &str) {
        if v.trim().is_empty() {
            self.push(&format!("{path}{field}"), "is required");
        }
    }
    fn email(&mut self, path: &str, field: &str, v: &Option<String>) {
        if let Some(v) = v {
            if !is_email(v) {
                self.push(
                    &format!("{path}{field}"),
                    format!("\"{v}\" is not an email address"),
                );
            }
        }
    }
    fn uri(&mut self, path: &str, field: &str, v: &Option<String>) {
        if let Some(v) = v {
            if !is_uri(v) {
                self.push(
                    &format!("{path}{field}"),
                    format!("\"{v}\" is not an absolute URI"),
                );
            }
        }
    }
    fn time(&mut self, path: &str, field: &str, v: &Option<String>) {
        if let Some(v) = v {
            if parse_time(v).is_none() {
                self.push(
                    &format!("{path}{field}"),
                    format!("\"{v}\" is not a time of day (HH:MM or HH:MM:SS)"),
                );
            }
        }
    }
    fn kind(&mut self, path: &str, field: &str, v: &str, allowed: &[&str]) {
        if !allowed.contains(&v) {
            self.push(
                &format!("{path}{field}"),
                format!("\"{v}\" is not one of: {}", allowed.join(", ")),
            );
        }
    }
    fn term(&mut self, path: &str, t: &TaxonomyTerm) {
        self.id(path, &t.id);
        self.required(path, "name", &t.name);
        self.opt_uuid(path, "parent_id", &t.parent_id);
        self.opt_uuid(path, "taxonomy_id", &t.taxonomy_id);
        self.uri(path, "term_uri", &t.term_uri);
    }
    fn attributes(&mut self, path: &str, attrs: &[Attribute]) {
        for (i, a) in attrs.iter().enumerate() {
            let p = format!("{path}attributes[{i}].");
            self.id(&p, &a.id);
            self.opt_uuid(&p, "taxonomy_term_id", &a.taxonomy_term_id);
            match &a.taxonomy_term {
                Some(t) => self.term(&format!("{p}taxonomy_term."), t),
                None if a.taxonomy_term_id.is_none() => {
                    self.push(&format!("{p}taxonomy_term"), "is required")
                }
                None => {}
            }
        }
    }
    fn organization(&mut self, path: &str, o: &Organization) {
        self.id(path, &o.id);
        self.required(path, "name", &o.name);
        self.email(path, "email", &o.email);
        self.uri(path, "website", &o.website);
        self.uri(path, "uri", &o.uri);
        self.opt_uuid(path, "parent_organization_id", &o.parent_organization_id);
        for (i, x) in o.organization_identifiers.iter().enumerate() {
            let p = format!("{path}organization_identifiers[{i}].");
            self.id(&p, &x.id);
            self.required(&p, "identifier_type", &x.identifier_type);
            self.required(&p, "identifier", &x.identifier);
        }
        self.attributes(path, &o.attributes);
    }
    fn location(&mut self, path: &str, l: &Location) {
        self.id(path, &l.id);
        self.kind(
            path,
            "location_type",
            &l.location_type,
            &["physical", "postal", "virtual"],
        );
        for (i, a) in l.addresses.iter().enumerate() {
            let p = format!("{path}addresses[{i}].");
            self.id(&p, &a.id);
            self.required(&p, "address_1", &a.address_1);
            self.required(&p, "city", &a.city);
            self.required(&p, "postal_code", &a.postal_code);
            self.required(&p, "country", &a.country);
            self.kind(
                &p,
                "address_type",
                &a.address_type,
                &["physical", "postal", "virtual"],
            );
        }
        for (i, a) in l.accessibility.iter().enumerate() {
            let p = format!("{path}accessibility[{i}].");
            self.id(&p, &a.id);
            self.uri(&p, "url", &a.url);
        }
        self.attributes(path, &l.attributes);
    }
    fn phones(&mut self, path: &str, phones: &[Phone]) {
        for (i, ph) in phones.iter().enumerate() {
            let p = format!("{path}phones[{i}].");
            self.id(&p, &ph.id);
            self.required(&p, "number", &ph.number);
        }
    }
}

/// Every problem that stops an organisation document being stored; empty when it may be.
pub fn organization_problems(o: &Organization) -> Vec<Problem> {
    let mut c = Checker {
        problems: Vec::new(),
    };
    c.organization("", o);
    c.problems
}

/// Every problem with a taxonomy or taxonomy term read from a feed.
pub fn taxonomy_problems(t: &Taxonomy) -> Vec<Problem> {
    let mut c = Checker {
        problems: Vec::new(),
    };
    c.id("", &t.id);
    c.required("", "name", &t.name);
    c.uri("", "uri", &t.uri);
    c.problems
}

/// Every problem with a taxonomy term read from a feed.
pub fn term_problems(t: &TaxonomyTerm) -> Vec<Problem> {
    let mut c = Checker {
        problems: Vec::new(),
    };
    c.term("", t);
    c.problems
}

impl Service {
    /// Every problem that stops this document being stored; empty when it may be.
    pub fn problems(&self) -> Vec<Problem> {
        let mut c = Checker {
            problems: Vec::new(),
        };
        c.id("", &self.id);
        c.required("", "name", &self.name);
        if self.name.chars().count() > 255 {
            c.push("name", "must be 255 characters or fewer");
        }
        c.kind("", "status", &self.status, &STATUSES);
        c.opt_uuid("", "organization_id", &self.organization_id);
        c.uri("", "url", &self.url);
        c.email("", "email", &self.email);
        c.email("", "assurer_email", &self.assurer_email);
        for (field, v) in [
            ("minimum_age", self.minimum_age),
            ("maximum_age", self.maximum_age),
        ] {
            if let Some(v) = v {
                if !(0.0..=150.0).contains(&v) {
                    c.push(field, format!("{v} is not an age in years"));
                }
            }
        }
        if let (Some(lo), Some(hi)) = (self.minimum_age, self.maximum_age) {
            if lo > hi {
                c.push("minimum_age", "must not be greater than maximum_age");
            }
        }
        if let Some(m) = &self.last_modified {
            if time::OffsetDateTime::parse(m, &time::format_description::well_known::Rfc3339)
                .is_err()
            {
                c.push(
                    "last_modified",
                    format!("\"{m}\" is not an RFC 3339 date-time"),
                );
            }
        }
        for (i, s) in self.schedules.iter().enumerate() {
            let p = format!("schedules[{i}].");
            c.id(&p, &s.id);
            if let Some(f) = &s.freq {
                c.kind(&p, "freq", f, &["WEEKLY", "MONTHLY"]);
            }
            c.time(&p, "opens_at", &s.opens_at);
            c.time(&p, "closes_at", &s.closes_at);
            c.uri(&p, "schedule_link", &s.schedule_link);
            if let Some(days) = &s.byday {
                for d in days.split(',').map(str::trim).filter(|d| !d.is_empty()) {
                    if Weekday::parse(d).is_none() {
                        c.push(
                            &format!("{p}byday"),
                            format!("\"{d}\" is not a day (MO, TU, WE, TH, FR, SA, SU)"),
                        );
                    }
                }
            }
        }
        for (i, a) in self.service_areas.iter().enumerate() {
            c.id(&format!("service_areas[{i}]."), &a.id);
        }
        for (i, s) in self.service_at_locations.iter().enumerate() {
            let p = format!("service_at_locations[{i}].");
            c.id(&p, &s.id);
            match &s.location {
                Some(l) => c.location(&format!("{p}location."), l),
                None => c.push(&format!("{p}location"), "is required"),
            }
        }
        for (i, l) in self.languages.iter().enumerate() {
            c.id(&format!("languages[{i}]."), &l.id);
        }
        if let Some(o) = &self.organization {
            c.organization("organization.", o);
        }
        for (i, f) in self.funding.iter().enumerate() {
            c.id(&format!("funding[{i}]."), &f.id);
        }
        for (i, o) in self.cost_options.iter().enumerate() {
            c.id(&format!("cost_options[{i}]."), &o.id);
        }
        c.phones("", &self.phones);
        for (i, ct) in self.contacts.iter().enumerate() {
            let p = format!("contacts[{i}].");
            c.id(&p, &ct.id);
            c.email(&p, "email", &ct.email);
            c.phones(&p, &ct.phones);
        }
        c.attributes("", &self.attributes);
        c.problems
    }

    /// Read a service from JSON and check it: the service, or every reason it cannot be stored
    /// (a value of the wrong type is named by its path, e.g. `schedules[0].opens_at`).
    pub fn from_json(value: serde_json::Value) -> Result<Service, Vec<Problem>> {
        let s: Service = read_document(value)?;
        let problems = s.problems();
        if problems.is_empty() {
            Ok(s)
        } else {
            Err(problems)
        }
    }

    /// Every taxonomy term the service is classified with, from its attributes.
    pub fn terms(&self) -> impl Iterator<Item = &TaxonomyTerm> {
        self.attributes
            .iter()
            .filter_map(|a| a.taxonomy_term.as_ref())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats() {
        assert!(is_uuid("ac148810-d857-441c-9679-408f346de14b"));
        assert!(!is_uuid("ac148810d857441c9679408f346de14b"));
        assert!(!is_uuid("ac148810-d857-441c-9679-408f346de14g"));
        assert!(is_email("email@example.com"));
        assert!(!is_email("email-example_com"));
        assert!(!is_email("a@b"));
        assert!(is_uri("http://example.com/counselling"));
        assert!(is_uri("mailto:a@example.com"));
        assert!(!is_uri("example/counselling"));
        assert!(!is_uri("1http://x"));
        assert_eq!(parse_time("10:00:00"), Some(600));
        assert_eq!(parse_time("09:30"), Some(570));
        assert_eq!(parse_time("24:00"), Some(1440));
        assert_eq!(parse_time("25:00"), None);
        assert_eq!(parse_time("9"), None);
        assert_eq!(parse_time("10:60"), None);
    }

    #[test]
    fn a_service_needs_id_name_and_status() {
        let s = Service::default();
        let p: Vec<String> = s.problems().iter().map(|p| p.path.clone()).collect();
        assert_eq!(p, ["id", "name", "status"]);
        let ok = Service {
            id: "ac148810-d857-441c-9679-408f346de14b".into(),
            name: "Stay and play".into(),
            status: "active".into(),
            ..Service::default()
        };
        assert!(ok.problems().is_empty());
    }

    #[test]
    fn nested_problems_name_their_path() {
        let s = Service {
            id: "ac148810-d857-441c-9679-408f346de14b".into(),
            name: "x".into(),
            status: "open".into(),
            email: Some("nope".into()),
            schedules: vec![Schedule {
                id: "48102e86-bb50-41c4-8f1e-e269368c41d1".into(),
                opens_at: Some("9am".into()),
                byday: Some("MO,XX".into()),
                ..Schedule::default()
            }],
            service_at_locations: vec![ServiceAtLocation {
                id: "e94c9f38-1e8f-4564-91d4-d53501ab1765".into(),
                location: Some(Location {
                    id: "bad".into(),
                    location_type: "physical".into(),
                    ..Location::default()
                }),
                ..ServiceAtLocation::default()
            }],
            ..Service::default()
        };
        let p: Vec<String> = s.problems().iter().map(|p| p.to_string()).collect();
        assert_eq!(
            p,
            [
                "status: \"open\" is not one of: active, inactive, defunct, temporarily closed",
                "email: \"nope\" is not an email address",
                "schedules[0].opens_at: \"9am\" is not a time of day (HH:MM or HH:MM:SS)",
                "schedules[0].byday: \"XX\" is not a day (MO, TU, WE, TH, FR, SA, SU)",
                "service_at_locations[0].location.id: \"bad\" is not a UUID",
            ]
        );
    }

    fn fixture(feed: &str, file: &str) -> serde_json::Value {
        let dir = match std::env::var_os("EVERYCHILD_DATA") {
            Some(d) => std::path::PathBuf::from(d),
            None => std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data"),
        };
        let path = dir
            .join("openreferral/oruk-validator-fixtures")
            .join(feed)
            .join(file);
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path:?}: {e}"));
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path:?}: {e}"))
    }

    #[test]
    fn the_validators_default_feed_is_accepted_whole() {
        let full: Service = serde_json::from_value(fixture("V3.0-UK-Default", "service_full.json"))
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(full.problems(), []);
        assert_eq!(full.service_at_locations.len(), 1);
        assert_eq!(full.terms().count(), 1);
        let list = fixture("V3.0-UK-Default", "service_list.json");
        for item in list["contents"].as_array().into_iter().flatten() {
            let s: Service = serde_json::from_value(item.clone()).unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(s.problems(), [], "{}", s.id);
        }
    }

    #[test]
    fn every_item_of_the_validators_fail_feed_is_refused_with_its_reason() {
        let full: Service = serde_json::from_value(fixture("V3.0-UK-Fail", "service_full.json"))
            .unwrap_or_else(|e| panic!("{e}"));
        let p: Vec<String> = full.problems().iter().map(|p| p.to_string()).collect();
        assert_eq!(
            p,
            [
                "url: \"example/counselling\" is not an absolute URI",
                "email: \"email-example_com\" is not an email address",
            ]
        );
        let list = fixture("V3.0-UK-Fail", "service_list.json");
        let items = list["contents"].as_array().cloned().unwrap_or_default();
        assert_eq!(items.len(), 4);
        for item in items {
            let id = item["id"].as_str().unwrap_or_default().to_owned();
            let p = Service::from_json(item).err().unwrap_or_default();
            assert!(!p.is_empty(), "{id} was accepted");
            for p in &p {
                assert!(!p.path.is_empty() && !p.message.is_empty(), "{id}: {p:?}");
            }
        }
        // Each reason names the field and what is wrong with it.
        let reasons: Vec<Vec<String>> = list["contents"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|i| {
                Service::from_json(i.clone())
                    .err()
                    .unwrap_or_default()
                    .iter()
                    .map(|p| p.to_string())
                    .collect()
            })
            .collect();
        let missing_name = vec![
            "name: is required".to_owned(),
            "url: \"example_counselling\" is not an absolute URI".to_owned(),
            "email: \"email-example_com\" is not an email address".to_owned(),
        ];
        assert_eq!(reasons[0], missing_name);
        assert_eq!(reasons[1], missing_name);
        assert_eq!(
            reasons[2],
            ["email: invalid type: boolean `false`, expected a string"]
        );
        assert_eq!(
            reasons[3],
            ["email: invalid type: integer `12345`, expected a string"]
        );
    }

    #[test]
    fn weekdays() {
        assert_eq!(Weekday::parse("tu"), Some(Weekday::Tu));
        assert_eq!(Weekday::parse("Thursday"), Some(Weekday::Th));
        assert_eq!(Weekday::parse("-1FR"), Some(Weekday::Fr));
        assert_eq!(Weekday::parse("Funday"), None);
    }
}
