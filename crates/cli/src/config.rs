//! Configuration: defaults, then a TOML file, then environment variables, then flags.
//! Secrets (the database URL may hold a password; the secret key) are never printed.

use anyhow::{bail, Context};
use clap::Args;
use everychild_domain::Role;
use secrecy::SecretString;
use serde::Deserialize;
use std::path::PathBuf;

/// Settings read from the TOML file. Every key is optional; see `everychild serve --help`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    listen: Option<String>,
    database_url: Option<String>,
    secret_key: Option<String>,
    public_url: Option<String>,
    secure_cookies: Option<bool>,
    authority_name: Option<String>,
    log_format: Option<String>,
    session_idle_minutes: Option<i64>,
    session_absolute_hours: Option<i64>,
    second_factor_roles: Option<Vec<String>>,
    sign_in_account_failures: Option<i64>,
    sign_in_address_failures: Option<i64>,
    sign_in_window_minutes: Option<i64>,
    database_max_connections: Option<u32>,
    database_acquire_timeout_seconds: Option<u64>,
    stuck_weeks: Option<i64>,
    no_lead_days: Option<i64>,
    alert_agencies: Option<i64>,
    alert_days: Option<i64>,
    involvement_months: Option<i64>,
    searches_per_hour: Option<i64>,
    reads_per_hour: Option<i64>,
    trusted_proxies: Option<Vec<String>>,
    totp_keys: Option<Vec<String>>,
    oidc_issuer: Option<String>,
    oidc_client_id: Option<String>,
    oidc_client_secret: Option<String>,
    oidc_display_name: Option<String>,
    oidc_allowed_tenants: Option<Vec<String>>,
    oidc_mfa_claim: Option<String>,
    oidc_allow_http_loopback: Option<bool>,
    audit_keys: Option<Vec<String>>,
    audit_unkeyed_until: Option<i64>,
}

/// The database to use.
#[derive(Debug, Args, Clone)]
pub struct DbArgs {
    /// Database URL: `sqlite:PATH` (created if missing), `sqlite::memory:`, or
    /// `postgres://user:password@host:port/db`. Default `sqlite:everychild.db`.
    #[arg(
        long = "database",
        env = "EVERYCHILD_DATABASE_URL",
        hide_env_values = true
    )]
    pub database: Option<String>,
    /// Configuration file (TOML) with any of the settings below as keys.
    #[arg(long, env = "EVERYCHILD_CONFIG")]
    pub config: Option<PathBuf>,
    /// Keys that seal the audit chain (HMAC-SHA-256), newest first, comma-separated; each a
    /// long random passphrase held outside the database. Default: one derived from
    /// secret_key; else, for a SQLite file, a key file beside it (PATH.audit-key). A
    /// PostgreSQL database needs one of the first two, the same for every command. To
    /// rotate, put the new key first and keep the old ones.
    #[arg(
        long,
        env = "EVERYCHILD_AUDIT_KEYS",
        value_delimiter = ',',
        hide_env_values = true
    )]
    pub audit_keys: Option<Vec<String>>,
    /// The last audit event written before the chain was keyed (an upgraded database; see
    /// `everychild audit verify`). Default 0: every event must be sealed with a key.
    #[arg(long, env = "EVERYCHILD_AUDIT_UNKEYED_UNTIL")]
    pub audit_unkeyed_until: Option<i64>,
}

