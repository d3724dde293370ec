//! The service directory: Open Referral UK 3.0 services (`oruk`), our extensions kept alongside
//! each one (level of need, catchment, classification, referral route, capacity), the life of
//! an entry (draft → awaiting approval → published → archived) and the search index that the
//! public pages and the Open Referral API answer from (`search`). No I/O.

pub mod oruk;
pub mod search;

use serde::{Deserialize, Serialize};

/// The levels of need a service serves (004 §7): 1 universal, 2 additional, 3 complex, 4 acute
/// or specialist.
pub const LEVELS: [u8; 4] = [1, 2, 3, 4];

/// Core, extended, city-wide or hosted (003 Appendix 2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Reach {
    /// Delivered by the locality's own core team.
    Core,
    /// Delivered in the locality by the extended team of partner agencies.
    Extended,
    /// Run for the whole authority.
    CityWide,
    /// Run by another body and hosted at a hub.
    Hosted,
}

/// Universal, targeted or specialist (000 §4.42).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Tier {
    /// Open to every family.
    Universal,
    /// For children and families with additional needs.
    Targeted,
    /// For complex or acute needs.
    Specialist,
}

/// How a service is delivered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryMode {
    /// At a venue.
    InPerson,
    /// Online.
    Online,
    /// By telephone.
    Telephone,
    /// At home.
    HomeVisit,
    /// Outreach (in the community, detached youth work…).
    Outreach,
}

/// How a family reaches a service.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReferralRoute {
    /// Families may contact it themselves.
    SelfReferral,
    /// A professional refers.
    Professional,
    /// Only through the locality front door.
    FrontDoor,
}

macro_rules! labels {
    ($t:ty { $($v:ident => $s:literal, $l:literal;)* }) => {
        impl $t {
            /// Every value, in the order pages list them.
            pub const ALL: &'static [$t] = &[$(<$t>::$v),*];
            /// Stored and API form.
            pub fn as_str(self) -> &'static str { match self { $(<$t>::$v => $s),* } }
            /// What people read.
            pub fn label(self) -> &'static str { match self { $(<$t>::$v => $l),* } }
            /// From the stored form.
            pub fn parse(s: &str) -> Option<Self> { Self::ALL.iter().copied().find(|v| v.as_str() == s) }
        }
    };
}

labels!(Reach {
    Core => "core", "Core locality service";
    Extended => "extended", "Extended locality service";
    CityWide => "city_wide", "City-wide service";
    Hosted => "hosted", "Hosted at a hub";
});
labels!(Tier {
    Universal => "universal", "Universal";
    Targeted => "targeted", "Targeted";
    Specialist => "specialist", "Specialist";
});
labels!(DeliveryMode {
    InPerson => "in_person", "In person";
    Online => "online", "Online";
    Telephone => "telephone", "By telephone";
    HomeVisit => "home_visit", "Home visits";
    Outreach => "outreach", "Outreach";
});
labels!(ReferralRoute {
    SelfReferral => "self", "Families can contact the service themselves";
    Professional => "professional", "A professional refers the family";
    FrontDoor => "front_door", "Through the locality front door";
});

/// Where a service takes families from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case", tag = "kind", content = "localities")]
pub enum Catchment {
    /// The whole authority (and anyone, for a service imported without a catchment).
    #[default]
    CityWide,
    /// These localities of the current boundary set (ids).
    Localities(Vec<i64>),
}

impl Catchment {
    /// Whether a family in `locality` is in the catchment.
    pub fn covers(&self, locality: Option<i64>) -> bool {
        match self {
            Catchment::CityWide => true,
            Catchment::Localities(ls) => locality.is_some_and(|l| ls.contains(&l)),
        }
    }
}

/// Places available, in the shape of HSDS 3.1's `service_capacity` (with its `unit`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Capacity {
    /// UUID.
    pub id: String,
    /// What is counted ("Places", "Sessions", "Hours").
    pub unit: String,
    /// Units available at the last update.
    pub available: f64,
    /// The most there can be, if there is a limit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub maximum: Option<f64>,
    /// In words.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// When the figure was last updated (RFC 3339).
    pub updated: String,
}

