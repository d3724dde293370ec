//! Geography: importing the open data (an upsert of every table in one audited transaction)
//! and the in-memory [`GeoIndex`] that answers postcode and school lookups.

mod cache;
mod import;
pub(crate) mod upsert;

pub use cache::GeoCache;
pub(crate) use cache::{bump_version as bump, new_cache};
pub use import::GeographyReport;
pub use upsert::TableCounts;

use crate::audit::{Event, Who};
use crate::{GeoRepo, Result, SqlStore};
use everychild_domain::geo::data::GeographyData;
use everychild_domain::geo::GeoIndex;
use everychild_policy::{self as policy, Permit};
use std::sync::Arc;

#[async_trait::async_trait]
impl GeoRepo for SqlStore {
    async fn import_geography(
        &self,
        p: &Permit<policy::ImportGeography>,
        data: &GeographyData,
    ) -> Result<GeographyReport> {
        let mut a = self.begin_audited().await?;
        let now = self.now().to_db();
        let report = import::run(&mut a.tx, data, &now).await?;
        if report.changed_anything() {
            bump(&mut a.tx).await?;
        }
        let detail = serde_json::to_value(&report).unwrap_or_default();
        self.commit_audited(
            a,
            Who::of(p.principal()),
            p.purpose(),
            Event::success("geography.import", None).detail(detail),
        )
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
