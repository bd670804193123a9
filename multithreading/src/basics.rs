//! Sections 1 and 2: creating threads, and the Rust idiom for a `Thread`
//! subclass.
//!
//! Python: `threading.Thread(target=print_numbers, args=("Thread-1", 3))`,
//! and `class CustomThread(threading.Thread)` overriding `run()`. Rust has no
//! inheritance; the idiom is a plain struct holding the thread's data, with a
//! `run(self)` method, and a `spawn(self)` that moves the struct into a named
//! thread and returns its [`JoinHandle`].

use std::io;
use std::thread::{self, JoinHandle};
use std::time::Duration;

use crate::{Config, join};

/// `print_numbers(name, count)`: prints `[name] Number i`, sleeping after
/// each. Returns how many numbers it printed.
pub fn print_numbers(name: &str, count: u32, sleep: Duration) -> u32 {
    for i in 0..count {
        println!("[{name}] Number {i}");
        thread::sleep(sleep);
    }
    count
}

/// Section 1: two threads, started then joined. Each returns its count
/// through `join` — something Python's `Thread` cannot do without a shared
/// variable.
pub fn basic_threads(sleep: Duration) -> anyhow::Result<Vec<u32>> {
    let handles = ["Thread-1", "Thread-2"]
        .into_iter()
        .map(|name| {
            // Builder instead of thread::spawn: a name shows up in panic
            // messages, debuggers, `top -H` and our log lines.
            thread::Builder::new()
                .name(name.into())
                .spawn(move || print_numbers(name, 3, sleep))
        })
        .collect::<io::Result<Vec<_>>>()?;
    handles.into_iter().map(join).collect()
}

/// Python's `CustomThread(threading.Thread)`: the data a thread needs, and
/// the code it runs.
#[derive(Debug, Clone)]
pub struct CustomThread {
    /// The thread's name.
    pub name: String,
    /// How many iterations `run` performs.
    pub iterations: u32,
    /// Sleep after each iteration.
    pub sleep: Duration,
}

impl CustomThread {
    /// The thread body (Python's overridden `run()`). Returns the lines it
    /// printed, so tests can check them.
    pub fn run(&self) -> Vec<String> {
        let mut lines = vec![format!("[{}] Starting...", self.name)];
        println!("{}", lines[0]);
        for i in 0..self.iterations {
            let line = format!("[{}] Iteration {}", self.name, i + 1);
            println!("{line}");
            lines.push(line);
            thread::sleep(self.sleep);
        }
        let done = format!("[{}] Finished", self.name);
        println!("{done}");
        lines.push(done);
        lines
    }

    /// Python's `start()`: moves `self` into a new thread named after it.
    pub fn spawn(self) -> io::Result<JoinHandle<Vec<String>>> {
        thread::Builder::new().name(self.name.clone()).spawn(move || self.run())
    }
}

/// Section 2: Worker-1 and Worker-2, 2 iterations each.
pub fn custom_threads(sleep: Duration) -> anyhow::Result<Vec<Vec<String>>> {
    let handles = ["Worker-1", "Worker-2"]
        .into_iter()
        .map(|name| CustomThread { name: name.into(), iterations: 2, sleep }.spawn())
        .collect::<io::Result<Vec<_>>>()?;
    handles.into_iter().map(join).collect()
}

/// Prints section 1.
pub fn show_basic(config: &Config) -> anyhow::Result<()> {
    let counts = basic_threads(config.scale.sleep(0.5))?;
    println!(
        "\nAll threads completed! (each returned its count through join: {counts:?})"
    );
    Ok(())
}

/// Prints section 2.
pub fn show_custom(config: &Config) -> anyhow::Result<()> {
    let outputs = custom_threads(config.scale.sleep(0.3))?;
    println!("\nBoth workers finished ({} lines each).", outputs[0].len());
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn threads_return_their_counts_in_spawn_order() {
        assert_eq!(basic_threads(Duration::ZERO).unwrap(), [3, 3]);
    }

    #[test]
    fn custom_thread_runs_its_iterations_on_a_named_thread() {
        let handle = CustomThread {
            name: "Worker-9".into(),
            iterations: 2,
            sleep: Duration::ZERO,
        }
        .spawn()
        .unwrap();
        assert_eq!(handle.thread().name(), Some("Worker-9"));
        let lines = handle.join().unwrap();
        assert_eq!(
            lines,
            [
                "[Worker-9] Starting...",
                "[Worker-9] Iteration 1",
                "[Worker-9] Iteration 2",
                "[Worker-9] Finished"
            ]
        );
    }
}
