//! Casework for the demo: children known to the demo practitioners in West and Central
//! Leicester, with requests for support at every stage — waiting at the front door, decided at
//! each level, with a lead professional and team, assessments, action plans, a referral to the
//! panel, step-ups and closures. Every step is taken as the demo user who would take it, through
//! the same permits and store calls as the pages, so it is audited as theirs.

use crate::{Result, SignIn};
use everychild_domain::casework::{
    AssessmentContent, ClosureReason, Command, ConsentPurpose, Element, Level, Need, NewAction,
    NewMeeting, Outcome, Route,
};
use everychild_domain::{AgencyType, OrganisationId, Role};
use everychild_policy::{self as policy, authorize, Actor, Basis, Permit, Principal, Target};
use everychild_store::prelude::*;
use everychild_store::{NewInvolvement, NewPerson, NewRequest, SqlStore};
use rand::seq::SliceRandom;
use rand::Rng;

/// A demo user the casework acts as.
#[derive(Debug, Clone)]
pub struct Worker {
    /// Who they are, as the policy sees them.
    pub actor: Actor,
    /// Their involvement role with a child (stored form), for practitioners.
    pub involvement_role: &'static str,
}

impl Worker {
    /// A demo sign-in as an actor.
    pub fn new(
        s: &SignIn,
        organisation_id: OrganisationId,
        agency_type: AgencyType,
        localities: Vec<i64>,
        involvement_role: &'static str,
    ) -> Self {
        Worker {
            actor: Actor {
                user_id: s.id,
                username: s.username.to_owned(),
                display_name: s.name.clone(),
                role: s.role,
                organisation_id,
                organisation_name: s.organisation.to_owned(),
                agency_type,
                localities,
                totp_enabled: false,
                must_change_password: false,
                token: None,
            },
            involvement_role,
        }
    }

    /// A permit for this user.
    pub fn permit<C: policy::Capability>(
        &self,
        target: Target,
        purpose: &str,
    ) -> Result<Permit<C>> {
        Ok(authorize::<C>(
            &Principal::User(self.actor.clone()),
            target,
            Some(purpose),
        )?)
    }
}

/// What the casework made.
#[derive(Debug, Clone, Default)]
pub struct Report {
    /// Children registered by practitioners.
    pub children: usize,
    /// Requests for support.
    pub requests: usize,
}

const ROUTINE_NEEDS: &[Need] = &[
    Need::Health,
    Need::Learning,
    Need::Emotional,
    Need::Behaviour,
    Need::BasicCare,
    Need::Guidance,
    Need::Housing,
    Need::DomesticAbuse,
    Need::ParentalMentalHealth,
    Need::ParentalSubstance,
    Need::InconsistentParenting,
    Need::Isolation,
    Need::YoungCarer,
    Need::NewArrival,
    Need::NotReadyForSchool,
];

const CONCERNS: &[&str] = &[
    "Often late and tired; mum says mornings are hard since the baby arrived",
    "Attendance has fallen to 82% this term and he is withdrawn in class",
    "Family moved into temporary accommodation; the children share one room",
    "Police attended a domestic incident at the home last week",
    "Dad has told us he is struggling with his mental health and drinking more",
    "New to the country and not yet registered with a GP; little English at home",
    "Caring for her mother after school most days; homework not done",
    "Speech and play behind what we would expect; not ready for nursery",
];

