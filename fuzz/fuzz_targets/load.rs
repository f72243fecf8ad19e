//! Fuzz the manifest loader: any bytes (as lossy UTF-8) must load without panicking, and every
//! loaded object must print back as YAML and JSON.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let result = kubeplay_api::load(&text);
    for o in &result.objects {
        let _ = o.object.to_yaml();
        let _ = o.object.to_json();
    }
    for d in &result.diagnostics {
        let _ = d.to_string();
    }
});
