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
//! The pool hands the child one end of a Unix **socket pair** as its standard
//! input (fd 0). [`serve`] moves it at once to a descriptor of its own,
//! marked close-on-exec, and points fd 0 at `/dev/null`: a task that starts a
//! program of its own (`Command::new("sort")`) must not hand that program the
//! request stream. A socket is two-way, so tasks arrive and results leave on
//! it, while stdout and stderr stay the parent's own: a worker's `println!`
//! appears in the terminal exactly like a Python worker's `print`, and cannot
//! corrupt the protocol.
//!
//! ## A worker never outlives its pool
//!
//! An idle worker sees its pool go away as the end of the stream, and
//! [`serve`] returns: code after it in `main` runs as usual. A busy one
//! would not look until its task is done — and a hung task never is. So a
//! watchdog thread waits on the socket for a *hang-up*: when the pool's end
//! closes (shutdown, or the parent killed with SIGKILL, which closes every
//! descriptor it had) **while a task is running**, the worker process exits
//! at once (code 0): nobody is left to take that task's result. The
//! watchdog is joined before `serve` returns.
//!
//! ## What a task must not do
//!
//! * **Fork without exec.** A forked copy of the worker inherits the
//!   pool's socket: while it lives, the worker's death does not read as
//!   end-of-file in the pool, and the copy may outlive the pool. Start
//!   programs with `std::process::Command` (fork *and* exec: the socket is
//!   close-on-exec, and standard input is `/dev/null`).
//! * **Read or write standard input expecting the pool's data**: it is
//!   `/dev/null`.

use std::cell::RefCell;
use std::fs::File;
use std::io::{self, BufReader, BufWriter};
use std::net::Shutdown;
use std::os::fd::{AsFd, AsRawFd};
use std::os::unix::net::UnixStream;
use std::panic::{self, AssertUnwindSafe};
use std::process::ExitCode;
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::JoinHandle;

use serde::Serialize;
use serde::de::DeserializeOwned;

use super::frame::{self, FrameError, MAX_FRAME_BYTES};
use super::protocol::{Outcome, Reply, Request};

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
    let channel = match take_channel_from_stdin() {
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
    let state = Arc::new(Mutex::new(Watched::default()));
    let watchdog = match watch_for_hang_up(&channel, Arc::clone(&state)) {
        Ok(watchdog) => watchdog,
        Err(err) => {
            eprintln!("error: a pool worker could not start its watchdog thread: {err}");
            return ExitCode::from(CHANNEL_BROKEN);
        }
    };
    let code = serve_tasks(&channel, &state, &mut handler);
    // Wake the watchdog and let it end: shutting the socket down makes its
    // `poll` report a hang-up; it sees `returned` and leaves quietly.
    lock(&state).returned = true;
    let _ = channel.shutdown(Shutdown::Both);
    let _ = watchdog.join();
    code
}

/// What the watchdog and the task loop agree on, under one lock.
#[derive(Debug, Default)]
struct Watched {
    /// A task is running now.
    running: bool,
    /// The pool's end has hung up: no task may start any more.
    hung_up: bool,
    /// `serve` is returning: the watchdog must end without exiting.
    returned: bool,
}

fn lock(state: &Mutex<Watched>) -> std::sync::MutexGuard<'_, Watched> {
    state.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The task loop: read a request, run it, send the reply, until the pool
/// closes its end. Returns the exit code `serve` returns.
fn serve_tasks<T, R>(
    channel: &UnixStream,
    state: &Mutex<Watched>,
    handler: &mut impl FnMut(T) -> R,
) -> ExitCode
where
    T: DeserializeOwned,
    R: Serialize,
{
    let (Ok(read_half), Ok(write_half)) = (channel.try_clone(), channel.try_clone())
    else {
        return ExitCode::from(CHANNEL_BROKEN);
    };
    let mut reader = BufReader::new(read_half);
    let mut writer = BufWriter::new(write_half);
    // Asked once: `process::id` is a system call every time.
    let pid = std::process::id();
    loop {
        let body = match frame::read_body(&mut reader) {
            Ok(Some(body)) => body,
            // The pool closed its end: shutdown, the normal way out.
            Ok(None) => return ExitCode::SUCCESS,
            Err(_) => return ExitCode::from(CHANNEL_BROKEN),
        };
        let request = match frame::decode::<Request>(&body) {
            Ok(request) => request,
            // A request we cannot read is the pool's bug, not the task's:
            // stop, and the pool reports the exit status.
            Err(_) => return ExitCode::from(CHANNEL_BROKEN),
        };
        {
            let mut state = lock(state);
            if state.hung_up {
                // Sent just before the pool went away: nobody is waiting.
                return ExitCode::SUCCESS;
            }
            state.running = true;
        }
        let reply = run_one(request, pid, handler);
        lock(state).running = false;
        if frame::write_frame(&mut writer, &reply).is_err() {
            return ExitCode::from(CHANNEL_BROKEN);
        }
    }
}

