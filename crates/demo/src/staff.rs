//! The demo's locality teams: for every locality and age phase a core team (matrix-managed by the
//! hub under a service level agreement) and an extended team (co-ordinated), staffed by
//! fictitious people employed by their own organisations (000 §4.55-4.57), with line managers;
//! and city-wide services naming a contact for each locality (003 Q6).

use super::geography::DemoAuthority;
use crate::{console, console_for, DemoError, Result};
use everychild_domain::{DisplayName, Email, OrganisationId, Role, UserId, Username};
use everychild_policy::{self as policy, Target};
use everychild_store::{LocalityRepo, NewMember, NewTeam, NewUser, SqlStore, UserRepo};
use everychild_synth::{staff::full_name, SynthRng};
use rand::Rng;
use std::collections::{BTreeMap, BTreeSet};

/// Which organisation of an authority employs someone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Employer {
    /// The council's children's services.
    Council,
    /// The community health trust.
    Health,
    /// The police.
    Police,
    /// A housing association.
    Housing,
    /// A voluntary-sector family charity.
    Voluntary,
}

/// One authority's organisations.
pub struct Orgs(pub BTreeMap<Employer, OrganisationId>);

/// (role in team, job title, employer)
type Post = (&'static str, &'static str, Employer);

const YOUNGEST_CORE: &[Post] = &[
    ("Health visitor", "Health visitor", Employer::Health),
    (
        "Family support worker",
        "Family support worker",
        Employer::Council,
    ),
    (
        "Outreach worker",
        "Children's centre outreach worker",
        Employer::Council,
    ),
    ("Family worker", "Family worker", Employer::Voluntary),
];
const MIDDLE_CORE: &[Post] = &[
    ("School nurse", "School nurse", Employer::Health),
    (
        "Family support worker",
        "Family support worker",
        Employer::Council,
    ),
    (
        "Education welfare officer",
        "Education welfare officer",
        Employer::Council,
    ),
    (
        "Play worker",
        "Play and activities worker",
        Employer::Voluntary,
    ),
];
const OLDEST_CORE: &[Post] = &[
    ("Youth worker", "Youth worker", Employer::Council),
    (
        "Personal adviser",
        "Connexions personal adviser",
        Employer::Council,
    ),
    ("School nurse", "School nurse", Employer::Health),
    (
        "Youth inclusion worker",
        "Youth inclusion worker",
        Employer::Voluntary,
    ),
];
const YOUNG_EXTENDED: &[Post] = &[
    ("Social worker", "Social worker", Employer::Council),
    (
        "Police community support officer",
        "Police community support officer",
        Employer::Police,
    ),
    (
        "Housing support officer",
        "Tenancy support officer",
        Employer::Housing,
    ),
    (
        "Speech and language therapist",
        "Speech and language therapist",
        Employer::Health,
    ),
];
const OLDER_EXTENDED: &[Post] = &[
    ("Social worker", "Social worker", Employer::Council),
    (
        "Youth offending prevention officer",
        "Youth offending prevention officer",
        Employer::Council,
    ),
    (
        "Police community support officer",
        "Police community support officer",
        Employer::Police,
    ),
    (
        "Housing support officer",
        "Tenancy support officer",
        Employer::Housing,
    ),
];

/// City-wide services of every authority: (name, employer).
const CITYWIDE: &[(&str, Employer)] = &[
    ("Educational Psychology Service", Employer::Council),
    (
        "Child and Adolescent Mental Health Service",
        Employer::Health,
    ),
    ("Youth Offending Service", Employer::Council),
    ("Disabled Children's Service", Employer::Council),
];

/// Makes demo users with unique usernames.
pub struct People<'a> {
    pub store: &'a SqlStore,
    pub hash: String,
    pub rng: SynthRng,
    pub used: BTreeSet<String>,
    /// Ofcom's range of numbers for drama, by authority (e.g. 0116 496 0000-0999 in Leicester).
    pub phone_prefix: &'static str,
    pub next_phone: u32,
    pub count: usize,
    /// Every member of staff made, in order.
    pub made: Vec<Made>,
}

/// A member of staff the demo made.
#[derive(Debug, Clone)]
pub struct Made {
    /// Account id.
    pub id: UserId,
    /// Sign-in name.
    pub username: String,
    /// Full name.
    pub name: String,
    /// Role.
    pub role: Role,
    /// Employer.
    pub organisation: OrganisationId,
    /// Localities they work in.
    pub localities: Vec<i64>,
}

