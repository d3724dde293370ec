//! Locality figures under any boundary set: population by age phase, deprivation deciles,
//! schools. Everything is summed from LSOAs through their ward's place in the set, so a new set
//! gives new figures from the same data and the old set's figures stay reproducible.

use super::teams::sites_where;
use crate::{LocalityProfile, LocalityRow, PhaseCount, Result, SchoolRow, SqlStore, WardFigures};

/// LSOAs (2011) of a locality under a set, as a join fragment; binds `$1` = set, `$2` = locality.
const LSOAS_IN: &str = "JOIN lsoas l ON l.code = {col} AND l.vintage = 2011 \
     JOIN boundary_set_wards bw ON bw.ward_code = l.ward_code AND bw.set_id = $1 AND bw.locality_id = $2";

fn lsoas_in(col: &str) -> String {
    LSOAS_IN.replace("{col}", col)
}

pub(super) async fn profile(
    store: &SqlStore,
    locality_id: i64,
    set_id: Option<i64>,
) -> Result<Option<LocalityProfile>> {
    let row: Option<(i64, String, Option<i64>)> =
        sqlx::query_as("SELECT id, name, authority_id FROM localities WHERE id = $1")
            .bind(locality_id)
            .fetch_optional(&store.pool)
            .await?;
    let Some((id, name, Some(authority_id))) = row else {
        return Ok(None);
    };
    let Some(authority) = store.authority(authority_id).await? else {
        return Ok(None);
    };
    let set_id = match set_id {
        Some(s) => {
            let owner: Option<(i64,)> =
                sqlx::query_as("SELECT authority_id FROM boundary_sets WHERE id = $1")
                    .bind(s)
                    .fetch_optional(&store.pool)
                    .await?;
            if owner != Some((authority_id,)) {
                return Ok(None);
            }
            Some(s)
        }
        None => sqlx::query_as::<_, (i64,)>(
            "SELECT id FROM boundary_sets WHERE authority_id = $1 AND is_current = 1",
        )
        .bind(authority_id)
        .fetch_optional(&store.pool)
        .await?
        .map(|r| r.0),
    };
    let set = set_id.unwrap_or(0);
    let wards: Vec<(String, String)> = sqlx::query_as(
        "SELECT w.code, w.name FROM boundary_set_wards bw JOIN wards w ON w.code = bw.ward_code \
         WHERE bw.set_id = $1 AND bw.locality_id = $2 ORDER BY w.name",
    )
    .bind(set)
    .bind(id)
    .fetch_all(&store.pool)
    .await?;

    let sql = format!(
        "SELECT p.age, CAST(SUM(p.persons) AS BIGINT) FROM population p {} \
         WHERE p.year = (SELECT MAX(year) FROM population) GROUP BY p.age",
        lsoas_in("p.lsoa11")
    );
    let ages: Vec<(i64, i64)> = sqlx::query_as(&sql)
        .bind(set)
        .bind(id)
        .fetch_all(&store.pool)
        .await?;
    let persons = |lo: i64, hi: i64| -> i64 {
        ages.iter()
            .filter(|(a, _)| *a >= lo && *a <= hi)
            .map(|(_, n)| n)
            .sum()
    };
    let by_phase = store
        .phases_of(authority_id)
        .await?
        .into_iter()
        .map(|ph| PhaseCount {
            persons: persons(ph.min_age, ph.max_age),
            send_extension: ph.send_max_age.map(|s| persons(ph.max_age + 1, s)),
            phase: ph.name,
        })
        .collect();

    let sql = format!(
        "SELECT d.imd_decile, d.idaci_decile_best, d.idaci_decile_worst FROM deprivation d {}",
        lsoas_in("d.lsoa11")
    );
    let deciles: Vec<(i64, i64, i64)> = sqlx::query_as(&sql)
        .bind(set)
        .bind(id)
        .fetch_all(&store.pool)
        .await?;
    let mut imd_deciles = [0i64; 10];
    let mut idaci_deciles = [0i64; 10];
    let mut idaci_ambiguous = 0;
    for (imd, best, worst) in &deciles {
        if let Some(slot) = usize::try_from(imd - 1)
            .ok()
            .and_then(|i| imd_deciles.get_mut(i))
        {
            *slot += 1;
        }
        if let Some(slot) = usize::try_from(best - 1)
            .ok()
            .and_then(|i| idaci_deciles.get_mut(i))
        {
            *slot += 1;
        }
        if best != worst {
            idaci_ambiguous += 1;
        }
    }
    let lsoa_sql = format!("SELECT COUNT(*) FROM lsoas x {}", lsoas_in("x.code"));
    let (lsoas,): (i64,) = sqlx::query_as(&lsoa_sql)
        .bind(set)
        .bind(id)
        .fetch_one(&store.pool)
        .await?;

    type SchoolTuple = (i64, String, String, String, Option<i64>, i64);
    let schools: Vec<SchoolTuple> = sqlx::query_as(
        "SELECT s.urn, s.name, s.phase, s.type_group, s.pupils, s.city_wide FROM schools s \
         JOIN boundary_set_wards bw ON bw.ward_code = s.ward_code AND bw.set_id = $1 AND bw.locality_id = $2 \
         ORDER BY s.phase, s.name",
    )
    .bind(set)
    .bind(id)
    .fetch_all(&store.pool)
    .await?;

    Ok(Some(LocalityProfile {
        locality: LocalityRow {
            id,
            name,
            authority_id,
            wards,
        },
        authority,
        set_id,
        by_phase,
        children: persons(0, 19),
        population: persons(0, 200),
        lsoas,
        imd_deciles,
        idaci_deciles,
        idaci_ambiguous,
        schools: schools
            .into_iter()
            .map(
                |(urn, name, phase, type_group, pupils, city_wide)| SchoolRow {
                    urn,
                    name,
                    phase,
                    type_group,
                    pupils,
                    city_wide: city_wide != 0,
                },
            )
            .collect(),
        sites: sites_where(store, "s.locality_id = $1", id).await?,
    }))
}

