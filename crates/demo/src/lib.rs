//! Builds the demo authorities in a store: the real geography of Leicester and Peterborough
//! (imported by the caller), their age phases, localities, boundary sets and hubs, and
//! fictitious organisations, teams and people. The same seed always gives the same demo. Used
//! by `everychild demo`, by tests that need a realistic authority, and by benchmarks.

pub mod casework;
pub mod directory;
pub mod geography;
pub mod history;
pub mod population;
mod progress;
pub mod staff;

use everychild_domain::clock::FixedClock;
use everychild_domain::geo::data::GeographyData;
use everychild_domain::{
    AgencyType, DisplayName, Email, FieldError, OrganisationId, OrganisationKind, Role, UserId,
    Username,
};
use everychild_policy::{self as policy, authorize, Principal, Target};
use everychild_store::GeoRepo;
use everychild_store::{
    LocalityRepo, NewMember, NewOrganisation, NewUser, OrgRepo, SqlStore, StoreError, UserRepo,
};
pub use geography::DemoAuthority;
use staff::{Employer, Orgs};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

pub use progress::{Progress, Stage};

/// Why the demo could not be built.
#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    /// The store refused or failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The demo's own data does not fit the imported geography (or a value is invalid).
    #[error("{0}")]
    Invalid(String),
}

impl From<FieldError> for DemoError {
    fn from(e: FieldError) -> Self {
        DemoError::Invalid(e.to_string())
    }
}

impl From<policy::Denied> for DemoError {
    fn from(d: policy::Denied) -> Self {
        DemoError::Invalid(d.to_string())
    }
}

/// Result of the demo's builders.
pub type Result<T> = std::result::Result<T, DemoError>;

/// What to build.
#[derive(Debug, Clone)]
pub struct Options {
    /// Seed of every random choice.
    pub seed: u64,
    /// argon2id hash given to every demo account.
    pub password_hash: String,
    /// How much of Leicester's real child population to make and link (1.0 is about 95,500
    /// children and young people; 0 makes none).
    pub population: f64,
    /// How many services the Leicester service directory has (0 makes no directory).
    pub directory: usize,
    /// Told as each stage begins.
    pub progress: Progress,
}

/// A fixed demo sign-in, as printed.
#[derive(Debug, Clone)]
pub struct SignIn {
    /// Username.
    pub username: &'static str,
    /// Role.
    pub role: Role,
    /// Organisation name.
    pub organisation: &'static str,
    /// Full (fictitious) name.
    pub name: String,
    /// Account id.
    pub id: UserId,
}

/// What was built.
#[derive(Debug, Clone)]
pub struct Built {
    /// The authorities.
    pub authorities: Vec<DemoAuthority>,
    /// The fixed sign-ins.
    pub sign_ins: Vec<SignIn>,
    /// Staff made for the locality teams.
    pub staff: usize,
    /// Organisations made.
    pub organisations: usize,
    /// What each agency's extract did to the index.
    pub imports: Vec<population::AgencyImport>,
    /// The casework made for the population (none without one).
    pub casework: casework::Report,
    /// The service directory.
    pub directory: directory::Report,
    /// Two years of case histories in every Leicester locality (none without a population).
    pub history: history::Report,
}

struct Org {
    name: &'static str,
    kind: OrganisationKind,
    agency: AgencyType,
    /// Which authority's teams it staffs (index into the demo's authorities) and as what.
    staffs: Option<(usize, Employer)>,
}

const fn org(
    name: &'static str,
    kind: OrganisationKind,
    agency: AgencyType,
    staffs: Option<(usize, Employer)>,
) -> Org {
    Org {
        name,
        kind,
        agency,
        staffs,
    }
}

use AgencyType as A;
use OrganisationKind as K;

