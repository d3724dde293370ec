//! The Open Referral UK 3.0 documents (HSDS 3.0 with the UK profile's changes) as Rust types,
//! and the checks a document must pass before it is stored. Field names are the profile's, so
//! serde reads and writes the wire form directly; every optional field is left out of the
//! output when empty, as the profile's examples do.

use serde::{Deserialize, Serialize};

fn is_empty<T>(v: &[T]) -> bool {
    v.is_empty()
}

/// A taxonomy term as it appears inside an attribute, or on its own.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct TaxonomyTerm {
    /// UUID.
    pub id: String,
    /// Name.
    #[serde(default)]
    pub name: String,
    /// Description (required by the profile; we fill it with the name when a feed has none).
    #[serde(default)]
    pub description: String,
    /// Parent term.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent_id: Option<String>,
    /// Name of the taxonomy the term belongs to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub taxonomy: Option<String>,
    /// The taxonomy's id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub taxonomy_id: Option<String>,
    /// A URI for the term.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub term_uri: Option<String>,
    /// The term's code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub term: Option<String>,
}

/// A taxonomy (a named list of terms).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Taxonomy {
    /// UUID.
    pub id: String,
    /// Name.
    #[serde(default)]
    pub name: String,
    /// Description.
    #[serde(default)]
    pub description: String,
    /// Where it is published.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uri: Option<String>,
    /// Its version.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
}

/// A link from an entity to a taxonomy term.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Attribute {
    /// UUID.
    pub id: String,
    /// The entity linked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub link_id: Option<String>,
    /// The term's id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub taxonomy_term_id: Option<String>,
    /// What the link means.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub link_type: Option<String>,
    /// The term itself.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub taxonomy_term: Option<TaxonomyTerm>,
}

impl Attribute {
    /// The id of the linked term, from either field.
    pub fn term_id(&self) -> Option<&str> {
        self.taxonomy_term
            .as_ref()
            .map(|t| t.id.as_str())
            .or(self.taxonomy_term_id.as_deref())
    }
}

/// An identifier of an organisation in a register (Charity Commission, Companies House…).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct OrganizationIdentifier {
    /// UUID.
    pub id: String,
    /// The organisation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organization_id: Option<String>,
    /// The scheme (org-id.guide code).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identifier_scheme: Option<String>,
    /// Type, in words.
    #[serde(default)]
    pub identifier_type: String,
    /// The identifier.
    #[serde(default)]
    pub identifier: String,
}

/// An organisation that provides services.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Organization {
    /// UUID.
    pub id: String,
    /// Name.
    #[serde(default)]
    pub name: String,
    /// Description.
    #[serde(default)]
    pub description: String,
    /// Email.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Website.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub website: Option<String>,
    /// Logo URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub logo: Option<String>,
    /// A persistent URI.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uri: Option<String>,
    /// Parent organisation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent_organization_id: Option<String>,
    /// Register identifiers.
    #[serde(default, skip_serializing_if = "is_empty")]
    pub organization_identifiers: Vec<OrganizationIdentifier>,
    /// Classifications.
    #[serde(default, skip_serializing_if = "is_empty")]
    pub attributes: Vec<Attribute>,
}

/// A postal or physical address of a location.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Address {
    /// UUID.
    pub id: String,
    /// The location.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location_id: Option<String>,
    /// For the attention of.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attention: Option<String>,
    /// First line.
    #[serde(default)]
    pub address_1: String,
    /// Town or city.
    #[serde(default)]
    pub city: String,
    /// Region.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// County.
    #[serde(default)]
    pub state_province: String,
    /// Postcode.
    #[serde(default)]
    pub postal_code: String,
    /// Country (ISO 3166-1 alpha-2).
    #[serde(default)]
    pub country: String,
    /// physical, postal or virtual.
    #[serde(default)]
    pub address_type: String,
}

