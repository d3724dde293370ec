//! Authenticator (TOTP) secrets encrypted at rest with AES-256-GCM. The key comes from the
//! settings (`totp_keys`, newest first; by default one key derived from `secret_key`), never
//! from the database, so a copy of the database alone does not give anyone's second factor.
//!
//! Stored form: `enc1:<key id>:<base64 of nonce ‖ ciphertext>`, the key id being the first 8
//! hex digits of the SHA-256 of the key. Rotation: put the new key first and keep the old ones
//! after it; every secret read under an old key (or stored in plain text before encryption
//! existed) is written again under the newest key at the user's next sign-in.

use aes_gcm::aead::{Aead, KeyInit};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use sha2::{Digest, Sha256};

/// One encryption key with its id.
#[derive(Clone)]
pub struct SecretKey {
    id: String,
    key: [u8; 32],
}

impl std::fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SecretKey({})", self.id)
    }
}

impl SecretKey {
    /// A key from any text (a passphrase or 64 hex digits): its SHA-256 under a fixed label.
    pub fn derive(material: &str) -> Self {
        let key: [u8; 32] = Sha256::new()
            .chain_update(b"everychild totp secrets v1\0")
            .chain_update(material.as_bytes())
            .finalize()
            .into();
        let id = hex::encode(&Sha256::digest(key)[..4]);
        Self { id, key }
    }
}

/// What reading a stored secret found.
#[derive(Debug, PartialEq, Eq)]
pub struct Opened {
    /// The secret (base32).
    pub secret: String,
    /// It should be written again under the newest key.
    pub stale: bool,
}

/// Encrypt `secret` under the newest key.
pub fn seal(keys: &[SecretKey], secret: &str) -> Option<String> {
    let k = keys.first()?;
    let cipher = Aes256Gcm::new_from_slice(&k.key).ok()?;
    let nonce_bytes = crate::crypto::random_bytes::<12>();
    let ct = cipher
        .encrypt(Nonce::from_slice(&nonce_bytes), secret.as_bytes())
        .ok()?;
    let mut blob = nonce_bytes.to_vec();
    blob.extend_from_slice(&ct);
    Some(format!("enc1:{}:{}", k.id, STANDARD.encode(blob)))
}

/// Decrypt a stored secret; a plain-text one (from before encryption) is read as it is and
/// marked stale. `None` if no key opens it (or it was altered).
pub fn open(keys: &[SecretKey], stored: &str) -> Option<Opened> {
    let Some(rest) = stored.strip_prefix("enc1:") else {
        return Some(Opened {
            secret: stored.to_owned(),
            stale: true,
        });
    };
    let (id, b64) = rest.split_once(':')?;
    let (i, k) = keys.iter().enumerate().find(|(_, k)| k.id == id)?;
    let blob = STANDARD.decode(b64).ok()?;
    if blob.len() < 13 {
        return None;
    }
    let (nonce, ct) = blob.split_at(12);
    let cipher = Aes256Gcm::new_from_slice(&k.key).ok()?;
    let pt = cipher.decrypt(Nonce::from_slice(nonce), ct).ok()?;
    Some(Opened {
        secret: String::from_utf8(pt).ok()?,
        stale: i > 0,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_secrets_open_only_with_their_key_and_rotation_marks_them_stale() {
        let old = SecretKey::derive("old key");
        let new = SecretKey::derive("new key");
        let sealed = seal(std::slice::from_ref(&old), "JBSWY3DPEHPK3PXP").unwrap();
        assert!(sealed.starts_with("enc1:") && !sealed.contains("JBSWY3DP"));
        // Two seals of one secret differ (fresh nonces).
        assert_ne!(
            sealed,
            seal(std::slice::from_ref(&old), "JBSWY3DPEHPK3PXP").unwrap()
        );
        let o = open(std::slice::from_ref(&old), &sealed).unwrap();
        assert_eq!((o.secret.as_str(), o.stale), ("JBSWY3DPEHPK3PXP", false));
        // Rotated: the new key first, the old one still opens, and says so.
        let both = [new.clone(), old.clone()];
        assert!(open(&both, &sealed).unwrap().stale);
        assert!(
            open(std::slice::from_ref(&new), &sealed).is_none(),
            "wrong key"
        );
        // Altered ciphertext is refused.
        let mut bad = sealed.clone();
        bad.pop();
        bad.push(if sealed.ends_with('A') { 'B' } else { 'A' });
        assert!(open(std::slice::from_ref(&old), &bad).is_none());
        // Plain text from before encryption is read and marked for sealing.
        assert!(open(&both, "JBSWY3DPEHPK3PXP").unwrap().stale);
    }
}
