//! How a practitioner comes to work with a child: the relationships that open a record are
//! corroborated, never declared. A declaration is only a request until someone accountable
//! approves it; every relationship ends unless it is renewed; a declared role must fit the
//! declarer's agency.

use crate::person::InvolvementRole;
use crate::{AgencyType, FieldError};
use serde::{Deserialize, Serialize};

/// How long an involvement lasts before it must be renewed, when the authority sets nothing.
pub const DEFAULT_INVOLVEMENT_MONTHS: u32 = 12;

/// The longest an authority may let an involvement run before renewal.
pub const MAX_INVOLVEMENT_MONTHS: u32 = 36;

/// Where an involvement came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum InvolvementSource {
    /// A row of an agency's own extract (the agency's system of record says so).
    AgencyExtract,
    /// The practitioner registered a child who was not yet in the index.
    Registered,
    /// The practitioner said they work with the child; it needs approval.
    Declared,
}

impl InvolvementSource {
    /// Stored form (the `basis` column of `involvements`).
    pub fn as_str(self) -> &'static str {
        match self {
            InvolvementSource::AgencyExtract => "agency_extract",
            InvolvementSource::Registered => "registered",
            InvolvementSource::Declared => "declared",
        }
    }
    /// Parse the stored form.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "agency_extract" => Some(InvolvementSource::AgencyExtract),
            "registered" => Some(InvolvementSource::Registered),
            "declared" => Some(InvolvementSource::Declared),
            _ => None,
        }
    }
}

vocabulary! {
    /// Where a declared involvement stands. Only an approved one, not yet expired, opens a record.
    InvolvementStatus, "status", "a status" {
        /// Waiting for someone accountable to approve it: it opens nothing.
        Pending = ("pending", "Waiting for approval"),
        /// Approved (or corroborated by the agency's own records).
        Approved = ("approved", "Approved"),
        /// Refused, with the reason.
        Refused = ("refused", "Refused"),
        /// Ended by the practitioner, or replaced by a renewal.
        Ended = ("ended", "Ended"),
    }
}

/// Whether a practitioner of `agency` can honestly work with a child in `role`. Approval is
/// still needed: this only refuses declarations that cannot be true (a police officer as the
/// child's health visitor).
pub fn role_fits_agency(role: InvolvementRole, agency: AgencyType) -> bool {
    use AgencyType as A;
    use InvolvementRole as R;
    match role {
        R::HealthVisitor | R::Midwife | R::Gp | R::SchoolNurse | R::Camhs => agency == A::Health,
        R::School => agency == A::Education,
        R::EarlyYears => matches!(agency, A::Education | A::Voluntary | A::Private),
        R::SocialWorker => agency == A::SocialCare,
        R::FamilySupport => matches!(
            agency,
            A::SocialCare | A::Education | A::Voluntary | A::Private
        ),
        R::YouthWorker => matches!(agency, A::SocialCare | A::Education | A::Voluntary),
        R::YouthOffending => matches!(agency, A::SocialCare | A::Police | A::Health),
        R::Police => agency == A::Police,
        R::Housing => agency == A::Housing,
        R::Voluntary => matches!(agency, A::Voluntary | A::Private),
        R::Other => true,
    }
}

/// Parse a declared role and check it fits the declarer's agency.
pub fn parse_declared_role(raw: &str, agency: AgencyType) -> Result<InvolvementRole, FieldError> {
    let role = InvolvementRole::parse(raw)?;
    if role_fits_agency(role, agency) {
        Ok(role)
    } else {
        Err(FieldError::new(
            "role",
            format!(
                "A {} organisation cannot work with a child as “{}”: choose a role your agency has",
                agency.label().to_lowercase(),
                role.label()
            ),
        ))
    }
}

/// The reason given for a declaration or a decision on one: at least 10 characters, at most 1,000.
pub fn parse_reason(raw: &str, field: &'static str, what: &str) -> Result<String, FieldError> {
    let s = raw.trim();
    let n = s.chars().count();
    if n < 10 {
        return Err(FieldError::new(
            field,
            format!("Explain in at least 10 characters {what}"),
        ));
    }
    if n > 1000 || s.chars().any(|c| c.is_control() && c != '\n' && c != '\r') {
        return Err(FieldError::new(
            field,
            "The reason must be 1,000 characters or fewer, without control characters",
        ));
    }
    Ok(s.to_owned())
}

