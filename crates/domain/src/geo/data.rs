//! The geography of one or more authorities as imported from ONS, MHCLG, Ordnance Survey and
//! DfE open data: the values the `formats` crate reads and the store keeps.

use super::{AreaCode, BngPoint, LatLon, PostcodeEntry, Urn};
use serde::{Deserialize, Serialize};

/// A local authority (ONS code and name).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuthorityArea {
    /// ONS code, e.g. `E06000016`.
    pub code: AreaCode,
    /// Name, e.g. `Leicester`.
    pub name: String,
}

/// An electoral ward.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Ward {
    /// ONS code (the 2019 and 2025 codes of these wards are the same).
    pub code: AreaCode,
    /// Name.
    pub name: String,
    /// Its local authority.
    pub authority: AreaCode,
    /// Boundary as a GeoJSON geometry (WGS84), if published.
    pub geometry: Option<String>,
}

/// A lower layer super output area, of the 2011 or 2021 census.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Lsoa {
    /// ONS code.
    pub code: AreaCode,
    /// 2011 or 2021.
    pub vintage: u16,
    /// Name, e.g. `Leicester 003A`.
    pub name: String,
    /// Its local authority.
    pub authority: AreaCode,
    /// The ward it falls in (ONS best fit for 2011; largest area overlap for 2021).
    pub ward: Option<AreaCode>,
    /// Population-weighted or geometric centre, if published.
    pub centroid: Option<LatLon>,
    /// Boundary as a GeoJSON geometry (WGS84), if published.
    pub geometry: Option<String>,
}

/// A rank (1 = most deprived of England's 32,844 LSOAs) and decile (1 = most deprived 10%).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct RankDecile {
    /// Rank among all LSOAs in England.
    pub rank: u32,
    /// Decile, 1 to 10.
    pub decile: u8,
}

/// English Indices of Deprivation 2019 for one 2011 LSOA.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Deprivation {
    /// The LSOA.
    pub lsoa11: AreaCode,
    /// Index of Multiple Deprivation score.
    pub imd_score: f64,
    /// Index of Multiple Deprivation rank and decile.
    pub imd: RankDecile,
    /// Income domain.
    pub income: RankDecile,
    /// Employment domain.
    pub employment: RankDecile,
    /// Education, skills and training domain.
    pub education: RankDecile,
    /// Health deprivation and disability domain.
    pub health: RankDecile,
    /// Crime domain.
    pub crime: RankDecile,
    /// Barriers to housing and services domain.
    pub barriers: RankDecile,
    /// Living environment domain.
    pub living_environment: RankDecile,
    /// Income Deprivation Affecting Children Index score (share of children in income-deprived
    /// families).
    pub idaci_score: f64,
    /// IDACI decile derived from the score: the most deprived possible.
    pub idaci_decile_best: u8,
    /// IDACI decile derived from the score: the least deprived possible (differs only where
    /// the published score ties across a decile boundary).
    pub idaci_decile_worst: u8,
    /// Children and young people sub-domain of education, rank and decile.
    pub children_young_people: RankDecile,
}

/// Mid-year population of one LSOA at one single year of age (90 means 90 and over).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgeCount {
    /// Age in whole years; 90 stands for 90 and over.
    pub age: u8,
    /// Persons.
    pub persons: u32,
}

/// The population of one LSOA by single year of age.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LsoaPopulation {
    /// The 2011 LSOA.
    pub lsoa11: AreaCode,
    /// Year of the estimate (mid-year).
    pub year: u16,
    /// Persons by age.
    pub ages: Vec<AgeCount>,
}

/// A postcode with the dates the ONS gives for it.
#[derive(Debug, Clone, PartialEq)]
pub struct PostcodeRecord {
    /// The postcode, its areas, position and termination.
    pub entry: PostcodeEntry,
    /// When it was introduced (`YYYYMM`).
    pub introduced: Option<String>,
    /// Its 2011 output area.
    pub oa11: Option<AreaCode>,
    /// Its 2011 middle layer super output area.
    pub msoa11: Option<AreaCode>,
}

/// An open school or college from DfE's Get Information About Schools.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct School {
    /// Unique reference number.
    pub urn: Urn,
    /// Name.
    pub name: String,
    /// Local authority (ONS code).
    pub authority: AreaCode,
    /// Type of establishment ("Academy converter").
    pub establishment_type: String,
    /// Group of the type ("Special schools").
    pub type_group: String,
    /// Phase of education ("Primary").
    pub phase: String,
    /// Pupils on roll, if published.
    pub pupils: Option<u32>,
    /// Share of pupils eligible for free school meals, per cent.
    pub fsm_percent: Option<f64>,
    /// The LSOA it stands in, as published (2011 or 2021 code).
    pub lsoa: Option<AreaCode>,
    /// The ward it stands in.
    pub ward: Option<AreaCode>,
    /// Position.
    pub point: Option<BngPoint>,
}

/// Everything one geography import brings.
#[derive(Debug, Clone, Default)]
pub struct GeographyData {
    /// Local authorities.
    pub authorities: Vec<AuthorityArea>,
    /// Wards.
    pub wards: Vec<Ward>,
    /// LSOAs of 2011 and 2021.
    pub lsoas: Vec<Lsoa>,
    /// Deprivation by 2011 LSOA.
    pub deprivation: Vec<Deprivation>,
    /// Population by 2011 LSOA and single year of age.
    pub population: Vec<LsoaPopulation>,
    /// Postcodes, live and terminated.
    pub postcodes: Vec<PostcodeRecord>,
    /// Schools.
    pub schools: Vec<School>,
}
