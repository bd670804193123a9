//! A chapter binary's whole `main`, and the settings most chapters need.
//!
//! Every chapter has the same shape (the top README's "Layout" shows it):
//!
//! * `src/lib.rs` declares `SECTIONS`, a table of [`Section`]s, each naming
//!   the lesson function that runs it, and the chapter's `Config`: most
//!   chapters' is [`Settings`], built from their [`Scale`] by
//!   [`Chapter::scaled`];
//! * `src/worker.rs`, in a chapter that starts child processes, is what the
//!   binary does when re-run as one of them ([`crate::worker`]);
//! * `src/main.rs` hands those to [`Chapter`], and is one expression:
//!   `Chapter::scaled(about, SECTIONS, SCALE)` (or [`Chapter::new`] or
//!   [`Chapter::checked`] for settings of the chapter's own), the optional
//!   steps, then [`.main()`](Chapter::main).
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
//! pub const SCALE: Scale = Scale::divide_sleeps_by(10).quick_divides_by(5);
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
//!     Chapter::scaled(about, SECTIONS, SCALE).worker(worker_main).main()
//! }
//! ```
//!
//! A chapter with options of its own writes them as a clap [`Args`] struct
//! (factorial's `--n`, webscraping's `--json`) and builds its settings with
//! [`Chapter::checked`]: the settings function gets [`RunArgs`] with those
//! options beside the section and `--quick`, and refuses a bad combination
//! before anything is printed. The other steps a chapter may add, each by
//! name in its `main`:
//!
//! * [`.start(…)`](Chapter::start): what runs once before the sections and
//!   gives them what they run on (factorial sizes rayon's pool; webscraping
//!   starts its local site);
//! * [`.worker(…)`](Chapter::worker): the worker-process entry;
//! * [`.commands(…)`](Chapter::commands): commands besides the sections
//!   (webscraping's `serve`, `fetch`, `crawl`), a clap [`Subcommand`] enum;
//! * [`.framing(…)`](Chapter::framing): whether a run prints the build note
//!   and banners (webscraping's `--json` prints JSON alone).
//!
//! ```no_run
//! use std::path::PathBuf;
//! use std::process::ExitCode;
//!
//! use common::chapter::{Chapter, RunArgs};
//! use common::sections::{Framing, Section};
//!
//! /// The chapter's own options.
//! #[derive(Debug, Clone, Default, clap::Args)]
//! pub struct Options {
//!     /// Print JSON only.
//!     #[arg(long)]
//!     pub json: bool,
//! }
//! impl Options {
//!     fn framing(&self) -> Framing {
//!         if self.json { Framing::Bare } else { Framing::Banners }
//!     }
//! }
//! pub struct Config { json: bool }
//! impl Config {
//!     fn from_args(args: &RunArgs<Options>, _exe: PathBuf) -> Result<Self, clap::Error> {
//!         if args.options.json && args.sections.section.is_none() {
//!             let message = "--json needs one section\n";
//!             return Err(clap::Error::raw(clap::error::ErrorKind::ArgumentConflict, message));
//!         }
//!         Ok(Config { json: args.options.json })
//!     }
//! }
//! /// What the sections run on, started once from the settings.
//! pub struct Site { config: Config }
//! impl Site {
//!     fn start(config: Config) -> anyhow::Result<Self> {
//!         Ok(Site { config })
//!     }
//! }
//! fn hello(site: &Site) -> anyhow::Result<()> {
//!     println!("{}", if site.config.json { "{}" } else { "hello" });
//!     Ok(())
//! }
//! const SECTIONS: &[Section<Site>] =
//!     &[Section { number: 1, name: "hello", title: "Hello", run: hello }];
//!
//! /// The commands besides the sections.
//! #[derive(Debug, clap::Subcommand)]
//! enum Command {
//!     /// Say hello without a site.
//!     Greet,
//! }
//! impl Command {
//!     fn run(self, _config: Config) -> anyhow::Result<ExitCode> {
//!         println!("hello");
//!         Ok(ExitCode::SUCCESS)
//!     }
//! }
//!
//! fn main() -> anyhow::Result<ExitCode> {
//!     let about = "Notebook 251: hello, with options";
//!     Chapter::checked(about, SECTIONS, Config::from_args)
//!         .start(Site::start)
//!         .framing(Options::framing)
//!         .commands(Command::run)
//!         .main()
//! }
//! ```
//!
//! The command line is parsed in one place, [`Chapter::main`]: a bad
//! argument, an unknown section, or a settings function's refusal is one
//! line on stderr and exit code 2 ([`sections::exit_on_one_line`]).

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{ArgMatches, Args, FromArgMatches, Subcommand};

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

