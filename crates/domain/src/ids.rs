//! Identifiers shared between agencies: the NHS number (ten digits, modulus 11 check) and the
//! Unique Pupil Number (thirteen characters, check letter first). Parsed at the edge, so an
//! identifier that fails its check cannot exist past it.

use crate::FieldError;
use serde::{Deserialize, Serialize};
use std::fmt;

/// An NHS number that passes the modulus 11 check. Spaces and hyphens in the input are
/// ignored (`943 476 5919`); the value is kept as ten digits.
///
/// The check (NHS Data Dictionary, "NHS Number"): multiply the first nine digits by the weights
/// 10, 9, … 2, add them, take the remainder on division by 11 and subtract it from 11. A result
/// of 11 makes the check digit 0; a result of 10 means the number is not valid; otherwise the
/// result must equal the tenth digit.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct NhsNumber(String);

/// The modulus 11 check digit of the first nine digits of an NHS number, or `None` when no
/// digit is valid (the calculation gives 10).
pub fn nhs_check_digit(first_nine: &[u8; 9]) -> Option<u8> {
    let sum: u32 = first_nine
        .iter()
        .zip((2..=10u32).rev())
        .map(|(d, w)| u32::from(*d) * w)
        .sum();
    match 11 - sum % 11 {
        11 => Some(0),
        10 => None,
        r => u8::try_from(r).ok(),
    }
}

impl NhsNumber {
    /// Parse an NHS number typed or imported from an agency's records.
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        let field = "nhs_number";
        let compact: String = raw
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '-')
            .collect();
        if compact.is_empty() {
            return Err(FieldError::new(field, "Enter an NHS number"));
        }
        if !compact.chars().all(|c| c.is_ascii_digit()) {
            return Err(FieldError::new(
                field,
                "NHS number must only include numbers 0 to 9",
            ));
        }
        if compact.len() != 10 {
            return Err(FieldError::new(
                field,
                format!("NHS number must be 10 digits (this has {})", compact.len()),
            ));
        }
        let mut digits = [0u8; 10];
        for (d, b) in digits.iter_mut().zip(compact.bytes()) {
            *d = b - b'0';
        }
        let mut nine = [0u8; 9];
        nine.copy_from_slice(&digits[..9]);
        match nhs_check_digit(&nine) {
            Some(c) if c == digits[9] => Ok(Self(compact)),
            Some(c) => Err(FieldError::new(
                field,
                format!(
                    "NHS number fails its check: the last digit should be {c}, not {}; check it was copied correctly",
                    digits[9]
                ),
            )),
            None => Err(FieldError::new(
                field,
                "NHS number fails its check: no NHS number starts with these nine digits; check it was copied correctly",
            )),
        }
    }

    /// The ten digits.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for NhsNumber {
    /// The usual 3-3-4 spacing: `943 476 5919`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = &self.0;
        write!(f, "{} {} {}", &s[..3], &s[3..6], &s[6..])
    }
}

/// The check letters of a UPN, indexed by the remainder (I, O and S are never used).
const UPN_LETTERS: &[u8; 23] = b"ABCDEFGHJKLMNPQRTUVWXYZ";

/// A Unique Pupil Number: a check letter, then twelve characters (a 3-digit local authority
/// code, a 4-digit establishment number, a 2-digit year and a 3-digit serial); a temporary UPN
/// has a letter as its last character.
///
/// The check (DfE, "Unique Pupil Numbers (UPN)" guidance, as also used in the CIN census
/// validation rule 1510): multiply characters 2 to 13 by the weights 2 to 13, add them, and take
/// the remainder on division by 23; the first character must be the letter for that remainder
/// in `ABCDEFGHJKLMNPQRTUVWXYZ`. A letter in position 13 counts as its place in that list.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Upn(String);

/// The check letter of a UPN's characters 2 to 13, or `None` if they are not of the UPN form.
pub fn upn_check_letter(rest: &[u8]) -> Option<u8> {
    if rest.len() != 12 {
        return None;
    }
    let mut sum = 0u32;
    for (i, c) in rest.iter().enumerate() {
        let v = if c.is_ascii_digit() {
            u32::from(c - b'0')
        } else if i == 11 {
            u32::try_from(UPN_LETTERS.iter().position(|l| l == c)?).ok()?
        } else {
            return None;
        };
        sum += v * (i as u32 + 2);
    }
    UPN_LETTERS.get((sum % 23) as usize).copied()
}

