//! Teams around a school or a cluster of schools: a locality's managers set one up (name,
//! kind, schools by URN, a lead), choose its members from several agencies and the children it
//! covers among the locality's open requests for support, and record its meetings. Every
//! change is audited in its own transaction.
//!
//! A team is read with a permit for `Target::GroupTeam`, whose claim (a current member, or
//! else a manager of the team's locality) is checked again in the query that reads it, as a
//! child's basis is. Being a member of a group team is NOT a basis to read a child's record:
//! this module shows members the children's names and the id of each request, and nothing in
//! `people/basis.rs` looks at group teams, so opening a child or a request needs one of the
//! usual bases.

use crate::audit::Event;
use crate::localities::{maker, permit_locality};
use crate::people::permit_user;
use crate::{Result, SqlStore, StoreError};
use async_trait::async_trait;
use everychild_domain::casework::{parse_team_role, GroupTeamKind, NewGroupTeam};
use everychild_policy::{self as policy, Capability, Permit, Target};
use serde_json::json;
use sqlx::AnyConnection;

mod types;
pub use types::*;

fn kind_of(id: i64, raw: &str) -> Result<GroupTeamKind> {
    GroupTeamKind::parse(raw)
        .map_err(|_| StoreError::Corrupt(format!("group team {id}: kind {raw}")))
}

/// The team a permit is for: id, locality and the claimed membership.
fn permit_team<C: Capability>(p: &Permit<C>) -> Result<(i64, i64, bool)> {
    match p.target() {
        Target::GroupTeam {
            id,
            locality,
            member,
        } => Ok((*id, *locality, *member)),
        _ => Err(StoreError::Database(
            "this action needs a permit for one group team".into(),
        )),
    }
}

async fn schools_of(conn: &mut AnyConnection, team: i64) -> Result<Vec<(i64, String)>> {
    Ok(sqlx::query_as(
        "SELECT s.urn, s.name FROM group_team_schools gs JOIN schools s ON s.urn = gs.urn \
         WHERE gs.team_id = $1 ORDER BY s.name, s.urn",
    )
    .bind(team)
    .fetch_all(&mut *conn)
    .await?)
}

/// The team must be in the permit's locality (a team elsewhere is not found); its locality's
/// name.
async fn team_in_locality(conn: &mut AnyConnection, team: i64, locality: i64) -> Result<String> {
    let row: Option<(String,)> = sqlx::query_as(
        "SELECT l.name FROM group_teams g JOIN localities l ON l.id = g.locality_id \
         WHERE g.id = $1 AND g.locality_id = $2",
    )
    .bind(team)
    .bind(locality)
    .fetch_optional(&mut *conn)
    .await?;
    row.map(|r| r.0)
        .ok_or_else(|| StoreError::NotFound("there is no such team in this locality".into()))
}

async fn active_front_line(conn: &mut AnyConnection, user: i64) -> Result<Option<String>> {
    let row: Option<(String,)> = sqlx::query_as(&format!(
        "SELECT display_name FROM users WHERE id = $1 AND disabled = 0 \
         AND {front_line}",
        front_line = crate::sql::role_in("role", policy::FRONT_LINE)
    ))
    .bind(user)
    .fetch_optional(&mut *conn)
    .await?;
    Ok(row.map(|r| r.0))
}

