//! Logging that shows *who* did *what* *when*: elapsed time, process id and
//! thread name on every line.
//!
//! This is the module README's "integration with logging". Python's answer is
//! `logging.basicConfig(format="%(relativeCreated)d %(process)d
//! %(threadName)s %(message)s")`; ours is [`init`], which sets up
//! [`tracing_subscriber`] the same way:
//!
//! ```text
//!   0.412s pid=41207 worker-2  INFO executors::pool: task 7 completed
//! ```
//!
//! * Lines go to **stderr**, so a chapter's results on stdout stay clean and
//!   can be piped.
//! * The level comes from `RUST_LOG` (`RUST_LOG=debug cargo run -p …`, or
//!   per module: `RUST_LOG=common::pool=debug,info`), or `info` when it is
//!   unset or cannot be read.
//! * Colours are used only when stderr is a terminal, so pipes, files and CI
//!   logs get plain text.
//! * Each event is written with one `write` call on a locked handle, so lines
//!   from many threads never tear into each other.

use std::io::IsTerminal;
use std::sync::OnceLock;
use std::time::Instant;

use tracing::level_filters::LevelFilter;
use tracing_subscriber::filter::Targets;
use tracing_subscriber::fmt::format::Writer;
use tracing_subscriber::fmt::time::FormatTime;
use tracing_subscriber::prelude::*;

/// The instant logging started; every line shows the time since then.
static START: OnceLock<Instant> = OnceLock::new();

/// Sets up logging for this process. Safe to call any number of times, from
/// any thread: only the first call installs the subscriber.
///
/// Idempotence matters because `cargo test` runs many tests as threads of one
/// process, and each may call `init()`; nextest runs each test in its own
/// process. Both must work.
///
/// ```
/// common::log::init();
/// common::log::init(); // a second call is a no-op, not a panic
/// tracing::info!("ready");
/// ```
pub fn init() {
    START.get_or_init(Instant::now);
    let filter = filter_from(std::env::var("RUST_LOG").ok().as_deref());
    let lines = tracing_subscriber::fmt::layer()
        .with_writer(std::io::stderr)
        .with_ansi(
            std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none(),
        )
        .with_timer(ElapsedAndPid)
        .with_thread_names(true);
    // `try_init` returns Err when a global subscriber already exists (an
    // earlier call, or a test harness that set its own). Either way logging
    // works, so there is nothing to report.
    let _ = tracing_subscriber::registry().with(lines.with_filter(filter)).try_init();
}

/// The filter a `RUST_LOG` value asks for: comma-separated `target=level`
/// directives and at most one bare level for everything else (`debug`,
/// `common::pool=trace,info`). Unset or unreadable: `info`.
///
/// (tracing-subscriber's `EnvFilter` reads richer syntax — span fields,
/// regular expressions — at the price of a regex engine in every build;
/// these chapters only need levels per module.)
pub fn filter_from(spec: Option<&str>) -> Targets {
    let info = Targets::new().with_default(LevelFilter::INFO);
    match spec.map(str::trim) {
        None | Some("") => info,
        Some(spec) => spec.parse().unwrap_or(info),
    }
}

/// Time since [`init`] (or since the first call of this function), as used
/// in the log lines.
pub fn uptime() -> std::time::Duration {
    START.get_or_init(Instant::now).elapsed()
}

/// Writes `  0.412s pid=41207` where a log line's timestamp would go.
///
/// Elapsed seconds are easier to compare across threads than wall-clock
/// times, and the pid tells the parent's lines from its children's when
/// several processes share one terminal.
struct ElapsedAndPid;

impl FormatTime for ElapsedAndPid {
    fn format_time(&self, w: &mut Writer<'_>) -> std::fmt::Result {
        write!(w, "{:>8.3}s pid={}", uptime().as_secs_f64(), std::process::id())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn init_is_idempotent_across_threads() {
        let handles: Vec<_> = (0..4).map(|_| std::thread::spawn(init)).collect();
        for handle in handles {
            handle.join().expect("init must not panic");
        }
        init();
        // Some call installed the subscriber (the others were no-ops).
        assert!(tracing::dispatcher::has_been_set());
    }

    #[test]
    fn rust_log_sets_levels_per_target_with_info_as_the_fallback() {
        use tracing::Level;
        let debug = filter_from(Some("debug"));
        assert!(debug.would_enable("anything", &Level::DEBUG));
        assert!(!debug.would_enable("anything", &Level::TRACE));

        let mixed = filter_from(Some("common::pool=trace,warn"));
        assert!(mixed.would_enable("common::pool::process", &Level::TRACE));
        assert!(!mixed.would_enable("factorial", &Level::INFO));
        assert!(mixed.would_enable("factorial", &Level::WARN));

        for fallback in [None, Some(""), Some("=nonsense=")] {
            let filter = filter_from(fallback);
            assert!(filter.would_enable("x", &Level::INFO), "{fallback:?}");
            assert!(!filter.would_enable("x", &Level::DEBUG), "{fallback:?}");
        }
    }

    #[test]
    fn timer_writes_elapsed_and_pid() {
        let mut text = String::new();
        ElapsedAndPid
            .format_time(&mut Writer::new(&mut text))
            .expect("writing to a String");
        assert!(text.ends_with(&format!("s pid={}", std::process::id())), "{text}");
    }
}
