//! The directory's search index: every published service held in memory with what its filters
//! need worked out in advance (words, terms, taxonomies, opening times, positions and
//! localities), so a search is a scan of small vectors and never parses anything. The Open
//! Referral API and the public pages both answer from it.
//!
//! What each Open Referral filter means here (the profile's words, taken literally):
//! - `search`: every word given is the start of a word in the service's name, description,
//!   organisation's name or classification terms (case and accents ignored);
//! - `taxonomy_term_id`: the service is classified with that term;
//! - `taxonomy_id`: the service is classified with a term of that taxonomy;
//! - `minimum_age=N`: the service's minimum age is at least N (a service that states none
//!   starts at 0);
//! - `maximum_age=N`: the service's maximum age is N or below (a service that states none has
//!   no upper limit, so never matches);
//! - `day`, `start_time`, `end_time`: one of the service's schedules is on that day, opens at or
//!   after `start_time` and closes at or before `end_time` (all that are given, in the same
//!   schedule);
//! - `postcode` (service at locations): the postcode is inside the service's area (its
//!   catchment of localities; a service with none covers everywhere), and with `proximity` the
//!   location is within that many metres of the postcode's centre; results are then nearest
//!   first.
//!
//! Our own filters for the pages: `age` (the service's range includes it, to 25 when the
//! service serves young people with SEND to 25), `level` (serves that level of need) and
//! `locality` (the catchment covers it).

use super::oruk::{self, Location, Organization, Service, Taxonomy, TaxonomyTerm, Weekday};
use super::Extras;
use crate::geo::LatLon;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};

/// A published entry: the Open Referral document and our extensions.
#[derive(Debug, Clone)]
pub struct Published {
    /// The document.
    pub service: Service,
    /// Our extensions.
    pub extras: Extras,
}

/// Where a location is: its position and the locality it lies in, as the store worked them out
/// (from the document's coordinates or the postcode index).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Placed {
    /// WGS84 position.
    pub position: Option<LatLon>,
    /// Locality id under the current boundary set.
    pub locality: Option<i64>,
}

#[derive(Debug, Clone)]
struct Opening {
    days: u8, // bit per weekday; 0 = no days given
    opens: Option<u16>,
    closes: Option<u16>,
    sal: Option<String>,
}

#[derive(Debug)]
struct Item {
    entry: Published,
    name_key: String,
    terms: Vec<String>,
    taxonomies: Vec<String>,
    openings: Vec<Opening>,
    places: Vec<Placed>,
}

/// The index.
#[derive(Debug, Default)]
pub struct DirectoryIndex {
    items: Vec<Item>,
    by_id: HashMap<String, usize>,
    sal_by_id: HashMap<String, (usize, usize)>,
    words: BTreeMap<String, Vec<u32>>,
    taxonomies: Vec<Taxonomy>,
    terms: Vec<TaxonomyTerm>,
    by_name: Vec<u32>,
    /// Name-order positions (into `by_name`) of the services classified with each term, and
    /// with a term of each taxonomy, ascending: a category filter visits only these.
    by_term: HashMap<String, Vec<u32>>,
    by_taxonomy: HashMap<String, Vec<u32>>,
}

/// What to look for. `None` means no filter.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Query {
    /// Free text.
    pub text: Option<String>,
    /// A taxonomy term id.
    pub taxonomy_term_id: Option<String>,
    /// A taxonomy id.
    pub taxonomy_id: Option<String>,
    /// Open Referral `minimum_age`.
    pub minimum_age: Option<f64>,
    /// Open Referral `maximum_age`.
    pub maximum_age: Option<f64>,
    /// The age of the child or young person the service must include.
    pub age: Option<f64>,
    /// Open on this day.
    pub day: Option<Weekday>,
    /// Opens at or after (minutes after midnight).
    pub start_time: Option<u16>,
    /// Closes at or before (minutes after midnight).
    pub end_time: Option<u16>,
    /// Serves this level of need.
    pub level: Option<u8>,
    /// Its catchment covers this locality.
    pub locality: Option<i64>,
    /// Near a point: the postcode's position and locality, and how far (metres).
    pub near: Option<Near>,
}

