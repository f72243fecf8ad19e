//! `IntOrString` (`intstr.IntOrString`): fields such as `maxSurge` and `targetPort` take either a
//! number or a string (`25%`, a named port). Untagged on the wire, like upstream JSON.
use serde::{de, Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// A number or a string, as the wire format allows for `maxSurge`, `targetPort`, probe ports.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum IntOrString {
    /// A plain integer (`8080`, `1`).
    Int(i32),
    /// A string (`"25%"`, `"http"`).
    String(String),
}

impl Default for IntOrString {
    /// `0`, the zero value upstream.
    fn default() -> Self {
        IntOrString::Int(0)
    }
}

impl IntOrString {
    /// Resolve a percentage or an absolute value against `total`, as upstream
    /// `intstr.GetScaledValueFromIntOrPercent` does: `round_up` picks ceiling (maxSurge) or
    /// floor (maxUnavailable). None when the string is not `<digits>%`.
    pub fn scaled_value(&self, total: i32, round_up: bool) -> Option<i32> {
        match self {
            IntOrString::Int(v) => Some(*v),
            IntOrString::String(s) => {
                let pct: i64 = parse_percent(s)?;
                let num = pct * i64::from(total);
                let v = if round_up {
                    (num + 99) / 100
                } else {
                    num / 100
                };
                i32::try_from(v).ok()
            }
        }
    }
}

/// `"25%"` → Some(25); anything that is not digits followed by `%` → None.
pub fn parse_percent(s: &str) -> Option<i64> {
    let digits = s.strip_suffix('%')?;
    if digits.is_empty() || digits.len() > 10 || !digits.bytes().all(|c| c.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

impl fmt::Display for IntOrString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            IntOrString::Int(v) => write!(f, "{v}"),
            IntOrString::String(s) => f.write_str(s),
        }
    }
}

impl Serialize for IntOrString {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            IntOrString::Int(v) => s.serialize_i32(*v),
            IntOrString::String(v) => s.serialize_str(v),
        }
    }
}

impl<'de> Deserialize<'de> for IntOrString {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(IntOrStringVisitor)
    }
}

struct IntOrStringVisitor;

impl de::Visitor<'_> for IntOrStringVisitor {
    type Value = IntOrString;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an integer or a string")
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<IntOrString, E> {
        i32::try_from(v)
            .map(IntOrString::Int)
            .map_err(|_| E::custom(format!("{v} does not fit in int32")))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<IntOrString, E> {
        i32::try_from(v)
            .map(IntOrString::Int)
            .map_err(|_| E::custom(format!("{v} does not fit in int32")))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<IntOrString, E> {
        Ok(IntOrString::String(v.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scales_percentages_like_upstream() {
        let p = IntOrString::String("25%".into());
        assert_eq!(p.scaled_value(10, true), Some(3));
        assert_eq!(p.scaled_value(10, false), Some(2));
        assert_eq!(IntOrString::Int(2).scaled_value(10, true), Some(2));
        assert_eq!(
            IntOrString::String("25".into()).scaled_value(10, true),
            None
        );
    }
}
