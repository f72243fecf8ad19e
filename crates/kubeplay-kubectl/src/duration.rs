//! Durations and timestamps as kubectl reads and prints them.
//!
//! Parsing follows Go's `time.ParseDuration` (what `--timeout`, `--grace-period`-style flags
//! and our `sleep` accept); printing follows apimachinery's `duration.HumanDuration`, the rule
//! behind every AGE column (`5s`, `2m30s`, `3h`, `4d1h`). Timestamps are RFC 3339 in UTC, the
//! form the API server writes into `creationTimestamp`.

/// Parse a Go-style duration (`500ms`, `30s`, `5m`, `1h30m`, `1.5s`) into milliseconds.
/// `0` alone is accepted, as Go does. Sub-millisecond units round down.
pub fn parse_duration_ms(s: &str) -> Option<u64> {
    if s == "0" {
        return Some(0);
    }
    let mut rest = s;
    let mut total: f64 = 0.0;
    if rest.is_empty() {
        return None;
    }
    while !rest.is_empty() {
        let num_len = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        if num_len == 0 {
            return None;
        }
        let num: f64 = rest[..num_len].parse().ok()?;
        rest = &rest[num_len..];
        let unit_len = rest
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(rest.len());
        let unit = &rest[..unit_len];
        rest = &rest[unit_len..];
        let factor = match unit {
            "ns" => 1e-6,
            "us" | "µs" => 1e-3,
            "ms" => 1.0,
            "s" => 1_000.0,
            "m" => 60_000.0,
            "h" => 3_600_000.0,
            _ => return None,
        };
        total += num * factor;
    }
    if !(0.0..=1e15).contains(&total) {
        return None;
    }
    // Truncation is the documented behaviour: below 1 ms rounds down.
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    Some(total as u64)
}

/// Go's `time.Duration.String()` for whole milliseconds: `1m30s`, `500ms`, `0s`, `1h0m0s`.
/// One implementation serves the kubelet's event texts and kubectl's output.
pub fn go_duration_string(ms: u64) -> String {
    kubeplay_core::clock::go_duration(ms)
}

/// apimachinery `duration.HumanDuration`: the AGE column's format.
pub fn human_duration(ms: i64) -> String {
    let seconds = ms.div_euclid(1000);
    if seconds < -1 {
        return "<invalid>".to_string();
    }
    if seconds < 0 {
        return "0s".to_string();
    }
    if seconds < 60 * 2 {
        return format!("{seconds}s");
    }
    let minutes = seconds / 60;
    if minutes < 10 {
        let s = seconds % 60;
        return if s == 0 {
            format!("{minutes}m")
        } else {
            format!("{minutes}m{s}s")
        };
    }
    if minutes < 60 * 3 {
        return format!("{minutes}m");
    }
    let hours = minutes / 60;
    if hours < 8 {
        let m = minutes % 60;
        return if m == 0 {
            format!("{hours}h")
        } else {
            format!("{hours}h{m}m")
        };
    }
    if hours < 48 {
        return format!("{hours}h");
    }
    if hours < 24 * 8 {
        let h = hours % 24;
        return if h == 0 {
            format!("{}d", hours / 24)
        } else {
            format!("{}d{h}h", hours / 24)
        };
    }
    if hours < 24 * 365 * 2 {
        return format!("{}d", hours / 24);
    }
    if hours < 24 * 365 * 8 {
        let dy = (hours / 24) % 365;
        return if dy == 0 {
            format!("{}y", hours / 24 / 365)
        } else {
            format!("{}y{dy}d", hours / 24 / 365)
        };
    }
    format!("{}y", hours / 24 / 365)
}

/// Days since 1970-01-01 for a civil date (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// Parse `2026-01-01T00:00:05Z` (optionally with fractional seconds) into Unix milliseconds.
pub fn parse_rfc3339_ms(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    if b.len() < 20 || b[4] != b'-' || b[7] != b'-' || b[10] != b'T' || b[13] != b':' {
        return None;
    }
    let n = |r: std::ops::Range<usize>| s.get(r)?.parse::<i64>().ok();
    let (y, mo, d, h, mi, se) = (
        n(0..4)?,
        n(5..7)?,
        n(8..10)?,
        n(11..13)?,
        n(14..16)?,
        n(17..19)?,
    );
    let mut ms = 0;
    let mut rest = s.get(19..)?;
    if let Some(frac) = rest.strip_prefix('.') {
        let digits = frac
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(frac.len());
        let f = &frac[..digits];
        let f3: String = f.chars().chain("000".chars()).take(3).collect();
        ms = f3.parse::<i64>().ok()?;
        rest = &frac[digits..];
    }
    if rest != "Z" {
        return None;
    }
    Some(((days_from_civil(y, mo, d) * 24 + h) * 60 + mi) * 60_000 + se * 1000 + ms)
}

