//! The home page: for a signed-in user, what their role can do; otherwise the way in.

use super::{render, Chrome};
use crate::error::PageError;
use crate::pages::directory_admin::can_manage_directory;
use crate::{AppState, Ctx};
use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use everychild_policy::{decide, Action, Decision, Principal, Target};

/// A card on the home page.
pub struct Card {
    href: &'static str,
    title: &'static str,
    text: &'static str,
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    c: Chrome,
    name: String,
    role: &'static str,
    organisation: String,
    intro: &'static str,
    cards: Vec<Card>,
    second_factor_missing: bool,
}

#[derive(Template)]
#[template(path = "landing.html")]
struct LandingPage {
    c: Chrome,
}

/// GET /
pub async fn show(ctx: Ctx, State(st): State<AppState>) -> Result<Response, PageError> {
    let actor = match &ctx.principal {
        Principal::User(a) => a.clone(),
        Principal::Pending(_) => return Ok(Redirect::to("/sign-in").into_response()),
        _ => {
            return render(&LandingPage {
                c: Chrome::new(&st, &ctx, "everychild", "/"),
            })
        }
    };
    if actor.must_change_password {
        return Ok(Redirect::to("/account/password").into_response());
    }
    let can = |a| decide(&ctx.principal, a, &Target::None) == Decision::Allow;
    let mut cards = Vec::new();
    use everychild_domain::Role;
    if actor.role == Role::LocalityManager && !actor.localities.is_empty() {
        cards.push(Card {
            href: "/front-door",
            title: "Front door",
            text: "Decide the level of need and route of each request for support, and see open work, stuck cases and re-referrals in your localities.",
        });
    }
    if can(Action::SearchChildren) {
        cards.push(Card {
            href: "/children",
            title: "Children",
            text: "Find a child, see who else works with them, register a child you work with, and ask for support.",
        });
    }
    if can(Action::FindChildBasis) {
        cards.push(Card {
            href: "/involvements",
            title: "Declarations to decide",
            text: "Colleagues who say they work with a child you are accountable for: approve or refuse.",
        });
    }
    if can(Action::AnswerTeamInvitation) {
        cards.push(Card {
            href: "/team-invitations",
            title: "Places in teams around children",
            text: "Accept or decline a place a lead professional has offered you.",
        });
    }
    if can(Action::ReviewLinks) {
        cards.push(Card {
            href: "/reviews",
            title: "Records to review",
            text: "Agency records the index could not be sure about: compare them and decide.",
        });
    }
    if can(Action::ReviewBreakGlass) {
        cards.push(Card {
            href: "/break-glass",
            title: "Emergency access",
            text: "Review every break-glass access to a child's record.",
        });
    }
    if can(Action::OverseeAccess) {
        cards.push(Card {
            href: "/oversight/involvements",
            title: "Declared involvements",
            text: "Every declaration that a practitioner works with a child: waiting, approved and refused.",
        });
    }
    cards.push(Card {
        href: "/localities",
        title: "Localities",
        text: "The localities, their hubs, teams and profiles of need.",
    });
    if can(Action::SearchStaff) {
        cards.push(Card {
            href: "/staff",
            title: "Staff directory",
            text: "Find colleagues in any agency and how to reach them.",
        });
    }
    if can(Action::ListUsers) {
        cards.push(Card {
            href: "/admin/users",
            title: "Users",
            text: "Add accounts, disable them, reset passwords and second factors.",
        });
    }
    if can(Action::ManageOrganisations) {
        cards.push(Card {
            href: "/admin/organisations",
            title: "Organisations",
            text: "The agencies whose staff use everychild.",
        });
    }
    if can(Action::ManageApiTokens) {
        cards.push(Card {
            href: "/admin/tokens",
            title: "API tokens",
            text: "Issue and revoke tokens for systems that use the API.",
        });
    }
    if can(Action::ReadAudit) {
        cards.push(Card {
            href: "/audit",
            title: "Audit log",
            text: "Who saw or changed what, when and why. Check the log has not been altered.",
        });
    }
    if can_manage_directory(&ctx.principal) {
        cards.push(Card {
            href: "/directory",
            title: "Service directory",
            text: "Write and update entries in the directory of services, send them for approval and keep them reviewed.",
        });
    }
    cards.push(Card {
        href: "/account",
        title: "Your account",
        text: "Change your password and set up your authenticator app.",
    });
    let intro = match actor.role {
        Role::Practitioner => "See who else works with a child, ask for support, and work as lead professional or member of a team around the child.",
        Role::LocalityManager => "Run your locality's front door and teams, decide which agency records are the same child, and step in on stuck cases.",
        Role::Commissioner => "See each locality's open work and needs in counts. Funding streams and allocations arrive with the commissioning work.",
        Role::AdvisoryBoardMember => "You will see safe summaries of needs, take-up and outcomes in your locality. You never see records about individual children.",
        Role::Analyst => "See each locality's open work and needs in counts. Indicators and the statutory returns arrive with the performance work.",
        Role::Administrator => "Manage accounts, organisations, boundaries and API tokens, and review the audit log.",
        Role::DataProtectionOfficer => "Review the audit log, emergency access to children's records and who has viewed them.",
        Role::DirectoryEditor => "Keep your organisation's services in the directory up to date and send changes for approval. You never see records about children.",
    };
    render(&HomePage {
        c: Chrome::new(&st, &ctx, "Home", "/"),
        name: actor.display_name.clone(),
        role: actor.role.label(),
        organisation: actor.organisation_name.clone(),
        intro,
        cards,
        second_factor_missing: !actor.totp_enabled,
    })
}
