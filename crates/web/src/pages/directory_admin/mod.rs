//! The directory's editors' and approvers' pages: an organisation's entries with their status
//! and review dates, the entry form (`form.rs`), history, sending for approval, approving or
//! returning, archiving and restoring, and the providers and who maintains them.
//!
//! Who may do what is the policy's: a provider's directory editor works on the entries of the
//! providers their organisation maintains (`Target::Organisation`), commissioners and
//! administrators on every entry (`Target::None` for those nobody maintains) and approve.
//! Someone who may not look after entries at all is refused before any entry is looked up (so
//! they learn nothing of which entries exist); an editor asking for another organisation's entry
//! is refused by the policy (403, audited as `access.denied`), and an unknown entry is not found.

mod form;
mod providers;
mod view;

pub use form::{create, edit, new, save};
pub use providers::{create_organisation, organisations};

use super::{render, render_status, Chrome};
use crate::error::{AppError, PageError};
use crate::forms::{Fields, FormErrors};
use crate::{AppState, Ctx};
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use everychild_domain::directory::{EntryCommand, EntryStatus, ReviewState};
use everychild_domain::{OrganisationId, Role, Timestamp};
use everychild_policy::{self as policy, decide, Action, Decision, Principal, Target};
use everychild_store::EntrySummary;
use serde::Deserialize;
use view::EntryPage;

/// Whether the principal looks after directory entries (their organisation's, or all).
pub fn can_manage_directory(p: &Principal) -> bool {
    match p {
        Principal::User(a) => {
            a.role == Role::DirectoryEditor
                || decide(p, Action::ApproveDirectoryEntry, &Target::None) == Decision::Allow
        }
        _ => false,
    }
}

/// Whether the principal approves entries for the whole directory.
fn is_approver(ctx: &Ctx) -> bool {
    decide(&ctx.principal, Action::ApproveDirectoryEntry, &Target::None) == Decision::Allow
}

/// What the principal's own directory work is about: the whole directory for those who
/// approve it, else their own organisation's entries.
fn home_target(ctx: &Ctx) -> Target {
    match ctx.actor() {
        Some(a) if !is_approver(ctx) => Target::Organisation(a.organisation_id),
        _ => Target::None,
    }
}

/// The target of one entry: the partnership organisation that maintains it, or the whole
/// directory when nobody does. The public is asked to sign in and anyone who may not look
/// after entries is refused before anything is looked up; an unknown entry is not found.
async fn entry_target(st: &AppState, ctx: &Ctx, id: &str) -> Result<Target, AppError> {
    ctx.authorize::<policy::ViewDirectoryEntries>(st, home_target(ctx), None)
        .await?;
    let lookup = ctx
        .authorize::<policy::ViewDirectory>(st, Target::None, None)
        .await?;
    match st.store.directory_entry_owner(&lookup, id).await? {
        None => Err(AppError::NotFound),
        Some(Some(o)) => Ok(Target::Organisation(OrganisationId(o))),
        Some(None) => Ok(Target::None),
    }
}

/// Today by the application's clock.
fn today(st: &AppState) -> time::Date {
    st.clock.now().date()
}

/// A date as pages show it: `1 March 2027`.
fn day(d: time::Date) -> String {
    format!("{} {} {}", d.day(), d.month(), d.year())
}

/// A stored time as pages show it.
fn when(stored: &str) -> String {
    Timestamp::parse(stored)
        .map(Timestamp::display)
        .unwrap_or_else(|_| stored.to_owned())
}

/// A status's tag: text and colour.
fn status_tag(s: EntryStatus) -> (&'static str, &'static str) {
    let colour = match s {
        EntryStatus::Draft => "grey",
        EntryStatus::AwaitingApproval => "blue",
        EntryStatus::Published => "green",
        EntryStatus::Archived => "orange",
    };
    (s.label(), colour)
}

/// The warning a review date calls for on `today`, if any: text and colour.
fn review_tag(
    review_by: Option<time::Date>,
    today: time::Date,
) -> Option<(&'static str, &'static str)> {
    match ReviewState::of(review_by?, today) {
        ReviewState::Overdue => Some(("Review overdue", "red")),
        ReviewState::DueSoon => Some(("Review due soon", "yellow")),
        ReviewState::Current => None,
    }
}

/// The status code for a page re-shown with errors.
fn status_for(errors: &FormErrors, conflict: bool) -> StatusCode {
    if errors.is_empty() {
        StatusCode::OK
    } else if conflict {
        StatusCode::CONFLICT
    } else {
        StatusCode::BAD_REQUEST
    }
}