/// A place to search from.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Near {
    /// The postcode's centre.
    pub at: LatLon,
    /// The postcode's locality (for the catchment test).
    pub locality: Option<i64>,
    /// At most this many metres away.
    pub within: Option<f64>,
}

/// A service found.
#[derive(Debug, Clone, Copy)]
pub struct Hit<'a> {
    /// The entry.
    pub entry: &'a Published,
    /// Which of its service-at-locations (for location searches).
    pub at: Option<usize>,
    /// Metres from the search point, when there was one and the location has a position.
    pub distance: Option<f64>,
}

/// One page of results, in the Open Referral wrapper.
#[derive(Debug, Clone, Serialize)]
pub struct Page<T> {
    /// Items in all pages.
    pub total_items: usize,
    /// Pages.
    pub total_pages: usize,
    /// This page (from 1).
    pub page_number: usize,
    /// Items on this page.
    pub size: usize,
    /// Whether this is the first page.
    pub first_page: bool,
    /// Whether this is the last page.
    pub last_page: bool,
    /// Whether there are no results at all.
    pub empty: bool,
    /// The items.
    pub contents: Vec<T>,
}

impl<T> Page<T> {
    /// Cut page `page` (from 1) of `per_page` out of `all`.
    pub fn of<I: ExactSizeIterator<Item = T>>(all: I, page: usize, per_page: usize) -> Page<T> {
        let per_page = per_page.max(1);
        let page = page.max(1);
        let total = all.len();
        let pages = total.div_ceil(per_page).max(1);
        let contents: Vec<T> = all.skip((page - 1) * per_page).take(per_page).collect();
        Page {
            total_items: total,
            total_pages: pages,
            page_number: page,
            size: contents.len(),
            first_page: page == 1,
            last_page: page >= pages,
            empty: total == 0,
            contents,
        }
    }

    /// The same page with each item changed.
    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U> {
        Page {
            total_items: self.total_items,
            total_pages: self.total_pages,
            page_number: self.page_number,
            size: self.size,
            first_page: self.first_page,
            last_page: self.last_page,
            empty: self.empty,
            contents: self.contents.into_iter().map(f).collect(),
        }
    }
}

/// Lower-case words of letters and digits, accents folded for the common Latin letters.
pub fn words(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| w.chars().flat_map(fold).collect::<String>())
}

fn fold(c: char) -> impl Iterator<Item = char> {
    let base = match c {
        'à'..='å' | 'À'..='Å' => 'a',
        'ç' | 'Ç' => 'c',
        'è'..='ë' | 'È'..='Ë' => 'e',
        'ì'..='ï' | 'Ì'..='Ï' => 'i',
        'ñ' | 'Ñ' => 'n',
        'ò'..='ö' | 'Ò'..='Ö' | 'ø' | 'Ø' => 'o',
        'ù'..='ü' | 'Ù'..='Ü' => 'u',
        'ý' | 'ÿ' | 'Ý' => 'y',
        _ => c,
    };
    base.to_lowercase()
}

/// Great-circle distance in metres (haversine on a sphere of the Earth's mean radius).
pub fn distance_m(a: LatLon, b: LatLon) -> f64 {
    const R: f64 = 6_371_008.8;
    let (p1, p2) = (a.latitude.to_radians(), b.latitude.to_radians());
    let dp = p2 - p1;
    let dl = (b.longitude - a.longitude).to_radians();
    let h = (dp / 2.0).sin().powi(2) + p1.cos() * p2.cos() * (dl / 2.0).sin().powi(2);
    2.0 * R * h.sqrt().min(1.0).asin()
}

