//! Share links in the browser: the link format itself (encode, decode, what a link may carry)
//! is the pure `kubeplay-share` crate; this module only reads the session from the address's
//! fragment (`#s=…`), so a damaged or hostile link becomes a message, never a replay.
pub use kubeplay_share::{encode, sleep_ms, Action, Session, Tab};

/// The session in the page's address, if it has a share link: `Some(Err(message))` when the
/// link cannot be opened, with the reason in words.
pub fn from_hash(hash: &str) -> Option<Result<Session, String>> {
    let payload = hash.strip_prefix("#s=")?;
    Some(kubeplay_share::decode(payload).map_err(|e| e.to_string()))
}
