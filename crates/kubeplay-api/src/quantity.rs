//! Kubernetes resource quantities (`500m`, `0.5`, `128Mi`, `1e3`, `1.5Gi`) parsed exactly the way
//! `k8s.io/apimachinery/pkg/api/resource` does, into integers: milli-units for CPU and whole units
//! (bytes) for memory. Decimal arithmetic only, rounding up like `Quantity.MilliValue()`/`Value()`,
//! so no float ever decides anything. The original text is kept because that is what the user
//! wrote and what `kubectl get -o yaml` echoes back for a canonical input.
use serde::{de, Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// The regex upstream quotes when a quantity does not parse (`resource.ErrFormatWrong`).
pub const QUANTITY_FORMAT_MESSAGE: &str =
    "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";

/// A parsed resource quantity. Equality compares the parsed value, not the spelling.
#[derive(Debug, Clone)]
pub struct Quantity {
    /// The text exactly as written (`"0.5"`, `"128Mi"`).
    original: String,
    /// Value × 1000, rounded away from zero, saturating at the i64 range.
    milli: i64,
}

/// Why a string is not a quantity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuantityError {
    /// The offending text.
    pub text: String,
}

impl fmt::Display for QuantityError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(QUANTITY_FORMAT_MESSAGE)
    }
}

impl std::error::Error for QuantityError {}

impl Quantity {
    /// Parse a quantity the way the API server does (`resource.ParseQuantity`).
    pub fn parse(text: &str) -> Result<Quantity, QuantityError> {
        let err = || QuantityError {
            text: text.to_string(),
        };
        let parts = split(text).ok_or_else(err)?;
        let milli = parts.scaled(3);
        Ok(Quantity {
            original: text.to_string(),
            milli,
        })
    }

    /// Build a quantity from milli-units (`1500` → `"1500m"`, `2000` → `"2"`).
    pub fn from_milli(milli: i64) -> Quantity {
        let original = if milli % 1000 == 0 {
            (milli / 1000).to_string()
        } else {
            format!("{milli}m")
        };
        Quantity { original, milli }
    }

    /// Build a quantity from whole units, e.g. bytes (`1024` → `"1024"`).
    pub fn from_units(units: i64) -> Quantity {
        Quantity {
            original: units.to_string(),
            milli: units.saturating_mul(1000),
        }
    }

    /// The text as written.
    pub fn as_str(&self) -> &str {
        &self.original
    }

    /// Value in milli-units (CPU: milli-cores), rounded up like `MilliValue()`.
    pub fn milli_value(&self) -> i64 {
        self.milli
    }

    /// Value in whole units (memory: bytes), rounded up like `Value()`.
    pub fn value(&self) -> i64 {
        let whole = self.milli / 1000;
        let rest = self.milli % 1000;
        whole + rest.signum()
    }

    /// True when the value is below zero.
    pub fn is_negative(&self) -> bool {
        self.milli < 0
    }

    /// The API server's canonical spelling (`Quantity.String()`): `0.5` → `500m`, `1000` → `1k`,
    /// `1.5Gi` → `1536Mi`, `1e3` → `1e3`. The suffix family of the input (binary, decimal,
    /// exponent) is kept, as upstream does. Falls back to the original text when the value does
    /// not fit exact 128-bit arithmetic.
    pub fn canonical(&self) -> String {
        split(&self.original)
            .and_then(|p| p.canonical())
            .unwrap_or_else(|| self.original.clone())
    }
}

impl PartialEq for Quantity {
    fn eq(&self, other: &Self) -> bool {
        self.milli == other.milli
    }
}

impl Eq for Quantity {}

impl fmt::Display for Quantity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.original)
    }
}

impl Serialize for Quantity {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.original)
    }
}

impl<'de> Deserialize<'de> for Quantity {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        // Ask for the scalar's text whatever its YAML type: `0.5` must not go through a float.
        d.deserialize_newtype_struct(crate::yaml::de::SCALAR_TEXT_TOKEN, QuantityVisitor)
    }
}

struct QuantityVisitor;

