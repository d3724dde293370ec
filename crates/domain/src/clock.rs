//! Time as a parameter: the clock is injected so that timeouts, reviews and statutory
//! timescales are testable.

use time::format_description::well_known::Rfc3339;
use time::{OffsetDateTime, UtcOffset};

/// Something that tells the time. Production uses the system clock; tests use a fixed one.
pub trait Clock: Send + Sync + std::fmt::Debug {
    /// The current instant, in UTC.
    fn now(&self) -> OffsetDateTime;
}

/// A clock that always answers the same instant, optionally moved on by tests.
#[derive(Debug)]
pub struct FixedClock(std::sync::Mutex<OffsetDateTime>);

impl FixedClock {
    /// A clock stopped at `at`.
    pub fn new(at: OffsetDateTime) -> Self {
        Self(std::sync::Mutex::new(at))
    }
    /// Stop the clock at `at` (the demo walks it forward through two years of casework).
    pub fn set(&self, at: OffsetDateTime) {
        if let Ok(mut t) = self.0.lock() {
            *t = at;
        }
    }
    /// Move the clock on by `by`.
    pub fn advance(&self, by: time::Duration) {
        if let Ok(mut t) = self.0.lock() {
            *t += by;
        }
    }
}

impl Clock for FixedClock {
    fn now(&self) -> OffsetDateTime {
        self.0
            .lock()
            .map(|t| *t)
            .unwrap_or(OffsetDateTime::UNIX_EPOCH)
    }
}

/// A UTC instant stored as fixed-width RFC 3339 text with milliseconds
/// (`2026-11-22T14:52:01.123Z`), so that text order is time order in every database.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(OffsetDateTime);

impl Timestamp {
    /// Wrap an instant, truncated to whole milliseconds and moved to UTC.
    pub fn from_datetime(at: OffsetDateTime) -> Self {
        let at = at.to_offset(UtcOffset::UTC);
        let ms = at.millisecond();
        Self(at.replace_millisecond(ms).unwrap_or(at))
    }
    /// The wrapped instant.
    pub fn datetime(self) -> OffsetDateTime {
        self.0
    }
    /// This instant `days` days earlier.
    pub fn minus_days(self, days: i64) -> Self {
        Self(self.0 - time::Duration::days(days))
    }
    /// The stored text form.
    pub fn to_db(self) -> String {
        let d = self.0;
        format!(
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
            d.year(),
            u8::from(d.month()),
            d.day(),
            d.hour(),
            d.minute(),
            d.second(),
            d.millisecond()
        )
    }
    /// Parse the stored text form (any RFC 3339 text is accepted).
    pub fn parse(s: &str) -> Result<Self, time::error::Parse> {
        OffsetDateTime::parse(s, &Rfc3339).map(Self::from_datetime)
    }
    /// A short human form for pages: `22 Nov 2026, 14:52:01 UTC`.
    pub fn display(self) -> String {
        let d = self.0;
        let month = [
            "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
        ][usize::from(u8::from(d.month())).saturating_sub(1) % 12];
        format!(
            "{} {} {}, {:02}:{:02}:{:02} UTC",
            d.day(),
            month,
            d.year(),
            d.hour(),
            d.minute(),
            d.second()
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn stored_form_is_fixed_width_and_round_trips() {
        let t = Timestamp::from_datetime(datetime!(2026-01-02 03:04:05.678901 +01:00));
        assert_eq!(t.to_db(), "2026-01-02T02:04:05.678Z");
        assert_eq!(Timestamp::parse(&t.to_db()).ok(), Some(t));
        assert_eq!(t.display(), "2 Jan 2026, 02:04:05 UTC");
    }

    #[test]
    fn fixed_clock_advances() {
        let c = FixedClock::new(datetime!(2026-01-01 00:00 UTC));
        c.advance(time::Duration::minutes(5));
        assert_eq!(c.now(), datetime!(2026-01-01 00:05 UTC));
    }
}
