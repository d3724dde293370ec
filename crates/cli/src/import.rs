//! `everychild import …`: bring open or partner data into the database. Each import runs in
//! one transaction (a bad file changes nothing), reports what it added, changed and left alone,
//! and importing the same files again changes nothing.

use crate::config::{self, DbArgs};
use anyhow::Context;
use clap::{Args, Subcommand};
use everychild_domain::geo::data::GeographyData;
use everychild_policy::{self as policy, authorize, Principal, Target};
use everychild_store::{GeoRepo, GeographyReport, ImportReport, OrgRepo, PeopleRepo, SqlStore};
use std::path::{Path, PathBuf};

/// What to import.
#[derive(Debug, Subcommand)]
pub enum ImportCommand {
    /// Wards, LSOAs, deprivation, population, postcodes, schools and boundaries from the ONS,
    /// MHCLG, Ordnance Survey and DfE files in a geography folder (e.g. shared/data/geo).
    Geography(GeographyArgs),
    /// An agency's extract of the children it works with (CSV): each row is linked to a child
    /// in the index, queued for review, or made a new child; the agency is recorded as
    /// involved. Re-importing the same extract changes nothing.
    People(PeopleArgs),
    /// Another Open Referral UK 3.0 feed (an API's base URL, or a folder of its documents):
    /// every valid service is upserted by id and published, every invalid one refused with its
    /// reasons; re-importing the same feed changes nothing.
    Openreferral(crate::openreferral::OpenReferralArgs),
}

/// `import people` options.
#[derive(Debug, Args)]
pub struct PeopleArgs {
    /// The agency: an organisation's exact name or its number.
    pub agency: String,
    /// The extract (CSV with a header row).
    pub csv: PathBuf,
    /// Which column holds which field, as field=COLUMN (repeat, or separate with commas).
    /// Fields: source_id (required), given_name, middle_names, family_name (or full_name),
    /// date_of_birth (required), sex, postcode, address, nhs_number, upn, since, team.
    #[arg(long = "map", value_delimiter = ',', required = true)]
    pub map: Vec<String>,
    /// What to do with an NHS number that fails its modulus 11 check: refuse the row (the
    /// default) or keep it marked unverified.
    #[arg(long, value_parser = ["refuse", "keep-unverified"], default_value = "refuse")]
    pub bad_nhs_number: String,
    #[command(flatten)]
    pub db: DbArgs,
}

/// `import geography` options.
#[derive(Debug, Args)]
pub struct GeographyArgs {
    /// The geography folder (holding lookups/, imd2019/, population/, postcodes/, schools/ and
    /// boundaries/).
    pub dir: PathBuf,
    #[command(flatten)]
    pub db: DbArgs,
}

/// Read a geography folder.
pub fn read_geography(dir: &Path) -> anyhow::Result<GeographyData> {
    everychild_formats::geo::read_dir(dir)
        .map_err(|e| anyhow::anyhow!("the import was not made, nothing was changed: {e}"))
}

/// Import geography as the console.
pub async fn geography(store: &SqlStore, data: &GeographyData) -> anyhow::Result<GeographyReport> {
    let permit = authorize::<policy::ImportGeography>(
        &Principal::Console,
        Target::None,
        Some("import open geography data"),
    )
    .map_err(|d| anyhow::anyhow!("{d}"))?;
    store
        .import_geography(&permit, data)
        .await
        .context("the import was not made, nothing was changed")
}

/// A report as lines of text.
pub fn print_report(r: &GeographyReport) {
    println!(
        "{:<14} {:>8} {:>8} {:>10}",
        "TABLE", "ADDED", "CHANGED", "UNCHANGED"
    );
    for (name, c) in r.tables() {
        println!(
            "{name:<14} {:>8} {:>8} {:>10}",
            c.added, c.changed, c.unchanged
        );
    }
}

/// Read and import an agency's extract as the console; prints what was done.
pub async fn people(store: &SqlStore, a: &PeopleArgs) -> anyhow::Result<ImportReport> {
    use everychild_formats::people::{read, BadNhsNumber, Mapping};
    let map = Mapping::parse(&a.map)
        .map_err(|p| anyhow::anyhow!("the extract was not imported: {}", p.join("; ")))?;
    let file = std::fs::File::open(&a.csv)
        .with_context(|| format!("could not open {}", a.csv.display()))?;
    let bad = if a.bad_nhs_number == "keep-unverified" {
        BadNhsNumber::KeepUnverified
    } else {
        BadNhsNumber::Refuse
    };
    let name = a.csv.display().to_string();
    let extract = read(&name, file, &map, bad)
        .map_err(|e| anyhow::anyhow!("the extract was not imported, nothing was changed: {e}"))?;
    let orgs = store
        .list_organisations(&console::<policy::ListOrganisations>()?)
        .await?;
    let org = orgs
        .iter()
        .find(|o| o.name == a.agency || o.id.to_string() == a.agency)
        .ok_or_else(|| {
            anyhow::anyhow!(
                "there is no organisation called {:?}: add it first (the organisation pages)",
                a.agency
            )
        })?;
    for r in &extract.refused {
        println!(
            "refused: {name}, line {} ({}): {}",
            r.line, r.source_id, r.reason
        );
    }
    let report = store
        .import_agency_extract(
            &console::<policy::ImportAgencyRecords>()?,
            org.id,
            &extract.rows,
        )
        .await
        .context("the extract was not imported, nothing was changed")?;
    println!(
        "{}: {} rows read, {} refused; {} unchanged, {} changed, {} linked to a known child, {} new children, {} queued for review{}",
        org.name,
        extract.rows.len() + extract.refused.len(),
        extract.refused.len(),
        report.unchanged,
        report.changed,
        report.linked,
        report.new_people,
        report.review,
        if report.trained { " (linkage model trained)" } else { "" }
    );
    Ok(report)
}

fn console<C: policy::Capability>() -> anyhow::Result<policy::Permit<C>> {
    authorize::<C>(
        &Principal::Console,
        Target::None,
        Some("import an agency's extract"),
    )
    .map_err(|d| anyhow::anyhow!("{d}"))
}

/// Run an import command.
pub async fn run(c: ImportCommand) -> anyhow::Result<()> {
    match c {
        ImportCommand::Geography(a) => {
            let url = config::database_url(&a.db)?;
            let store = crate::open(&a.db, &url, &Default::default()).await?;
            let data = read_geography(&a.dir)?;
            let report = geography(&store, &data).await?;
            print_report(&report);
            Ok(())
        }
        ImportCommand::People(a) => {
            let url = config::database_url(&a.db)?;
            let store = crate::open(&a.db, &url, &Default::default()).await?;
            people(&store, &a).await.map(|_| ())
        }
        ImportCommand::Openreferral(a) => crate::openreferral::run(a).await,
    }
}
