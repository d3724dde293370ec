//! Referrals from a request for support to services in the directory. Eligibility is checked
//! against the service's entry (age, level of need, catchment, conditions) before a referral is
//! made; a service with no places puts the child on its waiting list. A referral's life is a
//! state machine: referred or waiting → offered → started → ended (with an outcome), or
//! declined by the service, or withdrawn. What the family asked for (the request's
//! `service_asked`), what a service offered (a referral offered a place) and what the child
//! received (a referral that started) are kept apart, so unmet need shows.

use super::{Level, Need, Outcome};
use crate::directory::oruk::Service;
use crate::directory::Extras;
use crate::FieldError;
use serde::{Deserialize, Serialize};

vocabulary! {
    /// Where a referral to a service is.
    ReferralStatus, "status", "a referral status" {
        /// Sent; the service has not answered.
        Referred = ("referred", "Referred"),
        /// The service has no place now: on its waiting list.
        Waiting = ("waiting", "On the waiting list"),
        /// The service offered a place.
        Offered = ("offered", "Place offered"),
        /// The service said no, with its reason.
        Declined = ("declined", "Declined by the service"),
        /// The family or the referrer withdrew it, with the reason.
        Withdrawn = ("withdrawn", "Withdrawn"),
        /// The child or family is receiving the service.
        Started = ("started", "Receiving the service"),
        /// The service has ended, with an outcome.
        Ended = ("ended", "Ended"),
    }
}

impl ReferralStatus {
    /// Whether the referral is still going (not declined, withdrawn or ended).
    pub fn is_open(self) -> bool {
        !matches!(
            self,
            ReferralStatus::Declined | ReferralStatus::Withdrawn | ReferralStatus::Ended
        )
    }

    /// Whether the service offered a place (whether or not it has started).
    pub fn was_offered(self) -> bool {
        matches!(
            self,
            ReferralStatus::Offered | ReferralStatus::Started | ReferralStatus::Ended
        )
    }

    /// Whether the child or family received the service.
    pub fn was_received(self) -> bool {
        matches!(self, ReferralStatus::Started | ReferralStatus::Ended)
    }
}

/// Something done to a referral.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReferralCommand {
    /// The service offers a place.
    Offer,
    /// The service says no.
    Decline {
        /// Why.
        reason: String,
    },
    /// The family or the referrer withdraws it.
    Withdraw {
        /// Why.
        reason: String,
    },
    /// The service starts.
    Start,
    /// The service ends.
    End {
        /// How things are for the child, compared with the referral.
        outcome: Outcome,
    },
}

impl ReferralCommand {
    /// Stored and audited form.
    pub fn name(&self) -> &'static str {
        match self {
            ReferralCommand::Offer => "offer",
            ReferralCommand::Decline { .. } => "decline",
            ReferralCommand::Withdraw { .. } => "withdraw",
            ReferralCommand::Start => "start",
            ReferralCommand::End { .. } => "end",
        }
    }
}

/// Why a referral command was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReferralError {
    /// The command does not fit the referral's status.
    #[error("A referral that is {} cannot be {done}. From there it can be: {}", .from.label().to_lowercase(), allowed_text(*.from))]
    BadTransition {
        /// The status it was in.
        from: ReferralStatus,
        /// What was asked, in words.
        done: &'static str,
    },
    /// A field is missing or wrong.
    #[error("{0}")]
    Field(FieldError),
}

fn allowed_text(from: ReferralStatus) -> String {
    let a = allowed(from);
    if a.is_empty() {
        "nothing (it is finished)".into()
    } else {
        a.join(", ")
    }
}

/// The commands that apply in a status.
pub fn allowed(from: ReferralStatus) -> &'static [&'static str] {
    use ReferralStatus as S;
    match from {
        S::Referred | S::Waiting => &["offer", "decline", "withdraw"],
        S::Offered => &["start", "withdraw"],
        S::Started => &["end", "withdraw"],
        S::Declined | S::Withdrawn | S::Ended => &[],
    }
}

