//! The access rules a deployment may set: how long an involvement lasts before renewal, and
//! the volumes of searches and record reads a user may make in an hour before they are
//! refused and the data protection officer is alerted. [`AccessRules::new`] refuses a value
//! out of range, naming the setting.

use everychild_domain::access::{DEFAULT_INVOLVEMENT_MONTHS, MAX_INVOLVEMENT_MONTHS};
use everychild_domain::FieldError;
use serde::Serialize;

/// Searches of the index a user may make in an hour, when the authority sets nothing.
pub const SEARCHES_PER_HOUR: u32 = 60;
/// Children's records a user may open in an hour, when the authority sets nothing.
pub const READS_PER_HOUR: u32 = 120;

/// The access rules in force; give them to the store with
/// [`crate::SqlStore::with_access_rules`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct AccessRules {
    /// Months an involvement lasts before it must be renewed (1 to 36).
    pub involvement_months: u32,
    /// Searches of the index per user per hour (10 to 1,000).
    pub searches_per_hour: u32,
    /// Distinct children's records opened per user per hour (10 to 2,000).
    pub reads_per_hour: u32,
}

impl Default for AccessRules {
    fn default() -> Self {
        Self {
            involvement_months: DEFAULT_INVOLVEMENT_MONTHS,
            searches_per_hour: SEARCHES_PER_HOUR,
            reads_per_hour: READS_PER_HOUR,
        }
    }
}

fn within(field: &'static str, v: i64, low: u32, high: u32) -> Result<u32, FieldError> {
    match u32::try_from(v) {
        Ok(n) if (low..=high).contains(&n) => Ok(n),
        _ => Err(FieldError::new(
            field,
            format!("must be a whole number from {low} to {high}, not {v}"),
        )),
    }
}

impl AccessRules {
    /// Check each value; the error names the setting out of range.
    pub fn new(
        involvement_months: i64,
        searches_per_hour: i64,
        reads_per_hour: i64,
    ) -> Result<Self, FieldError> {
        Ok(Self {
            involvement_months: within(
                "involvement_months",
                involvement_months,
                1,
                MAX_INVOLVEMENT_MONTHS,
            )?,
            searches_per_hour: within("searches_per_hour", searches_per_hour, 10, 1000)?,
            reads_per_hour: within("reads_per_hour", reads_per_hour, 10, 2000)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_out_of_range_name_the_setting() {
        assert_eq!(
            AccessRules::new(12, 60, 120).unwrap(),
            AccessRules::default()
        );
        assert_eq!(
            AccessRules::new(0, 60, 120).unwrap_err().field,
            "involvement_months"
        );
        assert_eq!(
            AccessRules::new(37, 60, 120).unwrap_err().field,
            "involvement_months"
        );
        assert_eq!(
            AccessRules::new(12, 5, 120).unwrap_err().field,
            "searches_per_hour"
        );
        assert_eq!(
            AccessRules::new(12, 60, -1).unwrap_err().field,
            "reads_per_hour"
        );
    }
}
