//! Section 9: when to use threads, processes and async — the notebook's
//! advice, and how it changes in Rust.

/// The notebook's summary, then the Rust edition.
pub const SUMMARY: &str = "\
PYTHON (the notebook's advice)
✓ USE THREADING WHEN: I/O-bound operations (network, files, databases); simple
  concurrent tasks. Example: web scraping, API calls, file downloads.
✓ USE MULTIPROCESSING WHEN: CPU-bound operations; true parallelism needed;
  independent, heavy computation. Example: image processing, simulations.
✓ USE ASYNC/AWAIT WHEN: many I/O operations (thousands of connections).

RUST EDITION — the GIL is gone, so the line moves:
✓ USE THREADS for CPU-bound work too: they run in parallel on every core
  (sections 3 and 6). Reach for rayon (par_iter) before hand-made threads.
✓ USE THREADS for I/O-bound work at modest scale: tens to hundreds of waits,
  a thread each or a pool (chapters executors, webscraping).
✓ USE ASYNC (tokio) for thousands of concurrent connections, where a thread
  per connection would cost too much memory and switching.
✓ USE PROCESSES for isolation, not speed: a crash, a leak or a hang in a
  worker cannot take the parent down, it can be killed, and it can run code
  you do not trust or cannot link (another program). They cost ~a millisecond
  to start and every byte must be copied in and out (section 5).

⚠ THINGS TO REMEMBER
- Threads share memory: Rust makes you say how (Mutex, atomics, channels) and
  rejects unsynchronised sharing at compile time (section 7).
- Processes have separate memory: communication is copying (pipes, files,
  shared memory that you map explicitly).
- Use channels for hand-offs between threads (queue.Queue → crossbeam).
- Join every thread and wait for every child; report their errors and panics.
- Set timeouts on every wait that depends on someone else.";

/// Prints section 9.
pub fn show() {
    println!("{SUMMARY}");
}
