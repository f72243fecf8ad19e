//! Glue between the Sim's object store and the network model (filled in once the Sim exists).
