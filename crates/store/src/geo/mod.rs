//! Geography: importing the open data (an upsert of every table in one audited transaction)
//! and the in-memory [`GeoIndex`] that answers postcode and school lookups.

mod cache;
mod import;
pub(crate) mod upsert;

pub use cache::GeoCache;
pub(crate) use cache::{bump_version as bump, new_cache};
pub use import::GeographyReport;
pub use upsert::TableCounts;

use crate::audit::Event;
use crate::{Result, SqlStore};
use async_trait::async_trait;
use everychild_domain::geo::data::GeographyData;
use everychild_domain::geo::GeoIndex;
use everychild_policy::{self as policy, Permit};
use std::sync::Arc;

/// Geography: the import of open data and the in-memory lookup index.
#[async_trait]
pub trait GeoRepo: Send + Sync {
    /// Upsert every geography table in one audited transaction; importing the same data again
    /// changes nothing.
    async fn import_geography(
        &self,
        p: &Permit<policy::ImportGeography>,
        data: &GeographyData,
    ) -> Result<GeographyReport>;
    /// The postcode, school and locality index (loaded once, reloaded after changes).
    async fn geo_index(&self, p: &Permit<policy::LookupPostcode>) -> Result<Arc<GeoIndex>>;
}

#[async_trait::async_trait]
impl GeoRepo for SqlStore {
    async fn import_geography(
        &self,
        p: &Permit<policy::ImportGeography>,
        data: &GeographyData,
    ) -> Result<GeographyReport> {
        let mut a = self.audited(p).await?;
        let now = self.now().to_db();
        let report = import::run(&mut a.tx, data, &now).await?;
        if report.changed_anything() {
            bump(&mut a.tx).await?;
        }
        let detail = serde_json::to_value(&report).unwrap_or_default();
        a.commit(Event::success("geography.import", None).detail(detail))
            .await?;
        if report.changed_anything() {
            self.analyze(&[
                "authorities",
                "wards",
                "lsoas",
                "deprivation",
                "population",
                "postcodes",
                "schools",
                "boundary_sets",
                "boundary_set_wards",
            ])
            .await?;
        }
        self.geo.invalidate();
        self.directory.invalidate();
        Ok(report)
    }

    async fn geo_index(&self, _p: &Permit<policy::LookupPostcode>) -> Result<Arc<GeoIndex>> {
        self.geo.get(self, self.load_geo_index()).await
    }
}
