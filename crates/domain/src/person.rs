//! People in the multi-agency index: children and the adults around them, parsed from raw
//! input, with the vocabularies their fields use (sex, ethnicity, SEND, relationships,
//! involvement roles, flags).

use crate::FieldError;
use serde::{Deserialize, Serialize};

/// Database id of a person.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct PersonId(pub i64);

/// Defines a vocabulary: an enum with stored forms and labels, `ALL`, `as_str`, `label` and
/// `parse` (naming `field` in the error).
macro_rules! vocabulary {
    ($(#[$doc:meta])* $name:ident, $field:literal, $what:literal { $($(#[$vdoc:meta])* $v:ident = ($s:literal, $l:literal),)* }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($(#[$vdoc])* $v,)* }
        impl $name {
            /// Every value, in display order.
            pub const ALL: &'static [$name] = &[$($name::$v,)*];
            /// Stored form.
            pub fn as_str(self) -> &'static str { match self { $($name::$v => $s,)* } }
            /// The form field that asks how things are now for this value, where a form asks
            /// once per value (e.g. each need at closure): `outcome-` and the stored form.
            pub fn outcome_field(self) -> &'static str {
                match self { $($name::$v => concat!("outcome-", $s),)* }
            }
            /// Words for people.
            pub fn label(self) -> &'static str { match self { $($name::$v => $l,)* } }
            /// Parse the stored form.
            pub fn parse(s: &str) -> Result<Self, FieldError> {
                match s.trim() {
                    $($s => Ok($name::$v),)*
                    _ => Err(FieldError::new($field, concat!("Choose ", $what, " from the list"))),
                }
            }
        }
    };
}

vocabulary! {
    /// Child or adult.
    PersonKind, "kind", "child or adult" {
        /// Under 18, or to 25 with SEND, and the subject of a record.
        Child = ("child", "Child or young person"),
        /// A parent, carer or other adult in a child's life.
        Adult = ("adult", "Adult"),
    }
}

vocabulary! {
    /// Sex as recorded by the agency.
    Sex, "sex", "a sex" {
        /// Female.
        Female = ("female", "Female"),
        /// Male.
        Male = ("male", "Male"),
        /// Another answer.
        Other = ("other", "Other"),
        /// Not known or not recorded.
        NotKnown = ("not_known", "Not known"),
    }
}

vocabulary! {
    /// Ethnic group: the 19 categories of the ONS Census 2021 for England, and the answers
    /// for not stated and refused.
    Ethnicity, "ethnicity", "an ethnic group" {
        /// Asian or Asian British: Indian.
        Indian = ("asian_indian", "Asian or Asian British: Indian"),
        /// Asian or Asian British: Pakistani.
        Pakistani = ("asian_pakistani", "Asian or Asian British: Pakistani"),
        /// Asian or Asian British: Bangladeshi.
        Bangladeshi = ("asian_bangladeshi", "Asian or Asian British: Bangladeshi"),
        /// Asian or Asian British: Chinese.
        Chinese = ("asian_chinese", "Asian or Asian British: Chinese"),
        /// Asian or Asian British: any other Asian background.
        OtherAsian = ("asian_other", "Asian or Asian British: any other Asian background"),
        /// Black, Black British, Caribbean or African: African.
        African = ("black_african", "Black, Black British, Caribbean or African: African"),
        /// Black, Black British, Caribbean or African: Caribbean.
        Caribbean = ("black_caribbean", "Black, Black British, Caribbean or African: Caribbean"),
        /// Black, Black British, Caribbean or African: any other Black background.
        OtherBlack = ("black_other", "Black, Black British, Caribbean or African: any other Black background"),
        /// Mixed or multiple: White and Asian.
        WhiteAsian = ("mixed_white_asian", "Mixed or multiple ethnic groups: White and Asian"),
        /// Mixed or multiple: White and Black African.
        WhiteBlackAfrican = ("mixed_white_black_african", "Mixed or multiple ethnic groups: White and Black African"),
        /// Mixed or multiple: White and Black Caribbean.
        WhiteBlackCaribbean = ("mixed_white_black_caribbean", "Mixed or multiple ethnic groups: White and Black Caribbean"),
        /// Mixed or multiple: any other mixed background.
        OtherMixed = ("mixed_other", "Mixed or multiple ethnic groups: any other background"),
        /// White: English, Welsh, Scottish, Northern Irish or British.
        WhiteBritish = ("white_british", "White: English, Welsh, Scottish, Northern Irish or British"),
        /// White: Irish.
        WhiteIrish = ("white_irish", "White: Irish"),
        /// White: Gypsy or Irish Traveller.
        GypsyTraveller = ("white_gypsy_traveller", "White: Gypsy or Irish Traveller"),
        /// White: Roma.
        Roma = ("white_roma", "White: Roma"),
        /// White: any other White background.
        OtherWhite = ("white_other", "White: any other White background"),
        /// Other ethnic group: Arab.
        Arab = ("other_arab", "Other ethnic group: Arab"),
        /// Other ethnic group: any other.
        AnyOther = ("other_any", "Other ethnic group: any other"),
        /// Not stated.
        NotStated = ("not_stated", "Not stated"),
        /// Refused.
        Refused = ("refused", "Refused"),
    }
}

