//! Places: postcodes, ONS area codes and points on the British National Grid, parsed from raw
//! input so that an invalid value cannot exist past the edge.

mod bng;
pub mod data;
mod index;

pub use bng::{BngPoint, LatLon};
pub use index::{
    AgePhaseHub, GeoIndex, GeoIndexBuilder, PostcodeAnswer, PostcodeEntry, PostcodeError,
    SchoolAnswer,
};

use crate::FieldError;
use serde::{Deserialize, Serialize};
use std::fmt;

/// A full UK postcode in its normal written form: upper case, one space before the inward code
/// (`LE1 5WW`). Parsing accepts any case and spacing (`le15ww`, ` LE1  5WW `).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Postcode(String);

impl Postcode {
    /// Parse a postcode typed by a person or read from a file; `field` names the input in the
    /// error.
    pub fn parse_field(raw: &str, field: &'static str) -> Result<Self, FieldError> {
        let compact: String = raw
            .chars()
            .filter(|c| !c.is_whitespace())
            .map(|c| c.to_ascii_uppercase())
            .collect();
        if compact.is_empty() {
            return Err(FieldError::new(field, "Enter a postcode"));
        }
        let bad = || {
            FieldError::new(
                field,
                "Enter a full postcode, like LE1 5WW, with letters and numbers only",
            )
        };
        if !compact.is_ascii() || compact.len() < 5 || compact.len() > 7 {
            return Err(bad());
        }
        let (outward, inward) = compact.split_at(compact.len() - 3);
        if !valid_outward(outward) || !valid_inward(inward) {
            return Err(bad());
        }
        Ok(Self(format!("{outward} {inward}")))
    }

    /// Parse a postcode from the `postcode` field.
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        Self::parse_field(raw, "postcode")
    }

    /// The normal written form.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The outward code (`LE1`).
    pub fn outward(&self) -> &str {
        self.0.split(' ').next().unwrap_or("")
    }

    /// The postcode sector (`LE1 5`).
    pub fn sector(&self) -> &str {
        &self.0[..self.0.len() - 2]
    }
}

/// Outward codes: A9, A99, AA9, AA99, A9A, AA9A (letters then digits, an optional final
/// letter after a single digit).
fn valid_outward(s: &str) -> bool {
    let b = s.as_bytes();
    let letters = b.iter().take_while(|c| c.is_ascii_alphabetic()).count();
    if !(1..=2).contains(&letters) {
        return false;
    }
    let rest = &b[letters..];
    match rest {
        [d] => d.is_ascii_digit(),
        [d, e] => d.is_ascii_digit() && (e.is_ascii_digit() || e.is_ascii_alphabetic()),
        _ => false,
    }
}

/// Inward codes: a digit then two letters.
fn valid_inward(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 3
        && b[0].is_ascii_digit()
        && b[1].is_ascii_alphabetic()
        && b[2].is_ascii_alphabetic()
}

impl fmt::Display for Postcode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for Postcode {
    type Error = FieldError;
    fn try_from(s: String) -> Result<Self, FieldError> {
        Self::parse(&s)
    }
}

impl From<Postcode> for String {
    fn from(p: Postcode) -> String {
        p.0
    }
}

/// An ONS statistical or administrative area code: a letter, then eight digits
/// (`E01013600` for an LSOA, `E05010458` for a ward, `E06000016` for a local authority).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct AreaCode(String);

/// What an ONS area code names, from its three-character prefix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AreaKind {
    /// Output area (`E00`).
    OutputArea,
    /// Lower layer super output area (`E01`).
    Lsoa,
    /// Middle layer super output area (`E02`).
    Msoa,
    /// Electoral ward (`E05`).
    Ward,
    /// Unitary authority (`E06`).
    UnitaryAuthority,
    /// Any other prefix.
    Other,
}

