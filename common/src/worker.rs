//! A chapter binary that re-runs itself as a worker process.
//!
//! Rust has no `fork`-and-continue-in-a-closure for safe code, and does not
//! need one. A chapter that needs child processes starts **its own
//! executable** again with a hidden first argument, [`WORKER_ARG`], followed
//! by a *role* (what the child should do) and its arguments — Python's
//! `spawn` start method, where the child re-imports your module and is told
//! which function to run. Every chapter does it the same way:
//!
//! * the parent builds the child's command with [`command`];
//! * `main` asks [`role`] first, before parsing the command line (a worker
//!   must not print the chapter), and hands the role to the chapter's
//!   `worker::main`, which matches it against the roles it knows.
//!
//! ```no_run
//! fn worker_main(role: &[&str]) -> std::process::ExitCode {
//!     match role {
//!         ["hello", name] => println!("hello from {name}"),
//!         other => eprintln!("unknown worker role {other:?}"),
//!     }
//!     std::process::ExitCode::SUCCESS
//! }
//!
//! fn main() -> anyhow::Result<std::process::ExitCode> {
//!     if let Some(role) = common::worker::role() {
//!         let role: Vec<&str> = role.iter().map(String::as_str).collect();
//!         return Ok(worker_main(&role));
//!     }
//!     let exe = std::env::current_exe()?;
//!     let status = common::worker::command(&exe, &["hello", "child"]).status()?;
//!     Ok(if status.success() { std::process::ExitCode::SUCCESS } else { std::process::ExitCode::FAILURE })
//! }
//! ```

use std::ffi::OsStr;
use std::path::Path;
use std::process::{Command, Stdio};

/// The hidden first argument that makes a chapter binary a worker process.
pub const WORKER_ARG: &str = "__worker";

/// The role this process was started with (everything after
/// [`WORKER_ARG`]), or `None` when it is the chapter itself.
pub fn role() -> Option<Vec<String>> {
    role_in(std::env::args())
}

/// [`role`] for a given argument list (its first item is the program).
pub fn role_in(args: impl IntoIterator<Item = String>) -> Option<Vec<String>> {
    let mut args = args.into_iter().skip(1);
    (args.next()? == WORKER_ARG).then(|| args.collect())
}

/// `exe __worker ROLE…`, with stdin from `/dev/null` (a worker never reads
/// the terminal). Set stdout, stderr and the rest as the lesson needs, then
/// spawn it — through [`ChildGuard`](crate::child::ChildGuard) unless the
/// lesson waits for it on every path.
pub fn command<S: AsRef<OsStr>>(exe: &Path, role: &[S]) -> Command {
    let mut command = Command::new(exe);
    command.arg(WORKER_ARG).args(role).stdin(Stdio::null());
    command
}

/// The arguments that make `exe` a process-pool worker of kind `kind`, for
/// [`ProcessPool`](crate::pool::ProcessPool)'s `worker_args`.
pub fn pool_role(kind: &str) -> [&str; 3] {
    [WORKER_ARG, "pool", kind]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn role_is_what_follows_the_hidden_argument() {
        assert_eq!(
            role_in(args(&["exe", WORKER_ARG, "task", "A"])),
            Some(args(&["task", "A"]))
        );
        assert_eq!(role_in(args(&["exe", WORKER_ARG])), Some(vec![]));
    }

    #[test]
    fn the_chapter_itself_has_no_role() {
        assert_eq!(role_in(args(&["exe"])), None);
        assert_eq!(role_in(args(&["exe", "4", "--quick"])), None);
        // Only in first place: a section named like it is not a worker.
        assert_eq!(role_in(args(&["exe", "4", WORKER_ARG])), None);
    }

    #[test]
    fn command_puts_the_hidden_argument_first() {
        let command = command(Path::new("/bin/chapter"), &["pool", "sums"]);
        let got: Vec<_> = command.get_args().collect();
        assert_eq!(got, [WORKER_ARG, "pool", "sums"]);
        assert_eq!(command.get_program(), "/bin/chapter");
    }
}
