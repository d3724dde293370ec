//! Authorities, age phases, localities and boundary sets. Figures are in `figures.rs`; hubs,
//! teams and contacts in `teams.rs`.

mod figures;
mod teams;
pub mod types;

use crate::audit::Event;
use crate::{
    AgePhaseRow, Authority, BoundarySetDetail, BoundarySetSummary, CitywideContact,
    LocalityProfile, LocalityRow, NewMember, NewSite, NewTeam, Result, SchoolRow, Site, SqlStore,
    StoreError, Team, WardAssignment, WardFigures,
};
use async_trait::async_trait;
use everychild_domain::locality::{AgePhases, LeadRule, ValidBoundarySet};
use everychild_domain::UserId;
use everychild_policy::{self as policy, Capability, Permit, Principal, Target};
use serde_json::json;

/// The name recorded as having made something.
pub(crate) fn maker(p: &Principal) -> String {
    match p {
        Principal::User(a) => a.username.clone(),
        Principal::Console => "(console)".into(),
        _ => "(unknown)".into(),
    }
}

/// The locality a permit is for.
pub(crate) fn permit_locality<C: Capability>(p: &Permit<C>) -> Result<i64> {
    match p.target() {
        Target::Locality(l) => Ok(*l),
        _ => Err(StoreError::Database(
            "this action needs a permit for one locality".into(),
        )),
    }
}

fn conflict(field: &'static str, message: &'static str) -> impl Fn(StoreError) -> StoreError {
    move |e| match e {
        StoreError::Conflict(_) => StoreError::invalid(field, message),
        other => other,
    }
}

impl SqlStore {
    async fn authority(&self, id: i64) -> Result<Option<Authority>> {
        let row: Option<(i64, String, String, String)> =
            sqlx::query_as("SELECT id, code, name, lead_rule FROM authorities WHERE id = $1")
                .bind(id)
                .fetch_optional(&self.pool)
                .await?;
        row.map(authority_from).transpose()
    }

    async fn phases_of(&self, authority_id: i64) -> Result<Vec<AgePhaseRow>> {
        let rows: Vec<(i64, String, i64, i64, Option<i64>)> = sqlx::query_as(
            "SELECT id, name, min_age, max_age, send_max_age FROM age_phases \
             WHERE authority_id = $1 ORDER BY min_age",
        )
        .bind(authority_id)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|(id, name, min_age, max_age, send_max_age)| AgePhaseRow {
                id,
                name,
                min_age,
                max_age,
                send_max_age,
            })
            .collect())
    }

    /// Localities of an authority, with the wards the current set gives each.
    async fn localities_of(&self, authority_id: i64) -> Result<Vec<LocalityRow>> {
        let locs: Vec<(i64, String)> =
            sqlx::query_as("SELECT id, name FROM localities WHERE authority_id = $1 ORDER BY name")
                .bind(authority_id)
                .fetch_all(&self.pool)
                .await?;
        let wards: Vec<(i64, String, String)> = sqlx::query_as(
            "SELECT bw.locality_id, w.code, w.name FROM boundary_set_wards bw \
             JOIN boundary_sets s ON s.id = bw.set_id AND s.is_current = 1 AND s.authority_id = $1 \
             JOIN wards w ON w.code = bw.ward_code ORDER BY w.name",
        )
        .bind(authority_id)
        .fetch_all(&self.pool)
        .await?;
        let mut out: Vec<LocalityRow> = locs
            .into_iter()
            .map(|(id, name)| LocalityRow {
                id,
                name,
                authority_id,
                wards: wards
                    .iter()
                    .filter(|w| w.0 == id)
                    .map(|w| (w.1.clone(), w.2.clone()))
                    .collect(),
            })
            .collect();
        out.sort_by_key(|l| !l.is_current());
        Ok(out)
    }

    async fn set_summary_rows(&self, filter: &str, id: i64) -> Result<Vec<BoundarySetSummary>> {
        let sql = format!(
            "SELECT s.id, s.version, s.name, s.note, s.is_current, s.created_by, s.created_at, \
             s.made_current_at, (SELECT COUNT(DISTINCT locality_id) FROM boundary_set_wards w WHERE w.set_id = s.id) \
             FROM boundary_sets s WHERE {filter} ORDER BY s.version DESC"
        );
        type Row = (
            i64,
            i64,
            String,
            String,
            i64,
            String,
            String,
            Option<String>,
            i64,
        );
        let rows: Vec<Row> = sqlx::query_as(&sql).bind(id).fetch_all(&self.pool).await?;
        Ok(rows
            .into_iter()
            .map(|r| BoundarySetSummary {
                id: r.0,
                version: r.1,
                name: r.2,
                note: r.3,
                is_current: r.4 != 0,
                created_by: r.5,
                created_at: r.6,
                made_current_at: r.7,
                localities: r.8,
            })
            .collect())
    }
}

