//! Settings the web layer needs. Loaded by the CLI from a TOML file, the environment and flags.

use everychild_domain::Role;
use secrecy::SecretString;

/// Web settings.
#[derive(Debug, Clone)]
pub struct WebSettings {
    /// Key for CSRF tokens and signed form values. Keep it secret and the same across instances.
    pub secret_key: SecretString,
    /// Mark cookies `Secure` (and use the `__Host-` prefix). Turn off only for plain-HTTP loopback.
    pub secure_cookies: bool,
    /// The public base URL; when it is https, responses carry HSTS.
    pub public_url: Option<String>,
    /// Sessions end after this long without a request.
    pub session_idle: time::Duration,
    /// Sessions end this long after sign-in.
    pub session_absolute: time::Duration,
    /// Roles that must use a second factor besides every role that sees personal data (the
    /// set can only be widened).
    pub second_factor_roles: Vec<Role>,
    /// A demonstration with the second factor switched off for everyone: set only by
    /// `everychild demo --no-second-factor`, which says so at start; every page then shows a
    /// banner saying so.
    pub demo_second_factor_off: bool,
    /// Failed sign-ins per account within the window before a soft lock.
    pub account_failures: i64,
    /// Failed sign-ins per client address within the window before a soft lock.
    pub address_failures: i64,
    /// The throttle window (and so the soft-lock length).
    pub throttle_window: time::Duration,
    /// The authority's name, shown in the header.
    pub authority_name: String,
    /// Addresses of reverse proxies whose `X-Request-Id` and `X-Forwarded-For` headers are
    /// believed (none by default: the connection's own address is the client's).
    pub trusted_proxies: Vec<std::net::IpAddr>,
    /// Keys that encrypt authenticator secrets at rest, newest first (empty: one key derived
    /// from `secret_key`). See `secrets.rs` for rotation.
    pub totp_keys: Vec<crate::secrets::SecretKey>,
    /// Sign-in through the council's identity provider (OpenID Connect), when configured.
    pub oidc: Option<std::sync::Arc<crate::oidc::Provider>>,
}

impl WebSettings {
    /// Settings for tests and the demo: secure defaults with the given key.
    pub fn with_key(key: &str) -> Self {
        Self {
            secret_key: SecretString::from(key.to_owned()),
            secure_cookies: true,
            public_url: None,
            session_idle: time::Duration::minutes(30),
            session_absolute: time::Duration::hours(12),
            second_factor_roles: vec![],
            demo_second_factor_off: false,
            account_failures: 5,
            address_failures: 50,
            throttle_window: time::Duration::minutes(15),
            authority_name: "everychild".into(),
            trusted_proxies: Vec::new(),
            totp_keys: Vec::new(),
            oidc: None,
        }
    }
    /// The keys for authenticator secrets, newest first.
    pub fn secret_keys(&self) -> Vec<crate::secrets::SecretKey> {
        if self.totp_keys.is_empty() {
            use secrecy::ExposeSecret;
            vec![crate::secrets::SecretKey::derive(
                self.secret_key.expose_secret(),
            )]
        } else {
            self.totp_keys.clone()
        }
    }

    /// Whether a user with `role` must use a second factor here.
    pub fn second_factor_required(&self, role: Role) -> bool {
        !self.demo_second_factor_off
            && everychild_policy::second_factor_required(role, &self.second_factor_roles)
    }
    pub(crate) fn hsts(&self) -> bool {
        self.public_url
            .as_deref()
            .is_some_and(|u| u.starts_with("https://"))
    }
    pub(crate) fn session_cookie(&self) -> &'static str {
        if self.secure_cookies {
            "__Host-everychild_session"
        } else {
            "everychild_session"
        }
    }
    pub(crate) fn oidc_cookie(&self) -> &'static str {
        if self.secure_cookies {
            "__Host-everychild_oidc"
        } else {
            "everychild_oidc"
        }
    }
    /// The key that seals a sign-in in progress at the identity provider.
    pub(crate) fn flow_keys(&self) -> Vec<crate::secrets::SecretKey> {
        use secrecy::ExposeSecret;
        vec![crate::secrets::SecretKey::derive(&format!(
            "oidc flow:{}",
            self.secret_key.expose_secret()
        ))]
    }
    pub(crate) fn pre_cookie(&self) -> &'static str {
        if self.secure_cookies {
            "__Host-everychild_pre"
        } else {
            "everychild_pre"
        }
    }
}
