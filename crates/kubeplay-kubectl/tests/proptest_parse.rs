//! Property test: no input line makes the grammar, the tokenizer or the printers' parsers
//! panic. Small case count: it runs in every `cargo test`.
#![cfg(not(target_arch = "wasm32"))]
use proptest::prelude::*;

const WORDS: &[&str] = &[
    "kubectl",
    "get",
    "pods",
    "-o",
    "json",
    "jsonpath={.items[*]}",
    "-l",
    "app in (a,b)",
    "--",
    "-",
    "-n",
    "rollout",
    "status",
    "deploy/x",
    "sleep",
    "5m",
    "sim",
    "kops",
    "curl",
    "'",
    "\"",
    "\\",
    "#",
    "$(",
    ")",
    "--sort-by=.a",
    "custom-columns=A:.a",
    "=",
    "/",
    "é",
];

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn any_text_parses_without_panic(line in "\\PC{0,60}") {
        let _ = kubeplay_kubectl::command::parse_line(&line);
        let _ = kubeplay_kubectl::token::tokenize(&line);
        let _ = kubeplay_kubectl::jsonpath::parse(&line);
        let _ = kubeplay_kubectl::selector::LabelSelector::parse(&line);
        let _ = kubeplay_kubectl::duration::parse_duration_ms(&line);
        let _ = kubeplay_kubectl::duration::parse_rfc3339_ms(&line);
    }

    #[test]
    fn word_salad_parses_without_panic(idx in proptest::collection::vec(0..WORDS.len(), 0..10)) {
        let line: Vec<&str> = idx.iter().map(|i| WORDS[*i]).collect();
        let _ = kubeplay_kubectl::command::parse_line(&line.join(" "));
    }

    #[test]
    fn tokenize_quote_round_trip(word in "\\PC{0,20}") {
        let q = kubeplay_kubectl::token::quote(&word);
        prop_assert_eq!(kubeplay_kubectl::token::tokenize(&q).unwrap(), vec![word]);
    }
}
