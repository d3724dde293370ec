//! Random tokens, hashes, HMAC tags and password hashing.

use argon2::password_hash::{
    rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString,
};
use argon2::Argon2;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::{Digest, Sha256};
use std::sync::OnceLock;

/// 256 random bits, URL-safe base64.
pub(crate) fn random_token() -> String {
    let mut b = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut b);
    URL_SAFE_NO_PAD.encode(b)
}

/// Random bytes.
pub(crate) fn random_bytes<const N: usize>() -> [u8; N] {
    let mut b = [0u8; N];
    rand::rngs::OsRng.fill_bytes(&mut b);
    b
}

/// A random (version 4) UUID in its 8-4-4-4-12 form: the ids of new Open Referral documents.
pub(crate) fn uuid_v4() -> String {
    everychild_domain::directory::oruk::uuid_v4_from(random_bytes::<16>())
}

/// SHA-256 as lower-case hex: how session ids and tokens are stored.
pub(crate) fn sha256_hex(s: &str) -> String {
    hex::encode(Sha256::digest(s.as_bytes()))
}

/// HMAC-SHA256 tag of `msg` under `key`, URL-safe base64.
pub(crate) fn tag(key: &str, msg: &str) -> String {
    match Hmac::<Sha256>::new_from_slice(key.as_bytes()) {
        Ok(mut m) => {
            m.update(msg.as_bytes());
            URL_SAFE_NO_PAD.encode(m.finalize().into_bytes())
        }
        Err(_) => String::new(),
    }
}

/// Check a tag in constant time.
pub(crate) fn tag_ok(key: &str, msg: &str, given: &str) -> bool {
    let Ok(given) = URL_SAFE_NO_PAD.decode(given) else {
        return false;
    };
    match Hmac::<Sha256>::new_from_slice(key.as_bytes()) {
        Ok(mut m) => {
            m.update(msg.as_bytes());
            m.verify_slice(&given).is_ok()
        }
        Err(_) => false,
    }
}

/// Hash a password with argon2id (OWASP parameters: 19 MiB, 2 passes).
pub fn hash_password(password: &str) -> Result<String, String> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| e.to_string())
}

/// Password hashes computed at once, at most (each takes 19 MiB and a core for a moment): a
/// flood of sign-ins queues here instead of exhausting memory.
static HASHING: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(4);

/// How long a request waits for a turn to hash before it is told the service is busy.
const HASH_WAIT: std::time::Duration = std::time::Duration::from_secs(10);

/// [`verify_password`] on a blocking thread, with at most four hashes at once; `None` when no
/// turn came within ten seconds (the caller answers 503).
pub(crate) async fn verify_password_bounded(
    password: String,
    stored: Option<String>,
) -> Option<bool> {
    let permit = tokio::time::timeout(HASH_WAIT, HASHING.acquire())
        .await
        .ok()?
        .ok()?;
    let ok = tokio::task::spawn_blocking(move || verify_password(&password, stored.as_deref()))
        .await
        .ok();
    drop(permit);
    ok
}

/// Check a password against a stored hash; with `None` checks against a fixed dummy hash so
/// that an unknown account takes as long as a wrong password.
pub(crate) fn verify_password(password: &str, stored: Option<&str>) -> bool {
    static DUMMY: OnceLock<String> = OnceLock::new();
    let dummy = DUMMY
        .get_or_init(|| hash_password("not a real password, for timing only").unwrap_or_default());
    let (hash, real) = match stored {
        Some(h) => (h, true),
        None => (dummy.as_str(), false),
    };
    let ok = PasswordHash::new(hash)
        .map(|h| {
            Argon2::default()
                .verify_password(password.as_bytes(), &h)
                .is_ok()
        })
        .unwrap_or(false);
    ok && real
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_verify_and_unknown_accounts_never_do() {
        let h = hash_password("correct horse battery").unwrap_or_default();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_password("correct horse battery", Some(&h)));
        assert!(!verify_password("wrong", Some(&h)));
        assert!(!verify_password(
            "not a real password, for timing only",
            None
        ));
    }

    #[test]
    fn tags_check_in_both_directions() {
        let t = tag("k", "m");
        assert!(tag_ok("k", "m", &t));
        assert!(!tag_ok("k", "n", &t));
        assert!(!tag_ok("j", "m", &t));
        assert!(!tag_ok("k", "m", "not base64!"));
    }

    #[test]
    fn uuids_are_version_4_and_distinct() {
        let u = uuid_v4();
        assert!(everychild_domain::directory::oruk::is_uuid(&u), "{u}");
        assert_eq!(&u[14..15], "4");
        assert!(matches!(&u[19..20], "8" | "9" | "a" | "b"), "{u}");
        assert_ne!(u, uuid_v4());
    }

    #[test]
    fn tokens_are_long_and_distinct() {
        let a = random_token();
        assert_eq!(a.len(), 43); // 256 bits
        assert_ne!(a, random_token());
    }
}
