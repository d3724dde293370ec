//! The figures of a locality's dashboard beyond the front door's: open work by age phase and
//! level, waiting lists, need against what was offered and received, what was asked for, and
//! the stuck-case trend. Counts only: no child is named, and nothing here is personal.

use super::*;
use everychild_domain::casework::referral::ReferralStatus;
use everychild_domain::person::age_on;

/// Open requests in one age phase (or the oldest phase's extension for special educational
/// needs and disabilities, or other ages), by level of need.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct PhaseLevels {
    /// The phase's name ("0-12"), or words for the extension or other ages.
    pub phase: String,
    /// `phase`, `send_extension` (older than every phase, within the oldest phase's extension)
    /// or `other` (older still, or the date of birth is not known).
    pub kind: String,
    /// Youngest age in the row, if it is an age range.
    pub min_age: Option<i64>,
    /// Oldest age in the row, if it is an age range.
    pub max_age: Option<i64>,
    /// Open requests at levels 1, 2, 3 and 4.
    pub by_level: [i64; 4],
    /// Open requests whose level is not decided yet.
    pub not_decided: i64,
}

impl PhaseLevels {
    /// Every open request in the row.
    pub fn total(&self) -> i64 {
        self.by_level.iter().sum::<i64>() + self.not_decided
    }
}

/// A service's waiting list, as far as this locality's requests are on it.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct WaitingList {
    /// The directory entry.
    pub entry_id: String,
    /// The service's name.
    pub service_name: String,
    /// Referrals from this locality waiting for a place.
    pub waiting: i64,
    /// Days the longest-waiting of them has waited.
    pub longest_wait_days: i64,
}

/// One need: how often it was seen, and how often a service for it was offered and received.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct NeedMet {
    /// The need's code (`dev_health`, …).
    pub need: String,
    /// Requests in the past 12 months that record the need.
    pub requests: i64,
    /// Of those, requests where a referral for the need was offered a place.
    pub offered: i64,
    /// Of those, requests where a service for the need was received (started or ended).
    pub received: i64,
    /// Requests with the need that have not received a service for it.
    pub unmet: i64,
}

/// What families asked for, were offered and received, over requests in the past 12 months.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct AskedOfferedReceived {
    /// Requests made in the past 12 months.
    pub requests: i64,
    /// Of those, requests that asked for a service.
    pub asked: i64,
    /// Of those, requests with a referral that was offered a place.
    pub offered: i64,
    /// Of those, requests with a referral that was received (started or ended).
    pub received: i64,
}

/// The stuck-case count when a panel's agenda was set.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct StuckPoint {
    /// When the panel meets.
    pub meets_on: String,
    /// Stuck cases when its agenda was set.
    pub stuck_count: i64,
}

/// SQL condition: referral `s` was offered a place (even if later withdrawn).
fn offered_sql() -> String {
    let st: Vec<String> = ReferralStatus::ALL
        .iter()
        .filter(|s| s.was_offered())
        .map(|s| format!("'{}'", s.as_str()))
        .collect();
    format!(
        "(s.status IN ({}) OR s.offered_at IS NOT NULL)",
        st.join(", ")
    )
}

/// SQL condition: referral `s` was received (started, even if later ended or withdrawn).
fn received_sql() -> String {
    let st: Vec<String> = ReferralStatus::ALL
        .iter()
        .filter(|s| s.was_received())
        .map(|s| format!("'{}'", s.as_str()))
        .collect();
    format!(
        "(s.status IN ({}) OR s.started_at IS NOT NULL)",
        st.join(", ")
    )
}

/// The stored date of birth (`YYYY-MM-DD`), if it is one.
fn birth_date(s: &str) -> Option<time::Date> {
    let f = time::macros::format_description!("[year]-[month]-[day]");
    time::Date::parse(s.get(..10)?, &f).ok()
}

/// The rows of the phase-by-level matrix for `phases` (name, min, max, SEND max; youngest
/// first), and the row a child of `age` is counted in.
struct Matrix {
    rows: Vec<PhaseLevels>,
    phases: Vec<(i64, i64)>,
    extension: Option<(usize, i64)>,
    other: usize,
}

