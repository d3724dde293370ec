//! Organisations and localities.

use crate::audit::Event;
use crate::types::ts;
use crate::{NewOrganisation, Organisation, Result, SqlStore, StoreError};
use async_trait::async_trait;
use everychild_domain::{AgencyType, OrganisationId, OrganisationKind};
use everychild_policy::{self as policy, Permit};

/// Organisations.
#[async_trait]
pub trait OrgRepo: Send + Sync {
    /// Every organisation.
    async fn list_organisations(
        &self,
        p: &Permit<policy::ListOrganisations>,
    ) -> Result<Vec<Organisation>>;
    /// Create an organisation; audited.
    async fn create_organisation(
        &self,
        p: &Permit<policy::ManageOrganisations>,
        o: NewOrganisation,
    ) -> Result<everychild_domain::OrganisationId>;
}

#[async_trait::async_trait]
impl OrgRepo for SqlStore {
    async fn list_organisations(
        &self,
        _p: &Permit<policy::ListOrganisations>,
    ) -> Result<Vec<Organisation>> {
        let rows: Vec<(i64, String, String, String)> =
            sqlx::query_as("SELECT id, name, kind, agency_type FROM organisations ORDER BY name")
                .fetch_all(&self.pool)
                .await?;
        rows.into_iter()
            .map(|(id, name, kind, agency)| {
                Ok(Organisation {
                    id,
                    name,
                    kind: OrganisationKind::parse(&kind)
                        .ok_or_else(|| StoreError::Corrupt(format!("kind {kind}")))?,
                    agency_type: AgencyType::parse(&agency)
                        .ok_or_else(|| StoreError::Corrupt(format!("agency {agency}")))?,
                })
            })
            .collect()
    }

    async fn create_organisation(
        &self,
        p: &Permit<policy::ManageOrganisations>,
        o: NewOrganisation,
    ) -> Result<OrganisationId> {
        let name = o.name.trim();
        if name.is_empty() || name.chars().count() > 200 {
            return Err(StoreError::invalid(
                "name",
                "Enter an organisation name of 200 characters or fewer",
            ));
        }
        let mut a = self.audited(p).await?;
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO organisations (name, kind, agency_type, created_at) VALUES ($1, $2, $3, $4) RETURNING id",
        )
        .bind(name)
        .bind(o.kind.as_str())
        .bind(o.agency_type.as_str())
        .bind(ts(self.now()))
        .fetch_one(&mut *a.tx)
        .await
        .map_err(|e| match StoreError::from(e) {
            StoreError::Conflict(_) => StoreError::invalid("name", "An organisation with that name already exists"),
            other => other,
        })?;
        a.commit(Event::success(
            "organisation.create",
            Some(("organisation", id.to_string())),
        ))
        .await?;
        Ok(OrganisationId(id))
    }
}
