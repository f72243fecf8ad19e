//! Resource quantities as kubectl reads and prints them (`500m`, `1`, `128Mi`, `4Gi`).
//!
//! Only what describe and top need: parse cpu to millicores and memory to bytes, and print
//! bytes the way `resource.Quantity` canonicalises binary-SI values (`128Mi`, `3843592Ki`).
use serde_json::Value;

fn parse_number(s: &str) -> Option<f64> {
    s.trim().parse::<f64>().ok()
}

/// CPU in millicores from `"500m"`, `"2"`, `2`, `"0.5"`; 0 when absent or unreadable.
pub fn cpu_millis(v: Option<&Value>) -> i64 {
    let text = match v {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        _ => return 0,
    };
    let value = if let Some(m) = text.strip_suffix('m') {
        parse_number(m).unwrap_or(0.0)
    } else {
        parse_number(&text).unwrap_or(0.0) * 1000.0
    };
    #[allow(clippy::cast_possible_truncation)]
    let out = value.round() as i64;
    out
}

/// Memory in bytes from `"128Mi"`, `"1G"`, `"1024"`; 0 when absent or unreadable.
pub fn bytes(v: Option<&Value>) -> i64 {
    let text = match v {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        _ => return 0,
    };
    const SUFFIXES: &[(&str, f64)] = &[
        ("Ki", 1024.0),
        ("Mi", 1_048_576.0),
        ("Gi", 1_073_741_824.0),
        ("Ti", 1_099_511_627_776.0),
        ("k", 1e3),
        ("M", 1e6),
        ("G", 1e9),
        ("T", 1e12),
        ("m", 1e-3),
    ];
    for (suf, mul) in SUFFIXES {
        if let Some(n) = text.strip_suffix(suf) {
            #[allow(clippy::cast_possible_truncation)]
            return (parse_number(n).unwrap_or(0.0) * mul).round() as i64;
        }
    }
    #[allow(clippy::cast_possible_truncation)]
    let out = parse_number(&text).unwrap_or(0.0).round() as i64;
    out
}

/// Bytes in the largest binary suffix that divides them exactly (`134217728` → `128Mi`).
pub fn format_bytes(b: i64) -> String {
    if b == 0 {
        return "0".into();
    }
    for (suf, mul) in [
        ("Ti", 1i64 << 40),
        ("Gi", 1 << 30),
        ("Mi", 1 << 20),
        ("Ki", 1 << 10),
    ] {
        if b % mul == 0 {
            return format!("{}{suf}", b / mul);
        }
    }
    b.to_string()
}

/// Bytes rounded down to whole Mi, as `kubectl top` prints memory (`123Mi`).
pub fn format_mi(b: i64) -> String {
    format!("{}Mi", b / (1 << 20))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn quantities() {
        assert_eq!(cpu_millis(Some(&json!("500m"))), 500);
        assert_eq!(cpu_millis(Some(&json!("2"))), 2000);
        assert_eq!(cpu_millis(Some(&json!(1))), 1000);
        assert_eq!(bytes(Some(&json!("128Mi"))), 134_217_728);
        assert_eq!(format_bytes(134_217_728), "128Mi");
        assert_eq!(format_bytes(1000), "1000");
        assert_eq!(bytes(None), 0);
    }
}
