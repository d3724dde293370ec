//! User accounts: newtypes parsed from raw input, so invalid values cannot exist past the edge.

use crate::FieldError;
use serde::{Deserialize, Serialize};

/// Database id of a user account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct UserId(pub i64);

/// A sign-in name: 3 to 64 characters of lower-case letters, digits, `.`, `-`, `_` or `@`.
/// Input is trimmed and lower-cased, so `Jo.Bloggs` and `jo.bloggs` are one account.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Username(String);

impl Username {
    /// Parse a sign-in name typed by a person.
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        let s = raw.trim().to_lowercase();
        if s.is_empty() {
            return Err(FieldError::new("username", "Enter a username"));
        }
        if s.chars().count() < 3 || s.chars().count() > 64 {
            return Err(FieldError::new(
                "username",
                "Username must be between 3 and 64 characters",
            ));
        }
        if !s
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || ".-_@".contains(c))
        {
            return Err(FieldError::new(
                "username",
                "Username must only include letters, numbers, full stops, hyphens, underscores and @",
            ));
        }
        Ok(Self(s))
    }
    /// The normalised text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A person's name as shown to colleagues: 1 to 100 characters, no control characters.
/// Any other text is allowed (templates escape it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DisplayName(String);

impl DisplayName {
    /// Parse a display name.
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        let s = raw.trim();
        if s.is_empty() {
            return Err(FieldError::new("display_name", "Enter a full name"));
        }
        if s.chars().count() > 100 {
            return Err(FieldError::new(
                "display_name",
                "Full name must be 100 characters or fewer",
            ));
        }
        if s.chars().any(char::is_control) {
            return Err(FieldError::new(
                "display_name",
                "Full name must not include control characters",
            ));
        }
        Ok(Self(s.to_owned()))
    }
    /// The text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A work email address: a deliberately loose check (one `@`, a dot in the domain, no spaces).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Email(String);

impl Email {
    /// Parse an email address; empty input is `None`.
    pub fn parse_optional(raw: &str) -> Result<Option<Self>, FieldError> {
        let s = raw.trim();
        if s.is_empty() {
            return Ok(None);
        }
        let ok = s.len() <= 254
            && !s.chars().any(|c| c.is_whitespace() || c.is_control())
            && matches!(s.split_once('@'), Some((l, d)) if !l.is_empty() && d.contains('.') && !d.starts_with('.') && !d.ends_with('.') && !d.contains('@'));
        if ok {
            Ok(Some(Self(s.to_owned())))
        } else {
            Err(FieldError::new(
                "email",
                "Enter an email address in the correct format, like name@example.org",
            ))
        }
    }
    /// The text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A new password that meets the policy: at least 12 characters (NCSC guidance favours length
/// over composition rules), at most 256, and not one of the most common choices.
#[derive(Clone)]
pub struct Password(String);

impl std::fmt::Debug for Password {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Password(**redacted**)")
    }
}

const COMMON: &[&str] = &[
    "password1234",
    "123456789012",
    "qwertyuiopas",
    "passwordpassword",
    "letmeinletmein",
    "iloveyou1234",
    "welcome12345",
    "administrator",
    "everychild123",
    "changemechangeme",
];

impl Password {
    /// Check a new password against the policy. `field` names the form field for the error.
    pub fn parse_new(raw: &str, field: &'static str) -> Result<Self, FieldError> {
        let n = raw.chars().count();
        if n < 12 {
            return Err(FieldError::new(
                field,
                "Password must be 12 characters or more",
            ));
        }
        if n > 256 {
            return Err(FieldError::new(
                field,
                "Password must be 256 characters or fewer",
            ));
        }
        if COMMON.contains(&raw.to_lowercase().as_str()) {
            return Err(FieldError::new(
                field,
                "Password is too common. Choose a different password",
            ));
        }
        Ok(Self(raw.to_owned()))
    }
    /// The secret, for hashing only.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usernames_are_normalised_and_checked() {
        assert_eq!(
            Username::parse("  Jo.Bloggs ").map(|u| u.0),
            Ok("jo.bloggs".into())
        );
        assert_eq!(
            Username::parse("").map_err(|e| e.message),
            Err("Enter a username".into())
        );
        assert!(Username::parse("ab").is_err());
        assert!(Username::parse("jo bloggs").is_err());
        assert!(Username::parse("jo<script>").is_err());
        assert!(Username::parse(&"a".repeat(65)).is_err());
    }

    #[test]
    fn display_names_allow_any_text_but_controls() {
        assert!(DisplayName::parse("<script>alert(1)</script>").is_ok());
        assert!(DisplayName::parse("Siân O'Brien-Ngọc").is_ok());
        assert!(DisplayName::parse("a\u{0000}b").is_err());
        assert!(DisplayName::parse("   ").is_err());
        assert!(DisplayName::parse(&"x".repeat(101)).is_err());
    }

    #[test]
    fn emails() {
        assert_eq!(Email::parse_optional(" ").ok(), Some(None));
        assert!(Email::parse_optional("a@b.org").is_ok_and(|e| e.is_some()));
        for bad in [
            "a@b",
            "@b.org",
            "a b@c.org",
            "a@.org",
            "a@b.org.",
            "a@b@c.org",
        ] {
            assert!(Email::parse_optional(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn password_policy() {
        assert!(Password::parse_new("short", "password").is_err());
        assert!(Password::parse_new("Password1234", "password").is_err());
        assert!(Password::parse_new("correct horse battery", "password").is_ok());
        assert_eq!(
            format!(
                "{:?}",
                Password::parse_new("correct horse battery", "p").ok()
            ),
            "Some(Password(**redacted**))"
        );
    }
}
