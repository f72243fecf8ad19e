//! Just enough IEEE-754 binary64 arithmetic, in integers, to reproduce Go's float64 evaluation
//! of `balancedResourceScorer` bit for bit: `int64((1 - |p/P - q/Q| / 2) * 100)`.
//!
//! Basic float operations are correctly rounded (round half to even), so each step below is
//! "compute the exact value, round it to 53 significant bits". The exact rational is cheaper
//! and agrees with Go except when it lies within a few ulps above an integer (then Go's
//! rounding may land just below, e.g. cpu 0/1 and memory 17/25 give 65, not 66); the scorer
//! uses this module only for those cases.

/// A finite, non-negative double: `m · 2^e` with `m < 2^53` (normalised unless zero).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Fp {
    m: u64,
    e: i32,
}

const P53: u128 = 1 << 53;

fn bits(x: u128) -> u32 {
    128 - x.leading_zeros()
}

/// Round `num · 2^e` (with `sticky` = some nonzero value was dropped below `num`) to 53 bits.
fn round(num: u128, e: i32, sticky: bool) -> Fp {
    if num == 0 {
        return Fp { m: 0, e: 0 };
    }
    let b = bits(num);
    if b <= 53 {
        let s = 53 - b;
        return Fp {
            m: (num << s) as u64,
            e: e - s as i32,
        };
    }
    let s = b - 53;
    let mut m = num >> s;
    let rem = num & ((1u128 << s) - 1);
    let half = 1u128 << (s - 1);
    let above = rem > half || (rem == half && sticky);
    if above || (rem == half && !sticky && m & 1 == 1) {
        m += 1;
        if m == P53 {
            return Fp {
                m: (m >> 1) as u64,
                e: e + s as i32 + 1,
            };
        }
    }
    Fp {
        m: m as u64,
        e: e + s as i32,
    }
}

/// `float64(a) / float64(b)` for `0 ≤ a < b < 2^53`.
fn div(a: u64, b: u64) -> Fp {
    if a == 0 {
        return Fp { m: 0, e: 0 };
    }
    // Enough quotient bits (≥ 55) that the rest only matters as a sticky bit.
    let k = 55 + bits(u128::from(b)) - bits(u128::from(a));
    let num = u128::from(a) << k;
    let q = num / u128::from(b);
    let r = num % u128::from(b);
    round(q, -(k as i32), r != 0)
}

/// `x − y` for `x ≥ y ≥ 0`.
fn sub(x: Fp, y: Fp) -> Fp {
    if y.m == 0 {
        return x;
    }
    if x.e - y.e > 64 {
        // y is below a quarter ulp of x: x − y rounds back to x.
        return x;
    }
    let e = x.e.min(y.e);
    let xs = u128::from(x.m) << (x.e - e);
    let ys = u128::from(y.m) << (y.e - e);
    round(xs - ys, e, false)
}

fn lt(x: Fp, y: Fp) -> bool {
    if x.m == 0 || y.m == 0 {
        return x.m < y.m;
    }
    (x.e, x.m) < (y.e, y.m)
}

/// Go's `int64((1 - math.Abs((f0-f1)/2)) * 100)` with `f = min(float64(r)/float64(a), 1)`.
pub fn balanced_score_float(p: u64, cap_p: u64, q: u64, cap_q: u64) -> i64 {
    let one = Fp { m: 1 << 52, e: -52 };
    let frac = |r: u64, a: u64| if r >= a { one } else { div(r, a) };
    let (f0, f1) = (frac(p, cap_p), frac(q, cap_q));
    let d = if lt(f0, f1) { sub(f1, f0) } else { sub(f0, f1) };
    let std = if d.m == 0 {
        d
    } else {
        Fp { m: d.m, e: d.e - 1 }
    };
    let t = sub(one, std);
    let s = round(u128::from(t.m) * 100, t.e, false);
    if s.e >= 0 {
        (u128::from(s.m) << s.e) as i64
    } else {
        (u128::from(s.m) >> (-s.e).min(127)) as i64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Rust's f64 operations are IEEE binary64 like Go's float64: the emulation must agree
    /// with them on every input (floats only in this test, never in a decision).
    fn hardware(p: u64, cp: u64, q: u64, cq: u64) -> i64 {
        let f0 = (p as f64 / cp as f64).min(1.0);
        let f1 = (q as f64 / cq as f64).min(1.0);
        ((1.0 - ((f0 - f1) / 2.0).abs()) * 100.0) as i64
    }

    #[test]
    fn matches_ieee_on_small_exhaustive_grid() {
        for cp in 1..=60 {
            for cq in 1..=60 {
                for p in 0..=cp {
                    for q in 0..=cq {
                        assert_eq!(
                            balanced_score_float(p, cp, q, cq),
                            hardware(p, cp, q, cq),
                            "{p}/{cp} {q}/{cq}"
                        );
                    }
                }
            }
        }
        // The known divergence from the exact rational.
        assert_eq!(balanced_score_float(0, 1, 17, 25), 65);
    }

    #[test]
    fn matches_ieee_on_cluster_sized_numbers() {
        use rand::{Rng, SeedableRng};
        let mut r = rand_chacha::ChaCha8Rng::seed_from_u64(3);
        for _ in 0..200_000 {
            let cp = r.random_range(1..200_000u64);
            let cq = r.random_range(1..(1u64 << 44));
            let p = r.random_range(0..cp * 2);
            let q = r.random_range(0..cq * 2);
            assert_eq!(
                balanced_score_float(p, cp, q, cq),
                hardware(p, cp, q, cq),
                "{p}/{cp} {q}/{cq}"
            );
        }
    }
}
