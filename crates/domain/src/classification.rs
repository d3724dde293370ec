//! Every stored field's class under UK GDPR (not personal, personal, special category under
//! Article 9, criminal-offence data under Article 10), with each table's purpose and retention.
//! The store's tests fail when a column of the schema is missing here (or listed here but gone),
//! and `everychild privacy record` prints the record of processing from this table.

/// The class of a stored field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Class {
    /// Not about an identifiable person.
    NotPersonal,
    /// Personal data.
    Personal,
    /// Special category data (UK GDPR Art 9): health, ethnicity, disability, and children's
    /// safeguarding status treated with the same care.
    SpecialCategory,
    /// Criminal-offence data (UK GDPR Art 10), such as police involvement.
    CriminalOffence,
}

impl Class {
    /// Words for the record of processing.
    pub fn label(self) -> &'static str {
        match self {
            Class::NotPersonal => "not personal",
            Class::Personal => "personal",
            Class::SpecialCategory => "special category",
            Class::CriminalOffence => "criminal offence",
        }
    }
}

/// One table: its purpose, how long its rows are kept, and every column's class.
#[derive(Debug, Clone, Copy)]
pub struct TableClass {
    /// Table name.
    pub table: &'static str,
    /// Why it is held.
    pub purpose: &'static str,
    /// How long rows are kept.
    pub retention: &'static str,
    /// Every column and its class.
    pub columns: &'static [(&'static str, Class)],
}

impl TableClass {
    /// The most sensitive class among the table's columns.
    pub fn highest(&self) -> Class {
        self.columns
            .iter()
            .map(|c| c.1)
            .max()
            .unwrap_or(Class::NotPersonal)
    }
}

const fn table(
    table: &'static str,
    purpose: &'static str,
    retention: &'static str,
    columns: &'static [(&'static str, Class)],
) -> TableClass {
    TableClass {
        table,
        purpose,
        retention,
        columns,
    }
}

use Class::{CriminalOffence as C, NotPersonal as N, Personal as P, SpecialCategory as S};

