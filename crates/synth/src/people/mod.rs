//! Synthetic people: children and young people with names from the cultures of a city like
//! Leicester, sex, date of birth, an address and postcode in their area, a valid NHS number and
//! (of school age) a valid UPN. The population table (area, single year of age, count) and the
//! postcodes of each area are inputs, so real figures can drive it. Every person is fictitious.

pub mod corrupt;
pub mod extracts;
pub mod names;

use crate::{stream, SynthRng};
use everychild_domain::ids::{nhs_check_digit, upn_check_letter};
use names::{Culture, SHARES};
use rand::Rng;
use std::collections::HashMap;
use time::{Date, Duration, Month};

/// One row of a population table: how many people of one single year of age live in an area.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PopulationRow {
    /// Area code (a ward or LSOA code).
    pub area: String,
    /// Age in whole years at the reference date.
    pub age: u8,
    /// Number of people.
    pub count: u32,
}

/// Sex as recorded at birth registration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Sex {
    /// Female.
    Female,
    /// Male.
    Male,
}

impl Sex {
    /// `F` or `M`.
    pub fn code(self) -> &'static str {
        match self {
            Sex::Female => "F",
            Sex::Male => "M",
        }
    }
}

/// A fictitious person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Person {
    /// Stable id within a generated population (`P0000001`).
    pub id: String,
    /// Given name.
    pub given: String,
    /// Middle name, if any.
    pub middle: Option<String>,
    /// Family name.
    pub family: String,
    /// Sex.
    pub sex: Sex,
    /// Date of birth.
    pub dob: Date,
    /// Area code the person was drawn for.
    pub area: String,
    /// Postcode (one of the area's postcodes).
    pub postcode: String,
    /// First line of the address (number and street).
    pub address: String,
    /// NHS number (ten digits, passes modulus 11).
    pub nhs_number: String,
    /// Unique Pupil Number for ages 4 to 18 (passes its check letter).
    pub upn: Option<String>,
    /// ONS 2021 ethnic group.
    pub ethnicity: &'static str,
    /// Naming culture.
    pub culture: Culture,
    /// Household number: siblings share it, with family name and address.
    pub household: u32,
}

/// Why people could not be generated.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PeopleError {
    /// An area in the population table has no postcodes.
    #[error("area {0} has people but no postcodes")]
    NoPostcodes(String),
    /// An age that cannot give a date of birth.
    #[error("age {0} is out of range")]
    BadAge(u8),
}

/// The share of children who are a sibling of the previous child generated in the same area.
pub const SIBLING_SHARE: f64 = 0.35;

const STREETS: &[&str] = &[
    "Abbey",
    "Belgrave",
    "Melton",
    "Narborough",
    "Humberstone",
    "Aylestone",
    "Evington",
    "Braunstone",
    "Saffron",
    "Hinckley",
    "Welford",
    "London",
    "Uppingham",
    "Catherine",
    "Harrison",
    "Mere",
    "Victoria",
    "Westcotes",
    "Fosse",
    "Glenfield",
    "Beaumont",
    "Stocking",
    "Rushey",
    "Thurnby",
    "Spinney",
    "Knighton",
    "Clarendon",
    "Queens",
    "Kings",
    "Church",
    "Mill",
    "Station",
    "Park",
    "Highfield",
    "Hamilton",
    "Netherhall",
    "Eyres Monsell",
    "Hastings",
];
const SUFFIXES: &[&str] = &[
    "Road", "Street", "Lane", "Avenue", "Close", "Drive", "Way", "Crescent", "Gardens", "Walk",
];

fn pick<'a, T>(rng: &mut SynthRng, xs: &'a [T]) -> &'a T {
    &xs[rng.gen_range(0..xs.len())]
}

/// A street line that is stable for a postcode and a house number.
pub fn address_for(postcode: &str, rng: &mut SynthRng) -> String {
    let h = postcode.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    });
    let street = STREETS[(h % STREETS.len() as u64) as usize];
    let suffix = SUFFIXES[((h >> 17) % SUFFIXES.len() as u64) as usize];
    format!("{} {street} {suffix}", rng.gen_range(1..=180))
}

/// A valid NHS number: nine random digits (starting 4, 6 or 7 as issued in England and Wales)
/// and the modulus 11 check digit; drawn again when the nine digits have no valid check digit.
pub fn nhs_number(rng: &mut SynthRng) -> String {
    loop {
        let mut d = [0u8; 9];
        d[0] = *pick(rng, &[4u8, 6, 7]);
        for x in d.iter_mut().skip(1) {
            *x = rng.gen_range(0..10);
        }
        if let Some(c) = nhs_check_digit(&d) {
            let mut s: String = d.iter().map(|x| char::from(b'0' + x)).collect();
            s.push(char::from(b'0' + c));
            return s;
        }
    }
}