fn authority_from((id, code, name, rule): (i64, String, String, String)) -> Result<Authority> {
    Ok(Authority {
        id,
        code,
        name,
        lead_rule: LeadRule::parse(&rule)
            .ok_or_else(|| StoreError::Corrupt(format!("lead rule {rule}")))?,
    })
}

/// Authorities, localities, boundary sets, age phases, hubs and sites, teams and contacts.
#[async_trait]
pub trait LocalityRepo: Send + Sync {
    /// Every authority.
    async fn authorities(&self, p: &Permit<policy::ViewLocalities>) -> Result<Vec<Authority>>;
    /// Set the lead-locality rule of an authority; audited.
    async fn set_lead_rule(
        &self,
        p: &Permit<policy::ConfigureAuthority>,
        authority_id: i64,
        rule: LeadRule,
    ) -> Result<()>;
    /// An authority's age phases, youngest first.
    async fn age_phases(
        &self,
        p: &Permit<policy::ViewLocalities>,
        authority_id: i64,
    ) -> Result<Vec<AgePhaseRow>>;
    /// Set an authority's age phases (matched by name; a phase in use cannot be removed);
    /// audited.
    async fn set_age_phases(
        &self,
        p: &Permit<policy::ConfigureAuthority>,
        authority_id: i64,
        phases: &AgePhases,
    ) -> Result<()>;
    /// An authority's localities (those of the current set first), with their current wards.
    async fn localities(
        &self,
        p: &Permit<policy::ViewLocalities>,
        authority_id: i64,
    ) -> Result<Vec<LocalityRow>>;
    /// Create a locality; audited.
    async fn create_locality(
        &self,
        p: &Permit<policy::ConfigureAuthority>,
        authority_id: i64,
        name: &str,
    ) -> Result<i64>;
    /// A locality's figures under a boundary set (the current one if `None`).
    async fn locality_profile(
        &self,
        p: &Permit<policy::ViewLocalities>,
        locality_id: i64,
        set_id: Option<i64>,
    ) -> Result<Option<LocalityProfile>>;
    /// An authority's boundary sets, newest first.
    async fn boundary_sets(
        &self,
        p: &Permit<policy::ViewBoundarySets>,
        authority_id: i64,
    ) -> Result<Vec<BoundarySetSummary>>;
    /// One boundary set with every ward's locality.
    async fn boundary_set(
        &self,
        p: &Permit<policy::ViewBoundarySets>,
        set_id: i64,
    ) -> Result<Option<BoundarySetDetail>>;
    /// An authority's wards with their populations and boundaries.
    async fn authority_wards(
        &self,
        p: &Permit<policy::ViewLocalities>,
        authority_id: i64,
    ) -> Result<Vec<WardFigures>>;
    /// Store a new boundary set (the next version; the old ones are kept), optionally making it
    /// current; audited.
    async fn create_boundary_set(
        &self,
        p: &Permit<policy::ManageBoundarySets>,
        authority_id: i64,
        name: &str,
        note: &str,
        set: &ValidBoundarySet,
        make_current: bool,
    ) -> Result<i64>;
    /// Make a boundary set its authority's current one; audited.
    async fn make_boundary_set_current(
        &self,
        p: &Permit<policy::ManageBoundarySets>,
        set_id: i64,
    ) -> Result<()>;
    /// An authority's schools, by name.
    async fn schools(
        &self,
        p: &Permit<policy::ViewLocalities>,
        authority_id: i64,
    ) -> Result<Vec<SchoolRow>>;
    /// An authority's hubs and delivery sites.
    async fn sites(
        &self,
        p: &Permit<policy::ViewLocalities>,
        authority_id: i64,
    ) -> Result<Vec<Site>>;
    /// Add a hub or delivery site to the permit's locality; audited.
    async fn add_site(&self, p: &Permit<policy::ManageLocality>, s: NewSite) -> Result<i64>;
    /// The permit's locality's teams (one age phase or all) and city-wide contacts; audited,
    /// as it shows staff contact details.
    async fn team_directory(
        &self,
        p: &Permit<policy::ViewTeams>,
        age_phase_id: Option<i64>,
    ) -> Result<(Vec<Team>, Vec<CitywideContact>)>;
    /// The enabled account with this username, for adding to the permit's locality's teams.
    async fn staff_by_username(
        &self,
        p: &Permit<policy::ManageLocality>,
        username: &str,
    ) -> Result<Option<UserId>>;
    /// Create a team in the permit's locality; audited.
    async fn create_team(&self, p: &Permit<policy::ManageLocality>, t: NewTeam) -> Result<i64>;
    /// Add a member to a team of the permit's locality; audited.
    async fn add_team_member(
        &self,
        p: &Permit<policy::ManageLocality>,
        team_id: i64,
        m: NewMember,
    ) -> Result<()>;
    /// Add a city-wide service to an authority; audited.
    async fn add_citywide_service(
        &self,
        p: &Permit<policy::ConfigureAuthority>,
        authority_id: i64,
        name: &str,
        organisation_id: i64,
    ) -> Result<i64>;
    /// An authority's city-wide services: id and name.
    async fn citywide_services(
        &self,
        p: &Permit<policy::ViewLocalities>,
        authority_id: i64,
    ) -> Result<Vec<(i64, String)>>;
    /// Name the permit's locality's contact for a city-wide service; audited.
    async fn set_citywide_contact(
        &self,
        p: &Permit<policy::ManageLocality>,
        service_id: i64,
        user_id: i64,
    ) -> Result<()>;
    /// Mark a school as serving the whole authority (or not); audited.
    async fn set_school_city_wide(
        &self,
        p: &Permit<policy::ConfigureAuthority>,
        urn: i64,
        city_wide: bool,
    ) -> Result<()>;
    /// Set the localities the permit's user works in; audited.
    async fn set_user_localities(
        &self,
        p: &Permit<policy::ManageUser>,
        localities: &[i64],
    ) -> Result<()>;
    /// Set the permit's user's work phone and line manager; audited.
    async fn set_staff_contact(
        &self,
        p: &Permit<policy::ManageUser>,
        phone: Option<&str>,
        line_manager: Option<i64>,
    ) -> Result<()>;
}

