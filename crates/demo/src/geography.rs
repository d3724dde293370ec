//! The demo's places: the real geography of Leicester and Peterborough imported from the open
//! data, each authority's age phases and localities made of real wards (the assignment and its
//! reasoning are in `docs/DEMO-LOCALITIES.md`), a current boundary set, and a hub for each
//! locality and age phase plus delivery sites. Hub and site names, addresses and streets are
//! fictitious; their postcodes are real postcodes of the locality.

use crate::{console, console_for, DemoError, Result};
use everychild_domain::geo::data::GeographyData;
use everychild_domain::geo::AreaCode;
use everychild_domain::locality::{
    check_boundary_set, AgePhase, AgePhases, BoundaryProposal, LeadRule,
};
use everychild_policy::{self as policy, Target};
use everychild_store::{LocalityRepo, NewSite, SqlStore};
use rand::seq::SliceRandom;
use rand::Rng;
use std::collections::{BTreeMap, BTreeSet};

/// An authority as the demo planned it.
struct Plan {
    code: &'static str,
    town: &'static str,
    lead_rule: LeadRule,
    /// (name, min, max, SEND max)
    phases: &'static [(&'static str, u8, u8, Option<u8>)],
    /// (locality, wards by name)
    localities: &'static [(&'static str, &'static [&'static str])],
    set_name: &'static str,
    set_note: &'static str,
}

/// Leicester 2008: eight localities coterminous with the children's centre networks (000
/// §4.90), age phases 0-12 and 13-19, to 25 with learning difficulties (§4.38-4.39).
const LEICESTER: Plan = Plan {
    code: "E06000016",
    town: "Leicester",
    lead_rule: LeadRule::Home,
    phases: &[("0-12", 0, 12, None), ("13-19", 13, 19, Some(25))],
    localities: &[
        ("West Leicester", &["Western", "Fosse"]),
        ("North West Leicester", &["Beaumont Leys", "Abbey"]),
        ("North Leicester", &["Belgrave", "Rushey Mead"]),
        ("North East Leicester", &["Humberstone & Hamilton", "Troon", "Thurncourt"]),
        ("East Leicester", &["Evington", "North Evington", "Spinney Hills"]),
        ("South Leicester", &["Saffron", "Eyres Monsell", "Aylestone", "Knighton"]),
        ("South West Leicester", &["Braunstone Park & Rowley Fields", "Westcotes"]),
        ("Central Leicester", &["Castle", "Wycliffe", "Stoneygate"]),
    ],
    set_name: "Eight localities (2008)",
    set_note: "The eight neighbourhoods proposed in 2008, coterminous with the children's centre networks, made of the 2019 wards",
};

/// Peterborough 2009: three localities (003) and phases 0-7, 8-13, 14-19.
const PETERBOROUGH: Plan = Plan {
    code: "E06000031",
    town: "Peterborough",
    lead_rule: LeadRule::Home,
    phases: &[
        ("0-7", 0, 7, None),
        ("8-13", 8, 13, None),
        ("14-19", 14, 19, None),
    ],
    localities: &[
        (
            "Peterborough Central and East",
            &[
                "Central",
                "East",
                "Park",
                "North",
                "Dogsthorpe",
                "Eye, Thorney and Newborough",
            ],
        ),
        (
            "Peterborough North and West",
            &[
                "Bretton",
                "Ravensthorpe",
                "West",
                "Werrington",
                "Gunthorpe",
                "Paston and Walton",
                "Glinton and Castor",
                "Barnack",
                "Wittering",
            ],
        ),
        (
            "Peterborough South",
            &[
                "Fletton and Stanground",
                "Fletton and Woodston",
                "Hampton Vale",
                "Hargate and Hempsted",
                "Orton Longueville",
                "Orton Waterville",
                "Stanground South",
            ],
        ),
    ],
    set_name: "Three localities (2009)",
    set_note: "The three localities of Delivering through Localities, 2009",
};

/// What the demo built for one authority.
#[derive(Debug, Clone)]
pub struct DemoAuthority {
    /// Id.
    pub id: i64,
    /// Name.
    pub name: String,
    /// Localities: id and name, in plan order.
    pub localities: Vec<(i64, String)>,
    /// Age phases: id and name, youngest first.
    pub phases: Vec<(i64, String)>,
    /// Hubs: (locality id, phase id) → site id.
    pub hubs: BTreeMap<(i64, i64), i64>,
    /// Live postcodes of each locality, for placing people and services.
    pub postcodes: BTreeMap<i64, Vec<String>>,
}