/// Whether a position is a real one (the validator's own example feed has latitude 100).
pub fn plausible(p: LatLon) -> bool {
    (-90.0..=90.0).contains(&p.latitude) && (-180.0..=180.0).contains(&p.longitude)
}

/// The position a location's document gives, if it is a real one.
pub fn document_position(l: &Location) -> Option<LatLon> {
    let p = LatLon {
        latitude: l.latitude?,
        longitude: l.longitude?,
    };
    plausible(p).then_some(p)
}

impl DirectoryIndex {
    /// Build the index. `place` says where each location is.
    pub fn build(
        entries: Vec<Published>,
        taxonomies: Vec<Taxonomy>,
        terms: Vec<TaxonomyTerm>,
        mut place: impl FnMut(&Location) -> Placed,
    ) -> DirectoryIndex {
        let term_taxonomy: HashMap<&str, &str> = terms
            .iter()
            .filter_map(|t| Some((t.id.as_str(), t.taxonomy_id.as_deref()?)))
            .collect();
        let mut items = Vec::with_capacity(entries.len());
        for entry in entries {
            let s = &entry.service;
            let mut term_ids: Vec<String> = s
                .attributes
                .iter()
                .filter_map(|a| a.term_id().map(str::to_owned))
                .collect();
            term_ids.sort();
            term_ids.dedup();
            let mut tax: Vec<String> = s
                .attributes
                .iter()
                .filter_map(|a| {
                    let t = a.taxonomy_term.as_ref();
                    t.and_then(|t| t.taxonomy_id.clone()).or_else(|| {
                        a.term_id()
                            .and_then(|id| term_taxonomy.get(id))
                            .map(|x| (*x).to_owned())
                    })
                })
                .collect();
            tax.sort();
            tax.dedup();
            let openings = s
                .schedules
                .iter()
                .map(|sc| Opening {
                    days: sc
                        .byday
                        .as_deref()
                        .unwrap_or("")
                        .split(',')
                        .filter_map(Weekday::parse)
                        .fold(0u8, |m, d| m | (1 << d as u8)),
                    opens: sc.opens_at.as_deref().and_then(oruk::parse_time),
                    closes: sc.closes_at.as_deref().and_then(oruk::parse_time),
                    sal: sc.service_at_location_id.clone(),
                })
                .collect();
            let places = s
                .service_at_locations
                .iter()
                .map(|sal| sal.location.as_ref().map(&mut place).unwrap_or_default())
                .collect();
            items.push(Item {
                name_key: s.name.to_lowercase(),
                terms: term_ids,
                taxonomies: tax,
                openings,
                places,
                entry,
            });
        }
        let mut by_id = HashMap::new();
        let mut sal_by_id = HashMap::new();
        let mut words_map: BTreeMap<String, Vec<u32>> = BTreeMap::new();
        for (i, it) in items.iter().enumerate() {
            let s = &it.entry.service;
            by_id.insert(s.id.clone(), i);
            for (j, sal) in s.service_at_locations.iter().enumerate() {
                sal_by_id.insert(sal.id.clone(), (i, j));
            }
            let org = s.organization.as_ref().map(|o| o.name.as_str());
            let text = [Some(s.name.as_str()), s.description.as_deref(), org];
            let term_names = s.terms().map(|t| t.name.as_str());
            for w in text.into_iter().flatten().chain(term_names).flat_map(words) {
                let list = words_map.entry(w).or_default();
                if list.last() != Some(&(i as u32)) {
                    list.push(i as u32);
                }
            }
        }
        let mut by_name: Vec<u32> = (0..items.len() as u32).collect();
        by_name.sort_by(|a, b| {
            let (a, b) = (&items[*a as usize], &items[*b as usize]);
            a.name_key
                .cmp(&b.name_key)
                .then_with(|| a.entry.service.id.cmp(&b.entry.service.id))
        });
        let mut by_term: HashMap<String, Vec<u32>> = HashMap::new();
        let mut by_taxonomy: HashMap<String, Vec<u32>> = HashMap::new();
        for (rank, i) in by_name.iter().enumerate() {
            let it = &items[*i as usize];
            for t in &it.terms {
                by_term.entry(t.clone()).or_default().push(rank as u32);
            }
            for t in &it.taxonomies {
                by_taxonomy.entry(t.clone()).or_default().push(rank as u32);
            }
        }
        let mut taxonomies = taxonomies;
        taxonomies.sort_by(|a, b| a.name.cmp(&b.name).then_with(|| a.id.cmp(&b.id)));
        let mut terms = terms;
        terms.sort_by(|a, b| a.name.cmp(&b.name).then_with(|| a.id.cmp(&b.id)));
        DirectoryIndex {
            items,
            by_id,
            sal_by_id,
            words: words_map,
            taxonomies,
            terms,
            by_name,
            by_term,
            by_taxonomy,
        }
    }

