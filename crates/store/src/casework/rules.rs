//! The casework rules a deployment may set: when a case counts as stuck (and so is proposed for
//! the locality panel and counted on the dashboard), and when concerns from several agencies
//! raise the chronology's alert. The defaults are [`STUCK_WEEKS`], [`NO_LEAD_DAYS`],
//! [`ALERT_AGENCIES`] and [`ALERT_DAYS`]; [`CaseRules::new`] refuses a value out of range
//! naming the setting.

use super::panels::{NO_LEAD_DAYS, STUCK_WEEKS};
use crate::chronology::{ALERT_AGENCIES, ALERT_DAYS};
use everychild_domain::FieldError;
use serde::Serialize;

/// The casework rules in force. Build one with [`CaseRules::new`] (checked) or take the
/// [`Default`] (today's constants); give it to the store with
/// [`crate::SqlStore::with_case_rules`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct CaseRules {
    /// Weeks without any change after which an open request is stuck (1 to 52).
    pub stuck_weeks: i64,
    /// Days early help may wait for a lead professional before it is stuck (1 to 365).
    pub no_lead_days: i64,
    /// Requests for support from this many different agencies … (2 to 10)
    pub alert_agencies: usize,
    /// … within this many days raise the chronology's alert (1 to 90).
    pub alert_days: i64,
}

impl Default for CaseRules {
    fn default() -> Self {
        Self {
            stuck_weeks: STUCK_WEEKS,
            no_lead_days: NO_LEAD_DAYS,
            alert_agencies: ALERT_AGENCIES,
            alert_days: ALERT_DAYS,
        }
    }
}

fn within(
    field: &'static str,
    value: i64,
    low: i64,
    high: i64,
    unit: &str,
) -> Result<i64, FieldError> {
    if (low..=high).contains(&value) {
        Ok(value)
    } else {
        Err(FieldError::new(
            field,
            format!("must be a whole number of {unit} from {low} to {high}, not {value}"),
        ))
    }
}

impl CaseRules {
    /// Check each value: `stuck_weeks` 1 to 52, `no_lead_days` 1 to 365, `alert_agencies` 2
    /// to 10, `alert_days` 1 to 90. The error names the setting that is out of range.
    pub fn new(
        stuck_weeks: i64,
        no_lead_days: i64,
        alert_agencies: i64,
        alert_days: i64,
    ) -> Result<Self, FieldError> {
        Ok(Self {
            stuck_weeks: within("stuck_weeks", stuck_weeks, 1, 52, "weeks")?,
            no_lead_days: within("no_lead_days", no_lead_days, 1, 365, "days")?,
            alert_agencies: usize::try_from(within(
                "alert_agencies",
                alert_agencies,
                2,
                10,
                "agencies",
            )?)
            .unwrap_or(ALERT_AGENCIES),
            alert_days: within("alert_days", alert_days, 1, 90, "days")?,
        })
    }

    /// The stuck rule in words ("no progress for 8 weeks, or early help without a lead
    /// professional for more than 14 days").
    pub fn stuck_text(&self) -> String {
        format!(
            "no progress for {} weeks, or early help without a lead professional for more than {} days",
            self.stuck_weeks, self.no_lead_days
        )
    }

    /// The alert rule in words.
    pub fn alert_text(&self) -> String {
        format!(
            "requests for support from {} or more agencies within {} days",
            self.alert_agencies, self.alert_days
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_defaults_are_the_constants_and_every_range_is_checked_by_name() {
        let d = CaseRules::default();
        assert_eq!(
            CaseRules::new(STUCK_WEEKS, NO_LEAD_DAYS, ALERT_AGENCIES as i64, ALERT_DAYS),
            Ok(d)
        );
        assert!(CaseRules::new(1, 1, 2, 1).is_ok());
        assert!(CaseRules::new(52, 365, 10, 90).is_ok());
        for (bad, field) in [
            ((0, 14, 2, 7), "stuck_weeks"),
            ((53, 14, 2, 7), "stuck_weeks"),
            ((8, 0, 2, 7), "no_lead_days"),
            ((8, 366, 2, 7), "no_lead_days"),
            ((8, 14, 1, 7), "alert_agencies"),
            ((8, 14, 11, 7), "alert_agencies"),
            ((8, 14, 2, 0), "alert_days"),
            ((8, 14, 2, 91), "alert_days"),
        ] {
            let e = CaseRules::new(bad.0, bad.1, bad.2, bad.3).unwrap_err();
            assert_eq!(e.field, field, "{bad:?}");
            assert!(e.to_string().starts_with(field), "{e}");
        }
        assert_eq!(
            CaseRules::new(-3, 14, 2, 7).unwrap_err().to_string(),
            "stuck_weeks: must be a whole number of weeks from 1 to 52, not -3"
        );
    }
}