/// Build the casework for one locality: `children` children known to `practitioners`, with
/// requests decided at the locality's front door by `manager`.
pub async fn build(
    store: &SqlStore,
    locality: i64,
    postcodes: &[String],
    manager: &Worker,
    practitioners: &[Worker],
    children: usize,
    seed: u64,
) -> Result<Report> {
    let mut rng = everychild_synth::stream(seed, &format!("casework-{locality}"));
    // Dates follow the store's clock, so a demo built on any day looks current.
    let today = store.today_date();
    let since = (today - time::Duration::days(60)).to_string();
    let mut report = Report::default();
    if postcodes.is_empty() || practitioners.is_empty() {
        return Ok(report);
    }
    for i in 0..children {
        let who = &practitioners[i % practitioners.len()];
        // The child, registered by the practitioner who knows them.
        let name = everychild_synth::staff::full_name(&mut rng);
        let (given, family) = name.split_once(' ').unwrap_or((name.as_str(), "Smith"));
        let age: i64 = rng.gen_range(1..17);
        let dob = format!(
            "{}-{:02}-{:02}",
            today.year() - age as i32,
            rng.gen_range(1..13),
            rng.gen_range(1..29)
        );
        let postcode = postcodes.choose(&mut rng).cloned();
        let child = store
            .register_child(
                &who.permit::<policy::DeclareInvolvement>(
                    Target::None,
                    "register a child I work with",
                )?,
                NewPerson {
                    kind: "child".into(),
                    given_name: given.to_owned(),
                    family_name: family.to_owned(),
                    date_of_birth: Some(dob),
                    sex: if rng.gen_bool(0.5) { "female" } else { "male" }.into(),
                    nhs_number_status: "none".into(),
                    send_status: "none".into(),
                    address: Some(format!("{} Demo Street", rng.gen_range(1..120))),
                    postcode,
                    ..Default::default()
                },
                NewInvolvement {
                    role: who.involvement_role.into(),
                    team: None,
                    since: since.clone(),
                    contact: Some("Through the office".into()),
                },
            )
            .await?;
        report.children += 1;
        // Most children known to a practitioner need nothing more.
        if rng.gen_bool(0.35) {
            continue;
        }
        let on_child = |basis| Target::Child { id: child, basis };
        let how_many = rng.gen_range(1..4);
        let mut needs: Vec<Need> = ROUTINE_NEEDS
            .choose_multiple(&mut rng, how_many)
            .copied()
            .collect();
        needs.sort_by_key(|n| n.as_str());
        let request = store
            .make_request(
                &who.permit::<policy::RequestSupport>(
                    on_child(Basis::Involved),
                    "ask for support",
                )?,
                NewRequest {
                    concern: CONCERNS
                        .choose(&mut rng)
                        .copied()
                        .unwrap_or("Concerns")
                        .to_owned(),
                    needs: needs.clone(),
                    service_asked: rng
                        .gen_bool(0.5)
                        .then(|| "Family support worker".to_owned()),
                    family_words: rng
                        .gen_bool(0.5)
                        .then(|| "We would like some help, things have been hard".to_owned()),
                    consents: vec![ConsentPurpose::Share, ConsentPurpose::Assess],
                    consent_given_by: Some("The child's mother".into()),
                    locality: Some(locality),
                },
            )
            .await?;
        report.requests += 1;
        // A fifth wait at the front door.
        if rng.gen_bool(0.2) {
            continue;
        }
        let roll: f64 = rng.gen();
        let (level, route) = if roll < 0.08 {
            (Level::Specialist, Route::SocialCare)
        } else if roll < 0.28 {
            (Level::Complex, Route::EarlyHelp)
        } else if roll < 0.45 {
            (Level::Targeted, Route::Signpost)
        } else if roll < 0.6 {
            (Level::Targeted, Route::Service)
        } else {
            (Level::Targeted, Route::EarlyHelp)
        };
        let mut version = 1;
        store
            .decide_request(
                &manager
                    .permit::<policy::DecideRequest>(Target::Locality(locality), "front door")?,
                request,
                version,
                Command::Decide {
                    level,
                    route,
                    rationale: format!("{} against the threshold descriptors", level.label()),
                },
            )
            .await?;
        version += 1;
        if route != Route::EarlyHelp {
            continue;
        }
        // Early help: a tenth still wait for a lead professional; the rest have one.
        if rng.gen_bool(0.1) {
            continue;
        }
        let as_manager =
            manager.permit::<policy::ManageRequest>(on_child(Basis::Locality), "run the team")?;
        store
            .manage_request(
                &as_manager,
                request,
                version,
                Command::AppointLead {
                    user: who.actor.user_id.0,
                },
                None,
            )
            .await?;
        version += 1;
        let lead = who.permit::<policy::ManageRequest>(
            on_child(Basis::LeadProfessional),
            "run the team around the child",
        )?;
        let other = &practitioners[(i + 1) % practitioners.len()];
        if other.actor.user_id != who.actor.user_id {
            store
                .add_to_team(
                    &lead,
                    request,
                    other.actor.user_id.0,
                    other.involvement_role,
                )
                .await?;
            version += 1;
        }
        store
            .add_action(
                &lead,
                request,
                &NewAction {
                    description: "Meet the family at home and agree the plan".into(),
                    owner: who.actor.user_id.0,
                    due: today + time::Duration::days(rng.gen_range(7..30)),
                },
            )
            .await?;
        store
            .add_meeting(
                &lead,
                request,
                &NewMeeting {
                    held_on: today,
                    attendees: "Parent, lead professional, team".into(),
                    decisions: "Plan agreed; review in six weeks".into(),
                    is_review: true,
                },
            )
            .await?;
        if rng.gen_bool(0.6) {
            let done = rng.gen_bool(0.7).then_some(true);
            assess(store, &lead, request, done).await?;
        }
        let end: f64 = rng.gen();
        if end < 0.1 {
            store
                .refer_to_panel(&lead, request, "The team disagrees about the level of need")
                .await?;
        } else if end < 0.2 {
            store
                .manage_request(
                    &lead,
                    request,
                    version,
                    Command::ChangeLevel {
                        level: Level::Specialist,
                        reason: "A disclosure at school: section 47 enquiry".into(),
                    },
                    None,
                )
                .await?;
        } else if end < 0.45 {
            store
                .manage_request(
                    &lead,
                    request,
                    version,
                    Command::Close {
                        outcome: Outcome::Better,
                        summary: "Plan completed; the family manages well now".into(),
                        reason: ClosureReason::NeedsMet,
                        need_outcomes: needs.iter().map(|n| (*n, Outcome::Better)).collect(),
                        feedback: "The help in the mornings made the difference".into(),
                    },
                    None,
                )
                .await?;
        }
    }
    Ok(report)
}

