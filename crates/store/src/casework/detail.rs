//! Reading requests for support: lists and one request in full.

use super::*;

const SUMMARY_SQL: &str = "SELECT r.id, r.child_id, p.given_name, p.family_name, p.date_of_birth, l.name, r.status, r.level, \
     COALESCE(u.display_name, '(a family)'), COALESCE(o.name, ''), r.created_at, lp.display_name, r.re_referral \
     FROM support_requests r JOIN persons p ON p.id = r.child_id JOIN localities l ON l.id = r.locality_id \
     LEFT JOIN users u ON u.id = r.requested_by LEFT JOIN organisations o ON o.id = r.requester_organisation_id \
     LEFT JOIN users lp ON lp.id = r.lead_professional_id";

pub(super) async fn summaries(
    conn: &mut sqlx::AnyConnection,
    filter: &str,
    bind: i64,
) -> Result<Vec<RequestSummary>> {
    let sql = format!("{SUMMARY_SQL} WHERE {filter} ORDER BY r.created_at, r.id");
    let rows = sqlx::query(&sql).bind(bind).fetch_all(&mut *conn).await?;
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        let id: i64 = row.try_get(0)?;
        let needs: Vec<(String,)> =
            sqlx::query_as("SELECT need FROM request_needs WHERE request_id = $1 ORDER BY need")
                .bind(id)
                .fetch_all(&mut *conn)
                .await?;
        let status: String = row.try_get(6)?;
        let given: String = row.try_get(2)?;
        let family: String = row.try_get(3)?;
        let by: String = row.try_get(8)?;
        let org: String = row.try_get(9)?;
        out.push(RequestSummary {
            id,
            child_id: row.try_get(1)?,
            child_name: format!("{given} {family}"),
            date_of_birth: row.try_get(4)?,
            locality: row.try_get(5)?,
            status: Status::parse(&status)
                .ok_or_else(|| StoreError::Corrupt(format!("request {id}: status {status}")))?,
            level: level_of(row.try_get(7)?),
            needs: needs
                .into_iter()
                .filter_map(|(n,)| Need::parse(&n).ok())
                .collect(),
            requested_by: if org.is_empty() {
                by
            } else {
                format!("{by}, {org}")
            },
            created_at: row.try_get(10)?,
            lead: row.try_get(11)?,
            re_referral: row.try_get::<i64, _>(12)? != 0,
        });
    }
    Ok(out)
}

