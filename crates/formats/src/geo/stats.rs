//! Figures by LSOA: the English Indices of Deprivation 2019 and mid-year population by single
//! year of age.

use super::Input;
use crate::table::{Row, Table};
use crate::ImportError;
use everychild_domain::geo::data::{AgeCount, Deprivation, LsoaPopulation, RankDecile};
use everychild_domain::geo::AreaCode;
use std::collections::BTreeMap;

/// Number of LSOAs in England in the 2019 indices: the largest possible rank.
const LSOAS_IN_ENGLAND: u32 = 32_844;

fn rank_decile(r: &Row<'_>, rank: &str, decile: &str) -> Result<RankDecile, ImportError> {
    let rank_v: u32 = r.number(rank)?;
    if !(1..=LSOAS_IN_ENGLAND).contains(&rank_v) {
        return Err(r.error(
            rank,
            format!("rank {rank_v} is outside 1 to {LSOAS_IN_ENGLAND}"),
        ));
    }
    Ok(RankDecile {
        rank: rank_v,
        decile: decile_value(r, decile)?,
    })
}

fn decile_value(r: &Row<'_>, column: &str) -> Result<u8, ImportError> {
    let d: u8 = r.number(column)?;
    if (1..=10).contains(&d) {
        Ok(d)
    } else {
        Err(r.error(column, format!("decile {d} is outside 1 to 10")))
    }
}

pub(crate) fn read_deprivation(
    ranks: Input,
    scores: Input,
    subdomains: Input,
) -> Result<Vec<Deprivation>, ImportError> {
    const DOMAINS: [(&str, &str); 8] = [
        (
            "index_of_multiple_deprivation_imd_rank",
            "index_of_multiple_deprivation_imd_decile",
        ),
        ("income_rank", "income_decile"),
        ("employment_rank", "employment_decile"),
        (
            "education_skills_and_training_rank",
            "education_skills_and_training_decile",
        ),
        (
            "health_deprivation_and_disability_rank",
            "health_deprivation_and_disability_decile",
        ),
        ("crime_rank", "crime_decile"),
        (
            "barriers_to_housing_and_services_rank",
            "barriers_to_housing_and_services_decile",
        ),
        ("living_environment_rank", "living_environment_decile"),
    ];
    let mut cols = vec!["lsoa11_code"];
    for (r, d) in DOMAINS {
        cols.push(r);
        cols.push(d);
    }
    let mut by_code: BTreeMap<AreaCode, [RankDecile; 8]> = BTreeMap::new();
    let mut t = Table::new(&ranks.name, ranks.file, &cols)?;
    while let Some(r) = t.next_row()? {
        let code = r.code("lsoa11_code")?;
        let mut v = [RankDecile { rank: 1, decile: 1 }; 8];
        for (slot, (rank, decile)) in v.iter_mut().zip(DOMAINS) {
            *slot = rank_decile(&r, rank, decile)?;
        }
        if by_code.insert(code.clone(), v).is_some() {
            return Err(r.error("lsoa11_code", format!("LSOA {code} appears twice")));
        }
    }

    let cols = [
        "LSOA11CD",
        "IMD_score",
        "IDACI_score",
        "IDACI_decile_from_score_best",
        "IDACI_decile_from_score_worst",
    ];
    let mut score: BTreeMap<AreaCode, (f64, f64, u8, u8)> = BTreeMap::new();
    let mut t = Table::new(&scores.name, scores.file, &cols)?;
    while let Some(r) = t.next_row()? {
        let code = r.code("LSOA11CD")?;
        let idaci = r.decimal("IDACI_score")?;
        if !(0.0..=1.0).contains(&idaci) {
            return Err(r.error(
                "IDACI_score",
                "IDACI is a share of children, between 0 and 1",
            ));
        }
        let best = decile_value(&r, "IDACI_decile_from_score_best")?;
        let worst = decile_value(&r, "IDACI_decile_from_score_worst")?;
        score.insert(
            code,
            (
                r.decimal("IMD_score")?,
                idaci,
                best.min(worst),
                best.max(worst),
            ),
        );
    }

    let cols = [
        "lsoa11_code",
        "Children_and_young_people_rank",
        "Children_and_young_people_decile",
    ];
    let mut cyp: BTreeMap<AreaCode, RankDecile> = BTreeMap::new();
    let mut t = Table::new(&subdomains.name, subdomains.file, &cols)?;
    while let Some(r) = t.next_row()? {
        let code = r.code("lsoa11_code")?;
        cyp.insert(
            code,
            rank_decile(
                &r,
                "Children_and_young_people_rank",
                "Children_and_young_people_decile",
            )?,
        );
    }

    by_code
        .into_iter()
        .map(|(code, v)| {
            let missing = |file: &str| {
                ImportError::file(
                    file,
                    format!("has no row for LSOA {code}, which the ranks file has"),
                )
            };
            let (imd_score, idaci_score, best, worst) =
                *score.get(&code).ok_or_else(|| missing(&scores.name))?;
            let cyp = *cyp.get(&code).ok_or_else(|| missing(&subdomains.name))?;
            Ok(Deprivation {
                lsoa11: code,
                imd_score,
                imd: v[0],
                income: v[1],
                employment: v[2],
                education: v[3],
                health: v[4],
                crime: v[5],
                barriers: v[6],
                living_environment: v[7],
                idaci_score,
                idaci_decile_best: best,
                idaci_decile_worst: worst,
                children_young_people: cyp,
            })
        })
        .collect()
}

/// Mid-2020 population: a row per LSOA with a column per age `0` … `89` and `90+`.
pub(crate) fn read_population(input: Input) -> Result<Vec<LsoaPopulation>, ImportError> {
    let mut t = Table::new(
        &input.name,
        input.file,
        &["lsoa11_code", "total_population", "0", "90+"],
    )?;
    let mut age_columns: Vec<(usize, u8, String)> = Vec::new();
    for (i, h) in t.headers().iter().enumerate() {
        if h == "90+" {
            age_columns.push((i, 90, h.clone()));
        } else if let Ok(a) = h.parse::<u8>() {
            age_columns.push((i, a, h.clone()));
        }
    }
    let mut ages_seen: Vec<u8> = age_columns.iter().map(|c| c.1).collect();
    ages_seen.sort_unstable();
    if ages_seen != (0..=90).collect::<Vec<u8>>() {
        return Err(ImportError::at(
            &input.name,
            1,
            "0",
            "expected one column for each age 0 to 89, and 90+",
        ));
    }
    let mut out = Vec::new();
    while let Some(r) = t.next_row()? {
        let lsoa11 = r.code("lsoa11_code")?;
        let total: u32 = r.number("total_population")?;
        let mut ages = Vec::with_capacity(91);
        let mut sum = 0u32;
        for (i, age, header) in &age_columns {
            let text = r.text_at(*i);
            let persons: u32 = text.parse().map_err(|_| {
                r.error(header, format!("'{text}' is not a whole number of persons"))
            })?;
            sum = sum.saturating_add(persons);
            ages.push(AgeCount { age: *age, persons });
        }
        if sum != total {
            return Err(r.error(
                "total_population",
                format!("the ages add up to {sum}, not the total of {total}"),
            ));
        }
        out.push(LsoaPopulation {
            lsoa11,
            year: 2020,
            ages,
        });
    }
    Ok(out)
}