impl<'de> de::Visitor<'de> for QuantityVisitor {
    type Value = Quantity;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a quantity such as \"500m\" or \"128Mi\"")
    }

    fn visit_newtype_struct<D: Deserializer<'de>>(self, d: D) -> Result<Quantity, D::Error> {
        d.deserialize_any(self)
    }

    /// `cpu: null` (or an empty value) is a zero quantity, as upstream's UnmarshalJSON has it.
    fn visit_unit<E: de::Error>(self) -> Result<Quantity, E> {
        Ok(Quantity::from_units(0))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Quantity, E> {
        Quantity::parse(v).map_err(E::custom)
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Quantity, E> {
        Ok(Quantity {
            original: v.to_string(),
            milli: v.saturating_mul(1000),
        })
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Quantity, E> {
        self.visit_str(&v.to_string())
    }

    // Floats only arrive from generic deserializers (serde_json); our YAML reader hands plain
    // numbers over as text through `visit_str`, so the exact decimal value is preserved.
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Quantity, E> {
        self.visit_str(&v.to_string())
    }
}

/// A quantity split into sign, digits, decimal exponent and binary (1024^n) exponent.
struct Parts {
    negative: bool,
    /// All significant digits without the decimal point (at most 38, the rest truncated).
    digits: i128,
    /// True when digits were truncated (then the true magnitude is slightly larger).
    inexact: bool,
    /// Power of ten to apply to `digits`.
    exp10: i32,
    /// Power of 1024 to apply.
    exp1024: u32,
    /// Suffix family, for the canonical spelling.
    format: Format,
}

impl Parts {
    /// `value × 10^extra10`, rounded away from zero, saturated to i64.
    fn scaled(&self, extra10: i32) -> i64 {
        let mut n = self.digits;
        for _ in 0..self.exp1024 {
            n = n.saturating_mul(1024);
        }
        let e = self.exp10.saturating_add(extra10);
        let magnitude = if e >= 0 {
            let mut v = n;
            for _ in 0..e.min(40) {
                v = v.saturating_mul(10);
            }
            v
        } else {
            let mut v = n;
            let mut dropped = self.inexact;
            for _ in 0..(-e).min(40) {
                if v % 10 != 0 {
                    dropped = true;
                }
                v /= 10;
            }
            if (-e) > 40 && n != 0 {
                dropped = true;
                v = 0;
            }
            v + i128::from(dropped)
        };
        let magnitude = i64::try_from(magnitude).unwrap_or(i64::MAX);
        if self.negative {
            -magnitude
        } else {
            magnitude
        }
    }
}

/// Which suffix family a quantity was written in (upstream `Format`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    BinarySi,
    DecimalSi,
    DecimalExponent,
}

impl Parts {
    /// Exact decimal `(mantissa, exponent)` with trailing zeros removed; None on overflow.
    fn exact(&self) -> Option<(i128, i32)> {
        let mut m = self.digits;
        for _ in 0..self.exp1024 {
            m = m.checked_mul(1024)?;
        }
        let mut e = self.exp10;
        if m == 0 {
            return Some((0, 0));
        }
        while m % 10 == 0 {
            m /= 10;
            e += 1;
        }
        Some((if self.negative { -m } else { m }, e))
    }

    fn canonical(&self) -> Option<String> {
        if self.inexact {
            return None;
        }
        let (m, e) = self.exact()?;
        if m == 0 {
            return Some("0".into());
        }
        if self.format == Format::BinarySi && e >= 0 {
            let mut v = m.checked_mul(10i128.checked_pow(u32::try_from(e).ok()?)?)?;
            if v.abs() >= 1024 {
                let mut k = 0;
                while k < 6 && v % 1024 == 0 {
                    v /= 1024;
                    k += 1;
                }
                let suffix = ["", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"][k];
                return Some(format!("{v}{suffix}"));
            }
        }
        // A multiple of three for the exponent, moving the rest into the mantissa.
        let r = e.rem_euclid(3);
        let m = m.checked_mul(10i128.pow(r.unsigned_abs()))?;
        let e = e - r;
        if self.format == Format::DecimalExponent {
            return Some(if e == 0 {
                m.to_string()
            } else {
                format!("{m}e{e}")
            });
        }
        let suffix = match e {
            -9 => "n",
            -6 => "u",
            -3 => "m",
            0 => "",
            3 => "k",
            6 => "M",
            9 => "G",
            12 => "T",
            15 => "P",
            18 => "E",
            _ => return Some(format!("{m}e{e}")),
        };
        Some(format!("{m}{suffix}"))
    }
}

/// Split per upstream `parseQuantityString`: `[+-]?digits[.digits]` then a suffix that is a
/// binary SI unit, a decimal SI unit, or `e`/`E` + signed integer. Returns None on bad format.
fn split(text: &str) -> Option<Parts> {
    let b = text.as_bytes();
    let mut i = 0;
    let mut negative = false;
    if let Some(&c) = b.first() {
        if c == b'+' || c == b'-' {
            negative = c == b'-';
            i = 1;
        }
    }
    let mut digits: i128 = 0;
    let mut count = 0usize;
    let mut inexact = false;
    let mut frac_len: i32 = 0;
    let mut seen_point = false;
    let mut any_digit = false;
    while i < b.len() {
        let c = b[i];
        if c.is_ascii_digit() {
            any_digit = true;
            if digits == 0 && c == b'0' && !seen_point {
                // leading zero of the integer part: no information
            } else if count < 36 {
                digits = digits * 10 + i128::from(c - b'0');
                count += if digits == 0 { 0 } else { 1 };
                if seen_point {
                    frac_len += 1;
                }
            } else {
                if c != b'0' {
                    inexact = true;
                }
                if !seen_point {
                    frac_len -= 1; // integer digit dropped: scale up instead
                }
            }
        } else if c == b'.' && !seen_point {
            seen_point = true;
        } else {
            break;
        }
        i += 1;
    }
    if !any_digit {
        return None;
    }
    let suffix = &text[i..];
    let format = match suffix.as_bytes().first() {
        Some(b'e' | b'E') => Format::DecimalExponent,
        _ if suffix.ends_with('i') => Format::BinarySi,
        _ => Format::DecimalSi,
    };
    let (exp10, exp1024) = match suffix {
        "" => (0, 0),
        "Ki" => (0, 1),
        "Mi" => (0, 2),
        "Gi" => (0, 3),
        "Ti" => (0, 4),
        "Pi" => (0, 5),
        "Ei" => (0, 6),
        "n" => (-9, 0),
        "u" => (-6, 0),
        "m" => (-3, 0),
        "k" => (3, 0),
        "M" => (6, 0),
        "G" => (9, 0),
        "T" => (12, 0),
        "P" => (15, 0),
        "E" => (18, 0),
        _ => (exponent(suffix)?, 0),
    };
    Some(Parts {
        negative,
        digits,
        inexact,
        exp10: exp10 - frac_len,
        exp1024,
        format,
    })
}

/// `e3`, `E-2`, `e+5` → the exponent; anything else is a format error.
fn exponent(suffix: &str) -> Option<i32> {
    let rest = suffix.strip_prefix(['e', 'E'])?;
    let (neg, num) = match rest.as_bytes().first() {
        Some(b'-') => (true, &rest[1..]),
        Some(b'+') => (false, &rest[1..]),
        _ => (false, rest),
    };
    if num.is_empty() || !num.bytes().all(|c| c.is_ascii_digit()) || num.len() > 4 {
        return None;
    }
    let v: i32 = num.parse().ok()?;
    Some(if neg { -v } else { v })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn milli(s: &str) -> i64 {
        Quantity::parse(s)
            .map(|q| q.milli_value())
            .unwrap_or(i64::MIN)
    }

    fn units(s: &str) -> i64 {
        Quantity::parse(s).map(|q| q.value()).unwrap_or(i64::MIN)
    }

    #[test]
    fn parses_cpu_forms_into_millis() {
        assert_eq!(milli("500m"), 500);
        assert_eq!(milli("0.5"), 500);
        assert_eq!(milli("2"), 2000);
        assert_eq!(milli("1e3"), 1_000_000);
        assert_eq!(milli(".5"), 500);
        assert_eq!(milli("100u"), 1, "sub-milli values round up");
        assert_eq!(milli("0"), 0);
        assert_eq!(milli("+1"), 1000);
        assert_eq!(milli("-1"), -1000);
        assert_eq!(milli("1.0001"), 1001);
    }

    #[test]
    fn parses_memory_forms_into_bytes() {
        assert_eq!(units("128Mi"), 128 * 1024 * 1024);
        assert_eq!(units("1G"), 1_000_000_000);
        assert_eq!(units("1.5Gi"), 1_610_612_736);
        assert_eq!(units("1Ki"), 1024);
        assert_eq!(units("1k"), 1000);
        assert_eq!(units("129e6"), 129_000_000);
        assert_eq!(units("0.5"), 1, "Value() rounds up");
    }

    #[test]
    fn rejects_bad_formats() {
        for s in [
            "", "abc", "1 Mi", "1mi", "1KB", "Mi", "1e", "1.2.3", "--1", "1e99999",
        ] {
            assert!(Quantity::parse(s).is_err(), "{s:?} should be rejected");
        }
        let e = Quantity::parse("1KB").err().map(|e| e.to_string());
        assert_eq!(e.as_deref(), Some(QUANTITY_FORMAT_MESSAGE));
    }

    #[test]
    fn saturates_instead_of_overflowing() {
        assert_eq!(
            milli("999999999999999999999999999999999999999999Ei"),
            i64::MAX
        );
        assert_eq!(milli("1e-9999"), 1);
    }

    #[test]
    fn canonical_spelling_matches_upstream() {
        let c = |s: &str| {
            Quantity::parse(s)
                .map(|q| q.canonical())
                .unwrap_or_default()
        };
        assert_eq!(c("0.5"), "500m");
        assert_eq!(c("500m"), "500m");
        assert_eq!(c("1000"), "1k");
        assert_eq!(c("1500"), "1500");
        assert_eq!(c("2"), "2");
        assert_eq!(c("1.5Gi"), "1536Mi");
        assert_eq!(c("128Mi"), "128Mi");
        assert_eq!(c("1024Ki"), "1Mi");
        assert_eq!(c("0.5Ki"), "512");
        assert_eq!(c("1e3"), "1e3");
        assert_eq!(c("129e6"), "129e6");
        assert_eq!(c("1G"), "1G");
        assert_eq!(c("0"), "0");
        assert_eq!(c("100u"), "100u");
        assert_eq!(c("-1"), "-1");
    }

    #[test]
    fn equality_is_by_value() {
        assert_eq!(Quantity::parse("0.5").ok(), Quantity::parse("500m").ok());
        assert_eq!(Quantity::from_milli(1500).as_str(), "1500m");
        assert_eq!(Quantity::from_milli(2000).as_str(), "2");
    }
}
