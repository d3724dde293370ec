//! Access policy for everychild: every action on every resource is decided here, and nowhere
//! else. Decisions are deny by default: an action is allowed only where a rule below names the
//! role (and, for some actions, the relationship to the target).
//!
//! A decision that allows produces a [`Permit`]. Permits can only be made by this crate (their
//! fields are private and there is no public constructor), and every store method that reads or
//! changes data takes the permit for its capability. So a handler cannot reach the store
//! without a policy decision: it would not compile. The permit also carries the actor, the
//! target and the purpose, which the store writes into the audit event of the same transaction.

mod actor;
mod capability;
mod rules;
mod scopes;

pub use actor::{Actor, PendingUser, Principal, Scope, TokenGrant};
pub use capability::*;
pub use rules::{
    decide, second_factor_required, token_may_act_as, Action, ApprovalGround, Basis, Decision,
    DenyReason, Target,
};
pub use scopes::scope_for;

use everychild_domain::Role;

/// The front line: the roles that work with children and families directly. Only they can be
/// a lead professional, a member of a team around the child or of a team around a school, or
/// hold a basis for a child's record ([`decide`] allows [`Action::FindChildBasis`] to exactly
/// these roles, and a test holds the two together). The store asks the database for accounts
/// with these roles when it checks or offers a member.
pub const FRONT_LINE: &[Role] = &[Role::Practitioner, Role::LocalityManager];

use std::marker::PhantomData;

/// Proof that the policy allowed capability `C` for an actor on a target, for a purpose.
#[derive(Debug)]
pub struct Permit<C: Capability> {
    principal: Principal,
    target: Target,
    purpose: Option<String>,
    _c: PhantomData<C>,
}

impl<C: Capability> Permit<C> {
    /// Who acts (anonymous for sign-in, pending for a second factor, a user, or the console).
    pub fn principal(&self) -> &Principal {
        &self.principal
    }
    /// The signed-in user, if any.
    pub fn actor(&self) -> Option<&Actor> {
        match &self.principal {
            Principal::User(a) => Some(a),
            _ => None,
        }
    }
    /// What the permit is for: the store acts on this target and no other.
    pub fn target(&self) -> &Target {
        &self.target
    }
    /// The purpose recorded in the audit log.
    pub fn purpose(&self) -> Option<&str> {
        self.purpose.as_deref()
    }
    /// The action this permit allows.
    pub fn action(&self) -> Action {
        C::ACTION
    }
}

/// A refusal, with the reason: not signed in (ask to sign in) or forbidden.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{action:?} denied: {reason:?}")]
pub struct Denied {
    /// What was asked for.
    pub action: Action,
    /// Why it was refused.
    pub reason: DenyReason,
}

/// Ask the policy for capability `C` on `target`. The only way to obtain a [`Permit`].
pub fn authorize<C: Capability>(
    principal: &Principal,
    target: Target,
    purpose: Option<&str>,
) -> Result<Permit<C>, Denied> {
    match decide(principal, C::ACTION, &target) {
        Decision::Allow => Ok(Permit {
            principal: principal.clone(),
            target,
            purpose: purpose.map(str::to_owned),
            _c: PhantomData,
        }),
        Decision::Deny(reason) => Err(Denied {
            action: C::ACTION,
            reason,
        }),
    }
}