/// A run's command line, parsed: the section and `--quick` every chapter
/// takes, and the chapter's own options `X` ([`NoOptions`] for most).
#[derive(Debug, Clone, Default)]
pub struct RunArgs<X = NoOptions> {
    /// The section to run (all when `None`) and `--quick`.
    pub sections: SectionArgs,
    /// The chapter's own options.
    pub options: X,
}

impl<X: Default> RunArgs<X> {
    /// A `--quick` run of every section with the chapter's default options:
    /// what tests build a chapter's settings from.
    pub fn quick() -> Self {
        Self {
            sections: SectionArgs { section: None, quick: true },
            options: X::default(),
        }
    }
}

/// The options of a chapter that has none besides the section and
/// `--quick`.
#[derive(Debug, Clone, Copy, Default, clap::Args)]
pub struct NoOptions {}

/// How a chapter's sections get what they run on from its settings, once,
/// after the command line is checked and before the first section: the
/// settings themselves ([`OnSettings`]), or the function given to
/// [`Chapter::start`].
pub trait Start<S, C> {
    /// What the sections run on, made from the settings.
    fn start(&self, settings: S) -> anyhow::Result<C>;
}

/// The sections run on the chapter's settings as they are (no
/// [`Chapter::start`] step).
#[derive(Debug, Clone, Copy)]
pub struct OnSettings;

impl<C> Start<C, C> for OnSettings {
    fn start(&self, settings: C) -> anyhow::Result<C> {
        Ok(settings)
    }
}

impl<S, C> Start<S, C> for StartFn<S, C> {
    fn start(&self, settings: S) -> anyhow::Result<C> {
        self(settings)
    }
}

/// A start step given to [`Chapter::start`]: the settings in, what the
/// sections run on out.
pub type StartFn<S, C> = fn(S) -> anyhow::Result<C>;

/// How a command is run: the parsed command line, the run's settings.
type RunCommand<S> = Box<dyn Fn(&ArgMatches, S) -> anyhow::Result<ExitCode>>;

/// How a settings function is stored: [`Chapter::new`]'s cannot fail,
/// [`Chapter::checked`]'s can.
type SettingsFn<X, S> = Box<dyn Fn(&RunArgs<X>, PathBuf) -> Result<S, clap::Error>>;

/// Commands besides the sections ([`Chapter::commands`]).
struct Commands<S> {
    /// Adds the subcommands to the command line.
    augment: fn(clap::Command) -> clap::Command,
    /// Runs the subcommand given, if any, with the run's settings.
    run: RunCommand<S>,
}

/// A chapter binary: its sections (run on `C`), its own options `X`, its
/// settings `S` (usually `C` itself), and how the sections start from the
/// settings (`T`, see [`Start`]). Built by [`Chapter::new`] or
/// [`Chapter::checked`], then run by [`Chapter::main`].
pub struct Chapter<C: 'static, X = NoOptions, S = C, T = OnSettings> {
    about: &'static str,
    sections: &'static [Section<C>],
    settings: SettingsFn<X, S>,
    start: T,
    worker: Option<fn(&[String]) -> ExitCode>,
    commands: Option<Commands<S>>,
    framing: fn(&X) -> Framing,
}

/// The framing of a chapter that does not choose one: banners.
fn banners<X>(_: &X) -> Framing {
    Framing::Banners
}