fn past(cmd: &ReferralCommand) -> &'static str {
    match cmd {
        ReferralCommand::Offer => "offered",
        ReferralCommand::Decline { .. } => "declined",
        ReferralCommand::Withdraw { .. } => "withdrawn",
        ReferralCommand::Start => "started",
        ReferralCommand::End { .. } => "ended",
    }
}

/// The status after `cmd`, or why it does not apply (reasons are required and at most 500
/// characters).
pub fn apply(from: ReferralStatus, cmd: &ReferralCommand) -> Result<ReferralStatus, ReferralError> {
    use ReferralStatus as S;
    if let ReferralCommand::Decline { reason } | ReferralCommand::Withdraw { reason } = cmd {
        let r = reason.trim();
        if r.is_empty() || r.chars().count() > 500 {
            return Err(ReferralError::Field(FieldError::new(
                "reason",
                "Give the reason, in 500 characters or fewer",
            )));
        }
    }
    if !allowed(from).contains(&cmd.name()) {
        return Err(ReferralError::BadTransition {
            from,
            done: past(cmd),
        });
    }
    Ok(match cmd {
        ReferralCommand::Offer => S::Offered,
        ReferralCommand::Decline { .. } => S::Declined,
        ReferralCommand::Withdraw { .. } => S::Withdrawn,
        ReferralCommand::Start => S::Started,
        ReferralCommand::End { .. } => S::Ended,
    })
}

/// What is known about the child and family a referral is for.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ChildFacts {
    /// Age in whole years, if the date of birth is known.
    pub age: Option<u32>,
    /// The level of need decided at the front door, if any.
    pub level: Option<Level>,
    /// The locality the family lives in, if known.
    pub locality: Option<i64>,
    /// The needs the request records.
    pub needs: Vec<Need>,
    /// Whether the young person has special educational needs and disabilities.
    pub send: bool,
}

impl ChildFacts {
    /// The facts a request records: the child's age on `today` from the date of birth
    /// (`YYYY-MM-DD`; none when it is missing or unreadable), the level decided at the front
    /// door, the locality, and the needs; a mild to moderate learning disability among the
    /// needs counts as special educational needs and disabilities.
    pub fn of_request(
        date_of_birth: Option<&str>,
        today: time::Date,
        level: Option<Level>,
        locality: Option<i64>,
        needs: Vec<Need>,
    ) -> ChildFacts {
        let age = date_of_birth
            .and_then(|d| d.get(..10))
            .and_then(|d| {
                time::Date::parse(d, &time::format_description::well_known::Iso8601::DATE).ok()
            })
            .map(|dob| crate::person::age_on(dob, today))
            .and_then(|a| u32::try_from(a).ok());
        ChildFacts {
            age,
            level,
            locality,
            send: needs.contains(&Need::LearningDisability),
            needs,
        }
    }
}

/// The result of an eligibility check: reasons the child is not eligible, and conditions of
/// the service nobody has recorded either way (the referrer confirms them).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EligibilityCheck {
    /// Why the child is not eligible; empty when they are.
    pub not_eligible: Vec<String>,
    /// What the service asks that the record does not say.
    pub to_confirm: Vec<String>,
}

impl EligibilityCheck {
    /// Whether nothing rules the child out.
    pub fn eligible(&self) -> bool {
        self.not_eligible.is_empty()
    }
}

/// The need or group that shows a condition of a service's eligibility, if the record can.
fn condition_need(code: &str) -> Option<Need> {
    match code {
        "young_carer" => Some(Need::YoungCarer),
        "teenage_parent" => Some(Need::TeenageParent),
        "new_arrival" => Some(Need::NewArrival),
        "travelling" => Some(Need::Travelling),
        "learning_disability" => Some(Need::LearningDisability),
        _ => None,
    }
}

fn years(a: f64) -> String {
    format!("{}", a.round() as i64)
}

