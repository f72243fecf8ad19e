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
}

/// Writes into the hash.
struct HashWriter<'a>(&'a mut Fnv64);

impl std::fmt::Write for HashWriter<'_> {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        self.0.write(s.as_bytes());
        Ok(())
    }
}

/// Hashes a line's detail as it is formatted: the separating space goes in before the first
/// non-empty piece, so an empty detail adds nothing, as in `render()`. FNV-1a is byte-serial,
/// so hashing the pieces equals hashing the formatted string (which is never built).
struct DetailWriter<'a> {
    hash: &'a mut Fnv64,
    started: bool,
}

impl std::fmt::Write for DetailWriter<'_> {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        if s.is_empty() {
            return Ok(());
        }
        if !self.started {
            self.hash.write(b" ");
            self.started = true;
        }
        self.hash.write(s.as_bytes());
        Ok(())
    }
}

/// Stream `t={at_ms:09} {kind} ` into the hash (the start of every rendered line). The
/// zero-padded time and the fixed words are written directly, not through the formatting
/// machinery (bulk runs hash several lines per pod; `pad_integral` was a visible share).
fn hash_head(hash: &mut Fnv64, at_ms: Ms, kind: &str) {
    hash.write(b"t=");
    hash.write(pad9(at_ms, &mut [0; 20]));
    hash.write(b" ");
    hash.write(kind.as_bytes());
    hash.write(b" ");
}

/// Stream one rendered line straight into the hash: FNV-1a is byte-serial, so feeding the
/// pieces gives exactly the hash of `render()` + "\n" without building the line.
fn hash_line(
    hash: &mut Fnv64,
    at_ms: Ms,
    kind: &str,
    object: &dyn std::fmt::Display,
    what: &str,
    detail: std::fmt::Arguments<'_>,
) {
    hash_head(hash, at_ms, kind);
    let _ = std::fmt::Write::write_fmt(&mut HashWriter(hash), format_args!("{object}"));
    hash_tail(hash, what, detail);
}

/// The end of a line: ` {what}`, the detail (see [`DetailWriter`]) and the newline.
fn hash_tail(hash: &mut Fnv64, what: &str, detail: std::fmt::Arguments<'_>) {
    // A literal (often empty) detail needs no formatting pass.
    if let Some(d) = detail.as_str() {
        return hash_tail_str(hash, what, d);
    }
    hash.write(b" ");
    hash.write(what.as_bytes());
    let mut w = DetailWriter {
        hash,
        started: false,
    };
    let _ = std::fmt::Write::write_fmt(&mut w, detail);
    hash.write(b"\n");
}

/// [`hash_tail`] with the detail already a string.
fn hash_tail_str(hash: &mut Fnv64, what: &str, detail: &str) {
    hash.write(b" ");
    hash.write(what.as_bytes());
    if !detail.is_empty() {
        hash.write(b" ");
        hash.write(detail.as_bytes());
    }
    hash.write(b"\n");
}

/// `format!("{v:09}")`'s bytes, written into `buf`: decimal, zero-padded to 9 digits.
fn pad9(v: u64, buf: &mut [u8; 20]) -> &[u8] {
    let mut i = buf.len() - crate::digits::decimal(v, buf).len();
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
        hash_head(&mut self.hash, ev.at_ms, ev.kind);
        self.hash.write(ev.object.as_bytes());
        hash_tail_str(&mut self.hash, ev.what, &ev.detail);
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
        hash_line(&mut self.hash, at_ms, kind, object, what, detail);
        self.count += 1;
    }

    /// [`Trace::record_parts`] for an object named by its store key: `namespace/name`, or
    /// `name` when the namespace is empty (as `sim::key_str` renders it). The name is hashed
    /// as bytes, without a formatting pass.
    pub fn record_key(
        &mut self,
        at_ms: Ms,
        kind: &'static str,
        namespace: &str,
        name: &str,
        what: &'static str,
        detail: std::fmt::Arguments<'_>,
    ) {
        if self.keep {
            let object = if namespace.is_empty() {
                name.to_string()
            } else {
                format!("{namespace}/{name}")
            };
            self.record(TraceEvent {
                at_ms,
                kind,
                object,
                what,
                detail: detail.to_string(),
            });
            return;
        }
        hash_head(&mut self.hash, at_ms, kind);
        if !namespace.is_empty() {
            self.hash.write(namespace.as_bytes());
            self.hash.write(b"/");
        }
        self.hash.write(name.as_bytes());
        hash_tail(&mut self.hash, what, detail);
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

    /// One line through every recording path, kept and not: each hashes exactly the rendered
    /// line, and a kept one stores the same event.
    fn check_paths(ns: &str, name: &str, text: &str, args: std::fmt::Arguments<'_>) {
        let object = if ns.is_empty() {
            name.to_string()
        } else {
            format!("{ns}/{name}")
        };
        let ev = TraceEvent {
            at_ms: 1_234_567_890_123,
            kind: "Pod",
            object: object.clone(),
            what: "Scheduled",
            detail: text.to_string(),
        };
        let line = format!("{}\n", ev.render());
        let want = crate::hash::fnv1a64(line.as_bytes());
        for keep in [true, false] {
            let mut t = Trace::default();
            t.set_keep(keep);
            t.record_key(ev.at_ms, ev.kind, ns, name, ev.what, args);
            assert_eq!(t.hash(), want, "record_key {line:?} keep={keep}");
            assert_eq!(t.count(), 1);
            let mut p = Trace::default();
            p.set_keep(keep);
            p.record_parts(ev.at_ms, ev.kind, &object, ev.what, args);
            assert_eq!(p.hash(), want, "record_parts {line:?} keep={keep}");
            let mut r = Trace::default();
            r.set_keep(keep);
            r.record(ev.clone());
            assert_eq!(r.hash(), want, "record {line:?} keep={keep}");
            if keep {
                assert_eq!(t.events(), &[ev.clone()][..]);
                assert_eq!(p.events(), &[ev.clone()][..]);
            }
        }
    }

    /// Objects with and without a namespace; literal, empty, formatted and formatted-to-empty
    /// details.
    #[test]
    fn recording_paths_hash_the_rendered_line() {
        let empty = "";
        for (ns, name) in [("default", "web-x"), ("", "node-1"), ("kube-system", "")] {
            check_paths(ns, name, "", format_args!(""));
            check_paths(ns, name, "node=n2", format_args!("node=n2"));
            check_paths(
                ns,
                name,
                "node=n2 ip=7",
                format_args!("node={} ip={}", "n2", 7),
            );
            check_paths(ns, name, "", format_args!("{empty}"));
            check_paths(ns, name, "x=", format_args!("x={empty}"));
        }
    }
}
