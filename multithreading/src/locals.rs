//! Section 6: thread-local storage.
//!
//! Python: `local = threading.local()`; each thread sets `local.value` and
//! `local.data` and sees only its own. Rust: the [`thread_local!`] macro
//! declares a static with one instance per thread. It is reached through
//! `with`, and since only the owning thread can touch it, interior mutability
//! needs no lock: [`Cell`] for `Copy` values, [`RefCell`] for the rest.

use std::cell::{Cell, RefCell};
use std::thread;
use std::time::Duration;

use common::timeline::current_lane;

use crate::{Config, join};

thread_local! {
    /// This thread's `local.value`.
    static VALUE: Cell<Option<usize>> = const { Cell::new(None) };
    /// This thread's `local.data`.
    static DATA: RefCell<String> = const { RefCell::new(String::new()) };
}

/// What a worker saw of its thread-locals before and after its pause.
pub type Reading = ((Option<usize>, String), (Option<usize>, String));

/// Reads this thread's pair.
fn read() -> (Option<usize>, String) {
    (VALUE.with(Cell::get), DATA.with(|d| d.borrow().clone()))
}

/// The notebook's worker: store our id, print, sleep while others do the
/// same, print again. Returns (before sleep, after sleep) readings.
pub fn worker(worker_id: usize, pause: Duration) -> Reading {
    VALUE.with(|v| v.set(Some(worker_id)));
    DATA.with(|d| *d.borrow_mut() = format!("Data-{worker_id}"));
    let before = read();
    println!("Thread {}: value={}, data={}", current_lane(), shown(before.0), before.1);
    thread::sleep(pause);
    let after = read();
    println!("Thread {}: value={}, data={}", current_lane(), shown(after.0), after.1);
    (before, after)
}

/// A thread-local value as a learner reads it: the number, or "unset".
fn shown(value: Option<usize>) -> String {
    value.map_or_else(|| "unset".to_string(), |v| v.to_string())
}

/// Runs three workers; returns each one's readings.
pub fn run(pause: Duration) -> anyhow::Result<Vec<Reading>> {
    let handles = (0..3)
        .map(|id| {
            thread::Builder::new()
                .name(format!("worker-{id}"))
                .spawn(move || worker(id, pause))
        })
        .collect::<std::io::Result<Vec<_>>>()?;
    handles.into_iter().map(join).collect()
}

/// Prints section 6.
pub fn show(config: &Config) -> anyhow::Result<()> {
    run(config.scale.sleep(1.0))?;
    println!("\nEach thread maintained its own data!");
    let (value, data) = read();
    println!(
        "The main thread never set them, so it still sees value={}, data={}.",
        shown(value),
        if data.is_empty() { "\"\" (empty)" } else { &data }
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_thread_keeps_its_own_values() {
        for (id, (before, after)) in
            run(Duration::from_millis(5)).unwrap().into_iter().enumerate()
        {
            assert_eq!(before, (Some(id), format!("Data-{id}")));
            assert_eq!(after, before, "another thread's write leaked into worker {id}");
        }
        assert_eq!(read(), (None, String::new()), "the test thread's copy is untouched");
    }
}
