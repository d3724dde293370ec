//! Teams around a school or a cluster of schools. A locality's managers create them, choose
//! their members (staff of several agencies) and the children they cover (among the
//! locality's open requests for support), and record their meetings; members see the team,
//! its meetings and the children's names with a link to each request.
//!
//! Being a member of a group team is NOT a basis to read a child's record. The link to a
//! request goes through the request page's usual checks (`child_permit` and the bases in the
//! store's `people/basis.rs`), so a member who has no relationship of their own with the child
//! is refused there.

use super::{render_status, Chrome};
use crate::error::{AppError, PageError};
use crate::forms::{Fields, FormErrors};
use crate::{AppState, Ctx};
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use everychild_domain::casework::{parse_team_role, GroupTeamKind, NewGroupTeam, NewMeeting};
use everychild_domain::FieldError;
use everychild_policy::{self as policy, decide, Action, Decision, Target};
use everychild_store::{GroupChange, GroupTeamDetail, GroupTeamScope, GroupTeamSummary};

/// How a form came back: fine, refused at the edge (400), or refused by the store (409).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Refused {
    No,
    Invalid,
    Conflict,
}

fn status(r: Refused) -> StatusCode {
    match r {
        Refused::No => StatusCode::OK,
        Refused::Invalid => StatusCode::BAD_REQUEST,
        Refused::Conflict => StatusCode::CONFLICT,
    }
}

fn options(list: Vec<(i64, String)>) -> Vec<(String, String)> {
    let mut out = vec![(String::new(), "Choose from the list".to_owned())];
    out.extend(list.into_iter().map(|(id, label)| (id.to_string(), label)));
    out
}

fn team_target(s: &GroupTeamScope) -> Target {
    Target::GroupTeam {
        id: s.id,
        locality: s.locality_id,
        member: s.member,
    }
}

#[derive(Template)]
#[template(path = "group_teams.html")]
struct ListPage {
    c: Chrome,
    errors: FormErrors,
    v: Fields,
    locality: i64,
    locality_name: String,
    /// A manager of the locality: every team, and the form to create one.
    can_manage: bool,
    teams: Vec<GroupTeamSummary>,
    /// Anyone else: the teams they are a member of.
    mine: Vec<GroupTeamScope>,
    leads: Vec<(String, String)>,
    kinds: Vec<(&'static str, &'static str)>,
}

async fn list_page(
    st: &AppState,
    ctx: &Ctx,
    locality: i64,
    errors: FormErrors,
    v: Fields,
    refused: Refused,
) -> Result<Response, PageError> {
    let find = ctx
        .authorize::<policy::FindChildBasis>(st, Target::None, None)
        .await?;
    let (locality_name, scopes) = st
        .store
        .group_team_scopes(&find, locality)
        .await?
        .ok_or(AppError::NotFound)?;
    let can_manage = decide(
        &ctx.principal,
        Action::ManageGroupTeam,
        &Target::Locality(locality),
    ) == Decision::Allow;
    let (teams, leads) = if can_manage {
        let p = ctx
            .authorize::<policy::ManageGroupTeam>(
                st,
                Target::Locality(locality),
                Some("run the locality's teams around schools and clusters"),
            )
            .await?;
        (
            st.store.group_teams(&p).await?,
            st.store.group_member_candidates(&p).await?,
        )
    } else {
        (Vec::new(), Vec::new())
    };
    // Everyone else sees the teams the policy lets them see: those they are members of.
    let mine = scopes
        .into_iter()
        .filter(|s| {
            decide(&ctx.principal, Action::ViewGroupTeam, &team_target(s)) == Decision::Allow
        })
        .collect();
    render_status(
        status(refused),
        &ListPage {
            c: Chrome::new(
                st,
                ctx,
                format!("Teams around schools and clusters in {locality_name}"),
                "/localities",
            )
            .errors(!errors.is_empty()),
            errors,
            v,
            locality,
            locality_name,
            can_manage,
            teams,
            mine,
            leads: options(leads),
            kinds: GroupTeamKind::ALL
                .iter()
                .map(|k| (k.as_str(), k.label()))
                .collect(),
        },
    )
}

