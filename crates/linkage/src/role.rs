//! What a field means (its role) and how it is compared (its kind).

use serde::{Deserialize, Serialize};

/// The meaning of one field of a person record. The role decides how values are normalised,
/// compared and blocked on.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// First given name ("forename").
    GivenName,
    /// Middle names.
    MiddleName,
    /// Family name ("surname").
    FamilyName,
    /// The whole name in one field, when given and family names are not separate.
    FullName,
    /// Date of birth.
    Dob,
    /// Sex or gender as recorded (only the first letter is compared).
    Sex,
    /// Postcode (UK postcodes are also compared by sector, district and area).
    Postcode,
    /// The street line of an address.
    Address,
    /// House number or name.
    HouseNumber,
    /// Town, suburb or locality.
    Town,
    /// NHS number (ten digits; compared by edit distance, so a typo still scores).
    NhsNumber,
    /// Any other identifier shared between sources (UPN, agency id, social-security number).
    Identifier,
    /// Email address.
    Email,
    /// Another attribute compared for exact equality, with term-frequency adjustment; the
    /// string is its name (e.g. `occupation`).
    Attribute(String),
}

/// How a field's values are compared: each kind has a fixed list of comparison levels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// Personal names: exact, variant, Jaro-Winkler bands, phonetic, initial.
    Name,
    /// A whole name: exact, same words reordered, share of words matching.
    FullName,
    /// Dates: exact, day and month swapped, one digit, same month, within 1 and 10 years.
    Date,
    /// Postcodes: exact, sector, one character, district, area.
    Postcode,
    /// Identifiers: exact, one edit, two edits.
    Identifier,
    /// Sex: same or different.
    Sex,
    /// Email: exact, same user name, Jaro-Winkler.
    Email,
    /// Address lines: exact, Jaro-Winkler bands.
    Address,
    /// Town: exact, Jaro-Winkler.
    Town,
    /// Exact or not.
    Exact,
}

impl Role {
    /// Parse a role name as used on the command line (`given_name`, `dob`, `attribute`…).
    /// `attribute` needs the attribute's name, given as `column`.
    pub fn parse(name: &str, column: &str) -> Result<Role, crate::LinkageError> {
        Ok(match name.trim() {
            "given_name" | "first_name" | "forename" => Role::GivenName,
            "middle_name" => Role::MiddleName,
            "family_name" | "surname" | "last_name" => Role::FamilyName,
            "full_name" | "name" => Role::FullName,
            "dob" | "date_of_birth" => Role::Dob,
            "sex" | "gender" => Role::Sex,
            "postcode" => Role::Postcode,
            "address" => Role::Address,
            "house_number" | "street_number" => Role::HouseNumber,
            "town" | "suburb" | "city" => Role::Town,
            "nhs_number" => Role::NhsNumber,
            "identifier" | "upn" => Role::Identifier,
            "email" => Role::Email,
            "attribute" => Role::Attribute(column.to_owned()),
            other => return Err(crate::LinkageError::UnknownRole(other.to_owned())),
        })
    }

    /// The names `parse` accepts, for help and error messages.
    pub const NAMES: &'static str = "given_name, middle_name, family_name, full_name, dob, sex, postcode, address, house_number, town, nhs_number, identifier, email, attribute";

    /// How values of this role are compared.
    pub fn kind(&self) -> Kind {
        match self {
            Role::GivenName | Role::MiddleName | Role::FamilyName => Kind::Name,
            Role::FullName => Kind::FullName,
            Role::Dob => Kind::Date,
            Role::Sex => Kind::Sex,
            Role::Postcode => Kind::Postcode,
            Role::Address => Kind::Address,
            Role::HouseNumber | Role::Attribute(_) => Kind::Exact,
            Role::Town => Kind::Town,
            Role::NhsNumber | Role::Identifier => Kind::Identifier,
            Role::Email => Kind::Email,
        }
    }

    /// A short label for reports and explanations.
    pub fn label(&self) -> String {
        match self {
            Role::GivenName => "given_name".into(),
            Role::MiddleName => "middle_name".into(),
            Role::FamilyName => "family_name".into(),
            Role::FullName => "full_name".into(),
            Role::Dob => "dob".into(),
            Role::Sex => "sex".into(),
            Role::Postcode => "postcode".into(),
            Role::Address => "address".into(),
            Role::HouseNumber => "house_number".into(),
            Role::Town => "town".into(),
            Role::NhsNumber => "nhs_number".into(),
            Role::Identifier => "identifier".into(),
            Role::Email => "email".into(),
            Role::Attribute(a) => format!("attribute:{a}"),
        }
    }

