//! A child's chronology: every event from every agency on one timeline — who became involved,
//! flags, requests for support, front-door decisions, level changes, the team around the child,
//! assessments and closures — newest first, with an alert when concerns accumulate.

use crate::audit::Event;
use crate::people::basis::read_checked as read_for_child;
use crate::people::basis::CLUSTER;
use crate::{CaseRules, Result, SqlStore};
use async_trait::async_trait;
use everychild_policy::{self as policy, Permit};
use serde::Serialize;
use serde_json::json;

/// Concerns from this many different agencies … (the default; a deployment may set another in
/// [`CaseRules`])
pub const ALERT_AGENCIES: usize = 2;
/// … within this many days raise the alert.
pub const ALERT_DAYS: i64 = 7;

/// One event on the timeline.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct ChronologyEvent {
    /// When (stored text; dates sort with timestamps).
    pub at: String,
    /// `involvement`, `flag`, `request`, `decision`, `level`, `team`, `assessment`, `closure`.
    pub kind: String,
    /// The agency it came from, when known.
    pub agency: Option<String>,
    /// What happened, in words.
    pub what: String,
}

/// A chronology and its alert.
#[derive(Debug, Clone, Serialize)]
pub struct Chronology {
    /// Events, newest first.
    pub events: Vec<ChronologyEvent>,
    /// When concerns accumulated: the agencies and the window's start and end.
    pub alert: Option<(Vec<String>, String, String)>,
}

type Row = (String, String, Option<String>, String);

/// The most recent window of `rules.alert_days` days (by default [`ALERT_DAYS`]) in which
/// requests for support came from at least `rules.alert_agencies` (by default
/// [`ALERT_AGENCIES`]) different agencies.
pub fn concern_alert(
    events: &[ChronologyEvent],
    rules: &CaseRules,
) -> Option<(Vec<String>, String, String)> {
    let mut requests: Vec<(&str, &str)> = events
        .iter()
        .filter(|e| e.kind == "request")
        .filter_map(|e| Some((e.at.as_str(), e.agency.as_deref()?)))
        .collect();
    requests.sort();
    let day = |s: &str| -> Option<time::Date> {
        let f = time::macros::format_description!("[year]-[month]-[day]");
        time::Date::parse(s.get(..10)?, &f).ok()
    };
    for (i, (end, _)) in requests.iter().enumerate().rev() {
        let end_day = day(end)?;
        let mut agencies: Vec<String> = Vec::new();
        let mut start = *end;
        for (at, agency) in requests[..=i].iter().rev() {
            let d = day(at)?;
            if (end_day - d).whole_days() > rules.alert_days {
                break;
            }
            start = at;
            if !agencies.iter().any(|a| a == agency) {
                agencies.push((*agency).to_owned());
            }
        }
        if agencies.len() >= rules.alert_agencies {
            agencies.sort();
            return Some((agencies, start[..10].to_owned(), end[..10].to_owned()));
        }
    }
    None
}

/// A child's chronology across agencies; audited.
#[async_trait]
pub trait ChronologyRepo: Send + Sync {
    /// The permit's child's chronology from every agency, newest first, with the alert when
    /// concerns accumulate; audited.
    async fn chronology(&self, p: &Permit<policy::ViewRequest>) -> Result<Chronology>;
}