/// The keys that seal the audit chain, from settings, else derived from the secret key,
/// else (SQLite) a key file beside the database, created on first use.
pub fn audit_keys(db: &DbArgs, url: &str) -> anyhow::Result<everychild_store::AuditKeys> {
    use everychild_domain::audit::AuditKey;
    let f = read_file(&db.config)?;
    let unkeyed_until = db
        .audit_unkeyed_until
        .or(f.audit_unkeyed_until)
        .unwrap_or(0);
    if unkeyed_until < 0 {
        bail!("audit_unkeyed_until must be 0 or more");
    }
    let listed = db.audit_keys.clone().or(f.audit_keys).unwrap_or_default();
    let listed: Vec<&str> = listed
        .iter()
        .map(|k| k.trim())
        .filter(|k| !k.is_empty())
        .collect();
    if let Some(short) = listed.iter().find(|k| k.len() < 32) {
        bail!(
            "audit_keys: each key must be at least 32 characters (one is {})",
            short.len()
        );
    }
    let keys = if !listed.is_empty() {
        listed.into_iter().map(AuditKey::derive).collect()
    } else if let Some(secret) = std::env::var("EVERYCHILD_SECRET_KEY")
        .ok()
        .or(f.secret_key)
        .filter(|k| !k.trim().is_empty())
    {
        vec![AuditKey::derive(&format!("audit chain:{secret}"))]
    } else if let Some(path) = url
        .strip_prefix("sqlite:")
        .filter(|p| !p.is_empty() && !p.starts_with(":memory:") && !p.contains("mode=memory"))
    {
        let path = path.trim_start_matches("//");
        let path = path.split('?').next().unwrap_or(path);
        vec![AuditKey::derive(&key_file(&format!("{path}.audit-key"))?)]
    } else if url.starts_with("sqlite:") {
        // An in-memory database lives as long as this process: so may its key.
        let mut b = [0u8; 32];
        rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut b);
        vec![AuditKey::derive(&hex_key(&b))]
    } else {
        bail!(
            "a PostgreSQL database needs audit_keys (EVERYCHILD_AUDIT_KEYS) or secret_key \
             (EVERYCHILD_SECRET_KEY), the same for every command, to seal the audit chain"
        );
    };
    Ok(everychild_store::AuditKeys {
        keys,
        unkeyed_until,
    })
}

fn hex_key(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// Read the key file, or create it (readable by its owner only) with a new random key.
fn key_file(path: &str) -> anyhow::Result<String> {
    match std::fs::read_to_string(path) {
        Ok(k) if k.trim().len() >= 32 => return Ok(k.trim().to_owned()),
        Ok(_) => bail!("the audit key file {path} holds no key of at least 32 characters"),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(e).with_context(|| format!("could not read {path}")),
    }
    let mut b = [0u8; 32];
    rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut b);
    let key = hex_key(&b);
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
    let mut file = opts
        .open(path)
        .with_context(|| format!("could not create the audit key file {path}"))?;
    std::io::Write::write_all(&mut file, key.as_bytes())
        .with_context(|| format!("could not write {path}"))?;
    Ok(key)
}

