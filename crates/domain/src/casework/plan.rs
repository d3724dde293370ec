//! The plan of the team around the child: SMART actions, meetings and review dates.

use crate::FieldError;

/// How often the team around the child reviews the plan unless the authority says otherwise.
pub const DEFAULT_REVIEW_WEEKS: i64 = 6;

fn iso_date(raw: &str) -> Option<time::Date> {
    time::Date::parse(
        raw.trim(),
        &time::format_description::well_known::Iso8601::DATE,
    )
    .ok()
}

/// One SMART action of the plan, checked: what, who (a member of the team), by when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAction {
    /// What will be done (specific and measurable: a sentence).
    pub description: String,
    /// The team member who owns it (user id).
    pub owner: i64,
    /// When it is due.
    pub due: time::Date,
}

impl NewAction {
    /// Parse a form's fields; every problem is named. `today` bounds the due date.
    pub fn parse(
        description: &str,
        owner: &str,
        due: &str,
        today: time::Date,
    ) -> Result<NewAction, Vec<FieldError>> {
        let mut errors = Vec::new();
        let d = description.trim();
        if d.is_empty() {
            errors.push(FieldError::new("description", "Enter what will be done"));
        } else if d.chars().count() > 500 {
            errors.push(FieldError::new(
                "description",
                "Write 500 characters or fewer",
            ));
        }
        let owner = owner.trim().parse::<i64>().ok();
        if owner.is_none() {
            errors.push(FieldError::new("owner", "Choose who owns the action"));
        }
        let due = match iso_date(due) {
            Some(x) if x >= today => Some(x),
            Some(_) => {
                errors.push(FieldError::new(
                    "due",
                    "The due date must be today or later",
                ));
                None
            }
            None => {
                errors.push(FieldError::new(
                    "due",
                    "Enter the date it is due, like 2027-01-15",
                ));
                None
            }
        };
        match (owner, due) {
            (Some(owner), Some(due)) if errors.is_empty() => Ok(NewAction {
                description: d.to_owned(),
                owner,
                due,
            }),
            _ => Err(errors),
        }
    }
}

/// A meeting of the team around the child, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewMeeting {
    /// When it was held (today or earlier).
    pub held_on: time::Date,
    /// Who attended (names, as written).
    pub attendees: String,
    /// What was decided.
    pub decisions: String,
    /// Whether it reviewed the plan (sets the next review date).
    pub is_review: bool,
}

impl NewMeeting {
    /// Parse a form's fields; every problem is named.
    pub fn parse(
        held_on: &str,
        attendees: &str,
        decisions: &str,
        is_review: bool,
        today: time::Date,
    ) -> Result<NewMeeting, Vec<FieldError>> {
        let mut errors = Vec::new();
        let held = match iso_date(held_on) {
            Some(x) if x <= today => Some(x),
            _ => {
                errors.push(FieldError::new(
                    "held_on",
                    "Enter the date the meeting was held, today or earlier, like 2026-11-20",
                ));
                None
            }
        };
        if attendees.trim().is_empty() {
            errors.push(FieldError::new("attendees", "Enter who attended"));
        }
        if decisions.trim().is_empty() {
            errors.push(FieldError::new("decisions", "Enter what was decided"));
        }
        for (f, t) in [("attendees", attendees), ("decisions", decisions)] {
            if t.chars().count() > 4000 {
                errors.push(FieldError::new(f, "Write 4,000 characters or fewer"));
            }
        }
        match held {
            Some(held_on) if errors.is_empty() => Ok(NewMeeting {
                held_on,
                attendees: attendees.trim().to_owned(),
                decisions: decisions.trim().to_owned(),
                is_review,
            }),
            _ => Err(errors),
        }
    }
}

/// When the plan is next reviewed: `weeks` after the last review, or after the team began.
pub fn next_review(
    last_review: Option<time::Date>,
    team_began: time::Date,
    weeks: i64,
) -> time::Date {
    last_review.unwrap_or(team_began) + time::Duration::weeks(weeks)
}

#[cfg(test)]
mod plan_tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn an_action_needs_what_who_and_a_due_date_not_in_the_past() {
        let today = date!(2026 - 11 - 23);
        let ok = NewAction::parse("Book the breakfast club", "7", "2026-12-01", today).unwrap();
        assert_eq!((ok.owner, ok.due), (7, date!(2026 - 12 - 01)));
        let errs = NewAction::parse(" ", "", "", today).unwrap_err();
        let fields: Vec<_> = errs.iter().map(|e| e.field).collect();
        assert_eq!(fields, vec!["description", "owner", "due"]);
        let errs = NewAction::parse("x", "7", "2026-11-22", today).unwrap_err();
        assert_eq!(errs[0].message, "The due date must be today or later");
    }

    #[test]
    fn a_meeting_needs_a_past_date_attendees_and_decisions_and_reviews_move_the_next_review() {
        let today = date!(2026 - 11 - 23);
        assert!(NewMeeting::parse("2026-11-20", "Mum, HV", "Plan agreed", true, today).is_ok());
        let errs = NewMeeting::parse("2026-12-20", "", "", false, today).unwrap_err();
        assert_eq!(errs.len(), 3);
        assert_eq!(
            next_review(None, date!(2026 - 11 - 01), DEFAULT_REVIEW_WEEKS),
            date!(2026 - 12 - 13)
        );
        assert_eq!(
            next_review(Some(date!(2026 - 12 - 10)), date!(2026 - 11 - 01), 4),
            date!(2027 - 01 - 07)
        );
    }
}
