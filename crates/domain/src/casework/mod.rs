//! Integrated processes, from a request for support to closure: the needs seen, the level of
//! need decided at the locality's front door, the route chosen, the lead professional and team
//! around the child, step-up and step-down, and closure with an outcome.
//!
//! A request's life is a state machine ([`Episode::apply`]): every command is checked against
//! the state it meets, and one that does not fit is refused naming the commands that would.
//! Level changes are never overwritten: each one is kept with its reason.

use crate::FieldError;
use serde::{Deserialize, Serialize};

mod assessment;
mod consent;
mod group;
mod plan;
pub mod referral;

pub use assessment::{assessment_elements, AssessmentContent, AssessmentStatus, Element};
pub use consent::ConsentScope;
pub use group::{parse_team_role, GroupTeamKind, NewGroupTeam, GROUP_TEXT_MAX};
pub use plan::{next_review, NewAction, NewMeeting, DEFAULT_REVIEW_WEEKS};

vocabulary! {
    /// Level of need (the vulnerability matrix): children move between levels.
    Level, "level", "a level of need" {
        /// Needs met by universal services.
        Universal = ("1", "Level 1: universal"),
        /// Vulnerable: additional needs met by targeted early help (about a third of children).
        Targeted = ("2", "Level 2: additional needs (targeted early help)"),
        /// Children in need: complex needs calling for a co-ordinated multi-agency response.
        Complex = ("3", "Level 3: complex needs (children in need)"),
        /// Specialist: child protection, looked after (under 1%).
        Specialist = ("4", "Level 4: specialist (children's social care)"),
    }
}

impl Level {
    /// 1 to 4.
    pub fn number(self) -> u8 {
        match self {
            Level::Universal => 1,
            Level::Targeted => 2,
            Level::Complex => 3,
            Level::Specialist => 4,
        }
    }

    /// The threshold descriptor a front-door decision is made against.
    pub fn descriptor(self) -> &'static str {
        match self {
            Level::Universal => "The child's needs are met by universal services (school, GP, health visiting, children's centres); no further co-ordination is needed.",
            Level::Targeted => "The child has additional needs that one or two services working together can meet; an early help assessment may help to agree what they are.",
            Level::Complex => "The child has complex or multiple needs that call for several agencies co-ordinated by a lead professional, with a team around the child.",
            Level::Specialist => "The child is at risk of significant harm or cannot stay at home: children's social care leads (child protection, looked after).",
        }
    }
}

vocabulary! {
    /// What a request for support says the child or family needs: the three domains of the
    /// Common Assessment Framework and the local issues and groups found by mapping.
    Need, "needs", "a need" {
        /// Development: health.
        Health = ("dev_health", "Health"),
        /// Development: learning and education.
        Learning = ("dev_learning", "Learning and education"),
        /// Development: emotional and social development.
        Emotional = ("dev_emotional", "Emotional and social development"),
        /// Development: behavioural development.
        Behaviour = ("dev_behaviour", "Behaviour"),
        /// Development: identity, self-esteem and self-care.
        Identity = ("dev_identity", "Identity, self-esteem and self-care"),
        /// Development: family and social relationships.
        Relationships = ("dev_relationships", "Family and social relationships"),
        /// Parents and carers: basic care, safety and protection.
        BasicCare = ("parent_care", "Basic care, safety and protection"),
        /// Parents and carers: emotional warmth and stability.
        Warmth = ("parent_warmth", "Emotional warmth and stability"),
        /// Parents and carers: guidance, boundaries and stimulation.
        Guidance = ("parent_guidance", "Guidance, boundaries and stimulation"),
        /// Family and environment: family history, functioning and wider family.
        FamilyFunctioning = ("family_functioning", "Family functioning and wider family"),
        /// Family and environment: housing, employment and income.
        Housing = ("family_housing", "Housing, employment and income"),
        /// Family and environment: social and community resources.
        Community = ("family_community", "Social and community resources"),
        /// Local issue: domestic abuse.
        DomesticAbuse = ("issue_domestic_abuse", "Domestic abuse"),
        /// Local issue: parental drug or alcohol misuse.
        ParentalSubstance = ("issue_parental_substance", "Parental drug or alcohol misuse"),
        /// Local issue: parental mental ill-health.
        ParentalMentalHealth = ("issue_parental_mental_health", "Parental mental ill-health"),
        /// Local issue: insecure accommodation.
        InsecureHousing = ("issue_insecure_housing", "Insecure accommodation"),
        /// Local issue: inconsistent parenting.
        InconsistentParenting = ("issue_inconsistent_parenting", "Inconsistent parenting"),
        /// Local issue: isolation.
        Isolation = ("issue_isolation", "Isolation"),
        /// Group: young carer.
        YoungCarer = ("group_young_carer", "Young carer"),
        /// Group: teenage parent.
        TeenageParent = ("group_teenage_parent", "Teenage parent"),
        /// Group: new arrival or migrant family.
        NewArrival = ("group_new_arrival", "New arrival or migrant family"),
        /// Group: travelling family.
        Travelling = ("group_travelling", "Travelling family"),
        /// Group: mild to moderate learning disability.
        LearningDisability = ("group_learning_disability", "Mild to moderate learning disability"),
        /// Group: not ready for school.
        NotReadyForSchool = ("group_not_school_ready", "Not ready for school"),
    }
}

