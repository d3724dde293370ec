//! The errors agency records carry, each with a stated rate: typos, nicknames, romanisation
//! variants, swapped day and month, a digit wrong in the date, missing fields, a house move,
//! given and family names swapped, a changed surname. A rate is the chance that a record gets
//! that error when it can have it (a nickname needs a name that has one; a day-month swap needs
//! a day of 12 or less that differs from the month). Each record lists which errors it could
//! have had and which it got, so the rates can be checked.

use super::names::{lookup, NICKNAMES, VARIANTS};
use super::{address_for, Person, Sex};
use crate::SynthRng;
use rand::Rng;
use time::{Date, Month};

/// One kind of error.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Error {
    /// One character of the given name typed wrong (substituted, dropped, added or swapped).
    GivenTypo,
    /// One character of the family name typed wrong.
    FamilyTypo,
    /// A short or pet form instead of the given name.
    Nickname,
    /// Another romanisation of the given or family name.
    Variant,
    /// Day and month of birth swapped.
    DobSwap,
    /// One digit of the date of birth wrong.
    DobTypo,
    /// No date of birth.
    MissingDob,
    /// No postcode (and no address).
    MissingPostcode,
    /// No NHS number.
    MissingNhs,
    /// An address and postcode from a move.
    Moved,
    /// Given and family names recorded the other way round.
    NameSwap,
    /// A different family name (marriage of a parent, adoption, a new name).
    SurnameChange,
}

/// Every kind, in order.
pub const ALL: &[Error] = &[
    Error::GivenTypo,
    Error::FamilyTypo,
    Error::Nickname,
    Error::Variant,
    Error::DobSwap,
    Error::DobTypo,
    Error::MissingDob,
    Error::MissingPostcode,
    Error::MissingNhs,
    Error::Moved,
    Error::NameSwap,
    Error::SurnameChange,
];

/// The chance of each error in one record.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rates {
    /// Typo in the given name.
    pub given_typo: f64,
    /// Typo in the family name.
    pub family_typo: f64,
    /// Nickname instead of the given name.
    pub nickname: f64,
    /// Another romanisation of a name.
    pub variant: f64,
    /// Day and month swapped.
    pub dob_swap: f64,
    /// One digit of the date wrong.
    pub dob_typo: f64,
    /// Date of birth missing.
    pub missing_dob: f64,
    /// Postcode and address missing.
    pub missing_postcode: f64,
    /// NHS number missing.
    pub missing_nhs: f64,
    /// Moved house.
    pub moved: f64,
    /// Names swapped.
    pub name_swap: f64,
    /// Family name changed.
    pub surname_change: f64,
}

impl Rates {
    /// No errors at all.
    pub const NONE: Rates = Rates {
        given_typo: 0.0,
        family_typo: 0.0,
        nickname: 0.0,
        variant: 0.0,
        dob_swap: 0.0,
        dob_typo: 0.0,
        missing_dob: 0.0,
        missing_postcode: 0.0,
        missing_nhs: 0.0,
        moved: 0.0,
        name_swap: 0.0,
        surname_change: 0.0,
    };

    /// The rates of the duplicate records in the dedupe benchmark file: deliberately harder
    /// than any one agency's data.
    pub const BENCHMARK: Rates = Rates {
        given_typo: 0.10,
        family_typo: 0.10,
        nickname: 0.15,
        variant: 0.30,
        dob_swap: 0.05,
        dob_typo: 0.05,
        missing_dob: 0.03,
        missing_postcode: 0.05,
        missing_nhs: 0.40,
        moved: 0.20,
        name_swap: 0.03,
        surname_change: 0.03,
    };

    /// The rate of one kind.
    pub fn of(&self, e: Error) -> f64 {
        match e {
            Error::GivenTypo => self.given_typo,
            Error::FamilyTypo => self.family_typo,
            Error::Nickname => self.nickname,
            Error::Variant => self.variant,
            Error::DobSwap => self.dob_swap,
            Error::DobTypo => self.dob_typo,
            Error::MissingDob => self.missing_dob,
            Error::MissingPostcode => self.missing_postcode,
            Error::MissingNhs => self.missing_nhs,
            Error::Moved => self.moved,
            Error::NameSwap => self.name_swap,
            Error::SurnameChange => self.surname_change,
        }
    }
}

/// One agency's record of a person, as written into an extract.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    /// The agency's record id.
    pub record_id: String,
    /// The true person (for evaluation only; never given to the linkage engine).
    pub person_id: String,
    /// Given name.
    pub given: Option<String>,
    /// Middle name.
    pub middle: Option<String>,
    /// Family name.
    pub family: Option<String>,
    /// Date of birth.
    pub dob: Option<Date>,
    /// Sex.
    pub sex: Option<Sex>,
    /// Postcode.
    pub postcode: Option<String>,
    /// Address line.
    pub address: Option<String>,
    /// NHS number.
    pub nhs_number: Option<String>,
    /// UPN.
    pub upn: Option<String>,
    /// Errors this record could have had.
    pub eligible: Vec<Error>,
    /// Errors it got.
    pub applied: Vec<Error>,
}

impl Row {
    /// A faithful copy of a person.
    pub fn of(p: &Person, record_id: String) -> Self {
        Self {
            record_id,
            person_id: p.id.clone(),
            given: Some(p.given.clone()),
            middle: p.middle.clone(),
            family: Some(p.family.clone()),
            dob: Some(p.dob),
            sex: Some(p.sex),
            postcode: Some(p.postcode.clone()),
            address: Some(p.address.clone()),
            nhs_number: Some(p.nhs_number.clone()),
            upn: p.upn.clone(),
            eligible: Vec::new(),
            applied: Vec::new(),
        }
    }
}

