//! Sign-in through the council's identity provider with OpenID Connect: the authorization
//! code flow with PKCE (S256), state and nonce, by the `openidconnect` crate.
//!
//! The provider's discovery document and keys are fetched by this module (no redirects
//! followed, https only unless a loopback provider is allowed for tests) and kept for ten
//! minutes; they are fetched again at once when a token names a key we do not hold. The flow's
//! state, nonce and PKCE verifier travel in a short-lived cookie sealed with AES-256-GCM, so
//! nothing is stored before the user is known.
//!
//! An identity is matched to an account by (issuer, subject). With allowed tenants configured
//! (Microsoft Entra ID), the token's `tid` must be one of them, its issuer must be the tenant's
//! issuer (the discovered issuer with `{tenantid}` replaced), and the subject is the object id
//! `oid`.

use crate::secrets::{self, SecretKey};
use openidconnect::core::{
    CoreAuthenticationFlow, CoreClient, CoreGenderClaim, CoreJsonWebKey, CoreJsonWebKeySet,
    CoreJweContentEncryptionAlgorithm, CoreJwsSigningAlgorithm, CoreProviderMetadata,
};
use openidconnect::{
    AdditionalClaims, AuthorizationCode, ClaimsVerificationError, ClientId, ClientSecret,
    CsrfToken, IdToken, IdTokenVerifier, Nonce, PkceCodeChallenge, PkceCodeVerifier, RedirectUrl,
    Scope, TokenResponse,
};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::time::{Duration, Instant};
use tokio::sync::RwLock;

/// How long a started sign-in may take at the provider.
pub const FLOW_SECONDS: i64 = 600;
/// How long discovered metadata and keys are kept.
const METADATA_TTL: Duration = Duration::from_secs(600);
/// The largest discovery document or key set read.
const MAX_DOCUMENT: usize = 512 * 1024;

/// Settings of sign-in through an OpenID Connect provider.
#[derive(Clone)]
pub struct OidcSettings {
    /// The issuer URL (its discovery document is at `/.well-known/openid-configuration`).
    pub issuer: String,
    /// This service's client id at the provider.
    pub client_id: String,
    /// The client secret (confidential client); none for a public client using PKCE alone.
    pub client_secret: Option<SecretString>,
    /// The provider's name on the sign-in page, e.g. "Leicester City Council account".
    pub display_name: String,
    /// Microsoft Entra ID tenants whose users may sign in; empty for any other provider.
    pub allowed_tenants: Vec<String>,
    /// A claim besides `amr` containing `mfa` that asserts a multi-factor sign-in:
    /// `(name, value)`; the claim equals the value or, if a list, contains it.
    pub mfa_claim: Option<(String, String)>,
    /// Accept a plain-HTTP provider on a loopback address (tests only).
    pub allow_http_loopback: bool,
}

impl std::fmt::Debug for OidcSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OidcSettings")
            .field("issuer", &self.issuer)
            .field("client_id", &self.client_id)
            .field("display_name", &self.display_name)
            .field("allowed_tenants", &self.allowed_tenants)
            .finish_non_exhaustive()
    }
}

/// Why a sign-in through the provider was refused. Each is audited with its reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// The provider cannot be reached or its documents are not valid.
    ProviderUnavailable(String),
    /// The provider said no (the user cancelled, or the provider refused).
    ProviderError(String),
    /// No sign-in in progress in this browser (no cookie, or it has expired).
    NoFlow,
    /// The `state` returned is not the one sent.
    WrongState,
    /// The code could not be exchanged for tokens.
    Exchange(String),
    /// The token response carried no ID token.
    NoIdToken,
    /// The ID token's issuer is wrong.
    WrongIssuer,
    /// The ID token is not for this client.
    WrongAudience,
    /// The ID token has expired.
    Expired,
    /// The ID token's nonce is not the one sent.
    WrongNonce,
    /// The signature does not verify.
    BadSignature,
    /// The tenant is not allowed.
    WrongTenant,
    /// Some other check failed.
    Invalid(String),
    /// The identity is valid but opens no account here (not linked, or the account is
    /// disabled): the reason says which.
    NoAccount(&'static str),
}