#[async_trait]
impl ChronologyRepo for SqlStore {
    async fn chronology(&self, p: &Permit<policy::ViewRequest>) -> Result<Chronology> {
        let (mut conn, child) = read_for_child(self, p).await?;
        // Each source as (at, kind, agency, what); the words are built in SQL so one query per
        // source gives the whole row.
        let queries = [
            format!(
                "SELECT i.since, 'involvement', o.name, 'Started working with the child (' || i.role || ')' \
                 FROM involvements i JOIN organisations o ON o.id = i.organisation_id WHERE i.child_id IN {CLUSTER}"
            ),
            format!(
                "SELECT f.since, 'flag', o.name, 'Flag: ' || f.kind FROM person_flags f \
                 LEFT JOIN organisations o ON o.id = f.organisation_id WHERE f.person_id IN {CLUSTER}"
            ),
            format!(
                "SELECT r.created_at, 'request', o.name, 'Asked for support: ' || r.concern FROM support_requests r \
                 LEFT JOIN organisations o ON o.id = r.requester_organisation_id WHERE r.child_id IN {CLUSTER}"
            ),
            format!(
                "SELECT c.changed_at, CASE WHEN c.kind = 'initial' THEN 'decision' ELSE 'level' END, NULL, \
                 CASE WHEN c.kind = 'initial' THEN 'Front door: level ' ELSE \
                 CASE WHEN c.kind = 'step_up' THEN 'Stepped up to level ' ELSE 'Stepped down to level ' END END \
                 || c.to_level || ': ' || c.reason FROM level_changes c JOIN support_requests r ON r.id = c.request_id \
                 WHERE r.child_id IN {CLUSTER}"
            ),
            format!(
                "SELECT t.since, 'team', o.name, CASE WHEN t.is_lead = 1 THEN 'Lead professional: ' ELSE 'Joined the team: ' END \
                 || u.display_name FROM tac_members t JOIN users u ON u.id = t.user_id JOIN organisations o ON o.id = u.organisation_id \
                 JOIN support_requests r ON r.id = t.request_id WHERE r.child_id IN {CLUSTER}"
            ),
            format!(
                "SELECT a.completed_at, 'assessment', NULL, 'Early help assessment completed' FROM assessments a \
                 JOIN support_requests r ON r.id = a.request_id WHERE r.child_id IN {CLUSTER} AND a.completed_at IS NOT NULL"
            ),
            format!(
                "SELECT r.closed_at, 'closure', NULL, 'Closed (' || COALESCE(r.outcome, 'no outcome') || '): ' || COALESCE(r.closure_summary, '') \
                 FROM support_requests r WHERE r.child_id IN {CLUSTER} AND r.closed_at IS NOT NULL"
            ),
        ];
        let mut events = Vec::new();
        for q in &queries {
            let rows: Vec<Row> = sqlx::query_as(q).bind(child).fetch_all(&mut *conn).await?;
            events.extend(
                rows.into_iter()
                    .map(|(at, kind, agency, what)| ChronologyEvent {
                        at,
                        kind,
                        agency,
                        what,
                    }),
            );
        }
        drop(conn);
        events.sort_by(|a, b| b.at.cmp(&a.at).then_with(|| a.kind.cmp(&b.kind)));
        let alert = concern_alert(&events, &self.rules);
        self.audit_only(
            p,
            Event::success("child.chronology", Some(("person", child.to_string())))
                .detail(json!({ "events": events.len() })),
        )
        .await?;
        Ok(Chronology { events, alert })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(at: &str, agency: &str) -> ChronologyEvent {
        ChronologyEvent {
            at: at.into(),
            kind: "request".into(),
            agency: Some(agency.into()),
            what: String::new(),
        }
    }

    #[test]
    fn concerns_from_two_agencies_within_a_week_raise_the_alert() {
        let rules = CaseRules::default();
        let concern_alert = |e: &[ChronologyEvent]| super::concern_alert(e, &rules);
        let school = "Riverside Primary";
        let police = "Leicestershire Police";
        assert_eq!(
            concern_alert(&[request("2026-10-01T09:00:00.000Z", school)]),
            None
        );
        assert_eq!(
            concern_alert(&[
                request("2026-10-01T09:00:00.000Z", school),
                request("2026-10-03T09:00:00.000Z", school),
            ]),
            None,
            "one agency twice is not two agencies"
        );
        assert_eq!(
            concern_alert(&[
                request("2026-10-01T09:00:00.000Z", school),
                request("2026-10-20T09:00:00.000Z", police),
            ]),
            None,
            "too far apart"
        );
        let got = concern_alert(&[
            request("2026-10-20T09:00:00.000Z", police),
            request("2026-10-14T09:00:00.000Z", school),
            request("2026-09-01T09:00:00.000Z", police),
        ]);
        assert_eq!(
            got,
            Some((
                vec![police.to_owned(), school.to_owned()],
                "2026-10-14".into(),
                "2026-10-20".into()
            ))
        );
    }

    #[test]
    fn the_alert_follows_the_rules_in_force() {
        let school = "Riverside Primary";
        let police = "Leicestershire Police";
        let health = "City Health";
        let events = [
            request("2026-10-01T09:00:00.000Z", school),
            request("2026-10-12T09:00:00.000Z", police),
            request("2026-10-13T09:00:00.000Z", health),
        ];
        // Default: two agencies within 7 days (police and health).
        assert!(concern_alert(&events, &CaseRules::default()).is_some());
        // Three agencies within 7 days: no.
        let three = CaseRules::new(8, 14, 3, 7).unwrap();
        assert_eq!(concern_alert(&events, &three), None);
        // Three agencies within 14 days: yes, from the school's request.
        let wider = CaseRules::new(8, 14, 3, 14).unwrap();
        assert_eq!(
            concern_alert(&events, &wider).map(|a| (a.0.len(), a.1)),
            Some((3, "2026-10-01".to_owned()))
        );
    }
}
