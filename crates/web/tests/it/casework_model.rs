//! A model-based property test driven through the store: random sequences of front-door and
//! team commands (valid, invalid and stale) are applied both to the domain's state machine
//! (`Episode`, the model) and to requests in the real database. After every step the stored
//! request must agree with the model — status, level, lead professional, version, level
//! history — and a refused command must have changed nothing.

use everychild_domain::casework::{
    ClosureReason, Command, Episode, Level, Need, Outcome, Route, SocialCareOutcome,
};
use everychild_policy::{authorize, Actor, Basis, Principal, Target};
use everychild_store::prelude::*;
use everychild_store::{NewInvolvement, NewPerson, NewRequest, StoreError};
use everychild_testkit::TestApp;

/// A small deterministic generator (xorshift), so a failure can be replayed from its seed.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
}

const LEVELS: [Level; 4] = [
    Level::Universal,
    Level::Targeted,
    Level::Complex,
    Level::Specialist,
];
const ROUTES: [Route; 4] = [
    Route::Signpost,
    Route::EarlyHelp,
    Route::Service,
    Route::SocialCare,
];

fn command(rng: &mut Rng, needs: &[Need], leads: &[i64]) -> Command {
    let text = |rng: &mut Rng, t: &str| {
        if rng.chance(10) {
            String::new()
        } else {
            t.to_owned()
        }
    };
    let level = LEVELS[rng.below(4) as usize];
    match rng.below(5) {
        4 => Command::SocialCareOutcome {
            outcome: SocialCareOutcome::ALL[rng.below(4) as usize],
            note: text(rng, "Strategy discussion held"),
        },
        0 => Command::Decide {
            level,
            route: ROUTES[rng.below(4) as usize],
            rationale: text(rng, "Against the threshold descriptors"),
        },
        1 => Command::AppointLead {
            user: leads[rng.below(leads.len() as u64) as usize],
        },
        2 => Command::ChangeLevel {
            level,
            reason: text(rng, "New information from school"),
        },
        _ => Command::Close {
            outcome: Outcome::Better,
            summary: text(rng, "Plan complete"),
            reason: ClosureReason::NeedsMet,
            need_outcomes: needs.iter().map(|n| (*n, Outcome::Same)).collect(),
            feedback: String::new(),
        },
    }
}

