//! A locality's dashboard for its managers, commissioners and analysts: headline figures, open
//! work by age phase and level of need, unmet need by category, what families asked for against
//! what they were offered and received, the stuck-case trend and the waiting lists. Counts
//! only: no child is named. Every chart is server-side SVG (`charts.rs`) followed by a table
//! of the same numbers.

use super::{render, Chrome};
use crate::charts::{self, Series};
use crate::error::{AppError, PageError};
use crate::{AppState, Ctx};
use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use everychild_domain::casework::Need;
use everychild_policy::{self as policy, Target};
use everychild_store::{LocalitySummary, PhaseLevels};

/// A headline figure.
struct Figure {
    label: &'static str,
    value: String,
    hint: String,
}

/// A need's row, with its words.
struct NeedRow {
    label: String,
    requests: i64,
    offered: i64,
    received: i64,
    unmet: i64,
}

#[derive(Template)]
#[template(path = "locality_dashboard.html")]
struct Page {
    c: Chrome,
    id: i64,
    name: String,
    s: LocalitySummary,
    figures: Vec<Figure>,
    levels: Vec<&'static str>,
    open_chart: String,
    need_rows: Vec<NeedRow>,
    need_chart: String,
    aor_rows: Vec<(&'static str, i64)>,
    aor_chart: String,
    trend_chart: String,
    stuck_rule: String,
}

/// A short label for a row of the phase matrix, to sit under its bars.
fn short_phase(r: &PhaseLevels) -> String {
    match (r.kind.as_str(), r.min_age, r.max_age) {
        ("send_extension", Some(a), Some(b)) => format!("{a}-{b} (SEND)"),
        ("other", _, _) => "Other or not known".into(),
        _ => r.phase.clone(),
    }
}

fn need_label(code: &str) -> String {
    Need::parse(code)
        .map(|n| n.label().to_owned())
        .unwrap_or_else(|_| code.to_owned())
}

/// `part` as a whole percentage of `whole` ("–" when there is nothing to divide).
fn percent(part: i64, whole: i64) -> String {
    if whole <= 0 {
        "–".into()
    } else {
        format!("{}%", (part * 100 + whole / 2) / whole)
    }
}

/// GET /localities/{id}/dashboard
pub async fn show(
    ctx: Ctx,
    State(st): State<AppState>,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    let p = ctx
        .authorize::<policy::ViewLocalitySummary>(&st, Target::Locality(id), None)
        .await?;
    let s = st.store.locality_summary(&p).await?;
    let name = s.locality_name.clone().ok_or(AppError::NotFound)?;
    let rules = s.rules;
    let open: i64 = s.open_by_phase.iter().map(PhaseLevels::total).sum();
    let waiting: i64 = s.waiting_lists.iter().map(|w| w.waiting).sum();
    let aor = &s.asked_offered_received;
    let figures = vec![
        Figure {
            label: "Open requests",
            value: open.to_string(),
            hint: format!("{} waiting for a front-door decision", s.awaiting_decision),
        },
        Figure {
            label: "Stuck now",
            value: s.stuck.to_string(),
            hint: format!(
                "No progress for {} weeks, or no lead professional for more than {} days",
                rules.stuck_weeks, rules.no_lead_days
            ),
        },
        Figure {
            label: "Early help without a lead professional",
            value: s.without_lead.to_string(),
            hint: "Agreed at the front door, nobody leads it yet".into(),
        },
        Figure {
            label: "Overdue reviews",
            value: s.overdue_reviews.to_string(),
            hint: format!("and {} overdue actions", s.overdue_actions),
        },
        Figure {
            label: "On waiting lists",
            value: waiting.to_string(),
            hint: format!("referrals waiting at {} services", s.waiting_lists.len()),
        },
        Figure {
            label: "Received a service",
            value: percent(aor.received, aor.requests),
            hint: format!(
                "{} of {} requests in the past 12 months",
                aor.received, aor.requests
            ),
        },
        Figure {
            label: "Re-referrals",
            value: s.re_referrals.to_string(),
            hint: "in the past 12 months, within a year of the last request closing".into(),
        },
        Figure {
            label: "Steps up and down",
            value: format!("{} / {}", s.step_ups, s.step_downs),
            hint: "levels stepped up, and down, in the past 12 months".into(),
        },
    ];

    let levels = vec!["Level 1", "Level 2", "Level 3", "Level 4", "Not decided"];
    let colours = [
        charts::GREEN,
        charts::BLUE,
        charts::PURPLE,
        charts::RED,
        charts::GREY,
    ];
    let series: Vec<Series> = levels
        .iter()
        .zip(colours)
        .enumerate()
        .map(|(i, (name, colour))| Series {
            name: (*name).to_owned(),
            short: if i < 4 {
                format!("L{}", i + 1)
            } else {
                "ND".into()
            },
            colour,
        })
        .collect();
    let open_chart = charts::grouped_bars(
        "open-work",
        &format!("Bar chart: open requests in {name} by age phase and level of need"),
        "Bars grouped by age phase, one bar for each level of need (L1 to L4) and for requests whose level is not decided (ND). The table after the chart gives the same figures.",
        &s.open_by_phase.iter().map(short_phase).collect::<Vec<_>>(),
        &series,
        &s.open_by_phase
            .iter()
            .map(|r| {
                let mut v = r.by_level.to_vec();
                v.push(r.not_decided);
                v
            })
            .collect::<Vec<_>>(),
    );

    let need_rows: Vec<NeedRow> = s
        .need_met
        .iter()
        .map(|n| NeedRow {
            label: need_label(&n.need),
            requests: n.requests,
            offered: n.offered,
            received: n.received,
            unmet: n.unmet,
        })
        .collect();
    let need_chart = charts::bars(
        "unmet-need",
        &format!("Bar chart: unmet need in {name} by category, past 12 months"),
        "For each need recorded on requests in the past 12 months, the requests with that need that have not received a service for it, most first. The figures follow in a table.",
        &need_rows
            .iter()
            .map(|r| (r.label.clone(), r.unmet))
            .collect::<Vec<_>>(),
        charts::RED,
    );

    let aor_rows = vec![
        ("Requests made", aor.requests),
        ("Asked for a service", aor.asked),
        ("Offered a place by a service", aor.offered),
        ("Received a service", aor.received),
    ];
    let aor_chart = charts::bars(
        "asked-offered-received",
        &format!("Bar chart: requests in {name} in the past 12 months that asked for, were offered and received a service"),
        "Four bars: requests made, those that asked for a service, those offered a place and those that received a service. The table after the chart gives the same figures.",
        &aor_rows
            .iter()
            .map(|(l, v)| ((*l).to_owned(), *v))
            .collect::<Vec<_>>(),
        charts::BLUE,
    );

    let trend_chart = if s.stuck_trend.is_empty() {
        String::new()
    } else {
        charts::line(
            "stuck-trend",
            &format!("Line chart: stuck cases in {name} when each panel's agenda was set"),
            "One point for each locality panel, oldest first, at the number of stuck cases when its agenda was set. The figures follow in a table.",
            &s.stuck_trend
                .iter()
                .map(|p| (p.meets_on.clone(), p.stuck_count))
                .collect::<Vec<_>>(),
        )
    };

    render(&Page {
        c: Chrome::new(&st, &ctx, format!("Dashboard: {name}"), "/localities"),
        id,
        figures,
        levels,
        open_chart,
        need_rows,
        need_chart,
        aor_rows,
        aor_chart,
        trend_chart,
        stuck_rule: rules.stuck_text(),
        name,
        s,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentages_round_and_never_divide_by_nothing() {
        assert_eq!(percent(0, 0), "–");
        assert_eq!(percent(1, 3), "33%");
        assert_eq!(percent(2, 3), "67%");
        assert_eq!(percent(4, 4), "100%");
    }
}
