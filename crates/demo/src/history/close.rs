//! Closing a request in the history: its referrals end, a step-up records what children's
//! social care decided, and the request closes with a reason and an outcome for each need.

use super::referrals::{finish_referral, manager_permit};
use super::{lead_permit, Case, LocalityStaff, Report};
use crate::casework::Worker;
use crate::Result;
use everychild_domain::casework::{
    ClosureReason, Command, Level, Outcome, Route, SocialCareOutcome,
};
use everychild_store::prelude::*;
use everychild_store::SqlStore;
use rand::Rng;

/// Close case `c` (made by `who` in `s`'s locality).
pub(super) async fn close(
    past: &SqlStore,
    c: &mut Case,
    s: &LocalityStaff,
    who: &Worker,
    rng: &mut impl Rng,
    report: &mut Report,
) -> Result<()> {
    let child = c.child.unwrap_or_default();
    finish_referral(past, c, s, rng).await?;
    if c.route == Route::SocialCare {
        // The outcome of the step-up, as children's social care reported it.
        let r: f64 = rng.gen();
        let outcome = if r < 0.5 {
            SocialCareOutcome::Assessment
        } else if r < 0.8 {
            SocialCareOutcome::ChildProtection
        } else if r < 0.85 {
            SocialCareOutcome::LookedAfter
        } else {
            SocialCareOutcome::NoFurtherAction
        };
        past.manage_request(
            &manager_permit(s, child)?,
            c.request,
            c.version,
            Command::SocialCareOutcome {
                outcome,
                note: "Reported by the children's social care duty team".into(),
            },
            None,
        )
        .await?;
        c.version += 1;
        if outcome == SocialCareOutcome::NoFurtherAction {
            c.level = Level::Complex;
            c.step = Some(Level::Complex);
            report.level_changes += 1;
        }
    }
    let (reason, outcome) = match (c.route, c.step) {
        (Route::SocialCare, None) | (_, Some(Level::Specialist)) => {
            (ClosureReason::SteppedUp, Outcome::Same)
        }
        (_, Some(_)) => (ClosureReason::SteppedDown, Outcome::Better),
        (_, None) => {
            let r: f64 = rng.gen();
            if r < 0.08 {
                (ClosureReason::Disengaged, Outcome::Same)
            } else if r < 0.12 {
                (ClosureReason::MovedAway, Outcome::Same)
            } else {
                (
                    ClosureReason::NeedsMet,
                    if rng.gen_bool(0.85) {
                        Outcome::Better
                    } else {
                        Outcome::Same
                    },
                )
            }
        }
    };
    // The lead professional closes a team's work; the hub manager closes the rest.
    let closer = if c.route == Route::EarlyHelp {
        lead_permit(who, child)?
    } else {
        manager_permit(s, child)?
    };
    let need_outcomes = c
        .needs
        .iter()
        .map(|n| {
            let r: f64 = rng.gen();
            (
                *n,
                if r < 0.65 {
                    Outcome::Better
                } else if r < 0.92 {
                    Outcome::Same
                } else {
                    Outcome::Worse
                },
            )
        })
        .collect();
    past.manage_request(
        &closer,
        c.request,
        c.version,
        Command::Close {
            outcome,
            summary: "The plan is complete; the team has closed its work with the family".into(),
            reason,
            need_outcomes,
            feedback: if rng.gen_bool(0.5) {
                "Having one person to talk to made the difference".into()
            } else {
                String::new()
            },
        },
        None,
    )
    .await?;
    c.version += 1;
    report.closed += 1;
    Ok(())
}
