//! Section 2: processes vs threads — the lecture's theory, then this very
//! process examined from the inside.
//!
//! Python: `os.getpid()`, `threading.current_thread().ident`,
//! `threading.active_count()`. Rust: [`std::process::id`],
//! [`std::thread::current`] (its `id()` and `name()`), and, since std has no
//! thread count, the `Threads:` line of Linux's `/proc/self/status`.
//!
//! The lecture says a process owns a **code segment, data segment, heap,
//! stack and registers**, and that threads share the code, data and heap but
//! each have their own stack and registers. [`memory_tour`] checks that
//! claim on the running program: it takes the address of a function (code),
//! a `static` (data), a heap allocation and a local variable (stack), from
//! the main thread and from a second thread, and looks each address up in
//! `/proc/self/maps` to name the region it lives in.

use crate::Config;
use std::sync::atomic::{AtomicU64, Ordering};

/// The lecture's definitions and the notebook's fact sheet, with the Rust
/// corrections in brackets.
pub const THEORY: &str = "\
PROGRAM: a file of instructions (chrome.exe, a Python script, a Rust binary).
PROCESS: a running instance of a program. The OS gives it its own memory —
         code segment, data segment, heap, one stack per thread — plus
         registers, open files and a process id. One process cannot read or
         corrupt another's memory (Chrome runs a process per tab for this).
THREAD:  a unit of execution inside a process: its own stack and registers,
         sharing the code, data and heap with the process's other threads
         (in MS Paint, drawing a rectangle and a circle could be two threads).

PROCESS:
  - Heavyweight: each process has its own memory space
  - Isolated: cannot directly share data
  - True parallelism: can run on multiple CPU cores
  - Slower to create and switch between
  - More secure (isolated memory)

THREAD:
  - Lightweight: shares memory space with the parent process
  - Shared resources: easy to share data via shared memory
  - Limited by GIL: only one thread executes at a time   [Python only: Rust has
    no GIL, its threads run in parallel — section 3 measures the difference]
  - Faster to create and switch between
  - Less secure (shared memory can have race conditions) [in Rust, a data race
    is a compile error — section 7]";

/// Who this process is: the notebook's "CURRENT PROCESS" block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProcessFacts {
    /// `os.getpid()`.
    pub pid: u32,
    /// The calling thread's id (Rust's is opaque and process-unique; Python's
    /// `ident` is a number).
    pub thread_id: String,
    /// The calling thread's name (`main` for the main thread).
    pub thread_name: Option<String>,
    /// Live OS threads in this process, if the platform tells us.
    pub live_threads: Option<usize>,
}

/// Reads this process's facts from the calling thread.
pub fn process_facts() -> ProcessFacts {
    let current = std::thread::current();
    ProcessFacts {
        pid: std::process::id(),
        // `ThreadId` has no `Display` (its number is stable only as text from
        // `Debug`, "ThreadId(1)"): show just the number, as Python's ident.
        thread_id: format!("{:?}", current.id())
            .trim_start_matches("ThreadId(")
            .trim_end_matches(')')
            .to_string(),
        thread_name: current.name().map(str::to_string),
        live_threads: live_thread_count(),
    }
}

/// Threads alive in this process right now: the `Threads:` line of
/// `/proc/self/status` on Linux; `None` elsewhere (std has no portable way,
/// and Python's `active_count()` counts only threads *Python* started).
pub fn live_thread_count() -> Option<usize> {
    common::procfs::status().and_then(|s| usize::try_from(s.threads).ok())
}

/// One row of the memory tour: where a kind of thing lives, as seen from the
/// main thread and from a second thread.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemoryRow {
    /// "code", "data (static)", "heap", "stack".
    pub what: &'static str,
    /// The address as seen from the main thread.
    pub main: usize,
    /// The address of the same kind of thing as seen from the second thread.
    pub thread: usize,
    /// `/proc/self/maps` names for the two addresses, when available.
    pub regions: (Option<String>, Option<String>),
}

/// A `static` lives in the data segment: one copy per process.
static GLOBAL_COUNTER: AtomicU64 = AtomicU64::new(0);

/// A function lives in the code segment.
fn a_function() -> u64 {
    GLOBAL_COUNTER.fetch_add(1, Ordering::Relaxed)
}

