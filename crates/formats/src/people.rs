//! An agency's extract of the children it works with: a CSV whose columns are mapped to the
//! fields everychild knows (`--map given_name=FORENAME …`). Unknown fields, mapped columns the
//! file lacks and missing required fields refuse the whole file, naming them; a row with a bad
//! value is refused on its own with its line and the reason, and the others are kept.

use crate::table::Table;
use crate::ImportError;
use everychild_domain::geo::Postcode;
use everychild_domain::ids::NhsNumber;
use everychild_domain::person::ExtractRow;
use std::collections::BTreeMap;
use std::io::Read;

/// The fields a column can be mapped to.
pub const FIELDS: [&str; 14] = [
    "source_id",
    "given_name",
    "middle_names",
    "family_name",
    "date_of_birth",
    "sex",
    "postcode",
    "address",
    "nhs_number",
    "upn",
    "since",
    "team",
    "worker",
    "full_name",
];

/// What to do with an NHS number that fails its check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum BadNhsNumber {
    /// Refuse the row, with the reason.
    #[default]
    Refuse,
    /// Keep the row, with the number marked unverified.
    KeepUnverified,
}

/// Field → CSV column, parsed from `field=COLUMN` pairs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mapping(BTreeMap<String, String>);

impl Mapping {
    /// Parse `field=COLUMN` pairs; every problem is named.
    pub fn parse(pairs: &[String]) -> Result<Self, Vec<String>> {
        let mut m = BTreeMap::new();
        let mut problems = Vec::new();
        for p in pairs {
            match p.split_once('=') {
                Some((f, c)) if !f.trim().is_empty() && !c.trim().is_empty() => {
                    let f = f.trim().to_lowercase();
                    if !FIELDS.contains(&f.as_str()) {
                        problems.push(format!(
                            "unknown field {f:?}: use one of {}",
                            FIELDS.join(", ")
                        ));
                    } else if m.insert(f.clone(), c.trim().to_owned()).is_some() {
                        problems.push(format!("the field {f} is mapped twice"));
                    }
                }
                _ => problems.push(format!("{p:?} is not field=COLUMN")),
            }
        }
        if !m.contains_key("source_id") {
            problems.push("map source_id to the column holding the agency's own record id".into());
        }
        let names = m.contains_key("family_name") || m.contains_key("full_name");
        if !names {
            problems.push("map family_name (or full_name) to a column".into());
        }
        if !m.contains_key("date_of_birth") {
            problems.push("map date_of_birth to a column".into());
        }
        if problems.is_empty() {
            Ok(Self(m))
        } else {
            Err(problems)
        }
    }

    fn column(&self, field: &str) -> Option<&str> {
        self.0.get(field).map(String::as_str)
    }
}

/// A row refused on its own.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refused {
    /// The line in the file.
    pub line: u64,
    /// The agency's id for it, if readable.
    pub source_id: String,
    /// Why.
    pub reason: String,
}

/// The rows of an extract that can be imported, and those refused.
#[derive(Debug, Clone, Default)]
pub struct Extract {
    /// Rows to import.
    pub rows: Vec<ExtractRow>,
    /// Rows refused.
    pub refused: Vec<Refused>,
}

/// A date written `YYYY-MM-DD`, `DD/MM/YYYY` or `DD-MM-YYYY`, as `YYYY-MM-DD`.
fn date(raw: &str) -> Option<String> {
    let iso = time::format_description::well_known::Iso8601::DATE;
    if let Ok(d) = time::Date::parse(raw, &iso) {
        return Some(d.to_string());
    }
    let parts: Vec<&str> = raw.split(['/', '-', '.']).collect();
    if let [d, m, y] = parts.as_slice() {
        let (d, m, y) = (
            d.parse::<u8>().ok()?,
            m.parse::<u8>().ok()?,
            y.parse::<i32>().ok()?,
        );
        let month = time::Month::try_from(m).ok()?;
        return time::Date::from_calendar_date(y, month, d)
            .ok()
            .map(|d| d.to_string());
    }
    None
}