    /// How many published services.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// A published service by id.
    pub fn service(&self, id: &str) -> Option<&Published> {
        self.by_id.get(id).map(|i| &self.items[*i].entry)
    }

    /// A service at a location by id: the entry and which of its locations.
    pub fn service_at_location(&self, id: &str) -> Option<(&Published, usize)> {
        self.sal_by_id
            .get(id)
            .map(|(i, j)| (&self.items[*i].entry, *j))
    }

    /// Where a service's location is.
    pub fn placed(&self, service_id: &str, at: usize) -> Placed {
        self.by_id
            .get(service_id)
            .and_then(|i| self.items[*i].places.get(at).copied())
            .unwrap_or_default()
    }

    /// Every taxonomy, by name.
    pub fn taxonomies(&self) -> &[Taxonomy] {
        &self.taxonomies
    }

    /// Every taxonomy term, by name.
    pub fn terms(&self) -> &[TaxonomyTerm] {
        &self.terms
    }

    /// Every published service, by name (the organisations are read from them).
    pub fn all(&self) -> impl Iterator<Item = &Published> {
        self.by_name.iter().map(|i| &self.items[*i as usize].entry)
    }

    /// The services matching free text, by position; `None` when the text has no words.
    fn text_matches(&self, text: &str) -> Option<Vec<bool>> {
        let qwords: Vec<String> = words(text).collect();
        if qwords.is_empty() {
            return None;
        }
        let mut hit = vec![true; self.items.len()];
        for w in qwords {
            let mut this = vec![false; self.items.len()];
            for (_, list) in self
                .words
                .range(w.clone()..)
                .take_while(|(k, _)| k.starts_with(&w))
            {
                for i in list {
                    this[*i as usize] = true;
                }
            }
            for (h, t) in hit.iter_mut().zip(this) {
                *h &= t;
            }
        }
        Some(hit)
    }

    fn service_matches(&self, it: &Item, q: &Query) -> bool {
        let s = &it.entry.service;
        let x = &it.entry.extras;
        if let Some(t) = &q.taxonomy_term_id {
            if !it.terms.iter().any(|x| x == t) {
                return false;
            }
        }
        if let Some(t) = &q.taxonomy_id {
            if !it.taxonomies.iter().any(|x| x == t) {
                return false;
            }
        }
        if let Some(min) = q.minimum_age {
            if s.minimum_age.unwrap_or(0.0) < min {
                return false;
            }
        }
        if let Some(max) = q.maximum_age {
            match s.maximum_age {
                Some(m) if m <= max => {}
                _ => return false,
            }
        }
        if let Some(age) = q.age {
            let lo = s.minimum_age.unwrap_or(0.0);
            let mut hi = s.maximum_age.unwrap_or(f64::INFINITY);
            if x.eligibility.send_to_25 {
                hi = hi.max(25.0);
            }
            if age < lo || age > hi {
                return false;
            }
        }
        if let Some(level) = q.level {
            if !x.serves_level(level) {
                return false;
            }
        }
        if let Some(l) = q.locality {
            if !x.catchment.covers(Some(l)) {
                return false;
            }
        }
        if let Some(n) = &q.near {
            if !x.catchment.covers(n.locality) {
                return false;
            }
        }
        true
    }