impl<C: 'static> Chapter<C> {
    /// A chapter whose only options are the section and `--quick`: its
    /// one-line description (for `--help`), its sections, and how to build
    /// its settings from the command line and this binary's path.
    pub fn new(
        about: &'static str,
        sections: &'static [Section<C>],
        settings: fn(&RunArgs, PathBuf) -> C,
    ) -> Self {
        Self {
            about,
            sections,
            settings: Box::new(move |args, exe| Ok(settings(args, exe))),
            start: OnSettings,
            worker: None,
            commands: None,
            framing: banners,
        }
    }
}

impl Chapter<Settings> {
    /// A chapter whose sections run on [`Settings`] and whose only options
    /// are the section and `--quick`: its settings are `scale` (made quick
    /// by `--quick`) and this binary as the worker.
    pub fn scaled(
        about: &'static str,
        sections: &'static [Section<Settings>],
        scale: Scale,
    ) -> Self {
        Self {
            settings: Box::new(move |args: &RunArgs, exe| {
                Ok(Settings::new(scale.quick(args.sections.quick), exe))
            }),
            about,
            sections,
            start: OnSettings,
            worker: None,
            commands: None,
            framing: banners,
        }
    }
}

impl<C: 'static, X: Args + 'static, S: 'static> Chapter<C, X, S> {
    /// A chapter with options of its own (`X`, a clap [`Args`] struct,
    /// flattened beside the section and `--quick`): its settings function
    /// checks them and builds the settings once, or refuses the run with a
    /// clap error (one line, exit code 2) before anything is printed.
    pub fn checked(
        about: &'static str,
        sections: &'static [Section<C>],
        settings: fn(&RunArgs<X>, PathBuf) -> Result<S, clap::Error>,
    ) -> Self {
        Self {
            about,
            sections,
            settings: Box::new(settings),
            start: OnSettings,
            worker: None,
            commands: None,
            framing: banners,
        }
    }

    /// The step between the settings and the first section, run once and
    /// only when sections run (not for a command): it may do work (size a
    /// thread pool, start a server) and gives the sections what they run on.
    /// Its error is the run's error (exit code 1).
    pub fn start(self, start: StartFn<S, C>) -> Chapter<C, X, S, StartFn<S, C>> {
        let Self { about, sections, settings, start: _, worker, commands, framing } =
            self;
        Chapter { about, sections, settings, start, worker, commands, framing }
    }
}