/// Every server setting. Flags override environment variables, which override the file.
#[derive(Debug, Args, Clone)]
pub struct ServeArgs {
    #[command(flatten)]
    pub db: DbArgs,
    /// Address and port to listen on. Default 127.0.0.1:8080.
    #[arg(long, env = "EVERYCHILD_LISTEN")]
    pub listen: Option<String>,
    /// Secret key for CSRF tokens and signed form values (at least 32 characters; the same on
    /// every instance). If unset, a random key is made at start and forms expire on restart.
    #[arg(long, env = "EVERYCHILD_SECRET_KEY", hide_env_values = true)]
    pub secret_key: Option<String>,
    /// Public base URL, e.g. https://everychild.example.gov.uk. When https, responses carry
    /// Strict-Transport-Security.
    #[arg(long, env = "EVERYCHILD_PUBLIC_URL")]
    pub public_url: Option<String>,
    /// Mark cookies Secure with the __Host- prefix (default true). Set false only to serve plain
    /// HTTP on loopback.
    #[arg(long, env = "EVERYCHILD_SECURE_COOKIES")]
    pub secure_cookies: Option<bool>,
    /// The authority's name, shown in every page's header. Default "everychild".
    #[arg(long, env = "EVERYCHILD_AUTHORITY_NAME")]
    pub authority_name: Option<String>,
    /// Log format: json (default for serve) or text.
    #[arg(long, env = "EVERYCHILD_LOG_FORMAT")]
    pub log_format: Option<String>,
    /// Minutes without a request before a session ends. Default 30.
    #[arg(long, env = "EVERYCHILD_SESSION_IDLE_MINUTES")]
    pub session_idle_minutes: Option<i64>,
    /// Hours after sign-in when a session ends whatever happens. Default 12.
    #[arg(long, env = "EVERYCHILD_SESSION_ABSOLUTE_HOURS")]
    pub session_absolute_hours: Option<i64>,
    /// Roles that must use an authenticator app besides administrators and the data protection
    /// officer, comma-separated (e.g. practitioner,locality_manager).
    #[arg(long, env = "EVERYCHILD_SECOND_FACTOR_ROLES", value_delimiter = ',')]
    pub second_factor_roles: Option<Vec<String>>,
    /// Failed sign-ins for one account within the window before it is soft-locked. Default 5.
    #[arg(long, env = "EVERYCHILD_SIGN_IN_ACCOUNT_FAILURES")]
    pub sign_in_account_failures: Option<i64>,
    /// Failed sign-ins from one address within the window before it is soft-locked. Default 50.
    #[arg(long, env = "EVERYCHILD_SIGN_IN_ADDRESS_FAILURES")]
    pub sign_in_address_failures: Option<i64>,
    /// The throttle window and soft-lock length in minutes. Default 15.
    #[arg(long, env = "EVERYCHILD_SIGN_IN_WINDOW_MINUTES")]
    pub sign_in_window_minutes: Option<i64>,
    /// Most database connections. Default 8.
    #[arg(long, env = "EVERYCHILD_DATABASE_MAX_CONNECTIONS")]
    pub database_max_connections: Option<u32>,
    /// Seconds a request waits for a database connection before failing with 503. Default 5.
    #[arg(long, env = "EVERYCHILD_DATABASE_ACQUIRE_TIMEOUT_SECONDS")]
    pub database_acquire_timeout_seconds: Option<u64>,
    /// Weeks without progress after which an open request is stuck: proposed for the locality
    /// panel and counted on the dashboard (1 to 52). Default 8.
    #[arg(long, env = "EVERYCHILD_STUCK_WEEKS", allow_negative_numbers = true)]
    pub stuck_weeks: Option<i64>,
    /// Days early help may wait for a lead professional before the case is stuck (1 to 365).
    /// Default 14.
    #[arg(long, env = "EVERYCHILD_NO_LEAD_DAYS", allow_negative_numbers = true)]
    pub no_lead_days: Option<i64>,
    /// Requests for support from this many different agencies raise the concern alert on a
    /// child's chronology (2 to 10) … Default 2.
    #[arg(long, env = "EVERYCHILD_ALERT_AGENCIES", allow_negative_numbers = true)]
    pub alert_agencies: Option<i64>,
    /// … when they come within this many days (1 to 90). Default 7.
    #[arg(long, env = "EVERYCHILD_ALERT_DAYS", allow_negative_numbers = true)]
    pub alert_days: Option<i64>,
    /// Months an involvement with a child lasts before it must be renewed (1 to 36). Default 12.
    #[arg(
        long,
        env = "EVERYCHILD_INVOLVEMENT_MONTHS",
        allow_negative_numbers = true
    )]
    pub involvement_months: Option<i64>,
    /// Searches of the index of children a user may make in an hour (10 to 1,000). Default 60.
    #[arg(
        long,
        env = "EVERYCHILD_SEARCHES_PER_HOUR",
        allow_negative_numbers = true
    )]
    pub searches_per_hour: Option<i64>,
    /// Children's records a user may open in an hour (10 to 2,000). Default 120.
    #[arg(long, env = "EVERYCHILD_READS_PER_HOUR", allow_negative_numbers = true)]
    pub reads_per_hour: Option<i64>,
    /// Addresses of reverse proxies whose X-Request-Id and X-Forwarded-For headers are believed
    /// (comma-separated). Default: none.
    #[arg(long, env = "EVERYCHILD_TRUSTED_PROXIES", value_delimiter = ',')]
    pub trusted_proxies: Option<Vec<String>>,
    /// Keys that encrypt authenticator secrets at rest, newest first (comma-separated; each a
    /// long random passphrase). Default: one key derived from secret_key. To rotate, put the
    /// new key first and keep the old ones: each secret is sealed again under the new key at
    /// its user's next sign-in.
    #[arg(
        long,
        env = "EVERYCHILD_TOTP_KEYS",
        value_delimiter = ',',
        hide_env_values = true
    )]
    pub totp_keys: Option<Vec<String>>,
    /// PostgreSQL: serve even though the database role could change the schema (development
    /// only; a warning is logged).
    #[arg(long, env = "EVERYCHILD_ALLOW_SCHEMA_OWNER")]
    pub allow_schema_owner: bool,
    /// Sign-in through the council's identity provider (OpenID Connect): the issuer URL
    /// (https). Needs public_url, oidc_client_id and, for a confidential client,
    /// oidc_client_secret. The callback is PUBLIC_URL/sign-in/oidc/callback.
    #[arg(long, env = "EVERYCHILD_OIDC_ISSUER")]
    pub oidc_issuer: Option<String>,
    /// This service's client id at the identity provider.
    #[arg(long, env = "EVERYCHILD_OIDC_CLIENT_ID")]
    pub oidc_client_id: Option<String>,
    /// The client secret at the identity provider.
    #[arg(long, env = "EVERYCHILD_OIDC_CLIENT_SECRET", hide_env_values = true)]
    pub oidc_client_secret: Option<String>,
    /// The provider's name on the sign-in button, e.g. "your council account".
    #[arg(long, env = "EVERYCHILD_OIDC_DISPLAY_NAME")]
    pub oidc_display_name: Option<String>,
    /// Microsoft Entra ID tenant ids whose users may sign in (comma-separated); accounts are
    /// then matched by tenant issuer and object id (oid).
    #[arg(long, env = "EVERYCHILD_OIDC_ALLOWED_TENANTS", value_delimiter = ',')]
    pub oidc_allowed_tenants: Option<Vec<String>>,
    /// A claim that asserts a multi-factor sign-in besides amr containing mfa, as NAME=VALUE
    /// (e.g. acr=possessionorinherence).
    #[arg(long, env = "EVERYCHILD_OIDC_MFA_CLAIM")]
    pub oidc_mfa_claim: Option<String>,
    /// Accept a plain-HTTP identity provider on a loopback address (tests only).
    #[arg(long, env = "EVERYCHILD_OIDC_ALLOW_HTTP_LOOPBACK")]
    pub oidc_allow_http_loopback: Option<bool>,
}