/// GET /localities/{id}/group-teams
pub async fn list(
    ctx: Ctx,
    State(st): State<AppState>,
    Path(locality): Path<i64>,
) -> Result<Response, PageError> {
    list_page(
        &st,
        &ctx,
        locality,
        FormErrors::none(),
        Fields::default(),
        Refused::No,
    )
    .await
}

/// POST /localities/{id}/group-teams: create a team in the locality.
pub async fn create(
    ctx: Ctx,
    State(st): State<AppState>,
    Path(locality): Path<i64>,
    body: Bytes,
) -> Result<Response, PageError> {
    let p = ctx
        .authorize::<policy::ManageGroupTeam>(
            &st,
            Target::Locality(locality),
            Some("create a team around a school or cluster"),
        )
        .await?;
    let f = Fields::parse(&body);
    let mut errors = FormErrors::none();
    let refused =
        match NewGroupTeam::parse(f.get("name"), f.get("kind"), f.get("urns"), f.get("lead")) {
            Err(es) => {
                es.into_iter().for_each(|e| errors.push(e));
                Refused::Invalid
            }
            Ok(t) => match st.store.create_group_team(&p, &t).await {
                Ok(id) => return Ok(Redirect::to(&format!("/group-teams/{id}")).into_response()),
                Err(e) => {
                    errors.refusal(e)?;
                    Refused::Conflict
                }
            },
        };
    list_page(&st, &ctx, locality, errors, f, refused).await
}

#[derive(Template)]
#[template(path = "group_team.html")]
struct TeamPage {
    c: Chrome,
    errors: FormErrors,
    v: Fields,
    t: GroupTeamDetail,
    /// A manager of the team's locality: the forms.
    can_manage: bool,
    member_candidates: Vec<(String, String)>,
    child_candidates: Vec<(String, String)>,
}

/// The team's scope (404 if there is none), after checking that the asker is on the front line.
async fn scope(st: &AppState, ctx: &Ctx, id: i64) -> Result<GroupTeamScope, AppError> {
    let find = ctx
        .authorize::<policy::FindChildBasis>(st, Target::None, None)
        .await?;
    st.store
        .group_team_scope(&find, id)
        .await?
        .ok_or(AppError::NotFound)
}

async fn team_page(
    st: &AppState,
    ctx: &Ctx,
    id: i64,
    errors: FormErrors,
    v: Fields,
    refused: Refused,
) -> Result<Response, PageError> {
    let s = scope(st, ctx, id).await?;
    let view = ctx
        .authorize::<policy::ViewGroupTeam>(
            st,
            team_target(&s),
            Some("work with a team around a school or cluster"),
        )
        .await?;
    let t = st
        .store
        .group_team(&view)
        .await?
        .ok_or(AppError::NotFound)?;
    let can_manage = decide(
        &ctx.principal,
        Action::ManageGroupTeam,
        &Target::Locality(s.locality_id),
    ) == Decision::Allow;
    let (member_candidates, child_candidates) = if can_manage {
        let p = ctx
            .authorize::<policy::ManageGroupTeam>(
                st,
                Target::Locality(s.locality_id),
                Some("choose a team's members and children"),
            )
            .await?;
        (
            st.store.group_member_candidates(&p).await?,
            st.store.group_child_candidates(&p, id).await?,
        )
    } else {
        (Vec::new(), Vec::new())
    };
    render_status(
        status(refused),
        &TeamPage {
            c: Chrome::new(st, ctx, t.name.clone(), "/localities").errors(!errors.is_empty()),
            errors,
            v,
            t,
            can_manage,
            member_candidates: options(member_candidates),
            child_candidates: options(child_candidates),
        },
    )
}

/// GET /group-teams/{id}
pub async fn show(
    ctx: Ctx,
    State(st): State<AppState>,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    team_page(
        &st,
        &ctx,
        id,
        FormErrors::none(),
        Fields::default(),
        Refused::No,
    )
    .await
}