/// The lead professional writes an early help assessment; `done` completes it and, if true,
/// shares it too (`None` leaves a draft).
pub async fn assess(
    store: &SqlStore,
    lead: &Permit<policy::ManageRequest>,
    request: i64,
    done: Option<bool>,
) -> Result<()> {
    let mut content = AssessmentContent {
        summary: "Support at home and at school; review in six weeks".into(),
        family_words: "We want things to be calmer at home".into(),
        ..AssessmentContent::default()
    };
    for (code, text, is_need) in [
        ("dev_health", "Healthy and active", false),
        ("parent_warmth", "Warm and keen for help", false),
        ("family_housing", "Overcrowded, waiting for a move", true),
    ] {
        content.elements.insert(
            code.into(),
            Element {
                strengths: text.into(),
                needs: String::new(),
                is_need,
            },
        );
    }
    store.save_assessment(lead, request, 0, &content).await?;
    if let Some(share) = done {
        store.advance_assessment(lead, request, 1, false).await?;
        if share {
            store.advance_assessment(lead, request, 2, true).await?;
        }
    }
    Ok(())
}

/// The involvement role a demo practitioner has with the children they know.
pub fn involvement_role(role: Role, agency: AgencyType) -> &'static str {
    match (role, agency) {
        (Role::Practitioner, AgencyType::Health) => "health_visitor",
        (Role::Practitioner, AgencyType::Education) => "school",
        (Role::Practitioner, AgencyType::SocialCare) => "social_worker",
        (Role::Practitioner, AgencyType::Police) => "police",
        (Role::Practitioner, AgencyType::Housing) => "housing",
        (Role::Practitioner, AgencyType::Voluntary) => "voluntary",
        (Role::Practitioner, AgencyType::Private) => "early_years",
        _ => "other",
    }
}
