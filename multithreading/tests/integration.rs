//! Every integration test of this crate, in one test binary: each file
//! in `tests/` is a module here. One binary links once — separate binaries
//! would each link the whole dependency graph again — and `cargo test -p
//! multithreading --test integration <module>::` runs one file's tests.

mod cli;
mod consistency;
