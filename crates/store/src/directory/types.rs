//! What the directory's repository takes and gives.

use everychild_domain::directory::oruk::{Organization, Service, Taxonomy, TaxonomyTerm};
use everychild_domain::directory::{EntryStatus, Extras};

/// A provider in the directory and who maintains its entries.
#[derive(Debug, Clone, PartialEq)]
pub struct DirectoryOrg {
    /// Open Referral id (UUID).
    pub id: String,
    /// Name.
    pub name: String,
    /// The partnership organisation whose directory editors maintain its entries, if any.
    pub owner_organisation_id: Option<i64>,
    /// That organisation's name.
    pub owner_name: Option<String>,
    /// How many entries it has, in any status.
    pub entries: i64,
}

/// An entry in a list.
#[derive(Debug, Clone, PartialEq)]
pub struct EntrySummary {
    /// The service's id (UUID).
    pub id: String,
    /// The service's name in the working version.
    pub name: String,
    /// The provider's name.
    pub organisation: Option<String>,
    /// Where the working version is in its life.
    pub status: EntryStatus,
    /// Whether a version is public.
    pub live: bool,
    /// The working version's number.
    pub version: i64,
    /// When the entry must next be checked by its provider.
    pub review_by: Option<time::Date>,
    /// When it last changed (stored text form).
    pub updated_at: String,
    /// `local`, or the feed it was imported from.
    pub source: String,
}

/// One version in an entry's history.
#[derive(Debug, Clone, PartialEq)]
pub struct EntryVersion {
    /// Its number, from 1.
    pub version: i64,
    /// The status it gave the entry.
    pub status: EntryStatus,
    /// What was done: created, edit, submit, approve, reject, archive, restore, imported.
    pub change: String,
    /// The reason given (a rejection's, an archive's).
    pub note: Option<String>,
    /// Who (username, or `(console)` for an import).
    pub changed_by: String,
    /// When (stored text form).
    pub changed_at: String,
}

/// An entry in full: its working version, what is live, and its history (newest first).
#[derive(Debug, Clone)]
pub struct EntryDetail {
    /// The list facts.
    pub summary: EntrySummary,
    /// The partnership organisation that maintains it, if any.
    pub owner_organisation_id: Option<i64>,
    /// The working version's document.
    pub service: Service,
    /// The working version's extensions.
    pub extras: Extras,
    /// The version the public sees, if any.
    pub live_version: Option<i64>,
    /// The user who last changed the content (the author an approver must not be).
    pub last_author_id: Option<i64>,
    /// Every version, newest first.
    pub history: Vec<EntryVersion>,
}

/// A new version of an entry's content.
#[derive(Debug, Clone)]
pub struct EntryInput {
    /// The Open Referral document (its `id` names the entry; `organization_id` the provider).
    pub service: Service,
    /// Our extensions.
    pub extras: Extras,
    /// When the provider must next check it.
    pub review_by: Option<time::Date>,
}

/// What an Open Referral feed or folder gave, already checked item by item.
#[derive(Debug, Clone, Default)]
pub struct DirectoryImport {
    /// Where it came from (a URL or a folder), recorded with every version.
    pub source: String,
    /// Taxonomies.
    pub taxonomies: Vec<Taxonomy>,
    /// Taxonomy terms.
    pub terms: Vec<TaxonomyTerm>,
    /// Providers that are not embedded in a service.
    pub organizations: Vec<Organization>,
    /// Full services, each of which passed `Service::problems`.
    pub services: Vec<ImportedService>,
}

/// One service of a feed, with what we know beyond the feed (a feed from another directory
/// has none; the demo and benchmarks give them).
#[derive(Debug, Clone)]
pub struct ImportedService {
    /// The document.
    pub service: Service,
    /// Our extensions: `None` keeps the stored ones (or none, for a new entry).
    pub extras: Option<Extras>,
    /// When the provider must next check it: `None` keeps the stored date.
    pub review_by: Option<time::Date>,
}

impl From<Service> for ImportedService {
    fn from(service: Service) -> Self {
        Self {
            service,
            extras: None,
            review_by: None,
        }
    }
}

/// What an import did, by service id.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DirectoryImportReport {
    /// New entries, published.
    pub added: Vec<String>,
    /// Entries whose document changed: a new version, published.
    pub changed: Vec<String>,
    /// Entries whose document is the same as the one published.
    pub unchanged: Vec<String>,
    /// Entries archived here, left archived.
    pub archived_here: Vec<String>,
    /// Entries with an editor's change here waiting to be approved, left as they are.
    pub pending_here: Vec<String>,
    /// Entries whose published version was approved here: the feed's change is kept as a new
    /// version awaiting approval, and the approved one stays public until someone approves it.
    pub held_for_approval: Vec<String>,
}