impl Refusal {
    /// The reason recorded in the audit log.
    pub fn reason(&self) -> String {
        match self {
            Refusal::ProviderUnavailable(m) => format!("provider unavailable: {m}"),
            Refusal::ProviderError(m) => format!("provider refused: {m}"),
            Refusal::NoFlow => "no sign-in in progress".into(),
            Refusal::WrongState => "wrong state".into(),
            Refusal::Exchange(m) => format!("code exchange failed: {m}"),
            Refusal::NoIdToken => "no ID token".into(),
            Refusal::WrongIssuer => "wrong issuer".into(),
            Refusal::WrongAudience => "wrong audience".into(),
            Refusal::Expired => "expired token".into(),
            Refusal::WrongNonce => "wrong nonce".into(),
            Refusal::BadSignature => "bad signature".into(),
            Refusal::WrongTenant => "tenant not allowed".into(),
            Refusal::Invalid(m) => format!("invalid token: {m}"),
            Refusal::NoAccount(why) => (*why).to_owned(),
        }
    }

    /// What the person is told.
    pub fn message(&self, provider: &str) -> String {
        match self {
            Refusal::ProviderUnavailable(_) => format!(
                "Sign-in with {provider} is not available at the moment. Try again later, or sign in with your username and password if you have one"
            ),
            Refusal::ProviderError(_) => format!(
                "Sign-in with {provider} was not completed. Start again if you want to sign in"
            ),
            Refusal::NoFlow => "The sign-in took too long or was started in another browser. Start again".into(),
            Refusal::WrongState => "The sign-in could not be matched to the one started in this browser. Start again".into(),
            Refusal::Exchange(_) | Refusal::NoIdToken => format!(
                "{provider} did not confirm who you are. Start again"
            ),
            Refusal::NoAccount(_) => format!(
                "Your {provider} is not linked to an account here, or the account is disabled. Ask your administrator to link it"
            ),
            Refusal::WrongTenant => "Accounts from your organisation's directory cannot sign in here. Ask an administrator if you think they should".into(),
            Refusal::WrongIssuer
            | Refusal::WrongAudience
            | Refusal::Expired
            | Refusal::WrongNonce
            | Refusal::BadSignature
            | Refusal::Invalid(_) => format!(
                "The confirmation of who you are from {provider} could not be accepted ({}). Start again",
                self.reason()
            ),
        }
    }
}

/// What the flow cookie carries between the redirect and the callback.
#[derive(Serialize, Deserialize)]
struct Flow {
    state: String,
    nonce: String,
    verifier: String,
    /// Unix seconds when it started.
    at: i64,
}

/// A started sign-in: where to send the browser and the sealed cookie value.
pub struct Started {
    /// The provider's authorization URL.
    pub url: String,
    /// The sealed flow, for the cookie.
    pub cookie: String,
}

/// Who the provider says signed in.
#[derive(Debug, Clone)]
pub struct Identity {
    /// The issuer to match on (the tenant's issuer for Entra ID).
    pub issuer: String,
    /// The subject to match on (`oid` for Entra ID).
    pub subject: String,
    /// Whether the provider asserted a multi-factor sign-in.
    pub mfa: bool,
}

/// Claims beyond the standard ones: Entra ID's tenant and object ids, and any others (for a
/// configured multi-factor claim).
#[derive(Debug, Clone, Serialize, Deserialize)]
struct ExtraClaims {
    tid: Option<String>,
    oid: Option<String>,
    #[serde(flatten)]
    other: HashMap<String, serde_json::Value>,
}
impl AdditionalClaims for ExtraClaims {}

type ExtraIdToken = IdToken<
    ExtraClaims,
    CoreGenderClaim,
    CoreJweContentEncryptionAlgorithm,
    CoreJwsSigningAlgorithm,
>;

#[derive(Clone)]
struct Discovered {
    metadata: CoreProviderMetadata,
    end_session: Option<String>,
    fetched: Instant,
}

/// The configured provider, with its discovered metadata.
pub struct Provider {
    /// Its settings.
    pub settings: OidcSettings,
    http: reqwest::Client,
    cache: RwLock<Option<Discovered>>,
}