/// Takes the address of code, a static, a heap value and a local variable
/// from the main thread and from a spawned thread, and names the memory
/// region of each.
///
/// What to expect: code, static and heap addresses are **the same** from
/// both threads (they share them); the two stack addresses **differ** (each
/// thread has its own stack).
pub fn memory_tour() -> Vec<MemoryRow> {
    let heap_value = Box::new(42_u64);
    let heap_addr = &*heap_value as *const u64 as usize;
    let main_local = 7_u64;
    let main_stack = &main_local as *const u64 as usize;
    let code = a_function as fn() -> u64 as usize;
    let data = &GLOBAL_COUNTER as *const AtomicU64 as usize;

    // A scoped thread may borrow `heap_value`: the scope guarantees the
    // thread ends before the Box is freed.
    let (t_code, t_data, t_heap, t_stack) = std::thread::scope(|s| {
        s.spawn(|| {
            let thread_local = 8_u64;
            (
                a_function as fn() -> u64 as usize,
                &GLOBAL_COUNTER as *const AtomicU64 as usize,
                &*heap_value as *const u64 as usize,
                std::hint::black_box(&thread_local) as *const u64 as usize,
            )
        })
        .join()
        .expect("the tour thread only takes addresses and cannot panic")
    });
    std::hint::black_box(&main_local);

    let maps = std::fs::read_to_string("/proc/self/maps").unwrap_or_default();
    let row = |what, main, thread| MemoryRow {
        what,
        main,
        thread,
        regions: (region_of(&maps, main), region_of(&maps, thread)),
    };
    vec![
        row("code (a function)", code, t_code),
        row("data (a static)", data, t_data),
        row("heap (a Box)", heap_addr, t_heap),
        row("stack (a local)", main_stack, t_stack),
    ]
}

/// Names the mapping in `/proc/self/maps` text that contains `addr`: the
/// file it maps (this binary), `[heap]`, `[stack]`, or "anonymous" (where
/// thread stacks and large allocations live).
pub fn region_of(maps: &str, addr: usize) -> Option<String> {
    maps.lines().find_map(|line| {
        let mut fields = line.split_whitespace();
        let (lo, hi) = fields.next()?.split_once('-')?;
        let (lo, hi) =
            (usize::from_str_radix(lo, 16).ok()?, usize::from_str_radix(hi, 16).ok()?);
        if !(lo..hi).contains(&addr) {
            return None;
        }
        let perms = fields.next()?;
        let path = fields.nth(3).unwrap_or("");
        let name = match path {
            "" => "anonymous mapping".to_string(),
            p if p.starts_with('[') => p.to_string(),
            p => std::path::Path::new(p)
                .file_name()
                .map_or(p.to_string(), |f| f.to_string_lossy().into_owned()),
        };
        Some(format!("{name} ({perms})"))
    })
}

/// Prints section 2.
pub fn show(_config: &Config) -> anyhow::Result<()> {
    println!("{THEORY}\n");
    let facts = process_facts();
    println!("CURRENT PROCESS:");
    println!("Process ID: {}", facts.pid);
    println!(
        "Main Thread ID: {} (name: {})",
        facts.thread_id,
        facts.thread_name.as_deref().unwrap_or("unnamed")
    );
    match facts.live_threads {
        Some(n) => println!("Active Threads: {n} (from /proc/self/status)"),
        None => println!("Active Threads: unavailable on this platform"),
    }

    println!(
        "\nWhat a thread shares, checked on this process (addresses from /proc/self/maps):"
    );
    let mut table = common::report::Table::new([
        "",
        "main thread",
        "second thread",
        "same?",
        "region",
    ]);
    table.left_align(3).left_align(4);
    for row in memory_tour() {
        let region = match &row.regions {
            (Some(a), Some(b)) if a == b => a.clone(),
            (Some(a), Some(b)) => format!("{a} / {b}"),
            _ => "unavailable".to_string(),
        };
        let same = if row.main == row.thread { "same" } else { "DIFFERENT" };
        table.row([
            row.what.to_string(),
            format!("{:#x}", row.main),
            format!("{:#x}", row.thread),
            same.to_string(),
            region,
        ]);
    }
    print!("{table}");
    println!(
        "Code, data and heap are shared: both threads see the same addresses.\n\
         Each thread has its own stack: the main thread's is [stack]; a spawned\n\
         thread's is an anonymous mapping the runtime allocated for it."
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn threads_share_code_data_heap_but_not_stacks() {
        let rows = memory_tour();
        let by = |what: &str| {
            rows.iter().find(|r| r.what.starts_with(what)).expect("row present")
        };
        assert_eq!(by("code").main, by("code").thread);
        assert_eq!(by("data").main, by("data").thread);
        assert_eq!(by("heap").main, by("heap").thread);
        assert_ne!(by("stack").main, by("stack").thread);
    }

    #[test]
    fn facts_describe_this_process() {
        let facts = process_facts();
        assert_eq!(facts.pid, std::process::id());
        if cfg!(target_os = "linux") {
            assert!(facts.live_threads.unwrap_or(0) >= 1);
        }
    }

    #[test]
    fn region_lookup_parses_proc_maps_lines() {
        let maps = "\
55d0a0000000-55d0a0100000 r-xp 00001000 fd:01 123 /usr/bin/demo
55d0a2000000-55d0a2021000 rw-p 00000000 00:00 0  [heap]
7f0000000000-7f0000800000 rw-p 00000000 00:00 0
";
        assert_eq!(region_of(maps, 0x55d0a0000010).as_deref(), Some("demo (r-xp)"));
        assert_eq!(region_of(maps, 0x55d0a2000010).as_deref(), Some("[heap] (rw-p)"));
        assert_eq!(
            region_of(maps, 0x7f0000000010).as_deref(),
            Some("anonymous mapping (rw-p)")
        );
        assert_eq!(region_of(maps, 0x10), None);
    }
}