/// The identity provider's keys from the file.
struct OidcFile {
    issuer: Option<String>,
    client_id: Option<String>,
    client_secret: Option<String>,
    display_name: Option<String>,
    allowed_tenants: Option<Vec<String>>,
    mfa_claim: Option<String>,
    allow_http_loopback: Option<bool>,
}

/// Sign-in through an identity provider, when `oidc_issuer` is set.
fn oidc_settings(
    a: &ServeArgs,
    f: OidcFile,
    public_url: Option<&str>,
) -> anyhow::Result<Option<std::sync::Arc<everychild_web::oidc::Provider>>> {
    let Some(issuer) = a.oidc_issuer.clone().or(f.issuer) else {
        return Ok(None);
    };
    if public_url.is_none() {
        bail!("oidc_issuer needs public_url: the identity provider returns to PUBLIC_URL/sign-in/oidc/callback");
    }
    let client_id = a
        .oidc_client_id
        .clone()
        .or(f.client_id)
        .context("oidc_issuer needs oidc_client_id")?;
    let mfa_claim = match a.oidc_mfa_claim.clone().or(f.mfa_claim) {
        None => None,
        Some(c) => {
            let (name, value) = c
                .split_once('=')
                .with_context(|| format!("oidc_mfa_claim must be NAME=VALUE, not {c:?}"))?;
            Some((name.trim().to_owned(), value.trim().to_owned()))
        }
    };
    let settings = everychild_web::oidc::OidcSettings {
        issuer,
        client_id,
        client_secret: a
            .oidc_client_secret
            .clone()
            .or(f.client_secret)
            .map(SecretString::from),
        display_name: a
            .oidc_display_name
            .clone()
            .or(f.display_name)
            .unwrap_or_else(|| "your organisation's account".into()),
        allowed_tenants: a
            .oidc_allowed_tenants
            .clone()
            .or(f.allowed_tenants)
            .unwrap_or_default()
            .into_iter()
            .map(|t| t.trim().to_owned())
            .filter(|t| !t.is_empty())
            .collect(),
        mfa_claim,
        allow_http_loopback: a
            .oidc_allow_http_loopback
            .or(f.allow_http_loopback)
            .unwrap_or(false),
    };
    let provider = everychild_web::oidc::Provider::new(settings).map_err(anyhow::Error::msg)?;
    Ok(Some(std::sync::Arc::new(provider)))
}

/// Resolved settings.
pub struct Resolved {
    /// Serve on PostgreSQL even as a role that can change the schema.
    pub allow_schema_owner: bool,
    pub listen: String,
    pub database_url: String,
    pub web: everychild_web::WebSettings,
    pub pool: everychild_store::PoolSettings,
    pub rules: everychild_store::CaseRules,
    pub access: everychild_store::AccessRules,
    pub log_json: bool,
    pub random_key: bool,
}

fn read_file(path: &Option<PathBuf>) -> anyhow::Result<FileConfig> {
    match path {
        None => Ok(FileConfig::default()),
        Some(p) => {
            let text = std::fs::read_to_string(p).with_context(|| {
                format!("could not read the configuration file {}", p.display())
            })?;
            toml::from_str(&text)
                .with_context(|| format!("the configuration file {} is not valid", p.display()))
        }
    }
}

/// The database URL from flags, environment, file or default.
pub fn database_url(db: &DbArgs) -> anyhow::Result<String> {
    let file = read_file(&db.config)?;
    Ok(db
        .database
        .clone()
        .or(file.database_url)
        .unwrap_or_else(|| "sqlite:everychild.db".into()))
}

