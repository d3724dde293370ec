//! Writing imported geography: every table upserted in the caller's transaction.

use super::upsert::{upsert, Kind, NewRow, Spec, TableCounts, Val};
use crate::Result;
use everychild_domain::geo::data::{GeographyData, RankDecile};
use serde::Serialize;
use sqlx::{Any, Transaction};

/// What an import added, changed and left alone, table by table.
#[derive(Debug, Clone, Default, Serialize)]
pub struct GeographyReport {
    /// Local authorities.
    pub authorities: TableCounts,
    /// Wards.
    pub wards: TableCounts,
    /// LSOAs (2011 and 2021).
    pub lsoas: TableCounts,
    /// Deprivation rows.
    pub deprivation: TableCounts,
    /// Population rows (LSOA × age).
    pub population: TableCounts,
    /// Postcodes.
    pub postcodes: TableCounts,
    /// Schools.
    pub schools: TableCounts,
}

impl GeographyReport {
    /// Each table's name and counts, for printing.
    pub fn tables(&self) -> [(&'static str, TableCounts); 7] {
        [
            ("authorities", self.authorities),
            ("wards", self.wards),
            ("LSOAs", self.lsoas),
            ("deprivation", self.deprivation),
            ("population", self.population),
            ("postcodes", self.postcodes),
            ("schools", self.schools),
        ]
    }

    /// Whether anything was added or changed.
    pub fn changed_anything(&self) -> bool {
        self.tables().iter().any(|(_, c)| c.added + c.changed > 0)
    }
}

use Kind::{Int, Real, Text};

const WARDS: Spec = Spec {
    table: "wards",
    key: &[("code", Text)],
    columns: &[("name", Text), ("authority_code", Text), ("geometry", Text)],
};

const LSOAS: Spec = Spec {
    table: "lsoas",
    key: &[("code", Text), ("vintage", Int)],
    columns: &[
        ("name", Text),
        ("authority_code", Text),
        ("ward_code", Text),
        ("latitude", Real),
        ("longitude", Real),
        ("geometry", Text),
    ],
};

const DEPRIVATION: Spec = Spec {
    table: "deprivation",
    key: &[("lsoa11", Text)],
    columns: &[
        ("imd_score", Real),
        ("imd_rank", Int),
        ("imd_decile", Int),
        ("income_rank", Int),
        ("income_decile", Int),
        ("employment_rank", Int),
        ("employment_decile", Int),
        ("education_rank", Int),
        ("education_decile", Int),
        ("health_rank", Int),
        ("health_decile", Int),
        ("crime_rank", Int),
        ("crime_decile", Int),
        ("barriers_rank", Int),
        ("barriers_decile", Int),
        ("living_environment_rank", Int),
        ("living_environment_decile", Int),
        ("idaci_score", Real),
        ("idaci_decile_best", Int),
        ("idaci_decile_worst", Int),
        ("cyp_rank", Int),
        ("cyp_decile", Int),
    ],
};

const POPULATION: Spec = Spec {
    table: "population",
    key: &[("lsoa11", Text), ("year", Int), ("age", Int)],
    columns: &[("persons", Int)],
};

const POSTCODES: Spec = Spec {
    table: "postcodes",
    key: &[("postcode", Text)],
    columns: &[
        ("authority_code", Text),
        ("lsoa11", Text),
        ("oa11", Text),
        ("msoa11", Text),
        ("ward_code", Text),
        ("easting", Real),
        ("northing", Real),
        ("introduced", Text),
        ("terminated", Text),
    ],
};

/// `city_wide` is the authority's own setting, so an import never touches it.
const SCHOOLS: Spec = Spec {
    table: "schools",
    key: &[("urn", Int)],
    columns: &[
        ("name", Text),
        ("authority_code", Text),
        ("establishment_type", Text),
        ("type_group", Text),
        ("phase", Text),
        ("pupils", Int),
        ("fsm_percent", Real),
        ("lsoa_code", Text),
        ("ward_code", Text),
        ("easting", Real),
        ("northing", Real),
    ],
};

fn rd(v: &mut Vec<Val>, r: RankDecile) {
    v.push(Val::int(r.rank));
    v.push(Val::int(r.decile));
}

/// Upsert every table of `d`.
pub(crate) async fn run(
    tx: &mut Transaction<'static, Any>,
    d: &GeographyData,
    now: &str,
) -> Result<GeographyReport> {
    let mut report = GeographyReport::default();
    for a in &d.authorities {
        let stored: Option<(String,)> =
            sqlx::query_as("SELECT name FROM authorities WHERE code = $1")
                .bind(a.code.as_str())
                .fetch_optional(&mut **tx)
                .await?;
        match stored {
            None => {
                sqlx::query("INSERT INTO authorities (code, name, created_at) VALUES ($1, $2, $3)")
                    .bind(a.code.as_str())
                    .bind(&a.name)
                    .bind(now)
                    .execute(&mut **tx)
                    .await?;
                report.authorities.added += 1;
            }
            Some((name,)) if name == a.name => report.authorities.unchanged += 1,
            Some(_) => {
                sqlx::query("UPDATE authorities SET name = $1 WHERE code = $2")
                    .bind(&a.name)
                    .bind(a.code.as_str())
                    .execute(&mut **tx)
                    .await?;
                report.authorities.changed += 1;
            }
        }
    }

    let rows: Vec<NewRow> = d
        .wards
        .iter()
        .map(|w| {
            (
                vec![Val::text(w.code.as_str())],
                vec![
                    Val::text(&w.name),
                    Val::text(w.authority.as_str()),
                    Val::opt_text(w.geometry.as_ref()),
                ],
            )
        })
        .collect();
    report.wards = upsert(tx, &WARDS, rows).await?;

    let rows: Vec<NewRow> = d
        .lsoas
        .iter()
        .map(|l| {
            (
                vec![Val::text(l.code.as_str()), Val::int(l.vintage)],
                vec![
                    Val::text(&l.name),
                    Val::text(l.authority.as_str()),
                    Val::opt_text(l.ward.as_ref()),
                    Val::Real(l.centroid.map(|c| c.latitude)),
                    Val::Real(l.centroid.map(|c| c.longitude)),
                    Val::opt_text(l.geometry.as_ref()),
                ],
            )
        })
        .collect();
    report.lsoas = upsert(tx, &LSOAS, rows).await?;

    let rows: Vec<NewRow> = d
        .deprivation
        .iter()
        .map(|x| {
            let mut v = vec![Val::Real(Some(x.imd_score))];
            for r in [
                x.imd,
                x.income,
                x.employment,
                x.education,
                x.health,
                x.crime,
                x.barriers,
                x.living_environment,
            ] {
                rd(&mut v, r);
            }
            v.push(Val::Real(Some(x.idaci_score)));
            v.push(Val::int(x.idaci_decile_best));
            v.push(Val::int(x.idaci_decile_worst));
            rd(&mut v, x.children_young_people);
            (vec![Val::text(x.lsoa11.as_str())], v)
        })
        .collect();
    report.deprivation = upsert(tx, &DEPRIVATION, rows).await?;

    let rows: Vec<NewRow> = d
        .population
        .iter()
        .flat_map(|p| {
            p.ages.iter().map(move |a| {
                (
                    vec![
                        Val::text(p.lsoa11.as_str()),
                        Val::int(p.year),
                        Val::int(a.age),
                    ],
                    vec![Val::int(a.persons)],
                )
            })
        })
        .collect();
    report.population = upsert(tx, &POPULATION, rows).await?;

    let rows: Vec<NewRow> = d
        .postcodes
        .iter()
        .map(|p| {
            let e = &p.entry;
            (
                vec![Val::text(e.postcode.as_str())],
                vec![
                    Val::text(e.authority.as_str()),
                    Val::opt_text(e.lsoa11.as_ref()),
                    Val::opt_text(p.oa11.as_ref()),
                    Val::opt_text(p.msoa11.as_ref()),
                    Val::opt_text(e.ward.as_ref()),
                    Val::Real(e.point.map(|p| p.easting)),
                    Val::Real(e.point.map(|p| p.northing)),
                    Val::opt_text(p.introduced.as_ref()),
                    Val::opt_text(e.terminated.as_ref()),
                ],
            )
        })
        .collect();
    report.postcodes = upsert(tx, &POSTCODES, rows).await?;

    let rows: Vec<NewRow> = d
        .schools
        .iter()
        .map(|s| {
            (
                vec![Val::int(s.urn.0)],
                vec![
                    Val::text(&s.name),
                    Val::text(s.authority.as_str()),
                    Val::text(&s.establishment_type),
                    Val::text(&s.type_group),
                    Val::text(&s.phase),
                    Val::Int(s.pupils.map(i64::from)),
                    Val::Real(s.fsm_percent),
                    Val::opt_text(s.lsoa.as_ref()),
                    Val::opt_text(s.ward.as_ref()),
                    Val::Real(s.point.map(|p| p.easting)),
                    Val::Real(s.point.map(|p| p.northing)),
                ],
            )
        })
        .collect();
    report.schools = upsert(tx, &SCHOOLS, rows).await?;
    Ok(report)
}
