//! The audit event and its hash chain. Each event carries the hash of the one before it, so
//! changing any stored byte of any event breaks the chain from that event on.

use sha2::{Digest, Sha256};

/// The hash that the first event in a chain points back to.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// What happened, as recorded. Every field is covered by the hash.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct AuditRecord {
    /// Position in the chain, from 1 with no gaps.
    pub seq: i64,
    /// When, as stored text in UTC ([`crate::Timestamp::to_db`]).
    pub at: String,
    /// The acting user's id, if anyone was signed in.
    pub actor_id: Option<i64>,
    /// The acting user's username (or the name attempted at a failed sign-in).
    pub actor_username: Option<String>,
    /// The acting user's role at the time.
    pub actor_role: Option<String>,
    /// The acting user's organisation at the time.
    pub actor_org: Option<String>,
    /// The action, e.g. `user.create`, `staff.view`, `sign_in.failure`.
    pub action: String,
    /// `success` or `denied` or `failure`.
    pub outcome: String,
    /// The kind of record acted on, e.g. `user`.
    pub subject_type: Option<String>,
    /// The id of the record acted on.
    pub subject_id: Option<String>,
    /// Why: the purpose the user gave or the product inferred.
    pub purpose: Option<String>,
    /// Extra detail as compact JSON text.
    pub detail: String,
    /// The client address.
    pub ip: Option<String>,
    /// The request id from the logs, to join the two.
    pub request_id: Option<String>,
    /// The previous event's hash.
    pub prev_hash: String,
}

impl AuditRecord {
    /// The hash of this event: SHA-256 over every field, each length-prefixed so that no two
    /// different events share an encoding. Lower-case hex.
    pub fn compute_hash(&self) -> String {
        let mut h = Sha256::new();
        self.encode("everychild-audit-v1", |b| h.update(b));
        hex::encode(h.finalize())
    }

    /// The keyed seal of this event: HMAC-SHA-256 under `key` over the same encoding (with
    /// its own version tag). Without the key, no one can write an event, or rewrite the
    /// table, so that it verifies. Lower-case hex.
    pub fn compute_mac(&self, key: &AuditKey) -> String {
        use hmac::Mac;
        let Ok(mut m) = hmac::Hmac::<Sha256>::new_from_slice(&key.key) else {
            return String::new();
        };
        self.encode("everychild-audit-v2", |b| m.update(b));
        hex::encode(m.finalize().into_bytes())
    }

    /// Seal with the key if there is one (returning its id), else hash as before keying.
    pub fn seal(&self, key: Option<&AuditKey>) -> (String, Option<String>) {
        match key {
            Some(k) => (self.compute_mac(k), Some(k.id.clone())),
            None => (self.compute_hash(), None),
        }
    }

    fn encode(&self, version: &str, mut out: impl FnMut(&[u8])) {
        let mut put = |v: Option<&str>| match v {
            None => out(b"N"),
            Some(s) => {
                out(b"S");
                out(&(s.len() as u64).to_be_bytes());
                out(s.as_bytes());
            }
        };
        let seq = self.seq.to_string();
        let actor_id = self.actor_id.map(|i| i.to_string());
        put(Some(version));
        put(Some(&seq));
        put(Some(&self.at));
        put(actor_id.as_deref());
        put(self.actor_username.as_deref());
        put(self.actor_role.as_deref());
        put(self.actor_org.as_deref());
        put(Some(&self.action));
        put(Some(&self.outcome));
        put(self.subject_type.as_deref());
        put(self.subject_id.as_deref());
        put(self.purpose.as_deref());
        put(Some(&self.detail));
        put(self.ip.as_deref());
        put(self.request_id.as_deref());
        put(Some(&self.prev_hash));
    }
}

/// A key that seals audit events, held outside the database (settings, environment or a key
/// file). Its id, stored with each event it seals, is a hash of the key, so keys can be
/// rotated: new events use the newest key, and older events verify under the key they name.
#[derive(Clone)]
pub struct AuditKey {
    id: String,
    key: Vec<u8>,
}

impl std::fmt::Debug for AuditKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "AuditKey({})", self.id)
    }
}

