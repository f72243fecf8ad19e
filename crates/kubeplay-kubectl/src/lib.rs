//! kubeplay's command layer: the kubectl subset, `sim` verbs and scenario scripts, shared by
//! the CLI and the browser terminal. Pure: commands in, text out.
#![deny(clippy::disallowed_types, clippy::disallowed_methods)]

pub mod command;
pub mod describe;
pub mod duration;
pub mod explain;
pub mod flags;
pub mod help;
pub mod json;
pub mod jsonpath;
pub mod printers;
pub mod quantity;
pub mod resource;
pub mod selector;
pub mod tabwriter;
pub mod token;
pub mod yaml;
