//! The history's referrals to directory services: the hub manager refers a family at the
//! service route; the service answers (offer, decline, waiting list, start); a referral ends or
//! is withdrawn when the request closes.

use super::{Case, LocalityStaff};
use crate::Result;
use everychild_domain::casework::referral::{ReferralCommand, ReferralStatus};
use everychild_domain::casework::Outcome;
use everychild_domain::directory::search::{DirectoryIndex, Query};
use everychild_policy::{self as policy, Basis, Target};
use everychild_store::prelude::*;
use everychild_store::{SqlStore, StoreError};
use rand::seq::SliceRandom;
use rand::Rng;
use time::OffsetDateTime;

pub(super) fn manager_permit(
    s: &LocalityStaff,
    child: i64,
) -> Result<policy::Permit<policy::ManageRequest>> {
    s.manager.permit::<policy::ManageRequest>(
        Target::Child {
            id: child,
            basis: Basis::Locality,
        },
        "the hub manager acts on the request",
    )
}

/// The hub manager refers the family to a service in the directory that takes children of this
/// age at this level in this locality (the store checks eligibility again; a service that turns
/// out not to fit is left alone).
pub(super) async fn refer(
    store: &SqlStore,
    index: &DirectoryIndex,
    c: &mut Case,
    s: &LocalityStaff,
    at: OffsetDateTime,
    rng: &mut impl Rng,
) -> Result<()> {
    let hits = index.services(&Query {
        age: Some(f64::from((at.year() - c.born).max(0))),
        level: Some(c.level.number()),
        locality: Some(s.locality),
        ..Query::default()
    });
    let Some(hit) = hits.choose(rng) else {
        return Ok(());
    };
    let made = store
        .refer_to_service(
            &manager_permit(s, c.child.unwrap_or_default())?,
            c.request,
            &hit.entry.service.id,
            c.needs.first().copied(),
            None,
        )
        .await;
    match made {
        Ok(m) => c.referral = Some((m.id, 1, m.status)),
        Err(StoreError::Invalid(_) | StoreError::Conflict(_)) => {}
        Err(e) => return Err(e.into()),
    }
    Ok(())
}

/// What the service does next with a referral; when to look again, if there is more to do.
pub(super) async fn answer(
    store: &SqlStore,
    c: &mut Case,
    s: &LocalityStaff,
    rng: &mut impl Rng,
) -> Result<Option<(i64, i64)>> {
    let Some((id, version, status)) = c.referral else {
        return Ok(None);
    };
    let roll: f64 = rng.gen();
    let (cmd, next) = match status {
        ReferralStatus::Referred | ReferralStatus::Waiting if roll < 0.12 => (
            ReferralCommand::Decline {
                reason: "The service cannot take the family this term".into(),
            },
            None,
        ),
        ReferralStatus::Referred | ReferralStatus::Waiting if roll < 0.2 => (
            ReferralCommand::Withdraw {
                reason: "The family no longer wants the service".into(),
            },
            None,
        ),
        // A waiting list moves slowly.
        ReferralStatus::Waiting if roll < 0.6 => return Ok(Some((20, 40))),
        ReferralStatus::Referred | ReferralStatus::Waiting => {
            (ReferralCommand::Offer, Some((3, 14)))
        }
        ReferralStatus::Offered if roll < 0.1 => (
            ReferralCommand::Withdraw {
                reason: "The family did not take up the place".into(),
            },
            None,
        ),
        ReferralStatus::Offered => (ReferralCommand::Start, None),
        _ => return Ok(None),
    };
    let to = everychild_domain::casework::referral::apply(status, &cmd)
        .map_err(|e| crate::DemoError::Invalid(e.to_string()))?;
    store
        .update_referral(
            &manager_permit(s, c.child.unwrap_or_default())?,
            c.request,
            id,
            version,
            &cmd,
        )
        .await?;
    c.referral = Some((id, version + 1, to));
    Ok(next)
}

/// When the request closes, a service the child is receiving ends and one not yet started is
/// withdrawn; nothing more happens to the referral after.
pub(super) async fn finish_referral(
    store: &SqlStore,
    c: &mut Case,
    s: &LocalityStaff,
    rng: &mut impl Rng,
) -> Result<()> {
    let Some((id, version, status)) = c.referral.take() else {
        return Ok(());
    };
    let cmd = match status {
        ReferralStatus::Started => ReferralCommand::End {
            outcome: if rng.gen_bool(0.7) {
                Outcome::Better
            } else {
                Outcome::Same
            },
        },
        s if s.is_open() => ReferralCommand::Withdraw {
            reason: "The request for support closed".into(),
        },
        _ => return Ok(()),
    };
    {
        store
            .update_referral(
                &manager_permit(s, c.child.unwrap_or_default())?,
                c.request,
                id,
                version,
                &cmd,
            )
            .await?;
    }
    Ok(())
}