const ORGS: &[Org] = &[
    org(
        "Leicester City Council Children's Services",
        K::Statutory,
        A::SocialCare,
        Some((0, Employer::Council)),
    ),
    org(
        "City Community Health Services (NHS)",
        K::Statutory,
        A::Health,
        Some((0, Employer::Health)),
    ),
    org(
        "Riverside Community Primary School",
        K::Statutory,
        A::Education,
        None,
    ),
    org("Northfield Academy", K::Statutory, A::Education, None),
    org(
        "Leicestershire Police",
        K::Statutory,
        A::Police,
        Some((0, Employer::Police)),
    ),
    org(
        "Eastgate Housing Association",
        K::Voluntary,
        A::Housing,
        Some((0, Employer::Housing)),
    ),
    org(
        "Haven Family Support",
        K::Voluntary,
        A::Voluntary,
        Some((0, Employer::Voluntary)),
    ),
    org("Little Acorns Nurseries Ltd", K::Private, A::Private, None),
    org(
        "Leicester City Council Education Services",
        K::Statutory,
        A::Education,
        None,
    ),
    org(
        "Peterborough City Council Children's Services",
        K::Statutory,
        A::SocialCare,
        Some((1, Employer::Council)),
    ),
    org(
        "Nene Valley Community Health (NHS)",
        K::Statutory,
        A::Health,
        Some((1, Employer::Health)),
    ),
    org(
        "Cambridgeshire Police",
        K::Statutory,
        A::Police,
        Some((1, Employer::Police)),
    ),
    org(
        "Fenland Homes Housing Association",
        K::Voluntary,
        A::Housing,
        Some((1, Employer::Housing)),
    ),
    org(
        "Bridges Family Trust",
        K::Voluntary,
        A::Voluntary,
        Some((1, Employer::Voluntary)),
    ),
];

/// A fixed demo sign-in: username, role, organisation index, job title, the locality (by
/// name) they work in, and the team they join there: (age phase index, kind, role in team).
struct Person {
    username: &'static str,
    role: Role,
    org: usize,
    title: &'static str,
    locality: Option<&'static str>,
    team: Option<(usize, &'static str, &'static str)>,
}

const fn person(
    username: &'static str,
    role: Role,
    org: usize,
    title: &'static str,
    locality: Option<&'static str>,
    team: Option<(usize, &'static str, &'static str)>,
) -> Person {
    Person {
        username,
        role,
        org,
        title,
        locality,
        team,
    }
}

const WEST: Option<&str> = Some("West Leicester");

const PEOPLE: &[Person] = &[
    person(
        "admin",
        Role::Administrator,
        0,
        "Systems administrator",
        None,
        None,
    ),
    person(
        "admin.peterborough",
        Role::Administrator,
        9,
        "Systems administrator",
        None,
        None,
    ),
    person(
        "dpo",
        Role::DataProtectionOfficer,
        0,
        "Data protection officer",
        None,
        None,
    ),
    person(
        "dpo.health",
        Role::DataProtectionOfficer,
        1,
        "Information governance lead",
        None,
        None,
    ),
    person(
        "manager.west",
        Role::LocalityManager,
        0,
        "Locality manager, West Leicester",
        WEST,
        None,
    ),
    person(
        "manager.central",
        Role::LocalityManager,
        0,
        "Hub co-ordinator, Central Leicester",
        Some("Central Leicester"),
        None,
    ),
    person(
        "manager.peterborough",
        Role::LocalityManager,
        9,
        "Head of Children's Locality Services",
        Some("Peterborough Central and East"),
        None,
    ),
    person(
        "social.worker",
        Role::Practitioner,
        0,
        "Social worker",
        WEST,
        Some((0, "extended", "Social worker")),
    ),
    person(
        "health.visitor",
        Role::Practitioner,
        1,
        "Health visitor",
        WEST,
        Some((0, "core", "Health visitor")),
    ),
    person(
        "school.nurse",
        Role::Practitioner,
        1,
        "School nurse",
        WEST,
        Some((1, "core", "School nurse")),
    ),
    person(
        "teacher",
        Role::Practitioner,
        2,
        "Special educational needs co-ordinator",
        WEST,
        None,
    ),
    person(
        "youth.worker",
        Role::Practitioner,
        0,
        "Youth worker",
        WEST,
        Some((1, "core", "Youth worker")),
    ),
    person(
        "police.officer",
        Role::Practitioner,
        4,
        "Police community support officer",
        WEST,
        Some((0, "extended", "Police community support officer")),
    ),
    person(
        "housing.officer",
        Role::Practitioner,
        5,
        "Tenancy support officer",
        WEST,
        Some((1, "extended", "Housing support officer")),
    ),
    person(
        "family.support",
        Role::Practitioner,
        6,
        "Family support worker",
        WEST,
        Some((0, "core", "Family worker")),
    ),
    person(
        "nursery.manager",
        Role::Practitioner,
        7,
        "Nursery manager",
        WEST,
        None,
    ),
    person(
        "commissioner",
        Role::Commissioner,
        0,
        "Commissioning manager",
        None,
        None,
    ),
    person(
        "commissioner.health",
        Role::Commissioner,
        1,
        "Children's commissioning lead",
        None,
        None,
    ),
    person(
        "analyst",
        Role::Analyst,
        0,
        "Performance analyst",
        None,
        None,
    ),
    person(
        "analyst.police",
        Role::Analyst,
        4,
        "Partnership analyst",
        None,
        None,
    ),
    person(
        "directory.editor",
        Role::DirectoryEditor,
        6,
        "Information and directory officer",
        None,
        None,
    ),
    person(
        "board.member",
        Role::AdvisoryBoardMember,
        6,
        "Parent representative, West advisory board",
        WEST,
        None,
    ),
    person(
        "board.provider",
        Role::AdvisoryBoardMember,
        7,
        "Provider representative, Central advisory board",
        Some("Central Leicester"),
        None,
    ),
];