vocabulary! {
    /// Special educational needs and disability support.
    SendStatus, "send_status", "a level of support" {
        /// None recorded.
        None = ("none", "None recorded"),
        /// SEN support in school.
        SenSupport = ("sen_support", "SEN support"),
        /// An education, health and care plan.
        EhcPlan = ("ehc_plan", "Education, health and care plan"),
    }
}

vocabulary! {
    /// How a person is related to another (read: `person` is the `kind` of `related`).
    RelationshipKind, "relationship", "a relationship" {
        /// Mother.
        Mother = ("mother", "Mother"),
        /// Father.
        Father = ("father", "Father"),
        /// Step-parent or a parent's partner.
        StepParent = ("step_parent", "Step-parent or parent's partner"),
        /// Foster carer.
        FosterCarer = ("foster_carer", "Foster carer"),
        /// Kinship carer, special guardian or other carer.
        Carer = ("carer", "Carer or guardian"),
        /// Grandparent.
        Grandparent = ("grandparent", "Grandparent"),
        /// Brother or sister (including half- and step-).
        Sibling = ("sibling", "Brother or sister"),
        /// Another relative.
        OtherRelative = ("other_relative", "Other relative"),
    }
}

vocabulary! {
    /// The role in which an agency or practitioner works with a child.
    InvolvementRole, "role", "a role" {
        /// Health visitor.
        HealthVisitor = ("health_visitor", "Health visitor"),
        /// Midwife.
        Midwife = ("midwife", "Midwife"),
        /// General practitioner.
        Gp = ("gp", "GP"),
        /// School nurse.
        SchoolNurse = ("school_nurse", "School nurse"),
        /// School or college.
        School = ("school", "School or college"),
        /// Early years setting.
        EarlyYears = ("early_years", "Early years setting"),
        /// Social worker.
        SocialWorker = ("social_worker", "Social worker"),
        /// Family support or early help worker.
        FamilySupport = ("family_support", "Family support worker"),
        /// Youth worker.
        YouthWorker = ("youth_worker", "Youth worker"),
        /// Youth offending team.
        YouthOffending = ("youth_offending", "Youth offending team"),
        /// Police.
        Police = ("police", "Police"),
        /// Child and adolescent mental health service.
        Camhs = ("camhs", "CAMHS"),
        /// Housing.
        Housing = ("housing", "Housing"),
        /// Voluntary sector.
        Voluntary = ("voluntary", "Voluntary sector"),
        /// Any other.
        Other = ("other", "Other"),
    }
}

vocabulary! {
    /// A flag every practitioner with access must see.
    FlagKind, "flag", "a flag" {
        /// Subject of a child protection plan.
        ChildProtectionPlan = ("child_protection_plan", "Child protection plan"),
        /// Looked after by the local authority.
        LookedAfter = ("looked_after", "Looked after"),
        /// A child in need (Children Act 1989 s17).
        ChildInNeed = ("child_in_need", "Child in need"),
        /// Young carer.
        YoungCarer = ("young_carer", "Young carer"),
        /// Missing from education.
        MissingFromEducation = ("missing_from_education", "Missing from education"),
    }
}