pub(super) async fn detail(
    conn: &mut sqlx::AnyConnection,
    id: i64,
    child: i64,
) -> Result<Option<RequestDetail>> {
    let Some(summary) = summaries(conn, "r.id = $1", id).await?.pop() else {
        return Ok(None);
    };
    if summary.child_id != child {
        let (root,): (Option<i64>,) =
            sqlx::query_as("SELECT COALESCE(root_id, id) FROM persons WHERE id = $1")
                .bind(summary.child_id)
                .fetch_one(&mut *conn)
                .await?;
        if root != Some(child) {
            return Ok(None);
        }
    }
    type Extra = (
        i64,
        String,
        String,
        Option<String>,
        Option<String>,
        Option<String>,
        Option<String>,
        Option<String>,
        Option<String>,
        Option<String>,
        Option<String>,
        i64,
        Option<String>,
        Option<String>,
    );
    let x: Extra = sqlx::query_as(
        "SELECT locality_id, locality_reason, concern, service_asked, family_words, route, rationale, decided_by, decided_at, \
         outcome, closure_summary, version, closure_reason, family_feedback FROM support_requests WHERE id = $1",
    )
    .bind(id)
    .fetch_one(&mut *conn)
    .await?;
    let sc: (Option<String>, Option<String>, Option<String>) = sqlx::query_as(
        "SELECT social_care_outcome, social_care_note, social_care_at FROM support_requests WHERE id = $1",
    )
    .bind(id)
    .fetch_one(&mut *conn)
    .await?;
    let social_care = match sc {
        (Some(o), Some(n), Some(at)) => Some((
            everychild_domain::casework::SocialCareOutcome::parse(&o)
                .map_err(|e| StoreError::Corrupt(e.to_string()))?,
            n,
            at,
        )),
        _ => None,
    };
    let need_rows: Vec<(String, Option<String>)> = sqlx::query_as(
        "SELECT need, outcome FROM request_needs WHERE request_id = $1 ORDER BY need",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?;
    let levels: Vec<(Option<String>, String, String, String, String, String)> = sqlx::query_as(
        "SELECT from_level, to_level, kind, reason, changed_by, changed_at FROM level_changes WHERE request_id = $1 ORDER BY id",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?;
    type Member = (
        i64,
        i64,
        String,
        String,
        Option<String>,
        Option<String>,
        i64,
        String,
        String,
        Option<String>,
        Option<String>,
    );
    let team: Vec<Member> = sqlx::query_as(
        "SELECT t.id, t.user_id, u.display_name, o.name, u.phone, u.email, t.is_lead, t.team_role, t.since, t.until, t.handover_note \
         FROM tac_members t JOIN users u ON u.id = t.user_id JOIN organisations o ON o.id = u.organisation_id \
         WHERE t.request_id = $1 ORDER BY t.is_lead DESC, CASE WHEN t.until IS NULL THEN 0 ELSE 1 END, t.since DESC, t.id DESC",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?;
    type Consent = (
        i64,
        String,
        String,
        String,
        Option<String>,
        Option<i64>,
        Option<String>,
    );
    let consents: Vec<Consent> = sqlx::query_as(
        "SELECT c.id, c.purpose, c.given_by, c.recorded_at, c.withdrawn_at, c.organisation_id, o.name \
         FROM request_consents c LEFT JOIN organisations o ON o.id = c.organisation_id WHERE c.request_id = $1 ORDER BY c.id",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?;
    let episode = Episode {
        status: summary.status,
        level: summary.level,
        lead: None,
    };
    let outcome = match (x.9.as_deref().map(Outcome::parse), x.10) {
        (Some(Ok(o)), Some(s)) => Some((o, s)),
        _ => None,
    };
    Ok(Some(RequestDetail {
        social_care,
        locality_id: x.0,
        locality_reason: x.1,
        concern: x.2,
        service_asked: x.3,
        family_words: x.4,
        route: x.5.as_deref().and_then(|r| Route::parse(r).ok()),
        rationale: x.6,
        decided: x.7.zip(x.8),
        outcome,
        version: x.11,
        closure_reason: x
            .12
            .as_deref()
            .and_then(|r| everychild_domain::casework::ClosureReason::parse(r).ok()),
        family_feedback: x.13,
        need_outcomes: need_rows
            .into_iter()
            .filter_map(|(n, o)| {
                Some((
                    Need::parse(&n).ok()?,
                    o.as_deref().and_then(|o| Outcome::parse(o).ok()),
                ))
            })
            .collect(),
        levels: levels
            .into_iter()
            .filter_map(|(from, to, kind, reason, by, at)| {
                Some(LevelChangeRow {
                    from_level: level_of(from),
                    to_level: Level::parse(&to).ok()?,
                    kind,
                    reason,
                    changed_by: by,
                    changed_at: at,
                })
            })
            .collect(),
        team: team
            .into_iter()
            .map(|m| TeamMemberRow {
                id: m.0,
                user_id: m.1,
                name: m.2,
                organisation: m.3,
                contact: [m.4, m.5]
                    .into_iter()
                    .flatten()
                    .collect::<Vec<_>>()
                    .join(", "),
                is_lead: m.6 != 0,
                team_role: m.7,
                since: m.8,
                until: m.9,
                handover_note: m.10,
            })
            .collect(),
        consents: consents
            .into_iter()
            .filter_map(|(id, purpose, by, at, withdrawn, org, org_name)| {
                Some(ConsentRow {
                    id,
                    purpose: ConsentPurpose::parse(&purpose).ok()?,
                    organisation: org.map(|o| (o, org_name.unwrap_or_default())),
                    given_by: by,
                    recorded_at: at,
                    withdrawn_at: withdrawn,
                })
            })
            .collect(),
        allowed: episode.allowed(),
        referrals: referrals::of_request(conn, id).await?,
        summary,
    }))
}
