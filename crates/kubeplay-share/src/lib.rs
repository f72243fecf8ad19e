//! kubeplay's share links: a whole playground session (editor tabs, seed, and the actions taken
//! with their virtual times) as JSON → DEFLATE → base64url, the text after `#s=` in the URL.
//!
//! A link is input from anyone, so decoding is total and bounded: the text length, the
//! unpacked size (a decompression bomb stops at [`MAX_JSON_BYTES`]), the number of tabs and
//! actions and the virtual time a replay may reach are all capped, and every action must be
//! one of the playground's own (an `apply` of an editor tab, or a terminal line whose program
//! is `kubectl`, `k`, `sim`, `kops`, `curl`, `sleep`, `help` or `clear`). Anything else is a
//! [`DecodeError`] that says what is wrong, and the page starts fresh with that message.
//!
//! Pure (no DOM, no clock): the web app's `src/share.rs` only reads and writes the URL.
#![deny(clippy::disallowed_types, clippy::disallowed_methods)]

mod base64;
mod check;

use serde::{Deserialize, Serialize};

pub use check::{is_playground_command, is_tab_name};

/// The format version this crate writes and reads.
pub const FORMAT_VERSION: u32 = 1;
/// The longest link text accepted (characters after `#s=`): 4 MiB of session data packs
/// into less than this even when it does not compress.
pub const MAX_LINK_CHARS: usize = 6 << 20;
/// The most session JSON a link may unpack to (far above any manifest set a person types).
pub const MAX_JSON_BYTES: usize = 4 << 20;
/// The most editor tabs a link may carry.
pub const MAX_TABS: usize = 64;
/// The most actions a link may carry.
pub const MAX_ACTIONS: usize = 20_000;
/// The latest virtual time a link may replay to, ms (100 days, the longest single `sleep` the
/// terminal accepts): opening a link must not keep the page busy for long.
pub const MAX_REPLAY_MS: u64 = 100 * 24 * 3600 * 1000;

/// One thing the user did, at a virtual time (a multiple of the clock step).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Action {
    /// Virtual time, ms.
    pub t: u64,
    /// What: `apply` (payload = tab name, newline, YAML text) or `cmd` (payload = terminal
    /// line).
    pub k: String,
    /// The YAML or the command line.
    pub p: String,
}

/// An editor tab.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tab {
    /// File name shown on the tab.
    pub name: String,
    /// Its text.
    pub text: String,
}

/// Everything a share link carries.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Session {
    /// Format version.
    pub v: u32,
    /// Simulator seed.
    pub seed: u64,
    /// Editor tabs.
    pub tabs: Vec<Tab>,
    /// Index of the active tab.
    #[serde(default)]
    pub active: usize,
    /// Actions in order.
    pub actions: Vec<Action>,
    /// Virtual time the sharer was at, ms.
    pub now: u64,
}

/// Why a link cannot be opened. The `Display` text is what the page shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DecodeError {
    /// Longer than [`MAX_LINK_CHARS`].
    TooLong(usize),
    /// A character outside base64url at this character position.
    NotBase64(usize, char),
    /// The packed data is truncated or not DEFLATE.
    Damaged,
    /// Unpacks to more than [`MAX_JSON_BYTES`].
    TooBig,
    /// The JSON is not a session (serde's message).
    NotASession(String),
    /// The session breaks a rule (format version, limits, a refused action).
    Invalid(String),
}

impl std::fmt::Display for DecodeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DecodeError::TooLong(n) => write!(
                f,
                "the link is {n} characters long; share links carry at most {MAX_LINK_CHARS}"
            ),
            DecodeError::NotBase64(at, c) => write!(
                f,
                "character {c:?} at position {at} cannot be part of a share link (it may have been cut or edited)"
            ),
            DecodeError::Damaged => {
                f.write_str("the link's data is damaged (cut short or edited)")
            }
            DecodeError::TooBig => write!(
                f,
                "the link unpacks to more than {} MiB; share links carry at most that",
                MAX_JSON_BYTES >> 20
            ),
            DecodeError::NotASession(e) => write!(f, "the link does not hold a session: {e}"),
            DecodeError::Invalid(e) => f.write_str(e),
        }
    }
}

impl std::error::Error for DecodeError {}

/// Encode a session as the text after `#s=`. Terminal lines that are not playground commands
/// (typos such as `ls`: they changed nothing) are left out, so every link this writes passes
/// [`decode`]'s check as long as it stays within the size limits.
pub fn encode(s: &Session) -> String {
    let mut s = s.clone();
    s.actions
        .retain(|a| a.k != "cmd" || is_playground_command(&a.p));
    // serializing these plain structs cannot fail; an empty link would decode as "damaged"
    let json = serde_json::to_vec(&s).unwrap_or_default();
    pack(&json)
}

/// DEFLATE and base64url any bytes as a link would carry them (for tests and fuzzing, which
/// need links holding arbitrary JSON).
pub fn pack(json: &[u8]) -> String {
    base64::encode(&miniz_oxide::deflate::compress_to_vec(json, 9))
}

/// Decode and check the text after `#s=`.
pub fn decode(text: &str) -> Result<Session, DecodeError> {
    let text = text.trim();
    if text.len() > MAX_LINK_CHARS {
        return Err(DecodeError::TooLong(text.len()));
    }
    let packed = base64::decode(text)?;
    let json = miniz_oxide::inflate::decompress_to_vec_with_limit(&packed, MAX_JSON_BYTES)
        .map_err(|e| {
            if e.status == miniz_oxide::inflate::TINFLStatus::HasMoreOutput {
                DecodeError::TooBig
            } else {
                DecodeError::Damaged
            }
        })?;
    let session: Session =
        serde_json::from_slice(&json).map_err(|e| DecodeError::NotASession(e.to_string()))?;
    check::check(&session).map_err(DecodeError::Invalid)?;
    Ok(session)
}

/// The terminal's `sleep` argument (`30`, `30s`, `1500ms`, `2m`, `1h`) in ms; `None` when it
/// is not a duration or exceeds 100 days. The page's terminal and the link check share it, so
/// a link's replay time is computed exactly as the page will spend it.
pub fn sleep_ms(s: &str) -> Option<u64> {
    let (num, unit) = match s.find(|c: char| !c.is_ascii_digit() && c != '.') {
        Some(i) => (&s[..i], &s[i..]),
        None => (s, "s"),
    };
    let n: f64 = num.parse().ok()?;
    let mult = match unit {
        "ms" => 1.0,
        "s" | "" => 1000.0,
        "m" => 60_000.0,
        "h" => 3_600_000.0,
        _ => return None,
    };
    let ms = n * mult;
    #[allow(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        clippy::cast_precision_loss
    )]
    (ms.is_finite() && (0.0..=MAX_REPLAY_MS as f64).contains(&ms)).then_some(ms.round() as u64)
}