impl Need {
    /// The heading a need is listed under.
    pub fn domain(self) -> &'static str {
        match self.as_str().split('_').next() {
            Some("dev") => "The child's development",
            Some("parent") => "Parents and carers",
            Some("family") => "Family and environment",
            Some("issue") => "Issues in the family",
            _ => "Groups",
        }
    }

    /// Parse a list of stored forms; at least one is required.
    pub fn parse_list<'a>(
        values: impl IntoIterator<Item = &'a str>,
    ) -> Result<Vec<Need>, FieldError> {
        let mut out = Vec::new();
        for v in values {
            let n = Need::parse(v)?;
            if !out.contains(&n) {
                out.push(n);
            }
        }
        if out.is_empty() {
            return Err(FieldError::new(
                "needs",
                "Choose at least one need you have seen",
            ));
        }
        Ok(out)
    }
}

vocabulary! {
    /// What consent is given for.
    ConsentPurpose, "consent", "what the family agrees to" {
        /// Sharing the request and assessment with the agencies in the team around the child.
        Share = ("share", "Share this request and the assessment with the agencies that will help"),
        /// An early help assessment.
        Assess = ("assess", "An early help assessment with the family"),
        /// Referral to a service.
        Refer = ("refer", "Referral to services that could help"),
    }
}

vocabulary! {
    /// The route a front-door decision chooses.
    Route, "route", "a route" {
        /// Information and signposting; the request closes.
        Signpost = ("signpost", "Information and signposting"),
        /// An early help assessment with a lead professional and a team around the child.
        EarlyHelp = ("early_help", "Early help assessment with a lead professional"),
        /// Referral to a service.
        Service = ("service", "Referral to a service"),
        /// Step up to children's social care.
        SocialCare = ("social_care", "Step up to children's social care"),
    }
}

vocabulary! {
    /// What children's social care decided about a child stepped up to it (the outcome of the
    /// referral the front door made).
    SocialCareOutcome, "social_care_outcome", "what children's social care decided" {
        /// Accepted for a child and family assessment as a child in need (Children Act 1989 s17).
        Assessment = ("assessment", "Accepted for a child and family assessment (section 17)"),
        /// A child protection enquiry (s47).
        ChildProtection = ("child_protection", "Child protection enquiry (section 47)"),
        /// The child became looked after.
        LookedAfter = ("looked_after", "The child became looked after"),
        /// No further action by social care: stepped down to early help at level 3.
        NoFurtherAction = ("no_further_action", "No further action: stepped down to early help"),
    }
}

vocabulary! {
    /// Why a request closes.
    ClosureReason, "closure_reason", "why the request closes" {
        /// The needs are met.
        NeedsMet = ("needs_met", "Needs met"),
        /// Children's social care now leads.
        SteppedUp = ("stepped_up", "Stepped up to children's social care"),
        /// Universal services can meet the needs now.
        SteppedDown = ("stepped_down", "Stepped down to universal services"),
        /// The family moved out of the area.
        MovedAway = ("moved_away", "Moved away"),
        /// The family stopped taking part.
        Disengaged = ("disengaged", "The family stopped taking part"),
        /// Consent was withdrawn.
        ConsentWithdrawn = ("consent_withdrawn", "Consent withdrawn"),
    }
}

vocabulary! {
    /// How things stand for the child at closure, compared with the request.
    Outcome, "outcome", "how things are for the child" {
        /// Better.
        Better = ("better", "Better"),
        /// The same.
        Same = ("same", "The same"),
        /// Worse.
        Worse = ("worse", "Worse"),
    }
}