/// Whether a search of the index names a child closely enough to be a search for one child
/// rather than a list to harvest: an NHS number or UPN; or a name with a date of birth or a
/// postcode; or a first and last name. A date of birth or a postcode alone, or one word of a
/// name alone, is refused, naming what to add.
pub fn search_is_specific(
    name: Option<&str>,
    date_of_birth: Option<&str>,
    identifier: Option<&str>,
    postcode: Option<&str>,
) -> Result<(), FieldError> {
    let given = |v: Option<&str>| v.is_some_and(|s| !s.trim().is_empty());
    if given(identifier) {
        return Ok(());
    }
    let words = name.map(|n| name_tokens(n).len()).unwrap_or(0);
    match (words, given(date_of_birth) || given(postcode)) {
        (0, true) => Err(FieldError::new(
            "name",
            "Enter the child's name as well: a date of birth or postcode alone lists other children",
        )),
        (0, false) => Err(FieldError::new(
            "name",
            "Enter the child's name, or their NHS number or unique pupil number",
        )),
        (1, false) => Err(FieldError::new(
            "name",
            "Enter the child's first and last name, or add their date of birth or postcode",
        )),
        _ => Ok(()),
    }
}

/// A name part: 1 to 100 characters, no control characters, trimmed.
pub fn parse_name(raw: &str, field: &'static str, what: &str) -> Result<String, FieldError> {
    let s = raw.trim();
    if s.is_empty() {
        return Err(FieldError::new(field, format!("Enter the {what}")));
    }
    if s.chars().count() > 100 || s.chars().any(char::is_control) {
        return Err(FieldError::new(
            field,
            format!("The {what} must be 100 characters or fewer, without control characters"),
        ));
    }
    Ok(s.to_owned())
}

/// A date of birth written `YYYY-MM-DD`, not in the future of `today` and not more than 120
/// years before it.
pub fn parse_date_of_birth(raw: &str, today: time::Date) -> Result<time::Date, FieldError> {
    let field = "date_of_birth";
    let d = time::Date::parse(
        raw.trim(),
        &time::format_description::well_known::Iso8601::DATE,
    )
    .map_err(|_| {
        FieldError::new(
            field,
            "Enter the date of birth as a real date, like 2015-03-27",
        )
    })?;
    if d > today {
        return Err(FieldError::new(
            field,
            "The date of birth must be today or in the past",
        ));
    }
    if today.year() - d.year() > 120 {
        return Err(FieldError::new(field, "Check the year of birth"));
    }
    Ok(d)
}

/// Age in whole years on `on`.
pub fn age_on(dob: time::Date, on: time::Date) -> i32 {
    let mut years = on.year() - dob.year();
    if (on.month() as u8, on.day()) < (dob.month() as u8, dob.day()) {
        years -= 1;
    }
    years
}

/// Lower-case letters of each name part (punctuation dropped), for comparing.
pub fn name_tokens(s: &str) -> Vec<String> {
    s.split(|c: char| c.is_whitespace() || c == '-' || c == '\'')
        .map(|t| {
            t.chars()
                .filter(|c| c.is_alphabetic())
                .flat_map(char::to_lowercase)
                .collect::<String>()
        })
        .filter(|t| !t.is_empty())
        .collect()
}