/// An accessibility feature of a location.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Accessibility {
    /// UUID.
    pub id: String,
    /// The location.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location_id: Option<String>,
    /// Description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Details.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub details: Option<String>,
    /// More information.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}

/// A place where services are delivered.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Location {
    /// UUID.
    pub id: String,
    /// physical, postal or virtual.
    #[serde(default)]
    pub location_type: String,
    /// Name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// WGS84 latitude.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latitude: Option<f64>,
    /// WGS84 longitude.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub longitude: Option<f64>,
    /// An external identifier (UPRN…).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_identifier: Option<String>,
    /// Its type.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_identifier_type: Option<String>,
    /// Addresses.
    #[serde(default, skip_serializing_if = "is_empty")]
    pub addresses: Vec<Address>,
    /// Accessibility features.
    #[serde(default, skip_serializing_if = "is_empty")]
    pub accessibility: Vec<Accessibility>,
    /// Classifications.
    #[serde(default, skip_serializing_if = "is_empty")]
    pub attributes: Vec<Attribute>,
}

impl Location {
    /// The postcode of the first address that has one.
    pub fn postcode(&self) -> Option<&str> {
        self.addresses
            .iter()
            .map(|a| a.postal_code.as_str())
            .find(|p| !p.trim().is_empty())
    }
}

/// A service delivered at a location.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct ServiceAtLocation {
    /// UUID.
    pub id: String,
    /// The service.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_id: Option<String>,
    /// The location's id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location_id: Option<String>,
    /// The location.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<Location>,
}

/// When a service (or a service at a location) is open: an iCalendar-style rule.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Schedule {
    /// UUID.
    pub id: String,
    /// The service.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_id: Option<String>,
    /// The service at a location.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_at_location_id: Option<String>,
    /// First day the rule applies.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub valid_from: Option<String>,
    /// Last day.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub valid_to: Option<String>,
    /// First occurrence.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dtstart: Option<String>,
    /// WEEKLY or MONTHLY.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub freq: Option<String>,
    /// Every how many weeks or months.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interval: Option<f64>,
    /// Days of the week: `MO,TU,…`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub byday: Option<String>,
    /// Days of the month.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bymonthday: Option<String>,
    /// In words.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Opens, `HH:MM` or `HH:MM:SS`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub opens_at: Option<String>,
    /// Closes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub closes_at: Option<String>,
    /// Booking or timetable link.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schedule_link: Option<String>,
    /// How to attend, in words.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attending_type: Option<String>,
    /// Notes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
}

/// The area a service covers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct ServiceArea {
    /// UUID.
    pub id: String,
    /// The service.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_id: Option<String>,
    /// Name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The extent (GeoJSON, a list of codes…).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extent: Option<String>,
    /// What kind of extent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extent_type: Option<String>,
    /// A URI for the area.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uri: Option<String>,
    /// In words.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_area: Option<String>,
}

/// A language a service is offered in.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Language {
    /// UUID.
    pub id: String,
    /// The service.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_id: Option<String>,
    /// Name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// ISO 639 code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    /// A note.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// Where a service's money comes from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Funding {
    /// UUID.
    pub id: String,
    /// The service.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_id: Option<String>,
    /// In words.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
}

/// What a service costs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct CostOption {
    /// UUID.
    pub id: String,
    /// The service.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_id: Option<String>,
    /// From.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub valid_from: Option<String>,
    /// To.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub valid_to: Option<String>,
    /// Who it applies to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub option: Option<String>,
    /// Amount in pounds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount: Option<f64>,
    /// What the amount is for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount_description: Option<String>,
}

/// A telephone number.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Phone {
    /// UUID.
    pub id: String,
    /// The number.
    #[serde(default)]
    pub number: String,
    /// Extension.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extension: Option<f64>,
    /// voice, text, fax…
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub r#type: Option<String>,
    /// In words.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// A named person to contact.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Contact {
    /// UUID.
    pub id: String,
    /// The service.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_id: Option<String>,
    /// Name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Job title.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Department.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub department: Option<String>,
    /// Email.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Telephone numbers.
    #[serde(default, skip_serializing_if = "is_empty")]
    pub phones: Vec<Phone>,
}

