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
//! A **process-pool worker** is a role with types: a [`PoolRole<T, R>`]
//! names the role *and* the task and result types its workers take and give.
//! The pool is built from the role ([`PoolRole::pool`]) and the worker
//! serves the same role ([`PoolRole::serve_if`]), so a pool and its workers
//! that disagree on a type do not compile:
//!
//! ```compile_fail
//! use common::worker::PoolRole;
//! /// Workers take a `u64` and give back its bytes.
//! const FACTORIALS: PoolRole<u64, Vec<u8>> = PoolRole::new("factorials");
//!
//! fn worker_main(role: &[String]) -> std::process::ExitCode {
//!     // error[E0631]: this handler takes a `u32` and returns a `u64`,
//!     // not `u64` → `Vec<u8>`.
//!     FACTORIALS.serve_if(role, |n: u32| u64::from(n)).unwrap_or(std::process::ExitCode::FAILURE)
//! }
//! ```
//!
//! ```no_run
//! use common::worker::PoolRole;
//! const SQUARES: PoolRole<u64, u64> = PoolRole::new("squares");
//!
//! fn main() -> anyhow::Result<std::process::ExitCode> {
//!     if let Some(role) = common::worker::role() {
//!         return Ok(SQUARES.serve_if(&role, |x| x * x).unwrap_or(std::process::ExitCode::FAILURE));
//!     }
//!     let pool = SQUARES.pool(std::env::current_exe()?).workers(2).start()?;
//!     assert_eq!(pool.apply(7)?, 49); // a `u64` in, a `u64` out: checked here too
//!     Ok(std::process::ExitCode::SUCCESS)
//! }
//! ```
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

use std::ffi::{OsStr, OsString};
use std::marker::PhantomData;
use std::path::Path;
use std::path::PathBuf;
use std::process::{Command, ExitCode, Stdio};

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::pool::{ProcessPool, ProcessPoolBuilder};

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
    command.args(worker_args(role)).stdin(Stdio::null());
    command
}

/// `__worker ROLE…`: the one place the hidden argument is put in front of a
/// role.
fn worker_args<S: AsRef<OsStr>>(role: &[S]) -> Vec<OsString> {
    std::iter::once(OsStr::new(WORKER_ARG))
        .chain(role.iter().map(AsRef::as_ref))
        .map(OsStr::to_os_string)
        .collect()
}

/// A process-pool worker role: its name, and the types of the tasks its
/// workers take (`T`) and the results they give (`R`). Declare it once, as
/// a `const` in the chapter's `worker.rs`; build the pool with
/// [`pool`](Self::pool) and serve it with [`serve_if`](Self::serve_if).
/// Its workers run `exe __worker pool NAME`.
pub struct PoolRole<T, R> {
    name: &'static str,
    /// Tasks go in, results come out: `fn(T) -> R` records both without
    /// holding either (so a role is `Copy`, `Send` and `Sync`).
    types: PhantomData<fn(T) -> R>,
}

impl<T, R> PoolRole<T, R> {
    /// The role called `name`.
    pub const fn new(name: &'static str) -> Self {
        Self { name, types: PhantomData }
    }

    /// Its name (the last argument of its workers' command line).
    pub fn name(&self) -> &'static str {
        self.name
    }

    /// The worker's command-line arguments: `__worker pool NAME`.
    pub fn args(&self) -> Vec<OsString> {
        worker_args(&["pool", self.name])
    }

    /// Whether `role` (what [`role`] returned) names this role.
    pub fn is(&self, role: &[String]) -> bool {
        matches!(role, [pool, name] if pool == "pool" && name == self.name)
    }
}

impl<T: Serialize, R: DeserializeOwned> PoolRole<T, R> {
    /// A pool whose workers, `exe` re-run, serve this role.
    pub fn pool(&self, exe: impl Into<PathBuf>) -> ProcessPoolBuilder<T, R> {
        ProcessPool::builder(exe).args(self.args())
    }
}

impl<T: DeserializeOwned, R: Serialize> PoolRole<T, R> {
    /// In the worker: if `role` names this role, serves it with `handler`
    /// until the pool hangs up and returns the exit code
    /// ([`serve`](crate::pool::serve)); `None` if it is another role.
    pub fn serve_if(
        &self,
        role: &[String],
        handler: impl FnMut(T) -> R,
    ) -> Option<ExitCode> {
        self.is(role).then(|| crate::pool::serve(handler))
    }
}

impl<T, R> Clone for PoolRole<T, R> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T, R> Copy for PoolRole<T, R> {}

impl<T, R> std::fmt::Debug for PoolRole<T, R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("PoolRole").field(&self.name).finish()
    }
}

/// What a chapter's `worker::main` says of a role it does not know: one
/// line on stderr, and a failing exit code.
pub fn unknown(role: &[String]) -> ExitCode {
    eprintln!("error: unknown worker role `{}`", role.join(" "));
    ExitCode::FAILURE
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
    fn a_pool_role_s_workers_get_the_hidden_argument_and_recognise_their_role() {
        const ROLE: PoolRole<u32, u64> = PoolRole::new("sums");
        assert_eq!(ROLE.args(), [WORKER_ARG, "pool", "sums"]);
        assert!(ROLE.is(&args(&["pool", "sums"])));
        assert!(!ROLE.is(&args(&["pool", "squares"])));
        assert!(!ROLE.is(&args(&["sums"])));
        assert_eq!(
            role_in(args(&["exe", WORKER_ARG, "pool", "sums"])),
            Some(args(&["pool", "sums"]))
        );
    }

    #[test]
    fn command_puts_the_hidden_argument_first() {
        let command = command(Path::new("/bin/chapter"), &["pool", "sums"]);
        let got: Vec<_> = command.get_args().collect();
        assert_eq!(got, [WORKER_ARG, "pool", "sums"]);
        assert_eq!(command.get_program(), "/bin/chapter");
    }
}
