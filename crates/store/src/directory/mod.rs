//! The service directory: providers and who maintains them, entries with every version kept,
//! the life of an entry (domain `EntryStatus`), imports from Open Referral feeds (`import.rs`)
//! and the in-memory search index the public pages and the Open Referral API answer from
//! (`index.rs`). Every change is audited in its own transaction; an entry's owner is checked
//! against the permit's organisation in that same transaction.

mod import;
mod index;
pub mod types;

use crate::audit::Event;
use crate::localities::maker;
use crate::{Result, SqlStore, StoreError};
use async_trait::async_trait;
use everychild_domain::directory::oruk::{Organization, Service};
use everychild_domain::directory::search::DirectoryIndex;
use everychild_domain::directory::{EntryCommand, EntryStatus};
use everychild_policy::{self as policy, Capability, Permit, Target};
use serde_json::json;
use sqlx::{Any, Transaction};
use std::sync::Arc;
use types::*;

/// The cached search index of one store.
pub type DirectoryCache = crate::cache::VersionedCache<DirectoryIndex>;

/// A new, empty search-index cache.
pub(crate) fn new_cache() -> DirectoryCache {
    crate::cache::VersionedCache::new("directory_version")
}

/// Which entries a permit reaches: one partnership organisation's, or (for those who look
/// after the whole directory) all.
fn owner_scope<C: Capability>(p: &Permit<C>) -> Result<Option<i64>> {
    match p.target() {
        Target::Organisation(o) => Ok(Some(o.0)),
        Target::None => Ok(None),
        _ => Err(StoreError::Database(
            "a directory permit is for one organisation or for the whole directory".into(),
        )),
    }
}

fn conflict(field: &'static str, message: impl std::fmt::Display) -> StoreError {
    StoreError::invalid(field, message.to_string())
}

fn to_json<T: serde::Serialize>(v: &T) -> Result<String> {
    serde_json::to_string(v).map_err(|e| StoreError::Database(e.to_string()))
}

fn from_json<T: serde::de::DeserializeOwned>(s: &str) -> Result<T> {
    serde_json::from_str(s).map_err(|e| StoreError::Corrupt(e.to_string()))
}

fn status_of(s: &str) -> Result<EntryStatus> {
    EntryStatus::parse(s).ok_or_else(|| StoreError::Corrupt(format!("entry status {s}")))
}

fn date_of(s: Option<String>) -> Option<time::Date> {
    let s = s?;
    time::Date::parse(&s, &time::format_description::well_known::Iso8601::DATE).ok()
}

pub(super) fn date_text(d: time::Date) -> String {
    format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
}

/// The current state of an entry, read inside a change's transaction.
struct Current {
    status: EntryStatus,
    version: i64,
    live_version: Option<i64>,
    owner: Option<i64>,
    document: String,
    extras: String,
    review_by: Option<String>,
}

async fn current(tx: &mut Transaction<'static, Any>, id: &str) -> Result<Option<Current>> {
    type Row = (
        String,
        i64,
        Option<i64>,
        Option<i64>,
        String,
        String,
        Option<String>,
    );
    let row: Option<Row> = sqlx::query_as(
        "SELECT e.status, e.version, e.live_version, o.owner_organisation_id, v.document, v.extras, v.review_by \
         FROM directory_entries e \
         JOIN directory_entry_versions v ON v.entry_id = e.id AND v.version = e.version \
         LEFT JOIN directory_organisations o ON o.id = e.directory_organisation_id \
         WHERE e.id = $1",
    )
    .bind(id)
    .fetch_optional(&mut **tx)
    .await?;
    row.map(|r| {
        Ok(Current {
            status: status_of(&r.0)?,
            version: r.1,
            live_version: r.2,
            owner: r.3,
            document: r.4,
            extras: r.5,
            review_by: r.6,
        })
    })
    .transpose()
}