    fn opening_matches(&self, it: &Item, q: &Query, sal: Option<&str>) -> bool {
        if q.day.is_none() && q.start_time.is_none() && q.end_time.is_none() {
            return true;
        }
        it.openings.iter().any(|o| {
            if let (Some(want), Some(has)) = (sal, o.sal.as_deref()) {
                if want != has {
                    return false;
                }
            }
            q.day.is_none_or(|d| o.days & (1 << d as u8) != 0)
                && q.start_time.is_none_or(|t| o.opens.is_some_and(|x| x >= t))
                && q.end_time.is_none_or(|t| o.closes.is_some_and(|x| x <= t))
        })
    }

    /// The name-order positions a query can match: those of its term or taxonomy when it names
    /// one (the shorter list, the other checked per service), else every position.
    fn candidates(&self, q: &Query) -> Box<dyn Iterator<Item = usize> + '_> {
        static NONE: Vec<u32> = Vec::new();
        let term = q
            .taxonomy_term_id
            .as_ref()
            .map(|t| self.by_term.get(t).unwrap_or(&NONE));
        let tax = q
            .taxonomy_id
            .as_ref()
            .map(|t| self.by_taxonomy.get(t).unwrap_or(&NONE));
        let list = match (term, tax) {
            (Some(a), Some(b)) => Some(if a.len() <= b.len() { a } else { b }),
            (a, b) => a.or(b),
        };
        match list {
            Some(l) => Box::new(l.iter().map(|r| self.by_name[*r as usize] as usize)),
            None => Box::new(self.by_name.iter().map(|i| *i as usize)),
        }
    }

    /// The services matching `q`, by name.
    pub fn services(&self, q: &Query) -> Vec<Hit<'_>> {
        let text = q.text.as_deref().and_then(|t| self.text_matches(t));
        self.candidates(q)
            .map(|i| (i, &self.items[i]))
            .filter(|(i, _)| text.as_ref().is_none_or(|t| t[*i]))
            .filter(|(_, it)| self.service_matches(it, q) && self.opening_matches(it, q, None))
            .map(|(_, it)| Hit {
                entry: &it.entry,
                at: None,
                distance: None,
            })
            .collect()
    }

    /// The services at locations matching `q`: nearest first when there is a point to search
    /// from, else by service name.
    pub fn service_at_locations(&self, q: &Query) -> Vec<Hit<'_>> {
        let text = q.text.as_deref().and_then(|t| self.text_matches(t));
        let mut out = Vec::new();
        for i in self.candidates(q) {
            if text.as_ref().is_some_and(|t| !t[i]) {
                continue;
            }
            let it = &self.items[i];
            if !self.service_matches(it, q) {
                continue;
            }
            for (j, sal) in it.entry.service.service_at_locations.iter().enumerate() {
                if !self.opening_matches(it, q, Some(sal.id.as_str())) {
                    continue;
                }
                let distance = match (&q.near, it.places[j].position) {
                    (Some(n), Some(p)) => Some(distance_m(n.at, p)),
                    _ => None,
                };
                if let Some(within) = q.near.and_then(|n| n.within) {
                    if distance.is_none_or(|d| d > within) {
                        continue;
                    }
                }
                out.push(Hit {
                    entry: &it.entry,
                    at: Some(j),
                    distance,
                });
            }
        }
        if q.near.is_some() {
            // Stable: equal distances (and locations without one, last) keep name order.
            out.sort_by(|a, b| match (a.distance, b.distance) {
                (Some(x), Some(y)) => x.total_cmp(&y),
                (Some(_), None) => std::cmp::Ordering::Less,
                (None, Some(_)) => std::cmp::Ordering::Greater,
                (None, None) => std::cmp::Ordering::Equal,
            });
        }
        out
    }
}