/// Every table of the schema.
pub const TABLES: &[TableClass] = &[
    table("organisations", "Organisations of the partnership and their agency type", "Kept while the organisation takes part", &[("id", N), ("name", N), ("kind", N), ("agency_type", N), ("created_at", N)]),
    table("localities", "The authority's localities", "Kept for ever: old boundary sets refer to them", &[("id", N), ("name", N), ("authority_id", N)]),
    table("users", "Staff accounts: sign-in, roles, contact details for colleagues", "Disabled on leaving; removed 6 years after the last audited action", &[("id", N), ("username", P), ("display_name", P), ("email", P), ("job_title", P), ("role", P), ("organisation_id", N), ("password_hash", P), ("totp_secret", P), ("totp_enabled", P), ("totp_last_step", P), ("disabled", P), ("must_change_password", P), ("created_at", N), ("updated_at", N), ("phone", P), ("line_manager_id", P), ("team", P), ("service", N)]),
    table("user_localities", "Which localities a member of staff works in", "As users", &[("user_id", P), ("locality_id", N)]),
    table("sign_in_locks", "Sign-in throttling: a key at its limit, and how many attempts it refused", "Purged when the throttle window ends", &[("throttle_key", P), ("first_at", N), ("last_at", N), ("attempts", N)]),
    table("credential_resets", "Resets of administrators' and the DPO's credentials, asked for and approved by two administrators", "6 years", &[("id", N), ("user_id", P), ("kind", P), ("requested_by_id", P), ("requested_by", P), ("requested_at", P), ("approved_by_id", P), ("approved_by", P), ("approved_at", P)]),
    table("sessions", "Signed-in sessions", "Until sign-out or timeout (12 hours at most)", &[("id_hash", P), ("user_id", P), ("stage", P), ("created_at", N), ("last_seen_at", P), ("ip", P), ("idp", P)]),
    table("user_identities", "Which account at the council's identity provider signs in as which staff account", "As users", &[("id", N), ("user_id", P), ("issuer", N), ("subject", P), ("linked_by", P), ("linked_at", N)]),
    table("sign_in_failures", "Failed sign-ins, for throttling", "15 minutes (the throttling window), then unused", &[("id", N), ("throttle_key", P), ("at", P)]),
    table("api_tokens", "Machine clients' bearer tokens (hashes only)", "Until revoked, then 6 years", &[("id", N), ("name", P), ("token_hash", P), ("user_id", P), ("created_by", P), ("created_at", N), ("last_used_at", P), ("revoked_at", P), ("scopes", N), ("expires_at", N), ("owner_id", P)]),
    table("audit_head", "The head of the audit hash chain", "For ever", &[("id", N), ("seq", N), ("hash", N)]),
    table("audit_events", "Who did what to which record, when and why: the tamper-evident audit log", "At least as long as the records it describes (to the 75th birthday for looked-after children)", &[("seq", N), ("at", P), ("actor_id", P), ("actor_username", P), ("actor_role", P), ("actor_org", P), ("action", P), ("outcome", P), ("subject_type", P), ("subject_id", P), ("purpose", P), ("detail", S), ("ip", P), ("request_id", N), ("prev_hash", N), ("hash", N), ("key_id", N)]),
    table("authorities", "Local authorities and their settings", "For ever", &[("id", N), ("code", N), ("name", N), ("lead_rule", N), ("created_at", N)]),
    table("wards", "ONS wards and boundaries (open data)", "Replaced by re-import", &[("code", N), ("name", N), ("authority_code", N), ("geometry", N)]),
    table("lsoas", "ONS LSOAs and boundaries (open data)", "Replaced by re-import", &[("code", N), ("vintage", N), ("name", N), ("authority_code", N), ("ward_code", N), ("latitude", N), ("longitude", N), ("geometry", N)]),
    table("deprivation", "Indices of Deprivation 2019 (open data)", "Replaced by re-import", &[("lsoa11", N), ("imd_score", N), ("imd_rank", N), ("imd_decile", N), ("income_rank", N), ("income_decile", N), ("employment_rank", N), ("employment_decile", N), ("education_rank", N), ("education_decile", N), ("health_rank", N), ("health_decile", N), ("crime_rank", N), ("crime_decile", N), ("barriers_rank", N), ("barriers_decile", N), ("living_environment_rank", N), ("living_environment_decile", N), ("idaci_score", N), ("idaci_decile_best", N), ("idaci_decile_worst", N), ("cyp_rank", N), ("cyp_decile", N)]),
    table("population", "ONS population estimates (open data)", "Replaced by re-import", &[("lsoa11", N), ("year", N), ("age", N), ("persons", N)]),
    table("postcodes", "ONS and OS postcodes (open data)", "Replaced by re-import", &[("postcode", N), ("authority_code", N), ("lsoa11", N), ("oa11", N), ("msoa11", N), ("ward_code", N), ("easting", N), ("northing", N), ("introduced", N), ("terminated", N)]),
    table("schools", "DfE schools (open data)", "Replaced by re-import", &[("urn", N), ("name", N), ("authority_code", N), ("establishment_type", N), ("type_group", N), ("phase", N), ("pupils", N), ("fsm_percent", N), ("lsoa_code", N), ("ward_code", N), ("easting", N), ("northing", N), ("city_wide", N)]),
    table("boundary_sets", "Versions of the locality boundaries", "For ever", &[("id", N), ("authority_id", N), ("version", N), ("name", N), ("note", N), ("is_current", N), ("created_by", N), ("created_at", N), ("made_current_at", N)]),
    table("boundary_set_wards", "Wards of each boundary set", "For ever", &[("set_id", N), ("ward_code", N), ("locality_id", N)]),
    table("age_phases", "An authority's age phases", "For ever", &[("id", N), ("authority_id", N), ("name", N), ("min_age", N), ("max_age", N), ("send_max_age", N)]),
    table("sites", "Hubs and delivery sites", "While in use", &[("id", N), ("authority_id", N), ("locality_id", N), ("age_phase_id", N), ("is_hub", N), ("name", N), ("building_type", N), ("address", N), ("postcode", N), ("easting", N), ("northing", N), ("created_at", N)]),
    table("teams", "Locality teams", "While in use", &[("id", N), ("locality_id", N), ("age_phase_id", N), ("kind", N), ("name", N), ("base_site_id", N)]),
    table("team_members", "Staff in locality teams and their arrangements", "While in the team, then 6 years", &[("team_id", N), ("user_id", P), ("relationship", P), ("role_in_team", P), ("sla_reference", P), ("since", P)]),
    table("citywide_services", "City-wide services", "While in use", &[("id", N), ("authority_id", N), ("name", N), ("organisation_id", N)]),
    table("citywide_contacts", "Named locality contacts of city-wide services", "While named", &[("service_id", N), ("locality_id", N), ("user_id", P)]),
    table("geo_version", "Change counter of the geography", "For ever", &[("id", N), ("version", N)]),
    table("persons", "Children and the adults around them in the multi-agency index", "To the 25th birthday of the youngest child in the family, or the 75th for a looked-after child (legal hold)", &[("id", N), ("kind", P), ("given_name", P), ("middle_names", P), ("family_name", P), ("preferred_name", P), ("date_of_birth", P), ("sex", P), ("nhs_number", P), ("nhs_number_status", P), ("upn", P), ("ethnicity", S), ("first_language", P), ("disability", S), ("send_status", S), ("shielded", S), ("address", P), ("postcode", P), ("phone", P), ("merged_into", N), ("root_id", N), ("version", N), ("created_at", N), ("updated_at", N)]),
    table("person_addresses", "Address history", "As persons", &[("id", N), ("person_id", P), ("address", P), ("postcode", P), ("from_date", P), ("to_date", P), ("source", P)]),
    table("person_relationships", "Family and household relationships", "As persons", &[("id", N), ("person_id", P), ("related_id", P), ("kind", P), ("same_household", P), ("parental_responsibility", P), ("since", P), ("until", P)]),
    table("involvements", "Which agency and practitioner works with a child", "As persons", &[("id", N), ("child_id", P), ("organisation_id", N), ("practitioner_id", P), ("team", C), ("role", C), ("since", P), ("until", P), ("contact", C), ("basis", P), ("recorded_by", P), ("recorded_at", P), ("status", P), ("reason", C), ("expires_on", P), ("decided_by", P), ("decided_at", P), ("decision_ground", P), ("decision_note", C)]),
    table("person_flags", "Flags every practitioner must see (child protection plan, looked after …)", "As persons", &[("id", N), ("person_id", S), ("kind", S), ("since", S), ("until", S), ("organisation_id", N), ("recorded_by", S), ("recorded_at", S)]),
    table("agency_records", "Agencies' own records of a person, as brought in from extracts", "Until the agency's next extract no longer holds them, then 1 year", &[("id", N), ("organisation_id", N), ("source_id", P), ("person_id", P), ("status", P), ("probability", P), ("fields", S), ("content_hash", P), ("first_seen", P), ("last_seen", P)]),
    table("link_reviews", "Possible matches of agency records waiting for a person to decide", "1 year after the decision", &[("id", N), ("agency_record_id", N), ("candidate_id", P), ("probability", P), ("explanation", S), ("status", P), ("decided_by", P), ("decided_at", P), ("created_at", N)]),
    table("person_merges", "Merges of duplicate records, so they can be undone", "As persons", &[("id", N), ("survivor_id", P), ("merged_id", P), ("reason", P), ("merged_by", P), ("merged_at", P), ("undone_by", P), ("undone_at", P)]),
    table("person_merge_requests", "Merges across localities waiting for a second reviewer, and their outcome", "As persons", &[("id", N), ("survivor_id", P), ("merged_id", P), ("reason", P), ("requested_by_id", P), ("requested_by", P), ("requested_at", P), ("decided_by_id", P), ("decided_by", P), ("decided_at", P), ("outcome", P), ("merge_id", N)]),
    table("linkage_models", "Trained record-linkage parameters (aggregate)", "Until replaced", &[("id", N), ("authority_id", N), ("model", N), ("trained_at", N), ("records", N)]),
    table("break_glass", "Emergency access to a child's record, with reason and review", "6 years", &[("id", N), ("user_id", P), ("child_id", P), ("reason", P), ("granted_at", P), ("expires_at", P), ("reviewed_by", P), ("reviewed_at", P), ("review_outcome", P)]),
    table("support_requests", "Requests for support for a child and the front door's decision, lead professional and closure", "Until the child is 25, then 6 years (early help records)", &[("id", N), ("child_id", S), ("locality_id", N), ("locality_reason", P), ("requested_by", P), ("requester_organisation_id", N), ("concern", S), ("service_asked", S), ("family_words", S), ("status", S), ("level", S), ("route", S), ("rationale", S), ("decided_by", P), ("decided_at", P), ("lead_professional_id", P), ("outcome", S), ("closure_summary", S), ("closure_reason", S), ("family_feedback", S), ("closed_at", P), ("re_referral", S), ("review_weeks", N), ("created_at", P), ("updated_at", P), ("version", N), ("social_care_outcome", S), ("social_care_note", S), ("social_care_at", P)]),
    table("request_needs", "The needs seen in a request (for the child and for locality planning)", "As support_requests", &[("request_id", N), ("need", S), ("outcome", S)]),
    table("request_consents", "Consent given per purpose and agency, and its withdrawal", "As support_requests", &[("id", N), ("request_id", N), ("purpose", P), ("organisation_id", N), ("given_by", P), ("recorded_by", P), ("recorded_at", P), ("withdrawn_by", P), ("withdrawn_at", P)]),
    table("level_changes", "Every change of a child's level of need, with its reason (step-up, step-down)", "As support_requests", &[("id", N), ("request_id", N), ("from_level", S), ("to_level", S), ("kind", S), ("reason", S), ("changed_by", P), ("changed_at", P)]),
    table("assessments", "Early help assessments: strengths and needs in each domain, the child's and family's words", "As support_requests", &[("id", N), ("request_id", N), ("status", P), ("content", S), ("version", N), ("started_by", P), ("started_at", P), ("updated_by", P), ("updated_at", P), ("completed_at", P), ("shared_at", P)]),
    table("assessment_versions", "Every saved version of an assessment (nothing is overwritten)", "As support_requests", &[("id", N), ("assessment_id", N), ("version", N), ("status", P), ("content", S), ("saved_by", P), ("saved_at", P)]),
    table("tac_meetings", "Meetings and reviews of the team around the child", "As support_requests", &[("id", N), ("request_id", N), ("held_on", P), ("attendees", P), ("decisions", S), ("is_review", N), ("recorded_by", P), ("recorded_at", P)]),
    table("tac_actions", "The action plan: who does what by when", "As support_requests", &[("id", N), ("request_id", N), ("description", S), ("owner_id", P), ("due_on", P), ("status", P), ("done_by", P), ("done_at", P), ("created_by", P), ("created_at", P)]),
    table("panel_referrals", "Cases brought to the locality panel, why, and what it decided", "As support_requests", &[("id", N), ("request_id", N), ("why", S), ("referred_by", P), ("referred_at", P), ("panel_id", N), ("decision", S), ("decided_by", P), ("decided_at", P)]),
    table("panels", "Locality panel meetings and the stuck-case count when each agenda was set (aggregate)", "Kept for ever (aggregate)", &[("id", N), ("locality_id", N), ("meets_on", N), ("stuck_count", N), ("created_by", P), ("created_at", N)]),
    table("group_teams", "Teams around a school or a cluster of schools: name, kind, locality and lead", "Kept while the team meets, then 6 years", &[("id", N), ("locality_id", N), ("name", N), ("kind", N), ("lead_id", P), ("created_by", P), ("created_at", N)]),
    table("group_team_schools", "The school or schools a group team is around (DfE URN)", "As group_teams", &[("team_id", N), ("urn", N)]),
    table("group_team_members", "Staff of several agencies in a team around a school or cluster, over time", "As group_teams", &[("id", N), ("team_id", N), ("user_id", P), ("team_role", P), ("since", P), ("added_by", P), ("until", P), ("removed_by", P)]),
    table("group_team_children", "The children a team around a school or cluster covers, linked by their requests for support (not a basis to read their records)", "As support_requests", &[("id", N), ("team_id", N), ("request_id", S), ("added_by", P), ("added_at", P), ("removed_by", P), ("removed_at", P)]),
    table("group_team_meetings", "Meetings of a team around a school or cluster: who attended and what was decided", "As group_teams", &[("id", N), ("team_id", N), ("held_on", P), ("attendees", P), ("decisions", S), ("recorded_by", P), ("recorded_at", P)]),
    table("directory_organisations", "Providers in the service directory (Open Referral organisations) and which partnership organisation maintains their entries", "Kept while the provider has entries; its document is replaced when it changes", &[("id", N), ("name", N), ("document", P), ("owner_organisation_id", N), ("source", N), ("updated_at", N)]),
    table("directory_taxonomies", "Taxonomies the directory classifies services by", "Kept while used", &[("id", N), ("name", N), ("document", N), ("updated_at", N)]),
    table("directory_terms", "Terms of those taxonomies", "Kept while used", &[("id", N), ("taxonomy_id", N), ("name", N), ("document", N), ("updated_at", N)]),
    table("directory_entries", "Service directory entries: status, live version and review date", "Kept with their history; archived entries are kept for 6 years after archiving", &[("id", N), ("directory_organisation_id", N), ("name", N), ("status", N), ("version", N), ("live_version", N), ("review_by", N), ("source", N), ("created_at", N), ("updated_at", N)]),
    table("directory_entry_versions", "Every version of every directory entry (a service's published contact details may name staff), with who changed it and when", "As directory_entries", &[("entry_id", N), ("version", N), ("status", N), ("change", N), ("note", P), ("document", P), ("extras", N), ("review_by", N), ("changed_by_id", P), ("changed_by", P), ("changed_at", N)]),
    table("directory_version", "Change counter of the service directory", "For ever", &[("id", N), ("version", N)]),
    table("service_referrals", "Referrals from a request for support to services in the directory, their eligibility check and what the service did", "As support_requests", &[("id", N), ("request_id", N), ("entry_id", N), ("entry_version", N), ("service_name", S), ("categories", S), ("need", S), ("status", S), ("not_eligible", S), ("override_reason", S), ("reason", S), ("outcome", S), ("referred_by", P), ("referred_at", P), ("offered_at", P), ("started_at", P), ("closed_at", P), ("updated_at", P), ("version", N)]),
    table("tac_members", "The lead professional over time and the team around the child", "As support_requests", &[("id", N), ("request_id", N), ("user_id", P), ("is_lead", P), ("team_role", P), ("since", P), ("until", P), ("handover_note", S), ("added_by", P), ("accepted_at", P)]),
];

