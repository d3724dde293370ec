//! The geography folder: ONS lookups and boundaries, the English Indices of Deprivation 2019,
//! ONS mid-year population, ONS and Ordnance Survey postcodes, and DfE schools, laid out as in
//! `data/geo` (see its README for sources and licences). [`read_dir`] reads the whole folder
//! into [`GeographyData`] or names the first bad value's file, line and column.

mod areas;
mod postcodes;
mod schools;
mod stats;

use crate::ImportError;
use everychild_domain::geo::data::GeographyData;
use std::fs::File;
use std::path::{Path, PathBuf};

/// The files of a geography folder, relative to it.
pub mod files {
    /// ONS LSOA (2011) to ward (2019) best-fit lookup.
    pub const LSOA11_WARD: &str = "lookups/lsoa11_to_ward19_lad19_ons_bestfit.csv";
    /// LSOA (2021) to ward (2025), by largest area overlap.
    pub const LSOA21_WARD: &str = "lookups/lsoa21_to_ward2025_derived_area_overlap.csv";
    /// LSOA centroids.
    pub const LSOA_CENTROIDS: &str = "lookups/lsoa_centroids_latlong.csv";
    /// IMD 2019 ranks and deciles.
    pub const IMD_RANKS: &str = "imd2019/iod2019_lsoa11_domain_ranks_deciles.csv";
    /// IMD 2019 scores, with IDACI.
    pub const IMD_SCORES: &str = "imd2019/iod2019_lsoa11_scores_and_denominators.csv";
    /// IMD 2019 sub-domains.
    pub const IMD_SUBDOMAINS: &str = "imd2019/iod2019_lsoa11_subdomain_ranks_deciles.csv";
    /// ONS mid-2020 population by single year of age.
    pub const POPULATION: &str = "population/mid2020_lsoa11_single_year_of_age_persons.csv";
    /// ONS postcode to OA/LSOA/MSOA/LAD lookup, May 2022 (live and terminated).
    pub const POSTCODES_ONS: &str = "postcodes/ons_pcd_oa11_lsoa11_msoa11_lad_may2022.csv";
    /// OS Code-Point Open 2025: live postcodes with position and ward.
    pub const POSTCODES_CODEPOINT: &str = "postcodes/codepoint_open_2025_postcode_ward.csv";
    /// ONSPD Nov 2025: postcode positions, terminated ones included.
    pub const POSTCODES_ONSPD: &str = "postcodes/qlacref_onspd_nov2025_pcd_la_eastnorth.csv";
    /// DfE open establishments.
    pub const SCHOOLS: &str = "schools/gias_open_establishments_20250524.csv";
    /// Boundary GeoJSON files (wards, LSOAs 2011 and 2021).
    pub const BOUNDARIES: &str = "boundaries";
}

/// Read a whole geography folder.
pub fn read_dir(dir: &Path) -> Result<GeographyData, ImportError> {
    if !dir.is_dir() {
        return Err(ImportError::file(
            &dir.display().to_string(),
            "is not a folder: give the geography folder (it holds lookups/, imd2019/, population/, postcodes/, schools/ and boundaries/)",
        ));
    }
    let open = |rel: &str| open(dir, rel);
    let mut data = GeographyData::default();
    let areas = areas::read(
        open(files::LSOA11_WARD)?,
        open(files::LSOA21_WARD)?,
        open(files::LSOA_CENTROIDS)?,
        &boundary_files(dir)?,
    )?;
    data.authorities = areas.authorities;
    data.wards = areas.wards;
    data.lsoas = areas.lsoas;
    data.deprivation = stats::read_deprivation(
        open(files::IMD_RANKS)?,
        open(files::IMD_SCORES)?,
        open(files::IMD_SUBDOMAINS)?,
    )?;
    data.population = stats::read_population(open(files::POPULATION)?)?;
    data.postcodes = postcodes::read(
        open(files::POSTCODES_ONS)?,
        open(files::POSTCODES_CODEPOINT)?,
        open(files::POSTCODES_ONSPD)?,
        &data.lsoas,
    )?;
    data.schools = schools::read(open(files::SCHOOLS)?, &data.lsoas)?;
    Ok(data)
}

/// An input file, named as the errors will name it.
pub(crate) struct Input {
    name: String,
    file: File,
}

fn open(dir: &Path, rel: &str) -> Result<Input, ImportError> {
    let path = dir.join(rel);
    File::open(&path)
        .map(|file| Input {
            name: rel.to_owned(),
            file,
        })
        .map_err(|e| ImportError::file(rel, format!("cannot be opened: {e}")))
}

/// Every `.geojson` file in the boundaries folder, in name order.
fn boundary_files(dir: &Path) -> Result<Vec<(String, PathBuf)>, ImportError> {
    let bdir = dir.join(files::BOUNDARIES);
    let entries = std::fs::read_dir(&bdir)
        .map_err(|e| ImportError::file(files::BOUNDARIES, format!("cannot be listed: {e}")))?;
    let mut out = Vec::new();
    for e in entries.flatten() {
        let p = e.path();
        if p.extension().is_some_and(|x| x == "geojson") {
            let name = format!(
                "{}/{}",
                files::BOUNDARIES,
                p.file_name()
                    .map(|n| n.to_string_lossy())
                    .unwrap_or_default()
            );
            out.push((name, p));
        }
    }
    out.sort();
    Ok(out)
}

#[cfg(test)]
mod tests;
