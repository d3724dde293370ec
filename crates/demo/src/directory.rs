//! The demo's service directory: a generated Leicester directory (fictitious providers at real
//! postcodes, `everychild_synth::directory`) brought in as one import, with providers maintained
//! by the demo's partnership organisations; then a little governance done through the editors'
//! own permits, so the editor's and approver's pages have work on them: drafts, an entry
//! awaiting approval, a published entry with a newer draft, an archived entry.

use crate::{console, DemoAuthority, Result};
use everychild_domain::directory::oruk::Organization;
use everychild_domain::directory::EntryCommand;
use everychild_domain::geo::data::GeographyData;
use everychild_domain::OrganisationId;
use everychild_policy::{self as policy, authorize, Principal, Target};
use everychild_store::{DirectoryImport, DirectoryRepo, EntryInput, ImportedService, SqlStore};
use everychild_synth::directory::{directory, DirectoryPlace, DirectorySpec, GeneratedDirectory};
use std::collections::BTreeMap;

/// What the directory builder made.
#[derive(Debug, Clone, Default)]
pub struct Report {
    /// Services published.
    pub services: usize,
    /// Providers.
    pub providers: usize,
}

/// Which partnership organisation maintains a provider's entries, from the kind of provider.
pub struct Owners {
    /// The council's children's services (council-run providers).
    pub council: OrganisationId,
    /// The community health trust (NHS providers).
    pub health: OrganisationId,
    /// The voluntary-sector partner, whose directory editor signs in to the demo.
    pub voluntary: OrganisationId,
}

fn owner_of(
    o: &Organization,
    owners: &Owners,
    voluntary_seen: &mut usize,
) -> Option<OrganisationId> {
    if o.name.contains("City Council") {
        Some(owners.council)
    } else if o.name.contains("NHS") {
        Some(owners.health)
    } else {
        // A third of the voluntary providers are maintained by the demo's voluntary partner;
        // the rest by nobody (as if imported), so approvers keep them.
        *voluntary_seen += 1;
        (*voluntary_seen % 3 == 1).then_some(owners.voluntary)
    }
}

/// The places the generator may put services: each locality's live postcodes with positions.
pub fn places(geo: &GeographyData, auth: &DemoAuthority) -> Vec<DirectoryPlace> {
    let positions: BTreeMap<String, (f64, f64)> = geo
        .postcodes
        .iter()
        .filter_map(|p| {
            let ll = p.entry.point?.to_wgs84();
            Some((p.entry.postcode.to_string(), (ll.latitude, ll.longitude)))
        })
        .collect();
    auth.localities
        .iter()
        .filter_map(|(id, name)| {
            let pcs: Vec<(String, f64, f64)> = auth
                .postcodes
                .get(id)?
                .iter()
                .filter_map(|pc| positions.get(pc).map(|(la, lo)| (pc.clone(), *la, *lo)))
                .take(400)
                .collect();
            (!pcs.is_empty()).then(|| DirectoryPlace {
                locality_id: *id,
                locality_name: name.clone(),
                postcodes: pcs,
            })
        })
        .collect()
}

/// Generate `services` services for `auth`'s localities.
pub fn generate(
    geo: &GeographyData,
    auth: &DemoAuthority,
    services: usize,
    seed: u64,
    today: time::Date,
) -> GeneratedDirectory {
    let places = places(geo, auth);
    let name = auth.name.split_whitespace().next().unwrap_or("Leicester");
    directory(&DirectorySpec {
        authority_name: name,
        places: &places,
        services,
        seed,
        today,
    })
}

