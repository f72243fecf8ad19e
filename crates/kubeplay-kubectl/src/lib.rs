//! kubeplay's command layer: the kubectl subset, `sim` verbs and scenario scripts, shared by
//! the CLI and the browser terminal. Pure: commands in, text out.
#![deny(clippy::disallowed_types, clippy::disallowed_methods)]