/// Runs one request in this worker (process `pid`) and says what became of it.
fn run_one<T, R>(request: Request, pid: u32, handler: &mut impl FnMut(T) -> R) -> Reply
where
    T: DeserializeOwned,
    R: Serialize,
{
    let outcome = match frame::decode::<T>(&request.task) {
        Err(err) => {
            Outcome::Codec(format!("the task: {}", frame::decode_failure::<T>(&err)))
        }
        Ok(task) => match panic::catch_unwind(AssertUnwindSafe(|| handler(task))) {
            Ok(value) => match frame::encode(&value) {
                // The reply wraps the value in a few bytes more; leave room.
                Ok(body) if body.len() > MAX_FRAME_BYTES - 1024 => {
                    Outcome::Codec(format!(
                        "the result is {} bytes, over the {MAX_FRAME_BYTES}-byte frame limit",
                        body.len()
                    ))
                }
                Ok(body) => Outcome::Value(body),
                Err(err @ FrameError::Codec(_)) => Outcome::Codec(format!(
                    "could not encode the result: {}",
                    frame::encode_failure(&value, &err)
                )),
                Err(err) => Outcome::Codec(err.to_string()),
            },
            Err(payload) => Outcome::Panicked(panic_text(payload.as_ref())),
        },
    };
    Reply { id: request.id, pid, outcome }
}

/// Takes the socket the pool passed as fd 0 onto a close-on-exec descriptor
/// of its own, and points fd 0 at `/dev/null`. An error if fd 0 is not a
/// socket (a terminal, `/dev/null`: someone ran the worker by hand).
fn take_channel_from_stdin() -> io::Result<UnixStream> {
    // `try_clone_to_owned` duplicates with F_DUPFD_CLOEXEC: a new descriptor
    // (3 or above) that no program this worker starts will inherit.
    let fd = io::stdin().as_fd().try_clone_to_owned()?;
    let stream = UnixStream::from(fd);
    // Fails with ENOTSOCK unless fd 0 really is a socket.
    stream.peer_addr()?;
    let null = File::open("/dev/null")?;
    // SAFETY: dup2 only reads the two descriptor numbers; both are open
    // (`null` is owned until the end of this function, fd 0 is stdin) and
    // replacing fd 0 cannot invalidate any Rust object: std's `Stdin` reads
    // fd 0 by number, and now reads end-of-file.
    if unsafe { libc::dup2(null.as_raw_fd(), 0) } == -1 {
        return Err(io::Error::last_os_error());
    }
    Ok(stream)
}

/// Starts the watchdog: a thread that blocks until the socket hangs up.
/// If a task is running then, the pool is gone and nobody will take its
/// result: it ends this process (exit code 0). Otherwise it marks the
/// channel hung up — the task loop then sees end-of-file and returns — and
/// ends. It owns its own copy of the socket, so the descriptor it polls
/// stays valid for as long as it polls.
fn watch_for_hang_up(
    channel: &UnixStream,
    state: Arc<Mutex<Watched>>,
) -> io::Result<JoinHandle<()>> {
    let socket = channel.try_clone()?;
    std::thread::Builder::new().name("pool-watchdog".into()).spawn(move || {
        wait_for_hang_up(&socket);
        let mut state = lock(&state);
        state.hung_up = true;
        if state.running && !state.returned {
            // Holding the lock: the task cannot finish and start another.
            // The worker leads its own process group (the pool starts it
            // so): end the whole group, programs the task started included.
            // SAFETY: getpgrp/getpid/killpg touch no memory of ours.
            unsafe {
                if libc::getpgrp() == libc::getpid() {
                    libc::killpg(0, libc::SIGKILL);
                }
            }
            std::process::exit(0);
        }
    })
}

/// Blocks until `socket` reports a hang-up or an error. `poll` reports both
/// whatever events are asked for, so asking for none waits for exactly
/// these, and incoming data does not wake this thread.
fn wait_for_hang_up(socket: &UnixStream) {
    let fd = socket.as_fd();
    loop {
        let mut poll_fd = libc::pollfd { fd: fd.as_raw_fd(), events: 0, revents: 0 };
        // SAFETY: one valid pollfd, and its count is 1.
        let ready = unsafe { libc::poll(&mut poll_fd, 1, -1) };
        if ready > 0
            && poll_fd.revents & (libc::POLLHUP | libc::POLLERR | libc::POLLNVAL) != 0
        {
            return;
        }
        // EINTR, or a spurious wake-up: wait again.
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    fn request<T: Serialize>(task: &T) -> Request {
        Request { id: 7, task: frame::encode(task).unwrap() }
    }

    #[test]
    fn a_value_a_panic_and_an_undecodable_task_each_get_their_reply() {
        let mut double = |x: u32| {
            assert!(x < 100, "too big: {x}");
            x * 2
        };
        let reply = run_one(request(&21_u32), 1, &mut double);
        assert_eq!(reply.id, 7);
        assert!(
            matches!(reply.outcome, Outcome::Value(ref body) if frame::decode::<u32>(body).unwrap() == 42)
        );

        let reply = run_one(request(&500_u32), 1, &mut double);
        assert!(
            matches!(reply.outcome, Outcome::Panicked(ref m) if m.starts_with("too big: 500"))
        );

        let reply = run_one(Request { id: 8, task: vec![] }, 1, &mut double);
        assert!(
            matches!(reply.outcome, Outcome::Codec(ref m) if m.starts_with("the task: a `u32` could not be decoded: postcard: "))
        );
    }

    #[test]
    fn a_result_over_the_frame_limit_is_an_error_reply_not_a_broken_channel() {
        let mut huge = |(): ()| vec![0_u8; MAX_FRAME_BYTES];
        let reply = run_one(request(&()), 1, &mut huge);
        assert!(
            matches!(reply.outcome, Outcome::Codec(ref m) if m.contains("frame limit")),
            "{:?}",
            reply.outcome
        );
    }
}