/// The length of an involvement in months, as an authority sets it.
pub fn parse_involvement_months(raw: &str) -> Result<u32, FieldError> {
    match raw.trim().parse::<u32>() {
        Ok(n) if (1..=MAX_INVOLVEMENT_MONTHS).contains(&n) => Ok(n),
        _ => Err(FieldError::new(
            "involvement_months",
            format!("Enter a whole number of months from 1 to {MAX_INVOLVEMENT_MONTHS}"),
        )),
    }
}

/// The day an involvement starting (or renewed) on `from` lapses: `months` later, clamped to
/// the end of a shorter month (31 January + 1 month = 28 or 29 February).
pub fn expiry(from: time::Date, months: u32) -> time::Date {
    let total = from.year() * 12 + (from.month() as i32 - 1) + months as i32;
    let (year, month0) = (total.div_euclid(12), total.rem_euclid(12));
    let month = time::Month::try_from(month0 as u8 + 1).unwrap_or(time::Month::December);
    let last = month.length(year);
    time::Date::from_calendar_date(year, month, from.day().min(last)).unwrap_or(from)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn roles_must_fit_the_agency() {
        assert!(role_fits_agency(
            InvolvementRole::HealthVisitor,
            AgencyType::Health
        ));
        assert!(!role_fits_agency(
            InvolvementRole::HealthVisitor,
            AgencyType::Police
        ));
        assert!(!role_fits_agency(
            InvolvementRole::SocialWorker,
            AgencyType::Education
        ));
        assert!(role_fits_agency(
            InvolvementRole::School,
            AgencyType::Education
        ));
        assert!(!role_fits_agency(
            InvolvementRole::Police,
            AgencyType::Voluntary
        ));
        // Every agency has at least two roles it can declare.
        for a in AgencyType::ALL {
            let n = InvolvementRole::ALL
                .iter()
                .filter(|r| role_fits_agency(**r, a))
                .count();
            assert!(n >= 2, "{a:?}");
        }
        let e = parse_declared_role("health_visitor", AgencyType::Police).unwrap_err();
        assert_eq!(e.field, "role");
        assert!(e.message.contains("police organisation"), "{}", e.message);
        assert!(parse_declared_role("wizard", AgencyType::Health).is_err());
    }

    #[test]
    fn reasons_are_explained_and_bounded() {
        assert!(parse_reason("short", "reason", "why").is_err());
        assert!(parse_reason(&"x".repeat(1001), "reason", "why").is_err());
        assert!(parse_reason("bad\u{0}reason text", "reason", "why").is_err());
        assert_eq!(
            parse_reason("  Health visitor since May  ", "reason", "why").unwrap(),
            "Health visitor since May"
        );
    }

    #[test]
    fn involvements_lapse_after_whole_months() {
        assert_eq!(expiry(date!(2026 - 01 - 31), 1), date!(2026 - 02 - 28));
        assert_eq!(expiry(date!(2028 - 01 - 31), 1), date!(2028 - 02 - 29));
        assert_eq!(expiry(date!(2026 - 12 - 07), 12), date!(2027 - 12 - 07));
        assert_eq!(expiry(date!(2026 - 11 - 30), 3), date!(2027 - 02 - 28));
        assert_eq!(parse_involvement_months("12").unwrap(), 12);
        assert!(parse_involvement_months("0").is_err());
        assert!(parse_involvement_months("37").is_err());
        assert!(parse_involvement_months("twelve").is_err());
    }

    #[test]
    fn statuses_and_sources_round_trip() {
        for s in InvolvementStatus::ALL {
            assert_eq!(InvolvementStatus::parse(s.as_str()).unwrap(), *s);
        }
        for s in [
            InvolvementSource::AgencyExtract,
            InvolvementSource::Registered,
            InvolvementSource::Declared,
        ] {
            assert_eq!(InvolvementSource::parse(s.as_str()), Some(s));
        }
    }
}
