//! One directory entry: a service document at its venues, with its extensions and review date.

use super::templates::{self, Template, CATEGORIES, TEMPLATES};
use super::{pick, slug, uuid, DirectoryEntry, DirectorySpec, Place, Provider, Slot};
use crate::{staff, SynthRng};
use everychild_domain::directory::oruk::{
    Accessibility, Address, Attribute, Contact, CostOption, Language, Location, Phone, Schedule,
    Service, ServiceArea, ServiceAtLocation, TaxonomyTerm, Weekday,
};
use everychild_domain::directory::{
    Capacity, Catchment, DeliveryMode, Eligibility, Extras, Reach, ReferralRoute, Tier,
};
use rand::seq::SliceRandom;
use rand::Rng;
use time::{Date, Duration};

/// Format a date and time of day as RFC 3339 UTC.
fn rfc3339(d: Date, h: u8, m: u8, s: u8) -> String {
    format!(
        "{:04}-{:02}-{:02}T{h:02}:{m:02}:{s:02}Z",
        d.year(),
        u8::from(d.month()),
        d.day()
    )
}

/// `d` moved by `days` (unchanged if that leaves the calendar).
fn add_days(d: Date, days: i64) -> Date {
    d.checked_add(Duration::days(days)).unwrap_or(d)
}

/// "9:30am" from "09:30:00".
fn clock(t: &str) -> String {
    let mut parts = t.split(':').map(|x| x.parse::<u32>().unwrap_or(0));
    let (h, m) = (parts.next().unwrap_or(0), parts.next().unwrap_or(0));
    let suffix = if h < 12 { "am" } else { "pm" };
    let h12 = if h % 12 == 0 { 12 } else { h % 12 };
    if m == 0 {
        format!("{h12}{suffix}")
    } else {
        format!("{h12}:{m:02}{suffix}")
    }
}

/// "Mondays and Thursdays, 9:30am to 11:30am".
fn describe(byday: &str, opens: &str, closes: &str) -> String {
    let days: Vec<Weekday> = byday.split(',').filter_map(Weekday::parse).collect();
    let when = if byday == "MO,TU,WE,TH,FR" {
        "Monday to Friday".to_owned()
    } else {
        let names: Vec<String> = days.iter().map(|d| format!("{}s", d.name())).collect();
        match names.split_last() {
            Some((last, rest)) if !rest.is_empty() => format!("{} and {last}", rest.join(", ")),
            Some((last, _)) => last.clone(),
            None => "Weekly".to_owned(),
        }
    };
    format!("{when}, {} to {}", clock(opens), clock(closes))
}

/// Makes entries, one slot at a time, from one random stream.
pub(super) struct Builder<'a> {
    /// What to make.
    pub(super) spec: &'a DirectorySpec<'a>,
    /// The localities and their venues.
    pub(super) places: Vec<Place>,
    /// The category terms, in the order of the templates.
    pub(super) terms: &'a [TaxonomyTerm],
    /// The random stream.
    pub(super) rng: SynthRng,
}

