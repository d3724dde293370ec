//! Building the directory's search index from every entry's live version: each service's
//! provider is the one stored now, and each location is placed by its own coordinates or, if it
//! has none, by its postcode in the geography (which also gives its locality).

use super::from_json;
use crate::{Result, SqlStore};
use everychild_domain::directory::oruk::{Location, Organization, Service, Taxonomy, TaxonomyTerm};
use everychild_domain::directory::search::{document_position, DirectoryIndex, Placed, Published};
use everychild_domain::directory::Extras;
use std::collections::HashMap;

impl SqlStore {
    pub(crate) async fn load_directory_index(&self) -> Result<DirectoryIndex> {
        let geo = self.geo.get(self, self.load_geo_index()).await?;
        let orgs: Vec<(String, String)> =
            sqlx::query_as("SELECT id, document FROM directory_organisations")
                .fetch_all(&self.pool)
                .await?;
        let orgs: HashMap<String, Organization> = orgs
            .into_iter()
            .map(|(id, doc)| Ok((id, from_json(&doc)?)))
            .collect::<Result<_>>()?;
        let rows: Vec<(String, String)> = sqlx::query_as(
            "SELECT v.document, v.extras FROM directory_entries e \
             JOIN directory_entry_versions v ON v.entry_id = e.id AND v.version = e.live_version \
             WHERE e.live_version IS NOT NULL",
        )
        .fetch_all(&self.pool)
        .await?;
        let mut entries = Vec::with_capacity(rows.len());
        for (doc, extras) in rows {
            let mut service: Service = from_json(&doc)?;
            let extras: Extras = from_json(&extras)?;
            if let Some(org) = service.organization_id.as_ref().and_then(|id| orgs.get(id)) {
                service.organization = Some(org.clone());
            }
            entries.push(Published { service, extras });
        }
        let taxonomies: Vec<(String,)> =
            sqlx::query_as("SELECT document FROM directory_taxonomies")
                .fetch_all(&self.pool)
                .await?;
        let taxonomies: Vec<Taxonomy> = taxonomies
            .iter()
            .map(|(d,)| from_json(d))
            .collect::<Result<_>>()?;
        let terms: Vec<(String,)> = sqlx::query_as("SELECT document FROM directory_terms")
            .fetch_all(&self.pool)
            .await?;
        let terms: Vec<TaxonomyTerm> = terms
            .iter()
            .map(|(d,)| from_json(d))
            .collect::<Result<_>>()?;
        let place = |l: &Location| {
            let found = l.postcode().and_then(|pc| geo.lookup(pc, None).ok());
            Placed {
                position: document_position(l).or_else(|| found.and_then(|a| a.lat_lon())),
                locality: found.and_then(|a| a.locality.map(|(id, _)| id)),
            }
        };
        Ok(DirectoryIndex::build(entries, taxonomies, terms, place))
    }
}