fn chance(rng: &mut SynthRng, row: &mut Row, e: Error, rate: f64) -> bool {
    row.eligible.push(e);
    let hit = rate > 0.0 && rng.gen_bool(rate.min(1.0));
    if hit {
        row.applied.push(e);
    }
    hit
}

/// One typing error in a word: a character substituted, dropped, added or swapped with its
/// neighbour (never the first character, which people rarely mistype).
pub fn typo(rng: &mut SynthRng, s: &str) -> String {
    let mut c: Vec<char> = s.chars().collect();
    if c.len() < 3 {
        c.push(c.last().copied().unwrap_or('a'));
        return c.into_iter().collect();
    }
    let i = rng.gen_range(1..c.len());
    let letter = char::from(b'a' + rng.gen_range(0..26u8));
    match rng.gen_range(0..4) {
        0 => {
            c[i] = if c[i] == letter { 'e' } else { letter };
        }
        1 => {
            c.remove(i);
        }
        2 => c.insert(i, letter),
        _ => {
            if i + 1 < c.len() && c[i] != c[i + 1] {
                c.swap(i, i + 1);
            } else {
                c[i] = if c[i] == letter { 'e' } else { letter };
            }
        }
    }
    c.into_iter().collect()
}

/// Apply the errors of `rates` to a copy of `p`. `postcodes` is where a moved person may now
/// live; `families` are family names a changed surname is drawn from.
pub fn corrupt(
    rng: &mut SynthRng,
    p: &Person,
    record_id: String,
    rates: &Rates,
    postcodes: &[String],
    families: &[&str],
) -> Row {
    let mut r = Row::of(p, record_id);
    if chance(rng, &mut r, Error::SurnameChange, rates.surname_change) && !families.is_empty() {
        let f = families[rng.gen_range(0..families.len())];
        r.family = Some(if f == p.family {
            format!("{f}-{}", p.family)
        } else {
            f.to_owned()
        });
    }
    let nick = lookup(NICKNAMES, &p.given);
    if !nick.is_empty() && chance(rng, &mut r, Error::Nickname, rates.nickname) {
        r.given = Some(nick[rng.gen_range(0..nick.len())].to_owned());
    }
    let gv = lookup(VARIANTS, &p.given);
    let fv = r
        .family
        .as_deref()
        .map(|f| lookup(VARIANTS, f))
        .unwrap_or(&[]);
    if (!gv.is_empty() || !fv.is_empty()) && chance(rng, &mut r, Error::Variant, rates.variant) {
        let use_given = !gv.is_empty()
            && (fv.is_empty() || rng.gen_bool(0.5))
            && !r.applied.contains(&Error::Nickname);
        if use_given {
            r.given = Some(gv[rng.gen_range(0..gv.len())].to_owned());
        } else if !fv.is_empty() {
            r.family = Some(fv[rng.gen_range(0..fv.len())].to_owned());
        }
    }
    if chance(rng, &mut r, Error::GivenTypo, rates.given_typo) {
        r.given = r.given.as_deref().map(|g| typo(rng, g));
    }
    if chance(rng, &mut r, Error::FamilyTypo, rates.family_typo) {
        r.family = r.family.as_deref().map(|f| typo(rng, f));
    }
    if chance(rng, &mut r, Error::NameSwap, rates.name_swap) {
        std::mem::swap(&mut r.given, &mut r.family);
    }
    let d = p.dob;
    let day = d.day();
    let month = u8::from(d.month());
    if day <= 12 && day != month && chance(rng, &mut r, Error::DobSwap, rates.dob_swap) {
        r.dob = Month::try_from(day)
            .ok()
            .and_then(|m| Date::from_calendar_date(d.year(), m, month).ok());
    }
    if chance(rng, &mut r, Error::DobTypo, rates.dob_typo) {
        r.dob = r.dob.map(|x| dob_typo(rng, x));
    }
    if chance(rng, &mut r, Error::Moved, rates.moved) && !postcodes.is_empty() {
        let pc = postcodes[rng.gen_range(0..postcodes.len())].clone();
        r.address = Some(address_for(&pc, rng));
        r.postcode = Some(pc);
    }
    if chance(rng, &mut r, Error::MissingDob, rates.missing_dob) {
        r.dob = None;
    }
    if chance(rng, &mut r, Error::MissingPostcode, rates.missing_postcode) {
        r.postcode = None;
        r.address = None;
    }
    if chance(rng, &mut r, Error::MissingNhs, rates.missing_nhs) {
        r.nhs_number = None;
    }
    r
}

/// One digit of a date changed so that the date still exists: the last digit of the day or of
/// the year, or the day's tens.
fn dob_typo(rng: &mut SynthRng, d: Date) -> Date {
    for _ in 0..20 {
        let cand = match rng.gen_range(0..3) {
            0 => {
                let day = (d.day() / 10) * 10 + rng.gen_range(0..10);
                Date::from_calendar_date(d.year(), d.month(), day)
            }
            1 => {
                let y = d.year() - d.year().rem_euclid(10) + rng.gen_range(0..10);
                Date::from_calendar_date(y, d.month(), d.day())
            }
            _ => {
                let day = rng.gen_range(0..4) * 10 + d.day() % 10;
                Date::from_calendar_date(d.year(), d.month(), day)
            }
        };
        if let Ok(c) = cand {
            if c != d {
                return c;
            }
        }
    }
    d
}