fn sex(raw: &str) -> Option<&'static str> {
    match raw.trim().to_lowercase().as_str() {
        "f" | "female" | "2" | "girl" => Some("female"),
        "m" | "male" | "1" | "boy" => Some("male"),
        "" | "u" | "unknown" | "not known" | "0" | "9" => Some("not_known"),
        _ => None,
    }
}

/// Read an extract named `name` (for messages).
pub fn read<R: Read>(
    name: &str,
    input: R,
    map: &Mapping,
    bad_nhs: BadNhsNumber,
) -> Result<Extract, ImportError> {
    let required: Vec<&str> = map.0.values().map(String::as_str).collect();
    let mut t = Table::new(name, input, &required)?;
    let mut out = Extract::default();
    let mut seen = BTreeMap::new();
    while let Some(r) = t.next_row()? {
        let get = |f: &str| {
            map.column(f)
                .map(|c| r.text(c).to_owned())
                .filter(|v| !v.is_empty())
        };
        let line = r.line();
        let source_id = get("source_id").unwrap_or_default();
        let refuse = |reason: String| Refused {
            line,
            source_id: source_id.clone(),
            reason,
        };
        if source_id.is_empty() {
            out.refused.push(refuse("the record id is empty".into()));
            continue;
        }
        if let Some(first) = seen.insert(source_id.clone(), line) {
            out.refused.push(refuse(format!(
                "record id {source_id} was already on line {first}"
            )));
            continue;
        }
        let (mut given, mut family) = (get("given_name"), get("family_name"));
        if let Some(full) = get("full_name") {
            let mut words: Vec<&str> = full.split_whitespace().collect();
            if family.is_none() {
                family = words.pop().map(str::to_owned);
            }
            if given.is_none() && !words.is_empty() {
                given = Some(words.join(" "));
            }
        }
        if family.is_none() && given.is_none() {
            out.refused.push(refuse("the record has no name".into()));
            continue;
        }
        let dob = match get("date_of_birth") {
            None => None,
            Some(d) => match date(&d) {
                Some(d) => Some(d),
                None => {
                    out.refused.push(refuse(format!(
                        "date of birth {d:?} is not a date (use YYYY-MM-DD or DD/MM/YYYY)"
                    )));
                    continue;
                }
            },
        };
        let since = match get("since") {
            None => None,
            Some(d) => match date(&d) {
                Some(d) => Some(d),
                None => {
                    out.refused
                        .push(refuse(format!("start date {d:?} is not a date")));
                    continue;
                }
            },
        };
        let sex_value = match get("sex") {
            None => None,
            Some(s) => match sex(&s) {
                Some(v) => Some(v.to_owned()),
                None => {
                    out.refused
                        .push(refuse(format!("sex {s:?} is not F, M or unknown")));
                    continue;
                }
            },
        };
        let postcode = get("postcode")
            .and_then(|p| Postcode::parse(&p).ok())
            .map(|p| p.to_string());
        let (nhs_number, nhs_number_verified) = match get("nhs_number") {
            None => (None, false),
            Some(n) => match NhsNumber::parse(&n) {
                Ok(v) => (Some(v.as_str().to_owned()), true),
                Err(e) if bad_nhs == BadNhsNumber::KeepUnverified => {
                    let digits: String = n.chars().filter(char::is_ascii_digit).collect();
                    let _ = e;
                    (Some(digits).filter(|d| !d.is_empty()), false)
                }
                Err(e) => {
                    out.refused
                        .push(refuse(format!("NHS number {n:?}: {}", e.message)));
                    continue;
                }
            },
        };
        out.rows.push(ExtractRow {
            source_id,
            given_name: given,
            middle_names: get("middle_names"),
            family_name: family,
            date_of_birth: dob,
            sex: sex_value,
            postcode,
            address: get("address"),
            nhs_number,
            nhs_number_verified,
            upn: get("upn").map(|u| u.to_uppercase()),
            since,
            team: get("team"),
            worker: get("worker").map(|w| w.to_lowercase()),
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(pairs: &[&str]) -> Mapping {
        Mapping::parse(&pairs.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>())
            .unwrap_or_else(|p| panic!("{p:?}"))
    }

    #[test]
    fn mappings_name_unknown_fields_and_missing_required_ones() {
        let e = Mapping::parse(&["nickname=NICK".into(), "source_id=ID".into()])
            .err()
            .unwrap_or_default();
        assert!(e.iter().any(|p| p.contains("unknown field \"nickname\"")));
        assert!(e.iter().any(|p| p.contains("family_name")));
        assert!(e.iter().any(|p| p.contains("date_of_birth")));
        assert!(Mapping::parse(&["source_id".into()]).is_err());
    }

    #[test]
    fn a_file_lacking_a_mapped_column_is_refused_naming_it() {
        let m = map(&[
            "source_id=ID",
            "family_name=SURNAME",
            "date_of_birth=DOB",
            "given_name=FORENAME",
        ]);
        let e = read(
            "x.csv",
            "ID,SURNAME,DOB\n1,Khan,2014-03-07\n".as_bytes(),
            &m,
            BadNhsNumber::Refuse,
        )
        .err();
        assert!(e.is_some_and(|e| e.message.contains("FORENAME")));
    }

    #[test]
    fn bad_rows_are_refused_on_their_own_with_line_and_reason() {
        let m = map(&[
            "source_id=ID",
            "given_name=FIRST",
            "family_name=LAST",
            "date_of_birth=DOB",
            "nhs_number=NHS",
            "sex=SEX",
            "postcode=PC",
        ]);
        let csv = "ID,FIRST,LAST,DOB,NHS,SEX,PC\n\
                   A1,Amara,Okafor,07/03/2014,943 476 5919,F,le3 0sg\n\
                   A2,Ben,Walsh,2014-13-01,,M,\n\
                   A3,Cara,Lee,2015-01-01,943 476 5918,F,\n\
                   A1,Dup,Row,2015-01-01,,F,\n\
                   A5,Dev,Shah,2016-02-02,,X,\n";
        let x = read("h.csv", csv.as_bytes(), &m, BadNhsNumber::Refuse)
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(x.rows.len(), 1);
        let r = &x.rows[0];
        assert_eq!(r.date_of_birth.as_deref(), Some("2014-03-07"));
        assert_eq!(r.nhs_number.as_deref(), Some("9434765919"));
        assert_eq!(r.postcode.as_deref(), Some("LE3 0SG"));
        assert_eq!(r.sex.as_deref(), Some("female"));
        let lines: Vec<u64> = x.refused.iter().map(|r| r.line).collect();
        assert_eq!(lines, vec![3, 4, 5, 6]);
        assert!(x.refused[1].reason.contains("NHS number"));
        assert!(x.refused[2].reason.contains("already on line 2"));
        let kept = read("h.csv", csv.as_bytes(), &m, BadNhsNumber::KeepUnverified)
            .unwrap_or_else(|e| panic!("{e}"));
        let cara = kept
            .rows
            .iter()
            .find(|r| r.source_id == "A3")
            .unwrap_or_else(|| panic!("A3 kept"));
        assert!(!cara.nhs_number_verified);
        assert_eq!(cara.nhs_number.as_deref(), Some("9434765918"));
    }

    #[test]
    fn a_full_name_is_split_and_fingerprints_tell_changes() {
        let m = map(&["source_id=ID", "full_name=NAME", "date_of_birth=DOB"]);
        let x = read(
            "p.csv",
            "ID,NAME,DOB\n9,Mary Jane Smith,2012-01-01\n".as_bytes(),
            &m,
            BadNhsNumber::Refuse,
        )
        .unwrap_or_else(|e| panic!("{e}"));
        let r = &x.rows[0];
        assert_eq!(
            (r.given_name.as_deref(), r.family_name.as_deref()),
            (Some("Mary Jane"), Some("Smith"))
        );
        let mut other = r.clone();
        assert_eq!(other.fingerprint(), r.fingerprint());
        other.postcode = Some("LE1 1AA".into());
        assert_ne!(other.fingerprint(), r.fingerprint());
    }
}