const STREETS: &[&str] = &[
    "Alder Way",
    "Beech Grove",
    "Cedar Road",
    "Damson Walk",
    "Elm Close",
    "Foxglove Lane",
    "Hazel Street",
    "Juniper Road",
    "Larch Avenue",
    "Maple Drive",
    "Nutmeg Row",
    "Orchard Way",
    "Poplar Road",
    "Quince Walk",
    "Rowan Crescent",
    "Sycamore Lane",
    "Teasel Close",
    "Willow Road",
];
const NAMES: &[&str] = &[
    "Acorn",
    "Bluebell",
    "Chestnut",
    "Dandelion",
    "Evergreen",
    "Fernlea",
    "Hawthorn",
    "Ivy",
    "Kingfisher",
    "Lapwing",
    "Meadow",
    "Nightingale",
    "Oakleaf",
    "Primrose",
    "Riverside",
    "Skylark",
    "Thistle",
    "Wren",
];

fn code(s: &str) -> Result<AreaCode> {
    AreaCode::parse(s).map_err(|e| DemoError::Invalid(format!("{e}")))
}

/// Build both authorities.
pub async fn build(
    store: &SqlStore,
    data: &GeographyData,
    seed: u64,
) -> Result<Vec<DemoAuthority>> {
    let mut out = Vec::new();
    for plan in [&LEICESTER, &PETERBOROUGH] {
        out.push(
            build_one(store, data, plan, seed)
                .await
                .map_err(|e| match e {
                    DemoError::Invalid(m) => {
                        DemoError::Invalid(format!("building {}: {m}", plan.town))
                    }
                    other => other,
                })?,
        );
    }
    for s in data
        .schools
        .iter()
        .filter(|s| s.type_group == "Special schools")
    {
        store
            .set_school_city_wide(
                &console::<policy::ConfigureAuthority>()?,
                i64::from(s.urn.0),
                true,
            )
            .await?;
    }
    Ok(out)
}

