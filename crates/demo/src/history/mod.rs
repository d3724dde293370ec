//! Two years of case histories in every Leicester locality, so the front doors, panels,
//! dashboards and chronologies have believable content over time. Requests come in month by
//! month from the locality's practitioners; each is decided by the locality's hub manager at the
//! level the seeds' proportions give (004 §7: about a third of children are vulnerable at
//! level 2, about 3% are children in need at level 3, under 1% at level 4 — so decided requests
//! run roughly 90 : 8 : 2), and goes on to signposting, a service, early help with a lead
//! professional and a team (meetings, an assessment, reviews every six weeks), a step up or
//! down, a panel for stuck cases, and closure with an outcome for each need; some families come
//! back within a year (re-referrals).
//!
//! Every step is taken as the member of staff who would take it, through the same permits and
//! store calls as the pages, at the time it happens: the store reads a clock the builder walks
//! forward through one queue of events, so the audit log and every date stay in order.

mod close;
mod referrals;

use crate::casework::Worker;
use crate::staff::Made;
use crate::{DemoAuthority, Result};
use close::close;
use everychild_domain::casework::referral::ReferralStatus;
use everychild_domain::casework::{
    Command, ConsentPurpose, Level, Need, NewAction, NewMeeting, Route,
};
use everychild_domain::clock::FixedClock;
use everychild_domain::{AgencyType, OrganisationId, Role};
use everychild_policy::{self as policy, authorize, Actor, Basis, Principal, Target};
use everychild_store::prelude::*;
use everychild_store::{NewInvolvement, NewPerson, NewRequest, SqlStore};
use rand::seq::SliceRandom;
use rand::Rng;
use referrals::{answer, refer};
use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::sync::Arc;
use time::{Duration, OffsetDateTime};

/// What the history made.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Report {
    /// Requests for support made over the two years.
    pub requests: usize,
    /// Decided at each level (1 to 4).
    pub decided_by_level: [usize; 4],
    /// Closed.
    pub closed: usize,
    /// Requests for a child whose last request closed within the year before.
    pub re_referrals: usize,
    /// Level changes after the decision (step-ups and step-downs).
    pub level_changes: usize,
    /// Panel meetings held.
    pub panels: usize,
}

/// The staff of one locality the history acts as.
pub struct LocalityStaff {
    /// The locality.
    pub locality: i64,
    /// Its hub manager (front door and panel).
    pub manager: Worker,
    /// Its practitioners, from several agencies.
    pub practitioners: Vec<Worker>,
    /// Live postcodes where its families live.
    pub postcodes: Vec<String>,
}

/// Who works in each locality, from the staff the demo made.
pub fn staff_of(
    auth: &DemoAuthority,
    made: &[Made],
    org: impl Fn(OrganisationId) -> Option<(String, AgencyType)>,
) -> Vec<LocalityStaff> {
    let worker = |m: &Made, localities: Vec<i64>| {
        let (org_name, agency) = org(m.organisation)?;
        Some(Worker {
            actor: Actor {
                user_id: m.id,
                username: m.username.clone(),
                display_name: m.name.clone(),
                role: m.role,
                organisation_id: m.organisation,
                organisation_name: org_name,
                agency_type: agency,
                localities,
                totp_enabled: false,
                must_change_password: false,
                token: None,
            },
            involvement_role: crate::casework::involvement_role(m.role, agency),
        })
    };
    auth.localities
        .iter()
        .filter_map(|(lid, _)| {
            let here = |m: &&Made| m.localities == [*lid];
            let manager = made
                .iter()
                .filter(here)
                .find(|m| m.role == Role::LocalityManager)
                .and_then(|m| worker(m, vec![*lid]))?;
            let practitioners: Vec<Worker> = made
                .iter()
                .filter(here)
                .filter(|m| m.role == Role::Practitioner)
                .filter_map(|m| worker(m, vec![*lid]))
                .collect();
            (!practitioners.is_empty()).then(|| LocalityStaff {
                locality: *lid,
                manager,
                practitioners,
                postcodes: auth.postcodes.get(lid).cloned().unwrap_or_default(),
            })
        })
        .collect()
}