impl People<'_> {
    /// Create a practitioner (or other role) with a fictitious name; returns the id.
    pub async fn add(
        &mut self,
        role: Role,
        title: &str,
        org: OrganisationId,
        line_manager: Option<UserId>,
        localities: &[i64],
    ) -> Result<UserId> {
        let name = full_name(&mut self.rng);
        let base: String = name
            .to_lowercase()
            .chars()
            .map(|c| if c == ' ' { '.' } else { c })
            .filter(|c| c.is_ascii_lowercase() || *c == '.')
            .collect();
        let mut username = base.clone();
        let mut n = 2;
        while !self.used.insert(username.clone()) {
            username = format!("{base}{n}");
            n += 1;
        }
        let e = DemoError::from;
        let id = self
            .store
            .create_user(
                &console::<policy::CreateUser>()?,
                NewUser {
                    username: Username::parse(&username).map_err(e)?,
                    display_name: DisplayName::parse(&name).map_err(e)?,
                    email: Email::parse_optional(&format!("{username}@example.org")).map_err(e)?,
                    job_title: Some(title.to_owned()),
                    role,
                    organisation_id: org,
                    password_hash: self.hash.clone(),
                    must_change_password: false,
                },
            )
            .await?;
        let phone = format!("{} {:03}", self.phone_prefix, self.next_phone % 1000);
        self.next_phone += 1 + self.rng.gen_range(0..3);
        let user = console_for::<policy::ManageUser>(Target::User(id))?;
        self.store
            .set_staff_contact(&user, Some(&phone), line_manager.map(|m| m.0))
            .await?;
        if !localities.is_empty() {
            self.store.set_user_localities(&user, localities).await?;
        }
        self.count += 1;
        self.made.push(Made {
            id,
            username,
            name,
            role,
            organisation: org,
            localities: localities.to_vec(),
        });
        Ok(id)
    }
}

/// Teams by (locality, age phase, kind).
pub type Teams = BTreeMap<(i64, i64, &'static str), i64>;

/// Staff the teams of one authority.
pub async fn build(
    people: &mut People<'_>,
    a: &DemoAuthority,
    orgs: &Orgs,
    sla_code: &str,
) -> Result<Teams> {
    let mut teams = Teams::new();
    let org = |e: Employer| {
        orgs.0
            .get(&e)
            .copied()
            .ok_or_else(|| DemoError::Invalid(format!("no organisation for {e:?}")))
    };
    let all: Vec<i64> = a.localities.iter().map(|l| l.0).collect();
    let mut managers = BTreeMap::new();
    for e in [
        Employer::Council,
        Employer::Health,
        Employer::Police,
        Employer::Housing,
        Employer::Voluntary,
    ] {
        let m = people
            .add(Role::Practitioner, "Service manager", org(e)?, None, &all)
            .await?;
        managers.insert(e, m);
    }
    let last_phase = a.phases.len().saturating_sub(1);
    for (li, (lid, lname)) in a.localities.iter().enumerate() {
        for (pi, (pid, pname)) in a.phases.iter().enumerate() {
            let core: &[Post] = match pi {
                0 => YOUNGEST_CORE,
                i if i == last_phase => OLDEST_CORE,
                _ => MIDDLE_CORE,
            };
            let extended = if pi == 0 {
                YOUNG_EXTENDED
            } else {
                OLDER_EXTENDED
            };
            for (kind, posts) in [("core", core), ("extended", extended)] {
                let permit = console_for::<policy::ManageLocality>(Target::Locality(*lid))?;
                let team = people
                    .store
                    .create_team(
                        &permit,
                        NewTeam {
                            age_phase_id: *pid,
                            kind: kind.into(),
                            name: format!("{lname} {pname} {kind} team"),
                            base_site_id: a.hubs.get(&(*lid, *pid)).copied(),
                        },
                    )
                    .await?;
                teams.insert((*lid, *pid, kind), team);
                for (n, (role_in_team, title, employer)) in posts.iter().enumerate() {
                    let manager = managers.get(employer).copied();
                    let user = people
                        .add(Role::Practitioner, title, org(*employer)?, manager, &[*lid])
                        .await?;
                    let matrix = kind == "core";
                    people
                        .store
                        .add_team_member(
                            &permit,
                            team,
                            NewMember {
                                user_id: user.0,
                                relationship: if matrix { "matrix" } else { "coordination" }.into(),
                                role_in_team: (*role_in_team).into(),
                                sla_reference: matrix.then(|| {
                                    format!("SLA/{sla_code}/{:02}{}{}", li + 1, pi + 1, n + 1)
                                }),
                                since: "2009-04-01".into(),
                            },
                        )
                        .await?;
                }
            }
        }
    }
    for (service, employer) in CITYWIDE {
        let sid = people
            .store
            .add_citywide_service(
                &console::<policy::ConfigureAuthority>()?,
                a.id,
                service,
                org(*employer)?.0,
            )
            .await?;
        // One named contact covers two localities.
        let mut contact = None;
        for (i, (lid, _)) in a.localities.iter().enumerate() {
            if i % 2 == 0 || contact.is_none() {
                let pair: Vec<i64> = a.localities.iter().skip(i).take(2).map(|l| l.0).collect();
                contact = Some(
                    people
                        .add(
                            Role::Practitioner,
                            &format!("{service}: locality link"),
                            org(*employer)?,
                            managers.get(employer).copied(),
                            &pair,
                        )
                        .await?,
                );
            }
            if let Some(c) = contact {
                people
                    .store
                    .set_citywide_contact(
                        &console_for::<policy::ManageLocality>(Target::Locality(*lid))?,
                        sid,
                        c.0,
                    )
                    .await?;
            }
        }
    }
    // A hub manager for each locality, who runs its front door and panel (000 §4.55). Made
    // last, so the names drawn for everyone before stay as they were.
    for (lid, lname) in &a.localities {
        people
            .add(
                Role::LocalityManager,
                &format!("Hub manager, {lname}"),
                org(Employer::Council)?,
                managers.get(&Employer::Council).copied(),
                &[*lid],
            )
            .await?;
    }
    Ok(teams)
}