impl<C: 'static, X: Args + 'static, S: 'static, T: Start<S, C>> Chapter<C, X, S, T> {
    /// What the binary does when re-run as a worker process
    /// ([`crate::worker`]): called with the role's arguments.
    pub fn worker(self, worker: fn(&[String]) -> ExitCode) -> Self {
        Self { worker: Some(worker), ..self }
    }

    /// Commands besides the sections: a clap [`Subcommand`] enum and the
    /// function that runs one with the run's settings. A command and a
    /// section cannot be given together.
    pub fn commands<K: Subcommand + 'static>(
        self,
        run: fn(K, S) -> anyhow::Result<ExitCode>,
    ) -> Self {
        let commands = Commands {
            augment: K::augment_subcommands,
            run: Box::new(move |matches, settings| {
                let command = K::from_arg_matches(matches)
                    .unwrap_or_else(|err| sections::exit_on_one_line(err));
                run(command, settings)
            }),
        };
        Self { commands: Some(commands), ..self }
    }

    /// What a run prints around the lessons' output, from the chapter's
    /// options: [`Framing::Banners`] unless this says otherwise.
    pub fn framing(self, framing: fn(&X) -> Framing) -> Self {
        Self { framing, ..self }
    }

    /// The whole `main`: a worker role first (a worker must not parse the
    /// user's command line or print the chapter), then the command line,
    /// the settings, a command if one was given, else the start step and
    /// the chosen sections.
    pub fn main(&self) -> anyhow::Result<ExitCode> {
        // `| head` closing the output ends the run with exit code 141, not
        // a panic (crate::stdout).
        crate::stdout::run(|| self.main_inner())
    }

    fn main_inner(&self) -> anyhow::Result<ExitCode> {
        if let Some(worker) = self.worker
            && let Some(role) = crate::worker::role()
        {
            return Ok(worker(&role));
        }
        let (args, matches) = self.parse();
        let settings = (self.settings)(&args, std::env::current_exe()?)
            .unwrap_or_else(|err| sections::exit_on_one_line(err));
        if let Some(commands) = &self.commands
            && matches.subcommand().is_some()
        {
            return (commands.run)(&matches, settings);
        }
        let framing = (self.framing)(&args.options);
        let context = self.start.start(settings)?;
        sections::run(self.sections, &args.sections, &context, framing)
    }

    /// The command line: the section and `--quick`, the chapter's options,
    /// its commands, and the section list under `--help`. Exits with one
    /// line (code 2) on a bad argument or an unknown section.
    fn parse(&self) -> (RunArgs<X>, ArgMatches) {
        self.parse_from(std::env::args_os())
            .unwrap_or_else(|err| sections::exit_on_one_line(err))
    }

    /// [`parse`](Self::parse) of `argv` (the program's name first), with
    /// clap's error returned instead of printed.
    fn parse_from(
        &self,
        argv: impl IntoIterator<Item = std::ffi::OsString>,
    ) -> Result<(RunArgs<X>, ArgMatches), clap::Error> {
        // clap names the program in `Usage:` after argv[0], as typed.
        let mut command = clap::Command::new("chapter");
        if let Some(commands) = &self.commands {
            command = (commands.augment)(command).args_conflicts_with_subcommands(true);
        }
        // After the arguments: a derived `Args` sets its doc comment as the
        // description, and the chapter's is the one to show.
        let command = X::augment_args(SectionArgs::augment_args(command))
            .about(self.about)
            .long_about(None)
            .after_help(sections::help(self.sections));
        let argv: Vec<std::ffi::OsString> = argv.into_iter().collect();
        let commands: Vec<String> =
            command.get_subcommands().map(|c| c.get_name().to_string()).collect();
        let matches = command
            .try_get_matches_from(&argv)
            .map_err(|err| command_after_options(err, &argv, &commands))?;
        let sections = SectionArgs::from_arg_matches(&matches)?;
        let options = X::from_arg_matches(&matches)?;
        sections.chosen(self.sections)?;
        Ok((RunArgs { sections, options }, matches))
    }
}

/// clap's error for `chapter --env plain fetch URL`, where a command
/// follows options, names neither (it reads the command as a section, then
/// what follows as a command or as an unknown option): the command must come
/// first. Other errors pass through.
fn command_after_options(
    err: clap::Error,
    argv: &[std::ffi::OsString],
    commands: &[String],
) -> clap::Error {
    let args: Vec<String> =
        argv.iter().map(|a| a.to_string_lossy().into_owned()).collect();
    let misplaced = args
        .iter()
        .enumerate()
        .skip(2)
        .find(|(_, arg)| commands.contains(arg) && !arg.starts_with('-'));
    let starts_with_an_option = args.get(1).is_some_and(|arg| arg.starts_with('-'));
    let confused = matches!(
        err.kind(),
        clap::error::ErrorKind::ArgumentConflict
            | clap::error::ErrorKind::UnknownArgument
    );
    match misplaced {
        Some((at, name)) if starts_with_an_option && confused => {
            let program = std::path::Path::new(&args[0])
                .file_name()
                .map_or(args[0].clone(), |name| name.to_string_lossy().into_owned());
            let rest: Vec<&str> = args
                .iter()
                .enumerate()
                .skip(1)
                .filter(|&(i, _)| i != at)
                .map(|(_, arg)| arg.as_str())
                .collect();
            clap::Error::raw(
                clap::error::ErrorKind::ArgumentConflict,
                format!(
                    "the command `{name}` comes first, then its options: \
                     `{program} {name} {}`\n",
                    rest.join(" ")
                ),
            )
        }
        _ => err,
    }
}