impl Matrix {
    fn new(phases: &[(String, i64, i64, Option<i64>)]) -> Self {
        let mut rows: Vec<PhaseLevels> = phases
            .iter()
            .map(|(name, min, max, _)| PhaseLevels {
                phase: name.clone(),
                kind: "phase".into(),
                min_age: Some(*min),
                max_age: Some(*max),
                ..Default::default()
            })
            .collect();
        let mut extension = None;
        if let Some((name, _, max, Some(send))) = phases.last() {
            if send > max {
                extension = Some((rows.len(), *send));
                rows.push(PhaseLevels {
                    phase: format!(
                        "{name}: ages {} to {} with special educational needs and disabilities",
                        max + 1,
                        send
                    ),
                    kind: "send_extension".into(),
                    min_age: Some(max + 1),
                    max_age: Some(*send),
                    ..Default::default()
                });
            }
        }
        let other = rows.len();
        rows.push(PhaseLevels {
            phase: "Other ages, or date of birth not known".into(),
            kind: "other".into(),
            ..Default::default()
        });
        Self {
            rows,
            phases: phases.iter().map(|p| (p.1, p.2)).collect(),
            extension,
            other,
        }
    }

    /// The row of a child of `age`; past the oldest phase, the SEND extension only for a child
    /// with special educational needs (SEN support or an EHC plan).
    fn row_for(&self, age: Option<i64>, send: bool) -> usize {
        let Some(age) = age else {
            return self.other;
        };
        if let Some(i) = self
            .phases
            .iter()
            .position(|(min, max)| (*min..=*max).contains(&age))
        {
            return i;
        }
        let oldest = self.phases.iter().map(|p| p.1).max();
        match (self.extension, oldest) {
            (Some((row, to)), Some(top)) if send && age > top && age <= to => row,
            _ => self.other,
        }
    }

    fn count(&mut self, age: Option<i64>, send: bool, level: Option<Level>) {
        let i = self.row_for(age, send);
        let row = &mut self.rows[i];
        match level {
            Some(l) => row.by_level[usize::from(l.number() - 1)] += 1,
            None => row.not_decided += 1,
        }
    }
}

