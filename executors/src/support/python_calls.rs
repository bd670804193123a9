//! The functions CPython's own `test_concurrent_futures` hands to its
//! process executor — `mul`, `pow`, `divmod`, `abs`, `os.getpid`,
//! `time.sleep`, one that raises, one that exits, one that crashes — as
//! one task type a worker process serves ([`PYTHON_CALLS`]),
//! and the objects its deadlock tests pickle: a task or a result that
//! fails, exits or crashes while it is encoded or decoded
//! ([`TRAPS`]). `tests/cpython_futures/` runs them; no
//! lesson does.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use common::worker::PoolRole;
use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// The plain functions CPython's own tests submit (`mul`, `pow`, …):
/// `tests/cpython_futures/`.
pub const PYTHON_CALLS: PoolRole<Call, u64> = PoolRole::new("python-calls");
/// CPython's deadlock tests: tasks and results that fail, exit or crash
/// while encoded or decoded.
pub const TRAPS: PoolRole<TrapTask, Trapped> = PoolRole::new("traps");

/// CPython's `INITIALIZER_STATUS`, per worker process.
static STATUS: AtomicU64 = AtomicU64::new(0);

/// One call of a plain function, as CPython's tests submit them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Call {
    /// `mul(x, y)`.
    Mul(u64, u64),
    /// `pow(x, y)`.
    Pow(u64, u32),
    /// `divmod(x, y)`'s quotient: a division by zero panics
    /// (`ZeroDivisionError`).
    Div(u64, u64),
    /// `abs(x)`.
    Abs(i64),
    /// `init(x)`, the initializer: sets this process's status to `x`
    /// (CPython's global `INITIALIZER_STATUS`) and returns it.
    Init(u64),
    /// `get_init_status()`: this process's status, 0 if `Init` never ran.
    Status,
    /// `os.getpid()`.
    Pid,
    /// `time.sleep(ms / 1000)`; returns 0.
    Sleep(u64),
    /// `raise RuntimeError(message)`: a panic.
    Raise(String),
    /// `sleep_and_raise(t)`: sleeps, then panics with the message.
    SleepThenRaise(u64, String),
    /// `sys.exit(code)`: the worker process exits.
    Exit(i32),
    /// `_crash(delay)`: sleeps, then the worker process aborts (CPython
    /// segfaults on purpose).
    SleepThenCrash(u64),
}

/// Runs `call` in this (worker) process.
pub fn call(call: Call) -> u64 {
    match call {
        Call::Mul(x, y) => x * y,
        Call::Pow(x, y) => x.pow(y),
        Call::Div(x, y) => x / y,
        Call::Abs(x) => x.unsigned_abs(),
        Call::Init(x) => {
            STATUS.store(x, Ordering::SeqCst);
            x
        }
        Call::Status => STATUS.load(Ordering::SeqCst),
        Call::Pid => u64::from(std::process::id()),
        Call::Sleep(ms) => {
            std::thread::sleep(Duration::from_millis(ms));
            0
        }
        Call::Raise(message) => panic!("{message}"),
        Call::SleepThenRaise(ms, message) => {
            std::thread::sleep(Duration::from_millis(ms));
            panic!("{message}")
        }
        Call::Exit(code) => std::process::exit(code),
        Call::SleepThenCrash(ms) => {
            std::thread::sleep(Duration::from_millis(ms));
            std::process::abort()
        }
    }
}

/// What a [`Trapped`] value does when it is encoded or decoded (CPython's
/// `ErrorAtPickle`, `ExitAtUnpickle`, `CrashAtPickle`, …). As a plain
/// value (in [`Then::Return`]) it travels without springing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Trap {
    /// Nothing: an ordinary value.
    Nothing,
    /// Its `Serialize` fails ("Error in pickle").
    ErrorAtEncode,
    /// Its `Serialize` exits the process (code 1).
    ExitAtEncode,
    /// Its `Serialize` aborts the process.
    CrashAtEncode,
    /// Its `Deserialize` fails ("Error in unpickle").
    ErrorAtDecode,
    /// Its `Deserialize` exits the process (code 1).
    ExitAtDecode,
    /// Its `Deserialize` aborts the process.
    CrashAtDecode,
}

const ALL_TRAPS: [Trap; 7] = [
    Trap::Nothing,
    Trap::ErrorAtEncode,
    Trap::ExitAtEncode,
    Trap::CrashAtEncode,
    Trap::ErrorAtDecode,
    Trap::ExitAtDecode,
    Trap::CrashAtDecode,
];

/// A value that springs its [`Trap`] when it is encoded or decoded —
/// whichever process that happens in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Trapped(pub Trap);

impl Serialize for Trapped {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self.0 {
            Trap::ErrorAtEncode => Err(serde::ser::Error::custom("Error in pickle")),
            Trap::ExitAtEncode => std::process::exit(1),
            Trap::CrashAtEncode => std::process::abort(),
            trap => {
                let index = ALL_TRAPS.iter().position(|t| *t == trap).unwrap_or(0);
                serializer.serialize_u8(index as u8)
            }
        }
    }
}

impl<'de> Deserialize<'de> for Trapped {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let index = u8::deserialize(deserializer)?;
        match ALL_TRAPS.get(usize::from(index)).copied() {
            Some(Trap::ErrorAtDecode) => Err(D::Error::custom("Error in unpickle")),
            Some(Trap::ExitAtDecode) => std::process::exit(1),
            Some(Trap::CrashAtDecode) => std::process::abort(),
            Some(trap) => Ok(Trapped(trap)),
            None => Err(D::Error::custom("no such trap")),
        }
    }
}

/// A deadlock test's task: an argument that may spring a trap when the
/// worker decodes it, then either a call or a result that may spring one
/// when the worker encodes it or the caller decodes it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TrapTask {
    /// CPython's `id(obj)` argument.
    pub argument: Trapped,
    /// What the worker does with it.
    pub then: Then,
}

/// What a [`TrapTask`] does once its argument is decoded.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub enum Then {
    /// Returns a value with this trap (`_return_instance(cls)`).
    Return(Trap),
    /// Makes this call first (a crash, an exit, a panic), then returns an
    /// ordinary value.
    Call(Call),
}

/// Runs a [`TrapTask`] in this (worker) process.
pub fn trap_task(task: TrapTask) -> Trapped {
    match task.then {
        Then::Return(trap) => Trapped(trap),
        Then::Call(what) => {
            call(what);
            Trapped(Trap::Nothing)
        }
    }
}
