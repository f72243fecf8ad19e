//! Virtual time: integer milliseconds since the simulation's fixed epoch.
//!
//! The core never reads a wall clock (house style R2). Timestamps shown to users
//! (`creationTimestamp`, event first/last seen) are the virtual clock added to a fixed epoch, so
//! the same seed prints the same dates on every machine, and durations are rendered the way Go's
//! `time.Duration.String` does because kubelet and controller messages embed them.

/// Milliseconds of virtual time since the sim started.
pub type Ms = u64;

/// One second in [`Ms`].
pub const SECOND_MS: Ms = 1_000;
/// One minute in [`Ms`].
pub const MINUTE_MS: Ms = 60 * SECOND_MS;

/// The wall date virtual time 0 maps to: 2026-01-01T00:00:00Z, in Unix seconds.
pub const EPOCH_UNIX_S: u64 = 1_767_225_600;

/// RFC 3339 UTC timestamp (second precision, as the API server serialises `metav1.Time`)
/// for a virtual instant.
pub fn rfc3339(at_ms: Ms) -> String {
    match rfc3339_bytes(at_ms) {
        Some(b) => b.iter().map(|&c| char::from(c)).collect(),
        None => {
            let secs = EPOCH_UNIX_S + at_ms / 1000;
            let (days, rem) = (secs / 86_400, secs % 86_400);
            let (y, m, d) = civil_from_days(days as i64);
            format!(
                "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
                rem / 3600,
                (rem % 3600) / 60,
                rem % 60
            )
        }
    }
}

/// [`rfc3339`] as ASCII bytes on the stack, for years up to 9999 (None past them): status
/// renders compare it with the previous timestamp before writing, so the common unchanged
/// case allocates nothing.
pub fn rfc3339_bytes(at_ms: Ms) -> Option<[u8; 20]> {
    let secs = EPOCH_UNIX_S.checked_add(at_ms / 1000)?;
    let (days, rem) = (secs / 86_400, secs % 86_400);
    let (y, m, d) = civil_from_days(days as i64);
    let y = u64::try_from(y).ok().filter(|y| *y <= 9999)?;
    let mut b = *b"0000-00-00T00:00:00Z";
    let mut two = |at: usize, v: u64| {
        b[at] = b'0' + (v / 10 % 10) as u8;
        b[at + 1] = b'0' + (v % 10) as u8;
    };
    two(0, y / 100);
    two(2, y % 100);
    two(5, u64::from(m));
    two(8, u64::from(d));
    two(11, rem / 3600);
    two(14, (rem % 3600) / 60);
    two(17, rem % 60);
    Some(b)
}

/// [`rfc3339_bytes`] remembered for the last few distinct seconds: a status render writes up to
/// seven timestamps, a flush renders thousands of pods, and nearly all of them fall in the
/// same few virtual seconds.
#[derive(Debug, Default)]
pub struct Rfc3339Memo {
    /// (virtual second + 1, its text); 0 marks an empty entry. Direct-mapped by the second.
    /// The text is kept as a `String` so that a hit hands it out without re-checking UTF-8.
    entries: [(u64, String); 4],
}

impl Rfc3339Memo {
    /// [`rfc3339_bytes`]`(at_ms)` as text.
    pub fn text(&mut self, at_ms: Ms) -> Option<&str> {
        let tag = at_ms / 1000 + 1;
        let e = &mut self.entries[(tag % 4) as usize];
        if e.0 != tag {
            let b = rfc3339_bytes(at_ms)?;
            e.0 = tag;
            e.1.clear();
            e.1.extend(b.iter().map(|&c| char::from(c)));
        }
        Some(&e.1)
    }
}

/// Days since 1970-01-01 → (year, month, day); Howard Hinnant's `civil_from_days`, integer-only.
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// Go's `time.Duration.String()` for whole milliseconds: `10s`, `1m20s`, `5m0s`, `1.5s`, `250ms`.
///
/// Kubelet messages such as `back-off 5m0s restarting failed container=…` embed it, so the
/// text must match upstream byte for byte.
pub fn go_duration(ms: Ms) -> String {
    GoDuration(ms).to_string()
}

/// Displays a duration as [`go_duration`] renders it, without allocating (the kubelet's
/// `Pulled` message embeds one per pod).
pub struct GoDuration(pub Ms);

