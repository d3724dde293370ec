//! A fictitious service directory for a city like Leicester: Open Referral UK services with our
//! extensions, from fictitious providers at fictitious venues placed on real postcodes. Every
//! category has a template (`templates.rs`); the plan deals each locality a share of most
//! categories and keeps about 15% of the services city-wide. Each document passes
//! `Service::problems` and `Extras::problems`, and a seed always gives the same directory.

mod entry;
mod templates;

use crate::{stream, SynthRng};
use entry::Builder;
use everychild_domain::directory::oruk::{Organization, Service, Taxonomy, TaxonomyTerm};
use everychild_domain::directory::{Extras, Reach};
use rand::seq::SliceRandom;
use rand::Rng;
use templates::{Kind, Venue, CATEGORIES, TAXONOMY_ID, TAXONOMY_NAME, TEMPLATES};
use time::Date;

/// A locality the generator places services in.
#[derive(Debug, Clone, PartialEq)]
pub struct DirectoryPlace {
    /// The locality's id in the current boundary set.
    pub locality_id: i64,
    /// The locality's name ("West Leicester").
    pub locality_name: String,
    /// Real postcodes in the locality with their WGS84 position: (postcode, latitude,
    /// longitude). Non-empty.
    pub postcodes: Vec<(String, f64, f64)>,
}

/// What directory to make.
#[derive(Debug, Clone, Copy)]
pub struct DirectorySpec<'a> {
    /// The authority's name, used for addresses and city-wide service areas ("Leicester").
    pub authority_name: &'a str,
    /// The localities.
    pub places: &'a [DirectoryPlace],
    /// How many services to make.
    pub services: usize,
    /// The seed.
    pub seed: u64,
    /// The day review dates and modification times are relative to.
    pub today: Date,
}

/// One generated service with our extensions and its review date.
#[derive(Debug, Clone, PartialEq)]
pub struct DirectoryEntry {
    /// The full Open Referral document, organisation embedded.
    pub service: Service,
    /// Our extensions.
    pub extras: Extras,
    /// When the entry is due for review.
    pub review_by: Date,
}

/// A generated directory.
#[derive(Debug, Clone, PartialEq)]
pub struct GeneratedDirectory {
    /// The taxonomies the services are classified with.
    pub taxonomies: Vec<Taxonomy>,
    /// Every term, with `taxonomy_id` set.
    pub terms: Vec<TaxonomyTerm>,
    /// Every provider (each service embeds its own copy).
    pub organizations: Vec<Organization>,
    /// The services.
    pub entries: Vec<DirectoryEntry>,
}

/// The category taxonomy's terms as (stable UUID, code, name), for pages and tests.
pub fn categories() -> &'static [(&'static str, &'static str, &'static str)] {
    CATEGORIES
}

/// The share of services that are city-wide.
const CITY_WIDE_SHARE: f64 = 0.15;
/// Roughly how many of a locality's services each of its venues of a kind serves.
const SERVICES_PER_VENUE: usize = 45;
/// Roughly how many services a voluntary provider runs.
const SERVICES_PER_PROVIDER: usize = 5;

/// Make a directory.
pub fn directory(spec: &DirectorySpec<'_>) -> GeneratedDirectory {
    let taxonomy = Taxonomy {
        id: TAXONOMY_ID.into(),
        name: TAXONOMY_NAME.into(),
        description: "The kinds of service in the everychild directory, for search and browsing."
            .into(),
        uri: Some("https://everychild.example.org/taxonomies/service-categories".into()),
        version: Some("1".into()),
    };
    let terms: Vec<TaxonomyTerm> = CATEGORIES
        .iter()
        .zip(TEMPLATES)
        .map(|((id, code, name), t)| TaxonomyTerm {
            id: (*id).into(),
            name: (*name).into(),
            description: t.summary.into(),
            taxonomy: Some(TAXONOMY_NAME.into()),
            taxonomy_id: Some(TAXONOMY_ID.into()),
            term: Some((*code).into()),
            ..TaxonomyTerm::default()
        })
        .collect();
    let plan = plan(spec);
    let (providers, provider_of) = providers(spec, &plan);
    let places = places(spec, &plan);
    let mut b = Builder {
        spec,
        places,
        terms: &terms,
        rng: stream(spec.seed, "directory/services"),
    };
    let entries = plan
        .iter()
        .zip(provider_of)
        .map(|(slot, p)| b.entry(slot, &providers[p]))
        .collect();
    GeneratedDirectory {
        taxonomies: vec![taxonomy],
        organizations: providers.into_iter().map(|p| p.org).collect(),
        terms,
        entries,
    }
}

/// One service to make: its category, its locality (`None` for city-wide) and its reach.
#[derive(Debug, Clone, Copy)]
struct Slot {
    cat: usize,
    place: Option<usize>,
    reach: Reach,
}

/// A random UUID in the version 4 form.
fn uuid(rng: &mut SynthRng) -> String {
    everychild_domain::directory::oruk::uuid_v4_from(rng.gen())
}