impl AuditKey {
    /// The key derived from secret material (a long random passphrase).
    pub fn derive(material: &str) -> Self {
        let mut h = Sha256::new();
        h.update(b"everychild audit key\0");
        h.update(material.as_bytes());
        let key = h.finalize().to_vec();
        let mut i = Sha256::new();
        i.update(b"everychild audit key id\0");
        i.update(&key);
        let id = hex::encode(&i.finalize()[..6]);
        Self { id, key }
    }
    /// The key's id (not secret).
    pub fn id(&self) -> &str {
        &self.id
    }
}

/// Why a chain failed verification, naming the first bad event.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChainError {
    /// The stored hash is not the hash of the stored fields: the event was altered.
    #[error("event {seq}: stored hash does not match its contents (altered)")]
    HashMismatch {
        /// The event's sequence number.
        seq: i64,
    },
    /// The event does not point at the hash of the event before it.
    #[error("event {seq}: previous-hash link is broken (an earlier event was altered or removed)")]
    BrokenLink {
        /// The event's sequence number.
        seq: i64,
    },
    /// Sequence numbers are not contiguous.
    #[error("event {seq}: expected sequence number {expected} (events removed or inserted)")]
    Gap {
        /// The event's sequence number.
        seq: i64,
        /// What it should have been.
        expected: i64,
    },
    /// An event sealed without a key where the chain must be keyed.
    #[error("event {seq}: not sealed with a key, but events after {unkeyed_until} must be (an event written or rewritten without the key)")]
    Unkeyed {
        /// The event's sequence number.
        seq: i64,
        /// The last event allowed to be unkeyed.
        unkeyed_until: i64,
    },
    /// An event names a key that is not configured.
    #[error("event {seq}: sealed with key {key_id}, which is not among the configured audit keys")]
    UnknownKey {
        /// The event's sequence number.
        seq: i64,
        /// The key id it names.
        key_id: String,
    },
    /// The chain head records more events, or a different last hash, than are stored.
    #[error("chain head says {head_seq} events ending in {head_hash}, but the last stored event is {last_seq} (events removed from the end)")]
    Truncated {
        /// Head sequence.
        head_seq: i64,
        /// Head hash.
        head_hash: String,
        /// Last stored sequence.
        last_seq: i64,
    },
}

/// Checks events one at a time, in sequence order, without holding the chain in memory.
#[derive(Debug)]
pub struct ChainVerifier {
    expected_seq: i64,
    prev_hash: String,
    keys: Vec<AuditKey>,
    /// Events up to here may be unkeyed (written before the chain was keyed); `None` when
    /// no key is configured (every event must then be unkeyed).
    unkeyed_until: Option<i64>,
}

impl Default for ChainVerifier {
    fn default() -> Self {
        Self::unkeyed()
    }
}

impl ChainVerifier {
    /// A verifier for a chain with no key: every event must be hashed without one.
    pub fn unkeyed() -> Self {
        Self {
            expected_seq: 1,
            prev_hash: GENESIS_HASH.to_owned(),
            keys: Vec::new(),
            unkeyed_until: None,
        }
    }

    /// A verifier for a keyed chain: events after `unkeyed_until` must be sealed with one of
    /// `keys` (events up to it were written before the chain was keyed).
    pub fn keyed(keys: Vec<AuditKey>, unkeyed_until: i64) -> Self {
        Self {
            keys,
            unkeyed_until: Some(unkeyed_until),
            ..Self::unkeyed()
        }
    }

    /// Check the next event, its stored hash and the key it names.
    pub fn check(
        &mut self,
        rec: &AuditRecord,
        stored_hash: &str,
        key_id: Option<&str>,
    ) -> Result<(), ChainError> {
        if rec.seq != self.expected_seq {
            return Err(ChainError::Gap {
                seq: rec.seq,
                expected: self.expected_seq,
            });
        }
        let expected = match (key_id, self.unkeyed_until) {
            (None, Some(until)) if rec.seq > until => {
                return Err(ChainError::Unkeyed {
                    seq: rec.seq,
                    unkeyed_until: until,
                })
            }
            (None, _) => rec.compute_hash(),
            (Some(id), _) => match self.keys.iter().find(|k| k.id == id) {
                Some(k) => rec.compute_mac(k),
                None => {
                    return Err(ChainError::UnknownKey {
                        seq: rec.seq,
                        key_id: id.to_owned(),
                    })
                }
            },
        };
        if expected != stored_hash {
            return Err(ChainError::HashMismatch { seq: rec.seq });
        }
        if rec.prev_hash != self.prev_hash {
            return Err(ChainError::BrokenLink { seq: rec.seq });
        }
        self.expected_seq += 1;
        self.prev_hash = stored_hash.to_owned();
        Ok(())
    }

