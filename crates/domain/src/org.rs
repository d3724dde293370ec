//! Organisations: the agencies whose staff use everychild.

use serde::{Deserialize, Serialize};

/// Database id of an organisation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct OrganisationId(pub i64);

/// The kind of agency an organisation is; policy uses it to restrict health and police fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AgencyType {
    /// NHS trusts, GP practices, health visiting, school nursing, CAMHS.
    Health,
    /// Schools, colleges and the local authority's education services.
    Education,
    /// Children's social care and early help.
    SocialCare,
    /// The police.
    Police,
    /// Housing authorities and providers.
    Housing,
    /// Voluntary and community sector.
    Voluntary,
    /// Private providers.
    Private,
}

impl AgencyType {
    /// Every agency type.
    pub const ALL: [AgencyType; 7] = [
        AgencyType::Health,
        AgencyType::Education,
        AgencyType::SocialCare,
        AgencyType::Police,
        AgencyType::Housing,
        AgencyType::Voluntary,
        AgencyType::Private,
    ];
    /// Stored form.
    pub fn as_str(self) -> &'static str {
        match self {
            AgencyType::Health => "health",
            AgencyType::Education => "education",
            AgencyType::SocialCare => "social_care",
            AgencyType::Police => "police",
            AgencyType::Housing => "housing",
            AgencyType::Voluntary => "voluntary",
            AgencyType::Private => "private",
        }
    }
    /// Name shown to people.
    pub fn label(self) -> &'static str {
        match self {
            AgencyType::Health => "Health",
            AgencyType::Education => "Education",
            AgencyType::SocialCare => "Social care",
            AgencyType::Police => "Police",
            AgencyType::Housing => "Housing",
            AgencyType::Voluntary => "Voluntary sector",
            AgencyType::Private => "Private sector",
        }
    }
    /// Parse the stored form.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.as_str() == s)
    }
}

/// Statutory, voluntary or private (000 §4.62).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrganisationKind {
    /// A statutory body.
    Statutory,
    /// A voluntary or community organisation.
    Voluntary,
    /// A private provider.
    Private,
}

impl OrganisationKind {
    /// Stored form.
    pub fn as_str(self) -> &'static str {
        match self {
            OrganisationKind::Statutory => "statutory",
            OrganisationKind::Voluntary => "voluntary",
            OrganisationKind::Private => "private",
        }
    }
    /// Parse the stored form.
    pub fn parse(s: &str) -> Option<Self> {
        [Self::Statutory, Self::Voluntary, Self::Private]
            .into_iter()
            .find(|k| k.as_str() == s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn agency_types_round_trip() {
        for a in AgencyType::ALL {
            assert_eq!(AgencyType::parse(a.as_str()), Some(a));
        }
        assert_eq!(AgencyType::parse("Health"), None);
        assert_eq!(
            OrganisationKind::parse("voluntary"),
            Some(OrganisationKind::Voluntary)
        );
    }
}
