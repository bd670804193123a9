//! The worker side of a [`ProcessPool`](super::ProcessPool): what runs inside
//! each child process.
//!
//! A worker is the chapter's own binary, re-run with a hidden argument; its
//! `main` checks for that argument *first* and hands over to [`serve`]:
//!
//! ```no_run
//! # #[derive(serde::Deserialize)] enum Job { Square(i64) }
//! fn main() -> std::process::ExitCode {
//!     if std::env::args().nth(1).as_deref() == Some("__pool-worker") {
//!         return common::pool::serve(|job: Job| match job {
//!             Job::Square(x) => x * x,
//!         });
//!     }
//!     // … the normal program …
//! #   std::process::ExitCode::SUCCESS
//! }
//! ```
//!
//! This is the Rust version of Python's `spawn` start method: the child is a
//! fresh program, nothing is inherited but the arguments, the environment and
//! three file descriptors. Python pickles *the function* by name and looks it
//! up in the re-imported module; here the task is plain data (a serde enum)
//! and the worker's `match` is the lookup table, checked by the compiler.
//!
//! ## Where the frames travel
//!
//! The pool gives the child one end of a Unix **socket pair** as its standard
//! input (fd 0). A socket is two-way, so tasks arrive on fd 0 and results
//! leave on fd 0, while stdout and stderr stay the parent's own: a worker's
//! `println!` appears in the terminal exactly like a Python worker's `print`,
//! and cannot corrupt the protocol.

use std::cell::RefCell;
use std::io::{BufReader, BufWriter};
use std::os::fd::AsFd;
use std::os::unix::net::UnixStream;
use std::panic::{self, AssertUnwindSafe};
use std::process::ExitCode;

use serde::Serialize;
use serde::de::DeserializeOwned;

use super::frame::{self, FrameError};
use super::protocol::{Reply, Request};

/// Exit code of a worker whose channel to the pool broke (not a task error:
/// those travel back as replies).
pub const CHANNEL_BROKEN: u8 = 3;

thread_local! {
    /// Where the panic hook leaves the location of the last panic, so the
    /// reply can say *where* the task panicked, not only what it said.
    static PANIC_LOCATION: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// Runs the worker loop until the pool closes the channel: read a task,
/// run `handler`, send back its result — or its panic message, if it
/// panicked. Returns the process exit code (success on a clean close).
///
/// A panic inside `handler` is caught and reported for that task only; the
/// worker then takes the next task, as a Python pool worker does after an
/// exception. An *abort* or a signal ends the process, and the pool reports
/// the exit status to the task's caller instead.
pub fn serve<T, R>(mut handler: impl FnMut(T) -> R) -> ExitCode
where
    T: DeserializeOwned,
    R: Serialize,
{
    let channel = match channel_from_stdin() {
        Ok(channel) => channel,
        Err(err) => {
            eprintln!(
                "error: this is a process-pool worker; it talks to its pool over a \
                 socket on standard input ({err}). Run the program without the worker \
                 argument."
            );
            return ExitCode::from(2);
        }
    };
    install_quiet_panic_hook();

    let (Ok(read_half), write_half) = (channel.try_clone(), channel) else {
        return ExitCode::from(CHANNEL_BROKEN);
    };
    let mut reader = BufReader::new(read_half);
    let mut writer = BufWriter::new(write_half);
    loop {
        let body = match frame::read_body(&mut reader) {
            Ok(Some(body)) => body,
            // The pool closed its end: shutdown, the normal way out.
            Ok(None) => return ExitCode::SUCCESS,
            Err(_) => return ExitCode::from(CHANNEL_BROKEN),
        };
        let reply = match frame::decode::<Request>(&body) {
            Ok(request) => run_one(request, &mut handler),
            // A request we cannot read is the pool's bug, not the task's:
            // stop, and the pool reports the exit status.
            Err(_) => return ExitCode::from(CHANNEL_BROKEN),
        };
        if frame::write_frame(&mut writer, &reply).is_err() {
            return ExitCode::from(CHANNEL_BROKEN);
        }
    }
}

fn run_one<T, R>(request: Request, handler: &mut impl FnMut(T) -> R) -> Reply
where
    T: DeserializeOwned,
    R: Serialize,
{
    let outcome = match frame::decode::<T>(&request.task) {
        Err(err) => Err(format!("could not decode the task: {err}")),
        Ok(task) => match panic::catch_unwind(AssertUnwindSafe(|| handler(task))) {
            Ok(value) => frame::encode(&value)
                .map_err(|err: FrameError| format!("could not encode the result: {err}")),
            Err(payload) => Err(panic_text(payload.as_ref())),
        },
    };
    Reply { id: request.id, pid: std::process::id(), outcome }
}

/// The socket pair end the pool passed as fd 0, or an error if fd 0 is
/// something else (a terminal, `/dev/null`: someone ran the worker by hand).
fn channel_from_stdin() -> std::io::Result<UnixStream> {
    let fd = std::io::stdin().as_fd().try_clone_to_owned()?;
    let stream = UnixStream::from(fd);
    // Fails with ENOTSOCK unless fd 0 really is a socket.
    stream.peer_addr()?;
    Ok(stream)
}

/// Replaces the default hook (which prints `thread 'main' panicked at …` on
/// stderr) with one that only remembers where the panic happened: the
/// message travels back to the pool, which shows it to the caller — the
/// place Python re-raises a worker's exception.
fn install_quiet_panic_hook() {
    panic::set_hook(Box::new(|info| {
        let location = info.location().map(|l| format!("{}:{}", l.file(), l.line()));
        PANIC_LOCATION.with(|slot| *slot.borrow_mut() = location);
    }));
}

/// The message of a panic payload (`panic!("…")` carries a `&str` or a
/// `String`), with the location the hook saw.
fn panic_text(payload: &(dyn std::any::Any + Send)) -> String {
    let message = crate::pool::panic_message(payload);
    match PANIC_LOCATION.with(|slot| slot.borrow_mut().take()) {
        Some(location) => format!("{message} (at {location})"),
        None => message,
    }
}
