//! What section 3's numbers mean, in words ([`crate::gil`] prints them):
//! each sentence is chosen from the run's own comparisons, so that no
//! sentence can contradict the figures beside it (one CPU, busy cores).

use common::verdict::{Comparison, Contention, Verdict};

/// What the simulated GIL's comparison with serial means.
pub fn gil_meaning(verdict: Verdict) -> &'static str {
    match verdict {
        Verdict::Tie | Verdict::Slower => "Taking turns gains nothing, as in CPython.",
        Verdict::Faster => {
            "Yet only one thread computed at a time: something else slowed the serial run."
        }
    }
}

/// What the free threads' comparison with serial means, and why a speedup
/// did not show when it did not.
/// `free` is against serial, `against_gil` against the simulated-GIL run
/// (which cannot compute in parallel: beating serial but not it means the
/// serial run was slow, not that the threads ran at once).
pub fn free_meaning(
    free: Comparison,
    against_gil: Comparison,
    contention: &Contention,
) -> String {
    match free.verdict {
        Verdict::Faster
            if contention.cpus_allowed > 1 && against_gil.verdict == Verdict::Faster =>
        {
            format!(
                "They computed in parallel, on more than one core (and were {against_gil}\n\
                 than the GIL run, which cannot)."
            )
        }
        Verdict::Faster if contention.cpus_allowed > 1 => format!(
            "But against the GIL run, which cannot compute in parallel: {against_gil}.\n\
             So no parallel speedup shows: something else slowed the serial run."
        ),
        Verdict::Faster => {
            "On 1 CPU that cannot be parallelism: something else slowed the serial run."
                .to_string()
        }
        Verdict::Tie | Verdict::Slower => {
            format!("No parallel speedup in this run:\n{}.", contention.reason())
        }
    }
}