/// Who a service is for, beyond its age range: structured conditions a referral is checked
/// against, and the provider's own words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Eligibility {
    /// Whether the age range runs to 25 for young people with special educational needs and
    /// disabilities.
    #[serde(default)]
    pub send_to_25: bool,
    /// Conditions, each one of which must hold (for example `young_carer`, `pregnant`,
    /// `resident`): codes from the needs taxonomy or the directory's own list.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub requires: Vec<String>,
    /// In the provider's words.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub text: String,
}

/// Our extensions to an Open Referral service, kept alongside it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Extras {
    /// Levels of need served (1-4); empty means not stated.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub levels: Vec<u8>,
    /// Catchment.
    #[serde(default)]
    pub catchment: Catchment,
    /// Core, extended, city-wide or hosted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reach: Option<Reach>,
    /// Universal, targeted or specialist.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tier: Option<Tier>,
    /// How it is delivered.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub delivery: Vec<DeliveryMode>,
    /// Eligibility.
    #[serde(default)]
    pub eligibility: Eligibility,
    /// How families reach it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub referral_routes: Vec<ReferralRoute>,
    /// Places available.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub capacity: Option<Capacity>,
    /// Current waiting time, in weeks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub waiting_weeks: Option<u32>,
}

impl Extras {
    /// Problems with the extensions (paths start `extras.`).
    pub fn problems(&self) -> Vec<oruk::Problem> {
        let mut out = Vec::new();
        let mut push = |path: &str, m: String| {
            out.push(oruk::Problem {
                path: format!("extras.{path}"),
                message: m,
            })
        };
        for l in &self.levels {
            if !LEVELS.contains(l) {
                push("levels", format!("{l} is not a level of need (1 to 4)"));
            }
        }
        if let Catchment::Localities(ls) = &self.catchment {
            if ls.is_empty() {
                push(
                    "catchment",
                    "Choose at least one locality, or city-wide".into(),
                );
            }
        }
        if let Some(c) = &self.capacity {
            if c.available < 0.0 {
                push("capacity.available", "must not be negative".into());
            }
            if c.maximum.is_some_and(|m| m < c.available) {
                push(
                    "capacity.maximum",
                    "must not be less than the places available".into(),
                );
            }
            if c.unit.trim().is_empty() {
                push("capacity.unit", "is required".into());
            }
        }
        if self.waiting_weeks.is_some_and(|w| w > 520) {
            push("waiting_weeks", "must be 520 weeks or fewer".into());
        }
        out
    }

    /// Whether the service serves a level of need (a service that states none serves any).
    pub fn serves_level(&self, level: u8) -> bool {
        self.levels.is_empty() || self.levels.contains(&level)
    }
}

/// Where an entry is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EntryStatus {
    /// Being written by its organisation; not public.
    Draft,
    /// Sent for approval; not public.
    AwaitingApproval,
    /// Public.
    Published,
    /// Withdrawn; kept with its history, not public.
    Archived,
}

labels!(EntryStatus {
    Draft => "draft", "Draft";
    AwaitingApproval => "awaiting_approval", "Awaiting approval";
    Published => "published", "Published";
    Archived => "archived", "Archived";
});

/// Something done to an entry's status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EntryCommand {
    /// Change the content: a published entry's public version stays live until the change is
    /// approved.
    Edit,
    /// Send a draft for approval.
    Submit,
    /// Approve and publish.
    Approve,
    /// Send back to draft with a reason.
    Reject,
    /// Withdraw from the directory.
    Archive,
    /// Bring an archived entry back as a draft.
    Restore,
}

labels!(EntryCommand {
    Edit => "edit", "Edit";
    Submit => "submit", "Send for approval";
    Approve => "approve", "Approve and publish";
    Reject => "reject", "Return to the provider";
    Archive => "archive", "Archive";
    Restore => "restore", "Restore as a draft";
});

/// A status change that does not fit, with the commands that would.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("You cannot {} an entry that is {}. From there you can: {}", .command.as_str(), .from.label().to_lowercase(), allowed_list(.from))]
pub struct BadTransition {
    /// The status the entry was in.
    pub from: EntryStatus,
    /// What was asked.
    pub command: EntryCommand,
}

fn allowed_list(from: &EntryStatus) -> String {
    let a: Vec<&str> = from.allowed().iter().map(|c| c.as_str()).collect();
    if a.is_empty() {
        "nothing".into()
    } else {
        a.join(", ")
    }
}