/// Unix milliseconds → `2026-01-01T00:00:05Z` (seconds precision, as metav1.Time marshals).
pub fn format_rfc3339(ms: i64) -> String {
    let secs = ms.div_euclid(1000);
    let (y, m, d) = civil_from_days(secs.div_euclid(86_400));
    let sod = secs.rem_euclid(86_400);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        sod / 3600,
        (sod / 60) % 60,
        sod % 60
    )
}

/// Unix milliseconds → RFC 1123 with numeric zone, as `kubectl describe` prints times:
/// `Thu, 01 Jan 2026 00:00:05 +0000`.
pub fn format_rfc1123z(ms: i64) -> String {
    let secs = ms.div_euclid(1000);
    let days = secs.div_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    let sod = secs.rem_euclid(86_400);
    const WD: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
    const MO: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    #[allow(clippy::cast_sign_loss, clippy::cast_possible_truncation)]
    let (wd, mo) = (
        WD[days.rem_euclid(7) as usize],
        MO[(m - 1).clamp(0, 11) as usize],
    );
    format!(
        "{wd}, {d:02} {mo} {y:04} {:02}:{:02}:{:02} +0000",
        sod / 3600,
        (sod / 60) % 60,
        sod % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_go_durations() {
        assert_eq!(parse_duration_ms("500ms"), Some(500));
        assert_eq!(parse_duration_ms("30s"), Some(30_000));
        assert_eq!(parse_duration_ms("5m"), Some(300_000));
        assert_eq!(parse_duration_ms("1h30m"), Some(5_400_000));
        assert_eq!(parse_duration_ms("1.5s"), Some(1_500));
        assert_eq!(parse_duration_ms("0"), Some(0));
        assert_eq!(parse_duration_ms("5"), None);
        assert_eq!(parse_duration_ms("s"), None);
        assert_eq!(parse_duration_ms(""), None);
        assert_eq!(parse_duration_ms("-1s"), None);
    }

    #[test]
    fn human_duration_matches_apimachinery() {
        // Cases from apimachinery's duration_test.go (TestHumanDuration).
        let s = 1000;
        let m = 60 * s;
        let h = 60 * m;
        let d = 24 * h;
        for (ms, want) in [
            (s, "1s"),
            (70 * s, "70s"),
            (190 * s, "3m10s"),
            (70 * m, "70m"),
            (47 * h, "47h"),
            (49 * h, "2d1h"),
            ((8 * 24 + 2) * h, "8d"),
            (367 * d, "367d"),
            ((365 * 2 + 4) * d, "2y4d"),
            ((365 * 8 + 10) * d, "8y"),
            (2 * m, "2m"),
            (2 * m + 30 * s, "2m30s"),
            (10 * m, "10m"),
            (3 * h, "3h"),
            (3 * h + 30 * m, "3h30m"),
            (8 * h, "8h"),
            (-2 * s, "<invalid>"),
            (-s, "0s"),
        ] {
            assert_eq!(human_duration(ms), want, "{ms}");
        }
    }

    #[test]
    fn go_duration_strings() {
        assert_eq!(go_duration_string(0), "0s");
        assert_eq!(go_duration_string(500), "500ms");
        assert_eq!(go_duration_string(90_000), "1m30s");
        assert_eq!(go_duration_string(3_600_000), "1h0m0s");
        assert_eq!(go_duration_string(1_500), "1.5s");
    }

    #[test]
    fn rfc3339_round_trip() {
        let t = parse_rfc3339_ms("2026-01-01T00:00:05Z").unwrap();
        assert_eq!(format_rfc3339(t), "2026-01-01T00:00:05Z");
        assert_eq!(parse_rfc3339_ms("1970-01-01T00:00:00.250Z"), Some(250));
        assert_eq!(format_rfc1123z(0), "Thu, 01 Jan 1970 00:00:00 +0000");
        assert_eq!(format_rfc1123z(t), "Thu, 01 Jan 2026 00:00:05 +0000");
        assert_eq!(parse_rfc3339_ms("garbage"), None);
        assert_eq!(parse_rfc3339_ms("2026-01-01T00:00:0\u{e9}Z"), None);
    }
}