#[tokio::test]
async fn random_command_sequences_through_the_store_keep_the_database_and_the_model_in_step() {
    let (app, built) = TestApp::spawn_demo_with(0).await;
    let leicester = &built.authorities[0];
    let west = leicester
        .localities
        .iter()
        .find(|l| l.1 == "West Leicester")
        .map(|l| l.0)
        .unwrap();
    let postcode = leicester.postcodes[&west][0].clone();
    let console = authorize(&Principal::Console, Target::None, None).unwrap();
    let orgs = app.store.list_organisations(&console).await.unwrap();
    let actor = |username: &str, localities: Vec<i64>| {
        let s = built
            .sign_ins
            .iter()
            .find(|s| s.username == username)
            .unwrap();
        let o = orgs.iter().find(|o| o.name == s.organisation).unwrap();
        Principal::User(Actor {
            user_id: s.id,
            username: s.username.into(),
            display_name: s.name.clone(),
            role: s.role,
            organisation_id: everychild_domain::OrganisationId(o.id),
            organisation_name: o.name.clone(),
            agency_type: o.agency_type,
            localities,
            totp_enabled: false,
            must_change_password: false,
            token: None,
        })
    };
    let manager = actor("manager.west", vec![west]);
    let visitor = actor("health.visitor", vec![]);
    let leads: Vec<i64> = ["health.visitor", "social.worker"]
        .iter()
        .map(|u| {
            built
                .sign_ins
                .iter()
                .find(|s| s.username == *u)
                .unwrap()
                .id
                .0
        })
        .collect();
    let needs = vec![Need::Health, Need::Housing];
    let mut rng = Rng(0x5eed_2008);
    let (mut accepted, mut refused, mut stale) = (0, 0, 0);
    for case in 0..30 {
        let child = app
            .store
            .register_child(
                &authorize(&visitor, Target::None, Some("test")).unwrap(),
                NewPerson {
                    kind: "child".into(),
                    given_name: format!("Model{case}"),
                    family_name: "Child".into(),
                    date_of_birth: Some("2019-05-01".into()),
                    sex: "female".into(),
                    nhs_number_status: "none".into(),
                    send_status: "none".into(),
                    postcode: Some(postcode.clone()),
                    ..Default::default()
                },
                NewInvolvement {
                    role: "health_visitor".into(),
                    team: None,
                    since: "2026-01-01".into(),
                    contact: None,
                },
            )
            .await
            .unwrap();
        let on_child = |basis| Target::Child { id: child, basis };
        let request = app
            .store
            .make_request(
                &authorize(&visitor, on_child(Basis::Involved), Some("test")).unwrap(),
                NewRequest {
                    concern: "Concerns at home".into(),
                    needs: needs.clone(),
                    service_asked: None,
                    family_words: None,
                    consents: vec![],
                    consent_given_by: None,
                    locality: Some(west),
                },
            )
            .await
            .unwrap();
        let mut model = Episode::new();
        let mut version = 1;
        let mut level_rows = 0;
        for step in 0..12 {
            let cmd = command(&mut rng, &needs, &leads);
            let is_stale = version > 1 && rng.chance(10);
            let sent = if is_stale { version - 1 } else { version };
            let got: Result<(), StoreError> = match &cmd {
                Command::Decide { .. } => {
                    let p = authorize(&manager, Target::Locality(west), Some("test")).unwrap();
                    app.store
                        .decide_request(&p, request, sent, cmd.clone())
                        .await
                }
                _ => {
                    let p = authorize(&manager, on_child(Basis::Locality), Some("test")).unwrap();
                    app.store
                        .manage_request(&p, request, sent, cmd.clone(), None)
                        .await
                }
            };
            let mut next = model.clone();
            let want = if is_stale {
                None
            } else {
                Some(next.apply(&cmd))
            };
            let what = format!(
                "case {case} step {step}: {cmd:?} (stale: {is_stale}) got {got:?}, model {want:?}"
            );
            match (&got, want) {
                (Ok(()), Some(Ok(_))) => {
                    accepted += 1;
                    model = next;
                    version += 1;
                    if matches!(cmd, Command::Decide { .. } | Command::ChangeLevel { .. })
                        || matches!(
                            cmd,
                            Command::SocialCareOutcome {
                                outcome: SocialCareOutcome::NoFurtherAction,
                                ..
                            }
                        )
                    {
                        level_rows += 1;
                    }
                }
                (Err(_), Some(Err(_))) => refused += 1,
                (Err(_), None) => stale += 1,
                _ => panic!("the store and the model disagree at {what}"),
            }
            let view = authorize(&manager, on_child(Basis::Locality), Some("test")).unwrap();
            let d = app
                .store
                .request_detail(&view, request)
                .await
                .unwrap()
                .unwrap();
            assert_eq!(d.summary.status, model.status, "{what}");
            assert_eq!(d.summary.level, model.level, "{what}");
            assert_eq!(d.version, version, "{what}");
            assert_eq!(d.levels.len(), level_rows, "{what}");
            // While the request is open the lead is the open spell; a closed request ends every
            // spell, and the lead of record is the last one.
            let lead = if model.status == everychild_domain::casework::Status::Closed {
                d.team.iter().find(|m| m.is_lead).map(|m| m.user_id)
            } else {
                d.team
                    .iter()
                    .find(|m| m.is_lead && m.until.is_none())
                    .map(|m| m.user_id)
            };
            assert_eq!(lead, model.lead, "{what}");
            let leads_open = d
                .team
                .iter()
                .filter(|m| m.is_lead && m.until.is_none())
                .count();
            assert!(leads_open <= 1, "two current leads at {what}");
        }
    }
    // The sequences reached both outcomes, and stale forms were tried.
    assert!(
        accepted > 40 && refused > 40 && stale > 10,
        "{accepted} {refused} {stale}"
    );
}