/// A service, fully nested: what `/services/{id}` returns.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Service {
    /// UUID.
    pub id: String,
    /// The providing organisation's id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organization_id: Option<String>,
    /// Name.
    #[serde(default)]
    pub name: String,
    /// Description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Website.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// Email.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// active, inactive, defunct or temporarily closed.
    #[serde(default)]
    pub status: String,
    /// Fees, in words.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fees: Option<String>,
    /// Accreditations.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub accreditations: Option<String>,
    /// Youngest age served, in years.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub minimum_age: Option<f64>,
    /// Oldest age served, in years.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub maximum_age: Option<f64>,
    /// When the entry was last checked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assured_date: Option<String>,
    /// Who checked it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assurer_email: Option<String>,
    /// A temporary notice.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alert: Option<String>,
    /// When it last changed (RFC 3339).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_modified: Option<String>,
    /// Opening times.
    #[serde(default, skip_serializing_if = "is_empty")]
    pub schedules: Vec<Schedule>,
    /// Areas covered.
    #[serde(default, skip_serializing_if = "is_empty")]
    pub service_areas: Vec<ServiceArea>,
    /// Where it is delivered.
    #[serde(default, skip_serializing_if = "is_empty")]
    pub service_at_locations: Vec<ServiceAtLocation>,
    /// Languages.
    #[serde(default, skip_serializing_if = "is_empty")]
    pub languages: Vec<Language>,
    /// The organisation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organization: Option<Organization>,
    /// Funding.
    #[serde(default, skip_serializing_if = "is_empty")]
    pub funding: Vec<Funding>,
    /// Costs.
    #[serde(default, skip_serializing_if = "is_empty")]
    pub cost_options: Vec<CostOption>,
    /// Telephone numbers.
    #[serde(default, skip_serializing_if = "is_empty")]
    pub phones: Vec<Phone>,
    /// Named contacts.
    #[serde(default, skip_serializing_if = "is_empty")]
    pub contacts: Vec<Contact>,
    /// Classifications (taxonomy terms).
    #[serde(default, skip_serializing_if = "is_empty")]
    pub attributes: Vec<Attribute>,
}

mod check;

pub use check::*;

/// A day of the week, as iCalendar writes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Weekday {
    /// Monday.
    Mo,
    /// Tuesday.
    Tu,
    /// Wednesday.
    We,
    /// Thursday.
    Th,
    /// Friday.
    Fr,
    /// Saturday.
    Sa,
    /// Sunday.
    Su,
}

impl Weekday {
    /// Monday to Sunday.
    pub const ALL: [Weekday; 7] = [
        Weekday::Mo,
        Weekday::Tu,
        Weekday::We,
        Weekday::Th,
        Weekday::Fr,
        Weekday::Sa,
        Weekday::Su,
    ];
    /// From `MO` … `SU` or an English day name, in any case.
    pub fn parse(s: &str) -> Option<Weekday> {
        let s = s.trim().to_ascii_lowercase();
        // iCalendar allows a leading ordinal for monthly rules (`1MO`, `-1FR`).
        let s = s.trim_start_matches(|c: char| c.is_ascii_digit() || c == '-' || c == '+');
        Weekday::ALL
            .into_iter()
            .find(|d| s == d.code().to_ascii_lowercase() || s == d.name().to_ascii_lowercase())
    }
    /// `MO` … `SU`.
    pub fn code(self) -> &'static str {
        ["MO", "TU", "WE", "TH", "FR", "SA", "SU"][self as usize]
    }
    /// `Monday` … `Sunday`.
    pub fn name(self) -> &'static str {
        [
            "Monday",
            "Tuesday",
            "Wednesday",
            "Thursday",
            "Friday",
            "Saturday",
            "Sunday",
        ][self as usize]
    }
}