/// An entry in a list.
pub struct Row {
    /// Service id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Provider.
    pub provider: String,
    /// Status tag.
    pub status: (&'static str, &'static str),
    /// Whether an older version stays public while this one is worked on.
    pub live_note: bool,
    /// Review-by date, shown.
    pub review_by: String,
    /// Review warning tag.
    pub review: Option<(&'static str, &'static str)>,
    /// When it last changed, shown.
    pub updated: String,
}

fn row(e: &EntrySummary, today: time::Date) -> Row {
    Row {
        id: e.id.clone(),
        name: e.name.clone(),
        provider: e.organisation.clone().unwrap_or_default(),
        status: status_tag(e.status),
        live_note: e.live && e.status != EntryStatus::Published,
        review_by: e.review_by.map(day).unwrap_or_else(|| "Not set".into()),
        review: review_tag(e.review_by, today).filter(|_| e.status != EntryStatus::Archived),
        updated: when(&e.updated_at),
    }
}

/// The list's filters: query value and label.
const FILTERS: [(&str, &str); 6] = [
    ("", "All"),
    ("draft", "Draft"),
    ("awaiting_approval", "Awaiting approval"),
    ("published", "Published"),
    ("archived", "Archived"),
    ("review", "Review due"),
];

#[derive(Template)]
#[template(path = "directory_list.html")]
struct ListPage {
    c: Chrome,
    approver: bool,
    awaiting: Vec<Row>,
    rows: Vec<Row>,
    filter: String,
    filters: Vec<(&'static str, &'static str, usize)>,
    total: usize,
}

/// The list's query.
#[derive(Deserialize, Default)]
pub struct ListQ {
    status: Option<String>,
}

/// GET /directory
pub async fn list(
    ctx: Ctx,
    State(st): State<AppState>,
    Query(q): Query<ListQ>,
) -> Result<Response, PageError> {
    let permit = ctx
        .authorize::<policy::ViewDirectoryEntries>(&st, home_target(&ctx), None)
        .await?;
    let entries = st.store.directory_entries(&permit).await?;
    let today = today(&st);
    let approver = is_approver(&ctx);
    let keep = |e: &EntrySummary, f: &str| match f {
        "" => true,
        "review" => review_tag(e.review_by, today).is_some() && e.status != EntryStatus::Archived,
        s => e.status.as_str() == s,
    };
    let filter = q.status.unwrap_or_default();
    let filter = if FILTERS.iter().any(|f| f.0 == filter) {
        filter
    } else {
        String::new()
    };
    let filters = FILTERS
        .iter()
        .map(|(v, l)| (*v, *l, entries.iter().filter(|e| keep(e, v)).count()))
        .collect();
    let awaiting = if approver {
        entries
            .iter()
            .filter(|e| e.status == EntryStatus::AwaitingApproval)
            .map(|e| row(e, today))
            .collect()
    } else {
        Vec::new()
    };
    let rows = entries
        .iter()
        .filter(|e| keep(e, &filter))
        .map(|e| row(e, today))
        .collect();
    render(&ListPage {
        c: Chrome::new(&st, &ctx, "Service directory entries", "/directory"),
        approver,
        awaiting,
        rows,
        filter,
        filters,
        total: entries.len(),
    })
}

/// The entry page's query.
#[derive(Deserialize, Default)]
pub struct DoneQ {
    done: Option<String>,
}

/// GET /directory/entries/{id}
pub async fn show(
    ctx: Ctx,
    State(st): State<AppState>,
    Path(id): Path<String>,
    Query(q): Query<DoneQ>,
) -> Result<Response, PageError> {
    let target = entry_target(&st, &ctx, &id).await?;
    let done = q.done.unwrap_or_default();
    entry_page(
        &st,
        &ctx,
        &id,
        target,
        FormErrors::none(),
        Fields::default(),
        &done,
        false,
    )
    .await
}

