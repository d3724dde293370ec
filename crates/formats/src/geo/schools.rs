//! Schools and colleges from DfE's Get Information About Schools: each placed in a ward through
//! its LSOA (2011 or 2021 code), or by its position where the LSOA lies outside the authority.

use super::Input;
use crate::table::Table;
use crate::ImportError;
use everychild_domain::geo::data::{Lsoa, School};
use everychild_domain::geo::{AreaCode, BngPoint, Urn};
use std::collections::{BTreeMap, HashMap};

/// Local authority names in GIAS to ONS codes of the authorities this product knows.
fn authority_code(la_name: &str, lsoas: &[Lsoa]) -> Option<AreaCode> {
    lsoas
        .iter()
        .find(|l| l.name.starts_with(la_name) && l.name[la_name.len()..].starts_with(' '))
        .map(|l| l.authority.clone())
}

pub(crate) fn read(input: Input, lsoas: &[Lsoa]) -> Result<Vec<School>, ImportError> {
    let cols = [
        "urn",
        "la_name",
        "establishment_name",
        "establishment_type",
        "establishment_type_group",
        "education_phase",
        "number_of_pupils",
        "percentage_fsm",
        "easting",
        "northing",
        "lsoa_code",
        "derived_ward_code_pip",
    ];
    let ward_of: HashMap<&AreaCode, &AreaCode> = lsoas
        .iter()
        .filter_map(|l| l.ward.as_ref().map(|w| (&l.code, w)))
        .collect();
    let mut out: BTreeMap<Urn, School> = BTreeMap::new();
    let mut t = Table::new(&input.name, input.file, &cols)?;
    while let Some(r) = t.next_row()? {
        let urn = Urn::parse_field(r.text("urn"), "urn").map_err(|e| r.error("urn", e.message))?;
        let la = r.required("la_name")?;
        let authority = authority_code(&la, lsoas).ok_or_else(|| {
            r.error(
                "la_name",
                format!("local authority '{la}' is not one of those in the LSOA lookup"),
            )
        })?;
        let lsoa = r.opt_code("lsoa_code")?;
        let ward = lsoa
            .as_ref()
            .and_then(|l| ward_of.get(l))
            .map(|w| (*w).clone())
            .map_or_else(|| r.opt_code("derived_ward_code_pip"), |w| Ok(Some(w)))?;
        let point = match (r.opt_decimal("easting")?, r.opt_decimal("northing")?) {
            (Some(e), Some(n)) => Some(BngPoint::new(e, n)).filter(BngPoint::is_on_grid),
            _ => None,
        };
        let pupils: Option<u32> = r.opt_number("number_of_pupils")?;
        let school = School {
            urn,
            name: r.required("establishment_name")?,
            authority,
            establishment_type: r.required("establishment_type")?,
            type_group: r.required("establishment_type_group")?,
            phase: r.required("education_phase")?,
            pupils,
            fsm_percent: r.opt_decimal("percentage_fsm")?,
            lsoa,
            ward,
            point,
        };
        if out.insert(urn, school).is_some() {
            return Err(r.error("urn", format!("URN {urn} appears twice")));
        }
    }
    Ok(out.into_values().collect())
}