#[async_trait::async_trait]
impl LocalityRepo for SqlStore {
    async fn authorities(&self, _p: &Permit<policy::ViewLocalities>) -> Result<Vec<Authority>> {
        let rows: Vec<(i64, String, String, String)> =
            sqlx::query_as("SELECT id, code, name, lead_rule FROM authorities ORDER BY name")
                .fetch_all(&self.pool)
                .await?;
        rows.into_iter().map(authority_from).collect()
    }

    async fn set_lead_rule(
        &self,
        p: &Permit<policy::ConfigureAuthority>,
        authority_id: i64,
        rule: LeadRule,
    ) -> Result<()> {
        let mut a = self.audited(p).await?;
        let n = sqlx::query("UPDATE authorities SET lead_rule = $1 WHERE id = $2")
            .bind(rule.as_str())
            .bind(authority_id)
            .execute(&mut *a.tx)
            .await?
            .rows_affected();
        if n == 0 {
            return Err(StoreError::invalid(
                "authority",
                "There is no such authority",
            ));
        }
        a.commit(
            Event::success(
                "authority.lead_rule",
                Some(("authority", authority_id.to_string())),
            )
            .detail(json!({ "lead_rule": rule.as_str() })),
        )
        .await?;
        self.geo.invalidate();
        self.directory.invalidate();
        Ok(())
    }

    async fn age_phases(
        &self,
        _p: &Permit<policy::ViewLocalities>,
        authority_id: i64,
    ) -> Result<Vec<AgePhaseRow>> {
        self.phases_of(authority_id).await
    }