/// The entry page, with any errors of an action and the values given.
#[allow(clippy::too_many_arguments)]
async fn entry_page(
    st: &AppState,
    ctx: &Ctx,
    id: &str,
    target: Target,
    errors: FormErrors,
    v: Fields,
    done: &str,
    conflict: bool,
) -> Result<Response, PageError> {
    let view = ctx
        .authorize::<policy::ViewDirectoryEntries>(st, target.clone(), None)
        .await?;
    let d = st
        .store
        .directory_entry(&view, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let localities = form::localities(st, ctx).await?;
    let can_edit = decide(&ctx.principal, Action::EditDirectoryEntry, &target) == Decision::Allow;
    let me = ctx.actor().map(|a| a.user_id.0);
    let status = status_for(&errors, conflict);
    let page = EntryPage::new(
        Chrome::new(st, ctx, d.summary.name.clone(), "/directory").errors(!errors.is_empty()),
        d,
        &localities,
        today(st),
        can_edit,
        is_approver(ctx),
        me,
        errors,
        v,
        done,
    );
    render_status(status, &page)
}

/// The base version a form carries.
fn version(f: &Fields, errors: &mut FormErrors) -> i64 {
    match f.get("version").trim().parse() {
        Ok(v) => v,
        Err(_) => {
            errors.add(
                "version",
                "The form is out of date: reload the page and try again",
            );
            0
        }
    }
}

/// The longest reason accepted.
const NOTE_MAX: usize = 2000;

/// POST /directory/entries/{id}/status: send for approval, archive or restore.
pub async fn status(
    ctx: Ctx,
    State(st): State<AppState>,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, PageError> {
    let target = entry_target(&st, &ctx, &id).await?;
    let permit = ctx
        .authorize::<policy::EditDirectoryEntry>(
            &st,
            target.clone(),
            Some("change a directory entry's status"),
        )
        .await?;
    let f = Fields::parse(&body);
    let mut errors = FormErrors::none();
    let version = version(&f, &mut errors);
    let note = f.get("archive_note").trim();
    if note.chars().count() > NOTE_MAX {
        errors.add(
            "archive_note",
            &format!("The reason must be {NOTE_MAX} characters or fewer"),
        );
    }
    let command = match f.get("command") {
        "submit" => Some((EntryCommand::Submit, None, "submitted")),
        "archive" => Some((EntryCommand::Archive, Some(note), "archived")),
        "restore" => Some((EntryCommand::Restore, None, "restored")),
        _ => {
            errors.add("status", "Choose what to do with the entry");
            None
        }
    };
    let mut conflict = false;
    if let (Some((cmd, note, done)), true) = (command, errors.is_empty()) {
        match st
            .store
            .move_directory_entry(&permit, &id, version, cmd, note)
            .await
        {
            Ok(()) => {
                return Ok(
                    Redirect::to(&format!("/directory/entries/{id}?done={done}")).into_response(),
                )
            }
            Err(e) => {
                errors.refusal(e)?;
                conflict = true;
            }
        }
    }
    entry_page(&st, &ctx, &id, target, errors, f, "", conflict).await
}

/// POST /directory/entries/{id}/decision: approve and publish, or return to the provider.
pub async fn decide_entry(
    ctx: Ctx,
    State(st): State<AppState>,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, PageError> {
    // Only approvers decide: anyone else is refused before the entry is looked up.
    ctx.authorize::<policy::ApproveDirectoryEntry>(&st, Target::None, None)
        .await?;
    let target = entry_target(&st, &ctx, &id).await?;
    let permit = ctx
        .authorize::<policy::ApproveDirectoryEntry>(
            &st,
            target.clone(),
            Some("approve or return a directory entry"),
        )
        .await?;
    let f = Fields::parse(&body);
    let mut errors = FormErrors::none();
    let version = version(&f, &mut errors);
    let note = f.get("note").trim();
    let approve = match f.get("decision") {
        "approve" => Some(true),
        "reject" => {
            if note.is_empty() {
                errors.add(
                    "note",
                    "Say why you are returning the entry, so its provider can put it right",
                );
            }
            Some(false)
        }
        _ => {
            errors.add("status", "Choose whether to approve the entry or return it");
            None
        }
    };
    if note.chars().count() > NOTE_MAX {
        errors.add(
            "note",
            &format!("The reason must be {NOTE_MAX} characters or fewer"),
        );
    }
    let mut conflict = false;
    if let (Some(approve), true) = (approve, errors.is_empty()) {
        let note = Some(note).filter(|n| !n.is_empty());
        match st
            .store
            .decide_directory_entry(&permit, &id, version, approve, note)
            .await
        {
            Ok(()) => {
                let done = if approve { "approved" } else { "returned" };
                return Ok(
                    Redirect::to(&format!("/directory/entries/{id}?done={done}")).into_response(),
                );
            }
            Err(e) => {
                errors.refusal(e)?;
                conflict = true;
            }
        }
    }
    entry_page(&st, &ctx, &id, target, errors, f, "", conflict).await
}

/// Whether `s` is a web address people can follow.
pub(super) fn is_web_address(s: &str) -> bool {
    everychild_domain::directory::oruk::is_uri(s)
        && (s.starts_with("https://") || s.starts_with("http://"))
}