impl std::fmt::Debug for Provider {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Provider")
            .field("settings", &self.settings)
            .finish_non_exhaustive()
    }
}

/// Whether `url` may be fetched: https, or http to a loopback host when allowed.
fn url_allowed(url: &str, allow_http_loopback: bool) -> bool {
    let Ok(u) = reqwest::Url::parse(url) else {
        return false;
    };
    match u.scheme() {
        "https" => true,
        "http" if allow_http_loopback => match u.host() {
            Some(url::Host::Ipv4(a)) => a.is_loopback(),
            Some(url::Host::Ipv6(a)) => a.is_loopback(),
            Some(url::Host::Domain(d)) => d == "localhost",
            None => false,
        },
        _ => false,
    }
}

/// The issuer a token from `tenant` must carry, from the discovered issuer (which for a
/// multi-tenant Entra ID application holds the placeholder `{tenantid}`).
pub fn tenant_issuer(discovered: &str, tenant: &str) -> String {
    discovered.replace("{tenantid}", tenant)
}

/// Whether `claims` assert a multi-factor sign-in: `amr` contains `mfa`, or the configured
/// claim has the configured value (or, as a list, contains it).
fn asserts_mfa(
    amr: &[String],
    acr: Option<&str>,
    other: &HashMap<String, serde_json::Value>,
    configured: Option<&(String, String)>,
) -> bool {
    if amr.iter().any(|m| m == "mfa") {
        return true;
    }
    let Some((name, want)) = configured else {
        return false;
    };
    if name == "acr" {
        return acr == Some(want.as_str());
    }
    if name == "amr" {
        return amr.iter().any(|m| m == want);
    }
    match other.get(name) {
        Some(serde_json::Value::String(s)) => s == want,
        Some(serde_json::Value::Array(items)) => items.iter().any(|i| i.as_str() == Some(want)),
        _ => false,
    }
}