/// How well a typed name matches a person's names, from 0 to 1: each typed word is matched
/// with the closest of the person's names (Jaro-Winkler), in any order, and the scores are
/// averaged; so "Mohamed Khan" finds Muhammad Khan, and "Khan Mohammed" does too.
pub fn name_similarity(query: &str, given: &str, middle: &str, family: &str) -> f64 {
    let q = name_tokens(query);
    let names: Vec<String> = [given, middle, family]
        .iter()
        .flat_map(|s| name_tokens(s))
        .collect();
    if q.is_empty() || names.is_empty() {
        return 0.0;
    }
    let total: f64 = q
        .iter()
        .map(|t| {
            names
                .iter()
                .map(|n| strsim::jaro_winkler(t, n))
                .fold(0.0, f64::max)
        })
        .sum();
    total / q.len() as f64
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn names_match_across_spelling_and_order() {
        let m = name_similarity("Mohamed Khan", "Muhammad", "", "Khan");
        assert!(m > 0.85, "{m}");
        assert!((name_similarity("khan muhammad", "Muhammad", "", "Khan") - 1.0).abs() < 1e-9);
        assert!(name_similarity("Amelia Nowak", "Muhammad", "", "Khan") < 0.6);
        assert_eq!(name_similarity("", "A", "", "B"), 0.0);
        assert_eq!(
            name_tokens("O'Brien-Smith  Zoë"),
            vec!["o", "brien", "smith", "zoë"]
        );
    }

    #[test]
    fn vocabularies_round_trip_and_name_their_field() {
        for e in Ethnicity::ALL {
            assert_eq!(Ethnicity::parse(e.as_str()), Ok(*e));
        }
        assert_eq!(
            Ethnicity::ALL.len(),
            21,
            "19 ONS 2021 categories, not stated, refused"
        );
        assert_eq!(Sex::parse("x").err().map(|e| e.field), Some("sex"));
        assert_eq!(FlagKind::parse("looked_after"), Ok(FlagKind::LookedAfter));
        assert!(InvolvementRole::parse("wizard").is_err());
    }

    #[test]
    fn dates_of_birth_and_ages() {
        let today = date!(2026 - 11 - 23);
        assert_eq!(
            parse_date_of_birth("2015-03-27", today),
            Ok(date!(2015 - 03 - 27))
        );
        assert!(parse_date_of_birth("2027-01-01", today).is_err());
        assert!(parse_date_of_birth("2015-02-30", today).is_err());
        assert!(parse_date_of_birth("27/03/2015", today).is_err());
        assert_eq!(age_on(date!(2015 - 11 - 23), today), 11);
        assert_eq!(age_on(date!(2015 - 11 - 24), today), 10);
    }

    #[test]
    fn names_are_trimmed_and_bounded() {
        assert_eq!(
            parse_name("  Amara ", "given_name", "first name"),
            Ok("Amara".into())
        );
        assert_eq!(
            parse_name(" ", "given_name", "first name")
                .err()
                .map(|e| e.message),
            Some("Enter the first name".into())
        );
        assert!(parse_name(&"x".repeat(101), "family_name", "last name").is_err());
    }

    #[test]
    fn a_search_must_name_one_child() {
        assert!(search_is_specific(None, Some("2016-03-04"), None, None).is_err());
        assert!(search_is_specific(None, None, None, Some("LE3 0SG")).is_err());
        assert!(search_is_specific(Some("Asha"), None, None, None).is_err());
        assert!(search_is_specific(Some("  "), Some("2016-03-04"), None, None).is_err());
        assert!(search_is_specific(Some("Asha"), Some("2016-03-04"), None, None).is_ok());
        assert!(search_is_specific(Some("Asha"), None, None, Some("LE3 0SG")).is_ok());
        assert!(search_is_specific(Some("Asha Patel"), None, None, None).is_ok());
        assert!(search_is_specific(None, None, Some("9434765919"), None).is_ok());
        let e = search_is_specific(None, Some("2016-03-04"), None, None).unwrap_err();
        assert_eq!(e.field, "name");
    }
}

/// One row of an agency's extract of the children it works with, checked: what the index
/// links to a person.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ExtractRow {
    /// The agency's own id for the record (unique within the agency).
    pub source_id: String,
    /// First name.
    pub given_name: Option<String>,
    /// Middle names.
    pub middle_names: Option<String>,
    /// Last name.
    pub family_name: Option<String>,
    /// Date of birth, `YYYY-MM-DD`.
    pub date_of_birth: Option<String>,
    /// Sex (stored form).
    pub sex: Option<String>,
    /// Postcode (normal form).
    pub postcode: Option<String>,
    /// Address line.
    pub address: Option<String>,
    /// NHS number (ten digits).
    pub nhs_number: Option<String>,
    /// Whether the NHS number passed its check (`false` only when kept unverified).
    pub nhs_number_verified: bool,
    /// Unique pupil number.
    pub upn: Option<String>,
    /// When the agency started working with the child, `YYYY-MM-DD`.
    pub since: Option<String>,
    /// The team or service within the agency.
    pub team: Option<String>,
    /// The worker the agency's record names (their everychild username or email), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub worker: Option<String>,
}

impl ExtractRow {
    /// A stable fingerprint of the row's values (to tell an unchanged row on re-import).
    pub fn fingerprint(&self) -> String {
        use sha2::{Digest, Sha256};
        let parts = [
            Some(self.source_id.as_str()),
            self.given_name.as_deref(),
            self.middle_names.as_deref(),
            self.family_name.as_deref(),
            self.date_of_birth.as_deref(),
            self.sex.as_deref(),
            self.postcode.as_deref(),
            self.address.as_deref(),
            self.nhs_number.as_deref(),
            Some(if self.nhs_number_verified { "v" } else { "u" }),
            self.upn.as_deref(),
            self.since.as_deref(),
            self.team.as_deref(),
        ];
        let mut h = Sha256::new();
        // The named worker counts only when given, so rows stored before it existed keep
        // their fingerprint.
        let worker = self.worker.as_deref().map(Some);
        for p in parts.into_iter().chain(worker) {
            let v = p.unwrap_or("\u{0}");
            h.update((v.len() as u64).to_be_bytes());
            h.update(v.as_bytes());
        }
        hex::encode(h.finalize())
    }
}
