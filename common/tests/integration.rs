//! Every integration test of this crate, in one test binary: each file
//! in `tests/` is a module here. One binary links once — separate binaries
//! would each link the whole dependency graph again — and `cargo test -p
//! common --test integration <module>::` runs one file's tests.

/// The tasks the test worker (`src/bin/pool-test-worker`) runs: the tests
/// build them, the worker serves them.
#[path = "../src/bin/pool-test-worker/tasks.rs"]
mod tasks;

mod chaos;
mod cpython_pool;
mod pool;