/// What a manager's form asks for.
enum Change {
    AddMember,
    RemoveMember(i64),
    AddChild,
    RemoveChild(i64),
    Meeting,
}

async fn change(
    ctx: Ctx,
    st: AppState,
    id: i64,
    body: Bytes,
    what: Change,
) -> Result<Response, PageError> {
    let s = scope(&st, &ctx, id).await?;
    let p = ctx
        .authorize::<policy::ManageGroupTeam>(
            &st,
            Target::Locality(s.locality_id),
            Some("run a team around a school or cluster"),
        )
        .await?;
    let f = Fields::parse(&body);
    let mut errors = FormErrors::none();
    let id_of = |name: &'static str, what: &str, errors: &mut FormErrors| match f
        .get(name)
        .trim()
        .parse::<i64>()
    {
        Ok(v) if v > 0 => Some(v),
        _ => {
            errors.push(FieldError::new(
                name,
                format!("Choose {what} from the list"),
            ));
            None
        }
    };
    let meeting;
    let ch = match what {
        Change::AddMember => {
            let user = id_of("member", "someone", &mut errors);
            let role = errors.take(parse_team_role(f.get("team_role")));
            match (user, role) {
                (Some(user), Some(_)) => Some(GroupChange::AddMember {
                    user,
                    team_role: f.get("team_role"),
                }),
                _ => None,
            }
        }
        Change::RemoveMember(row) => Some(GroupChange::RemoveMember(row)),
        Change::AddChild => {
            id_of("request", "a request for support", &mut errors).map(GroupChange::AddChild)
        }
        Change::RemoveChild(row) => Some(GroupChange::RemoveChild(row)),
        Change::Meeting => match NewMeeting::parse(
            f.get("held_on"),
            f.get("attendees"),
            f.get("decisions"),
            false,
            st.clock.now().date(),
        ) {
            Ok(m) => {
                meeting = m;
                Some(GroupChange::Meeting(&meeting))
            }
            Err(es) => {
                es.into_iter().for_each(|e| errors.push(e));
                None
            }
        },
    };
    let refused = match ch {
        None => Refused::Invalid,
        Some(ch) => match st.store.change_group_team(&p, id, ch).await {
            Ok(()) => return Ok(Redirect::to(&format!("/group-teams/{id}")).into_response()),
            Err(e) => {
                errors.refusal(e)?;
                Refused::Conflict
            }
        },
    };
    team_page(&st, &ctx, id, errors, f, refused).await
}

/// POST /group-teams/{id}/members
pub async fn add_member(
    ctx: Ctx,
    State(st): State<AppState>,
    Path(id): Path<i64>,
    body: Bytes,
) -> Result<Response, PageError> {
    change(ctx, st, id, body, Change::AddMember).await
}

/// POST /group-teams/{id}/members/{item}/remove
pub async fn remove_member(
    ctx: Ctx,
    State(st): State<AppState>,
    Path((id, row)): Path<(i64, i64)>,
    body: Bytes,
) -> Result<Response, PageError> {
    change(ctx, st, id, body, Change::RemoveMember(row)).await
}

/// POST /group-teams/{id}/children
pub async fn add_child(
    ctx: Ctx,
    State(st): State<AppState>,
    Path(id): Path<i64>,
    body: Bytes,
) -> Result<Response, PageError> {
    change(ctx, st, id, body, Change::AddChild).await
}

/// POST /group-teams/{id}/children/{item}/remove
pub async fn remove_child(
    ctx: Ctx,
    State(st): State<AppState>,
    Path((id, row)): Path<(i64, i64)>,
    body: Bytes,
) -> Result<Response, PageError> {
    change(ctx, st, id, body, Change::RemoveChild(row)).await
}

/// POST /group-teams/{id}/meetings
pub async fn meeting(
    ctx: Ctx,
    State(st): State<AppState>,
    Path(id): Path<i64>,
    body: Bytes,
) -> Result<Response, PageError> {
    change(ctx, st, id, body, Change::Meeting).await
}