impl SqlStore {
    async fn group_scope(&self, user: i64, id: i64) -> Result<Option<GroupTeamScope>> {
        let row: Option<(i64, String, i64, i64)> = sqlx::query_as(
            "SELECT g.id, g.name, g.locality_id, (SELECT COUNT(*) FROM group_team_members m \
             WHERE m.team_id = g.id AND m.user_id = $2 AND m.until IS NULL) FROM group_teams g WHERE g.id = $1",
        )
        .bind(id)
        .bind(user)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(|(id, name, locality_id, n)| GroupTeamScope {
            id,
            name,
            locality_id,
            member: n > 0,
        }))
    }

    async fn group_scopes(
        &self,
        user: i64,
        locality: i64,
    ) -> Result<Option<(String, Vec<GroupTeamScope>)>> {
        let mut conn = self.pool.acquire().await?;
        let name: Option<(String,)> = sqlx::query_as("SELECT name FROM localities WHERE id = $1")
            .bind(locality)
            .fetch_optional(&mut *conn)
            .await?;
        let Some((name,)) = name else {
            return Ok(None);
        };
        let rows: Vec<(i64, String, i64, i64)> = sqlx::query_as(
            "SELECT g.id, g.name, g.locality_id, (SELECT COUNT(*) FROM group_team_members m \
             WHERE m.team_id = g.id AND m.user_id = $2 AND m.until IS NULL) FROM group_teams g \
             WHERE g.locality_id = $1 ORDER BY g.name, g.id",
        )
        .bind(locality)
        .bind(user)
        .fetch_all(&mut *conn)
        .await?;
        Ok(Some((
            name,
            rows.into_iter()
                .map(|(id, name, locality_id, n)| GroupTeamScope {
                    id,
                    name,
                    locality_id,
                    member: n > 0,
                })
                .collect(),
        )))
    }

    async fn list_group_teams(
        &self,
        p: &Permit<policy::ManageGroupTeam>,
    ) -> Result<Vec<GroupTeamSummary>> {
        let l = permit_locality(p)?;
        let mut conn = self.pool.acquire().await?;
        let rows: Vec<(i64, String, String, String, i64, i64)> = sqlx::query_as(
            "SELECT g.id, g.name, g.kind, u.display_name, \
             (SELECT COUNT(*) FROM group_team_members m WHERE m.team_id = g.id AND m.until IS NULL), \
             (SELECT COUNT(*) FROM group_team_children c WHERE c.team_id = g.id AND c.removed_at IS NULL) \
             FROM group_teams g JOIN users u ON u.id = g.lead_id WHERE g.locality_id = $1 ORDER BY g.name, g.id",
        )
        .bind(l)
        .fetch_all(&mut *conn)
        .await?;
        let mut out = Vec::with_capacity(rows.len());
        for (id, name, kind, lead, members, children) in rows {
            out.push(GroupTeamSummary {
                id,
                name,
                kind: kind_of(id, &kind)?,
                schools: schools_of(&mut conn, id).await?,
                lead,
                members,
                children,
            });
        }
        drop(conn);
        self.audit_only(
            p,
            Event::success("group_team.list", Some(("locality", l.to_string())))
                .detail(json!({ "teams": out.len() })),
        )
        .await?;
        Ok(out)
    }

    async fn new_group_team(
        &self,
        p: &Permit<policy::ManageGroupTeam>,
        t: &NewGroupTeam,
    ) -> Result<i64> {
        let l = permit_locality(p)?;
        let name = t.name.trim();
        if name.is_empty() {
            return Err(StoreError::invalid("name", "Enter the team's name"));
        }
        let mut a = self.audited(p).await?;
        let loc: Option<(String, Option<String>)> = sqlx::query_as(
            "SELECT l.name, au.code FROM localities l LEFT JOIN authorities au ON au.id = l.authority_id WHERE l.id = $1",
        )
        .bind(l)
        .fetch_optional(&mut *a.tx)
        .await?;
        let Some((locality_name, authority)) = loc else {
            return Err(StoreError::NotFound("there is no such locality".into()));
        };
        let (taken,): (i64,) = sqlx::query_as(
            "SELECT COUNT(*) FROM group_teams WHERE locality_id = $1 AND LOWER(name) = LOWER($2)",
        )
        .bind(l)
        .bind(name)
        .fetch_one(&mut *a.tx)
        .await?;
        if taken > 0 {
            return Err(StoreError::invalid(
                "name",
                format!(
                    "There is already a team called {name} in {locality_name}: choose another name"
                ),
            ));
        }
        // Each school must be known, and in the locality under the current boundary set (or a
        // city-wide school of the same authority, which serves every locality).
        for urn in &t.schools {
            let urn = i64::from(urn.0);
            let school: Option<(String, Option<String>, i64, String)> = sqlx::query_as(
                "SELECT name, ward_code, city_wide, authority_code FROM schools WHERE urn = $1",
            )
            .bind(urn)
            .fetch_optional(&mut *a.tx)
            .await?;
            let Some((school_name, ward, city_wide, school_authority)) = school else {
                return Err(StoreError::invalid("urns", format!("There is no school with the URN {urn}: check it on Get Information about Schools"
                )));
            };
            let ward_locality: Option<(i64,)> = match &ward {
                Some(w) => {
                    sqlx::query_as(
                        "SELECT bw.locality_id FROM boundary_set_wards bw \
                         JOIN boundary_sets bs ON bs.id = bw.set_id AND bs.is_current = 1 WHERE bw.ward_code = $1",
                    )
                    .bind(w)
                    .fetch_optional(&mut *a.tx)
                    .await?
                }
                None => None,
            };
            let here = ward_locality.map(|w| w.0) == Some(l)
                || (city_wide != 0 && authority.as_deref() == Some(school_authority.as_str()));
            if !here {
                return Err(StoreError::invalid("urns", format!("{school_name} (URN {urn}) is not in {locality_name}: enter the URN of a school in the locality"
                )));
            }
        }
        if active_front_line(&mut a.tx, t.lead).await?.is_none() {
            return Err(StoreError::invalid(
                "lead",
                "Choose a practitioner or locality manager with an active account",
            ));
        }
        let now = self.now().to_db();
        let by = maker(p.principal());
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO group_teams (locality_id, name, kind, lead_id, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(l)
        .bind(name)
        .bind(t.kind.as_str())
        .bind(t.lead)
        .bind(&by)
        .bind(&now)
        .fetch_one(&mut *a.tx)
        .await?;
        for urn in &t.schools {
            sqlx::query("INSERT INTO group_team_schools (team_id, urn) VALUES ($1, $2)")
                .bind(id)
                .bind(i64::from(urn.0))
                .execute(&mut *a.tx)
                .await?;
        }
        sqlx::query(
            "INSERT INTO group_team_members (team_id, user_id, team_role, since, added_by) VALUES ($1, $2, 'Lead', $3, $4)",
        )
        .bind(id)
        .bind(t.lead)
        .bind(&now)
        .bind(&by)
        .execute(&mut *a.tx)
        .await?;
        a.commit(
            Event::success("group_team.create", Some(("group_team", id.to_string()))).detail(
                json!({
                    "locality_id": l,
                    "name": name,
                    "kind": t.kind.as_str(),
                    "urns": t.schools.iter().map(|u| u.0).collect::<Vec<_>>(),
                    "lead_id": t.lead,
                }),
            ),
        )
        .await?;
        Ok(id)
    }

    async fn read_group_team(
        &self,
        p: &Permit<policy::ViewGroupTeam>,
    ) -> Result<Option<GroupTeamDetail>> {
        let (id, locality, member) = permit_team(p)?;
        let user = permit_user(p)?.user_id.0;
        // The claim is checked in the same transaction as the read: a current member, or a
        // locality manager recorded as working in the team's locality.
        let manager = "EXISTS (SELECT 1 FROM user_localities ul JOIN users me ON me.id = ul.user_id \
             WHERE ul.user_id = $3 AND ul.locality_id = g.locality_id AND me.role = 'locality_manager' AND me.disabled = 0)";
        let claim = if member {
            format!(
                "(EXISTS (SELECT 1 FROM group_team_members m WHERE m.team_id = g.id AND m.user_id = $3 \
                 AND m.until IS NULL) OR {manager})"
            )
        } else {
            manager.to_owned()
        };
        let mut tx = self.pool.begin().await?;
        let head: Option<(String, String, String, i64, String)> = sqlx::query_as(&format!(
            "SELECT g.name, g.kind, l.name, g.lead_id, u.display_name FROM group_teams g \
             JOIN localities l ON l.id = g.locality_id JOIN users u ON u.id = g.lead_id \
             WHERE g.id = $1 AND g.locality_id = $2 AND {claim}"
        ))
        .bind(id)
        .bind(locality)
        .bind(user)
        .fetch_optional(&mut *tx)
        .await?;
        let Some((name, kind, locality_name, lead_id, lead)) = head else {
            return Ok(None);
        };
        let schools = schools_of(&mut tx, id).await?;
        type Member = (i64, i64, String, String, String, String);
        let mut members: Vec<Member> = sqlx::query_as(
            "SELECT m.id, m.user_id, u.display_name, o.name, m.team_role, m.since \
             FROM group_team_members m JOIN users u ON u.id = m.user_id \
             JOIN organisations o ON o.id = u.organisation_id \
             WHERE m.team_id = $1 AND m.until IS NULL ORDER BY u.display_name, m.id",
        )
        .bind(id)
        .fetch_all(&mut *tx)
        .await?;
        // The lead first.
        members.sort_by_key(|m| m.1 != lead_id);
        let children: Vec<(i64, i64, String, String, i64)> = sqlx::query_as(
            "SELECT c.id, c.request_id, p.given_name, p.family_name, p.id FROM group_team_children c \
             JOIN support_requests r ON r.id = c.request_id JOIN persons p ON p.id = r.child_id \
             WHERE c.team_id = $1 AND c.removed_at IS NULL ORDER BY p.family_name, p.given_name, c.id",
        )
        .bind(id)
        .fetch_all(&mut *tx)
        .await?;
        let meetings: Vec<(String, String, String, String)> = sqlx::query_as(
            "SELECT held_on, attendees, decisions, recorded_by FROM group_team_meetings \
             WHERE team_id = $1 ORDER BY held_on DESC, id DESC",
        )
        .bind(id)
        .fetch_all(&mut *tx)
        .await?;
        tx.commit().await?;
        let child_ids: Vec<i64> = children.iter().map(|c| c.4).collect();
        let detail = GroupTeamDetail {
            id,
            kind: kind_of(id, &kind)?,
            name,
            locality: (locality, locality_name),
            lead,
            schools,
            members: members
                .into_iter()
                .map(|m| GroupMemberRow {
                    id: m.0,
                    user_id: m.1,
                    name: m.2,
                    organisation: m.3,
                    team_role: m.4,
                    since: m.5,
                    is_lead: m.1 == lead_id,
                })
                .collect(),
            children: children
                .into_iter()
                .map(|(id, request_id, given, family, _)| GroupChildRow {
                    id,
                    request_id,
                    child_name: format!("{given} {family}"),
                })
                .collect(),
            meetings: meetings
                .into_iter()
                .map(
                    |(held_on, attendees, decisions, recorded_by)| GroupMeetingRow {
                        held_on,
                        attendees,
                        decisions,
                        recorded_by,
                    },
                )
                .collect(),
        };
        self.audit_only(
            p,
            Event::success("group_team.view", Some(("group_team", id.to_string()))).detail(json!({
                "as_member": member,
                "request_ids": detail.children.iter().map(|c| c.request_id).collect::<Vec<_>>(),
            })),
        )
        .await?;
        // Each child named on the page is seen: the event is about the child too, so it is in
        // the child's access log ("who has viewed this child").
        for child in child_ids {
            self.audit_only(
                p,
                Event::success("group_team.view_child", Some(("person", child.to_string())))
                    .detail(json!({ "group_team_id": id, "as_member": member })),
            )
            .await?;
        }
        Ok(Some(detail))
    }

    async fn change_group(
        &self,
        p: &Permit<policy::ManageGroupTeam>,
        team: i64,
        change: GroupChange<'_>,
    ) -> Result<()> {
        let l = permit_locality(p)?;
        let mut a = self.audited(p).await?;
        let locality_name = team_in_locality(&mut a.tx, team, l).await?;
        let now = self.now().to_db();
        let by = maker(p.principal());
        let team_subject = ("group_team", team.to_string());
        let event = match change {
            GroupChange::AddMember { user, team_role } => {
                let team_role = parse_team_role(team_role).map_err(StoreError::from)?;
                if active_front_line(&mut a.tx, user).await?.is_none() {
                    return Err(StoreError::invalid(
                        "member",
                        "Choose a practitioner or locality manager with an active account",
                    ));
                }
                let (already,): (i64,) = sqlx::query_as(
                    "SELECT COUNT(*) FROM group_team_members WHERE team_id = $1 AND user_id = $2 AND until IS NULL",
                )
                .bind(team)
                .bind(user)
                .fetch_one(&mut *a.tx)
                .await?;
                if already > 0 {
                    return Err(StoreError::invalid(
                        "member",
                        "This person is already in the team",
                    ));
                }
                sqlx::query(
                    "INSERT INTO group_team_members (team_id, user_id, team_role, since, added_by) VALUES ($1, $2, $3, $4, $5)",
                )
                .bind(team)
                .bind(user)
                .bind(&team_role)
                .bind(&now)
                .bind(&by)
                .execute(&mut *a.tx)
                .await?;
                Event::success("group_team.add_member", Some(team_subject))
                    .detail(json!({ "user_id": user, "team_role": team_role }))
            }
            GroupChange::RemoveMember(row) => {
                let member: Option<(i64, i64)> = sqlx::query_as(
                    "SELECT m.user_id, g.lead_id FROM group_team_members m JOIN group_teams g ON g.id = m.team_id \
                     WHERE m.id = $1 AND m.team_id = $2 AND m.until IS NULL",
                )
                .bind(row)
                .bind(team)
                .fetch_optional(&mut *a.tx)
                .await?;
                let Some((user, lead)) = member else {
                    return Err(StoreError::invalid(
                        "member",
                        "There is no such member of the team",
                    ));
                };
                if user == lead {
                    return Err(StoreError::invalid(
                        "member",
                        "The team's lead stays a member while they lead it",
                    ));
                }
                sqlx::query(
                    "UPDATE group_team_members SET until = $1, removed_by = $2 WHERE id = $3 AND until IS NULL",
                )
                .bind(&now)
                .bind(&by)
                .bind(row)
                .execute(&mut *a.tx)
                .await?;
                Event::success("group_team.remove_member", Some(team_subject))
                    .detail(json!({ "user_id": user }))
            }
            GroupChange::AddChild(request) => {
                let r: Option<(i64, String, i64)> = sqlx::query_as(
                    "SELECT locality_id, status, child_id FROM support_requests WHERE id = $1",
                )
                .bind(request)
                .fetch_optional(&mut *a.tx)
                .await?;
                let Some((request_locality, status, child)) = r else {
                    return Err(StoreError::invalid(
                        "request",
                        "Choose a request for support from the list",
                    ));
                };
                if request_locality != l {
                    return Err(StoreError::invalid("request", format!("That request for support is not in {locality_name}: choose one of the locality's open requests"
                    )));
                }
                if status == "closed" {
                    return Err(StoreError::invalid(
                        "request",
                        "That request for support is closed: choose an open one",
                    ));
                }
                // The team's members come from several agencies: the family must have agreed to
                // share the request with every agency working with the child.
                let (shared,): (i64,) = sqlx::query_as(
                    "SELECT COUNT(*) FROM request_consents WHERE request_id = $1 AND purpose = 'share' \
                     AND organisation_id IS NULL AND withdrawn_at IS NULL",
                )
                .bind(request)
                .fetch_one(&mut *a.tx)
                .await?;
                if shared == 0 {
                    return Err(StoreError::invalid("request", "The family has not agreed to share this request with every agency working with the child: record that consent on the request first"));
                }
                let (already,): (i64,) = sqlx::query_as(
                    "SELECT COUNT(*) FROM group_team_children WHERE team_id = $1 AND request_id = $2 AND removed_at IS NULL",
                )
                .bind(team)
                .bind(request)
                .fetch_one(&mut *a.tx)
                .await?;
                if already > 0 {
                    return Err(StoreError::invalid(
                        "request",
                        "The team already covers this request for support",
                    ));
                }
                sqlx::query(
                    "INSERT INTO group_team_children (team_id, request_id, added_by, added_at) VALUES ($1, $2, $3, $4)",
                )
                .bind(team)
                .bind(request)
                .bind(&by)
                .bind(&now)
                .execute(&mut *a.tx)
                .await?;
                // About the child, so it is in their access log.
                Event::success("group_team.add_child", Some(("person", child.to_string())))
                    .detail(json!({ "group_team_id": team, "request_id": request }))
            }
            GroupChange::RemoveChild(row) => {
                let r: Option<(i64, i64)> = sqlx::query_as(
                    "SELECT c.request_id, r.child_id FROM group_team_children c JOIN support_requests r ON r.id = c.request_id \
                     WHERE c.id = $1 AND c.team_id = $2 AND c.removed_at IS NULL",
                )
                .bind(row)
                .bind(team)
                .fetch_optional(&mut *a.tx)
                .await?;
                let Some((request, child)) = r else {
                    return Err(StoreError::invalid(
                        "request",
                        "The team does not cover that child now",
                    ));
                };
                sqlx::query(
                    "UPDATE group_team_children SET removed_at = $1, removed_by = $2 WHERE id = $3 AND removed_at IS NULL",
                )
                .bind(&now)
                .bind(&by)
                .bind(row)
                .execute(&mut *a.tx)
                .await?;
                Event::success(
                    "group_team.remove_child",
                    Some(("person", child.to_string())),
                )
                .detail(json!({ "group_team_id": team, "request_id": request }))
            }
            GroupChange::Meeting(m) => {
                sqlx::query(
                    "INSERT INTO group_team_meetings (team_id, held_on, attendees, decisions, recorded_by, recorded_at) \
                     VALUES ($1, $2, $3, $4, $5, $6)",
                )
                .bind(team)
                .bind(m.held_on.to_string())
                .bind(m.attendees.trim())
                .bind(m.decisions.trim())
                .bind(&by)
                .bind(&now)
                .execute(&mut *a.tx)
                .await?;
                Event::success("group_team.meeting", Some(team_subject))
                    .detail(json!({ "held_on": m.held_on.to_string() }))
            }
        };
        a.commit(event).await
    }

    async fn group_members_offered(
        &self,
        p: &Permit<policy::ManageGroupTeam>,
    ) -> Result<Vec<(i64, String)>> {
        let l = permit_locality(p)?;
        let rows: Vec<(i64, String, String, Option<String>)> = sqlx::query_as(
            &format!(
"SELECT DISTINCT u.id, u.display_name, o.name, u.job_title FROM users u \
             JOIN organisations o ON o.id = u.organisation_id JOIN user_localities ul ON ul.user_id = u.id \
             WHERE ul.locality_id = $1 AND u.disabled = 0 AND {front_line} \
             ORDER BY u.display_name, u.id",
front_line = crate::sql::role_in("u.role", policy::FRONT_LINE)
),
        )
        .bind(l)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|(id, name, org, title)| {
                let what = title.map(|t| format!("{t}, {org}")).unwrap_or(org);
                (id, format!("{name} ({what})"))
            })
            .collect())
    }

    async fn group_children_offered(
        &self,
        p: &Permit<policy::ManageGroupTeam>,
        team: i64,
    ) -> Result<Vec<(i64, String)>> {
        let l = permit_locality(p)?;
        let mut conn = self.pool.acquire().await?;
        team_in_locality(&mut conn, team, l).await?;
        let rows: Vec<(i64, String, String, Option<String>)> = sqlx::query_as(
            "SELECT r.id, p.given_name, p.family_name, p.date_of_birth FROM support_requests r \
             JOIN persons p ON p.id = r.child_id WHERE r.locality_id = $1 AND r.status <> 'closed' \
             AND r.id NOT IN (SELECT c.request_id FROM group_team_children c WHERE c.team_id = $2 AND c.removed_at IS NULL) \
             ORDER BY p.family_name, p.given_name, r.id",
        )
        .bind(l)
        .bind(team)
        .fetch_all(&mut *conn)
        .await?;
        drop(conn);
        self.audit_only(
            p,
            Event::success(
                "group_team.children_offered",
                Some(("group_team", team.to_string())),
            )
            .detail(json!({ "requests": rows.len() })),
        )
        .await?;
        Ok(rows
            .into_iter()
            .map(|(id, given, family, dob)| {
                let born = dob.map(|d| format!(", born {d}")).unwrap_or_default();
                (id, format!("{given} {family}{born} (request {id})"))
            })
            .collect())
    }
}

