//! A chapter's sections: declared once, chosen from the command line, run.
//!
//! Every chapter binary runs its notebook's sections in order when given no
//! argument, and runs one section when given its number (`4`) or its name
//! (`threading-basics`). The chapter declares its sections once, as a
//! `const` table of [`Section`]s that also names the function each one runs,
//! and hands the table to [`crate::chapter::Chapter`], which parses the
//! command line into [`SectionArgs`] and calls [`run`]:
//!
//! ```
//! use common::sections::{self, Framing, Section, SectionArgs};
//!
//! struct Config { quick: bool }
//!
//! fn intro(config: &Config) -> anyhow::Result<()> {
//!     println!("quick: {}", config.quick);
//!     Ok(())
//! }
//!
//! const SECTIONS: &[Section<Config>] =
//!     &[Section { number: 1, name: "intro", title: "Intro", run: intro }];
//!
//! let args = SectionArgs { section: Some("intro".into()), quick: true };
//! let config = Config { quick: args.quick };
//! sections::run(SECTIONS, &args, &config, Framing::Bare).unwrap();
//! ```
//!
//! A bad section, a bad option, or an option the chosen section does not use
//! ([`option_used_by`]) is one line on stderr and exit code 2.

use std::fmt::{self, Write as _};
use std::process::ExitCode;

use clap::error::ErrorKind;

/// One numbered section of a chapter, mirroring a notebook cell, and the
/// lesson that runs it. `C` is the chapter's run settings (its `Config`).
pub struct Section<C: 'static> {
    /// The number shown in the banner, as in the notebook ("## 4. …").
    pub number: u32,
    /// A short kebab-case name to select it on the command line.
    pub name: &'static str,
    /// The banner title.
    pub title: &'static str,
    /// The lesson: prints the section's output (the banner is already out).
    pub run: fn(&C) -> anyhow::Result<()>,
}

// Written out rather than derived: a derive would ask `C: Clone` / `C: Debug`
// of the chapter's settings, which a table of fn pointers does not need.
impl<C> Clone for Section<C> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<C> Copy for Section<C> {}

impl<C> fmt::Debug for Section<C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Section")
            .field("number", &self.number)
            .field("name", &self.name)
            .field("title", &self.title)
            .finish_non_exhaustive()
    }
}

/// Finds the section named or numbered by `arg`.
///
/// ```
/// use common::sections::{parse, Section};
/// fn nothing(_: &()) -> anyhow::Result<()> { Ok(()) }
/// const SECTIONS: &[Section<()>] = &[
///     Section { number: 1, name: "intro", title: "Introduction", run: nothing },
///     Section { number: 2, name: "gil", title: "The GIL", run: nothing },
/// ];
/// assert_eq!(parse(SECTIONS, "2").unwrap().name, "gil");
/// assert_eq!(parse(SECTIONS, "intro").unwrap().number, 1);
/// assert!(parse(SECTIONS, "nine").unwrap_err().contains("expected one of"));
/// ```
pub fn parse<C>(sections: &[Section<C>], arg: &str) -> Result<Section<C>, String> {
    let arg = arg.trim();
    sections
        .iter()
        .find(|s| {
            arg.parse::<u32>().is_ok_and(|n| n == s.number)
                || s.name.eq_ignore_ascii_case(arg)
        })
        .copied()
        .ok_or_else(|| {
            let names: Vec<String> =
                sections.iter().map(|s| format!("{}|{}", s.number, s.name)).collect();
            format!("no section `{arg}`; expected one of: {}", names.join(", "))
        })
}

/// The arguments every chapter takes: an optional section and `--quick`
/// ([`crate::chapter::RunArgs`] holds them beside a chapter's own options).
#[derive(Debug, Clone, Default, clap::Args)]
pub struct SectionArgs {
    /// Run only this section (number or name); all of them when omitted.
    pub section: Option<String>,
    /// Shrink every workload (used by the tests).
    #[arg(long)]
    pub quick: bool,
}

impl SectionArgs {
    /// The sections to run: the one named, or all of them in order. An
    /// unknown section is a clap error (`err.exit()` prints it on one line
    /// and exits with code 2).
    pub fn chosen<C>(
        &self,
        sections: &[Section<C>],
    ) -> Result<Vec<Section<C>>, clap::Error> {
        match &self.section {
            None => Ok(sections.to_vec()),
            Some(arg) => parse(sections, arg).map(|one| vec![one]).map_err(|msg| {
                clap::Error::raw(ErrorKind::InvalidValue, format!("{msg}\n"))
            }),
        }
    }
}