impl EntryStatus {
    /// The commands that apply in this status.
    pub fn allowed(self) -> &'static [EntryCommand] {
        use EntryCommand as C;
        match self {
            EntryStatus::Draft => &[C::Edit, C::Submit, C::Archive],
            EntryStatus::AwaitingApproval => &[C::Edit, C::Approve, C::Reject, C::Archive],
            EntryStatus::Published => &[C::Edit, C::Archive],
            EntryStatus::Archived => &[C::Restore],
        }
    }

    /// The status after `command`, or why it does not apply.
    pub fn apply(self, command: EntryCommand) -> Result<EntryStatus, BadTransition> {
        use EntryCommand as C;
        use EntryStatus as S;
        Ok(match (self, command) {
            (S::Draft | S::AwaitingApproval | S::Published, C::Edit) => S::Draft,
            (S::Draft, C::Submit) => S::AwaitingApproval,
            (S::AwaitingApproval, C::Approve) => S::Published,
            (S::AwaitingApproval, C::Reject) => S::Draft,
            (S::Draft | S::AwaitingApproval | S::Published, C::Archive) => S::Archived,
            (S::Archived, C::Restore) => S::Draft,
            _ => {
                return Err(BadTransition {
                    from: self,
                    command,
                })
            }
        })
    }
}

/// How soon before its review date an entry is flagged.
pub const REVIEW_WARNING_DAYS: i64 = 28;

/// Whether a review date has passed, is near, or is some way off.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ReviewState {
    /// Later than the warning period.
    Current,
    /// Within [`REVIEW_WARNING_DAYS`].
    DueSoon,
    /// Passed.
    Overdue,
}

impl ReviewState {
    /// The state of a review date on `today`.
    pub fn of(review_by: time::Date, today: time::Date) -> ReviewState {
        let days = (review_by - today).whole_days();
        if days < 0 {
            ReviewState::Overdue
        } else if days <= REVIEW_WARNING_DAYS {
            ReviewState::DueSoon
        } else {
            ReviewState::Current
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_life_of_an_entry() {
        use EntryCommand as C;
        use EntryStatus as S;
        assert_eq!(S::Draft.apply(C::Submit), Ok(S::AwaitingApproval));
        assert_eq!(S::Published.apply(C::Edit), Ok(S::Draft));
        assert_eq!(
            S::Archived.apply(C::Edit).map_err(|e| e.from),
            Err(S::Archived)
        );
        assert_eq!(S::AwaitingApproval.apply(C::Approve), Ok(S::Published));
        assert_eq!(S::AwaitingApproval.apply(C::Reject), Ok(S::Draft));
        assert_eq!(S::Published.apply(C::Archive), Ok(S::Archived));
        assert_eq!(S::Archived.apply(C::Restore), Ok(S::Draft));
        let e = S::Draft.apply(C::Approve).unwrap_err();
        assert_eq!(
            e.to_string(),
            "You cannot approve an entry that is draft. From there you can: edit, submit, archive"
        );
        // Every status and command: allowed() says exactly which apply.
        for s in EntryStatus::ALL {
            for c in EntryCommand::ALL {
                assert_eq!(s.apply(*c).is_ok(), s.allowed().contains(c), "{s:?} {c:?}");
            }
        }
    }

    #[test]
    fn catchments_and_levels() {
        assert!(Catchment::CityWide.covers(None));
        let c = Catchment::Localities(vec![1, 3]);
        assert!(c.covers(Some(3)));
        assert!(!c.covers(Some(2)));
        assert!(!c.covers(None));
        let x = Extras {
            levels: vec![2, 3],
            ..Extras::default()
        };
        assert!(x.serves_level(2));
        assert!(!x.serves_level(4));
        assert!(Extras::default().serves_level(4));
        let bad = Extras {
            levels: vec![5],
            catchment: Catchment::Localities(vec![]),
            ..Extras::default()
        };
        assert_eq!(bad.problems().len(), 2);
    }

    #[test]
    fn review_dates() {
        let d = time::macros::date!(2026 - 12 - 02);
        assert_eq!(
            ReviewState::of(time::macros::date!(2026 - 12 - 01), d),
            ReviewState::Overdue
        );
        assert_eq!(
            ReviewState::of(time::macros::date!(2026 - 12 - 20), d),
            ReviewState::DueSoon
        );
        assert_eq!(
            ReviewState::of(time::macros::date!(2027 - 03 - 01), d),
            ReviewState::Current
        );
    }
}
