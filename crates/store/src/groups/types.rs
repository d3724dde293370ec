//! What teams around a school look like to the store's callers.

use everychild_domain::casework::{GroupTeamKind, NewMeeting};
use serde::Serialize;

/// What the web layer needs to choose the permit for a team (no personal data).
#[derive(Debug, Clone, Serialize)]
pub struct GroupTeamScope {
    /// The team.
    pub id: i64,
    /// Its name.
    pub name: String,
    /// Its locality.
    pub locality_id: i64,
    /// Whether the asking user is a current member.
    pub member: bool,
}

/// A team in its locality's list.
#[derive(Debug, Clone, Serialize)]
pub struct GroupTeamSummary {
    /// The team.
    pub id: i64,
    /// Its name.
    pub name: String,
    /// School or cluster.
    pub kind: GroupTeamKind,
    /// Its schools: URN and name.
    pub schools: Vec<(i64, String)>,
    /// The lead's name.
    pub lead: String,
    /// Current members.
    pub members: i64,
    /// Children covered now.
    pub children: i64,
}

/// A current member of a group team.
#[derive(Debug, Clone, Serialize)]
pub struct GroupMemberRow {
    /// Row id (to remove them).
    pub id: i64,
    /// The user.
    pub user_id: i64,
    /// Name.
    pub name: String,
    /// Their organisation.
    pub organisation: String,
    /// Their part in the team.
    pub team_role: String,
    /// Since.
    pub since: String,
    /// Whether they lead the team.
    pub is_lead: bool,
}

/// A child the team covers: the name and the request, nothing from the record.
#[derive(Debug, Clone, Serialize)]
pub struct GroupChildRow {
    /// Row id (to remove the child).
    pub id: i64,
    /// The request for support.
    pub request_id: i64,
    /// The child's name.
    pub child_name: String,
}

/// A meeting of a group team.
#[derive(Debug, Clone, Serialize)]
pub struct GroupMeetingRow {
    /// When.
    pub held_on: String,
    /// Who attended.
    pub attendees: String,
    /// What was decided.
    pub decisions: String,
    /// Who recorded it.
    pub recorded_by: String,
}

/// A group team in full, as its members and its locality's managers see it.
#[derive(Debug, Clone, Serialize)]
pub struct GroupTeamDetail {
    /// The team.
    pub id: i64,
    /// Its name.
    pub name: String,
    /// School or cluster.
    pub kind: GroupTeamKind,
    /// Its locality, `(id, name)`.
    pub locality: (i64, String),
    /// The lead's name.
    pub lead: String,
    /// Its schools: URN and name.
    pub schools: Vec<(i64, String)>,
    /// Current members, the lead first.
    pub members: Vec<GroupMemberRow>,
    /// Children covered now, by name.
    pub children: Vec<GroupChildRow>,
    /// Meetings, newest first.
    pub meetings: Vec<GroupMeetingRow>,
}

/// A change to a group team (for one audited method).
#[derive(Debug, Clone)]
pub enum GroupChange<'a> {
    /// Add a member with their part in the team.
    AddMember {
        /// The user.
        user: i64,
        /// Their part.
        team_role: &'a str,
    },
    /// End a membership (by row id).
    RemoveMember(i64),
    /// Cover a child, by their open request in the locality.
    AddChild(i64),
    /// Stop covering a child (by row id).
    RemoveChild(i64),
    /// Record a meeting.
    Meeting(&'a NewMeeting),
}
