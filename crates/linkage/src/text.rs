//! Normalisation of raw values: names, dates of birth, postcodes, identifiers and phonetic keys.
//! Every comparison and blocking key works on these normalised forms, computed once per record.

/// Lower-case a name, fold accented Latin letters to ASCII (Polish, Turkish, French, German…),
/// turn hyphens and full stops into spaces, drop other punctuation and collapse spaces.
/// `"  O'Brien-Smith "` → `"obrien smith"`, `"Wiśniewska"` → `"wisniewska"`.
pub fn normalise_name(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut space = false;
    for c in raw.chars() {
        let folded = fold(c);
        for f in folded.chars() {
            if f.is_ascii_alphabetic() {
                if space && !out.is_empty() {
                    out.push(' ');
                }
                space = false;
                out.push(f.to_ascii_lowercase());
            } else if f.is_whitespace() || f == '-' || f == '.' || f == ',' || f == '_' {
                space = true;
            } else if f.is_ascii_digit() {
                // Digits in a name (e.g. "1st baron") are kept as their own word.
                if space && !out.is_empty() {
                    out.push(' ');
                }
                space = false;
                out.push(f);
            }
        }
    }
    out
}

/// Lower-case free text (addresses, towns, attributes): letters and digits kept, everything
/// else becomes one space.
pub fn normalise_text(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut space = false;
    for c in raw.chars() {
        for f in fold(c).chars() {
            if f.is_ascii_alphanumeric() {
                if space && !out.is_empty() {
                    out.push(' ');
                }
                space = false;
                out.push(f.to_ascii_lowercase());
            } else if f == '\'' {
                // O'Connor Street → oconnor street
            } else {
                space = true;
            }
        }
    }
    out
}

/// Only the digits of an identifier (`"943 476 5919"` → `"9434765919"`); other characters are
/// spacing or punctuation in the sources we read.
pub fn digits_only(raw: &str) -> String {
    raw.chars().filter(char::is_ascii_digit).collect()
}

/// An identifier that may hold letters (a UPN, an agency id): upper-case ASCII letters and
/// digits only.
pub fn normalise_identifier(raw: &str) -> String {
    raw.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

/// Fold one character to plain ASCII where a Latin letter carries a diacritic.
fn fold(c: char) -> std::borrow::Cow<'static, str> {
    use std::borrow::Cow::{Borrowed, Owned};
    let s: &'static str = match c {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' | 'ă' | 'ą' | 'À' | 'Á' | 'Â' | 'Ã' | 'Ä' | 'Å'
        | 'Ā' | 'Ă' | 'Ą' => "a",
        'æ' | 'Æ' => "ae",
        'ç' | 'ć' | 'č' | 'Ç' | 'Ć' | 'Č' => "c",
        'ď' | 'đ' | 'Ď' | 'Đ' => "d",
        'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ė' | 'ę' | 'ě' | 'È' | 'É' | 'Ê' | 'Ë' | 'Ē' | 'Ė' | 'Ę'
        | 'Ě' => "e",
        'ğ' | 'Ğ' => "g",
        'ì' | 'í' | 'î' | 'ï' | 'ī' | 'ı' | 'İ' | 'Ì' | 'Í' | 'Î' | 'Ï' | 'Ī' => "i",
        'ł' | 'ľ' | 'Ł' | 'Ľ' => "l",
        'ñ' | 'ń' | 'ň' | 'Ñ' | 'Ń' | 'Ň' => "n",
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ō' | 'ő' | 'Ò' | 'Ó' | 'Ô' | 'Õ' | 'Ö' | 'Ø' | 'Ō'
        | 'Ő' => "o",
        'œ' | 'Œ' => "oe",
        'ř' | 'Ř' => "r",
        'ś' | 'š' | 'ş' | 'Ś' | 'Š' | 'Ş' => "s",
        'ß' => "ss",
        'ť' | 'ţ' | 'Ť' | 'Ţ' => "t",
        'ù' | 'ú' | 'û' | 'ü' | 'ū' | 'ů' | 'ű' | 'Ù' | 'Ú' | 'Û' | 'Ü' | 'Ū' | 'Ů' | 'Ű' => {
            "u"
        }
        'ý' | 'ÿ' | 'Ý' => "y",
        'ź' | 'ż' | 'ž' | 'Ź' | 'Ż' | 'Ž' => "z",
        '\u{2019}' | '\u{2018}' | '`' => "'",
        _ => return Owned(c.to_string()),
    };
    Borrowed(s)
}

