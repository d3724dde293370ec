//! The in-memory geography index, loaded on first use and reloaded when the database's
//! `geo_version` moves on (see `cache.rs`).

use crate::{Result, SqlStore, StoreError};
use everychild_domain::geo::{
    AgePhaseHub, AreaCode, BngPoint, GeoIndex, GeoIndexBuilder, Postcode, PostcodeEntry, Urn,
};
use sqlx::{Any, Transaction};

/// The cached postcode index of one store.
pub type GeoCache = crate::cache::VersionedCache<GeoIndex>;

/// A new, empty postcode-index cache.
pub(crate) fn new_cache() -> GeoCache {
    crate::cache::VersionedCache::new("geo_version")
}

/// Record that the geography changed. The directory's index places services by postcode and
/// locality, so it is rebuilt too.
pub(crate) async fn bump_version(tx: &mut Transaction<'static, Any>) -> Result<()> {
    sqlx::query("UPDATE geo_version SET version = version + 1 WHERE id = 1")
        .execute(&mut **tx)
        .await?;
    sqlx::query("UPDATE directory_version SET version = version + 1 WHERE id = 1")
        .execute(&mut **tx)
        .await?;
    Ok(())
}

fn code(s: &str) -> Result<AreaCode> {
    AreaCode::parse(s).map_err(|e| StoreError::Corrupt(e.to_string()))
}

fn opt_code(s: Option<String>) -> Result<Option<AreaCode>> {
    s.as_deref().map(code).transpose()
}

impl SqlStore {
    /// Read everything the index needs.
    pub(crate) async fn load_geo_index(&self) -> Result<GeoIndex> {
        let mut b = GeoIndexBuilder::default();
        let rows: Vec<(String, String)> = sqlx::query_as("SELECT code, name FROM authorities")
            .fetch_all(&self.pool)
            .await?;
        for (c, n) in rows {
            b.authority(code(&c)?, &n);
        }
        let rows: Vec<(String, String)> = sqlx::query_as("SELECT code, name FROM wards")
            .fetch_all(&self.pool)
            .await?;
        for (c, n) in rows {
            b.ward(code(&c)?, &n);
        }
        type PcRow = (
            String,
            String,
            Option<String>,
            Option<String>,
            Option<f64>,
            Option<f64>,
            Option<String>,
        );
        let rows: Vec<PcRow> = sqlx::query_as(
            "SELECT postcode, authority_code, lsoa11, ward_code, easting, northing, terminated FROM postcodes",
        )
        .fetch_all(&self.pool)
        .await?;
        for (pc, la, lsoa, ward, e, n, term) in rows {
            b.postcode(PostcodeEntry {
                postcode: Postcode::parse(&pc).map_err(|e| StoreError::Corrupt(e.to_string()))?,
                authority: code(&la)?,
                lsoa11: opt_code(lsoa)?,
                ward: opt_code(ward)?,
                point: e.zip(n).map(|(e, n)| BngPoint::new(e, n)),
                terminated: term,
            });
        }
        let rows: Vec<(i64, String)> = sqlx::query_as(
            "SELECT DISTINCT l.id, l.name FROM localities l \
             JOIN boundary_set_wards w ON w.locality_id = l.id \
             JOIN boundary_sets s ON s.id = w.set_id AND s.is_current = 1",
        )
        .fetch_all(&self.pool)
        .await?;
        for (id, name) in rows {
            b.locality(id, &name);
        }
        let rows: Vec<(String, i64)> = sqlx::query_as(
            "SELECT w.ward_code, w.locality_id FROM boundary_set_wards w \
             JOIN boundary_sets s ON s.id = w.set_id AND s.is_current = 1",
        )
        .fetch_all(&self.pool)
        .await?;
        for (ward, loc) in rows {
            b.assign(code(&ward)?, loc);
        }
        type HubRow = (i64, String, String, String, i64, i64, String);
        let rows: Vec<HubRow> = sqlx::query_as(
            "SELECT s.id, s.name, s.address, s.postcode, s.locality_id, p.id, p.name FROM sites s \
             JOIN age_phases p ON p.id = s.age_phase_id WHERE s.is_hub = 1 ORDER BY s.id",
        )
        .fetch_all(&self.pool)
        .await?;
        for (id, name, address, postcode, loc, phase_id, phase_name) in rows {
            b.hub(
                loc,
                AgePhaseHub {
                    phase_id,
                    phase_name,
                    hub_id: id,
                    hub_name: name,
                    address,
                    postcode,
                },
            );
        }
        let rows: Vec<(i64, String, String, Option<String>, i64)> =
            sqlx::query_as("SELECT urn, name, authority_code, ward_code, city_wide FROM schools")
                .fetch_all(&self.pool)
                .await?;
        for (urn, name, la, ward, city_wide) in rows {
            let urn = u32::try_from(urn).map_err(|_| StoreError::Corrupt(format!("URN {urn}")))?;
            b.school(Urn(urn), &name, code(&la)?, opt_code(ward)?, city_wide != 0);
        }
        Ok(b.build())
    }
}