impl Builder<'_> {
    /// A fictitious telephone number in Ofcom's ranges for drama.
    fn phone(&mut self, mobile: bool) -> String {
        let n = self.rng.gen_range(0..1000);
        if mobile {
            format!("07700 900{n:03}")
        } else if self.spec.authority_name.eq_ignore_ascii_case("leicester") {
            format!("0116 496 0{n:03}")
        } else {
            format!("01632 960{n:03}")
        }
    }

    /// Up to `k` different venues of the template's kinds in locality `p` (the hub when it has
    /// none of them).
    fn venues_in(&mut self, p: usize, t: &Template, k: usize) -> Vec<(usize, usize)> {
        let venues = &self.places[p].venues;
        let mut fit: Vec<usize> = (0..venues.len())
            .filter(|&v| t.venues.contains(&venues[v].kind))
            .collect();
        if fit.is_empty() && !venues.is_empty() {
            fit.push(0);
        }
        fit.shuffle(&mut self.rng);
        fit.into_iter().take(k).map(|v| (p, v)).collect()
    }

    /// The entry for one planned service, run by `provider`.
    pub(super) fn entry(&mut self, slot: &Slot, provider: &Provider) -> DirectoryEntry {
        let t = &TEMPLATES[slot.cat];
        let spec = self.spec;
        let id = uuid(&mut self.rng);
        let tier = pick(&mut self.rng, t.tiers).unwrap_or(Tier::Targeted);

        // Where: 1-3 venues, or none for a telephone or online service.
        let remote = slot.place.is_none() && self.rng.gen_range(0..100) < t.remote_pct;
        let k = match self.rng.gen_range(0..100) {
            0..=69 => 1,
            70..=91 => 2,
            _ => 3,
        };
        let sites: Vec<(usize, usize)> = match (remote, slot.place) {
            (true, _) => Vec::new(),
            (false, Some(p)) => self.venues_in(p, t, k),
            (false, None) => {
                let mut ps: Vec<usize> = (0..self.places.len())
                    .filter(|&p| !self.places[p].venues.is_empty())
                    .collect();
                ps.shuffle(&mut self.rng);
                ps.into_iter()
                    .take(k)
                    .flat_map(|p| self.venues_in(p, t, 1))
                    .collect()
            }
        };

        // Catchment and area.
        let catchment = match slot.place {
            None => Catchment::CityWide,
            Some(p) => {
                let mut ids = vec![self.places[p].id];
                let two = matches!(slot.reach, Reach::Extended | Reach::Hosted)
                    && self.rng.gen_bool(0.12);
                if let Some(q) = self.places[p].neighbour.filter(|_| two) {
                    ids.push(self.places[q].id);
                }
                Catchment::Localities(ids)
            }
        };
        let area = match &catchment {
            Catchment::CityWide => spec.authority_name.to_owned(),
            Catchment::Localities(ids) => ids
                .iter()
                .filter_map(|i| self.places.iter().find(|p| p.id == *i))
                .map(|p| p.name.clone())
                .collect::<Vec<_>>()
                .join(" and "),
        };
        let locality = match slot.place {
            Some(p) => self.places[p].name.clone(),
            None => spec.authority_name.to_owned(),
        };

        // Name and description.
        let venue_name = sites
            .first()
            .map(|&(p, v)| self.places[p].venues[v].name.clone());
        let names: Vec<&str> = if sites.is_empty() && !t.remote_names.is_empty() {
            t.remote_names.to_vec()
        } else {
            t.names
                .iter()
                .copied()
                .filter(|n| venue_name.is_some() || !n.contains("{venue}"))
                .collect()
        };
        let name = names
            .choose(&mut self.rng)
            .copied()
            .unwrap_or(CATEGORIES[slot.cat].2)
            .replace("{venue}", venue_name.as_deref().unwrap_or(&locality))
            .replace("{locality}", &locality)
            .replace("{authority}", spec.authority_name);
        let mut idx: Vec<usize> = (0..t.sentences.len()).collect();
        idx.shuffle(&mut self.rng);
        idx.truncate(self.rng.gen_range(2..=3).min(t.sentences.len()));
        idx.sort_unstable();
        let mut description: Vec<String> = idx.iter().map(|&i| t.sentences[i].to_owned()).collect();
        description.push(if remote {
            format!("Available by telephone and online across {area}.")
        } else if slot.place.is_none() {
            format!("Open to families across {area}.")
        } else {
            format!("For families living in {area}.")
        });

        let (min_age, max_age) = t
            .ages
            .choose(&mut self.rng)
            .copied()
            .unwrap_or((None, None));
        let levels = match tier {
            Tier::Universal => vec![1, 2],
            Tier::Targeted => vec![2, 3],
            Tier::Specialist => vec![3, 4],
        };
        let routes = if !t.routes.is_empty() {
            t.routes.to_vec()
        } else {
            match (tier, self.rng.gen_range(0..10)) {
                (Tier::Universal, _) => vec![ReferralRoute::SelfReferral],
                (Tier::Targeted, 0..=6) => {
                    vec![ReferralRoute::SelfReferral, ReferralRoute::Professional]
                }
                (Tier::Targeted, _) => vec![ReferralRoute::Professional],
                (Tier::Specialist, 0..=4) => vec![ReferralRoute::Professional],
                (Tier::Specialist, 5..=7) => {
                    vec![ReferralRoute::Professional, ReferralRoute::FrontDoor]
                }
                (Tier::Specialist, _) => vec![ReferralRoute::FrontDoor],
            }
        };
        let delivery: Vec<DeliveryMode> = if remote {
            vec![DeliveryMode::Telephone, DeliveryMode::Online]
        } else {
            t.delivery.to_vec()
        };
        let capacity = (tier != Tier::Universal && self.rng.gen_bool(0.75)).then(|| {
            let maximum = f64::from(self.rng.gen_range(6u32..=40));
            let available = f64::from(self.rng.gen_range(0..=maximum as u32));
            let when = add_days(spec.today, -self.rng.gen_range(0..=14));
            Capacity {
                id: uuid(&mut self.rng),
                unit: t.unit.into(),
                available,
                maximum: Some(maximum),
                description: Some(format!("{} free at the last update", t.unit.to_lowercase())),
                updated: rfc3339(
                    when,
                    self.rng.gen_range(8..18),
                    self.rng.gen_range(0..60),
                    0,
                ),
            }
        });
        let waiting_weeks = (tier != Tier::Universal && self.rng.gen_bool(0.5))
            .then(|| self.rng.gen_range(t.waiting.0..=t.waiting.1));

        // Locations and their opening times.
        let mut service_at_locations = Vec::with_capacity(sites.len());
        let mut schedules = Vec::with_capacity(sites.len().max(1));
        for &(p, v) in &sites {
            let venue = &self.places[p].venues[v];
            let location_id = uuid(&mut self.rng);
            let sal_id = uuid(&mut self.rng);
            let address = Address {
                id: uuid(&mut self.rng),
                location_id: Some(location_id.clone()),
                address_1: venue.street.clone(),
                city: spec.authority_name.to_owned(),
                state_province: county(spec.authority_name).into(),
                postal_code: venue.postcode.clone(),
                country: "GB".into(),
                address_type: "physical".into(),
                ..Address::default()
            };
            let accessibility = if venue.step_free {
                vec![Accessibility {
                    id: uuid(&mut self.rng),
                    location_id: Some(location_id.clone()),
                    description: Some("Step-free access and an accessible toilet".into()),
                    ..Accessibility::default()
                }]
            } else {
                Vec::new()
            };
            let location = Location {
                id: location_id.clone(),
                location_type: "physical".into(),
                name: Some(venue.name.clone()),
                latitude: Some(venue.latitude),
                longitude: Some(venue.longitude),
                addresses: vec![address],
                accessibility,
                ..Location::default()
            };
            service_at_locations.push(ServiceAtLocation {
                id: sal_id.clone(),
                service_id: Some(id.clone()),
                location_id: Some(location_id),
                location: Some(location),
            });
            let days = t.days.choose(&mut self.rng).copied().unwrap_or("MO");
            let times = t.times.choose(&mut self.rng).copied();
            let (opens, closes) = times.unwrap_or(("09:00:00", "17:00:00"));
            let term_time = self.rng.gen_bool(0.15);
            schedules.push(Schedule {
                id: uuid(&mut self.rng),
                service_id: Some(id.clone()),
                service_at_location_id: Some(sal_id),
                freq: Some("WEEKLY".into()),
                byday: Some(days.into()),
                opens_at: Some(opens.into()),
                closes_at: Some(closes.into()),
                description: Some(describe(days, opens, closes)),
                notes: term_time.then(|| "Term time only".into()),
                ..Schedule::default()
            });
        }
        if sites.is_empty() {
            let (opens, closes) = templates::REMOTE_TIMES
                .first()
                .copied()
                .unwrap_or(("09:00:00", "17:00:00"));
            let days = "MO,TU,WE,TH,FR";
            schedules.push(Schedule {
                id: uuid(&mut self.rng),
                service_id: Some(id.clone()),
                freq: Some("WEEKLY".into()),
                byday: Some(days.into()),
                opens_at: Some(opens.into()),
                closes_at: Some(closes.into()),
                description: Some(describe(days, opens, closes)),
                ..Schedule::default()
            });
        }

        // Costs.
        let fee = t
            .fee
            .as_ref()
            .filter(|f| self.rng.gen_range(0..100) < f.pct)
            .and_then(|f| Some((f, *f.amounts.choose(&mut self.rng)?)));
        let (cost, fees) = match fee {
            Some((f, amount)) => (
                CostOption {
                    id: uuid(&mut self.rng),
                    service_id: Some(id.clone()),
                    option: Some(f.option.into()),
                    amount: Some(amount),
                    amount_description: Some(f.per.into()),
                    ..CostOption::default()
                },
                Some(format!("£{amount:.2} {}", f.per)),
            ),
            None => (
                CostOption {
                    id: uuid(&mut self.rng),
                    service_id: Some(id.clone()),
                    option: Some("Free".into()),
                    amount: Some(0.0),
                    amount_description: Some("No charge".into()),
                    ..CostOption::default()
                },
                None,
            ),
        };

        // Contact details.
        let domain = format!("{}.example.org", provider.slug);
        let number = self.phone(false);
        let phones = vec![Phone {
            id: uuid(&mut self.rng),
            number,
            r#type: Some("voice".into()),
            description: Some("Main number".into()),
            ..Phone::default()
        }];
        let contacts = if self.rng.gen_bool(0.8) {
            let person = staff::full_name(&mut self.rng);
            let local: String = person
                .to_lowercase()
                .split(' ')
                .map(|w| w.chars().filter(char::is_ascii_alphanumeric).collect())
                .collect::<Vec<String>>()
                .join(".");
            let mobile = self.phone(true);
            vec![Contact {
                id: uuid(&mut self.rng),
                service_id: Some(id.clone()),
                name: Some(person),
                title: t.titles.choose(&mut self.rng).map(|s| (*s).to_owned()),
                email: Some(format!("{local}@{domain}")),
                phones: vec![Phone {
                    id: uuid(&mut self.rng),
                    number: mobile,
                    r#type: Some("voice".into()),
                    description: Some("Mobile".into()),
                    ..Phone::default()
                }],
                ..Contact::default()
            }]
        } else {
            Vec::new()
        };

        // Languages: English, often with community languages.
        let mut languages = vec![("English", "en")];
        let extra = if t.code == "esol_new_arrivals" {
            self.rng.gen_range(2..=3)
        } else if self.rng.gen_bool(0.35) {
            self.rng.gen_range(1..=2)
        } else {
            0
        };
        let mut others = templates::LANGUAGES.to_vec();
        others.shuffle(&mut self.rng);
        languages.extend(others.into_iter().take(extra));
        let languages = languages
            .into_iter()
            .map(|(name, code)| Language {
                id: uuid(&mut self.rng),
                service_id: Some(id.clone()),
                name: Some(name.into()),
                code: Some(code.into()),
                ..Language::default()
            })
            .collect();
        let service_areas = vec![ServiceArea {
            id: uuid(&mut self.rng),
            service_id: Some(id.clone()),
            name: Some(area.clone()),
            service_area: Some(match &catchment {
                Catchment::CityWide => format!("The whole of {area}"),
                Catchment::Localities(_) => format!("Families living in {area}"),
            }),
            ..ServiceArea::default()
        }];

        // Categories: the template's, and sometimes a related one.
        let mut cats = vec![slot.cat];
        if self.rng.gen_bool(0.3) {
            if let Some(r) = t.related.choose(&mut self.rng) {
                cats.extend(CATEGORIES.iter().position(|c| c.1 == *r));
            }
        }
        let attributes = cats
            .into_iter()
            .filter_map(|c| self.terms.get(c).cloned())
            .map(|term| Attribute {
                id: uuid(&mut self.rng),
                link_id: Some(id.clone()),
                taxonomy_term_id: Some(term.id.clone()),
                link_type: Some("service".into()),
                taxonomy_term: Some(term),
            })
            .collect();

        // Dates.
        let modified = add_days(spec.today, -self.rng.gen_range(0..365));
        let last_modified = rfc3339(
            modified,
            self.rng.gen_range(8..18),
            self.rng.gen_range(0..60),
            self.rng.gen_range(0..60),
        );
        let review_by = match self.rng.gen_range(0..100) {
            0..=4 => add_days(spec.today, -self.rng.gen_range(1..=120)),
            5..=9 => add_days(spec.today, self.rng.gen_range(0..=28)),
            _ => add_days(spec.today, self.rng.gen_range(61..=365)),
        };

        let service = Service {
            organization_id: Some(provider.org.id.clone()),
            url: Some(format!("https://{domain}/services/{}", slug(&name))),
            email: Some(format!("{}@{domain}", t.code.replace('_', "-"))),
            status: "active".into(),
            description: Some(description.join(" ")),
            fees,
            minimum_age: min_age,
            maximum_age: max_age,
            last_modified: Some(last_modified),
            schedules,
            service_areas,
            service_at_locations,
            languages,
            organization: Some(provider.org.clone()),
            cost_options: vec![cost],
            phones,
            contacts,
            attributes,
            name,
            id,
            ..Service::default()
        };
        let extras = Extras {
            levels,
            catchment,
            reach: Some(slot.reach),
            tier: Some(tier),
            delivery,
            eligibility: Eligibility {
                send_to_25: t.send_to_25,
                requires: t.requires.iter().map(|s| (*s).to_owned()).collect(),
                text: t.eligibility.into(),
            },
            referral_routes: routes,
            capacity,
            waiting_weeks,
        };
        DirectoryEntry {
            service,
            extras,
            review_by,
        }
    }
}

/// The county addresses give for an authority ("" when we do not know it).
fn county(authority: &str) -> &'static str {
    match authority.to_ascii_lowercase().as_str() {
        "leicester" => "Leicestershire",
        "peterborough" => "Cambridgeshire",
        _ => "",
    }
}