#[cfg(test)]
mod tests {
    use std::ffi::OsString;

    use clap::error::ErrorKind;

    use super::*;

    /// A chapter's own options.
    #[derive(Debug, Clone, Default, clap::Args)]
    struct Options {
        /// n for section 4.
        #[arg(long)]
        n: Option<u64>,
    }

    /// Its commands.
    #[derive(Debug, clap::Subcommand)]
    enum Command {
        /// Serve pages.
        Serve {
            /// How many.
            #[arg(long, default_value_t = 1)]
            pages: usize,
        },
    }

    struct Config;

    fn settings(_: &RunArgs<Options>, _: PathBuf) -> Result<Config, clap::Error> {
        Ok(Config)
    }

    fn lesson(_: &Config) -> anyhow::Result<()> {
        Ok(())
    }

    fn serve(_: Command, _: Config) -> anyhow::Result<ExitCode> {
        Ok(ExitCode::SUCCESS)
    }

    const SECTIONS: &[Section<Config>] = &[
        Section { number: 1, name: "intro", title: "Intro", run: lesson },
        Section { number: 4, name: "huge", title: "Huge", run: lesson },
    ];

    fn chapter() -> Chapter<Config, Options> {
        Chapter::checked("Notebook 250: a test", SECTIONS, settings).commands(serve)
    }

    fn argv(line: &str) -> Vec<OsString> {
        std::iter::once("chapter")
            .chain(line.split_whitespace())
            .map(Into::into)
            .collect()
    }

    #[test]
    fn options_sit_beside_the_section_and_quick() {
        let (args, matches) = chapter().parse_from(argv("huge --n 5 --quick")).unwrap();
        assert_eq!(args.sections.section.as_deref(), Some("huge"));
        assert!(args.sections.quick);
        assert_eq!(args.options.n, Some(5));
        assert!(matches.subcommand().is_none());
    }

    #[test]
    fn a_command_is_parsed_and_cannot_come_with_a_section() {
        let (args, matches) = chapter().parse_from(argv("serve --pages 3")).unwrap();
        assert_eq!(matches.subcommand_name(), Some("serve"));
        assert_eq!(args.sections.section, None);
        assert!(chapter().parse_from(argv("huge serve")).is_err());
        assert!(chapter().parse_from(argv("--quick serve")).is_err());
        // An option before a command: clap would call the command's own
        // argument a command; the error says where the command goes.
        let err = chapter().parse_from(argv("--n 5 serve --pages 3")).unwrap_err();
        assert_eq!(err.exit_code(), 2);
        let text = err.to_string();
        assert!(
            text.contains("the command `serve` comes first, then its options: `chapter serve --n 5 --pages 3`"),
            "{text}"
        );
    }

    #[test]
    fn an_unknown_section_is_a_clap_error() {
        let err = chapter().parse_from(argv("nine")).unwrap_err();
        assert_eq!(err.exit_code(), 2);
        assert!(err.to_string().contains("no section `nine`"), "{err}");
    }

    #[test]
    fn help_shows_the_chapter_its_sections_and_commands() {
        let err = chapter().parse_from(argv("--help")).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::DisplayHelp);
        let text = err.render().to_string();
        assert!(text.starts_with("Notebook 250: a test\n"), "{text}");
        assert!(text.contains("   4  huge"), "{text}");
        assert!(text.contains("serve"), "{text}");
        assert!(text.contains("--n <N>"), "{text}");
    }

    #[test]
    fn a_chapter_without_options_takes_the_section_and_quick_alone() {
        let chapter = Chapter::new("about", SECTIONS, |_, _| Config);
        let (args, _) = chapter.parse_from(argv("1 --quick")).unwrap();
        assert_eq!(args.sections.section.as_deref(), Some("1"));
        assert!(chapter.parse_from(argv("1 --n 5")).is_err());
    }
}
