//! Share links: the whole session (manifest tabs, seed, and the actions taken with their
//! virtual times) as JSON → DEFLATE → base64url in the URL fragment `#s=…`.
use serde::{Deserialize, Serialize};

/// One thing the user did, at a virtual time (a multiple of the clock step).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Action {
    /// Virtual time, ms.
    pub t: u64,
    /// What: `apply` (payload = YAML text) or `cmd` (payload = terminal line).
    pub k: String,
    /// The YAML or the command line.
    pub p: String,
}

/// An editor tab.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tab {
    /// File name shown on the tab.
    pub name: String,
    /// Its text.
    pub text: String,
}

/// Everything a share link carries.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Session {
    /// Format version.
    pub v: u32,
    /// Simulator seed.
    pub seed: u64,
    /// Editor tabs.
    pub tabs: Vec<Tab>,
    /// Index of the active tab.
    #[serde(default)]
    pub active: usize,
    /// Actions in order.
    pub actions: Vec<Action>,
    /// Virtual time the sharer was at, ms.
    pub now: u64,
}

/// Encode a session as the text after `#s=`.
pub fn encode(s: &Session) -> String {
    let json = serde_json::to_vec(s).unwrap_or_default();
    let packed = miniz_oxide::deflate::compress_to_vec(&json, 9);
    b64url_encode(&packed)
}

/// Decode the text after `#s=`; `None` when it is not a valid link.
pub fn decode(s: &str) -> Option<Session> {
    let packed = b64url_decode(s.trim())?;
    // limit: 4 MiB of JSON, far above any manifest set a person types
    let json = miniz_oxide::inflate::decompress_to_vec_with_limit(&packed, 4 << 20).ok()?;
    serde_json::from_slice(&json).ok()
}

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

fn b64url_encode(data: &[u8]) -> String {
    let mut out = String::with_capacity(data.len().div_ceil(3) * 4);
    for chunk in data.chunks(3) {
        let n = (u32::from(chunk[0]) << 16)
            | (u32::from(*chunk.get(1).unwrap_or(&0)) << 8)
            | u32::from(*chunk.get(2).unwrap_or(&0));
        let chars = chunk.len() + 1;
        for k in 0..chars {
            out.push(char::from(ALPHABET[((n >> (18 - 6 * k)) & 63) as usize]));
        }
    }
    out
}

fn b64url_decode(s: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(s.len() * 3 / 4);
    let mut acc = 0u32;
    let mut bits = 0;
    for c in s.bytes() {
        let v = ALPHABET.iter().position(|&a| a == c)? as u32;
        acc = (acc << 6) | v;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push(((acc >> bits) & 0xff) as u8);
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        let s = Session {
            v: 1,
            seed: 42,
            tabs: vec![Tab {
                name: "a.yaml".into(),
                text: "kind: Pod\nmetadata: {name: ü}\n".into(),
            }],
            active: 0,
            actions: vec![Action {
                t: 1500,
                k: "cmd".into(),
                p: "kubectl get pods".into(),
            }],
            now: 9000,
        };
        let enc = encode(&s);
        assert!(enc
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_'));
        assert_eq!(decode(&enc), Some(s));
        assert_eq!(decode("%%%"), None);
        for n in 0..10 {
            let data: Vec<u8> = (0..n).map(|i: u8| i.wrapping_mul(37)).collect();
            assert_eq!(b64url_decode(&b64url_encode(&data)).unwrap(), data);
        }
    }
}