/// Merge flags/environment over the file over defaults, and check every value.
pub fn resolve(a: &ServeArgs, default_log_json: bool) -> anyhow::Result<Resolved> {
    let mut f = read_file(&a.db.config)?;
    let f_oidc = OidcFile {
        issuer: f.oidc_issuer.take(),
        client_id: f.oidc_client_id.take(),
        client_secret: f.oidc_client_secret.take(),
        display_name: f.oidc_display_name.take(),
        allowed_tenants: f.oidc_allowed_tenants.take(),
        mfa_claim: f.oidc_mfa_claim.take(),
        allow_http_loopback: f.oidc_allow_http_loopback.take(),
    };
    let key = a.secret_key.clone().or(f.secret_key);
    if let Some(k) = &key {
        if k.len() < 32 {
            bail!("secret_key must be at least 32 characters");
        }
    }
    let random_key = key.is_none();
    let key = key.unwrap_or_else(|| {
        use rand::RngCore;
        let mut b = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut b);
        base64::Engine::encode(&base64::engine::general_purpose::STANDARD, b)
    });
    let roles = a
        .second_factor_roles
        .clone()
        .or(f.second_factor_roles)
        .unwrap_or_default();
    let mut second_factor_roles = Vec::new();
    for r in roles.iter().map(|r| r.trim()).filter(|r| !r.is_empty()) {
        second_factor_roles.push(
            Role::parse(r).with_context(|| format!("second_factor_roles: unknown role {r:?}"))?,
        );
    }
    let positive = |name: &str, v: i64| -> anyhow::Result<i64> {
        if v <= 0 {
            bail!("{name} must be a positive number");
        }
        Ok(v)
    };
    let log_format = a.log_format.clone().or(f.log_format);
    let log_json = match log_format.as_deref() {
        None => default_log_json,
        Some("json") => true,
        Some("text") => false,
        Some(other) => bail!("log_format must be json or text, not {other:?}"),
    };
    let public_url = a.public_url.clone().or(f.public_url);
    if let Some(u) = &public_url {
        if !(u.starts_with("https://") || u.starts_with("http://")) {
            bail!("public_url must start with https:// or http://");
        }
    }
    let web = everychild_web::WebSettings {
        secret_key: SecretString::from(key),
        secure_cookies: a.secure_cookies.or(f.secure_cookies).unwrap_or(true),
        public_url,
        // Only `everychild demo --no-second-factor` switches it off, and says so.
        demo_second_factor_off: false,
        trusted_proxies: a
            .trusted_proxies
            .clone()
            .or(f.trusted_proxies)
            .unwrap_or_default()
            .iter()
            .map(|p| {
                p.trim()
                    .parse::<std::net::IpAddr>()
                    .with_context(|| format!("trusted_proxies: {p:?} is not an IP address"))
            })
            .collect::<anyhow::Result<Vec<_>>>()?,
        totp_keys: {
            let keys = a.totp_keys.clone().or(f.totp_keys).unwrap_or_default();
            if let Some(short) = keys.iter().find(|k| k.trim().len() < 32) {
                bail!(
                    "totp_keys: each key must be at least 32 characters (one is {})",
                    short.trim().len()
                );
            }
            keys.iter()
                .map(|k| everychild_web::secrets::SecretKey::derive(k.trim()))
                .collect()
        },
        session_idle: time::Duration::minutes(positive(
            "session_idle_minutes",
            a.session_idle_minutes
                .or(f.session_idle_minutes)
                .unwrap_or(30),
        )?),
        session_absolute: time::Duration::hours(positive(
            "session_absolute_hours",
            a.session_absolute_hours
                .or(f.session_absolute_hours)
                .unwrap_or(12),
        )?),
        second_factor_roles,
        account_failures: positive(
            "sign_in_account_failures",
            a.sign_in_account_failures
                .or(f.sign_in_account_failures)
                .unwrap_or(5),
        )?,
        address_failures: positive(
            "sign_in_address_failures",
            a.sign_in_address_failures
                .or(f.sign_in_address_failures)
                .unwrap_or(50),
        )?,
        throttle_window: time::Duration::minutes(positive(
            "sign_in_window_minutes",
            a.sign_in_window_minutes
                .or(f.sign_in_window_minutes)
                .unwrap_or(15),
        )?),
        authority_name: a
            .authority_name
            .clone()
            .or(f.authority_name)
            .unwrap_or_else(|| "everychild".into()),
        oidc: None,
    };
    let mut web = web;
    web.oidc = oidc_settings(a, f_oidc, web.public_url.as_deref())?;
    let pool = everychild_store::PoolSettings {
        max_connections: a
            .database_max_connections
            .or(f.database_max_connections)
            .unwrap_or(8)
            .max(1),
        acquire_timeout: std::time::Duration::from_secs(
            a.database_acquire_timeout_seconds
                .or(f.database_acquire_timeout_seconds)
                .unwrap_or(5)
                .max(1),
        ),
    };
    let defaults = everychild_store::CaseRules::default();
    let rules = everychild_store::CaseRules::new(
        a.stuck_weeks
            .or(f.stuck_weeks)
            .unwrap_or(defaults.stuck_weeks),
        a.no_lead_days
            .or(f.no_lead_days)
            .unwrap_or(defaults.no_lead_days),
        a.alert_agencies
            .or(f.alert_agencies)
            .unwrap_or(defaults.alert_agencies as i64),
        a.alert_days.or(f.alert_days).unwrap_or(defaults.alert_days),
    )?;
    let access_defaults = everychild_store::AccessRules::default();
    let access = everychild_store::AccessRules::new(
        a.involvement_months
            .or(f.involvement_months)
            .unwrap_or(i64::from(access_defaults.involvement_months)),
        a.searches_per_hour
            .or(f.searches_per_hour)
            .unwrap_or(i64::from(access_defaults.searches_per_hour)),
        a.reads_per_hour
            .or(f.reads_per_hour)
            .unwrap_or(i64::from(access_defaults.reads_per_hour)),
    )
    .map_err(|e| anyhow::anyhow!("{}: {}", e.field, e.message))?;
    Ok(Resolved {
        listen: a
            .listen
            .clone()
            .or(f.listen)
            .unwrap_or_else(|| "127.0.0.1:8080".into()),
        database_url: a
            .db
            .database
            .clone()
            .or(f.database_url)
            .unwrap_or_else(|| "sqlite:everychild.db".into()),
        web,
        pool,
        rules,
        access,
        log_json,
        random_key,
        allow_schema_owner: a.allow_schema_owner,
    })
}