/// A valid UPN: Leicester's local authority code 856, an establishment number, the two-digit
/// year of allocation and a serial, with its check letter.
pub fn upn(rng: &mut SynthRng, year: i32) -> String {
    let rest = format!(
        "856{:04}{:02}{:03}",
        rng.gen_range(2000..7000),
        year.rem_euclid(100),
        rng.gen_range(0..1000)
    );
    let c = upn_check_letter(rest.as_bytes()).unwrap_or(b'A');
    format!("{}{rest}", char::from(c))
}

fn culture(rng: &mut SynthRng) -> Culture {
    let x: f64 = rng.gen();
    let mut acc = 0.0;
    for (c, w) in SHARES {
        acc += w;
        if x < acc {
            return *c;
        }
    }
    Culture::WhiteBritish
}

/// Given names for a child of `c` and `sex` (a mixed-heritage child may take a given name from
/// either parent's tradition).
fn given_name(rng: &mut SynthRng, c: Culture, sex: Sex) -> String {
    let c = if c == Culture::Mixed {
        *pick(
            rng,
            &[
                Culture::WhiteBritish,
                Culture::Caribbean,
                Culture::BlackAfrican,
                Culture::SouthAsianMuslim,
            ],
        )
    } else {
        c
    };
    let l = names::list(c);
    let xs = if sex == Sex::Female { l.female } else { l.male };
    (*pick(rng, xs)).to_owned()
}

fn family_name(rng: &mut SynthRng, c: Culture, sex: Sex) -> String {
    let l = names::list(c);
    let f = *pick(rng, l.family);
    // Polish family names in -ski/-cki take -ska/-cka for women and girls.
    if c == Culture::Polish && sex == Sex::Female {
        if let Some(stem) = f.strip_suffix("ki") {
            return format!("{stem}ka");
        }
    }
    if c == Culture::PunjabiSikh && (f == "Singh" || f == "Kaur") {
        return if sex == Sex::Female {
            "Kaur".into()
        } else {
            "Singh".into()
        };
    }
    f.to_owned()
}

fn ethnicity(rng: &mut SynthRng, c: Culture) -> &'static str {
    if c == Culture::Mixed {
        names::MIXED_ETHNICITY[rng.gen_range(0..names::MIXED_ETHNICITY.len())]
    } else {
        let e = names::list(c).ethnicity;
        e[rng.gen_range(0..e.len())]
    }
}

/// Generate the people of a population table: for each row, `count` people of that age in
/// that area, with dates of birth such that they are that age on `reference`. Children of an
/// area are then grouped into households (siblings of different ages, sharing family name and
/// address; about 1 in 60 sibling pairs are twins). Deterministic: the same seed and inputs give
/// the same people.
pub fn generate(
    seed: u64,
    rows: &[PopulationRow],
    postcodes: &HashMap<String, Vec<String>>,
    reference: Date,
) -> Result<Vec<Person>, PeopleError> {
    let mut rng = stream(seed, "people");
    // First every child's area, age, sex and date of birth, area by area.
    let mut by_area: Vec<(&str, Vec<Child>)> = Vec::new();
    for row in rows {
        if row.count == 0 {
            continue;
        }
        if postcodes.get(&row.area).is_none_or(|p| p.is_empty()) {
            return Err(PeopleError::NoPostcodes(row.area.clone()));
        }
        if by_area.last().is_none_or(|(a, _)| *a != row.area) {
            by_area.push((row.area.as_str(), Vec::new()));
        }
        for _ in 0..row.count {
            let sex = if rng.gen_bool(0.512) {
                Sex::Male
            } else {
                Sex::Female
            };
            let dob = date_of_birth(&mut rng, reference, row.age)?;
            if let Some((_, v)) = by_area.last_mut() {
                v.push((row.age, sex, dob));
            }
        }
    }
    let mut out = Vec::new();
    let mut household = 0u32;
    for (area, mut kids) in by_area {
        let pcs = postcodes.get(area).map(Vec::as_slice).unwrap_or(&[]);
        // Shuffle (Fisher-Yates) so that households mix ages.
        for i in (1..kids.len()).rev() {
            let j = rng.gen_range(0..=i);
            kids.swap(i, j);
        }
        let mut current: Option<usize> = None; // index in `out` of the household's first child
        let mut ages: Vec<u8> = Vec::new();
        for (age, sex, dob) in kids {
            let join = current.filter(|_| {
                ages.len() < 5
                    && rng.gen_bool(SIBLING_SHARE)
                    && (!ages.contains(&age) || rng.gen_bool(0.1))
            });
            let (c, family, postcode, address, hh, eth, dob) = match join.and_then(|i| out.get(i)) {
                Some(p) => {
                    let p: &Person = p;
                    let fam = if p.culture == Culture::Polish && p.sex != sex {
                        family_name_like(&p.family, sex)
                    } else if p.culture == Culture::PunjabiSikh
                        && (p.family == "Singh" || p.family == "Kaur")
                    {
                        if sex == Sex::Female {
                            "Kaur".into()
                        } else {
                            "Singh".into()
                        }
                    } else {
                        p.family.clone()
                    };
                    // A sibling of the same age is a twin: same date of birth.
                    let dob = out
                        .iter()
                        .skip(join.unwrap_or(0))
                        .find(|q: &&Person| {
                            q.household == p.household && age_of(q.dob, reference) == i32::from(age)
                        })
                        .map(|q| q.dob)
                        .unwrap_or(dob);
                    (
                        p.culture,
                        fam,
                        p.postcode.clone(),
                        p.address.clone(),
                        p.household,
                        p.ethnicity,
                        dob,
                    )
                }
                None => {
                    household += 1;
                    current = Some(out.len());
                    ages.clear();
                    let c = culture(&mut rng);
                    let family_culture = if c == Culture::Mixed {
                        *pick(
                            &mut rng,
                            &[
                                Culture::WhiteBritish,
                                Culture::Caribbean,
                                Culture::SouthAsianMuslim,
                            ],
                        )
                    } else {
                        c
                    };
                    let pc = pick(&mut rng, pcs).clone();
                    let addr = address_for(&pc, &mut rng);
                    let eth = ethnicity(&mut rng, c);
                    (
                        c,
                        family_name(&mut rng, family_culture, sex),
                        pc,
                        addr,
                        household,
                        eth,
                        dob,
                    )
                }
            };
            ages.push(age);
            let mut given = given_name(&mut rng, c, sex);
            // Parents rarely give two children one name.
            for _ in 0..5 {
                if !out
                    .iter()
                    .skip(current.unwrap_or(0))
                    .any(|q: &Person| q.household == hh && q.given == given)
                {
                    break;
                }
                given = given_name(&mut rng, c, sex);
            }
            let middle = rng
                .gen_bool(0.3)
                .then(|| given_name(&mut rng, c, sex))
                .filter(|m| *m != given);
            let upn = (4..=18)
                .contains(&age)
                .then(|| upn(&mut rng, reference.year() - i32::from(age) + 4));
            out.push(Person {
                id: format!("P{:07}", out.len() + 1),
                given,
                middle,
                family,
                sex,
                dob,
                area: area.to_owned(),
                postcode,
                address,
                nhs_number: nhs_number(&mut rng),
                upn,
                ethnicity: eth,
                culture: c,
                household: hh,
            });
        }
    }
    Ok(out)
}