/// A console permit for the demo's set-up.
pub fn console<C: policy::Capability>() -> Result<policy::Permit<C>> {
    console_for::<C>(Target::None)
}

/// A console permit for one target.
pub fn console_for<C: policy::Capability>(t: Target) -> Result<policy::Permit<C>> {
    Ok(authorize::<C>(&Principal::Console, t, Some("demo set-up"))?)
}

/// Build everything on a new store: import the geography `geo`, then the authorities, their
/// organisations, staff and sign-ins. With a population, the set-up is dated two years back and
/// two years of case histories follow up to today, so every date (and the audit log) runs in
/// time order; then the population's extracts, today's casework and the directory.
pub async fn build(store: &SqlStore, geo: &GeographyData, o: &Options) -> Result<Built> {
    let with_history = o.population > 0.0;
    let early = store.with_clock(Arc::new(FixedClock::new(
        store.today_date().midnight().assume_utc() - time::Duration::days(731),
    )));
    let setup: &SqlStore = if with_history { &early } else { store };
    let existing = setup
        .list_users(
            &console::<policy::ListUsers>()?,
            &everychild_store::UserQuery {
                include_disabled: true,
                ..Default::default()
            },
        )
        .await?;
    if !existing.is_empty() {
        return Err(DemoError::Invalid(
            "the database already has users: the demo needs a new, empty database".into(),
        ));
    }
    o.progress.at(Stage::Geography);
    setup
        .import_geography(&console::<policy::ImportGeography>()?, geo)
        .await?;
    let authorities = geography::build(setup, geo, o.seed).await?;
    o.progress.at(Stage::Staff);
    let mut org_ids = Vec::new();
    let mut orgs: Vec<Orgs> = authorities.iter().map(|_| Orgs(BTreeMap::new())).collect();
    for org in ORGS {
        let id = setup
            .create_organisation(
                &console::<policy::ManageOrganisations>()?,
                NewOrganisation {
                    name: org.name.into(),
                    kind: org.kind,
                    agency_type: org.agency,
                },
            )
            .await?;
        org_ids.push(id);
        if let Some((auth, employer)) = org.staffs {
            if let Some(m) = orgs.get_mut(auth) {
                m.0.insert(employer, id);
            }
        }
    }
    let mut people = staff::People {
        store: setup,
        hash: o.password_hash.clone(),
        rng: everychild_synth::stream(o.seed, "staff"),
        used: PEOPLE
            .iter()
            .map(|p| p.username.to_owned())
            .collect::<BTreeSet<_>>(),
        phone_prefix: "0116 496 0",
        next_phone: 100,
        count: 0,
        made: Vec::new(),
    };
    let mut teams = staff::Teams::new();
    for (i, auth) in authorities.iter().enumerate() {
        // Ofcom's numbers for drama: 0116 496 0xxx (Leicester), 01632 960xxx (no real area).
        people.phone_prefix = if i == 0 { "0116 496 0" } else { "01632 960" };
        people.next_phone = 100;
        let code = if i == 0 { "LEI" } else { "PBO" };
        teams.extend(staff::build(&mut people, auth, &orgs[i], code).await?);
    }
    let staff = people.count;
    let made = std::mem::take(&mut people.made);
    let sign_ins = sign_ins(setup, o, &authorities, &org_ids, &teams).await?;
    // The directory is there from the start of the history, so families are referred to its
    // services; its editors' recent work is done today, after the history.
    let (owners, editor, approver) = directory_people(&org_ids, &sign_ins)?;
    o.progress.at(Stage::Directory);
    let (directory, generated) = match authorities.first().filter(|_| o.directory > 0) {
        Some(leicester) => {
            let (r, d) = directory::publish(
                setup,
                geo,
                leicester,
                &owners,
                o.directory,
                o.seed,
                store.today_date(),
            )
            .await?;
            (r, Some(d))
        }
        None => (directory::Report::default(), None),
    };
    o.progress.at(Stage::History);
    let mut history = history::Report::default();
    if let Some(leicester) = authorities.first().filter(|_| with_history) {
        let org = |id: OrganisationId| {
            let i = org_ids.iter().position(|x| *x == id)?;
            Some((ORGS[i].name.to_owned(), ORGS[i].agency))
        };
        let staff = history::staff_of(leicester, &made, org);
        // Six new requests a month in each locality for the whole city's children; at least
        // one whenever there is a population at all.
        let per_month = ((o.population * 6.0).round() as usize).max(1);
        history = history::build(store, &staff, per_month, o.seed).await?;
    }
    let mut imports = Vec::new();
    let mut casework = casework::Report::default();
    if o.population > 0.0 {
        use everychild_synth::people::extracts::Agency;
        let by_name = |n: &str| {
            ORGS.iter()
                .position(|x| x.name == n)
                .map(|i| (org_ids[i].0, n.to_owned()))
                .ok_or_else(|| DemoError::Invalid(format!("no organisation {n}")))
        };
        let mut agencies = Vec::new();
        for (agency, name) in [
            (Agency::Health, "City Community Health Services (NHS)"),
            (Agency::School, "Leicester City Council Education Services"),
            (
                Agency::SocialCare,
                "Leicester City Council Children's Services",
            ),
            (Agency::Police, "Leicestershire Police"),
        ] {
            let (id, name) = by_name(name)?;
            agencies.push((agency, id, name));
        }
        o.progress.at(Stage::Population);
        imports = population::build(store, geo, o.seed, o.population, &agencies).await?;
        o.progress.at(Stage::Casework);
        casework = demo_casework(store, o, &authorities, &org_ids, &sign_ins).await?;
    }
    o.progress.at(Stage::Finish);
    if let Some(d) = &generated {
        directory::govern(
            store,
            d,
            &owners,
            directory::Governance {
                editor: &editor,
                approver: &approver,
            },
        )
        .await?;
    }
    // The demo is a bulk load: refresh the planner's statistics before anyone reads it.
    store.analyze_all().await?;
    Ok(Built {
        authorities,
        sign_ins,
        staff,
        organisations: ORGS.len(),
        imports,
        casework,
        directory,
        history,
    })
}

