//! Fuzz the share-link decoder: any text after `#s=` decodes to a checked session or an error
//! message, never a panic, a hang or unbounded memory. The first byte picks the layer to aim
//! at, so inputs also reach the unpacker and the JSON/check layers (which random base64
//! rarely does): 0 = the link text itself, 1 = raw DEFLATE data, else = the session JSON.
//! A link that decodes must survive a round trip through `encode`.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let link = match mode {
        0 => String::from_utf8_lossy(rest).into_owned(),
        // base64url of the bytes as they are: the unpacker sees arbitrary DEFLATE
        1 => b64(rest),
        _ => kubeplay_share::pack(rest),
    };
    match kubeplay_share::decode(&link) {
        Ok(session) => {
            let again = kubeplay_share::decode(&kubeplay_share::encode(&session));
            assert_eq!(again.as_ref(), Ok(&session), "round trip");
        }
        Err(e) => assert!(!e.to_string().is_empty()),
    }
});

fn b64(data: &[u8]) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::new();
    for chunk in data.chunks(3) {
        let n = (u32::from(chunk[0]) << 16)
            | (u32::from(*chunk.get(1).unwrap_or(&0)) << 8)
            | u32::from(*chunk.get(2).unwrap_or(&0));
        for k in 0..=chunk.len() {
            out.push(char::from(A[((n >> (18 - 6 * k)) & 63) as usize]));
        }
    }
    out
}
