//! One entry as its editors and approvers read it: the working version's fields, where it is
//! in its life, which version is public, its history, and the actions this user may take.

use super::form::{cost_of, first_address, first_location};
use super::{day, review_tag, status_tag, when};
use crate::forms::{Fields, FormErrors};
use crate::pages::Chrome;
use askama::Template;
use everychild_domain::casework::Level;
use everychild_domain::directory::{Catchment, EntryCommand, EntryStatus};
use everychild_store::EntryDetail;

/// One version in the history table.
pub struct HistoryRow {
    /// Its number.
    pub version: i64,
    /// What was done.
    pub what: &'static str,
    /// By whom.
    pub by: String,
    /// When.
    pub at: String,
    /// The reason given.
    pub note: String,
}

/// What the user may do to the entry now.
#[derive(Default)]
pub struct Actions {
    pub edit: bool,
    pub submit: bool,
    pub archive: bool,
    pub restore: bool,
    pub approve: bool,
    pub reject: bool,
    /// The user wrote the version awaiting approval, so may not approve it.
    pub own_version: bool,
}

impl Actions {
    fn any(&self) -> bool {
        self.submit || self.archive || self.restore || self.approve || self.reject
    }
}

#[derive(Template)]
#[template(path = "directory_entry.html")]
pub(super) struct EntryPage {
    c: Chrome,
    id: String,
    name: String,
    version: i64,
    status: (&'static str, &'static str),
    live: String,
    review: Option<(&'static str, &'static str)>,
    rows: Vec<(&'static str, String)>,
    history: Vec<HistoryRow>,
    a: Actions,
    errors: FormErrors,
    v: Fields,
    done: Option<(&'static str, &'static str)>,
}

fn done_message(done: &str, d: &EntryDetail) -> Option<(&'static str, &'static str)> {
    let still_live = d.live_version.is_some() && d.summary.status != EntryStatus::Published;
    Some(match done {
        "created" => (
            "The entry has been saved as a draft",
            "Send it for approval when it is ready.",
        ),
        "saved" if still_live => (
            "Your changes have been saved as a draft",
            "The published version stays public until the changes are approved.",
        ),
        "saved" => ("Your changes have been saved as a draft", ""),
        "submitted" => ("The entry has been sent for approval", ""),
        "approved" => ("The entry has been approved and published", ""),
        "returned" => ("The entry has been returned to its provider", ""),
        "archived" => ("The entry has been archived", "It is no longer public."),
        "restored" => ("The entry has been restored as a draft", ""),
        _ => return None,
    })
}

fn or_none(s: &str) -> String {
    if s.trim().is_empty() {
        "Not given".into()
    } else {
        s.to_owned()
    }
}

fn list<T>(items: &[T], f: impl Fn(&T) -> String) -> String {
    if items.is_empty() {
        "Not given".into()
    } else {
        items.iter().map(f).collect::<Vec<_>>().join(", ")
    }
}

fn age(a: f64) -> String {
    if a.fract() == 0.0 {
        format!("{a:.0}")
    } else {
        a.to_string()
    }
}

/// The working version's fields, readable.
fn rows(d: &EntryDetail, localities: &[(i64, String)]) -> Vec<(&'static str, String)> {
    let s = &d.service;
    let x = &d.extras;
    let text = |v: Option<&str>| or_none(v.unwrap_or(""));
    let mut out: Vec<(&'static str, String)> = vec![
        ("Provider", text(d.summary.organisation.as_deref())),
        ("Name", s.name.clone()),
        ("Description", text(s.description.as_deref())),
        ("Website", text(s.url.as_deref())),
        ("Email", text(s.email.as_deref())),
        (
            "Telephone",
            text(s.phones.first().map(|p| p.number.as_str())),
        ),
    ];
    let ages = match (s.minimum_age, s.maximum_age) {
        (Some(lo), Some(hi)) => format!("{} to {}", age(lo), age(hi)),
        (Some(lo), None) => format!("{} and over", age(lo)),
        (None, Some(hi)) => format!("Up to {}", age(hi)),
        (None, None) => "Any age".into(),
    };
    let ages = if x.eligibility.send_to_25 {
        format!("{ages} (to 25 for young people with SEND)")
    } else {
        ages
    };
    out.push(("Ages", ages));
    out.push((
        "Categories",
        list(&s.terms().collect::<Vec<_>>(), |t| t.name.clone()),
    ));
    let place = match (first_location(s), first_address(s)) {
        (Some(l), Some(a)) => [
            l.name.clone().unwrap_or_default(),
            a.address_1.clone(),
            a.city.clone(),
            a.postal_code.clone(),
        ]
        .into_iter()
        .filter(|p| !p.trim().is_empty())
        .collect::<Vec<_>>()
        .join(", "),
        (Some(l), None) => l.name.clone().unwrap_or_default(),
        _ => String::new(),
    };
    out.push(("Where", or_none(&place)));
    let more = s.service_at_locations.len().saturating_sub(1);
    if more > 0 {
        out.push(("Other locations", format!("{more} more, kept as they are")));
    }
    let opening = s
        .schedules
        .first()
        .map(crate::pages::find_support::opening_text)
        .unwrap_or_default();
    out.push(("Opening times", or_none(&opening)));
    let cost = match cost_of(s) {
        ("free", _) => "Free".to_owned(),
        ("fee", d) => d,
        _ => String::new(),
    };
    out.push(("Cost", or_none(&cost)));
    out.push((
        "Levels of need",
        list(&x.levels, |l| {
            Level::ALL
                .iter()
                .find(|v| v.number() == *l)
                .map(|v| v.label().to_owned())
                .unwrap_or_else(|| format!("Level {l}"))
        }),
    ));
    out.push((
        "Catchment",
        match &x.catchment {
            Catchment::CityWide => "City-wide".to_owned(),
            Catchment::Localities(ls) => list(ls, |id| {
                localities
                    .iter()
                    .find(|l| l.0 == *id)
                    .map(|l| l.1.clone())
                    .unwrap_or_else(|| format!("Locality {id}"))
            }),
        },
    ));
    out.push(("Tier", or_none(x.tier.map(|t| t.label()).unwrap_or(""))));
    out.push(("Reach", or_none(x.reach.map(|r| r.label()).unwrap_or(""))));
    out.push((
        "How it is delivered",
        list(&x.delivery, |m| m.label().to_owned()),
    ));
    out.push((
        "How families reach it",
        list(&x.referral_routes, |r| r.label().to_owned()),
    ));
    out.push(("Who it is for", or_none(&x.eligibility.text)));
    out.push((
        "Capacity",
        match &x.capacity {
            Some(c) => match c.maximum {
                Some(m) => format!("{} {} available of {}", age(c.available), c.unit, age(m)),
                None => format!("{} {} available", age(c.available), c.unit),
            },
            None => "Not given".into(),
        },
    ));
    out.push((
        "Waiting time",
        match x.waiting_weeks {
            Some(1) => "1 week".into(),
            Some(w) => format!("{w} weeks"),
            None => "Not given".into(),
        },
    ));
    out.push((
        "Review by",
        d.summary
            .review_by
            .map(day)
            .unwrap_or_else(|| "Not set".into()),
    ));
    out
}

/// `HH:MM` from `HH:MM` or `HH:MM:SS`.
pub(super) fn hhmm(t: &str) -> String {
    t.trim().chars().take(5).collect()
}

impl EntryPage {
    #[allow(clippy::too_many_arguments)]
    pub(super) fn new(
        c: Chrome,
        d: EntryDetail,
        localities: &[(i64, String)],
        today: time::Date,
        can_edit: bool,
        approver: bool,
        me: Option<i64>,
        errors: FormErrors,
        v: Fields,
        done: &str,
    ) -> Self {
        let allowed = d.summary.status.allowed();
        let may = |cmd: EntryCommand| allowed.contains(&cmd);
        let own_version = me.is_some() && d.last_author_id == me;
        let a = Actions {
            edit: can_edit && may(EntryCommand::Edit),
            submit: can_edit && may(EntryCommand::Submit),
            archive: can_edit && may(EntryCommand::Archive),
            restore: can_edit && may(EntryCommand::Restore),
            approve: approver && may(EntryCommand::Approve) && !own_version,
            reject: approver && may(EntryCommand::Reject),
            own_version: approver && may(EntryCommand::Approve) && own_version,
        };
        let live = match d.live_version {
            Some(l) if l == d.summary.version => "This version is public".to_owned(),
            Some(l) => format!("Version {l} is public until a newer version is approved"),
            None => "No version is public".to_owned(),
        };
        Self {
            c,
            id: d.summary.id.clone(),
            name: d.summary.name.clone(),
            version: d.summary.version,
            status: status_tag(d.summary.status),
            live,
            review: review_tag(d.summary.review_by, today)
                .filter(|_| d.summary.status != EntryStatus::Archived),
            rows: rows(&d, localities),
            history: history(&d),
            done: done_message(done, &d),
            a,
            errors,
            v,
        }
    }
}

/// The history of an entry, as the page shows it.
fn history(d: &EntryDetail) -> Vec<HistoryRow> {
    d.history
        .iter()
        .map(|h| HistoryRow {
            version: h.version,
            what: match h.change.as_str() {
                "created" => "Created as a draft",
                "edit" => "Edited",
                "submit" => "Sent for approval",
                "approve" => "Approved and published",
                "reject" => "Returned to the provider",
                "archive" => "Archived",
                "restore" => "Restored as a draft",
                "imported" => "Imported from a feed",
                _ => "Changed",
            },
            by: h.changed_by.clone(),
            at: when(&h.changed_at),
            note: h.note.clone().unwrap_or_default(),
        })
        .collect()
}
