//! Values of the locality model: authorities, age phases, localities and their figures, boundary
//! sets, hubs and sites, teams and city-wide contacts.

use everychild_domain::locality::LeadRule;
use serde::Serialize;

/// A local authority served by this installation.
#[derive(Debug, Clone, Serialize)]
pub struct Authority {
    /// Id.
    pub id: i64,
    /// ONS code.
    pub code: String,
    /// Name.
    pub name: String,
    /// Which locality leads for a child living in one and at school in another.
    pub lead_rule: LeadRule,
}

/// An age phase as stored.
#[derive(Debug, Clone, Serialize)]
pub struct AgePhaseRow {
    /// Id.
    pub id: i64,
    /// Name ("0-12").
    pub name: String,
    /// Youngest age.
    pub min_age: i64,
    /// Oldest age.
    pub max_age: i64,
    /// Oldest age for young people with SEND, if extended.
    pub send_max_age: Option<i64>,
}

/// A locality and whether the current boundary set uses it.
#[derive(Debug, Clone, Serialize)]
pub struct LocalityRow {
    /// Id.
    pub id: i64,
    /// Name.
    pub name: String,
    /// Its authority.
    pub authority_id: i64,
    /// Wards in the current boundary set: code and name.
    pub wards: Vec<(String, String)>,
}

impl LocalityRow {
    /// Whether the current boundary set places any ward in it.
    pub fn is_current(&self) -> bool {
        !self.wards.is_empty()
    }
}

/// A boundary set in a list.
#[derive(Debug, Clone, Serialize)]
pub struct BoundarySetSummary {
    /// Id.
    pub id: i64,
    /// Version within the authority (1, 2, …).
    pub version: i64,
    /// Name.
    pub name: String,
    /// Why it was made.
    pub note: String,
    /// Whether it is the current set.
    pub is_current: bool,
    /// Who made it.
    pub created_by: String,
    /// When.
    pub created_at: String,
    /// When it last became current.
    pub made_current_at: Option<String>,
    /// How many localities it has.
    pub localities: i64,
}

/// One ward's place in a boundary set.
#[derive(Debug, Clone, Serialize)]
pub struct WardAssignment {
    /// Ward code.
    pub ward_code: String,
    /// Ward name.
    pub ward_name: String,
    /// Locality id.
    pub locality_id: i64,
    /// Locality name.
    pub locality_name: String,
}

/// A boundary set with its assignments.
#[derive(Debug, Clone, Serialize)]
pub struct BoundarySetDetail {
    /// The set.
    pub set: BoundarySetSummary,
    /// Its authority.
    pub authority_id: i64,
    /// Every ward's locality.
    pub wards: Vec<WardAssignment>,
}

/// A ward's children and young people, for the boundary editor.
#[derive(Debug, Clone, Serialize)]
pub struct WardFigures {
    /// Ward code.
    pub code: String,
    /// Ward name.
    pub name: String,
    /// Population aged 0 to 19 (ONS mid-2020, through the LSOA best fit).
    pub children: i64,
    /// Total population.
    pub population: i64,
    /// Boundary as a GeoJSON geometry.
    #[serde(skip)]
    pub geometry: Option<String>,
}

/// Persons in one age phase.
#[derive(Debug, Clone, Serialize)]
pub struct PhaseCount {
    /// Phase name.
    pub phase: String,
    /// Persons of the phase's ages.
    pub persons: i64,
    /// Persons of the SEND extension's ages (who are served only with SEND), if the phase has one.
    pub send_extension: Option<i64>,
}

/// A school in a locality.
#[derive(Debug, Clone, Serialize)]
pub struct SchoolRow {
    /// DfE URN.
    pub urn: i64,
    /// Name.
    pub name: String,
    /// Phase of education.
    pub phase: String,
    /// Type group ("Academies", "Special schools").
    pub type_group: String,
    /// Pupils on roll.
    pub pupils: Option<i64>,
    /// Serves the whole authority.
    pub city_wide: bool,
}