/// The list form of a service: its one-to-one fields and its organisation (without the
/// organisation's own lists).
pub fn list_item(s: &Service) -> Service {
    Service {
        id: s.id.clone(),
        organization_id: s.organization_id.clone(),
        name: s.name.clone(),
        description: s.description.clone(),
        url: s.url.clone(),
        email: s.email.clone(),
        status: s.status.clone(),
        fees: s.fees.clone(),
        accreditations: s.accreditations.clone(),
        minimum_age: s.minimum_age,
        maximum_age: s.maximum_age,
        assured_date: s.assured_date.clone(),
        assurer_email: s.assurer_email.clone(),
        alert: s.alert.clone(),
        last_modified: s.last_modified.clone(),
        organization: s.organization.as_ref().map(|o| Organization {
            organization_identifiers: Vec::new(),
            attributes: Vec::new(),
            ..o.clone()
        }),
        ..Service::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::directory::{oruk::*, Catchment};

    fn uuid(n: u32) -> String {
        format!("00000000-0000-4000-8000-{n:012}")
    }

    fn term(n: u32, tax: u32, name: &str) -> TaxonomyTerm {
        TaxonomyTerm {
            id: uuid(n),
            name: name.into(),
            description: name.into(),
            taxonomy_id: Some(uuid(tax)),
            ..TaxonomyTerm::default()
        }
    }

    fn svc(n: u32, name: &str, ages: (f64, f64), t: &TaxonomyTerm, lat: f64) -> Published {
        Published {
            service: Service {
                id: uuid(n),
                name: name.into(),
                status: "active".into(),
                minimum_age: Some(ages.0),
                maximum_age: Some(ages.1),
                attributes: vec![Attribute {
                    id: uuid(n + 1000),
                    taxonomy_term: Some(t.clone()),
                    ..Attribute::default()
                }],
                schedules: vec![Schedule {
                    id: uuid(n + 2000),
                    byday: Some(if n.is_multiple_of(2) { "MO,WE" } else { "SA" }.into()),
                    opens_at: Some(
                        if n.is_multiple_of(2) {
                            "09:00"
                        } else {
                            "13:00"
                        }
                        .into(),
                    ),
                    closes_at: Some("17:00".into()),
                    ..Schedule::default()
                }],
                service_at_locations: vec![ServiceAtLocation {
                    id: uuid(n + 3000),
                    location: Some(Location {
                        id: uuid(n + 4000),
                        location_type: "physical".into(),
                        latitude: Some(lat),
                        longitude: Some(-1.13),
                        ..Location::default()
                    }),
                    ..ServiceAtLocation::default()
                }],
                ..Service::default()
            },
            extras: Extras {
                levels: vec![if n.is_multiple_of(2) { 1 } else { 3 }],
                catchment: if n == 3 {
                    Catchment::Localities(vec![7])
                } else {
                    Catchment::CityWide
                },
                ..Extras::default()
            },
        }
    }

    fn index() -> DirectoryIndex {
        let play = term(1, 100, "Play and learning");
        let talk = term(2, 100, "Counselling");
        let other = term(3, 200, "Food");
        let entries = vec![
            svc(2, "Stay and Play", (0.0, 5.0), &play, 52.630),
            svc(3, "Teen Talk counselling", (11.0, 18.0), &talk, 52.640),
            svc(4, "Café food bank", (0.0, 99.0), &other, 52.700),
        ];
        DirectoryIndex::build(entries, vec![], vec![play, talk, other], |l| Placed {
            position: document_position(l),
            locality: None,
        })
    }

    fn names(h: &[Hit<'_>]) -> Vec<String> {
        h.iter().map(|h| h.entry.service.name.clone()).collect()
    }

    #[test]
    fn each_filter_does_what_it_says() {
        let ix = index();
        let q = |f: fn(&mut Query)| {
            let mut q = Query::default();
            f(&mut q);
            names(&ix.services(&q))
        };
        assert_eq!(q(|_| {}).len(), 3);
        assert_eq!(q(|q| q.text = Some("PLAY".into())), ["Stay and Play"]);
        assert_eq!(q(|q| q.text = Some("cafe".into())), ["Café food bank"]);
        assert_eq!(
            q(|q| q.text = Some("couns teen".into())),
            ["Teen Talk counselling"]
        );
        assert!(q(|q| q.text = Some("play teen".into())).is_empty());
        assert_eq!(
            q(|q| q.taxonomy_term_id = Some(uuid(2))),
            ["Teen Talk counselling"]
        );
        assert_eq!(q(|q| q.taxonomy_id = Some(uuid(100))).len(), 2);
        assert_eq!(q(|q| q.minimum_age = Some(11.0)), ["Teen Talk counselling"]);
        assert_eq!(q(|q| q.maximum_age = Some(18.0)).len(), 2);
        assert_eq!(q(|q| q.age = Some(4.0)).len(), 2);
        assert_eq!(q(|q| q.day = Some(Weekday::Sa)), ["Teen Talk counselling"]);
        assert_eq!(
            q(|q| q.start_time = Some(12 * 60)),
            ["Teen Talk counselling"]
        );
        assert_eq!(q(|q| q.end_time = Some(17 * 60)).len(), 3);
        assert!(q(|q| q.end_time = Some(16 * 60)).is_empty());
        assert!(q(|q| {
            q.day = Some(Weekday::Mo);
            q.start_time = Some(12 * 60)
        })
        .is_empty());
        assert_eq!(q(|q| q.level = Some(3)), ["Teen Talk counselling"]);
        assert_eq!(q(|q| q.locality = Some(1)).len(), 2);
    }

    #[test]
    fn near_a_postcode() {
        let ix = index();
        let at = LatLon {
            latitude: 52.629,
            longitude: -1.13,
        };
        let q = Query {
            near: Some(Near {
                at,
                locality: Some(7),
                within: Some(2_000.0),
            }),
            ..Query::default()
        };
        let hits = ix.service_at_locations(&q);
        assert_eq!(names(&hits), ["Stay and Play", "Teen Talk counselling"]);
        assert!(hits[0]
            .distance
            .is_some_and(|d| (100.0..120.0).contains(&d)));
        // Outside the catchment of a locality-only service.
        let q = Query {
            near: Some(Near {
                at,
                locality: Some(8),
                within: None,
            }),
            ..Query::default()
        };
        assert_eq!(
            names(&ix.service_at_locations(&q)),
            ["Stay and Play", "Café food bank"]
        );
    }

    #[test]
    fn pages() {
        let p = Page::of(0..5, 2, 2);
        assert_eq!(p.contents, [2, 3]);
        assert_eq!(
            (p.total_pages, p.first_page, p.last_page),
            (3, false, false)
        );
        let p = Page::of(0..5, 3, 2);
        assert_eq!((p.size, p.last_page), (1, true));
        let p = Page::of(0..0, 1, 10);
        assert!(p.empty && p.first_page && p.last_page);
        let p = Page::of(0..3, 9, 10);
        assert_eq!((p.size, p.empty), (0, false));
    }

    #[test]
    fn distance_is_about_right() {
        // Leicester clock tower to Peterborough cathedral is about 65 km.
        let a = LatLon {
            latitude: 52.6366,
            longitude: -1.1333,
        };
        let b = LatLon {
            latitude: 52.5722,
            longitude: -0.2389,
        };
        let d = distance_m(a, b);
        assert!((60_000.0..66_000.0).contains(&d), "{d}");
    }
}
