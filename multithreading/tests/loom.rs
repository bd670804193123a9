//! Model checks for the counter lesson (src/counter.rs). Compiled only with
//! `--cfg loom`; a normal `cargo test` builds this file to zero tests.
//!
//! ```text
//! RUSTFLAGS="--cfg loom" cargo test -p multithreading --test loom --release --target-dir target/loom
//! ```
#![cfg(loom)]

use loom::sync::Arc;
use loom::thread;
use multithreading::counter::{AtomicCounter, Counter, MutexCounter, RacyCounter};

/// Two threads increment once each; in every interleaving loom can produce,
/// the counter must end at 2.
fn check<C: Counter + 'static>(make: fn() -> C) {
    loom::model(move || {
        let counter = Arc::new(make());
        let other = Arc::clone(&counter);
        let t = thread::spawn(move || other.increment());
        counter.increment();
        t.join().expect("the incrementing thread does not panic");
        assert_eq!(counter.get(), 2, "lost update: counter is {}", counter.get());
    });
}

#[test]
#[should_panic(expected = "lost update")]
fn racy_counter_loses_an_update() {
    // loom finds the interleaving load(0), load(0), store(1), store(1).
    check(RacyCounter::new);
}

#[test]
fn atomic_counter_never_loses() {
    check(AtomicCounter::new);
}

#[test]
fn mutex_counter_never_loses() {
    check(MutexCounter::new);
}