/// A phonetic key in the manner of Soundex (first letter, then up to three consonant-class
/// digits), after the vowel and `h`/`w`/`y` spellings that vary between romanisations are
/// dropped: Mohammed, Muhammad and Mohamed all give `M530`; Chaudhry and Choudhury `C360`.
pub fn phonetic(name: &str) -> String {
    let mut chars = name.chars().filter(char::is_ascii_alphabetic);
    let Some(first) = chars.next() else {
        return String::new();
    };
    let first = first.to_ascii_uppercase();
    let mut key = String::with_capacity(4);
    key.push(first);
    let mut last = class(first.to_ascii_lowercase());
    for c in chars {
        let d = class(c);
        match d {
            // A vowel separates equal codes; h and w do not (classic Soundex rule).
            0 if !matches!(c, 'h' | 'w') => last = 0,
            0 => {}
            d if d != last => {
                key.push(char::from(b'0' + d));
                last = d;
                if key.len() == 4 {
                    break;
                }
            }
            _ => {}
        }
    }
    while key.len() < 4 {
        key.push('0');
    }
    key
}

fn class(c: char) -> u8 {
    match c {
        'b' | 'f' | 'p' | 'v' => 1,
        'c' | 'g' | 'j' | 'k' | 'q' | 's' | 'x' | 'z' => 2,
        'd' | 't' => 3,
        'l' => 4,
        'm' | 'n' => 5,
        'r' => 6,
        _ => 0,
    }
}

/// A calendar date as year, month and day, checked to exist.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Ymd {
    /// Year (four digits).
    pub y: u16,
    /// Month, 1 to 12.
    pub m: u8,
    /// Day of the month, 1 to 31.
    pub d: u8,
}

impl Ymd {
    /// A checked date, or `None` if it does not exist.
    pub fn new(y: u16, m: u8, d: u8) -> Option<Self> {
        if !(1..=12).contains(&m) || d == 0 || d > days_in_month(y, m) {
            return None;
        }
        Some(Self { y, m, d })
    }
    /// Days since 0000-03-01 (a proleptic Gregorian day number), for differences in days.
    pub fn day_number(self) -> i64 {
        let (y, m) = if self.m <= 2 {
            (i64::from(self.y) - 1, i64::from(self.m) + 9)
        } else {
            (i64::from(self.y), i64::from(self.m) - 3)
        };
        365 * y + y / 4 - y / 100 + y / 400 + (153 * m + 2) / 5 + i64::from(self.d) - 1
    }
    /// The eight digits `YYYYMMDD`.
    pub fn digits(self) -> [u8; 8] {
        let y = self.y % 10000;
        let d = |x: u16| b'0' + (x % 10) as u8;
        [
            d(y / 1000),
            d(y / 100),
            d(y / 10),
            d(y),
            d(u16::from(self.m) / 10),
            d(u16::from(self.m)),
            d(u16::from(self.d) / 10),
            d(u16::from(self.d)),
        ]
    }
}

fn days_in_month(y: u16, m: u8) -> u8 {
    match m {
        4 | 6 | 9 | 11 => 30,
        2 if (y.is_multiple_of(4) && !y.is_multiple_of(100)) || y.is_multiple_of(400) => 29,
        2 => 28,
        _ => 31,
    }
}

/// Parse a date of birth written as `YYYY-MM-DD`, `YYYYMMDD`, `YYYY/MM/DD`, `DD/MM/YYYY` or
/// `DD-MM-YYYY` (British order; never American). A time after the date is ignored. Returns
/// `None` for anything else or a day that does not exist.
pub fn parse_date(raw: &str) -> Option<Ymd> {
    let s = raw.trim();
    let s = s.split(['T', ' ']).next().unwrap_or(s);
    let parts: Vec<&str> = s.split(['-', '/', '.']).collect();
    let num = |p: &str| -> Option<u32> {
        if p.is_empty() || p.len() > 4 || !p.bytes().all(|b| b.is_ascii_digit()) {
            None
        } else {
            p.parse().ok()
        }
    };
    let (y, m, d) = match parts.as_slice() {
        [one] if one.len() == 8 => {
            let y = num(one.get(0..4)?)?;
            let m = num(one.get(4..6)?)?;
            let d = num(one.get(6..8)?)?;
            (y, m, d)
        }
        [a, b, c] if a.len() == 4 => (num(a)?, num(b)?, num(c)?),
        [a, b, c] if c.len() == 4 => (num(c)?, num(b)?, num(a)?),
        _ => return None,
    };
    Ymd::new(
        u16::try_from(y).ok()?,
        u8::try_from(m).ok()?,
        u8::try_from(d).ok()?,
    )
}