/// Import a generated directory in one transaction, every service published.
pub async fn import(store: &SqlStore, d: &GeneratedDirectory, source: &str) -> Result<usize> {
    let feed = DirectoryImport {
        source: source.to_owned(),
        taxonomies: d.taxonomies.clone(),
        terms: d.terms.clone(),
        organizations: d.organizations.clone(),
        services: d
            .entries
            .iter()
            .map(|e| ImportedService {
                service: e.service.clone(),
                extras: Some(e.extras.clone()),
                review_by: Some(e.review_by),
            })
            .collect(),
    };
    let report = store
        .import_directory(&console::<policy::ImportDirectory>()?, &feed)
        .await?;
    Ok(report.added.len() + report.changed.len() + report.unchanged.len())
}

/// Who does the demo's governance: a directory editor of `Owners::voluntary` and an approver.
pub struct Governance<'a> {
    /// The editor.
    pub editor: &'a Principal,
    /// The approver (a commissioner).
    pub approver: &'a Principal,
}

/// Publish the demo directory on `store`: providers and their owners, and `services` services
/// whose review dates are relative to `today`.
pub async fn publish(
    store: &SqlStore,
    geo: &GeographyData,
    auth: &DemoAuthority,
    owners: &Owners,
    services: usize,
    seed: u64,
    today: time::Date,
) -> Result<(Report, GeneratedDirectory)> {
    let d = generate(geo, auth, services, seed, today);
    let mut seen = 0;
    for o in &d.organizations {
        let owner = owner_of(o, owners, &mut seen);
        store
            .save_directory_organisation(
                &console::<policy::ManageDirectoryOrganisations>()?,
                o,
                owner.map(|x| x.0),
            )
            .await?;
    }
    let services = import(store, &d, "demo").await?;
    let report = Report {
        services,
        providers: d.organizations.len(),
    };
    Ok((report, d))
}

/// Some governance through the editor's own permits on their organisation's first entries: a
/// draft beside a live version, one awaiting approval, one approved by the approver, one
/// archived.
pub async fn govern(
    store: &SqlStore,
    d: &GeneratedDirectory,
    owners: &Owners,
    who: Governance<'_>,
) -> Result<()> {
    let (editor, approver) = (who.editor, who.approver);
    let Principal::User(actor) = editor else {
        return Ok(());
    };
    let own: Vec<&Organization> = {
        let mut seen = 0;
        d.organizations
            .iter()
            .filter(|o| owner_of(o, owners, &mut seen) == Some(owners.voluntary))
            .collect()
    };
    let mine: Vec<_> = d
        .entries
        .iter()
        .filter(|e| {
            e.service
                .organization_id
                .as_ref()
                .is_some_and(|id| own.iter().any(|o| &o.id == id))
        })
        .take(4)
        .collect();
    let target = Target::Organisation(actor.organisation_id);
    let edit = authorize::<policy::EditDirectoryEntry>(editor, target, None)?;
    let approve = authorize::<policy::ApproveDirectoryEntry>(approver, Target::None, None)?;
    for (i, e) in mine.iter().enumerate() {
        let mut service = e.service.clone();
        service.description = service
            .description
            .map(|d| format!("{d} Sessions are now also held in the school holidays."));
        let input = EntryInput {
            service,
            extras: e.extras.clone(),
            review_by: Some(e.review_by),
        };
        let id = e.service.id.as_str();
        // Version 1 is the import; the editor's change makes version 2 (a draft, while version
        // 1 stays public).
        let v = store.save_directory_entry(&edit, &input, Some(1)).await?;
        match i {
            0 => {} // a draft with the published version still live
            1 => {
                store
                    .move_directory_entry(&edit, id, v, EntryCommand::Submit, None)
                    .await?
            }
            2 => {
                store
                    .move_directory_entry(&edit, id, v, EntryCommand::Submit, None)
                    .await?;
                store
                    .decide_directory_entry(&approve, id, v + 1, true, None)
                    .await?;
            }
            _ => {
                store
                    .move_directory_entry(
                        &edit,
                        id,
                        v,
                        EntryCommand::Archive,
                        Some("The group has closed for the year"),
                    )
                    .await?
            }
        }
    }
    Ok(())
}