fn age_of(dob: Date, reference: Date) -> i32 {
    let mut a = reference.year() - dob.year();
    if (reference.month(), reference.day()) < (dob.month(), dob.day()) {
        a -= 1;
    }
    a
}

fn family_name_like(family: &str, sex: Sex) -> String {
    match sex {
        Sex::Female => family
            .strip_suffix("ki")
            .map(|s| format!("{s}ka"))
            .unwrap_or_else(|| family.to_owned()),
        Sex::Male => family
            .strip_suffix("ka")
            .map(|s| format!("{s}ki"))
            .unwrap_or_else(|| family.to_owned()),
    }
}

/// A child before it has names: age, sex and date of birth.
type Child = (u8, Sex, Date);

/// A date of birth that makes the person `age` on `reference`.
fn date_of_birth(rng: &mut SynthRng, reference: Date, age: u8) -> Result<Date, PeopleError> {
    let year = reference.year() - i32::from(age);
    let latest = reference
        .replace_year(year)
        .or_else(|_| Date::from_calendar_date(year, Month::February, 28))
        .map_err(|_| PeopleError::BadAge(age))?;
    let back = rng.gen_range(0..365);
    Ok(latest - Duration::days(back))
}

/// A simple population for when no real table is given: equal numbers at each age from 0 to
/// 19 in a few areas, with fictitious but UK-shaped postcodes (`LE1 1AA` style) in each.
pub fn default_population(
    seed: u64,
    people: u32,
) -> (Vec<PopulationRow>, HashMap<String, Vec<String>>) {
    let mut rng = stream(seed, "default-population");
    let districts = ["LE1", "LE2", "LE3", "LE4", "LE5", "LE18", "LE19", "LE7"];
    let mut postcodes = HashMap::new();
    let areas = 40u32;
    for a in 0..areas {
        let district = districts[(a as usize) % districts.len()];
        let pcs: Vec<String> = (0..((people / areas / 8).max(20)))
            .map(|_| {
                let letters = b"ABDEFGHJLNPQRSTUWXYZ";
                format!(
                    "{district} {}{}{}",
                    rng.gen_range(0..10),
                    char::from(letters[rng.gen_range(0..letters.len())]),
                    char::from(letters[rng.gen_range(0..letters.len())])
                )
            })
            .collect();
        postcodes.insert(format!("AREA{a:02}"), pcs);
    }
    let mut rows = Vec::new();
    let per = people / (areas * 20);
    let mut left = people;
    for a in 0..areas {
        for age in 0..20u8 {
            let count = if a == areas - 1 && age == 19 {
                left
            } else {
                per.min(left)
            };
            left -= count;
            rows.push(PopulationRow {
                area: format!("AREA{a:02}"),
                age,
                count,
            });
        }
    }
    (rows, postcodes)
}
