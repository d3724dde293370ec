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
        let mut put = |v: Option<&str>| match v {
            None => h.update(b"N"),
            Some(s) => {
                h.update(b"S");
                h.update((s.len() as u64).to_be_bytes());
                h.update(s.as_bytes());
            }
        };
        let seq = self.seq.to_string();
        let actor_id = self.actor_id.map(|i| i.to_string());
        put(Some("everychild-audit-v1"));
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
        hex::encode(h.finalize())
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
}

impl Default for ChainVerifier {
    fn default() -> Self {
        Self {
            expected_seq: 1,
            prev_hash: GENESIS_HASH.to_owned(),
        }
    }
}

impl ChainVerifier {
    /// Check the next event and its stored hash.
    pub fn check(&mut self, rec: &AuditRecord, stored_hash: &str) -> Result<(), ChainError> {
        if rec.seq != self.expected_seq {
            return Err(ChainError::Gap {
                seq: rec.seq,
                expected: self.expected_seq,
            });
        }
        if rec.compute_hash() != stored_hash {
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
            v.check(r, h)?;
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
            assert!(v.check(r, h).is_ok());
        }
        assert!(matches!(
            v.finish(4, &c[3].1),
            Err(ChainError::Truncated { last_seq: 3, .. })
        ));
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