impl Provider {
    /// A provider from settings; nothing is fetched until the first sign-in.
    pub fn new(settings: OidcSettings) -> Result<Self, String> {
        if !url_allowed(&settings.issuer, settings.allow_http_loopback) {
            return Err(format!(
                "oidc_issuer must be an https:// URL (got {:?})",
                settings.issuer
            ));
        }
        if settings.client_id.trim().is_empty() {
            return Err("oidc_client_id must be set".into());
        }
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(10))
            .build()
            .map_err(|e| e.to_string())?;
        Ok(Self {
            settings,
            http,
            cache: RwLock::new(None),
        })
    }

    async fn get_json(&self, url: &str) -> Result<(serde_json::Value, Vec<u8>), Refusal> {
        if !url_allowed(url, self.settings.allow_http_loopback) {
            return Err(Refusal::ProviderUnavailable(format!(
                "{url} is not an https:// URL"
            )));
        }
        let mut resp = self
            .http
            .get(url)
            .header("accept", "application/json")
            .send()
            .await
            .map_err(|e| Refusal::ProviderUnavailable(format!("{url}: {e}")))?;
        if !resp.status().is_success() {
            return Err(Refusal::ProviderUnavailable(format!(
                "{url} answered {}",
                resp.status()
            )));
        }
        let mut body = Vec::new();
        while let Some(chunk) = resp
            .chunk()
            .await
            .map_err(|e| Refusal::ProviderUnavailable(format!("{url}: {e}")))?
        {
            let chunk: bytes::Bytes = chunk;
            body.extend_from_slice(&chunk);
            if body.len() > MAX_DOCUMENT {
                return Err(Refusal::ProviderUnavailable(format!(
                    "{url} is larger than {MAX_DOCUMENT} bytes"
                )));
            }
        }
        let v = serde_json::from_slice(&body)
            .map_err(|e| Refusal::ProviderUnavailable(format!("{url}: not JSON: {e}")))?;
        Ok((v, body))
    }

    async fn discover(&self) -> Result<Discovered, Refusal> {
        let issuer = self.settings.issuer.trim_end_matches('/');
        let url = format!("{issuer}/.well-known/openid-configuration");
        let (doc, body) = self.get_json(&url).await?;
        let mut metadata: CoreProviderMetadata = serde_json::from_slice(&body).map_err(|e| {
            Refusal::ProviderUnavailable(format!("discovery document not valid: {e}"))
        })?;
        let found = metadata.issuer().as_str().trim_end_matches('/');
        let tenant_template =
            !self.settings.allowed_tenants.is_empty() && found.contains("{tenantid}");
        if found != issuer && !tenant_template {
            return Err(Refusal::ProviderUnavailable(format!(
                "the discovery document names issuer {found}, not {issuer}"
            )));
        }
        for endpoint in [
            Some(metadata.authorization_endpoint().as_str()),
            metadata.token_endpoint().map(|t| t.as_str()),
            Some(metadata.jwks_uri().as_str()),
        ]
        .into_iter()
        .flatten()
        {
            if !url_allowed(endpoint, self.settings.allow_http_loopback) {
                return Err(Refusal::ProviderUnavailable(format!(
                    "endpoint {endpoint} is not an https:// URL"
                )));
            }
        }
        let (_, keys) = self.get_json(metadata.jwks_uri().as_str()).await?;
        let jwks: CoreJsonWebKeySet = serde_json::from_slice(&keys)
            .map_err(|e| Refusal::ProviderUnavailable(format!("key set not valid: {e}")))?;
        metadata = metadata.set_jwks(jwks);
        let end_session = doc
            .get("end_session_endpoint")
            .and_then(|v| v.as_str())
            .filter(|u| url_allowed(u, self.settings.allow_http_loopback))
            .map(str::to_owned);
        Ok(Discovered {
            metadata,
            end_session,
            fetched: Instant::now(),
        })
    }

    async fn discovered(&self, fresh: bool) -> Result<Discovered, Refusal> {
        if !fresh {
            if let Some(d) = self.cache.read().await.as_ref() {
                if d.fetched.elapsed() < METADATA_TTL {
                    return Ok(d.clone());
                }
            }
        }
        let d = self.discover().await?;
        *self.cache.write().await = Some(d.clone());
        Ok(d)
    }

    fn client(
        &self,
        d: &Discovered,
        redirect: &str,
    ) -> Result<
        CoreClient<
            openidconnect::EndpointSet,
            openidconnect::EndpointNotSet,
            openidconnect::EndpointNotSet,
            openidconnect::EndpointNotSet,
            openidconnect::EndpointMaybeSet,
            openidconnect::EndpointMaybeSet,
        >,
        Refusal,
    > {
        let redirect = RedirectUrl::new(redirect.to_owned())
            .map_err(|e| Refusal::Invalid(format!("redirect URL: {e}")))?;
        Ok(CoreClient::from_provider_metadata(
            d.metadata.clone(),
            ClientId::new(self.settings.client_id.clone()),
            self.settings
                .client_secret
                .as_ref()
                .map(|s| ClientSecret::new(s.expose_secret().to_owned())),
        )
        .set_redirect_uri(redirect))
    }

    /// Start a sign-in: the provider's authorization URL (code flow, PKCE S256, state,
    /// nonce) and the sealed flow for the cookie.
    pub async fn start(
        &self,
        keys: &[SecretKey],
        redirect: &str,
        now_unix: i64,
    ) -> Result<Started, Refusal> {
        let d = self.discovered(false).await?;
        let client = self.client(&d, redirect)?;
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let (url, state, nonce) = client
            .authorize_url(
                CoreAuthenticationFlow::AuthorizationCode,
                CsrfToken::new_random,
                Nonce::new_random,
            )
            .add_scope(Scope::new("profile".into()))
            .add_scope(Scope::new("email".into()))
            .set_pkce_challenge(challenge)
            .url();
        let flow = Flow {
            state: state.secret().clone(),
            nonce: nonce.secret().clone(),
            verifier: verifier.secret().clone(),
            at: now_unix,
        };
        let json = serde_json::to_string(&flow).map_err(|e| Refusal::Invalid(e.to_string()))?;
        let cookie = secrets::seal(keys, &json)
            .ok_or_else(|| Refusal::Invalid("could not seal the sign-in".into()))?;
        Ok(Started {
            url: url.to_string(),
            cookie,
        })
    }

    /// Finish a sign-in: check the state against the cookie, exchange the code (with the
    /// PKCE verifier), verify the ID token (signature, issuer, audience, expiry by `now`,
    /// nonce, tenant) and say who signed in.
    pub async fn finish(
        &self,
        keys: &[SecretKey],
        sealed: Option<&str>,
        state: &str,
        code: &str,
        redirect: &str,
        now: time::OffsetDateTime,
    ) -> Result<Identity, Refusal> {
        let flow: Flow = sealed
            .filter(|s| s.starts_with("enc1:"))
            .and_then(|s| secrets::open(keys, s))
            .and_then(|o| serde_json::from_str(&o.secret).ok())
            .ok_or(Refusal::NoFlow)?;
        let now_unix = now.unix_timestamp();
        if now_unix - flow.at > FLOW_SECONDS || now_unix < flow.at - 60 {
            return Err(Refusal::NoFlow);
        }
        if !constant_time_eq(&flow.state, state) {
            return Err(Refusal::WrongState);
        }
        let d = self.discovered(false).await?;
        let client = self.client(&d, redirect)?;
        let response = client
            .exchange_code(AuthorizationCode::new(code.to_owned()))
            .map_err(|e| Refusal::Exchange(e.to_string()))?
            .set_pkce_verifier(PkceCodeVerifier::new(flow.verifier.clone()))
            .request_async(&self.http)
            .await
            .map_err(|e| Refusal::Exchange(token_error(&e)))?;
        let raw = response.id_token().ok_or(Refusal::NoIdToken)?.to_string();
        let token: ExtraIdToken = raw
            .parse()
            .map_err(|e: serde_json::Error| Refusal::Invalid(e.to_string()))?;
        let nonce = Nonce::new(flow.nonce.clone());
        let verified = match self.verify(&client, d.metadata.issuer().as_str(), &token, &nonce, now)
        {
            // A key we do not hold: the provider may have rotated its keys.
            Err(Refusal::BadSignature) => {
                let d = self.discovered(true).await?;
                let client = self.client(&d, redirect)?;
                self.verify(&client, d.metadata.issuer().as_str(), &token, &nonce, now)?
            }
            other => other?,
        };
        Ok(verified)
    }

    fn verify(
        &self,
        client: &CoreClient<
            openidconnect::EndpointSet,
            openidconnect::EndpointNotSet,
            openidconnect::EndpointNotSet,
            openidconnect::EndpointNotSet,
            openidconnect::EndpointMaybeSet,
            openidconnect::EndpointMaybeSet,
        >,
        discovered: &str,
        token: &ExtraIdToken,
        nonce: &Nonce,
        now: time::OffsetDateTime,
    ) -> Result<Identity, Refusal> {
        let tenants = !self.settings.allowed_tenants.is_empty();
        let now_chrono = chrono::DateTime::<chrono::Utc>::from_timestamp(now.unix_timestamp(), 0)
            .unwrap_or_default();
        let verifier: IdTokenVerifier<'_, CoreJsonWebKey> = client
            .id_token_verifier()
            .require_issuer_match(!tenants)
            .set_time_fn(move || now_chrono);
        let claims = token.claims(&verifier, nonce).map_err(|e| match e {
            ClaimsVerificationError::Expired(_) => Refusal::Expired,
            ClaimsVerificationError::InvalidAudience(_) => Refusal::WrongAudience,
            ClaimsVerificationError::InvalidIssuer(_) => Refusal::WrongIssuer,
            ClaimsVerificationError::InvalidNonce(_) => Refusal::WrongNonce,
            ClaimsVerificationError::SignatureVerification(_) => Refusal::BadSignature,
            other => Refusal::Invalid(other.to_string()),
        })?;
        let extra = claims.additional_claims();
        let issuer = claims.issuer().as_str().to_owned();
        let subject = if tenants {
            let tid = extra.tid.as_deref().ok_or(Refusal::WrongTenant)?;
            if !self.settings.allowed_tenants.iter().any(|t| t == tid) {
                return Err(Refusal::WrongTenant);
            }
            if issuer.trim_end_matches('/') != tenant_issuer(discovered, tid).trim_end_matches('/')
            {
                return Err(Refusal::WrongIssuer);
            }
            extra
                .oid
                .clone()
                .ok_or_else(|| Refusal::Invalid("no oid claim".into()))?
        } else {
            claims.subject().as_str().to_owned()
        };
        let amr: Vec<String> = claims
            .auth_method_refs()
            .map(|v| v.iter().map(|m| m.as_str().to_owned()).collect())
            .unwrap_or_default();
        let acr = claims.auth_context_ref().map(|a| a.as_str().to_owned());
        let mfa = asserts_mfa(
            &amr,
            acr.as_deref(),
            &extra.other,
            self.settings.mfa_claim.as_ref(),
        );
        Ok(Identity {
            issuer,
            subject,
            mfa,
        })
    }

    /// The provider's origin (`scheme://host[:port]`), for the Content-Security-Policy.
    pub fn origin(&self) -> Option<String> {
        let u = reqwest::Url::parse(&self.settings.issuer).ok()?;
        Some(u.origin().ascii_serialization())
    }

    /// The provider's sign-out URL (RP-initiated logout), returning to `after`, if the
    /// provider offers one. Uses the cached metadata only: sign-out never waits on the
    /// provider.
    pub async fn end_session_url(&self, after: &str) -> Option<String> {
        let d = self.cache.read().await.clone()?;
        let base = d.end_session?;
        let mut u = reqwest::Url::parse(&base).ok()?;
        u.query_pairs_mut()
            .append_pair("client_id", &self.settings.client_id)
            .append_pair("post_logout_redirect_uri", after);
        Some(u.to_string())
    }
}