/// The entry, if it exists and the permit reaches it; a stale `version` is refused.
async fn reachable<C: Capability>(
    tx: &mut Transaction<'static, Any>,
    p: &Permit<C>,
    id: &str,
    version: i64,
) -> Result<Current> {
    let scope = owner_scope(p)?;
    let cur = current(tx, id)
        .await?
        .ok_or_else(|| StoreError::NotFound(format!("There is no directory entry {id}")))?;
    if scope.is_some() && cur.owner != scope {
        // Not one of the permit's organisation's entries: as if it did not exist.
        return Err(StoreError::NotFound(format!(
            "There is no directory entry {id}"
        )));
    }
    if cur.version != version {
        return Err(conflict(
            "version",
            "Someone else changed this entry after you opened it. Nothing was saved: reload it to see their change",
        ));
    }
    Ok(cur)
}

/// A new version row.
struct NewVersion<'a> {
    id: &'a str,
    version: i64,
    status: EntryStatus,
    change: &'a str,
    note: Option<&'a str>,
    document: &'a str,
    extras: &'a str,
    review_by: Option<&'a str>,
}

async fn insert_version<C: Capability>(
    store: &SqlStore,
    tx: &mut Transaction<'static, Any>,
    p: &Permit<C>,
    v: NewVersion<'_>,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO directory_entry_versions (entry_id, version, status, change, note, document, extras, review_by, changed_by_id, changed_by, changed_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    )
    .bind(v.id)
    .bind(v.version)
    .bind(v.status.as_str())
    .bind(v.change)
    .bind(v.note)
    .bind(v.document)
    .bind(v.extras)
    .bind(v.review_by)
    .bind(p.actor().map(|a| a.user_id.0))
    .bind(maker(p.principal()))
    .bind(store.now().to_db())
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Check an entry's content as the store will keep it, naming the first problem.
fn check(input: &EntryInput) -> Result<()> {
    let mut problems = input.service.problems();
    problems.extend(input.extras.problems());
    match problems.first() {
        Some(p) => Err(conflict("service", p)),
        None => Ok(()),
    }
}

impl SqlStore {
    /// The provider of a document, checked against the permit's organisation; its stored
    /// document is embedded in the service.
    async fn provider_for<C: Capability>(
        &self,
        tx: &mut Transaction<'static, Any>,
        p: &Permit<C>,
        service: &mut Service,
    ) -> Result<String> {
        let org_id = service
            .organization_id
            .clone()
            .or_else(|| service.organization.as_ref().map(|o| o.id.clone()))
            .ok_or_else(|| {
                conflict(
                    "organization_id",
                    "Choose the organisation that provides the service",
                )
            })?;
        let row: Option<(String, Option<i64>)> = sqlx::query_as(
            "SELECT document, owner_organisation_id FROM directory_organisations WHERE id = $1",
        )
        .bind(&org_id)
        .fetch_optional(&mut **tx)
        .await?;
        let Some((doc, owner)) = row else {
            return Err(conflict(
                "organization_id",
                "There is no such organisation in the directory",
            ));
        };
        if let Some(scope) = owner_scope(p)? {
            if owner != Some(scope) {
                return Err(conflict(
                    "organization_id",
                    "You can only write entries for your own organisation's services",
                ));
            }
        }
        let org: Organization = from_json(&doc)?;
        service.organization_id = Some(org_id.clone());
        service.organization = Some(org);
        Ok(org_id)
    }

    /// Move an entry on in its life: `cmd` is submit, archive or restore for its editors
    /// (`EditDirectoryEntry`), approve or reject for approvers (`ApproveDirectoryEntry`).
    async fn move_entry<C: Capability>(
        &self,
        p: &Permit<C>,
        id: &str,
        version: i64,
        cmd: EntryCommand,
        note: Option<&str>,
    ) -> Result<()> {
        let note = note.map(str::trim).filter(|n| !n.is_empty());
        if cmd == EntryCommand::Reject && note.is_none() {
            return Err(conflict(
                "note",
                "Say why the entry is returned, so its provider can put it right",
            ));
        }
        let mut a = self.audited(p).await?;
        let cur = reachable(&mut a.tx, p, id, version).await?;
        let status = cur.status.apply(cmd).map_err(|e| conflict("status", e))?;
        if cmd == EntryCommand::Approve {
            let author: Option<(Option<i64>,)> = sqlx::query_as(
                "SELECT changed_by_id FROM directory_entry_versions WHERE entry_id = $1 \
                 AND change IN ('created', 'edit', 'imported') ORDER BY version DESC LIMIT 1",
            )
            .bind(id)
            .fetch_optional(&mut *a.tx)
            .await?;
            let me = p.actor().map(|a| a.user_id.0);
            if me.is_some() && author.and_then(|r| r.0) == me {
                return Err(conflict(
                    "status",
                    "You wrote this version, so another approver must approve it",
                ));
            }
        }
        let next = cur.version + 1;
        let live = match cmd {
            EntryCommand::Approve => Some(next),
            EntryCommand::Archive => None,
            _ => cur.live_version,
        };
        sqlx::query(
            "UPDATE directory_entries SET status = $2, version = $3, live_version = $4, updated_at = $5 WHERE id = $1",
        )
        .bind(id)
        .bind(status.as_str())
        .bind(next)
        .bind(live)
        .bind(self.now().to_db())
        .execute(&mut *a.tx)
        .await?;
        insert_version(
            self,
            &mut a.tx,
            p,
            NewVersion {
                id,
                version: next,
                status,
                change: cmd.as_str(),
                note,
                document: &cur.document,
                extras: &cur.extras,
                review_by: cur.review_by.as_deref(),
            },
        )
        .await?;
        let public_changed = live != cur.live_version;
        if public_changed {
            self.directory.bump(&mut a.tx).await?;
        }
        let action = format!("directory.entry.{}", cmd.as_str());
        a.commit(
            Event::success(&action, Some(("directory_entry", id.to_owned())))
                .detail(json!({"version": next, "status": status.as_str(), "note": note})),
        )
        .await?;
        if public_changed {
            self.directory.invalidate();
        }
        Ok(())
    }
}

/// The service directory: the public search index, providers, entries with their history and
/// life, and imports from Open Referral feeds. Every change is audited.
#[async_trait]
pub trait DirectoryRepo: Send + Sync {
    /// The search index of every live entry (public; cached, rebuilt when the directory
    /// changes).
    async fn directory_index(
        &self,
        p: &Permit<policy::ViewDirectory>,
    ) -> Result<Arc<everychild_domain::directory::search::DirectoryIndex>>;
    /// Which partnership organisation maintains an entry: `None` if there is no such entry,
    /// `Some(None)` if nobody does (names nothing personal; used to ask for the right permit).
    async fn directory_entry_owner(
        &self,
        p: &Permit<policy::ViewDirectory>,
        id: &str,
    ) -> Result<Option<Option<i64>>>;
    /// The providers the permit reaches (one organisation's, or all).
    async fn directory_organisations(
        &self,
        p: &Permit<policy::ViewDirectoryEntries>,
    ) -> Result<Vec<DirectoryOrg>>;
    /// Add or change a provider and who maintains its entries; audited.
    async fn save_directory_organisation(
        &self,
        p: &Permit<policy::ManageDirectoryOrganisations>,
        org: &everychild_domain::directory::oruk::Organization,
        owner: Option<i64>,
    ) -> Result<()>;
    /// The entries the permit reaches, in every status, by name.
    async fn directory_entries(
        &self,
        p: &Permit<policy::ViewDirectoryEntries>,
    ) -> Result<Vec<EntrySummary>>;
    /// One entry with its working version and history, if the permit reaches it.
    async fn directory_entry(
        &self,
        p: &Permit<policy::ViewDirectoryEntries>,
        id: &str,
    ) -> Result<Option<EntryDetail>>;
    /// Create an entry as a draft (`base` is `None`) or save a new version of its content
    /// from version `base` (a stale base is refused, nothing written); audited. Returns the
    /// new version.
    async fn save_directory_entry(
        &self,
        p: &Permit<policy::EditDirectoryEntry>,
        input: &EntryInput,
        base: Option<i64>,
    ) -> Result<i64>;
    /// Submit for approval, archive or restore, from version `version`; audited.
    async fn move_directory_entry(
        &self,
        p: &Permit<policy::EditDirectoryEntry>,
        id: &str,
        version: i64,
        cmd: everychild_domain::directory::EntryCommand,
        note: Option<&str>,
    ) -> Result<()>;
    /// Approve (publish) or return an entry awaiting approval; the author of a version may not
    /// approve it; audited.
    async fn decide_directory_entry(
        &self,
        p: &Permit<policy::ApproveDirectoryEntry>,
        id: &str,
        version: i64,
        approve: bool,
        note: Option<&str>,
    ) -> Result<()>;
    /// Upsert a checked Open Referral feed in one transaction; audited.
    async fn import_directory(
        &self,
        p: &Permit<policy::ImportDirectory>,
        feed: &DirectoryImport,
    ) -> Result<DirectoryImportReport>;
}

#[async_trait::async_trait]
impl DirectoryRepo for SqlStore {
    async fn directory_index(
        &self,
        _p: &Permit<policy::ViewDirectory>,
    ) -> Result<Arc<DirectoryIndex>> {
        self.directory.get(self, self.load_directory_index()).await
    }
    async fn directory_entry_owner(
        &self,
        _p: &Permit<policy::ViewDirectory>,
        id: &str,
    ) -> Result<Option<Option<i64>>> {
        let row: Option<(Option<i64>,)> = sqlx::query_as(
            "SELECT o.owner_organisation_id FROM directory_entries e \
             LEFT JOIN directory_organisations o ON o.id = e.directory_organisation_id WHERE e.id = $1",
        )
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(|r| r.0))
    }
    async fn directory_organisations(
        &self,
        p: &Permit<policy::ViewDirectoryEntries>,
    ) -> Result<Vec<DirectoryOrg>> {
        let scope = owner_scope(p)?;
        type Row = (String, String, Option<i64>, Option<String>, i64);
        let rows: Vec<Row> = sqlx::query_as(
            "SELECT d.id, d.name, d.owner_organisation_id, o.name, \
             (SELECT COUNT(*) FROM directory_entries e WHERE e.directory_organisation_id = d.id) \
             FROM directory_organisations d LEFT JOIN organisations o ON o.id = d.owner_organisation_id \
             WHERE ($1 IS NULL OR d.owner_organisation_id = $1) ORDER BY d.name, d.id",
        )
        .bind(scope)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|r| DirectoryOrg {
                id: r.0,
                name: r.1,
                owner_organisation_id: r.2,
                owner_name: r.3,
                entries: r.4,
            })
            .collect())
    }
    async fn save_directory_organisation(
        &self,
        p: &Permit<policy::ManageDirectoryOrganisations>,
        org: &Organization,
        owner: Option<i64>,
    ) -> Result<()> {
        let problems = everychild_domain::directory::oruk::organization_problems(org);
        if let Some(first) = problems.first() {
            return Err(conflict("organisation_id", first));
        }
        let mut a = self.audited(p).await?;
        let now = self.now().to_db();
        let doc = to_json(org)?;
        let existed: Option<(String,)> =
            sqlx::query_as("SELECT id FROM directory_organisations WHERE id = $1")
                .bind(&org.id)
                .fetch_optional(&mut *a.tx)
                .await?;
        if existed.is_some() {
            sqlx::query(
                "UPDATE directory_organisations SET name = $2, document = $3, owner_organisation_id = $4, updated_at = $5 WHERE id = $1",
            )
            .bind(&org.id)
            .bind(&org.name)
            .bind(&doc)
            .bind(owner)
            .bind(&now)
            .execute(&mut *a.tx)
            .await?;
        } else {
            sqlx::query(
                "INSERT INTO directory_organisations (id, name, document, owner_organisation_id, source, updated_at) VALUES ($1, $2, $3, $4, 'local', $5)",
            )
            .bind(&org.id)
            .bind(&org.name)
            .bind(&doc)
            .bind(owner)
            .bind(&now)
            .execute(&mut *a.tx)
            .await
            .map_err(|e| match StoreError::from(e) {
                StoreError::NotFound(_) => conflict("owner", "There is no such organisation"),
                other => other,
            })?;
        }
        self.directory.bump(&mut a.tx).await?;
        a.commit(
            Event::success(
                if existed.is_some() {
                    "directory.organisation.update"
                } else {
                    "directory.organisation.create"
                },
                Some(("directory_organisation", org.id.clone())),
            )
            .detail(json!({"name": org.name, "owner_organisation_id": owner})),
        )
        .await?;
        self.directory.invalidate();
        Ok(())
    }
    async fn directory_entries(
        &self,
        p: &Permit<policy::ViewDirectoryEntries>,
    ) -> Result<Vec<EntrySummary>> {
        let scope = owner_scope(p)?;
        type Row = (
            String,
            String,
            Option<String>,
            String,
            Option<i64>,
            i64,
            Option<String>,
            String,
            String,
        );
        let rows: Vec<Row> = sqlx::query_as(
            "SELECT e.id, e.name, o.name, e.status, e.live_version, e.version, e.review_by, e.updated_at, e.source \
             FROM directory_entries e LEFT JOIN directory_organisations o ON o.id = e.directory_organisation_id \
             WHERE ($1 IS NULL OR o.owner_organisation_id = $1) ORDER BY e.name, e.id",
        )
        .bind(scope)
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter()
            .map(|r| {
                Ok(EntrySummary {
                    id: r.0,
                    name: r.1,
                    organisation: r.2,
                    status: status_of(&r.3)?,
                    live: r.4.is_some(),
                    version: r.5,
                    review_by: date_of(r.6),
                    updated_at: r.7,
                    source: r.8,
                })
            })
            .collect()
    }
    async fn directory_entry(
        &self,
        p: &Permit<policy::ViewDirectoryEntries>,
        id: &str,
    ) -> Result<Option<EntryDetail>> {
        let scope = owner_scope(p)?;
        type Row = (
            String,
            Option<String>,
            String,
            Option<i64>,
            i64,
            Option<String>,
            String,
            String,
            Option<i64>,
            String,
            String,
        );
        let row: Option<Row> = sqlx::query_as(
            "SELECT e.name, o.name, e.status, e.live_version, e.version, e.review_by, e.updated_at, e.source, \
             o.owner_organisation_id, v.document, v.extras \
             FROM directory_entries e \
             JOIN directory_entry_versions v ON v.entry_id = e.id AND v.version = e.version \
             LEFT JOIN directory_organisations o ON o.id = e.directory_organisation_id WHERE e.id = $1",
        )
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        let Some(r) = row else { return Ok(None) };
        if scope.is_some() && r.8 != scope {
            return Ok(None);
        }
        type VRow = (
            i64,
            String,
            String,
            Option<String>,
            String,
            String,
            Option<i64>,
        );
        let versions: Vec<VRow> = sqlx::query_as(
            "SELECT version, status, change, note, changed_by, changed_at, changed_by_id \
             FROM directory_entry_versions WHERE entry_id = $1 ORDER BY version DESC",
        )
        .bind(id)
        .fetch_all(&self.pool)
        .await?;
        let last_author_id = versions
            .iter()
            .find(|v| matches!(v.2.as_str(), "created" | "edit" | "imported"))
            .and_then(|v| v.6);
        let history = versions
            .into_iter()
            .map(|v| {
                Ok(EntryVersion {
                    version: v.0,
                    status: status_of(&v.1)?,
                    change: v.2,
                    note: v.3,
                    changed_by: v.4,
                    changed_at: v.5,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(Some(EntryDetail {
            summary: EntrySummary {
                id: id.to_owned(),
                name: r.0,
                organisation: r.1,
                status: status_of(&r.2)?,
                live: r.3.is_some(),
                version: r.4,
                review_by: date_of(r.5),
                updated_at: r.6,
                source: r.7,
            },
            owner_organisation_id: r.8,
            service: from_json(&r.9)?,
            extras: from_json(&r.10)?,
            live_version: r.3,
            last_author_id,
            history,
        }))
    }
    async fn save_directory_entry(
        &self,
        p: &Permit<policy::EditDirectoryEntry>,
        input: &EntryInput,
        base: Option<i64>,
    ) -> Result<i64> {
        check(input)?;
        let mut service = input.service.clone();
        service.last_modified = Some(self.now().to_db());
        let mut a = self.audited(p).await?;
        let org_id = self.provider_for(&mut a.tx, p, &mut service).await?;
        let id = service.id.clone();
        let review_by = input.review_by.map(date_text);
        let document = to_json(&service)?;
        let extras = to_json(&input.extras)?;
        let now = self.now().to_db();
        let (version, status, change) = match base {
            None => {
                let exists: Option<(String,)> =
                    sqlx::query_as("SELECT id FROM directory_entries WHERE id = $1")
                        .bind(&id)
                        .fetch_optional(&mut *a.tx)
                        .await?;
                if exists.is_some() {
                    return Err(conflict("id", "An entry with this id already exists"));
                }
                sqlx::query(
                    "INSERT INTO directory_entries (id, directory_organisation_id, name, status, version, live_version, review_by, source, created_at, updated_at) \
                     VALUES ($1, $2, $3, 'draft', 1, NULL, $4, 'local', $5, $5)",
                )
                .bind(&id)
                .bind(&org_id)
                .bind(&service.name)
                .bind(review_by.as_deref())
                .bind(&now)
                .execute(&mut *a.tx)
                .await?;
                (1, EntryStatus::Draft, "created")
            }
            Some(base) => {
                let cur = reachable(&mut a.tx, p, &id, base).await?;
                let status = cur
                    .status
                    .apply(EntryCommand::Edit)
                    .map_err(|e| conflict("status", e))?;
                let next = cur.version + 1;
                sqlx::query(
                    "UPDATE directory_entries SET directory_organisation_id = $2, name = $3, status = $4, version = $5, review_by = $6, updated_at = $7 WHERE id = $1",
                )
                .bind(&id)
                .bind(&org_id)
                .bind(&service.name)
                .bind(status.as_str())
                .bind(next)
                .bind(review_by.as_deref())
                .bind(&now)
                .execute(&mut *a.tx)
                .await?;
                (next, status, "edit")
            }
        };
        insert_version(
            self,
            &mut a.tx,
            p,
            NewVersion {
                id: &id,
                version,
                status,
                change,
                note: None,
                document: &document,
                extras: &extras,
                review_by: review_by.as_deref(),
            },
        )
        .await?;
        a.commit(
            Event::success(
                if change == "created" {
                    "directory.entry.create"
                } else {
                    "directory.entry.edit"
                },
                Some(("directory_entry", id.clone())),
            )
            .detail(json!({"version": version, "name": service.name})),
        )
        .await?;
        Ok(version)
    }
    async fn move_directory_entry(
        &self,
        p: &Permit<policy::EditDirectoryEntry>,
        id: &str,
        version: i64,
        cmd: EntryCommand,
        note: Option<&str>,
    ) -> Result<()> {
        if matches!(
            cmd,
            EntryCommand::Approve | EntryCommand::Reject | EntryCommand::Edit
        ) {
            return Err(conflict(
                "status",
                format!("{} is not done here", cmd.label()),
            ));
        }
        self.move_entry(p, id, version, cmd, note).await
    }
    async fn decide_directory_entry(
        &self,
        p: &Permit<policy::ApproveDirectoryEntry>,
        id: &str,
        version: i64,
        approve: bool,
        note: Option<&str>,
    ) -> Result<()> {
        let cmd = if approve {
            EntryCommand::Approve
        } else {
            EntryCommand::Reject
        };
        self.move_entry(p, id, version, cmd, note).await
    }
    async fn import_directory(
        &self,
        p: &Permit<policy::ImportDirectory>,
        feed: &DirectoryImport,
    ) -> Result<DirectoryImportReport> {
        let report = import::run(self, p, feed).await?;
        self.analyze(&[
            "directory_organisations",
            "directory_taxonomies",
            "directory_terms",
            "directory_entries",
            "directory_entry_versions",
        ])
        .await?;
        Ok(report)
    }
}