/// Where a request is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Waiting at the locality's front door.
    AwaitingDecision,
    /// Early help agreed; no lead professional yet.
    AwaitingLead,
    /// A lead professional co-ordinates a team around the child.
    TeamAroundChild,
    /// Referred to a service.
    WithService,
    /// Children's social care leads.
    SocialCare,
    /// Closed.
    Closed,
}

impl Status {
    /// Every status.
    pub const ALL: [Status; 6] = [
        Status::AwaitingDecision,
        Status::AwaitingLead,
        Status::TeamAroundChild,
        Status::WithService,
        Status::SocialCare,
        Status::Closed,
    ];

    /// Stored form.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::AwaitingDecision => "awaiting_decision",
            Status::AwaitingLead => "awaiting_lead",
            Status::TeamAroundChild => "team_around_child",
            Status::WithService => "with_service",
            Status::SocialCare => "social_care",
            Status::Closed => "closed",
        }
    }

    /// Words for people.
    pub fn label(self) -> &'static str {
        match self {
            Status::AwaitingDecision => "Waiting for the front door",
            Status::AwaitingLead => "Needs a lead professional",
            Status::TeamAroundChild => "Team around the child",
            Status::WithService => "Referred to a service",
            Status::SocialCare => "Children's social care",
            Status::Closed => "Closed",
        }
    }

    /// Parse the stored form.
    pub fn parse(s: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|x| x.as_str() == s)
    }

    /// Whether the request is still open.
    pub fn is_open(self) -> bool {
        self != Status::Closed
    }
}

/// Something a person asks to do to a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// The front door's decision: a level against the threshold descriptors, a route and why.
    Decide {
        /// Level of need.
        level: Level,
        /// Route.
        route: Route,
        /// Why (required).
        rationale: String,
    },
    /// Make this practitioner the lead professional (again a handover if there was one).
    AppointLead {
        /// The practitioner's user id.
        user: i64,
    },
    /// Move to another level, with the reason.
    ChangeLevel {
        /// The new level.
        level: Level,
        /// Why (required).
        reason: String,
    },
    /// Record what children's social care decided about the step-up.
    SocialCareOutcome {
        /// The decision.
        outcome: SocialCareOutcome,
        /// What social care said (required).
        note: String,
    },
    /// Close with how things are for the child.
    Close {
        /// Outcome.
        outcome: Outcome,
        /// What happened (required).
        summary: String,
        /// Why it closes.
        reason: ClosureReason,
        /// How things are for each need of the request.
        need_outcomes: Vec<(Need, Outcome)>,
        /// What the family says (optional).
        feedback: String,
    },
}

impl Command {
    /// The command's name, as listed in errors.
    pub fn name(&self) -> &'static str {
        match self {
            Command::Decide { .. } => "decide",
            Command::AppointLead { .. } => "appoint a lead professional",
            Command::ChangeLevel { .. } => "change the level",
            Command::SocialCareOutcome { .. } => "record the social care outcome",
            Command::Close { .. } => "close",
        }
    }
}

/// How a level changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LevelChangeKind {
    /// The front door's first decision.
    Initial,
    /// Up a level or more.
    StepUp,
    /// Down a level or more.
    StepDown,
}

impl LevelChangeKind {
    /// Stored form.
    pub fn as_str(self) -> &'static str {
        match self {
            LevelChangeKind::Initial => "initial",
            LevelChangeKind::StepUp => "step_up",
            LevelChangeKind::StepDown => "step_down",
        }
    }
}

/// What an accepted command did, for the store to record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Effect {
    /// The status after the command.
    pub status: Status,
    /// A level change to keep in the history, if any.
    pub level_change: Option<(Option<Level>, Level, LevelChangeKind)>,
    /// The lead professional who handed over, if the lead changed.
    pub handed_over_by: Option<i64>,
}

/// A command that does not fit the request's state, or is incomplete.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CaseError {
    /// The command is not allowed in this state.
    #[error("A request that is '{}' cannot {command}. You can: {}", state.label(), allowed.join(", "))]
    NotAllowed {
        /// The state it met.
        state: Status,
        /// The command.
        command: &'static str,
        /// What is allowed instead.
        allowed: Vec<&'static str>,
    },
    /// A field is missing or wrong.
    #[error(transparent)]
    Field(#[from] FieldError),
}

/// The state of a request that commands are checked against.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Episode {
    /// Where it is.
    pub status: Status,
    /// The level of need, once decided.
    pub level: Option<Level>,
    /// The current lead professional's user id.
    pub lead: Option<i64>,
}