fn token_error<E: std::error::Error>(e: &E) -> String {
    let mut msg = e.to_string();
    let mut src = e.source();
    while let Some(s) = src {
        msg.push_str(": ");
        msg.push_str(&s.to_string());
        src = s.source();
    }
    msg.chars().take(300).collect()
}

/// Compare two strings in constant time (through their HMAC tags).
fn constant_time_eq(a: &str, b: &str) -> bool {
    crate::crypto::tag_ok("oidc state", a, &crate::crypto::tag("oidc state", b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_https_or_allowed_loopback_http() {
        assert!(url_allowed("https://login.example.org/tenant", false));
        assert!(!url_allowed("http://login.example.org", false));
        assert!(!url_allowed("http://login.example.org", true));
        assert!(url_allowed("http://127.0.0.1:9400", true));
        assert!(url_allowed("http://localhost:9400", true));
        assert!(!url_allowed("http://127.0.0.1:9400", false));
        assert!(!url_allowed("file:///etc/passwd", true));
    }

    #[test]
    fn entra_tenant_issuer_fills_the_placeholder() {
        assert_eq!(
            tenant_issuer("https://login.microsoftonline.com/{tenantid}/v2.0", "abc"),
            "https://login.microsoftonline.com/abc/v2.0"
        );
        assert_eq!(
            tenant_issuer("https://idp.example", "abc"),
            "https://idp.example"
        );
    }

    #[test]
    fn multi_factor_from_amr_or_a_configured_claim() {
        let none = HashMap::new();
        assert!(asserts_mfa(
            &["pwd".into(), "mfa".into()],
            None,
            &none,
            None
        ));
        assert!(!asserts_mfa(&["pwd".into()], None, &none, None));
        let acr = ("acr".to_owned(), "urn:mfa".to_owned());
        assert!(asserts_mfa(&[], Some("urn:mfa"), &none, Some(&acr)));
        assert!(!asserts_mfa(&[], Some("urn:pwd"), &none, Some(&acr)));
        let mut other = HashMap::new();
        other.insert("auth_level".to_owned(), serde_json::json!(["strong", "x"]));
        let lvl = ("auth_level".to_owned(), "strong".to_owned());
        assert!(asserts_mfa(&[], None, &other, Some(&lvl)));
        let lvl2 = ("auth_level".to_owned(), "weak".to_owned());
        assert!(!asserts_mfa(&[], None, &other, Some(&lvl2)));
    }
}
