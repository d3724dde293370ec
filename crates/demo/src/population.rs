//! The demo's children: a synthetic Leicester population matching the real mid-2020 figures by
//! LSOA and single year of age (0-19), living at real postcodes of their LSOA, with names,
//! ethnicities and households from the generator in `everychild_synth::people`; then the
//! extracts four agencies would send (health, schools, social care, police), each with its own
//! coverage and errors, imported through the same path as `everychild import people`, so the
//! index is built by the linkage engine when the demo starts. Every person is fictitious.

use crate::{console, DemoError, Result};
use everychild_domain::geo::data::GeographyData;
use everychild_domain::person::ExtractRow;
use everychild_policy as policy;
use everychild_store::{ImportReport, PeopleRepo, SqlStore};
use everychild_synth::people::corrupt::Row;
use everychild_synth::people::extracts::{extract, Agency, ExtractSpec};
use everychild_synth::people::{generate, PopulationRow, Sex};
use std::collections::HashMap;

/// The reference date of the demo population: ages are as on this day.
pub fn reference() -> time::Date {
    time::Date::from_calendar_date(2026, time::Month::September, 1).unwrap_or(time::Date::MIN)
}

/// What was imported from one agency.
#[derive(Debug, Clone)]
pub struct AgencyImport {
    /// The agency's name.
    pub agency: String,
    /// What the import did.
    pub report: ImportReport,
}

/// An extract row as the import reads it.
fn row(r: &Row, since: &str) -> ExtractRow {
    ExtractRow {
        source_id: r.record_id.clone(),
        given_name: r.given.clone(),
        middle_names: r.middle.clone(),
        family_name: r.family.clone(),
        date_of_birth: r.dob.map(|d| d.to_string()),
        sex: r.sex.map(|s| match s {
            Sex::Female => "female".to_owned(),
            Sex::Male => "male".to_owned(),
        }),
        postcode: r.postcode.clone(),
        address: r.address.clone(),
        nhs_number_verified: r.nhs_number.is_some(),
        nhs_number: r.nhs_number.clone(),
        upn: r.upn.clone(),
        since: Some(since.to_owned()),
        team: None,
        worker: None,
    }
}

/// Build the population (`scale` of the real one: 1.0 is about 95,500 children and young
/// people) and import the agencies' extracts. `agencies` gives each agency's organisation id.
pub async fn build(
    store: &SqlStore,
    geo: &GeographyData,
    seed: u64,
    scale: f64,
    agencies: &[(Agency, i64, String)],
) -> Result<Vec<AgencyImport>> {
    let leicester = "E06000016";
    let lsoas: std::collections::HashSet<&str> = geo
        .lsoas
        .iter()
        .filter(|l| l.vintage == 2011 && l.authority.as_str() == leicester)
        .map(|l| l.code.as_str())
        .collect();
    let mut rows = Vec::new();
    for p in &geo.population {
        if !lsoas.contains(p.lsoa11.as_str()) {
            continue;
        }
        for a in p.ages.iter().filter(|a| a.age <= 19) {
            let count = (f64::from(a.persons) * scale).round() as u32;
            if count > 0 {
                rows.push(PopulationRow {
                    area: p.lsoa11.to_string(),
                    age: a.age,
                    count,
                });
            }
        }
    }
    let mut postcodes: HashMap<String, Vec<String>> = HashMap::new();
    for pc in &geo.postcodes {
        let e = &pc.entry;
        if e.terminated.is_none() && e.authority.as_str() == leicester {
            if let Some(l) = &e.lsoa11 {
                postcodes
                    .entry(l.to_string())
                    .or_default()
                    .push(e.postcode.to_string());
            }
        }
    }
    let reference = reference();
    let people = generate(seed, &rows, &postcodes, reference)
        .map_err(|e| DemoError::Invalid(format!("the population: {e:?}")))?;
    let mut out = Vec::new();
    for (agency, org, name) in agencies {
        let spec = ExtractSpec::default_for(*agency);
        let since = match agency {
            Agency::Health => "2010-01-01",
            Agency::School => "2025-09-01",
            Agency::SocialCare => "2026-03-01",
            Agency::Police => "2026-06-01",
        };
        let rows: Vec<ExtractRow> = extract(seed, &people, &spec, reference)
            .iter()
            .map(|r| row(r, since))
            .collect();
        let report = store
            .import_agency_extract(&console::<policy::ImportAgencyRecords>()?, *org, &rows)
            .await?;
        out.push(AgencyImport {
            agency: name.clone(),
            report,
        });
    }
    Ok(out)
}
