//! Organisations and localities.

use crate::audit::{Event, Who};
use crate::types::ts;
use crate::{NewOrganisation, OrgRepo, Organisation, Result, SqlStore, StoreError};
use everychild_domain::{AgencyType, OrganisationId, OrganisationKind};
use everychild_policy::{self as policy, Permit};

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
            return Err(StoreError::Conflict(
                "name: Enter an organisation name of 200 characters or fewer".into(),
            ));
        }
        let mut a = self.begin_audited().await?;
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
            StoreError::Conflict(_) => StoreError::Conflict("name: An organisation with that name already exists".into()),
            other => other,
        })?;
        self.commit_audited(
            a,
            Who::of(p.principal()),
            p.purpose(),
            Event::success(
                "organisation.create",
                Some(("organisation", id.to_string())),
            ),
        )
        .await?;
        Ok(OrganisationId(id))
    }
}