/// The Leicester directory's owners, and who edits and approves it in the demo.
fn directory_people(
    org_ids: &[OrganisationId],
    sign_ins: &[SignIn],
) -> Result<(directory::Owners, Principal, Principal)> {
    let as_principal = |username: &str| -> Result<Principal> {
        let (i, s) = sign_ins
            .iter()
            .enumerate()
            .find(|(_, s)| s.username == username)
            .ok_or_else(|| DemoError::Invalid(format!("no demo sign-in {username}")))?;
        let p = &PEOPLE[i];
        let w = casework::Worker::new(s, org_ids[p.org], ORGS[p.org].agency, Vec::new(), "");
        Ok(Principal::User(w.actor))
    };
    let owners = directory::Owners {
        council: org_ids[0],
        health: org_ids[1],
        voluntary: org_ids[6],
    };
    Ok((
        owners,
        as_principal("directory.editor")?,
        as_principal("commissioner")?,
    ))
}

/// Casework in each Leicester locality that has a demo manager, by the demo practitioners.
async fn demo_casework(
    store: &SqlStore,
    o: &Options,
    authorities: &[DemoAuthority],
    org_ids: &[OrganisationId],
    sign_ins: &[SignIn],
) -> Result<casework::Report> {
    let Some(leicester) = authorities.first() else {
        return Ok(casework::Report::default());
    };
    let locality_id = |name: &str| {
        leicester
            .localities
            .iter()
            .find(|l| l.1 == name)
            .map(|l| l.0)
    };
    let worker = |i: usize, s: &SignIn| {
        let p = &PEOPLE[i];
        let org = &ORGS[p.org];
        casework::Worker::new(
            s,
            org_ids[p.org],
            org.agency,
            p.locality.and_then(locality_id).into_iter().collect(),
            casework::involvement_role(p.role, org.agency),
        )
    };
    let in_leicester = |i: usize| matches!(ORGS[PEOPLE[i].org].staffs, Some((0, _)) | None);
    let practitioners: Vec<casework::Worker> = sign_ins
        .iter()
        .enumerate()
        .filter(|(i, s)| {
            s.role == Role::Practitioner && in_leicester(*i) && !s.username.contains("peterborough")
        })
        .map(|(i, s)| worker(i, s))
        .collect();
    let children = ((o.population * 60.0).ceil() as usize).clamp(6, 60);
    let mut report = casework::Report::default();
    for (i, s) in sign_ins.iter().enumerate() {
        if s.role != Role::LocalityManager {
            continue;
        }
        let Some(l) = PEOPLE[i].locality.and_then(locality_id) else {
            continue;
        };
        let postcodes = leicester.postcodes.get(&l).cloned().unwrap_or_default();
        let r = casework::build(
            store,
            l,
            &postcodes,
            &worker(i, s),
            &practitioners,
            children,
            o.seed,
        )
        .await?;
        report.children += r.children;
        report.requests += r.requests;
    }
    Ok(report)
}

