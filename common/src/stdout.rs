//! What a chapter does when its reader stops reading: `cargo run -p factorial
//! | head -20` closes the pipe after twenty lines.
//!
//! Rust ignores `SIGPIPE` (a C program would simply be killed by it), so the
//! next `println!` gets `EPIPE` and panics: "failed printing to stdout:
//! Broken pipe", a backtrace, exit code 101 — for something the reader did on
//! purpose. Restoring `SIGPIPE`'s default would kill the chapter silently,
//! but also kill a process pool's parent the moment it writes to a worker
//! that has just died, which the pool is built to survive. So instead the
//! panic is recognised: [`quiet_when_closed`] keeps the panic hook from
//! printing it, and [`run`] turns it into exit code 141 (what a shell shows
//! for a process killed by `SIGPIPE`) after the stack has unwound — every
//! `Drop` ran, so every pool worker was reaped and every temporary file
//! removed.

use std::any::Any;
use std::panic::{self, AssertUnwindSafe};
use std::process::ExitCode;
use std::sync::Once;

/// The exit code of a run whose standard output was closed: 128 + `SIGPIPE`.
pub const CLOSED_STDOUT_EXIT: u8 = 141;

/// Whether a panic's payload is `print!`'s on a closed standard output.
pub fn is_closed_stdout(payload: &(dyn Any + Send)) -> bool {
    let message = payload
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| payload.downcast_ref::<&str>().copied());
    // std's words: "failed printing to stdout: Broken pipe (os error 32)".
    message.is_some_and(|m| {
        m.starts_with("failed printing to stdout") && m.contains("Broken pipe")
    })
}

/// Keeps the panic hook quiet for a closed standard output, in every thread
/// of this process (other panics print as before). Idempotent.
pub fn quiet_when_closed() {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        let previous = panic::take_hook();
        panic::set_hook(Box::new(move |info| {
            if !is_closed_stdout(info.payload()) {
                previous(info);
            }
        }));
    });
}

/// Runs `main`, with the hook quiet ([`quiet_when_closed`]); a closed
/// standard output ends it with [`CLOSED_STDOUT_EXIT`] instead of a panic.
/// So does an error once the output is closed: a child process that printed
/// into the same pipe died of it first, and its parent's error ("process …
/// failed: exit status: 141") is only the echo of what the reader did.
/// Any other panic goes on unwinding; any other error is returned.
pub fn run(main: impl FnOnce() -> anyhow::Result<ExitCode>) -> anyhow::Result<ExitCode> {
    quiet_when_closed();
    match panic::catch_unwind(AssertUnwindSafe(main)) {
        Ok(Err(_)) if is_closed() => Ok(ExitCode::from(CLOSED_STDOUT_EXIT)),
        Ok(result) => result,
        Err(payload) if is_closed_stdout(payload.as_ref()) => {
            Ok(ExitCode::from(CLOSED_STDOUT_EXIT))
        }
        Err(payload) => panic::resume_unwind(payload),
    }
}

/// Whether standard output is a pipe whose reader has gone. (A terminal or
/// a file is never closed in this sense.)
pub fn is_closed() -> bool {
    reader_gone(libc::STDOUT_FILENO)
}

/// Whether `fd` is the writing end of a pipe whose reader has gone: `poll`
/// reports `POLLERR` on it then.
fn reader_gone(fd: std::os::fd::RawFd) -> bool {
    let mut poll = libc::pollfd { fd, events: libc::POLLOUT, revents: 0 };
    // SAFETY: one valid `pollfd`, a count of one, no waiting.
    let ready = unsafe { libc::poll(&mut poll, 1, 0) };
    ready == 1 && poll.revents & libc::POLLERR != 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_closed_stdout_is_recognised() {
        let closed = String::from("failed printing to stdout: Broken pipe (os error 32)");
        assert!(is_closed_stdout(&closed));
        assert!(!is_closed_stdout(&String::from(
            "failed printing to stdout: No space left"
        )));
        assert!(!is_closed_stdout(&"index out of bounds"));
        assert!(!is_closed_stdout(&42_u8));
    }

    #[test]
    fn a_pipe_whose_reader_has_gone_is_closed_and_one_still_read_is_not() {
        use std::os::fd::AsRawFd;
        let (reader, writer) = std::io::pipe().unwrap();
        assert!(!reader_gone(writer.as_raw_fd()), "a reader is there");
        drop(reader);
        assert!(reader_gone(writer.as_raw_fd()), "the reader has gone");
    }

    #[test]
    fn run_turns_the_closed_stdout_panic_into_its_exit_code_and_lets_others_through() {
        let code = run(|| panic!("failed printing to stdout: Broken pipe (os error 32)"));
        assert_eq!(code.unwrap(), ExitCode::from(CLOSED_STDOUT_EXIT));
        let other = panic::catch_unwind(|| run(|| panic!("a real bug")));
        assert!(other.is_err(), "other panics keep unwinding");
    }
}
