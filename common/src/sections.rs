//! The list of a chapter's sections, and choosing one from the command line.
//!
//! Every chapter binary runs its notebook's sections in order when given no
//! argument, and runs one section when given its number (`4`) or its name
//! (`threading-basics`). The chapter declares its sections once, as a
//! `const` slice of [`Section`], and uses [`parse`] as a clap value parser so
//! a bad argument becomes clap's error and exit code 2.

use std::fmt::Write as _;

/// One numbered section of a chapter, mirroring a notebook cell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Section {
    /// The number shown in the banner, as in the notebook ("## 4. …").
    pub number: u32,
    /// A short kebab-case name to select it on the command line.
    pub name: &'static str,
    /// The banner title.
    pub title: &'static str,
}

/// Finds the section named or numbered by `arg`.
///
/// ```
/// use common::sections::{parse, Section};
/// const SECTIONS: &[Section] = &[
///     Section { number: 1, name: "intro", title: "Introduction" },
///     Section { number: 2, name: "gil", title: "The GIL" },
/// ];
/// assert_eq!(parse(SECTIONS, "2").unwrap().name, "gil");
/// assert_eq!(parse(SECTIONS, "intro").unwrap().number, 1);
/// assert!(parse(SECTIONS, "nine").unwrap_err().contains("expected one of"));
/// ```
pub fn parse(sections: &[Section], arg: &str) -> Result<Section, String> {
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

/// The section list for `--help`: `  4  threading-basics    Threading basics`.
pub fn help(sections: &[Section]) -> String {
    let width = sections.iter().map(|s| s.name.len()).max().unwrap_or(0);
    let mut text =
        String::from("Sections (run one by number or name; none runs them all):\n");
    for s in sections {
        let _ = writeln!(text, "  {:>2}  {:width$}  {}", s.number, s.name, s.title);
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECTIONS: &[Section] = &[
        Section { number: 0, name: "lecture", title: "The lecture script" },
        Section { number: 10, name: "deadlock", title: "Deadlock" },
    ];

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
    fn help_lists_every_section() {
        let text = help(SECTIONS);
        assert!(text.contains("   0  lecture   The lecture script"), "{text}");
        assert!(text.contains("  10  deadlock  Deadlock"), "{text}");
    }
}
