//! The trace: one line per state change, and a stable hash over the rendered lines.
//!
//! The trace is what the UI animates and what determinism tests compare (house style R6). Each
//! entry is small and structured; its rendering (`t=000001500 Pod default/web-x Scheduled
//! node=n2`) is fixed, and the FNV-1a 64 hash is fed line by line as entries are recorded, so
//! the same seed and inputs give the same hash natively and in the browser.
use crate::clock::Ms;
use crate::hash::Fnv64;

/// One recorded state change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TraceEvent {
    /// Virtual time of the change.
    pub at_ms: Ms,
    /// Kind of the object that changed (`Pod`, `Node`, `Deployment`, …) or `Sim` for actions.
    pub kind: &'static str,
    /// `namespace/name`, or `name` for cluster-scoped objects.
    pub object: String,
    /// What happened, a CamelCase verb (`Created`, `Scheduled`, `Running`, `Deleted`, …).
    pub what: &'static str,
    /// Details as `key=value` pairs separated by spaces (may be empty).
    pub detail: String,
}

impl TraceEvent {
    /// The canonical one-line rendering that the hash covers.
    pub fn render(&self) -> String {
        let mut s = format!(
            "t={:09} {} {} {}",
            self.at_ms, self.kind, self.object, self.what
        );
        if !self.detail.is_empty() {
            s.push(' ');
            s.push_str(&self.detail);
        }
        s
    }
}

/// The whole log plus its running hash.
#[derive(Debug, Clone, Default)]
pub struct Trace {
    events: Vec<TraceEvent>,
    hash: Fnv64,
    /// When false only the hash is kept (benchmarks of 150,000 pods need not hold every line).
    keep: bool,
    count: u64,
    /// Reused buffer for [`Trace::record_parts`]'s detail.
    scratch: String,
}

/// Stream one rendered line straight into the hash: FNV-1a is byte-serial, so feeding the
/// pieces gives exactly the hash of `render()` + "\n" without building the line.
fn hash_line(
    hash: &mut Fnv64,
    at_ms: Ms,
    kind: &str,
    object: &dyn std::fmt::Display,
    what: &str,
    detail: &str,
) {
    struct HashWriter<'a>(&'a mut Fnv64);
    impl std::fmt::Write for HashWriter<'_> {
        fn write_str(&mut self, s: &str) -> std::fmt::Result {
            self.0.write(s.as_bytes());
            Ok(())
        }
    }
    // `t={at_ms:09} {kind} {object} {what}`, with only the object going through the
    // formatting machinery: the zero-padded time and the fixed words are written directly
    // (bulk runs hash several lines per pod; `pad_integral` was a visible share of it).
    hash.write(b"t=");
    hash.write(pad9(at_ms, &mut [0; 20]));
    hash.write(b" ");
    hash.write(kind.as_bytes());
    hash.write(b" ");
    let _ = std::fmt::Write::write_fmt(&mut HashWriter(hash), format_args!("{object}"));
    hash.write(b" ");
    hash.write(what.as_bytes());
    if !detail.is_empty() {
        hash.write(b" ");
        hash.write(detail.as_bytes());
    }
    hash.write(b"\n");
}

/// `format!("{v:09}")`'s bytes, written into `buf`: decimal, zero-padded to 9 digits.
fn pad9(mut v: u64, buf: &mut [u8; 20]) -> &[u8] {
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = b'0' + (v % 10) as u8;
        v /= 10;
        if v == 0 {
            break;
        }
    }
    while buf.len() - i < 9 {
        i -= 1;
        buf[i] = b'0';
    }
    &buf[i..]
}

impl Trace {
    /// A trace that keeps every event.
    pub fn new() -> Self {
        Trace {
            keep: true,
            ..Trace::default()
        }
    }

    /// Keep (true) or drop (false) the events themselves; the hash is always updated.
    pub fn set_keep(&mut self, keep: bool) {
        self.keep = keep;
    }

    /// Record one state change.
    pub fn record(&mut self, ev: TraceEvent) {
        hash_line(
            &mut self.hash,
            ev.at_ms,
            ev.kind,
            &ev.object,
            ev.what,
            &ev.detail,
        );
        self.count += 1;
        if self.keep {
            self.events.push(ev);
        }
    }

    /// [`Trace::record`] from parts. When events are not kept the line is hashed without
    /// building its strings: bulk runs record several lines for each of 150,000 pods.
    pub fn record_parts(
        &mut self,
        at_ms: Ms,
        kind: &'static str,
        object: &dyn std::fmt::Display,
        what: &'static str,
        detail: std::fmt::Arguments<'_>,
    ) {
        if self.keep {
            self.record(TraceEvent {
                at_ms,
                kind,
                object: object.to_string(),
                what,
                detail: detail.to_string(),
            });
            return;
        }
        let mut scratch = std::mem::take(&mut self.scratch);
        scratch.clear();
        let _ = std::fmt::Write::write_fmt(&mut scratch, detail);
        hash_line(&mut self.hash, at_ms, kind, object, what, &scratch);
        self.scratch = scratch;
        self.count += 1;
    }

    /// Every event kept so far, oldest first.
    pub fn events(&self) -> &[TraceEvent] {
        &self.events
    }

    /// Number of events recorded (including dropped ones).
    pub fn count(&self) -> u64 {
        self.count
    }

    /// FNV-1a 64 over all rendered lines, each followed by `\n`.
    pub fn hash(&self) -> u64 {
        self.hash.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pad9_is_zero_padded_decimal() {
        for v in [0, 7, 1_500, 123_456_789, 1_234_567_890, u64::MAX] {
            let mut buf = [0; 20];
            assert_eq!(pad9(v, &mut buf), format!("{v:09}").as_bytes());
        }
    }

    #[test]
    fn hash_covers_rendered_lines() {
        let ev = TraceEvent {
            at_ms: 1500,
            kind: "Pod",
            object: "default/web-x".into(),
            what: "Scheduled",
            detail: "node=n2".into(),
        };
        assert_eq!(
            ev.render(),
            "t=000001500 Pod default/web-x Scheduled node=n2"
        );
        let mut t = Trace::new();
        t.record(ev.clone());
        let mut dropped = Trace::default();
        dropped.record(ev);
        assert_eq!(t.hash(), dropped.hash());
        assert_eq!(
            t.hash(),
            crate::hash::fnv1a64(b"t=000001500 Pod default/web-x Scheduled node=n2\n")
        );
        assert!(dropped.events().is_empty());
    }
}