impl Default for Episode {
    fn default() -> Self {
        Self::new()
    }
}

fn required(field: &'static str, text: &str, what: &str) -> Result<(), FieldError> {
    let t = text.trim();
    if t.is_empty() {
        return Err(FieldError::new(field, format!("Enter {what}")));
    }
    if t.chars().count() > 4000 {
        return Err(FieldError::new(
            field,
            format!("{} must be 4,000 characters or fewer", capitalise(what)),
        ));
    }
    Ok(())
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

impl Episode {
    /// A request just made.
    pub fn new() -> Self {
        Self {
            status: Status::AwaitingDecision,
            level: None,
            lead: None,
        }
    }

    /// The commands this state accepts.
    pub fn allowed(&self) -> Vec<&'static str> {
        match self.status {
            Status::AwaitingDecision => vec!["decide"],
            Status::AwaitingLead | Status::TeamAroundChild | Status::WithService => {
                vec!["appoint a lead professional", "change the level", "close"]
            }
            Status::SocialCare => vec![
                "record the social care outcome",
                "change the level",
                "close",
            ],
            Status::Closed => vec![],
        }
    }

    /// The status a route leads to.
    fn status_for(route: Route, lead: Option<i64>) -> Status {
        match route {
            Route::Signpost => Status::Closed,
            Route::EarlyHelp if lead.is_some() => Status::TeamAroundChild,
            Route::EarlyHelp => Status::AwaitingLead,
            Route::Service => Status::WithService,
            Route::SocialCare => Status::SocialCare,
        }
    }

    /// Check `cmd` against this state and, if it fits, apply it and say what it did.
    pub fn apply(&mut self, cmd: &Command) -> Result<Effect, CaseError> {
        let refuse = |s: &Episode| CaseError::NotAllowed {
            state: s.status,
            command: cmd.name(),
            allowed: s.allowed(),
        };
        if !self.allowed().contains(&cmd.name()) {
            return Err(refuse(self));
        }
        let mut effect = Effect {
            status: self.status,
            level_change: None,
            handed_over_by: None,
        };
        match cmd {
            Command::Decide {
                level,
                route,
                rationale,
            } => {
                required("rationale", rationale, "why this level and route")?;
                if *route == Route::SocialCare && *level != Level::Specialist {
                    return Err(FieldError::new(
                        "level",
                        "A step-up to children's social care is level 4: choose level 4 or another route",
                    )
                    .into());
                }
                if *level == Level::Specialist && *route != Route::SocialCare {
                    return Err(FieldError::new(
                        "route",
                        "Level 4 needs are met by children's social care: choose the step-up route",
                    )
                    .into());
                }
                effect.level_change = Some((None, *level, LevelChangeKind::Initial));
                self.level = Some(*level);
                self.status = Self::status_for(*route, self.lead);
            }
            Command::AppointLead { user } => {
                if self.lead == Some(*user) {
                    return Err(FieldError::new(
                        "lead",
                        "This practitioner is already the lead professional",
                    )
                    .into());
                }
                effect.handed_over_by = self.lead;
                self.lead = Some(*user);
                if self.status == Status::AwaitingLead {
                    self.status = Status::TeamAroundChild;
                }
            }
            Command::ChangeLevel { level, reason } => {
                required("reason", reason, "the reason for the change")?;
                let from = self.level;
                if from == Some(*level) {
                    return Err(FieldError::new(
                        "level",
                        "Choose a level other than the current one",
                    )
                    .into());
                }
                let up = from.is_none_or(|f| level.number() > f.number());
                effect.level_change = Some((
                    from,
                    *level,
                    if up {
                        LevelChangeKind::StepUp
                    } else {
                        LevelChangeKind::StepDown
                    },
                ));
                self.level = Some(*level);
                self.status = match (*level, self.status) {
                    (Level::Specialist, _) => Status::SocialCare,
                    // Stepping down from social care: early help continues it.
                    (_, Status::SocialCare) if self.lead.is_some() => Status::TeamAroundChild,
                    (_, Status::SocialCare) => Status::AwaitingLead,
                    (_, s) => s,
                };
            }
            Command::SocialCareOutcome { outcome, note } => {
                required("social_care_note", note, "what children's social care said")?;
                if *outcome == SocialCareOutcome::NoFurtherAction {
                    // Social care steps back: early help at level 3 picks the child up again.
                    effect.level_change =
                        Some((self.level, Level::Complex, LevelChangeKind::StepDown));
                    self.level = Some(Level::Complex);
                    self.status = if self.lead.is_some() {
                        Status::TeamAroundChild
                    } else {
                        Status::AwaitingLead
                    };
                }
            }
            Command::Close {
                summary, feedback, ..
            } => {
                required("summary", summary, "what happened")?;
                if feedback.chars().count() > 4000 {
                    return Err(
                        FieldError::new("feedback", "Write 4,000 characters or fewer").into(),
                    );
                }
                self.status = Status::Closed;
            }
        }
        effect.status = self.status;
        Ok(effect)
    }

    /// The rules every reachable state keeps (checked by the property tests).
    pub fn invariant(&self) -> Result<(), String> {
        match self.status {
            Status::AwaitingDecision if self.level.is_some() || self.lead.is_some() => {
                Err("undecided with a level or lead".into())
            }
            Status::TeamAroundChild if self.lead.is_none() => {
                Err("team around the child without a lead professional".into())
            }
            Status::AwaitingLead if self.lead.is_some() => {
                Err("awaiting a lead but has one".into())
            }
            Status::SocialCare if self.level != Some(Level::Specialist) => {
                Err("with social care below level 4".into())
            }
            Status::AwaitingLead | Status::TeamAroundChild | Status::WithService
                if self.level.is_none() || self.level == Some(Level::Specialist) =>
            {
                Err("early help or service without a level below 4".into())
            }
            _ => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decide(level: Level, route: Route) -> Command {
        Command::Decide {
            level,
            route,
            rationale: "Seen at school and at home".into(),
        }
    }

    #[test]
    fn a_request_goes_from_the_front_door_to_a_team_and_closes() {
        let mut e = Episode::new();
        let fx = e.apply(&decide(Level::Complex, Route::EarlyHelp)).unwrap();
        assert_eq!(fx.status, Status::AwaitingLead);
        assert_eq!(
            fx.level_change,
            Some((None, Level::Complex, LevelChangeKind::Initial))
        );
        assert_eq!(
            e.apply(&Command::AppointLead { user: 7 }).unwrap().status,
            Status::TeamAroundChild
        );
        let fx = e.apply(&Command::AppointLead { user: 8 }).unwrap();
        assert_eq!(fx.handed_over_by, Some(7));
        let fx = e
            .apply(&Command::ChangeLevel {
                level: Level::Specialist,
                reason: "Disclosure at school".into(),
            })
            .unwrap();
        assert_eq!(fx.status, Status::SocialCare);
        assert_eq!(
            fx.level_change,
            Some((
                Some(Level::Complex),
                Level::Specialist,
                LevelChangeKind::StepUp
            ))
        );
        let fx = e
            .apply(&Command::ChangeLevel {
                level: Level::Targeted,
                reason: "Plan ended".into(),
            })
            .unwrap();
        assert_eq!(fx.status, Status::TeamAroundChild, "the lead continues");
        assert_eq!(fx.level_change.unwrap().2, LevelChangeKind::StepDown);
        e.apply(&Command::Close {
            outcome: Outcome::Better,
            summary: "Attendance back to 96%".into(),
            reason: ClosureReason::NeedsMet,
            need_outcomes: vec![(Need::Learning, Outcome::Better)],
            feedback: String::new(),
        })
        .unwrap();
        assert_eq!(e.status, Status::Closed);
    }

    #[test]
    fn commands_that_do_not_fit_are_refused_naming_what_would() {
        let mut e = Episode::new();
        let err = e.apply(&Command::AppointLead { user: 1 }).unwrap_err();
        assert_eq!(
            err.to_string(),
            "A request that is 'Waiting for the front door' cannot appoint a lead professional. You can: decide"
        );
        assert_eq!(e, Episode::new(), "nothing changed");
        e.apply(&decide(Level::Universal, Route::Signpost)).unwrap();
        assert_eq!(e.status, Status::Closed);
        let err = e
            .apply(&decide(Level::Targeted, Route::Service))
            .unwrap_err();
        assert!(matches!(err, CaseError::NotAllowed { ref allowed, .. } if allowed.is_empty()));
    }

    #[test]
    fn incomplete_or_inconsistent_commands_are_refused_with_the_field() {
        let mut e = Episode::new();
        let blank = Command::Decide {
            level: Level::Targeted,
            route: Route::Service,
            rationale: "  ".into(),
        };
        assert!(matches!(e.apply(&blank), Err(CaseError::Field(f)) if f.field == "rationale"));
        assert!(
            matches!(e.apply(&decide(Level::Targeted, Route::SocialCare)), Err(CaseError::Field(f)) if f.field == "level")
        );
        assert!(
            matches!(e.apply(&decide(Level::Specialist, Route::EarlyHelp)), Err(CaseError::Field(f)) if f.field == "route")
        );
        assert_eq!(e, Episode::new());
        e.apply(&decide(Level::Targeted, Route::Service)).unwrap();
        let same = Command::ChangeLevel {
            level: Level::Targeted,
            reason: "x".into(),
        };
        assert!(matches!(e.apply(&same), Err(CaseError::Field(f)) if f.field == "level"));
        assert!(Need::parse_list([]).is_err());
        assert_eq!(
            Need::parse_list(["issue_domestic_abuse", "issue_domestic_abuse"]).unwrap(),
            vec![Need::DomesticAbuse]
        );
        assert_eq!(Need::parse_list(["x"]).unwrap_err().field, "needs");
    }

    /// A small deterministic generator (no I/O, no dependency): xorshift.
    struct Gen(u64);
    impl Gen {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }
        fn pick<T: Copy>(&mut self, xs: &[T]) -> T {
            xs[(self.next() % xs.len() as u64) as usize]
        }
        fn command(&mut self) -> Command {
            let text = self
                .pick(&["", " ", "Because", "Reviewed at the team meeting"])
                .to_owned();
            match self.next() % 5 {
                0 => Command::Decide {
                    level: self.pick(Level::ALL),
                    route: self.pick(Route::ALL),
                    rationale: text,
                },
                4 => Command::SocialCareOutcome {
                    outcome: self.pick(SocialCareOutcome::ALL),
                    note: text,
                },
                1 => Command::AppointLead {
                    user: (self.next() % 3) as i64,
                },
                2 => Command::ChangeLevel {
                    level: self.pick(Level::ALL),
                    reason: text,
                },
                _ => Command::Close {
                    outcome: self.pick(Outcome::ALL),
                    summary: text,
                    reason: self.pick(ClosureReason::ALL),
                    need_outcomes: Vec::new(),
                    feedback: String::new(),
                },
            }
        }
    }

    #[test]
    fn social_care_records_its_decision_and_no_further_action_steps_down_to_early_help() {
        let mut e = Episode::new();
        e.apply(&decide(Level::Specialist, Route::SocialCare))
            .unwrap();
        let cp = Command::SocialCareOutcome {
            outcome: SocialCareOutcome::ChildProtection,
            note: "Section 47 enquiry opened".into(),
        };
        let fx = e.apply(&cp).unwrap();
        assert_eq!((fx.status, fx.level_change), (Status::SocialCare, None));
        let empty = Command::SocialCareOutcome {
            outcome: SocialCareOutcome::Assessment,
            note: " ".into(),
        };
        assert!(
            matches!(e.apply(&empty), Err(CaseError::Field(f)) if f.field == "social_care_note")
        );
        let nfa = Command::SocialCareOutcome {
            outcome: SocialCareOutcome::NoFurtherAction,
            note: "Needs can be met by early help".into(),
        };
        let fx = e.apply(&nfa).unwrap();
        assert_eq!(fx.status, Status::AwaitingLead);
        assert_eq!(
            fx.level_change,
            Some((
                Some(Level::Specialist),
                Level::Complex,
                LevelChangeKind::StepDown
            ))
        );
        // Only a request with social care takes it.
        assert!(e.apply(&cp).is_err());
    }

    #[test]
    fn no_sequence_of_commands_reaches_an_invalid_state() {
        let mut g = Gen(0x9e37_79b9_7f4a_7c15);
        let mut seen = std::collections::HashSet::new();
        for _ in 0..20_000 {
            let mut e = Episode::new();
            for _ in 0..12 {
                let before = e.clone();
                match e.apply(&g.command()) {
                    Ok(fx) => {
                        assert_eq!(fx.status, e.status);
                        if let Some((from, to, _)) = fx.level_change {
                            assert_eq!(from, before.level);
                            assert_eq!(Some(to), e.level);
                        }
                    }
                    Err(_) => assert_eq!(e, before, "a refused command changes nothing"),
                }
                e.invariant().unwrap_or_else(|m| panic!("{m}: {e:?}"));
                seen.insert(e.status);
            }
        }
        assert_eq!(
            seen.len(),
            Status::ALL.len(),
            "every state is reached: {seen:?}"
        );
    }
}
