//! Values of the multi-agency index: people, their family, who is involved, flags, agency
//! records and search hits.

use serde::Serialize;

/// A new person.
#[derive(Debug, Clone, Default)]
pub struct NewPerson {
    /// `child` or `adult`.
    pub kind: String,
    /// First name.
    pub given_name: String,
    /// Middle names.
    pub middle_names: String,
    /// Last name.
    pub family_name: String,
    /// Date of birth, `YYYY-MM-DD`.
    pub date_of_birth: Option<String>,
    /// `female`, `male`, `other` or `not_known`.
    pub sex: String,
    /// NHS number (checked by the caller) and its status.
    pub nhs_number: Option<String>,
    /// `none`, `verified`, `unverified` or `withheld`.
    pub nhs_number_status: String,
    /// Unique pupil number (checked by the caller).
    pub upn: Option<String>,
    /// Ethnic group (stored form).
    pub ethnicity: Option<String>,
    /// First language.
    pub first_language: Option<String>,
    /// Disability, in words.
    pub disability: Option<String>,
    /// `none`, `sen_support` or `ehc_plan`.
    pub send_status: String,
    /// Address, one line.
    pub address: Option<String>,
    /// Postcode (normal form).
    pub postcode: Option<String>,
    /// Phone.
    pub phone: Option<String>,
}

/// A person as a record shows them; address and contacts are `None` when shielded.
#[derive(Debug, Clone, Serialize)]
pub struct PersonView {
    /// Id.
    pub id: i64,
    /// `child` or `adult`.
    pub kind: String,
    /// First name.
    pub given_name: String,
    /// Middle names.
    pub middle_names: String,
    /// Last name.
    pub family_name: String,
    /// Date of birth.
    pub date_of_birth: Option<String>,
    /// Sex (stored form).
    pub sex: String,
    /// NHS number (absent when withheld).
    pub nhs_number: Option<String>,
    /// NHS number status.
    pub nhs_number_status: String,
    /// UPN.
    pub upn: Option<String>,
    /// Ethnic group (stored form).
    pub ethnicity: Option<String>,
    /// First language.
    pub first_language: Option<String>,
    /// Disability.
    pub disability: Option<String>,
    /// SEND status.
    pub send_status: String,
    /// Whether address and contacts are hidden everywhere.
    pub shielded: bool,
    /// Address (hidden when shielded).
    pub address: Option<String>,
    /// Postcode (hidden when shielded).
    pub postcode: Option<String>,
    /// Phone (hidden when shielded).
    pub phone: Option<String>,
    /// Record version (for optimistic concurrency).
    pub version: i64,
}

impl PersonView {
    /// First and last name.
    pub fn full_name(&self) -> String {
        format!("{} {}", self.given_name, self.family_name)
    }
}

/// A family member or other related person.
#[derive(Debug, Clone, Serialize)]
pub struct Relative {
    /// The relative.
    pub person: PersonView,
    /// How they are related to the child (stored form, e.g. `mother`).
    pub kind: String,
    /// Whether they live in the child's household.
    pub same_household: bool,
    /// Whether they have parental responsibility.
    pub parental_responsibility: bool,
}

/// An agency or practitioner involved with a child.
#[derive(Debug, Clone, Serialize)]
pub struct Involvement {
    /// Id.
    pub id: i64,
    /// Organisation.
    pub organisation: String,
    /// Its agency type (stored form).
    pub agency_type: String,
    /// Practitioner's name, if one is named.
    pub practitioner: Option<String>,
    /// Practitioner's user id.
    pub practitioner_id: Option<i64>,
    /// Team.
    pub team: Option<String>,
    /// Role (stored form).
    pub role: String,
    /// Since.
    pub since: String,
    /// Until, if ended.
    pub until: Option<String>,
    /// How to contact them (hidden where the viewer's role may not see it).
    pub contact: Option<String>,
    /// Whether the contact details were withheld from this viewer.
    pub contact_withheld: bool,
}

/// A flag on a child.
#[derive(Debug, Clone, Serialize)]
pub struct Flag {
    /// Id.
    pub id: i64,
    /// Kind (stored form).
    pub kind: String,
    /// Since.
    pub since: String,
    /// Until, if ended.
    pub until: Option<String>,
    /// Who recorded it.
    pub organisation: Option<String>,
}

/// An address held for a person, with its dates.
#[derive(Debug, Clone, Serialize)]
pub struct AddressRow {
    /// Address.
    pub address: String,
    /// Postcode.
    pub postcode: Option<String>,
    /// From.
    pub from_date: Option<String>,
    /// To.
    pub to_date: Option<String>,
    /// Where it came from.
    pub source: String,
}

/// An agency's record of a person, as linked in the index.
#[derive(Debug, Clone, Serialize)]
pub struct AgencyRecord {
    /// Id.
    pub id: i64,
    /// Agency.
    pub organisation: String,
    /// The agency's own id.
    pub source_id: String,
    /// `linked`, `review` or `new`.
    pub status: String,
    /// Match probability when linked by the engine.
    pub probability: Option<f64>,
    /// Last seen in an extract.
    pub last_seen: String,
}

/// Everything a child's record shows.
#[derive(Debug, Clone, Serialize)]
pub struct ChildRecord {
    /// The child.
    pub child: PersonView,
    /// People merged into this record (ids), so nothing is lost.
    pub merged: Vec<i64>,
    /// Family and household.
    pub family: Vec<Relative>,
    /// Who is involved.
    pub involvements: Vec<Involvement>,
    /// Flags.
    pub flags: Vec<Flag>,
    /// Address history (empty when shielded).
    pub addresses: Vec<AddressRow>,
    /// Agency records linked to the child.
    pub agency_records: Vec<AgencyRecord>,
}

/// A child found by a search: enough to recognise them, nothing more.
#[derive(Debug, Clone, Serialize)]
pub struct ChildHit {
    /// Id.
    pub id: i64,
    /// Name.
    pub name: String,
    /// Date of birth.
    pub date_of_birth: Option<String>,
    /// Postcode district (outward code), unless shielded.
    pub district: Option<String>,
    /// How well the search matched (1 is exact).
    pub score: f64,
    /// Whether the searcher already has a basis to open the record.
    pub can_open: bool,
}

/// A search of the index.
#[derive(Debug, Clone, Default)]
pub struct ChildQuery {
    /// Name text (any order of names).
    pub name: Option<String>,
    /// Date of birth.
    pub date_of_birth: Option<String>,
    /// NHS number or UPN.
    pub identifier: Option<String>,
    /// Postcode.
    pub postcode: Option<String>,
}

/// A new involvement.
#[derive(Debug, Clone)]
pub struct NewInvolvement {
    /// Role (stored form).
    pub role: String,
    /// Team, if any.
    pub team: Option<String>,
    /// Since, `YYYY-MM-DD`.
    pub since: String,
    /// How to contact them.
    pub contact: Option<String>,
}

/// A break-glass access awaiting or after review.
#[derive(Debug, Clone, Serialize)]
pub struct BreakGlassRow {
    /// Id.
    pub id: i64,
    /// Who.
    pub username: String,
    /// Their name.
    pub display_name: String,
    /// The child.
    pub child_id: i64,
    /// The reason given.
    pub reason: String,
    /// When.
    pub granted_at: String,
    /// Until.
    pub expires_at: String,
    /// Review outcome (`appropriate` or `inappropriate`), if reviewed.
    pub review_outcome: Option<String>,
    /// Reviewer.
    pub reviewed_by: Option<String>,
}