/// Check a child against a service's entry. `localities` names localities for the reasons.
pub fn check_eligibility(
    service: &Service,
    extras: &Extras,
    child: &ChildFacts,
    locality_name: impl Fn(i64) -> String,
) -> EligibilityCheck {
    let mut out = EligibilityCheck::default();
    if let Some(age) = child.age.map(f64::from) {
        let lo = service.minimum_age.unwrap_or(0.0);
        let mut hi = service.maximum_age.unwrap_or(f64::INFINITY);
        let send_extends = extras.eligibility.send_to_25 && child.send;
        if send_extends {
            hi = hi.max(25.0);
        }
        if age < lo || age > hi {
            let range = match (service.minimum_age, service.maximum_age) {
                (Some(l), Some(h)) => format!("ages {} to {}", years(l), years(h)),
                (Some(l), None) => format!("ages {} and over", years(l)),
                (None, Some(h)) => format!("ages up to {}", years(h)),
                (None, None) => "all ages".into(),
            };
            let send = if extras.eligibility.send_to_25 && !child.send {
                " (or to 25 with special educational needs and disabilities)"
            } else {
                ""
            };
            out.not_eligible.push(format!(
                "The child is {}; the service is for {range}{send}",
                years(age)
            ));
        }
    } else if service.minimum_age.is_some() || service.maximum_age.is_some() {
        out.to_confirm
            .push("The child's age is not recorded: check it is in the service's range".into());
    }
    if let Some(level) = child.level {
        if !extras.serves_level(level.number()) {
            let served: Vec<String> = extras.levels.iter().map(u8::to_string).collect();
            out.not_eligible.push(format!(
                "The service works at level{} {} of need; the child is at level {}",
                if served.len() == 1 { "" } else { "s" },
                served.join(", "),
                level.number()
            ));
        }
    }
    if !extras.catchment.covers(child.locality) {
        let area = match &extras.catchment {
            crate::directory::Catchment::Localities(ls) => ls
                .iter()
                .map(|l| locality_name(*l))
                .collect::<Vec<_>>()
                .join(", "),
            crate::directory::Catchment::CityWide => String::new(),
        };
        out.not_eligible.push(match child.locality {
            Some(l) => format!(
                "The family lives in {}; the service takes families from {area}",
                locality_name(l)
            ),
            None => format!(
                "The family's locality is not known; the service takes families from {area}"
            ),
        });
    }
    for code in &extras.eligibility.requires {
        match condition_need(code) {
            Some(n) if child.needs.contains(&n) => {}
            Some(n) => out.not_eligible.push(format!(
                "The service is for: {}; the request does not record it",
                n.label().to_lowercase()
            )),
            None if code == "send" && child.send => {}
            None => out
                .to_confirm
                .push(format!("The service asks: {}", code.replace('_', " "))),
        }
    }
    out
}

/// Where a new referral starts: on the waiting list when the service has no places.
pub fn initial_status(extras: &Extras) -> ReferralStatus {
    match &extras.capacity {
        Some(c) if c.available <= 0.0 => ReferralStatus::Waiting,
        _ => ReferralStatus::Referred,
    }
}