impl SqlStore {
    /// The dashboard's figures for locality `l`, added to `s`.
    pub(super) async fn dashboard_figures(
        &self,
        conn: &mut sqlx::AnyConnection,
        l: i64,
        s: &mut LocalitySummary,
    ) -> Result<()> {
        let today = self.today_date();
        let year_ago = self.now().minus_days(365).to_db();

        // Open work by age phase and level.
        let phases: Vec<(String, i64, i64, Option<i64>)> = sqlx::query_as(
            "SELECT p.name, p.min_age, p.max_age, p.send_max_age FROM age_phases p \
             JOIN localities l ON l.authority_id = p.authority_id WHERE l.id = $1 ORDER BY p.min_age",
        )
        .bind(l)
        .fetch_all(&mut *conn)
        .await?;
        let mut matrix = Matrix::new(&phases);
        let open: Vec<(Option<String>, Option<String>, String)> = sqlx::query_as(
            "SELECT p.date_of_birth, r.level, p.send_status FROM support_requests r JOIN persons p ON p.id = r.child_id \
             WHERE r.locality_id = $1 AND r.status <> 'closed'",
        )
        .bind(l)
        .fetch_all(&mut *conn)
        .await?;
        for (dob, level, send) in open {
            let age = dob
                .as_deref()
                .and_then(birth_date)
                .map(|b| i64::from(age_on(b, today)));
            matrix.count(age, send != "none", level_of(level));
        }
        s.open_by_phase = matrix.rows;

        // Waiting lists.
        let waiting: Vec<(String, String, i64, String)> = sqlx::query_as(
            "SELECT s.entry_id, MIN(s.service_name), COUNT(*), MIN(s.referred_at) FROM service_referrals s \
             JOIN support_requests r ON r.id = s.request_id \
             WHERE r.locality_id = $1 AND s.status = 'waiting' \
             GROUP BY s.entry_id ORDER BY COUNT(*) DESC, MIN(s.service_name)",
        )
        .bind(l)
        .fetch_all(&mut *conn)
        .await?;
        s.waiting_lists = waiting
            .into_iter()
            .map(|(entry_id, service_name, n, since)| WaitingList {
                entry_id,
                service_name,
                waiting: n,
                longest_wait_days: birth_date(&since)
                    .map(|d| (today - d).whole_days().max(0))
                    .unwrap_or(0),
            })
            .collect();

        // Need against what was offered and received.
        let (offered, received) = (offered_sql(), received_sql());
        let needs: Vec<(String, i64, i64, i64)> = sqlx::query_as(&format!(
            "SELECT n.need, COUNT(*), \
             COUNT(CASE WHEN EXISTS (SELECT 1 FROM service_referrals s WHERE s.request_id = r.id AND s.need = n.need AND {offered}) THEN 1 END), \
             COUNT(CASE WHEN EXISTS (SELECT 1 FROM service_referrals s WHERE s.request_id = r.id AND s.need = n.need AND {received}) THEN 1 END) \
             FROM request_needs n JOIN support_requests r ON r.id = n.request_id \
             WHERE r.locality_id = $1 AND r.created_at >= $2 GROUP BY n.need"
        ))
        .bind(l)
        .bind(&year_ago)
        .fetch_all(&mut *conn)
        .await?;
        let mut needs: Vec<NeedMet> = needs
            .into_iter()
            .map(|(need, requests, offered, received)| NeedMet {
                need,
                requests,
                offered,
                received,
                unmet: requests - received,
            })
            .collect();
        needs.sort_by(|a, b| {
            b.unmet
                .cmp(&a.unmet)
                .then(b.requests.cmp(&a.requests))
                .then(a.need.cmp(&b.need))
        });
        s.need_met = needs;

        // Asked for, offered, received.
        let (requests, asked, offered, received): (i64, i64, i64, i64) = sqlx::query_as(&format!(
            "SELECT COUNT(*), \
             COUNT(CASE WHEN r.service_asked IS NOT NULL AND r.service_asked <> '' THEN 1 END), \
             COUNT(CASE WHEN EXISTS (SELECT 1 FROM service_referrals s WHERE s.request_id = r.id AND {offered}) THEN 1 END), \
             COUNT(CASE WHEN EXISTS (SELECT 1 FROM service_referrals s WHERE s.request_id = r.id AND {received}) THEN 1 END) \
             FROM support_requests r WHERE r.locality_id = $1 AND r.created_at >= $2"
        ))
        .bind(l)
        .bind(&year_ago)
        .fetch_one(&mut *conn)
        .await?;
        s.asked_offered_received = AskedOfferedReceived {
            requests,
            asked,
            offered,
            received,
        };

        // The stuck-case trend, oldest panel first.
        let trend: Vec<(String, i64)> = sqlx::query_as(
            "SELECT meets_on, stuck_count FROM panels WHERE locality_id = $1 ORDER BY meets_on, id",
        )
        .bind(l)
        .fetch_all(&mut *conn)
        .await?;
        s.stuck_trend = trend
            .into_iter()
            .map(|(meets_on, stuck_count)| StuckPoint {
                meets_on,
                stuck_count,
            })
            .collect();
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> time::Date {
        birth_date(s).unwrap()
    }

    #[test]
    fn stored_dates_of_birth_are_read_and_anything_else_is_not() {
        assert_eq!(age_on(d("2014-06-10"), d("2026-06-09")), 11);
        assert_eq!(
            birth_date("2014-06-10T00:00:00.000Z"),
            Some(d("2014-06-10"))
        );
        assert_eq!(birth_date("10/06/2014"), None);
        assert_eq!(birth_date(""), None);
    }

    #[test]
    fn children_are_counted_in_their_phase_the_send_extension_or_other() {
        let phases = vec![
            ("0-12".to_owned(), 0, 12, None),
            ("13-19".to_owned(), 13, 19, Some(25)),
        ];
        let mut m = Matrix::new(&phases);
        assert_eq!(m.rows.len(), 4);
        m.count(Some(0), false, Some(Level::Targeted));
        m.count(Some(12), false, Some(Level::Targeted));
        m.count(Some(13), false, Some(Level::Complex));
        m.count(Some(19), false, None);
        m.count(Some(20), true, Some(Level::Specialist));
        m.count(Some(25), true, None);
        // Past 19 without special educational needs: not in the extension.
        m.count(Some(21), false, None);
        m.count(Some(26), true, None);
        m.count(None, false, Some(Level::Universal));
        assert_eq!(m.rows[0].by_level, [0, 2, 0, 0]);
        assert_eq!(m.rows[1].by_level, [0, 0, 1, 0]);
        assert_eq!(m.rows[1].not_decided, 1);
        assert_eq!(m.rows[2].kind, "send_extension");
        assert_eq!((m.rows[2].by_level[3], m.rows[2].not_decided), (1, 1));
        assert_eq!(m.rows[3].kind, "other");
        assert_eq!(m.rows[3].total(), 3);

        // No extension: older children are "other".
        let mut m = Matrix::new(&[("0-5".to_owned(), 0, 5, None)]);
        assert_eq!(m.rows.len(), 2);
        m.count(Some(6), true, None);
        assert_eq!(m.rows[1].not_decided, 1);
        // No phases at all: everything is "other".
        let mut m = Matrix::new(&[]);
        m.count(Some(3), false, None);
        assert_eq!(m.rows[0].total(), 1);
    }

    #[test]
    fn offered_and_received_follow_the_referral_states() {
        assert_eq!(
            offered_sql(),
            "(s.status IN ('offered', 'started', 'ended') OR s.offered_at IS NOT NULL)"
        );
        assert_eq!(
            received_sql(),
            "(s.status IN ('started', 'ended') OR s.started_at IS NOT NULL)"
        );
    }
}