async fn sign_ins(
    store: &SqlStore,
    o: &Options,
    authorities: &[DemoAuthority],
    org_ids: &[OrganisationId],
    teams: &staff::Teams,
) -> Result<Vec<SignIn>> {
    let locality_id = |name: &str| {
        authorities
            .iter()
            .flat_map(|a| a.localities.iter())
            .find(|l| l.1 == name)
            .map(|l| l.0)
    };
    let mut rng = everychild_synth::stream(o.seed, "sign-ins");
    let mut names_used = BTreeSet::new();
    let mut rows = Vec::new();
    for (i, p) in PEOPLE.iter().enumerate() {
        let mut name = everychild_synth::staff::full_name(&mut rng);
        while !names_used.insert(name.clone()) {
            name = everychild_synth::staff::full_name(&mut rng);
        }
        let id: UserId = store
            .create_user(
                &console::<policy::CreateUser>()?,
                NewUser {
                    username: Username::parse(p.username)?,
                    display_name: DisplayName::parse(&name)?,
                    email: Email::parse_optional(&format!("{}@example.org", p.username))?,
                    job_title: Some(p.title.into()),
                    role: p.role,
                    organisation_id: org_ids[p.org],
                    password_hash: o.password_hash.clone(),
                    must_change_password: false,
                },
            )
            .await?;
        let user = console_for::<policy::ManageUser>(Target::User(id))?;
        store
            .set_staff_contact(&user, Some(&format!("0116 496 0{:03}", 900 + i)), None)
            .await?;
        if let Some(lid) = p.locality.and_then(locality_id) {
            store.set_user_localities(&user, &[lid]).await?;
            if let (Some((phase, kind, role_in_team)), Some(auth)) = (p.team, authorities.first()) {
                let phase_id = auth.phases[phase].0;
                if let Some(team) = teams.get(&(lid, phase_id, kind)) {
                    store
                        .add_team_member(
                            &console_for::<policy::ManageLocality>(Target::Locality(lid))?,
                            *team,
                            NewMember {
                                user_id: id.0,
                                relationship: if kind == "core" {
                                    "matrix"
                                } else {
                                    "coordination"
                                }
                                .into(),
                                role_in_team: role_in_team.into(),
                                sla_reference: (kind == "core")
                                    .then(|| format!("SLA/LEI/DEMO/{i:02}")),
                                since: "2009-04-01".into(),
                            },
                        )
                        .await?;
                }
            }
        }
        rows.push(SignIn {
            username: p.username,
            role: p.role,
            organisation: ORGS[p.org].name,
            name,
            id,
        });
    }
    Ok(rows)
}

#[cfg(test)]
mod staff_tests {
    use super::{ORGS, PEOPLE};

    /// Each authority's demo staff work for that authority's organisations: Peterborough's
    /// administrator and locality manager are Peterborough staff, not Leicester's.
    #[test]
    fn peterborough_staff_belong_to_peterborough_organisations() {
        let mut seen = 0;
        for p in PEOPLE
            .iter()
            .filter(|p| p.username.contains("peterborough"))
        {
            seen += 1;
            let org = &ORGS[p.org];
            assert_eq!(
                org.staffs.map(|(authority, _)| authority),
                Some(1),
                "{} works for {}, which staffs no Peterborough team",
                p.username,
                org.name
            );
        }
        assert!(seen >= 2);
    }
}