/// Ends the process for a command-line error: `--help` and `--version` print
/// as clap prints them; any other error is one line on stderr (clap's
/// message, with its tip if it has one, without the usage block clap adds)
/// and clap's exit code (2).
pub fn exit_on_one_line(err: clap::Error) -> ! {
    if matches!(err.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion) {
        err.exit()
    }
    eprintln!("{}", one_line(&err.render().to_string()));
    std::process::exit(err.exit_code())
}

/// clap's rendered error as one line: its first line, then its details (the
/// possible values, a tip) in parentheses; the usage block and the pointer
/// to `--help` are left out.
///
/// ```
/// use common::sections::one_line;
/// let clap = "error: unexpected argument '--nn' found\n\n  tip: a similar argument \
///             exists: '--n'\n\nUsage: factorial --n <N>\n\nFor more information, try '--help'.\n";
/// assert_eq!(
///     one_line(clap),
///     "error: unexpected argument '--nn' found (tip: a similar argument exists: '--n')"
/// );
/// let clap = "error: invalid value 'magic' for '--method <METHOD>'\n  \
///             [possible values: naive, tree]\n\nFor more information, try '--help'.\n";
/// assert_eq!(
///     one_line(clap),
///     "error: invalid value 'magic' for '--method <METHOD>' ([possible values: naive, tree])"
/// );
/// ```
pub fn one_line(rendered: &str) -> String {
    let mut lines = rendered
        .lines()
        .take_while(|l| {
            !l.starts_with("Usage:") && !l.starts_with("For more information")
        })
        .map(str::trim)
        .filter(|l| !l.is_empty());
    let mut line = lines.next().unwrap_or("error: bad command line").to_string();
    let details: Vec<&str> = lines.collect();
    if !details.is_empty() {
        let _ = write!(line, " ({})", details.join("; "));
    }
    line
}

/// Checks that an option a learner gave is used by a section that runs: an
/// option only some sections use (`used_by`, by number) is an error when
/// `args` chose one section that does not use it. (When every section runs,
/// the option applies to the ones that use it.)
///
/// ```
/// use common::sections::{option_used_by, Section, SectionArgs};
/// fn nothing(_: &()) -> anyhow::Result<()> { Ok(()) }
/// const SECTIONS: &[Section<()>] = &[
///     Section { number: 3, name: "lecture", title: "Lecture", run: nothing },
///     Section { number: 4, name: "huge", title: "Huge", run: nothing },
/// ];
/// let lecture = SectionArgs { section: Some("lecture".into()), quick: false };
/// let err = option_used_by(&lecture, SECTIONS, "--n", &[4]).unwrap_err();
/// assert_eq!(
///     err.to_string().trim(),
///     "error: --n is used only by section 4 (huge), not by section 3 (lecture)"
/// );
/// assert!(option_used_by(&SectionArgs::default(), SECTIONS, "--n", &[4]).is_ok());
/// ```
pub fn option_used_by<C>(
    args: &SectionArgs,
    sections: &[Section<C>],
    option: &str,
    used_by: &[u32],
) -> Result<(), clap::Error> {
    let chosen = args.chosen(sections)?;
    if chosen.iter().any(|s| used_by.contains(&s.number)) {
        return Ok(());
    }
    let users: Vec<String> = sections
        .iter()
        .filter(|s| used_by.contains(&s.number))
        .map(|s| format!("{} ({})", s.number, s.name))
        .collect();
    let users = match users.as_slice() {
        [one] => format!("section {one}"),
        [init @ .., last] => format!("sections {} and {last}", init.join(", ")),
        [] => "no section".to_string(),
    };
    let not: Vec<String> =
        chosen.iter().map(|s| format!("section {} ({})", s.number, s.name)).collect();
    Err(clap::Error::raw(
        ErrorKind::ArgumentConflict,
        format!("{option} is used only by {users}, not by {}\n", not.join(", ")),
    ))
}

/// The section list for `--help`: `  4  threading-basics    Threading basics`.
pub fn help<C>(sections: &[Section<C>]) -> String {
    let width = sections.iter().map(|s| s.name.len()).max().unwrap_or(0);
    let mut text =
        String::from("Sections (run one by number or name; none runs them all):\n");
    for s in sections {
        let _ = writeln!(text, "  {:>2}  {:width$}  {}", s.number, s.name, s.title);
    }
    text
}