    /// Which group of correlated roles this belongs to. A training block on one role of a
    /// group says nothing reliable about the others (people at one postcode share a street).
    pub(crate) fn group(&self) -> u8 {
        match self {
            Role::GivenName | Role::MiddleName | Role::FamilyName | Role::FullName => 1,
            Role::Dob => 2,
            Role::Postcode | Role::Address | Role::HouseNumber | Role::Town => 3,
            Role::NhsNumber | Role::Identifier => 4,
            Role::Email => 5,
            Role::Sex => 6,
            Role::Attribute(_) => 7,
        }
    }
}

impl Kind {
    /// The labels of this kind's comparison levels; level 0 is always "missing" (one side has
    /// no value), which carries no weight.
    pub fn levels(self) -> &'static [&'static str] {
        match self {
            Kind::Name => &[
                "missing",
                "exact",
                "nickname or transliteration",
                "Jaro-Winkler >= 0.92",
                "Jaro-Winkler >= 0.88",
                "same phonetic key",
                "initial matches",
                "Jaro-Winkler >= 0.70",
                "different",
            ],
            Kind::FullName => &[
                "missing",
                "exact",
                "same words, other order",
                "two thirds of words match",
                "half of words match",
                "different",
            ],
            Kind::Date => &[
                "missing",
                "exact",
                "day and month swapped",
                "one digit different",
                "same month and year",
                "within a year",
                "within 10 years",
                "different",
            ],
            Kind::Postcode => &[
                "missing",
                "exact",
                "same sector",
                "one character different",
                "same district",
                "same area",
                "different",
            ],
            Kind::Identifier => &[
                "missing",
                "exact",
                "one edit (typo or transposition)",
                "two edits",
                "different",
            ],
            Kind::Sex => &["missing", "same", "different"],
            Kind::Email => &[
                "missing",
                "exact",
                "same user name",
                "Jaro-Winkler >= 0.88",
                "different",
            ],
            Kind::Address => &[
                "missing",
                "exact",
                "Jaro-Winkler >= 0.90",
                "Jaro-Winkler >= 0.80",
                "different",
            ],
            Kind::Town => &["missing", "exact", "Jaro-Winkler >= 0.88", "different"],
            Kind::Exact => &["missing", "exact", "different"],
        }
    }

    /// Whether the exact level is adjusted by how common the value is (a shared rare surname
    /// says more than a shared common one).
    pub fn term_frequency(self) -> bool {
        matches!(
            self,
            Kind::Name | Kind::FullName | Kind::Postcode | Kind::Address | Kind::Town | Kind::Exact
        )
    }

    /// A starting m for each level before training, and the value used for a level that
    /// training could not estimate: most of the mass on agreement.
    pub(crate) fn default_m(self) -> Vec<f64> {
        let n = self.levels().len();
        let mut m = vec![0.0; n];
        let mut rest = 0.1;
        if let Some(x) = m.get_mut(1) {
            *x = 0.9;
        }
        for (i, x) in m.iter_mut().enumerate().skip(2) {
            let share = if i + 1 == n { rest } else { rest / 2.0 };
            *x = share;
            rest -= share;
        }
        m
    }
}

/// One record to be linked: its id and its values by role. Values are raw text; the engine
/// normalises them. An empty value counts as missing.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Record {
    /// The caller's id for this record (an agency record id or a person id).
    pub id: String,
    /// Values by role.
    pub values: Vec<(Role, String)>,
}

impl Record {
    /// A record with no values yet.
    pub fn new(id: impl Into<String>) -> Self {
        Self {
            id: id.into(),
            values: Vec::new(),
        }
    }
    /// Add a value (builder style).
    pub fn with(mut self, role: Role, value: impl Into<String>) -> Self {
        self.values.push((role, value.into()));
        self
    }
    /// The value for a role, if any.
    pub fn get(&self, role: &Role) -> Option<&str> {
        self.values
            .iter()
            .find(|(r, _)| r == role)
            .map(|(_, v)| v.as_str())
    }
}