    /// Check the chain head against what was verified; returns the number of events.
    pub fn finish(self, head_seq: i64, head_hash: &str) -> Result<i64, ChainError> {
        let last = self.expected_seq - 1;
        if head_seq != last || head_hash != self.prev_hash {
            return Err(ChainError::Truncated {
                head_seq,
                head_hash: head_hash.to_owned(),
                last_seq: last,
            });
        }
        Ok(last)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(seq: i64, prev: &str) -> AuditRecord {
        AuditRecord {
            seq,
            at: "2026-01-01T00:00:00.000Z".into(),
            actor_id: Some(1),
            actor_username: Some("admin".into()),
            actor_role: Some("administrator".into()),
            actor_org: Some("Council".into()),
            action: "user.view".into(),
            outcome: "success".into(),
            subject_type: Some("user".into()),
            subject_id: Some("2".into()),
            purpose: None,
            detail: "{}".into(),
            ip: Some("127.0.0.1".into()),
            request_id: None,
            prev_hash: prev.into(),
        }
    }

    fn chain(n: i64) -> Vec<(AuditRecord, String)> {
        let mut out = Vec::new();
        let mut prev = GENESIS_HASH.to_owned();
        for seq in 1..=n {
            let r = rec(seq, &prev);
            let h = r.compute_hash();
            prev = h.clone();
            out.push((r, h));
        }
        out
    }

    fn verify(c: &[(AuditRecord, String)]) -> Result<i64, ChainError> {
        let mut v = ChainVerifier::default();
        for (r, h) in c {
            v.check(r, h, None)?;
        }
        let (hs, hh) = c
            .last()
            .map(|(r, h)| (r.seq, h.clone()))
            .unwrap_or((0, GENESIS_HASH.into()));
        v.finish(hs, &hh)
    }

    #[test]
    fn an_intact_chain_verifies() {
        assert_eq!(verify(&chain(5)), Ok(5));
        assert_eq!(verify(&[]), Ok(0));
    }

    #[test]
    fn changing_any_field_names_that_event() {
        let base = chain(4);
        type Mutation = Box<dyn Fn(&mut AuditRecord)>;
        let mutations: Vec<Mutation> = vec![
            Box::new(|r| r.at.push('1')),
            Box::new(|r| r.actor_id = Some(9)),
            Box::new(|r| r.actor_username = None),
            Box::new(|r| r.actor_role = Some("analyst".into())),
            Box::new(|r| r.actor_org = Some("X".into())),
            Box::new(|r| r.action = "user.create".into()),
            Box::new(|r| r.outcome = "denied".into()),
            Box::new(|r| r.subject_type = None),
            Box::new(|r| r.subject_id = Some("3".into())),
            Box::new(|r| r.purpose = Some("x".into())),
            Box::new(|r| r.detail = "{ }".into()),
            Box::new(|r| r.ip = None),
            Box::new(|r| r.request_id = Some("r".into())),
        ];
        for m in mutations {
            let mut c = base.clone();
            m(&mut c[2].0);
            assert_eq!(verify(&c), Err(ChainError::HashMismatch { seq: 3 }));
        }
    }

    #[test]
    fn rehashing_an_altered_event_breaks_the_next_link() {
        let mut c = chain(4);
        c[1].0.action = "forged".into();
        c[1].1 = c[1].0.compute_hash();
        assert_eq!(verify(&c), Err(ChainError::BrokenLink { seq: 3 }));
    }

    #[test]
    fn removed_events_are_found() {
        let mut c = chain(4);
        c.remove(1);
        assert_eq!(
            verify(&c),
            Err(ChainError::Gap {
                seq: 3,
                expected: 2
            })
        );
        let c = chain(4);
        let mut v = ChainVerifier::default();
        for (r, h) in &c[..3] {
            assert!(v.check(r, h, None).is_ok());
        }
        assert!(matches!(
            v.finish(4, &c[3].1),
            Err(ChainError::Truncated { last_seq: 3, .. })
        ));
    }

    /// A keyed chain of `n` events, the first `unkeyed` of them from before keying.
    fn keyed_chain(
        n: i64,
        unkeyed: i64,
        key: &AuditKey,
    ) -> Vec<(AuditRecord, String, Option<String>)> {
        let mut out = Vec::new();
        let mut prev = GENESIS_HASH.to_owned();
        for seq in 1..=n {
            let r = rec(seq, &prev);
            let (h, id) = r.seal((seq > unkeyed).then_some(key));
            prev = h.clone();
            out.push((r, h, id));
        }
        out
    }

    fn verify_keyed(
        c: &[(AuditRecord, String, Option<String>)],
        keys: Vec<AuditKey>,
        unkeyed_until: i64,
    ) -> Result<i64, ChainError> {
        let mut v = ChainVerifier::keyed(keys, unkeyed_until);
        for (r, h, id) in c {
            v.check(r, h, id.as_deref())?;
        }
        let (hs, hh) = c
            .last()
            .map(|(r, h, _)| (r.seq, h.clone()))
            .unwrap_or((0, GENESIS_HASH.into()));
        v.finish(hs, &hh)
    }

    #[test]
    fn a_keyed_chain_verifies_only_with_its_key() {
        let key = AuditKey::derive("a long random passphrase held outside the database");
        let other = AuditKey::derive("another passphrase, not the one that sealed the chain");
        assert_ne!(key.id(), other.id());
        let c = keyed_chain(5, 2, &key);
        assert_eq!(verify_keyed(&c, vec![key.clone()], 2), Ok(5));
        // Rotation: the new key first, the old one kept.
        assert_eq!(verify_keyed(&c, vec![other.clone(), key.clone()], 2), Ok(5));
        assert_eq!(
            verify_keyed(&c, vec![other], 2),
            Err(ChainError::UnknownKey {
                seq: 3,
                key_id: key.id().to_owned()
            })
        );
    }

    /// Someone who can write the table but has no key rewrites an event and re-hashes the
    /// whole chain after it consistently: a keyed chain finds it.
    #[test]
    fn rewriting_the_table_without_the_key_is_found() {
        let key = AuditKey::derive("a long random passphrase held outside the database");
        let mut c = keyed_chain(5, 0, &key);
        // As unkeyed events, re-hashed from the altered one on.
        c[2].0.action = "forged".into();
        let mut prev = c[1].1.clone();
        for e in c.iter_mut().skip(2) {
            e.0.prev_hash = prev.clone();
            e.1 = e.0.compute_hash();
            e.2 = None;
            prev = e.1.clone();
        }
        assert_eq!(
            verify_keyed(&c, vec![key.clone()], 0),
            Err(ChainError::Unkeyed {
                seq: 3,
                unkeyed_until: 0
            })
        );
        // Or sealed with a key of their own choosing that names the real key's id.
        let mut c = keyed_chain(5, 0, &key);
        let forger = AuditKey::derive("the forger's guess at the key, wrong");
        c[2].0.action = "forged".into();
        c[2].1 = c[2].0.compute_mac(&forger);
        assert_eq!(
            verify_keyed(&c, vec![key], 0),
            Err(ChainError::HashMismatch { seq: 3 })
        );
    }

    #[test]
    fn field_boundaries_are_unambiguous() {
        let mut a = rec(1, GENESIS_HASH);
        let mut b = rec(1, GENESIS_HASH);
        a.subject_type = Some("ab".into());
        a.subject_id = Some("c".into());
        b.subject_type = Some("a".into());
        b.subject_id = Some("bc".into());
        assert_ne!(a.compute_hash(), b.compute_hash());
    }
}
