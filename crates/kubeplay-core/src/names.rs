//! Generated names and UIDs, drawn from the sim's seeded streams.
//!
//! Upstream `generateName` appends `utilrand.String(5)` — five characters of the safe alphabet
//! (no vowels, no look-alikes) — so pods look like `hello-world-deployment-7c9f8d6b5-x2k4q`.
//! UIDs are RFC 4122 version-4 shaped strings. Both come from their own [`Stream`] so that adding
//! objects of one kind never changes the names of another.
use crate::hash::SAFE_ALPHABET;
use crate::rng::{SimRng, Stream};

/// Length of a `generateName` suffix (`utilrand.String(5)` in the apiserver's name generator).
pub const SUFFIX_LEN: usize = 5;

/// `<prefix><5 random safe characters>`; the prefix normally ends in `-`.
pub fn generate_name(rng: &mut SimRng, prefix: &str) -> String {
    let mut s = String::with_capacity(prefix.len() + SUFFIX_LEN);
    s.push_str(prefix);
    for _ in 0..SUFFIX_LEN {
        let i = rng.below(Stream::Names, SAFE_ALPHABET.len() as u64) as usize;
        s.push(SAFE_ALPHABET[i] as char);
    }
    s
}

/// A UUIDv4-shaped uid (`8-4-4-4-12` lowercase hex).
pub fn uid(rng: &mut SimRng) -> String {
    let hi = rng.below(Stream::Uids, u64::MAX);
    let lo = rng.below(Stream::Uids, u64::MAX);
    let hi = (hi & 0xffff_ffff_ffff_0fff) | 0x4000; // version 4
    let lo = (lo & 0x3fff_ffff_ffff_ffff) | 0x8000_0000_0000_0000; // variant 10

    // Hex digits written straight into a buffer of the final size: `format!` with padded hex
    // arguments cost some 2,000 instructions and four allocations per uid (one per pod).
    let mut s = String::with_capacity(UID_LEN);
    push_hex(&mut s, hi >> 32, 8);
    s.push('-');
    push_hex(&mut s, (hi >> 16) & 0xffff, 4);
    s.push('-');
    push_hex(&mut s, hi & 0xffff, 4);
    s.push('-');
    push_hex(&mut s, lo >> 48, 4);
    s.push('-');
    push_hex(&mut s, lo & 0xffff_ffff_ffff, 12);
    s
}

/// The low `digits` hex digits of `v`, lowercase and zero-padded (`{:0digits$x}` for a `v`
/// that fits).
fn push_hex(s: &mut String, v: u64, digits: u32) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    for i in (0..digits).rev() {
        s.push(char::from(HEX[((v >> (4 * i)) & 0xf) as usize]));
    }
}

/// Length of a uid: `8-4-4-4-12` hex digits.
const UID_LEN: usize = 36;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_uids_have_upstream_shape() {
        let mut rng = SimRng::new(1);
        let n = generate_name(&mut rng, "web-7c9f8d6b5-");
        assert_eq!(n.len(), "web-7c9f8d6b5-".len() + 5);
        assert!(n[14..].bytes().all(|b| SAFE_ALPHABET.contains(&b)));
        let u = uid(&mut rng);
        assert_eq!(u.len(), 36);
        assert_eq!(u.capacity(), UID_LEN);
        assert_eq!(&u[14..15], "4");
        assert_eq!(u.matches('-').count(), 4);
    }

    /// The hand-written hex matches `format!`'s padded lowercase hex.
    #[test]
    fn push_hex_matches_format() {
        let mut x: u64 = 99;
        for _ in 0..2_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            for (v, d) in [
                (x >> 32, 8),
                (x & 0xffff, 4),
                (x & 0xffff_ffff_ffff, 12),
                (0, 4),
            ] {
                let mut s = String::new();
                push_hex(&mut s, v, d);
                assert_eq!(s, format!("{v:0w$x}", w = d as usize));
            }
        }
    }
}