/// Everything the locality profile shows, under one boundary set.
#[derive(Debug, Clone, Serialize)]
pub struct LocalityProfile {
    /// The locality.
    pub locality: LocalityRow,
    /// Its authority.
    pub authority: Authority,
    /// The boundary set the figures are for (none if the authority has no set yet).
    pub set_id: Option<i64>,
    /// Children and young people by age phase (ONS mid-2020).
    pub by_phase: Vec<PhaseCount>,
    /// Population aged 0 to 19.
    pub children: i64,
    /// Total population.
    pub population: i64,
    /// LSOAs (2011) in the locality.
    pub lsoas: i64,
    /// LSOAs in each IMD 2019 decile, 1 (most deprived) first.
    pub imd_deciles: [i64; 10],
    /// LSOAs in each IDACI decile (derived from the published score), 1 first.
    pub idaci_deciles: [i64; 10],
    /// LSOAs whose IDACI decile is ambiguous (counted under the more deprived one).
    pub idaci_ambiguous: i64,
    /// Schools.
    pub schools: Vec<SchoolRow>,
    /// Hubs and delivery sites.
    pub sites: Vec<Site>,
}

/// A hub or delivery site.
#[derive(Debug, Clone, Serialize)]
pub struct Site {
    /// Id.
    pub id: i64,
    /// Locality.
    pub locality_id: i64,
    /// Locality name.
    pub locality_name: String,
    /// Age phase served, if one.
    pub age_phase: Option<String>,
    /// A hub, or a delivery site.
    pub is_hub: bool,
    /// Name.
    pub name: String,
    /// Building type (stored form).
    pub building_type: String,
    /// Address, one line.
    pub address: String,
    /// Postcode.
    pub postcode: String,
}

/// A new hub or delivery site, in the locality of the permit.
#[derive(Debug, Clone)]
pub struct NewSite {
    /// Age phase id, if it serves one.
    pub age_phase_id: Option<i64>,
    /// Hub or delivery site.
    pub is_hub: bool,
    /// Name.
    pub name: String,
    /// Building type (stored form, checked by the database).
    pub building_type: String,
    /// Address.
    pub address: String,
    /// Postcode (normal form).
    pub postcode: String,
}

/// A member of a locality team.
#[derive(Debug, Clone, Serialize)]
pub struct TeamMember {
    /// User id.
    pub user_id: i64,
    /// Name.
    pub display_name: String,
    /// Job title.
    pub job_title: Option<String>,
    /// Role in the team.
    pub role_in_team: String,
    /// Employing organisation (line management stays there).
    pub organisation: String,
    /// Its agency type (stored form).
    pub agency_type: String,
    /// Their line manager in the employing organisation.
    pub line_manager: Option<String>,
    /// `matrix` (managed by the hub manager under an SLA) or `coordination`.
    pub relationship: String,
    /// Service level agreement reference.
    pub sla_reference: Option<String>,
    /// Work email.
    pub email: Option<String>,
    /// Work phone.
    pub phone: Option<String>,
}

/// A locality team with its members.
#[derive(Debug, Clone, Serialize)]
pub struct Team {
    /// Id.
    pub id: i64,
    /// Locality.
    pub locality_id: i64,
    /// Age phase name.
    pub age_phase: String,
    /// Age phase id.
    pub age_phase_id: i64,
    /// `core` or `extended`.
    pub kind: String,
    /// Name.
    pub name: String,
    /// Where the team is based, if set.
    pub base: Option<String>,
    /// Members.
    pub members: Vec<TeamMember>,
}

/// A new team in the locality of the permit.
#[derive(Debug, Clone)]
pub struct NewTeam {
    /// Age phase id.
    pub age_phase_id: i64,
    /// `core` or `extended`.
    pub kind: String,
    /// Name.
    pub name: String,
    /// Base site.
    pub base_site_id: Option<i64>,
}

/// A new team member.
#[derive(Debug, Clone)]
pub struct NewMember {
    /// User id.
    pub user_id: i64,
    /// `matrix` or `coordination`.
    pub relationship: String,
    /// Role in the team.
    pub role_in_team: String,
    /// SLA reference.
    pub sla_reference: Option<String>,
    /// Since (date, `YYYY-MM-DD`).
    pub since: String,
}

/// The named contact of a city-wide service for one locality (003 Q6).
#[derive(Debug, Clone, Serialize)]
pub struct CitywideContact {
    /// Service name.
    pub service: String,
    /// Providing organisation.
    pub organisation: String,
    /// Contact's user id.
    pub user_id: i64,
    /// Contact's name.
    pub display_name: String,
    /// Job title.
    pub job_title: Option<String>,
    /// Email.
    pub email: Option<String>,
    /// Phone.
    pub phone: Option<String>,
}