/// A referral as its status changes: the current status and the facts that follow from it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ReferralFacts {
    /// Status.
    pub status: ReferralStatus,
    /// Outcome, once ended.
    pub outcome: Option<Outcome>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::directory::{Capacity, Catchment, Eligibility};

    fn svc(lo: Option<f64>, hi: Option<f64>) -> Service {
        Service {
            minimum_age: lo,
            maximum_age: hi,
            ..Service::default()
        }
    }

    #[test]
    fn a_referrals_life_and_every_refusal_names_what_can_happen() {
        use ReferralStatus as S;
        let r = |s: &str| ReferralCommand::Decline { reason: s.into() };
        assert_eq!(apply(S::Referred, &ReferralCommand::Offer), Ok(S::Offered));
        assert_eq!(apply(S::Waiting, &ReferralCommand::Offer), Ok(S::Offered));
        assert_eq!(apply(S::Offered, &ReferralCommand::Start), Ok(S::Started));
        let end = ReferralCommand::End {
            outcome: Outcome::Better,
        };
        assert_eq!(apply(S::Started, &end), Ok(S::Ended));
        assert_eq!(
            apply(S::Referred, &r("No places this term")),
            Ok(S::Declined)
        );
        assert!(matches!(
            apply(S::Referred, &r("  ")),
            Err(ReferralError::Field(_))
        ));
        let e = apply(S::Referred, &ReferralCommand::Start).unwrap_err();
        assert_eq!(
            e.to_string(),
            "A referral that is referred cannot be started. From there it can be: offer, decline, withdraw"
        );
        let e = apply(S::Ended, &ReferralCommand::Offer).unwrap_err();
        assert!(e.to_string().ends_with("nothing (it is finished)"), "{e}");
        // Every status and command: allowed() says exactly which apply.
        let cmds = [
            ReferralCommand::Offer,
            r("x"),
            ReferralCommand::Withdraw { reason: "x".into() },
            ReferralCommand::Start,
            end,
        ];
        for s in ReferralStatus::ALL {
            for c in &cmds {
                assert_eq!(
                    apply(*s, c).is_ok(),
                    allowed(*s).contains(&c.name()),
                    "{s:?} {c:?}"
                );
            }
            assert_eq!(s.is_open(), !allowed(*s).is_empty(), "{s:?}");
        }
    }

    #[test]
    fn eligibility_names_each_reason() {
        let name = |l: i64| format!("Locality {l}");
        let x = Extras {
            levels: vec![2, 3],
            catchment: Catchment::Localities(vec![1]),
            eligibility: Eligibility {
                send_to_25: true,
                requires: vec!["young_carer".into(), "pregnant".into()],
                text: String::new(),
            },
            ..Extras::default()
        };
        let child = ChildFacts {
            age: Some(21),
            level: Some(Level::Specialist),
            locality: Some(2),
            needs: vec![Need::Health],
            send: false,
        };
        let c = check_eligibility(&svc(Some(11.0), Some(18.0)), &x, &child, name);
        assert_eq!(
            c.not_eligible,
            vec![
                "The child is 21; the service is for ages 11 to 18 (or to 25 with special educational needs and disabilities)".to_owned(),
                "The service works at levels 2, 3 of need; the child is at level 4".to_owned(),
                "The family lives in Locality 2; the service takes families from Locality 1".to_owned(),
                "The service is for: young carer; the request does not record it".to_owned(),
            ]
        );
        assert_eq!(c.to_confirm, vec!["The service asks: pregnant".to_owned()]);
        // With SEND the range runs to 25; the rest fits too.
        let ok = ChildFacts {
            age: Some(21),
            level: Some(Level::Complex),
            locality: Some(1),
            needs: vec![Need::YoungCarer],
            send: true,
        };
        let c = check_eligibility(&svc(Some(11.0), Some(18.0)), &x, &ok, name);
        assert!(c.eligible(), "{c:?}");
        // A city-wide service with no stated limits takes anyone.
        assert!(check_eligibility(
            &svc(None, None),
            &Extras::default(),
            &ChildFacts::default(),
            name
        )
        .eligible());
    }

    #[test]
    fn a_requests_facts_give_the_age_on_the_day_and_send_from_the_needs() {
        let today = time::macros::date!(2026 - 12 - 05);
        let f = ChildFacts::of_request(
            Some("2015-12-06"),
            today,
            Some(Level::Targeted),
            Some(3),
            vec![Need::Health, Need::LearningDisability],
        );
        assert_eq!(f.age, Some(10));
        assert!(f.send);
        assert_eq!(f.locality, Some(3));
        let f = ChildFacts::of_request(Some("2015-12-05"), today, None, None, vec![Need::Health]);
        assert_eq!(f.age, Some(11));
        assert!(!f.send);
        assert_eq!(
            ChildFacts::of_request(Some("not a date"), today, None, None, vec![]).age,
            None
        );
        assert_eq!(
            ChildFacts::of_request(None, today, None, None, vec![]).age,
            None
        );
    }

    #[test]
    fn no_places_means_the_waiting_list() {
        let mut x = Extras::default();
        assert_eq!(initial_status(&x), ReferralStatus::Referred);
        x.capacity = Some(Capacity {
            id: "c".into(),
            unit: "Places".into(),
            available: 0.0,
            maximum: Some(12.0),
            description: None,
            updated: "2026-12-01T00:00:00Z".into(),
        });
        assert_eq!(initial_status(&x), ReferralStatus::Waiting);
        if let Some(c) = x.capacity.as_mut() {
            c.available = 3.0;
        }
        assert_eq!(initial_status(&x), ReferralStatus::Referred);
    }
}