impl Upn {
    /// Parse a UPN (spaces ignored, letters upper-cased).
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        let field = "upn";
        let s: String = raw
            .chars()
            .filter(|c| !c.is_whitespace())
            .map(|c| c.to_ascii_uppercase())
            .collect();
        if s.is_empty() {
            return Err(FieldError::new(field, "Enter a UPN"));
        }
        if s.len() != 13 || !s.is_ascii() {
            return Err(FieldError::new(
                field,
                format!("UPN must be 13 characters (this has {})", s.chars().count()),
            ));
        }
        let b = s.as_bytes();
        if !UPN_LETTERS.contains(&b[0]) {
            return Err(FieldError::new(
                field,
                "UPN must start with a letter other than I, O or S",
            ));
        }
        if !b[1..12].iter().all(u8::is_ascii_digit)
            || !(b[12].is_ascii_digit() || UPN_LETTERS.contains(&b[12]))
        {
            return Err(FieldError::new(
                field,
                "UPN must be a letter, 11 digits, then a digit or a letter",
            ));
        }
        match upn_check_letter(&b[1..]) {
            Some(c) if c == b[0] => Ok(Self(s)),
            Some(c) => Err(FieldError::new(
                field,
                format!(
                    "UPN fails its check: the first letter should be {}, not {}; check it was copied correctly",
                    char::from(c),
                    char::from(b[0])
                ),
            )),
            None => Err(FieldError::new(field, "UPN is not in the UPN format")),
        }
    }

    /// The thirteen characters.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn valid_nhs_numbers_parse() {
        // 943 476 5919 is the NHS's own published example of a valid number.
        let n = NhsNumber::parse("943 476 5919");
        assert_eq!(n.as_ref().map(NhsNumber::as_str), Ok("9434765919"));
        assert_eq!(n.map(|n| n.to_string()), Ok("943 476 5919".into()));
        assert!(NhsNumber::parse("943-476-5919").is_ok());
        // 4×10 + 0×9 + 1×8 + 0×7 + 2×6 + 3×5 + 2×4 + 1×3 + 1×2 = 88, remainder 0: 11 - 0 = 11,
        // hence check digit 0.
        assert_eq!(nhs_check_digit(&[4, 0, 1, 0, 2, 3, 2, 1, 1]), Some(0));
        assert!(NhsNumber::parse("4010232110").is_ok());
        assert_eq!(nhs_check_digit(&[4, 0, 1, 0, 2, 3, 2, 1, 3]), Some(7));
    }

    #[test]
    fn invalid_nhs_numbers_are_refused_with_the_reason() {
        let e = NhsNumber::parse("9434765918").unwrap_err();
        assert_eq!(e.field, "nhs_number");
        assert!(e.message.contains("should be 9, not 8"), "{}", e.message);
        assert!(NhsNumber::parse("943476591")
            .unwrap_err()
            .message
            .contains("10 digits (this has 9)"));
        assert!(NhsNumber::parse("94347659A9")
            .unwrap_err()
            .message
            .contains("only include numbers"));
        assert!(NhsNumber::parse("  ")
            .unwrap_err()
            .message
            .contains("Enter"));
        // Nine digits whose check calculation gives 10 can start no NHS number.
        let ten = (0..1000u32)
            .map(|i| {
                let s = format!("{:09}", 100_000_000 + i * 7919);
                let mut d = [0u8; 9];
                for (o, b) in d.iter_mut().zip(s.bytes()) {
                    *o = b - b'0';
                }
                (s, d)
            })
            .find(|(_, d)| nhs_check_digit(d).is_none());
        let (s, _) = ten.unwrap();
        for last in 0..10 {
            let e = NhsNumber::parse(&format!("{s}{last}")).unwrap_err();
            assert!(e.message.contains("no NHS number starts"), "{}", e.message);
        }
    }

    #[test]
    fn upns_parse_with_their_check_letter() {
        // Weights 2..13 over "820200101001": 8*2+2*3+0*4+2*5+0*6+0*7+1*8+0*9+1*10+0*11+0*12+1*13
        // = 63, 63 mod 23 = 17, letter U.
        assert_eq!(upn_check_letter(b"820200101001"), Some(b'U'));
        let u = Upn::parse("u820200101001");
        assert_eq!(u.as_ref().map(Upn::as_str), Ok("U820200101001"));
        // A temporary UPN ends in a letter.
        let rest = b"82020010100A";
        let c = upn_check_letter(rest).map(char::from).unwrap();
        assert!(Upn::parse(&format!("{c}82020010100A")).is_ok());
    }

    #[test]
    fn invalid_upns_are_refused_with_the_reason() {
        let e = Upn::parse("A820200101001").unwrap_err();
        assert_eq!(e.field, "upn");
        assert!(e.message.contains("should be U, not A"), "{}", e.message);
        assert!(Upn::parse("U82020010100")
            .unwrap_err()
            .message
            .contains("13 characters"));
        assert!(Upn::parse("I820200101001")
            .unwrap_err()
            .message
            .contains("other than I, O or S"));
        assert!(Upn::parse("U8202001X1001")
            .unwrap_err()
            .message
            .contains("11 digits"));
        assert!(Upn::parse("").unwrap_err().message.contains("Enter a UPN"));
    }
}
