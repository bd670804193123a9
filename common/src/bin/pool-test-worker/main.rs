//! The worker process that `common`'s own pool tests drive
//! (`tests/pool.rs`). Not part of the library: chapters have their own
//! workers (their binaries re-run with a hidden argument).

mod tasks;

fn main() -> std::process::ExitCode {
    common::pool::serve(tasks::run)
}