/// The class of one column, if it is listed.
pub fn class_of(table: &str, column: &str) -> Option<Class> {
    TABLES
        .iter()
        .find(|t| t.table == table)
        .and_then(|t| t.columns.iter().find(|c| c.0 == column))
        .map(|c| c.1)
}

/// The record of processing (UK GDPR Art 30), as Markdown, generated from [`TABLES`].
pub fn record_of_processing() -> String {
    let mut out = String::from(
        "# Record of processing\n\nGenerated by `everychild privacy record` from the field classification in \
         `crates/domain/src/classification.rs`; a test fails if this file and the schema disagree.\n\n\
         Controller: each partner organisation for its own records, jointly for the multi-agency index, \
         under an information-sharing agreement. Recipients: practitioners of the partner agencies with a \
         recorded relationship to the child; the locality manager of the child's locality; the data \
         protection officer for oversight. Security: see docs/SECURITY.md.\n\n\
         | table | purpose | retention | highest class | special category or criminal-offence fields |\n|---|---|---|---|---|\n",
    );
    for t in TABLES {
        let sensitive: Vec<&str> = t.columns.iter().filter(|c| c.1 >= S).map(|c| c.0).collect();
        out.push_str(&format!(
            "| {} | {} | {} | {} | {} |\n",
            t.table,
            t.purpose,
            t.retention,
            t.highest().label(),
            if sensitive.is_empty() {
                "none".to_owned()
            } else {
                sensitive.join(", ")
            }
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_are_listed_once_and_the_record_names_every_table() {
        for t in TABLES {
            let mut names: Vec<&str> = t.columns.iter().map(|c| c.0).collect();
            names.sort_unstable();
            let n = names.len();
            names.dedup();
            assert_eq!(names.len(), n, "{} lists a column twice", t.table);
        }
        let record = record_of_processing();
        for t in TABLES {
            assert!(record.contains(&format!("| {} |", t.table)));
        }
        assert_eq!(
            class_of("persons", "ethnicity"),
            Some(Class::SpecialCategory)
        );
        assert_eq!(
            class_of("involvements", "role"),
            Some(Class::CriminalOffence)
        );
        assert_eq!(class_of("persons", "no_such"), None);
    }
}