/// What [`run`] prints around the lessons' own output.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Framing {
    /// The build note, then each section's banner before its output.
    Banners,
    /// Nothing but the lessons' output (for machine-readable runs, such as
    /// a section that prints JSON).
    Bare,
}

/// Runs a chapter: the sections chosen by `args` (all of them, in order, or
/// the one named), each under its banner, after the build note.
///
/// Starts logging first ([`crate::log::init`]). An unknown section exits
/// with clap's one-line error (code 2); the first lesson that fails stops the
/// run and its error is returned (`main` prints it, exit code 1).
pub fn run<C>(
    sections: &[Section<C>],
    args: &SectionArgs,
    config: &C,
    framing: Framing,
) -> anyhow::Result<ExitCode> {
    let chosen = args.chosen(sections).unwrap_or_else(|err| exit_on_one_line(err));
    crate::log::init();
    if framing == Framing::Banners {
        if let Some(note) = crate::report::build_note() {
            println!("{note}");
        }
        println!("{}", crate::report::GLOSSARY_NOTE);
    }
    for section in &chosen {
        if framing == Framing::Banners {
            println!("{}", crate::report::banner(section.number, section.title));
        }
        (section.run)(config)?;
    }
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use std::cell::RefCell;

    use super::*;

    /// Records which sections ran, in order.
    #[derive(Default)]
    struct Ran(RefCell<Vec<u32>>);

    fn lecture(ran: &Ran) -> anyhow::Result<()> {
        ran.0.borrow_mut().push(0);
        Ok(())
    }

    fn deadlock(ran: &Ran) -> anyhow::Result<()> {
        ran.0.borrow_mut().push(10);
        anyhow::bail!("deadlock detected")
    }

    const SECTIONS: &[Section<Ran>] = &[
        Section { number: 0, name: "lecture", title: "The lecture script", run: lecture },
        Section { number: 10, name: "deadlock", title: "Deadlock", run: deadlock },
    ];

    fn numbers(sections: &[Section<Ran>]) -> Vec<u32> {
        sections.iter().map(|s| s.number).collect()
    }

    #[test]
    fn number_and_name_both_select() {
        assert_eq!(parse(SECTIONS, "0").unwrap().name, "lecture");
        assert_eq!(parse(SECTIONS, "10").unwrap().name, "deadlock");
        assert_eq!(parse(SECTIONS, "DEADLOCK").unwrap().number, 10);
    }

    #[test]
    fn unknown_section_lists_the_choices() {
        let err = parse(SECTIONS, "7").unwrap_err();
        assert_eq!(err, "no section `7`; expected one of: 0|lecture, 10|deadlock");
    }

    #[test]
    fn chosen_is_all_sections_or_the_one_named() {
        let all = SectionArgs::default();
        assert_eq!(numbers(&all.chosen(SECTIONS).unwrap()), [0, 10]);
        let one = SectionArgs { section: Some("deadlock".into()), quick: false };
        assert_eq!(numbers(&one.chosen(SECTIONS).unwrap()), [10]);
        let bad = SectionArgs { section: Some("7".into()), quick: false };
        let err = bad.chosen(SECTIONS).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidValue);
        assert_eq!(err.exit_code(), 2);
        assert!(err.to_string().contains("no section `7`"), "{err}");
    }

    #[test]
    fn run_calls_each_chosen_lesson_once_in_order_and_stops_at_an_error() {
        let ran = Ran::default();
        let one = SectionArgs { section: Some("lecture".into()), quick: false };
        run(SECTIONS, &one, &ran, Framing::Bare).unwrap();
        assert_eq!(*ran.0.borrow(), [0]);

        let ran = Ran::default();
        let err =
            run(SECTIONS, &SectionArgs::default(), &ran, Framing::Bare).unwrap_err();
        assert_eq!(err.to_string(), "deadlock detected");
        assert_eq!(*ran.0.borrow(), [0, 10]);
    }

    #[test]
    fn help_lists_every_section() {
        let text = help(SECTIONS);
        assert!(text.contains("   0  lecture   The lecture script"), "{text}");
        assert!(text.contains("  10  deadlock  Deadlock"), "{text}");
    }
}