/// A weighted choice.
fn pick<T: Copy>(rng: &mut SynthRng, options: &[(T, u32)]) -> Option<T> {
    let total: u32 = options.iter().map(|(_, w)| w).sum();
    if total == 0 {
        return None;
    }
    let mut r = rng.gen_range(0..total);
    for (v, w) in options {
        if r < *w {
            return Some(*v);
        }
        r -= w;
    }
    None
}

/// Split `budget` in proportion to `weights` (largest remainder), giving every positive
/// weight at least one when the budget allows.
fn apportion(budget: usize, weights: &[f64]) -> Vec<usize> {
    let mut out = vec![0usize; weights.len()];
    let live: Vec<usize> = (0..weights.len()).filter(|&i| weights[i] > 0.0).collect();
    if live.is_empty() || budget == 0 {
        return out;
    }
    let mut rest = budget;
    if budget >= live.len() {
        for &i in &live {
            out[i] = 1;
        }
        rest -= live.len();
    }
    let total: f64 = live.iter().map(|&i| weights[i]).sum();
    let mut given = 0;
    let mut remainders = Vec::with_capacity(live.len());
    for &i in &live {
        let q = rest as f64 * weights[i] / total;
        let whole = q.floor() as usize;
        out[i] += whole;
        given += whole;
        remainders.push((q - whole as f64, i));
    }
    remainders.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    for &(_, i) in remainders.iter().take(rest.saturating_sub(given)) {
        out[i] += 1;
    }
    out
}

/// Which services to make: city-wide ones by the categories' city weights, then each
/// locality's share by the local weights (jittered per locality), shuffled.
fn plan(spec: &DirectorySpec<'_>) -> Vec<Slot> {
    let mut rng = stream(spec.seed, "directory/plan");
    let n = spec.places.len();
    let city = if n == 0 {
        spec.services
    } else {
        (spec.services as f64 * CITY_WIDE_SHARE).round() as usize
    };
    let local = spec.services - city.min(spec.services);
    let mut slots = Vec::with_capacity(spec.services);
    let weights: Vec<f64> = TEMPLATES.iter().map(|t| f64::from(t.city)).collect();
    for (cat, k) in apportion(city, &weights).into_iter().enumerate() {
        slots.extend((0..k).map(|_| Slot {
            cat,
            place: None,
            reach: Reach::CityWide,
        }));
    }
    for p in 0..n {
        let budget = local / n + usize::from(p < local % n);
        let weights: Vec<f64> = TEMPLATES
            .iter()
            .map(|t| f64::from(t.local) * rng.gen_range(0.6..1.4))
            .collect();
        for (cat, k) in apportion(budget, &weights).into_iter().enumerate() {
            for _ in 0..k {
                let reach = pick(&mut rng, TEMPLATES[cat].reaches).unwrap_or(Reach::Extended);
                slots.push(Slot {
                    cat,
                    place: Some(p),
                    reach,
                });
            }
        }
    }
    slots.truncate(spec.services);
    slots.shuffle(&mut rng);
    slots
}

/// A provider and the slug of its `example.org` domain.
struct Provider {
    org: Organization,
    slug: String,
}

/// Lower-case words joined by hyphens.
fn slug(s: &str) -> String {
    s.to_lowercase()
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join("-")
}

/// The providers, and which one runs each planned service. A core service is the council's;
/// a hosted one is never the council's (when the category has another provider).
fn providers(spec: &DirectorySpec<'_>, plan: &[Slot]) -> (Vec<Provider>, Vec<usize>) {
    let mut rng = stream(spec.seed, "directory/providers");
    let kinds: Vec<Kind> = plan
        .iter()
        .map(|s| {
            let t = &TEMPLATES[s.cat];
            if s.reach == Reach::Core {
                return Kind::Council;
            }
            let mut options: Vec<(Kind, u32)> = t
                .providers
                .iter()
                .copied()
                .filter(|(k, _)| s.reach != Reach::Hosted || *k != Kind::Council)
                .collect();
            if options.is_empty() {
                options = t.providers.to_vec();
            }
            pick(&mut rng, &options).unwrap_or(Kind::Community)
        })
        .collect();
    let mut out: Vec<Provider> = Vec::new();
    let mut first = [0usize; Kind::ALL.len()];
    let mut count = [0usize; Kind::ALL.len()];
    for (ki, kind) in Kind::ALL.iter().enumerate() {
        let wanted = kinds.iter().filter(|k| *k == kind).count();
        if wanted == 0 {
            first[ki] = out.len();
            continue;
        }
        let names: Vec<String> = match kind.statutory() {
            Some(s) => vec![format!("{} {s}", spec.authority_name)],
            None => {
                let mut all: Vec<String> = templates::PROVIDER_WORDS
                    .iter()
                    .flat_map(|w| kind.suffixes().iter().map(move |s| format!("{w} {s}")))
                    .collect();
                all.shuffle(&mut rng);
                all.truncate(wanted.div_ceil(SERVICES_PER_PROVIDER).max(1));
                all
            }
        };
        first[ki] = out.len();
        count[ki] = names.len();
        for name in names {
            let slug = slug(&name);
            let org = Organization {
                id: uuid(&mut rng),
                description: format!(
                    "A fictitious {}, made up for the everychild demo: any likeness to a real organisation is chance.",
                    kind.what()
                ),
                email: Some(format!("hello@{slug}.example.org")),
                website: Some(format!("https://{slug}.example.org/")),
                name,
                ..Organization::default()
            };
            out.push(Provider { org, slug });
        }
    }
    // Each provider runs at least one service; the rest go mostly to the first few.
    let mut seen = [0usize; Kind::ALL.len()];
    let of = kinds
        .iter()
        .map(|k| {
            let ki = Kind::ALL.iter().position(|x| x == k).unwrap_or(0);
            let n = count[ki].max(1);
            let j = seen[ki];
            seen[ki] += 1;
            let i = if j < n {
                j
            } else {
                ((n as f64 * rng.gen::<f64>().powf(1.5)) as usize).min(n - 1)
            };
            first[ki] + i
        })
        .collect();
    (out, of)
}

