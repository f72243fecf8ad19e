//! Decimal digits of an integer written into a stack buffer, for the hot paths (status
//! resourceVersions, container ids, trace timestamps) that would otherwise go through
//! `core::fmt` and a heap `String` once per pod.

/// The decimal digits of `v` (no sign, no padding), written at the end of `buf`.
pub(crate) fn decimal(mut v: u64, buf: &mut [u8; 20]) -> &[u8] {
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = b'0' + (v % 10) as u8;
        v /= 10;
        if v == 0 {
            break;
        }
    }
    &buf[i..]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_to_string() {
        let mut x: u64 = 7;
        let mut cases = vec![0, 1, 9, 10, 99, 100, u64::MAX, u64::MAX - 1, 10_u64.pow(19)];
        for _ in 0..10_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            cases.push(x >> (x % 64));
        }
        for v in cases {
            let mut buf = [0u8; 20];
            assert_eq!(decimal(v, &mut buf), v.to_string().as_bytes(), "{v}");
        }
    }
}