pub(super) async fn ward_figures(store: &SqlStore, authority_id: i64) -> Result<Vec<WardFigures>> {
    let rows: Vec<(String, String, i64, i64, Option<String>)> = sqlx::query_as(
        "SELECT w.code, w.name, \
         CAST(COALESCE(SUM(CASE WHEN p.age <= 19 THEN p.persons ELSE 0 END), 0) AS BIGINT), \
         CAST(COALESCE(SUM(p.persons), 0) AS BIGINT), w.geometry \
         FROM wards w JOIN authorities a ON a.code = w.authority_code AND a.id = $1 \
         LEFT JOIN lsoas l ON l.ward_code = w.code AND l.vintage = 2011 \
         LEFT JOIN population p ON p.lsoa11 = l.code AND p.year = (SELECT MAX(year) FROM population) \
         GROUP BY w.code, w.name, w.geometry ORDER BY w.name",
    )
    .bind(authority_id)
    .fetch_all(&store.pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(code, name, children, population, geometry)| WardFigures {
            code,
            name,
            children,
            population,
            geometry,
        })
        .collect())
}

pub(super) async fn schools_of(store: &SqlStore, authority_id: i64) -> Result<Vec<SchoolRow>> {
    type SchoolTuple = (i64, String, String, String, Option<i64>, i64);
    let rows: Vec<SchoolTuple> = sqlx::query_as(
        "SELECT s.urn, s.name, s.phase, s.type_group, s.pupils, s.city_wide FROM schools s \
         JOIN authorities a ON a.code = s.authority_code AND a.id = $1 ORDER BY s.name",
    )
    .bind(authority_id)
    .fetch_all(&store.pool)
    .await?;
    Ok(rows.into_iter().map(school_row).collect())
}

fn school_row(
    (urn, name, phase, type_group, pupils, city_wide): (
        i64,
        String,
        String,
        String,
        Option<i64>,
        i64,
    ),
) -> SchoolRow {
    SchoolRow {
        urn,
        name,
        phase,
        type_group,
        pupils,
        city_wide: city_wide != 0,
    }
}