/// Teams around a school or a cluster of schools: set up and run by their locality's
/// managers, seen by their members. Every change is audited in its transaction; a member sees
/// the children's names and their requests, and membership is never a basis for a child's
/// record.
#[async_trait]
pub trait GroupRepo: Send + Sync {
    /// A team's name, locality and whether the permit's user is a current member (no personal
    /// data: to choose the permit). `None` if there is no such team.
    async fn group_team_scope(
        &self,
        p: &Permit<policy::FindChildBasis>,
        id: i64,
    ) -> Result<Option<GroupTeamScope>>;
    /// A locality's name and its teams' scopes (as [`GroupRepo::group_team_scope`]); `None` if
    /// there is no such locality.
    async fn group_team_scopes(
        &self,
        p: &Permit<policy::FindChildBasis>,
        locality: i64,
    ) -> Result<Option<(String, Vec<GroupTeamScope>)>>;
    /// Every team of the permit's locality, by name; audited.
    async fn group_teams(
        &self,
        p: &Permit<policy::ManageGroupTeam>,
    ) -> Result<Vec<GroupTeamSummary>>;
    /// Create a team in the permit's locality (its schools in the locality, a unique name, an
    /// active lead, who becomes its first member); audited. Returns its id.
    async fn create_group_team(
        &self,
        p: &Permit<policy::ManageGroupTeam>,
        t: &everychild_domain::casework::NewGroupTeam,
    ) -> Result<i64>;
    /// The permit's team, if the claim (member, or manager of its locality) holds in the same
    /// transaction; audited.
    async fn group_team(
        &self,
        p: &Permit<policy::ViewGroupTeam>,
    ) -> Result<Option<GroupTeamDetail>>;
    /// Change a team of the permit's locality: members, children (only open requests in the
    /// locality), meetings; audited.
    async fn change_group_team(
        &self,
        p: &Permit<policy::ManageGroupTeam>,
        team: i64,
        change: GroupChange<'_>,
    ) -> Result<()>;
    /// Who may be offered as a lead or member: active front-line staff working in the
    /// permit's locality, `(user id, "Name (job, organisation)")`.
    async fn group_member_candidates(
        &self,
        p: &Permit<policy::ManageGroupTeam>,
    ) -> Result<Vec<(i64, String)>>;
    /// The locality's open requests the team does not cover yet, `(request id, label)`;
    /// audited.
    async fn group_child_candidates(
        &self,
        p: &Permit<policy::ManageGroupTeam>,
        team: i64,
    ) -> Result<Vec<(i64, String)>>;
}

