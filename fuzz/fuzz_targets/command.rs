//! Fuzz the command-line grammar: any line (lossy UTF-8) must parse to a command or an error
//! text without panicking — the tokenizer, pflag-style flags and suggestions included.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    for line in text.lines().take(16) {
        let _ = kubeplay_kubectl::command::parse_line(line);
    }
});