    async fn set_age_phases(
        &self,
        p: &Permit<policy::ConfigureAuthority>,
        authority_id: i64,
        phases: &AgePhases,
    ) -> Result<()> {
        let mut a = self.audited(p).await?;
        let stored: Vec<(i64, String)> =
            sqlx::query_as("SELECT id, name FROM age_phases WHERE authority_id = $1")
                .bind(authority_id)
                .fetch_all(&mut *a.tx)
                .await?;
        for (id, name) in &stored {
            if !phases.phases().iter().any(|ph| &ph.name == name) {
                let (uses,): (i64,) = sqlx::query_as(
                    "SELECT (SELECT COUNT(*) FROM sites WHERE age_phase_id = $1) + \
                     (SELECT COUNT(*) FROM teams WHERE age_phase_id = $1)",
                )
                .bind(id)
                .fetch_one(&mut *a.tx)
                .await?;
                if uses > 0 {
                    return Err(StoreError::invalid(
                        "age_phases",
                        format!("Age phase {name} has hubs or teams, so it cannot be removed"),
                    ));
                }
                sqlx::query("DELETE FROM age_phases WHERE id = $1")
                    .bind(id)
                    .execute(&mut *a.tx)
                    .await?;
            }
        }
        for ph in phases.phases() {
            let send = ph.send_max_age.map(i64::from);
            if stored.iter().any(|(_, n)| n == &ph.name) {
                sqlx::query(
                    "UPDATE age_phases SET min_age = $1, max_age = $2, send_max_age = $3 \
                     WHERE authority_id = $4 AND name = $5",
                )
                .bind(i64::from(ph.min_age))
                .bind(i64::from(ph.max_age))
                .bind(send)
                .bind(authority_id)
                .bind(&ph.name)
                .execute(&mut *a.tx)
                .await?;
            } else {
                sqlx::query(
                    "INSERT INTO age_phases (authority_id, name, min_age, max_age, send_max_age) \
                     VALUES ($1, $2, $3, $4, $5)",
                )
                .bind(authority_id)
                .bind(&ph.name)
                .bind(i64::from(ph.min_age))
                .bind(i64::from(ph.max_age))
                .bind(send)
                .execute(&mut *a.tx)
                .await
                .map_err(StoreError::from)
                .map_err(|e| match e {
                    StoreError::NotFound(_) => {
                        StoreError::invalid("authority", "There is no such authority")
                    }
                    other => other,
                })?;
            }
        }
        let detail = serde_json::to_value(phases.phases()).unwrap_or_default();
        a.commit(
            Event::success(
                "authority.age_phases",
                Some(("authority", authority_id.to_string())),
            )
            .detail(detail),
        )
        .await
    }

    async fn localities(
        &self,
        _p: &Permit<policy::ViewLocalities>,
        authority_id: i64,
    ) -> Result<Vec<LocalityRow>> {
        self.localities_of(authority_id).await
    }

