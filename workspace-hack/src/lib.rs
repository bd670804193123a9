//! Empty on purpose: this crate exists for its `Cargo.toml`, which gives the
//! dependencies of every chapter the features the whole workspace enables, so
//! `cargo run -p <chapter>` and `cargo test --workspace` share one build of
//! each (see the comment at the top of `Cargo.toml`).