/// A venue: a named building at a fictitious street address on a real postcode.
struct VenueAt {
    kind: Venue,
    name: String,
    street: String,
    postcode: String,
    latitude: f64,
    longitude: f64,
    step_free: bool,
}

/// A locality with its venues and nearest neighbour.
struct Place {
    id: i64,
    name: String,
    venues: Vec<VenueAt>,
    neighbour: Option<usize>,
}

/// Round to six decimal places (about 10 cm).
fn round6(x: f64) -> f64 {
    (x * 1e6).round() / 1e6
}

/// Each locality's venues (a family hub and some of every other kind, more for a bigger
/// directory), each within about 40 metres of one of its postcodes.
fn places(spec: &DirectorySpec<'_>, plan: &[Slot]) -> Vec<Place> {
    let mut rng = stream(spec.seed, "directory/venues");
    let n = spec.places.len();
    let most = (0..n)
        .map(|p| plan.iter().filter(|s| s.place == Some(p)).count())
        .max()
        .unwrap_or(0);
    let each = most.div_ceil(SERVICES_PER_VENUE).max(1);
    let centroid = |p: &DirectoryPlace| {
        let k = p.postcodes.len().max(1) as f64;
        let lat = p.postcodes.iter().map(|c| c.1).sum::<f64>() / k;
        let lon = p.postcodes.iter().map(|c| c.2).sum::<f64>() / k;
        (lat, lon)
    };
    let centres: Vec<(f64, f64)> = spec.places.iter().map(centroid).collect();
    let mut out = Vec::with_capacity(n);
    for (pi, p) in spec.places.iter().enumerate() {
        let (clat, clon) = centres[pi];
        let neighbour = (0..n)
            .filter(|&q| q != pi && !spec.places[q].postcodes.is_empty())
            .min_by(|&a, &b| {
                let d = |q: usize| {
                    let (lat, lon) = centres[q];
                    (lat - clat).powi(2) + ((lon - clon) * clat.to_radians().cos()).powi(2)
                };
                d(a).total_cmp(&d(b))
            });
        let mut venues = Vec::new();
        if !p.postcodes.is_empty() {
            let mut kinds = vec![Venue::Hub];
            for k in Venue::OTHERS {
                kinds.extend(std::iter::repeat_n(k, each));
            }
            let mut word = rng.gen_range(0..templates::VENUE_WORDS.len());
            for kind in kinds {
                let Some((postcode, lat, lon)) = p.postcodes.choose(&mut rng) else {
                    continue;
                };
                let pattern = kind.patterns().choose(&mut rng).copied().unwrap_or("{w}");
                let w = templates::VENUE_WORDS[word % templates::VENUE_WORDS.len()];
                word += 1;
                let s = templates::STREET_WORDS
                    .choose(&mut rng)
                    .copied()
                    .unwrap_or("High");
                let name = pattern
                    .replace("{locality}", &p.locality_name)
                    .replace("{w}", w)
                    .replace("{s}", s);
                let street = format!(
                    "{} {} {}",
                    rng.gen_range(1..=180),
                    templates::STREET_WORDS
                        .choose(&mut rng)
                        .copied()
                        .unwrap_or("High"),
                    templates::STREET_TYPES
                        .choose(&mut rng)
                        .copied()
                        .unwrap_or("Street")
                );
                // Up to 40 metres from the postcode's centre.
                let r = rng.gen_range(5.0..40.0);
                let a = rng.gen_range(0.0..std::f64::consts::TAU);
                let dlat = r * a.cos() / 111_320.0;
                let dlon = r * a.sin() / (111_320.0 * lat.to_radians().cos().max(0.1));
                venues.push(VenueAt {
                    kind,
                    name,
                    street,
                    postcode: postcode.clone(),
                    latitude: round6(lat + dlat),
                    longitude: round6(lon + dlon),
                    step_free: rng.gen_bool(0.7),
                });
            }
        }
        out.push(Place {
            id: p.locality_id,
            name: p.locality_name.clone(),
            venues,
            neighbour,
        });
    }
    out
}

#[cfg(test)]
mod tests;