    async fn create_locality(
        &self,
        p: &Permit<policy::ConfigureAuthority>,
        authority_id: i64,
        name: &str,
    ) -> Result<i64> {
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 100 {
            return Err(StoreError::invalid(
                "name",
                "Enter a locality name of 100 characters or fewer",
            ));
        }
        let mut a = self.audited(p).await?;
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO localities (name, authority_id) VALUES ($1, $2) RETURNING id",
        )
        .bind(name)
        .bind(authority_id)
        .fetch_one(&mut *a.tx)
        .await
        .map_err(StoreError::from)
        .map_err(conflict("name", "A locality with that name already exists"))?;
        a.commit(
            Event::success("locality.create", Some(("locality", id.to_string())))
                .detail(json!({ "name": name, "authority_id": authority_id })),
        )
        .await?;
        Ok(id)
    }

    async fn locality_profile(
        &self,
        _p: &Permit<policy::ViewLocalities>,
        locality_id: i64,
        set_id: Option<i64>,
    ) -> Result<Option<LocalityProfile>> {
        figures::profile(self, locality_id, set_id).await
    }

    async fn boundary_sets(
        &self,
        _p: &Permit<policy::ViewBoundarySets>,
        authority_id: i64,
    ) -> Result<Vec<BoundarySetSummary>> {
        self.set_summary_rows("s.authority_id = $1", authority_id)
            .await
    }

    async fn boundary_set(
        &self,
        _p: &Permit<policy::ViewBoundarySets>,
        set_id: i64,
    ) -> Result<Option<BoundarySetDetail>> {
        let Some(set) = self.set_summary_rows("s.id = $1", set_id).await?.pop() else {
            return Ok(None);
        };
        let (authority_id,): (i64,) =
            sqlx::query_as("SELECT authority_id FROM boundary_sets WHERE id = $1")
                .bind(set_id)
                .fetch_one(&self.pool)
                .await?;
        let rows: Vec<(String, String, i64, String)> = sqlx::query_as(
            "SELECT w.code, w.name, l.id, l.name FROM boundary_set_wards bw \
             JOIN wards w ON w.code = bw.ward_code JOIN localities l ON l.id = bw.locality_id \
             WHERE bw.set_id = $1 ORDER BY l.name, w.name",
        )
        .bind(set_id)
        .fetch_all(&self.pool)
        .await?;
        Ok(Some(BoundarySetDetail {
            set,
            authority_id,
            wards: rows
                .into_iter()
                .map(
                    |(ward_code, ward_name, locality_id, locality_name)| WardAssignment {
                        ward_code,
                        ward_name,
                        locality_id,
                        locality_name,
                    },
                )
                .collect(),
        }))
    }

    async fn authority_wards(
        &self,
        _p: &Permit<policy::ViewLocalities>,
        authority_id: i64,
    ) -> Result<Vec<WardFigures>> {
        figures::ward_figures(self, authority_id).await
    }

    async fn create_boundary_set(
        &self,
        p: &Permit<policy::ManageBoundarySets>,
        authority_id: i64,
        name: &str,
        note: &str,
        set: &ValidBoundarySet,
        make_current: bool,
    ) -> Result<i64> {
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 100 {
            return Err(StoreError::invalid(
                "name",
                "Enter a name for the boundary set, of 100 characters or fewer",
            ));
        }
        let mut a = self.audited(p).await?;
        // The set was checked against the authority's wards by the caller; check the
        // localities belong to this authority, inside the transaction.
        for l in set.localities() {
            let owner: Option<(Option<i64>,)> =
                sqlx::query_as("SELECT authority_id FROM localities WHERE id = $1")
                    .bind(*l)
                    .fetch_optional(&mut *a.tx)
                    .await?;
            if owner != Some((Some(authority_id),)) {
                return Err(StoreError::invalid(
                    "localities",
                    format!("Locality {l} is not one of this authority's"),
                ));
            }
        }
        let (version,): (i64,) = sqlx::query_as(
            "SELECT COALESCE(MAX(version), 0) + 1 FROM boundary_sets WHERE authority_id = $1",
        )
        .bind(authority_id)
        .fetch_one(&mut *a.tx)
        .await?;
        let now = self.now().to_db();
        if make_current {
            sqlx::query("UPDATE boundary_sets SET is_current = 0 WHERE authority_id = $1")
                .bind(authority_id)
                .execute(&mut *a.tx)
                .await?;
        }
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO boundary_sets (authority_id, version, name, note, is_current, created_by, created_at, made_current_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
        )
        .bind(authority_id)
        .bind(version)
        .bind(name)
        .bind(note.trim())
        .bind(i64::from(make_current))
        .bind(maker(p.principal()))
        .bind(&now)
        .bind(make_current.then_some(now.clone()))
        .fetch_one(&mut *a.tx)
        .await?;
        for (ward, locality) in set.wards() {
            sqlx::query(
                "INSERT INTO boundary_set_wards (set_id, ward_code, locality_id) VALUES ($1, $2, $3)",
            )
            .bind(id)
            .bind(ward.as_str())
            .bind(*locality)
            .execute(&mut *a.tx)
            .await?;
        }
        if make_current {
            crate::geo::bump(&mut a.tx).await?;
        }
        a.commit(
            Event::success(
                "boundary_set.create",
                Some(("boundary_set", id.to_string())),
            )
            .detail(json!({
                "authority_id": authority_id, "version": version, "name": name,
                "made_current": make_current, "wards": set.wards().len(),
                "localities": set.localities().len(),
            })),
        )
        .await?;
        if make_current {
            self.geo.invalidate();
            self.directory.invalidate();
        }
        Ok(id)
    }

    async fn make_boundary_set_current(
        &self,
        p: &Permit<policy::ManageBoundarySets>,
        set_id: i64,
    ) -> Result<()> {
        let mut a = self.audited(p).await?;
        let owner: Option<(i64,)> =
            sqlx::query_as("SELECT authority_id FROM boundary_sets WHERE id = $1")
                .bind(set_id)
                .fetch_optional(&mut *a.tx)
                .await?;
        let Some((authority_id,)) = owner else {
            return Err(StoreError::invalid(
                "boundary_set",
                "There is no such boundary set",
            ));
        };
        sqlx::query("UPDATE boundary_sets SET is_current = 0 WHERE authority_id = $1")
            .bind(authority_id)
            .execute(&mut *a.tx)
            .await?;
        sqlx::query("UPDATE boundary_sets SET is_current = 1, made_current_at = $1 WHERE id = $2")
            .bind(self.now().to_db())
            .bind(set_id)
            .execute(&mut *a.tx)
            .await?;
        crate::geo::bump(&mut a.tx).await?;
        a.commit(Event::success(
            "boundary_set.make_current",
            Some(("boundary_set", set_id.to_string())),
        ))
        .await?;
        self.geo.invalidate();
        self.directory.invalidate();
        Ok(())
    }

    async fn schools(
        &self,
        _p: &Permit<policy::ViewLocalities>,
        authority_id: i64,
    ) -> Result<Vec<crate::SchoolRow>> {
        figures::schools_of(self, authority_id).await
    }

    async fn sites(
        &self,
        _p: &Permit<policy::ViewLocalities>,
        authority_id: i64,
    ) -> Result<Vec<Site>> {
        teams::sites_where(self, "s.authority_id = $1", authority_id).await
    }

    async fn add_site(&self, p: &Permit<policy::ManageLocality>, s: NewSite) -> Result<i64> {
        teams::add_site(self, p, s).await
    }

    async fn team_directory(
        &self,
        p: &Permit<policy::ViewTeams>,
        age_phase_id: Option<i64>,
    ) -> Result<(Vec<Team>, Vec<CitywideContact>)> {
        teams::directory(self, p, age_phase_id).await
    }

    async fn citywide_services(
        &self,
        _p: &Permit<policy::ViewLocalities>,
        authority_id: i64,
    ) -> Result<Vec<(i64, String)>> {
        Ok(sqlx::query_as(
            "SELECT id, name FROM citywide_services WHERE authority_id = $1 ORDER BY name",
        )
        .bind(authority_id)
        .fetch_all(&self.pool)
        .await?)
    }

    async fn staff_by_username(
        &self,
        _p: &Permit<policy::ManageLocality>,
        username: &str,
    ) -> Result<Option<everychild_domain::UserId>> {
        let row: Option<(i64,)> =
            sqlx::query_as("SELECT id FROM users WHERE username = $1 AND disabled = 0")
                .bind(username.trim().to_lowercase())
                .fetch_optional(&self.pool)
                .await?;
        Ok(row.map(|r| everychild_domain::UserId(r.0)))
    }

    async fn create_team(&self, p: &Permit<policy::ManageLocality>, t: NewTeam) -> Result<i64> {
        teams::create_team(self, p, t).await
    }

    async fn add_team_member(
        &self,
        p: &Permit<policy::ManageLocality>,
        team_id: i64,
        m: NewMember,
    ) -> Result<()> {
        teams::add_member(self, p, team_id, m).await
    }

    async fn add_citywide_service(
        &self,
        p: &Permit<policy::ConfigureAuthority>,
        authority_id: i64,
        name: &str,
        organisation_id: i64,
    ) -> Result<i64> {
        teams::add_citywide_service(self, p, authority_id, name, organisation_id).await
    }

    async fn set_citywide_contact(
        &self,
        p: &Permit<policy::ManageLocality>,
        service_id: i64,
        user_id: i64,
    ) -> Result<()> {
        teams::set_citywide_contact(self, p, service_id, user_id).await
    }

    async fn set_school_city_wide(
        &self,
        p: &Permit<policy::ConfigureAuthority>,
        urn: i64,
        city_wide: bool,
    ) -> Result<()> {
        teams::set_school_city_wide(self, p, urn, city_wide).await
    }

    async fn set_user_localities(
        &self,
        p: &Permit<policy::ManageUser>,
        localities: &[i64],
    ) -> Result<()> {
        teams::set_user_localities(self, p, localities).await
    }

    async fn set_staff_contact(
        &self,
        p: &Permit<policy::ManageUser>,
        phone: Option<&str>,
        line_manager: Option<i64>,
    ) -> Result<()> {
        teams::set_staff_contact(self, p, phone, line_manager).await
    }
}
