//! Section 9: when to use threads, processes and async — every item of the
//! notebook's summary, with what changes in Rust beside it.

use crate::Config;

/// One line of the notebook's summary and the Rust note beside it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Advice {
    /// The notebook's words.
    pub python: &'static str,
    /// What a Rust programmer does instead, or why the same holds.
    pub rust: &'static str,
}

/// A heading of the notebook's summary and its items, in the notebook's order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Group {
    /// "✓ USE THREADING WHEN", …
    pub heading: &'static str,
    /// Its items.
    pub items: &'static [Advice],
}

const fn advice(python: &'static str, rust: &'static str) -> Advice {
    Advice { python, rust }
}

/// The notebook's summary, item by item, each with its Rust note.
pub const SUMMARY: &[Group] = &[
    Group {
        heading: "✓ USE THREADING WHEN",
        items: &[
            advice(
                "I/O-bound operations (network, files, databases)",
                "the same: a thread per wait, or a pool (chapters executors, webscraping)",
            ),
            advice(
                "Simple concurrent tasks",
                "std::thread::scope: borrows locals, joins for you",
            ),
            advice(
                "Quick implementation needed",
                "threads are quick in Rust too; rayon's par_iter is quicker still",
            ),
            advice(
                "Shared state management is simple",
                "any shared state is checked: Mutex<T>, atomics, or it does not compile",
            ),
            advice(
                "Example: web scraping, API calls, file downloads",
                "chapter webscraping",
            ),
        ],
    },
    Group {
        heading: "✓ USE MULTIPROCESSING WHEN",
        items: &[
            advice(
                "CPU-bound operations",
                "use THREADS: no GIL, they run on every core (sections 3 and 6)",
            ),
            advice(
                "True parallelism on multiple cores needed",
                "threads already have it; processes add only start-up and copying",
            ),
            advice("Tasks are independent", "rayon: items.par_iter().map(f).collect()"),
            advice("Heavy computational work", "rayon, on threads (chapter factorial)"),
            advice(
                "Example: image processing, data analysis, simulations",
                "all three are rayon jobs in Rust",
            ),
            advice(
                "(Rust adds) processes for isolation, not speed",
                "a crash, leak or hang in a worker cannot take the parent down, and it can be killed (section 5)",
            ),
        ],
    },
    Group {
        heading: "✓ USE ASYNC/AWAIT WHEN",
        items: &[
            advice(
                "Many I/O operations (thousands of connections)",
                "tokio: a waiting task costs bytes, a waiting thread a stack (webscraping §6)",
            ),
            advice(
                "Fine-grained control needed",
                "select!, timeouts and cancellation on any await point",
            ),
            advice("Building async frameworks", "tokio underneath hyper, axum, reqwest"),
            advice(
                "Example: web servers, real-time applications",
                "axum and hyper servers are async",
            ),
        ],
    },
    Group {
        heading: "⚠ THINGS TO REMEMBER",
        items: &[
            advice(
                "GIL prevents true parallelism with threads",
                "Rust has no GIL: threads run in parallel (section 3)",
            ),
            advice(
                "Threads share memory (watch for race conditions)",
                "unsynchronised sharing is a compile error (section 7)",
            ),
            advice(
                "Processes have separate memory (slower communication)",
                "the same: pipes, sockets, files, shared memory mapped explicitly",
            ),
            advice(
                "Use queues for thread-safe communication",
                "channels (crossbeam_channel): dropping every sender ends the receivers",
            ),
            advice(
                "Always use locks for shared data",
                "Mutex<T> owns the data: the lock cannot be forgotten; atomics for counters",
            ),
            advice(
                "Join threads before program exit",
                "join returns the thread's value or its panic; scope joins for you; wait() every child",
            ),
        ],
    },
];

/// The summary as printed: each notebook item, then `→ Rust:` and the note.
pub fn render() -> String {
    let mut text =
        String::from("The notebook's summary, with what changes in Rust (→):\n");
    for group in SUMMARY {
        text.push_str(&format!("\n{}:\n", group.heading));
        for item in group.items {
            text.push_str(&format!("  - {}\n      → {}\n", item.python, item.rust));
        }
    }
    text
}

/// Prints section 9.
pub fn show(_config: &Config) -> anyhow::Result<()> {
    print!("{}", render());
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every item of the notebook's summary, in its words.
    const NOTEBOOK: &[&str] = &[
        "I/O-bound operations (network, files, databases)",
        "Simple concurrent tasks",
        "Quick implementation needed",
        "Shared state management is simple",
        "Example: web scraping, API calls, file downloads",
        "CPU-bound operations",
        "True parallelism on multiple cores needed",
        "Tasks are independent",
        "Heavy computational work",
        "Example: image processing, data analysis, simulations",
        "Many I/O operations (thousands of connections)",
        "Fine-grained control needed",
        "Building async frameworks",
        "Example: web servers, real-time applications",
        "GIL prevents true parallelism with threads",
        "Threads share memory (watch for race conditions)",
        "Processes have separate memory (slower communication)",
        "Use queues for thread-safe communication",
        "Always use locks for shared data",
        "Join threads before program exit",
    ];

    #[test]
    fn every_notebook_item_is_printed_in_order_with_a_rust_note() {
        let text = render();
        let mut from = 0;
        for item in NOTEBOOK {
            let at = text[from..]
                .find(item)
                .unwrap_or_else(|| panic!("missing or out of order: {item}"));
            from += at + item.len();
            assert!(
                text[from..].trim_start().starts_with('→'),
                "no Rust note after {item}"
            );
        }
    }
}
