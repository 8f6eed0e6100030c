//! `x-retell-signature`: `v=<unix ms>,d=<hex HMAC-SHA256 of the raw body followed by the
//! timestamp digits>`, keyed with a Retell API key. Parsed strictly (as the hardened SDKs
//! do), the timestamp within five minutes either way (inclusive), compared in constant time.

use hmac::{Hmac, Mac};
use sha2::Sha256;

/// Five minutes, in milliseconds; a difference of exactly this passes.
pub const WINDOW_MS: i64 = 300_000;
/// JavaScript's largest safe integer: larger timestamps are refused, as the SDKs do.
const MAX_SAFE: i64 = 9_007_199_254_740_991;

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    #[error("missing x-retell-signature")]
    Missing,
    #[error("malformed x-retell-signature")]
    Malformed,
    #[error("x-retell-signature timestamp is outside the five-minute window")]
    Stale,
    #[error("x-retell-signature does not match")]
    Mismatch,
}

type HmacSha256 = Hmac<Sha256>;

fn mac(key: &str, body: &[u8], timestamp: i64) -> Option<HmacSha256> {
    let mut mac = HmacSha256::new_from_slice(key.as_bytes()).ok()?;
    mac.update(body);
    mac.update(timestamp.to_string().as_bytes());
    Some(mac)
}

/// The header Retell would send for `body` at `timestamp_ms` (for tests and tools).
pub fn sign(body: &[u8], key: &str, timestamp_ms: i64) -> String {
    let digest = mac(key, body, timestamp_ms)
        .map(|m| {
            m.finalize()
                .into_bytes()
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect::<String>()
        })
        .unwrap_or_default();
    format!("v={timestamp_ms},d={digest}")
}

/// `v=<digits>,d=<64 lowercase hex>` and nothing else.
fn parse(header: &str) -> Option<(i64, [u8; 32])> {
    let rest = header.strip_prefix("v=")?;
    let (digits, hex) = rest.split_once(",d=")?;
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) || digits.len() > 16 {
        return None;
    }
    let timestamp: i64 = digits.parse().ok().filter(|t| *t <= MAX_SAFE)?;
    if hex.len() != 64
        || !hex
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    {
        return None;
    }
    let mut digest = [0u8; 32];
    for (i, byte) in digest.iter_mut().enumerate() {
        *byte = u8::from_str_radix(&hex[i * 2..i * 2 + 2], 16).ok()?;
    }
    Some((timestamp, digest))
}

/// The header's presence, syntax and timestamp window: what can be checked before the body is
/// read, so a request that cannot be genuine costs no memory.
pub fn check_header(header: Option<&str>, now_ms: i64) -> Result<(), SignatureError> {
    fresh(header, now_ms).map(|_| ())
}

fn fresh(header: Option<&str>, now_ms: i64) -> Result<(i64, [u8; 32]), SignatureError> {
    let header = header.ok_or(SignatureError::Missing)?;
    let (timestamp, digest) = parse(header).ok_or(SignatureError::Malformed)?;
    if (now_ms - timestamp).abs() > WINDOW_MS {
        return Err(SignatureError::Stale);
    }
    Ok((timestamp, digest))
}

/// Verifies against each key in turn; returns the index of the key that signed.
pub fn verify(
    header: Option<&str>,
    body: &[u8],
    keys: &[&str],
    now_ms: i64,
) -> Result<usize, SignatureError> {
    let (timestamp, digest) = fresh(header, now_ms)?;
    keys.iter()
        .position(|key| mac(key, body, timestamp).is_some_and(|m| m.verify_slice(&digest).is_ok()))
        .ok_or(SignatureError::Mismatch)
}

#[cfg(test)]
mod tests {
    use super::*;

    const V1: i64 = 1_700_000_000_000;
    const BODY1: &[u8] = br#"{"event":"call_ended"}"#;
    const SIG1: &str =
        "v=1700000000000,d=07024cabe7dd8f6d1c6e4a8324ca92c812e6ad4a7ee506c04f7e462e3321823e";

    #[test]
    fn reference_vectors_verify() {
        assert_eq!(verify(Some(SIG1), BODY1, &["test-api-key"], V1), Ok(0));
        assert_eq!(sign(BODY1, "test-api-key", V1), SIG1);
        let body2 = r#"{"event":"call_started","call":{"call_id":"Jabr9TXYYJHfvl6Syypi88rdAHYHmcq6","agent_id":"oBeDLoLOeuAbiuaMFXRtDOLriTJ5tSxD","retell_llm_dynamic_variables":{"customer_name":"José Núñez"}}}"#;
        let sig2 =
            "v=1714608475945,d=0dd55515076dafc07088167b9edd5d974f0a342a343036a6298e8314c59cca2b";
        assert_eq!(
            verify(
                Some(sig2),
                body2.as_bytes(),
                &["other", "key_0123456789abcdef"],
                1_714_608_475_945
            ),
            Ok(1)
        );
    }

    #[test]
    fn tampering_wrong_keys_and_time_are_refused() {
        let tampered = br#"{"event":"call_ended" }"#;
        assert_eq!(
            verify(Some(SIG1), tampered, &["test-api-key"], V1),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(
            verify(Some(SIG1), BODY1, &["wrong-key"], V1),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(
            verify(Some(SIG1), BODY1, &[], V1),
            Err(SignatureError::Mismatch)
        );
        // Exactly five minutes either way passes; one millisecond more does not.
        for (now, ok) in [
            (V1 + WINDOW_MS, true),
            (V1 - WINDOW_MS, true),
            (V1 + WINDOW_MS + 1, false),
            (V1 - WINDOW_MS - 1, false),
        ] {
            let result = verify(Some(SIG1), BODY1, &["test-api-key"], now);
            assert_eq!(result.is_ok(), ok, "now = v {:+}", now - V1);
            if !ok {
                assert_eq!(result, Err(SignatureError::Stale));
            }
        }
    }

    #[test]
    fn malformed_headers_are_refused() {
        let digest = &SIG1[18..];
        let cases = [
            String::new(),
            "v=".into(),
            format!("d={digest},v={V1}"),
            format!(" {SIG1}"),
            format!("{SIG1} "),
            format!("x{SIG1}"),
            format!("{SIG1},extra=value"),
            format!("v={V1},d={}", &digest[2..]),
            format!("v={V1},d={}zz", &digest[2..]),
            format!("v={V1},d={}", digest.to_uppercase()),
            format!("v=-{V1},d={digest}"),
            format!("v=99999999999999999999,d={digest}"),
            format!("v=9007199254740992,d={digest}"),
            format!("v={V1}"),
        ];
        for header in &cases {
            assert_eq!(
                verify(Some(header), BODY1, &["test-api-key"], V1),
                Err(SignatureError::Malformed),
                "{header:?}"
            );
        }
        assert_eq!(
            verify(None, BODY1, &["test-api-key"], V1),
            Err(SignatureError::Missing)
        );
    }
}