/// The database URL with any password replaced, for logs and messages.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let creds = &url[s + 3..at];
            match creds.split_once(':') {
                Some((user, _)) => format!("{}://{user}:***@{}", &url[..s], &url[at + 1..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_in_urls_are_redacted() {
        assert_eq!(
            redact("postgres://u:secret@h:5432/db"),
            "postgres://u:***@h:5432/db"
        );
        assert_eq!(redact("postgres://u@h/db"), "postgres://u@h/db");
        assert_eq!(redact("sqlite:x.db"), "sqlite:x.db");
    }

    #[derive(clap::Parser)]
    struct Serve {
        #[command(flatten)]
        a: ServeArgs,
    }

    fn serve_args(args: &[&str]) -> ServeArgs {
        use clap::Parser;
        let mut all = vec!["serve", "--database", "sqlite::memory:"];
        all.extend_from_slice(args);
        Serve::try_parse_from(all).unwrap().a
    }

    #[test]
    fn casework_rules_come_from_the_file_then_flags_with_the_constants_as_defaults() {
        let r = resolve(&serve_args(&[]), false).unwrap();
        assert_eq!(r.rules, everychild_store::CaseRules::default());
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("c.toml");
        std::fs::write(&file, "stuck_weeks = 4\nalert_days = 10\n").unwrap();
        let r = resolve(
            &serve_args(&[
                "--config",
                file.to_str().unwrap(),
                "--stuck-weeks",
                "2",
                "--no-lead-days",
                "21",
                "--alert-agencies",
                "3",
            ]),
            false,
        )
        .unwrap();
        assert_eq!(
            r.rules,
            everychild_store::CaseRules {
                stuck_weeks: 2,
                no_lead_days: 21,
                alert_agencies: 3,
                alert_days: 10,
            }
        );
        let e = resolve(&serve_args(&["--no-lead-days", "0"]), false)
            .err()
            .unwrap();
        assert!(e.to_string().starts_with("no_lead_days: "), "{e}");
    }

    #[test]
    fn unknown_keys_in_the_file_are_refused() {
        assert!(toml::from_str::<FileConfig>("listen = \"1.2.3.4:1\"").is_ok());
        assert!(toml::from_str::<FileConfig>("lisen = \"1.2.3.4:1\"").is_err());
    }
}