#[async_trait::async_trait]
impl GroupRepo for SqlStore {
    async fn group_team_scope(
        &self,
        p: &Permit<policy::FindChildBasis>,
        id: i64,
    ) -> Result<Option<GroupTeamScope>> {
        let user = permit_user(p)?.user_id.0;
        self.group_scope(user, id).await
    }
    async fn group_team_scopes(
        &self,
        p: &Permit<policy::FindChildBasis>,
        locality: i64,
    ) -> Result<Option<(String, Vec<GroupTeamScope>)>> {
        let user = permit_user(p)?.user_id.0;
        self.group_scopes(user, locality).await
    }
    async fn group_teams(
        &self,
        p: &Permit<policy::ManageGroupTeam>,
    ) -> Result<Vec<GroupTeamSummary>> {
        self.list_group_teams(p).await
    }
    async fn create_group_team(
        &self,
        p: &Permit<policy::ManageGroupTeam>,
        t: &NewGroupTeam,
    ) -> Result<i64> {
        self.new_group_team(p, t).await
    }
    async fn group_team(
        &self,
        p: &Permit<policy::ViewGroupTeam>,
    ) -> Result<Option<GroupTeamDetail>> {
        self.read_group_team(p).await
    }
    async fn change_group_team(
        &self,
        p: &Permit<policy::ManageGroupTeam>,
        team: i64,
        change: GroupChange<'_>,
    ) -> Result<()> {
        self.change_group(p, team, change).await
    }
    async fn group_member_candidates(
        &self,
        p: &Permit<policy::ManageGroupTeam>,
    ) -> Result<Vec<(i64, String)>> {
        self.group_members_offered(p).await
    }
    async fn group_child_candidates(
        &self,
        p: &Permit<policy::ManageGroupTeam>,
        team: i64,
    ) -> Result<Vec<(i64, String)>> {
        self.group_children_offered(p, team).await
    }
}