impl std::fmt::Display for GoDuration {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let ms = self.0;
        if ms == 0 {
            return f.write_str("0s");
        }
        if ms < 1000 {
            return write!(f, "{ms}ms");
        }
        let (h, m) = (ms / 3_600_000, (ms / 60_000) % 60);
        if h > 0 {
            write!(f, "{h}h{m}m")?;
        } else if m > 0 {
            write!(f, "{m}m")?;
        }
        let s_ms = ms % 60_000;
        write!(f, "{}", s_ms / 1000)?;
        let mut frac = s_ms % 1000;
        if frac != 0 {
            // Three digits with the trailing zeros dropped: 500 -> ".5", 250 -> ".25".
            let mut digits = 3;
            while frac.is_multiple_of(10) {
                frac /= 10;
                digits -= 1;
            }
            write!(f, ".{frac:0digits$}")?;
        }
        f.write_str("s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn epoch_renders_as_new_year_2026() {
        assert_eq!(rfc3339(0), "2026-01-01T00:00:00Z");
        assert_eq!(rfc3339(61_500), "2026-01-01T00:01:01Z");
        assert_eq!(rfc3339(59 * 86_400_000), "2026-03-01T00:00:00Z");
    }

    #[test]
    fn rfc3339_memo_matches_the_plain_rendering() {
        let mut memo = Rfc3339Memo::default();
        // Back and forth over many seconds (evictions, revisits), then past year 9999.
        for k in 0..20_000u64 {
            let at = (k * 7_919) % 50_000 * 137 + k % 1_000;
            let plain = rfc3339_bytes(at);
            assert_eq!(
                memo.text(at).map(str::as_bytes),
                plain.as_ref().map(|b| &b[..])
            );
            assert_eq!(memo.text(at), Some(rfc3339(at).as_str()), "{at}");
        }
        for at in [0, 999, 1_000, u64::MAX / 2, u64::MAX] {
            let plain = rfc3339_bytes(at);
            assert_eq!(
                memo.text(at).map(str::as_bytes),
                plain.as_ref().map(|b| &b[..])
            );
            assert_eq!(
                memo.text(at).map(str::as_bytes),
                plain.as_ref().map(|b| &b[..])
            );
        }
    }

    /// The allocating rendering [`GoDuration`] replaced, kept as the reference.
    fn go_duration_reference(ms: Ms) -> String {
        if ms == 0 {
            return "0s".into();
        }
        if ms < 1000 {
            return format!("{ms}ms");
        }
        let (h, m) = (ms / 3_600_000, (ms / 60_000) % 60);
        let s_ms = ms % 60_000;
        let secs = if s_ms.is_multiple_of(1000) {
            format!("{}s", s_ms / 1000)
        } else {
            let frac = format!("{:03}", s_ms % 1000);
            format!("{}.{}s", s_ms / 1000, frac.trim_end_matches('0'))
        };
        if h > 0 {
            format!("{h}h{m}m{secs}")
        } else if m > 0 {
            format!("{m}m{secs}")
        } else {
            secs
        }
    }

    #[test]
    fn go_duration_display_matches_the_reference() {
        let mut ms: Ms = 0;
        while ms < 30_000_000 {
            assert_eq!(
                GoDuration(ms).to_string(),
                go_duration_reference(ms),
                "{ms}"
            );
            // Dense at the small end, every digit pattern of the fraction, sparse beyond.
            ms += if ms < 200_000 { 1 } else { 997 };
        }
        for ms in [
            1_001, 1_010, 1_100, 60_000, 60_001, 3_600_000, 3_600_050, 86_399_999,
        ] {
            assert_eq!(
                GoDuration(ms).to_string(),
                go_duration_reference(ms),
                "{ms}"
            );
        }
    }

    /// Go `time.Duration` strings quoted in the semantics doc §7.
    #[test]
    fn go_durations_match_upstream_text() {
        let cases = [
            (10_000, "10s"),
            (20_000, "20s"),
            (40_000, "40s"),
            (80_000, "1m20s"),
            (160_000, "2m40s"),
            (300_000, "5m0s"),
            (1_500, "1.5s"),
            (250, "250ms"),
            (3_600_000, "1h0m0s"),
        ];
        for (ms, want) in cases {
            assert_eq!(go_duration(ms), want);
        }
    }
}