impl AreaCode {
    /// Parse a code, trimming spaces; `field` names the input in the error.
    pub fn parse_field(raw: &str, field: &'static str) -> Result<Self, FieldError> {
        let s = raw.trim().to_ascii_uppercase();
        let b = s.as_bytes();
        if b.len() == 9 && b[0].is_ascii_uppercase() && b[1..].iter().all(u8::is_ascii_digit) {
            Ok(Self(s))
        } else {
            Err(FieldError::new(
                field,
                format!(
                    "'{}' is not an ONS area code (a letter then eight digits, like E05010458)",
                    raw.trim()
                ),
            ))
        }
    }

    /// Parse a code from the `code` field.
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        Self::parse_field(raw, "code")
    }

    /// The code.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// What kind of area this code names.
    pub fn kind(&self) -> AreaKind {
        match &self.0[..3] {
            "E00" | "W00" => AreaKind::OutputArea,
            "E01" | "W01" => AreaKind::Lsoa,
            "E02" | "W02" => AreaKind::Msoa,
            "E05" | "W05" => AreaKind::Ward,
            "E06" | "W06" => AreaKind::UnitaryAuthority,
            _ => AreaKind::Other,
        }
    }
}

impl fmt::Display for AreaCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for AreaCode {
    type Error = FieldError;
    fn try_from(s: String) -> Result<Self, FieldError> {
        Self::parse(&s)
    }
}

impl From<AreaCode> for String {
    fn from(c: AreaCode) -> String {
        c.0
    }
}

/// A DfE school unique reference number (URN): six digits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Urn(pub u32);

impl Urn {
    /// Parse a URN; `field` names the input in the error.
    pub fn parse_field(raw: &str, field: &'static str) -> Result<Self, FieldError> {
        let s = raw.trim();
        match s.parse::<u32>() {
            Ok(n) if (100_000..=999_999).contains(&n) && s.len() == 6 => Ok(Self(n)),
            _ => Err(FieldError::new(
                field,
                "Enter a school URN of six digits, like 120002",
            )),
        }
    }
}

impl fmt::Display for Urn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn postcodes_are_normalised_from_any_spacing_and_case() {
        for raw in ["LE1 5WW", "le15ww", "  Le1   5ww ", "LE1\t5WW"] {
            assert_eq!(Postcode::parse(raw).map(|p| p.0), Ok("LE1 5WW".to_owned()));
        }
        let p = Postcode::parse("pe1 1aa").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((p.outward(), p.sector()), ("PE1", "PE1 1"));
        for ok in [
            "M1 1AA", "B33 8TH", "CR2 6XH", "DN55 1PT", "W1A 0AX", "EC1A 1BB",
        ] {
            assert!(Postcode::parse(ok).is_ok(), "{ok}");
        }
    }

    #[test]
    fn malformed_postcodes_are_refused_with_a_message_naming_the_field() {
        for bad in [
            "", "LE1", "LE1 5W", "1LE 5WW", "LEE1 5WW", "LE1 55W", "LE1 5WWW", "LÉ1 5WW", "LE1-5WW",
        ] {
            let e = Postcode::parse(bad)
                .err()
                .unwrap_or_else(|| panic!("{bad} accepted"));
            assert_eq!(e.field, "postcode");
        }
        assert_eq!(
            Postcode::parse_field("x", "home_postcode")
                .err()
                .map(|e| e.field),
            Some("home_postcode")
        );
    }

    #[test]
    fn area_codes_are_a_letter_and_eight_digits_and_know_their_kind() {
        let w = AreaCode::parse(" e05010458 ").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((w.as_str(), w.kind()), ("E05010458", AreaKind::Ward));
        assert_eq!(
            AreaCode::parse("E01013600").map(|c| c.kind()),
            Ok(AreaKind::Lsoa)
        );
        assert!(AreaCode::parse("E0501045").is_err());
        assert!(AreaCode::parse("E05O10458").is_err());
    }

    #[test]
    fn urns_are_six_digits() {
        assert_eq!(
            Urn::parse_field("120002", "school").map(|u| u.0),
            Ok(120_002)
        );
        for bad in ["12000", "1200021", "abc", "", "012000"] {
            assert!(Urn::parse_field(bad, "school").is_err(), "{bad}");
        }
    }
}
