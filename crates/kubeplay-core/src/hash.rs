//! Platform-stable hashes: FNV-1a (32 and 64 bit) and Kubernetes' safe name encoding.
//!
//! Upstream's pod-template-hash is FNV-32a over Go's deep-printed template, which we cannot
//! reproduce portably (semantics doc §4.5, §10.3). We hash the canonical JSON of the template
//! instead: serde field order is fixed by the struct definitions and maps are BTreeMaps, so the
//! bytes, and therefore the hash, are identical natively and in wasm32.

const FNV64_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
const FNV64_PRIME: u64 = 0x0000_0100_0000_01b3;

/// Incremental FNV-1a 64, used for the trace hash.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fnv64(pub u64);

impl Default for Fnv64 {
    fn default() -> Self {
        Fnv64(FNV64_OFFSET)
    }
}

impl Fnv64 {
    /// Feed bytes.
    pub fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 ^= u64::from(*b);
            self.0 = self.0.wrapping_mul(FNV64_PRIME);
        }
    }
}

/// FNV-1a 64 of a byte string.
pub fn fnv1a64(bytes: &[u8]) -> u64 {
    let mut h = Fnv64::default();
    h.write(bytes);
    h.0
}

/// FNV-1a 32 of a byte string (what upstream's `ComputeHash` uses).
pub fn fnv1a32(bytes: &[u8]) -> u32 {
    let mut h: u32 = 0x811c_9dc5;
    for b in bytes {
        h ^= u32::from(*b);
        h = h.wrapping_mul(0x0100_0193);
    }
    h
}

/// `rand.SafeEncodeString` alphabet from apimachinery: no vowels (no words) and no
/// look-alikes (0/o, 1/l).
pub const SAFE_ALPHABET: &[u8; 27] = b"bcdfghjklmnpqrstvwxz2456789";

/// `rand.SafeEncodeString(fmt.Sprint(hash))` as upstream's `ComputePodTemplateHash` does:
/// each character of the decimal rendering is mapped to `alphanums[rune % 27]`.
pub fn safe_encode_u32(v: u32) -> String {
    v.to_string()
        .bytes()
        .map(|d| SAFE_ALPHABET[usize::from(d) % SAFE_ALPHABET.len()] as char)
        .collect()
}

/// The `pod-template-hash` label value for a canonical template rendering plus the
/// Deployment's `collisionCount` (as `ComputeHash` appends it).
pub fn pod_template_hash(canonical_template: &str, collision_count: u32) -> String {
    let mut bytes = canonical_template.as_bytes().to_vec();
    if collision_count > 0 {
        bytes.extend_from_slice(collision_count.to_string().as_bytes());
    }
    safe_encode_u32(fnv1a32(&bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Reference vectors of FNV-1a (Landon Curt Noll's test suite).
    #[test]
    fn fnv_reference_vectors() {
        assert_eq!(fnv1a64(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a64(b"a"), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(fnv1a32(b"a"), 0xe40c_292c);
    }

    #[test]
    fn template_hash_is_safe_encoded_digits() {
        let h = pod_template_hash("{}", 0);
        assert!(h.bytes().all(|b| SAFE_ALPHABET.contains(&b)));
        assert_ne!(h, pod_template_hash("{}", 1));
        assert_eq!(safe_encode_u32(1234567890), "56789bcdf4");
    }
}