/// A postcode split into its parts. For a UK postcode, `LE2 7AB` has area `LE`, district
/// `LE2`, sector `LE2 7`; other postcodes (e.g. four-digit Australian ones in test data) keep
/// only the whole value and compare by spelling.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Postcode {
    /// The whole postcode, upper case, one space before the inward code when UK.
    pub full: String,
    /// `Some` for a UK-shaped postcode.
    pub uk: Option<UkParts>,
}

/// The parts of a UK postcode.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct UkParts {
    /// Letters of the outward code: `LE`.
    pub area: String,
    /// The outward code: `LE2`.
    pub district: String,
    /// The outward code and the inward digit: `LE2 7`.
    pub sector: String,
}

/// Normalise a postcode. UK shape: outward code of 2-4 characters starting with a letter,
/// inward code of a digit and two letters.
pub fn parse_postcode(raw: &str) -> Option<Postcode> {
    let compact: String = raw
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_uppercase())
        .collect();
    if compact.is_empty() {
        return None;
    }
    let b = compact.as_bytes();
    let uk_shape = (5..=7).contains(&b.len())
        && b.first().is_some_and(u8::is_ascii_alphabetic)
        && b.get(b.len() - 3).is_some_and(u8::is_ascii_digit)
        && b[b.len() - 2..].iter().all(u8::is_ascii_alphabetic);
    if !uk_shape {
        return Some(Postcode {
            full: compact,
            uk: None,
        });
    }
    let split = b.len() - 3;
    let outward = &compact[..split];
    let inward = &compact[split..];
    let area: String = outward
        .chars()
        .take_while(char::is_ascii_alphabetic)
        .collect();
    Some(Postcode {
        full: format!("{outward} {inward}"),
        uk: Some(UkParts {
            area,
            district: outward.to_owned(),
            sector: format!("{outward} {}", &inward[..1]),
        }),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_folded_and_cleaned() {
        assert_eq!(normalise_name("  O'Brien-Smith "), "obrien smith");
        assert_eq!(normalise_name("Wiśniewska"), "wisniewska");
        assert_eq!(normalise_name("ŁUKASZ"), "lukasz");
        assert_eq!(normalise_name(""), "");
        assert_eq!(normalise_text("12, Sawday St."), "12 sawday st");
    }

    #[test]
    fn phonetic_keys_join_transliterations() {
        assert_eq!(phonetic("mohammed"), "M530");
        assert_eq!(phonetic("muhammad"), "M530");
        assert_eq!(phonetic("mohamed"), "M530");
        assert_eq!(phonetic("chaudhry"), phonetic("choudhury"));
        assert_eq!(phonetic("robert"), "R163");
        assert_ne!(phonetic("smith"), phonetic("jones"));
        assert_eq!(phonetic(""), "");
    }

    #[test]
    fn dates_parse_in_british_and_iso_forms() {
        let d = Ymd::new(2015, 3, 7);
        assert_eq!(parse_date("2015-03-07"), d);
        assert_eq!(parse_date("20150307"), d);
        assert_eq!(parse_date("07/03/2015"), d);
        assert_eq!(parse_date("2015-03-07T00:00:00"), d);
        assert_eq!(parse_date("2015-02-30"), None);
        assert_eq!(parse_date("2016-02-29"), Ymd::new(2016, 2, 29));
        assert_eq!(parse_date("not a date"), None);
        assert_eq!(parse_date(""), None);
        let a = parse_date("2020-01-01").map(Ymd::day_number);
        let b = parse_date("2019-12-31").map(Ymd::day_number);
        assert_eq!(a.zip(b).map(|(a, b)| a - b), Some(1));
        assert_eq!(d.map(Ymd::digits), Some(*b"20150307"));
    }

    #[test]
    fn postcodes_split_into_sector_district_and_area() {
        let p = parse_postcode("le27ab").and_then(|p| p.uk);
        assert_eq!(
            p,
            Some(UkParts {
                area: "LE".into(),
                district: "LE2".into(),
                sector: "LE2 7".into()
            })
        );
        let full = parse_postcode(" LE1  1AA ").map(|p| p.full);
        assert_eq!(full.as_deref(), Some("LE1 1AA"));
        let au = parse_postcode("2119");
        assert_eq!(au.as_ref().map(|p| p.full.as_str()), Some("2119"));
        assert!(au.is_some_and(|p| p.uk.is_none()));
        assert_eq!(parse_postcode("  "), None);
    }
}
