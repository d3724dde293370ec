//! Time-based one-time passwords (RFC 6238: SHA-1, 6 digits, 30-second steps), the form every
//! authenticator app reads.

use totp_rs::{Algorithm, Secret, TOTP};

const STEP: u64 = 30;

fn totp(secret_b32: &str) -> Option<TOTP> {
    let bytes = Secret::Encoded(secret_b32.to_owned()).to_bytes().ok()?;
    Some(TOTP::new_unchecked(Algorithm::SHA1, 6, 1, STEP, bytes))
}

/// A new random 160-bit secret, base32.
pub(crate) fn new_secret() -> String {
    Secret::Raw(crate::crypto::random_bytes::<20>().to_vec())
        .to_encoded()
        .to_string()
}

/// The code for `secret` at Unix time `unix` (tests and the bench use it to sign in).
pub fn totp_code_at(secret_b32: &str, unix: u64) -> Option<String> {
    totp(secret_b32).map(|t| t.generate(unix))
}

/// If `code` is valid at `unix` (allowing one step of clock drift either way), the step it
/// belongs to; the caller refuses a step already used.
pub(crate) fn matching_step(secret_b32: &str, code: &str, unix: u64) -> Option<i64> {
    let t = totp(secret_b32)?;
    let code = code.trim().replace(' ', "");
    if code.len() != 6 || !code.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let now = unix / STEP;
    [now.saturating_sub(1), now, now + 1]
        .into_iter()
        .find_map(|step| {
            let expected = t.generate(step * STEP);
            constant_eq(expected.as_bytes(), code.as_bytes()).then_some(step as i64)
        })
}

fn constant_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The `otpauth://` URI an authenticator app scans.
pub(crate) fn otpauth_uri(issuer: &str, account: &str, secret_b32: &str) -> String {
    let enc = |s: &str| {
        url::form_urlencoded::byte_serialize(s.as_bytes())
            .collect::<String>()
            .replace('+', "%20")
    };
    format!(
        "otpauth://totp/{}:{}?secret={}&issuer={}&algorithm=SHA1&digits=6&period=30",
        enc(issuer),
        enc(account),
        secret_b32,
        enc(issuer)
    )
}

/// The URI as an SVG QR code (our own markup, no scripts or styles).
pub(crate) fn qr_svg(uri: &str) -> Option<String> {
    let code = qrcode::QrCode::new(uri.as_bytes()).ok()?;
    let svg = code
        .render::<qrcode::render::svg::Color<'_>>()
        .min_dimensions(200, 200)
        .quiet_zone(true)
        .build();
    // Inline in HTML: drop the XML declaration.
    svg.find("<svg").map(|i| svg[i..].to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc6238_sha1_vector() {
        // RFC 6238 Appendix B: secret "12345678901234567890", T = 59 s → 94287082 (8 digits);
        // the 6-digit code is its last six digits.
        let secret = Secret::Raw(b"12345678901234567890".to_vec())
            .to_encoded()
            .to_string();
        assert_eq!(totp_code_at(&secret, 59).as_deref(), Some("287082"));
        assert_eq!(matching_step(&secret, "287082", 59), Some(1));
        assert_eq!(matching_step(&secret, "287082", 59 + 30), Some(1));
        assert_eq!(matching_step(&secret, "287082", 59 + 90), None);
        assert_eq!(matching_step(&secret, "28708", 59), None);
        assert_eq!(matching_step(&secret, "abcdef", 59), None);
    }

    #[test]
    fn secrets_are_random_base32_and_uris_escape() {
        let s = new_secret();
        assert_eq!(s.len(), 32);
        assert_ne!(s, new_secret());
        let u = otpauth_uri("everychild", "jo bloggs", &s);
        assert!(u.starts_with("otpauth://totp/everychild:jo%20bloggs?secret="));
        assert!(qr_svg(&u).is_some_and(|svg| svg.contains("<svg")));
    }
}
