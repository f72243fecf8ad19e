//! What a plain (unquoted) scalar means. kubectl converts YAML to JSON with go-yaml v2, which
//! follows YAML 1.1: `yes`/`no`/`on`/`off`/`y`/`n` are booleans and `0644` is octal. A learner
//! writing `value: yes` or `version: 1.0` gets a bool or a number where a string is expected,
//! and the API server rejects it; we resolve the same way so we reject the same documents.

/// The type a plain scalar resolves to.
#[derive(Debug, Clone, PartialEq)]
pub enum Resolved {
    /// `~`, `null`, `Null`, `NULL` or empty.
    Null,
    /// YAML 1.1 booleans.
    Bool(bool),
    /// An integer that fits i64 (decimal, `0x`, `0o`/leading-zero octal, `0b`).
    Int(i64),
    /// Any other number (floats, integers too big for i64); the text is kept as written.
    Float,
    /// A string.
    Str,
}

/// Resolve a plain scalar.
pub fn resolve_plain(s: &str) -> Resolved {
    match s {
        "" | "~" | "null" | "Null" | "NULL" => return Resolved::Null,
        "y" | "Y" | "yes" | "Yes" | "YES" | "on" | "On" | "ON" | "true" | "True" | "TRUE" => {
            return Resolved::Bool(true)
        }
        "n" | "N" | "no" | "No" | "NO" | "off" | "Off" | "OFF" | "false" | "False" | "FALSE" => {
            return Resolved::Bool(false)
        }
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" | "-.inf" | "-.Inf" | "-.INF"
        | ".nan" | ".NaN" | ".NAN" => return Resolved::Float,
        _ => {}
    }
    if let Some(v) = parse_int(s) {
        return Resolved::Int(v);
    }
    if is_float(s) {
        return Resolved::Float;
    }
    Resolved::Str
}

/// True when a plain scalar with this text would read back as a string.
pub fn plain_is_string(s: &str) -> bool {
    resolve_plain(s) == Resolved::Str
}

fn parse_int(s: &str) -> Option<i64> {
    let (neg, body) = match s.as_bytes().first()? {
        b'-' => (true, &s[1..]),
        b'+' => (false, &s[1..]),
        _ => (false, s),
    };
    let body: String = body.chars().filter(|&c| c != '_').collect();
    if body.is_empty() {
        return None;
    }
    let (radix, digits) = if let Some(d) = body.strip_prefix("0x") {
        (16, d)
    } else if let Some(d) = body.strip_prefix("0b") {
        (2, d)
    } else if let Some(d) = body.strip_prefix("0o") {
        (8, d)
    } else if body.len() > 1 && body.starts_with('0') {
        (8, &body[1..])
    } else {
        (10, body.as_str())
    };
    if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
        return None;
    }
    // Too large for i64: None here, still a number (`Float`) for the caller.
    i64::from_str_radix(digits, radix)
        .ok()
        .map(|v| if neg { -v } else { v })
}

/// `[-+]?(\.[0-9]+|[0-9][0-9_]*(\.[0-9_]*)?)([eE][-+]?[0-9]+)?`, also all-digit integers too
/// large for i64.
fn is_float(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = usize::from(matches!(b.first(), Some(b'-' | b'+')));
    let start = i;
    let mut int_digits = 0;
    while i < b.len() && (b[i].is_ascii_digit() || (b[i] == b'_' && int_digits > 0)) {
        int_digits += 1;
        i += 1;
    }
    let mut frac_digits = 0;
    if i < b.len() && b[i] == b'.' {
        i += 1;
        while i < b.len() && (b[i].is_ascii_digit() || b[i] == b'_') {
            frac_digits += 1;
            i += 1;
        }
    }
    if int_digits == 0 && frac_digits == 0 {
        return false;
    }
    if i == start {
        return false;
    }
    if i < b.len() && (b[i] == b'e' || b[i] == b'E') {
        i += 1;
        if i < b.len() && (b[i] == b'-' || b[i] == b'+') {
            i += 1;
        }
        let exp_start = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        if i == exp_start {
            return false;
        }
    }
    i == b.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolves_yaml_1_1_like_kubectl() {
        assert_eq!(resolve_plain("yes"), Resolved::Bool(true));
        assert_eq!(resolve_plain("Off"), Resolved::Bool(false));
        assert_eq!(resolve_plain("0644"), Resolved::Int(420));
        assert_eq!(resolve_plain("0x1F"), Resolved::Int(31));
        assert_eq!(resolve_plain("-12"), Resolved::Int(-12));
        assert_eq!(resolve_plain("1.0"), Resolved::Float);
        assert_eq!(resolve_plain("1e3"), Resolved::Float);
        assert_eq!(resolve_plain("99999999999999999999"), Resolved::Float);
        assert_eq!(resolve_plain(""), Resolved::Null);
        for s in [
            "nginx", "1.2.3", "25%", "500m", "128Mi", "v1", "e3", "-", ".", "1e", "0x",
        ] {
            assert_eq!(resolve_plain(s), Resolved::Str, "{s}");
        }
    }
}