const NEEDS: &[(Need, u32)] = &[
    (Need::Health, 6),
    (Need::Learning, 10),
    (Need::Emotional, 10),
    (Need::Behaviour, 8),
    (Need::BasicCare, 5),
    (Need::Guidance, 7),
    (Need::Warmth, 3),
    (Need::FamilyFunctioning, 5),
    (Need::Housing, 8),
    (Need::Community, 3),
    (Need::DomesticAbuse, 7),
    (Need::ParentalMentalHealth, 7),
    (Need::ParentalSubstance, 4),
    (Need::InsecureHousing, 5),
    (Need::InconsistentParenting, 6),
    (Need::Isolation, 3),
    (Need::YoungCarer, 2),
    (Need::TeenageParent, 1),
    (Need::NewArrival, 3),
    (Need::NotReadyForSchool, 4),
];

const CONCERNS: &[&str] = &[
    "Attendance has dropped and she seems tired and withdrawn",
    "Mum is finding it hard to cope since dad left; the house is chaotic in the mornings",
    "Family in temporary accommodation after an eviction; the children share one bed",
    "Police were called to a domestic incident at the address",
    "Speech behind what we would expect; the family would like help before nursery",
    "He is caring for his mum most evenings and falling behind at school",
    "New to the city, not registered with a GP, little English spoken at home",
    "Parent says they are drinking more and struggling with their mood",
    "Aggressive outbursts in class and at home; the family asked for help",
    "Missed health appointments and weight is dropping off the centile",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Step {
    /// A practitioner asks for support (a child of their own, or one they knew before).
    New,
    /// The hub manager decides.
    Decide,
    /// The hub manager appoints a lead professional, who gathers a team.
    Lead,
    /// The team meets (the first meeting agrees the plan; later ones are reviews).
    Meet(u8),
    /// The level changes.
    ChangeLevel,
    /// The request closes.
    Close,
    /// The locality's panel sets its monthly agenda.
    Panel,
    /// The service answers a referral, starts or ends it.
    Referral,
}

struct Case {
    staff: usize,
    practitioner: usize,
    child: Option<i64>,
    request: i64,
    version: i64,
    level: Level,
    needs: Vec<Need>,
    /// Meetings before closing; 0 means the case stalls (no progress: stuck).
    meetings: u8,
    step: Option<Level>,
    route: Route,
    /// The year the child was born (to find services for their age).
    born: i32,
    /// A referral to a service: its id, version and status.
    referral: Option<(i64, i64, ReferralStatus)>,
}

struct Queue {
    heap: BinaryHeap<Reverse<(OffsetDateTime, u64, usize, Step)>>,
    seq: u64,
    end: OffsetDateTime,
}

impl Queue {
    fn push(&mut self, at: OffsetDateTime, case: usize, step: Step) {
        if at <= self.end {
            self.seq += 1;
            self.heap.push(Reverse((at, self.seq, case, step)));
        }
    }
}

fn pick_needs(rng: &mut impl Rng) -> Vec<Need> {
    let how_many = rng.gen_range(1..=3);
    let mut out: Vec<Need> = Vec::new();
    while out.len() < how_many {
        if let Ok((n, _)) = NEEDS.choose_weighted(rng, |x| x.1) {
            if !out.contains(n) {
                out.push(*n);
            }
        }
    }
    out.sort_by_key(|n| n.as_str());
    out
}

fn hours(rng: &mut impl Rng) -> Duration {
    Duration::minutes(rng.gen_range(8 * 60..17 * 60))
}

/// A time in office hours between `lo` and `hi` days after `at`.
fn later(at: OffsetDateTime, lo: i64, hi: i64, rng: &mut impl Rng) -> OffsetDateTime {
    (at.date() + Duration::days(rng.gen_range(lo..=hi)))
        .midnight()
        .assume_utc()
        + hours(rng)
}

/// Build the history: `per_month` new requests a month in each locality over the two years to
/// `end` (the store's today).
pub async fn build(
    store: &SqlStore,
    staff: &[LocalityStaff],
    per_month: usize,
    seed: u64,
) -> Result<Report> {
    let mut report = Report::default();
    if per_month == 0 || staff.is_empty() {
        return Ok(report);
    }
    let end = store.today_date().midnight().assume_utc();
    let start = end - Duration::days(730);
    let clock = Arc::new(FixedClock::new(start));
    let past = store.with_clock(clock.clone());
    let mut rng = everychild_synth::stream(seed, "history");
    let index = store
        .directory_index(&authorize(&Principal::Anonymous, Target::None, None)?)
        .await?;
    let mut q = Queue {
        heap: BinaryHeap::new(),
        seq: 0,
        end,
    };
    let mut cases: Vec<Case> = Vec::new();
    for (si, s) in staff.iter().enumerate() {
        for month in 0..24 {
            for _ in 0..per_month {
                let at =
                    start + Duration::days(month * 30 + rng.gen_range(0..30)) + hours(&mut rng);
                cases.push(Case {
                    staff: si,
                    practitioner: rng.gen_range(0..s.practitioners.len()),
                    child: None,
                    request: 0,
                    version: 1,
                    level: Level::Targeted,
                    needs: pick_needs(&mut rng),
                    meetings: 0,
                    step: None,
                    route: Route::Signpost,
                    born: 0,
                    referral: None,
                });
                q.push(at, cases.len() - 1, Step::New);
            }
        }
        // A panel a month; its case index is the locality's staff index.
        for month in 1..24 {
            q.push(
                start + Duration::days(month * 30 + 25) + Duration::hours(10),
                si,
                Step::Panel,
            );
        }
    }
    while let Some(Reverse((at, _, ci, step))) = q.heap.pop() {
        clock.set(at);
        if step == Step::Panel {
            let s = &staff[ci];
            let held = past
                .create_panel(
                    &s.manager.permit::<policy::RunPanel>(
                        Target::Locality(s.locality),
                        "locality panel",
                    )?,
                    at.date(),
                )
                .await;
            // A month with nothing stuck or referred has no panel.
            match held {
                Err(e)
                    if e.fields()
                        .is_some_and(|f| f.iter().any(|f| f.field == "meets_on")) =>
                {
                    continue
                }
                other => other?,
            };
            report.panels += 1;
            continue;
        }
        let s = &staff[cases[ci].staff];
        let who = &s.practitioners[cases[ci].practitioner];
        match step {
            Step::New => {
                let child = match cases[ci].child {
                    Some(c) => {
                        // Back again after a year or more: the registration has lapsed, so the
                        // practitioner asks again and the hub manager approves.
                        renew(&past, who, &s.manager, c).await?;
                        c
                    }
                    None => {
                        let (c, age) = register(&past, who, s, at, &mut rng).await?;
                        cases[ci].child = Some(c);
                        cases[ci].born = at.year() - age;
                        c
                    }
                };
                let on_child = Target::Child {
                    id: child,
                    basis: Basis::Involved,
                };
                let req = past
                    .make_request(
                        &who.permit::<policy::RequestSupport>(on_child, "ask for support")?,
                        NewRequest {
                            concern: (*CONCERNS.choose(&mut rng).unwrap_or(&"Concerns")).to_owned(),
                            needs: cases[ci].needs.clone(),
                            service_asked: rng.gen_bool(0.4).then(|| {
                                [
                                    "Family support worker",
                                    "Parenting course",
                                    "Counselling",
                                    "Help with housing",
                                ]
                                .choose(&mut rng)
                                .copied()
                                .unwrap_or("Family support")
                                .to_owned()
                            }),
                            family_words: rng.gen_bool(0.5).then(|| {
                                "We would like some help; things have been hard".to_owned()
                            }),
                            consents: vec![
                                ConsentPurpose::Share,
                                ConsentPurpose::Assess,
                                ConsentPurpose::Refer,
                            ],
                            consent_given_by: Some("The child's parent".into()),
                            locality: Some(s.locality),
                        },
                    )
                    .await?;
                cases[ci].request = req;
                cases[ci].version = 1;
                report.requests += 1;
                q.push(later(at, 1, 12, &mut rng), ci, Step::Decide);
            }
            Step::Decide => {
                let roll: f64 = rng.gen();
                let (level, route) = if roll < 0.02 {
                    (Level::Specialist, Route::SocialCare)
                } else if roll < 0.10 {
                    (Level::Complex, Route::EarlyHelp)
                } else if roll < 0.42 {
                    (Level::Targeted, Route::Signpost)
                } else if roll < 0.62 {
                    (Level::Targeted, Route::Service)
                } else {
                    (Level::Targeted, Route::EarlyHelp)
                };
                cases[ci].level = level;
                cases[ci].route = route;
                report.decided_by_level[usize::from(level.number()) - 1] += 1;
                past.decide_request(
                    &s.manager.permit::<policy::DecideRequest>(
                        Target::Locality(s.locality),
                        "front door",
                    )?,
                    cases[ci].request,
                    cases[ci].version,
                    Command::Decide {
                        level,
                        route,
                        rationale: format!("{}: {}", level.label(), level.descriptor()),
                    },
                )
                .await?;
                cases[ci].version += 1;
                match route {
                    Route::Signpost => {
                        report.closed += 1;
                        maybe_return(&mut q, &mut cases, ci, at, &mut rng, &mut report);
                    }
                    Route::EarlyHelp => q.push(later(at, 3, 21, &mut rng), ci, Step::Lead),
                    // A service, or children's social care, works with the family for a few
                    // months; then the hub manager closes the request.
                    Route::Service => {
                        refer(&past, &index, &mut cases[ci], s, at, &mut rng).await?;
                        if cases[ci].referral.is_some() {
                            q.push(later(at, 5, 30, &mut rng), ci, Step::Referral);
                        }
                        q.push(later(at, 60, 180, &mut rng), ci, Step::Close);
                    }
                    Route::SocialCare => q.push(later(at, 30, 120, &mut rng), ci, Step::Close),
                }
            }
            Step::Lead => {
                let child = cases[ci].child.unwrap_or_default();
                let as_manager = s.manager.permit::<policy::ManageRequest>(
                    Target::Child {
                        id: child,
                        basis: Basis::Locality,
                    },
                    "run the team",
                )?;
                past.manage_request(
                    &as_manager,
                    cases[ci].request,
                    cases[ci].version,
                    Command::AppointLead {
                        user: who.actor.user_id.0,
                    },
                    None,
                )
                .await?;
                cases[ci].version += 1;
                let lead = lead_permit(who, child)?;
                let other = &s.practitioners
                    [(cases[ci].practitioner + 1 + rng.gen_range(0..3)) % s.practitioners.len()];
                if other.actor.user_id != who.actor.user_id {
                    past.add_to_team(
                        &lead,
                        cases[ci].request,
                        other.actor.user_id.0,
                        other.involvement_role,
                    )
                    .await?;
                    cases[ci].version += 1;
                }
                // Most teams meet within weeks; about one in ten stalls for months (stuck, and
                // brought to the panel) before it gets going.
                cases[ci].meetings = rng.gen_range(2..=5);
                let first = if rng.gen_bool(0.1) {
                    later(at, 70, 130, &mut rng)
                } else {
                    later(at, 7, 21, &mut rng)
                };
                q.push(first, ci, Step::Meet(1));
            }
            Step::Meet(n) => {
                let child = cases[ci].child.unwrap_or_default();
                let lead = lead_permit(who, child)?;
                let first = n == 1;
                past.add_meeting(
                    &lead,
                    cases[ci].request,
                    &NewMeeting {
                        held_on: at.date(),
                        attendees: "Parent, lead professional, team".into(),
                        decisions: if first {
                            "Plan agreed; review in six weeks".into()
                        } else {
                            "Progress reviewed; plan updated".into()
                        },
                        is_review: !first,
                    },
                )
                .await?;
                past.add_action(
                    &lead,
                    cases[ci].request,
                    &NewAction {
                        description: if first {
                            "Meet the family at home and agree the plan".into()
                        } else {
                            "Follow up the actions agreed at the review".into()
                        },
                        owner: who.actor.user_id.0,
                        due: at.date() + Duration::days(rng.gen_range(10..35)),
                    },
                )
                .await?;
                if first && rng.gen_bool(0.7) {
                    crate::casework::assess(
                        &past,
                        &lead,
                        cases[ci].request,
                        Some(rng.gen_bool(0.8)),
                    )
                    .await?;
                }
                if n < cases[ci].meetings {
                    // A few teams change the level between reviews.
                    let change: f64 = rng.gen();
                    if n == 2 && change < 0.05 && cases[ci].level != Level::Specialist {
                        cases[ci].step = Some(Level::Specialist);
                        q.push(later(at, 3, 20, &mut rng), ci, Step::ChangeLevel);
                    } else if n == 2 && change < 0.13 && cases[ci].level == Level::Complex {
                        cases[ci].step = Some(Level::Targeted);
                        q.push(later(at, 3, 20, &mut rng), ci, Step::ChangeLevel);
                    } else {
                        q.push(later(at, 38, 46, &mut rng), ci, Step::Meet(n + 1));
                    }
                } else {
                    q.push(later(at, 7, 28, &mut rng), ci, Step::Close);
                }
            }
            Step::ChangeLevel => {
                let child = cases[ci].child.unwrap_or_default();
                let to = cases[ci].step.unwrap_or(Level::Targeted);
                let up = to.number() > cases[ci].level.number();
                past.manage_request(
                    &lead_permit(who, child)?,
                    cases[ci].request,
                    cases[ci].version,
                    Command::ChangeLevel {
                        level: to,
                        reason: if up {
                            "A disclosure at school: section 47 enquiry".into()
                        } else {
                            "The plan is working; one service can meet the needs now".into()
                        },
                    },
                    None,
                )
                .await?;
                cases[ci].version += 1;
                cases[ci].level = to;
                report.level_changes += 1;
                q.push(later(at, 20, 60, &mut rng), ci, Step::Close);
            }
            Step::Close => {
                close(&past, &mut cases[ci], s, who, &mut rng, &mut report).await?;
                maybe_return(&mut q, &mut cases, ci, at, &mut rng, &mut report);
            }
            Step::Referral => {
                if let Some(next) = answer(&past, &mut cases[ci], s, &mut rng).await? {
                    q.push(later(at, next.0, next.1, &mut rng), ci, Step::Referral);
                }
            }
            Step::Panel => {}
        }
    }
    Ok(report)
}

/// About one family in eight asks again within the year: a new request for the same child by
/// the same practitioner.
fn maybe_return(
    q: &mut Queue,
    cases: &mut Vec<Case>,
    ci: usize,
    at: OffsetDateTime,
    rng: &mut impl Rng,
    report: &mut Report,
) {
    if !rng.gen_bool(0.12) {
        return;
    }
    let c = &cases[ci];
    let back = Case {
        staff: c.staff,
        practitioner: c.practitioner,
        child: c.child,
        request: 0,
        version: 1,
        level: Level::Targeted,
        needs: pick_needs(rng),
        meetings: 0,
        step: None,
        route: Route::Signpost,
        born: c.born,
        referral: None,
    };
    let when = at + Duration::days(rng.gen_range(40..330));
    if when <= q.end {
        report.re_referrals += 1;
    }
    cases.push(back);
    q.push(when, cases.len() - 1, Step::New);
}

fn lead_permit(who: &Worker, child: i64) -> Result<policy::Permit<policy::ManageRequest>> {
    who.permit::<policy::ManageRequest>(
        Target::Child {
            id: child,
            basis: Basis::LeadProfessional,
        },
        "run the team around the child",
    )
}

/// Make sure `who` still works with `child`: if their involvement has lapsed, they declare
/// it again and `manager` (of the child's locality) approves it, at the store's time.
async fn renew(store: &SqlStore, who: &Worker, manager: &Worker, child: i64) -> Result<()> {
    let find = who
        .permit::<policy::FindChildBasis>(Target::None, "see whether I still work with a child")?;
    let bases = store.child_bases(&find, child).await?.unwrap_or_default();
    if bases.contains(&Basis::Involved) {
        return Ok(());
    }
    let id = store
        .declare_involvement(
            &who.permit::<policy::DeclareInvolvement>(
                Target::Child {
                    id: child,
                    basis: Basis::None,
                },
                "record that I work with a child",
            )?,
            NewInvolvement {
                role: who.involvement_role.into(),
                team: None,
                since: store.today_text(),
                contact: Some("Through the office".into()),
            },
            "Working with the family again after a new concern",
        )
        .await?;
    let look =
        manager.permit::<policy::FindChildBasis>(Target::None, "decide who works with a child")?;
    let Some(scope) = store.declaration_scope(&look, id).await? else {
        return Ok(());
    };
    let Some(ground) = scope.ground else {
        return Ok(());
    };
    store
        .decide_involvement(
            &manager.permit::<policy::DecideInvolvement>(
                Target::Involvement {
                    id,
                    child: scope.child,
                    declared_by: who.actor.user_id,
                    ground,
                },
                "decide who works with a child",
            )?,
            true,
            "",
        )
        .await?;
    Ok(())
}

async fn register(
    store: &SqlStore,
    who: &Worker,
    s: &LocalityStaff,
    at: OffsetDateTime,
    rng: &mut everychild_synth::SynthRng,
) -> Result<(i64, i32)> {
    let name = everychild_synth::staff::full_name(rng);
    let (given, family) = name.split_once(' ').unwrap_or((name.as_str(), "Smith"));
    let age = rng.gen_range(0..18);
    let dob = format!(
        "{}-{:02}-{:02}",
        at.year() - age,
        rng.gen_range(1..13),
        rng.gen_range(1..29)
    );
    let since = (at.date() - Duration::days(rng.gen_range(30..400))).to_string();
    let id = store
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
                postcode: s.postcodes.choose(rng).cloned(),
                ..Default::default()
            },
            NewInvolvement {
                role: who.involvement_role.into(),
                team: None,
                since,
                contact: Some("Through the office".into()),
            },
        )
        .await?;
    Ok((id, age))
}