async fn build_one(
    store: &SqlStore,
    data: &GeographyData,
    plan: &Plan,
    seed: u64,
) -> Result<DemoAuthority> {
    let la = code(plan.code)?;
    let authority = store
        .authorities(&console::<policy::ViewLocalities>()?)
        .await?
        .into_iter()
        .find(|a| a.code == plan.code)
        .ok_or_else(|| {
            DemoError::Invalid(format!(
                "authority {} is not in the imported geography",
                plan.code
            ))
        })?;
    let id = authority.id;
    store
        .set_lead_rule(
            &console::<policy::ConfigureAuthority>()?,
            id,
            plan.lead_rule,
        )
        .await?;
    let phases = AgePhases::parse(
        plan.phases
            .iter()
            .map(|(name, min_age, max_age, send_max_age)| AgePhase {
                name: (*name).into(),
                min_age: *min_age,
                max_age: *max_age,
                send_max_age: *send_max_age,
            })
            .collect(),
    )
    .map_err(|e| DemoError::Invalid(format!("{e}")))?;
    store
        .set_age_phases(&console::<policy::ConfigureAuthority>()?, id, &phases)
        .await?;
    let phase_rows: Vec<(i64, String)> = store
        .age_phases(&console::<policy::ViewLocalities>()?, id)
        .await?
        .into_iter()
        .map(|p| (p.id, p.name))
        .collect();

    let ward_code: BTreeMap<&str, &AreaCode> = data
        .wards
        .iter()
        .filter(|w| w.authority == la)
        .map(|w| (w.name.as_str(), &w.code))
        .collect();
    let all_wards: BTreeSet<AreaCode> = ward_code.values().map(|c| (*c).clone()).collect();
    let mut proposal = BoundaryProposal::default();
    let mut localities = Vec::new();
    for (name, wards) in plan.localities {
        let lid = store
            .create_locality(&console::<policy::ConfigureAuthority>()?, id, name)
            .await?;
        localities.push((lid, (*name).to_owned()));
        proposal.localities.insert(lid);
        for w in *wards {
            let c = ward_code.get(w).ok_or_else(|| {
                DemoError::Invalid(format!("ward {w} is not one of {}'s wards", plan.town))
            })?;
            proposal.wards.insert((*c).clone(), lid);
        }
    }
    let valid = check_boundary_set(&all_wards, proposal.clone()).map_err(|p| {
        DemoError::Invalid(format!(
            "the demo's boundary set for {} is not valid: {p:?}",
            plan.town
        ))
    })?;
    store
        .create_boundary_set(
            &console::<policy::ManageBoundarySets>()?,
            id,
            plan.set_name,
            plan.set_note,
            &valid,
            true,
        )
        .await?;
    if plan.code == LEICESTER.code {
        // A proposal kept alongside the current set: Central and East merged.
        let (central, east) = (localities[7].0, localities[4].0);
        let mut merged = proposal;
        merged.localities.remove(&east);
        for l in merged.wards.values_mut() {
            if *l == east {
                *l = central;
            }
        }
        let valid = check_boundary_set(&all_wards, merged)
            .map_err(|p| DemoError::Invalid(format!("{p:?}")))?;
        store
            .create_boundary_set(
                &console::<policy::ManageBoundarySets>()?,
                id,
                "Proposal: Central and East merged",
                "For consultation: one locality for the city centre and the east",
                &valid,
                false,
            )
            .await?;
    }

    // Live postcodes with a position, by locality.
    let locality_of_ward: BTreeMap<&AreaCode, i64> = plan
        .localities
        .iter()
        .zip(&localities)
        .flat_map(|((_, wards), (lid, _))| {
            wards
                .iter()
                .filter_map(|w| ward_code.get(w).map(|c| (*c, *lid)))
        })
        .collect();
    let mut postcodes: BTreeMap<i64, Vec<String>> = BTreeMap::new();
    for p in &data.postcodes {
        let e = &p.entry;
        if e.terminated.is_some() || e.point.is_none() || e.authority != la {
            continue;
        }
        if let Some(l) = e.ward.as_ref().and_then(|w| locality_of_ward.get(w)) {
            postcodes
                .entry(*l)
                .or_default()
                .push(e.postcode.to_string());
        }
    }

    let mut rng = everychild_synth::stream(seed, &format!("sites {}", plan.code));
    let mut names = NAMES.to_vec();
    names.shuffle(&mut rng);
    let mut next_name = names.into_iter().cycle();
    let mut hubs = BTreeMap::new();
    for (lid, lname) in &localities {
        let pcs = postcodes
            .get(lid)
            .ok_or_else(|| DemoError::Invalid(format!("{lname} has no live postcodes")))?;
        let site = |rng: &mut everychild_synth::SynthRng| {
            let pc = pcs[rng.gen_range(0..pcs.len())].clone();
            let street = STREETS[rng.gen_range(0..STREETS.len())];
            (
                format!("{} {street}, {}", rng.gen_range(1..200), plan.town),
                pc,
            )
        };
        for (i, (pid, pname)) in phase_rows.iter().enumerate() {
            let (address, postcode) = site(&mut rng);
            let (label, building) = match (i, phase_rows.len()) {
                (0, _) => ("Children and Families Hub", "childrens_centre"),
                (1, 3) => ("Children's Hub", "primary_school"),
                _ => ("Young People's Hub", "youth_centre"),
            };
            let short = lname.replace(" Leicester", "").replace("Peterborough ", "");
            let sid = store
                .add_site(
                    &console_for::<policy::ManageLocality>(Target::Locality(*lid))?,
                    NewSite {
                        age_phase_id: Some(*pid),
                        is_hub: true,
                        name: format!("{short} {label} ({pname})"),
                        building_type: building.into(),
                        address,
                        postcode,
                    },
                )
                .await?;
            hubs.insert((*lid, *pid), sid);
        }
        for building in ["neighbourhood_centre", "library"] {
            let (address, postcode) = site(&mut rng);
            let label = if building == "library" {
                "Library"
            } else {
                "Community Centre"
            };
            let base = next_name.next().unwrap_or("Meadow");
            store
                .add_site(
                    &console_for::<policy::ManageLocality>(Target::Locality(*lid))?,
                    NewSite {
                        age_phase_id: None,
                        is_hub: false,
                        name: format!("{base} {label}, {}", lname.replace(" Leicester", "")),
                        building_type: building.into(),
                        address,
                        postcode,
                    },
                )
                .await?;
        }
    }
    Ok(DemoAuthority {
        id,
        name: authority.name,
        localities,
        phases: phase_rows,
        hubs,
        postcodes,
    })
}
