//! A chapter binary's whole `main`, and the settings most chapters need.
//!
//! Every chapter has the same shape (the top README's "Layout" shows it):
//!
//! * `src/lib.rs` declares `SECTIONS`, a table of [`Section`]s, each naming
//!   the lesson function that runs it, and the chapter's `Config`;
//! * `src/worker.rs`, in a chapter that starts child processes, is what the
//!   binary does when re-run as one of them ([`crate::worker`]);
//! * `src/main.rs` hands those three to [`Chapter`]:
//!
//! ```no_run
//! use std::path::PathBuf;
//! use std::process::ExitCode;
//!
//! use common::chapter::{Chapter, Settings};
//! use common::scale::Scale;
//! use common::sections::Section;
//!
//! // src/lib.rs
//! pub type Config = Settings;
//! pub fn config(quick: bool, worker_exe: PathBuf) -> Config {
//!     Settings::new(Scale::divide_sleeps_by(10).quick_divides_by(5).quick(quick), worker_exe)
//! }
//! fn hello(config: &Config) -> anyhow::Result<()> {
//!     println!("the notebook's 2 s sleep is {:?} here", config.scale.sleep(2.0));
//!     Ok(())
//! }
//! pub const SECTIONS: &[Section<Config>] =
//!     &[Section { number: 1, name: "hello", title: "Hello", run: hello }];
//!
//! // src/worker.rs
//! fn worker_main(role: &[String]) -> ExitCode {
//!     eprintln!("unknown worker role {role:?}");
//!     ExitCode::FAILURE
//! }
//!
//! // src/main.rs
//! fn main() -> anyhow::Result<ExitCode> {
//!     let about = "Notebook 250: hello";
//!     Chapter::new(about, SECTIONS, config).worker(worker_main).main()
//! }
//! ```
//!
//! A chapter with flags or commands of its own (factorial's `--n`,
//! webscraping's `fetch`) writes its own clap `Cli` and ends its `main` with
//! [`sections::run`], as [`Chapter::main`] does.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, FromArgMatches};

use crate::scale::Scale;
use crate::sections::{self, Framing, Section, SectionArgs};

/// The settings of a chapter that needs nothing else: how this run scales
/// the notebook, and the binary its child processes run.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The notebook's sleeps and sizes, for this run.
    pub scale: Scale,
    /// The binary child processes run: `current_exe()` in `main`,
    /// `env!("CARGO_BIN_EXE_<chapter>")` in integration tests (inside a test,
    /// `current_exe()` is the test harness).
    pub worker_exe: PathBuf,
}

impl Settings {
    /// Settings with this scale and worker binary.
    pub fn new(scale: Scale, worker_exe: PathBuf) -> Self {
        Self { scale, worker_exe }
    }
}

/// A chapter binary whose command line is [`SectionArgs`] alone.
pub struct Chapter<C: 'static> {
    about: &'static str,
    sections: &'static [Section<C>],
    config: fn(bool, PathBuf) -> C,
    worker: Option<fn(&[String]) -> ExitCode>,
}

impl<C> Chapter<C> {
    /// A chapter: its one-line description (for `--help`), its sections,
    /// and how to build its settings from `--quick` and this binary's path.
    pub fn new(
        about: &'static str,
        sections: &'static [Section<C>],
        config: fn(bool, PathBuf) -> C,
    ) -> Self {
        Self { about, sections, config, worker: None }
    }

    /// What the binary does when re-run as a worker process
    /// ([`crate::worker`]): called with the role's arguments.
    pub fn worker(self, worker: fn(&[String]) -> ExitCode) -> Self {
        Self { worker: Some(worker), ..self }
    }

    /// The whole `main`: a worker role first (a worker must not parse the
    /// user's command line or print the chapter), then the command line,
    /// the settings, and the chosen sections under their banners.
    pub fn main(&self) -> anyhow::Result<ExitCode> {
        if let Some(worker) = self.worker
            && let Some(role) = crate::worker::role()
        {
            return Ok(worker(&role));
        }
        // clap names the program in `Usage:` after argv[0], as typed.
        let command = SectionArgs::augment_args(clap::Command::new("chapter"))
            .about(self.about)
            .after_help(sections::help(self.sections));
        let matches = command
            .try_get_matches()
            .unwrap_or_else(|err| sections::exit_on_one_line(err));
        let args = SectionArgs::from_arg_matches(&matches)
            .unwrap_or_else(|err| sections::exit_on_one_line(err));
        let config = (self.config)(args.quick, std::env::current_exe()?);
        sections::run(self.sections, &args, &config, Framing::Banners)
    }
}
