//! Section 10: scoped threads — borrowing local data, no `Arc`.
//!
//! A thread from `thread::spawn` may outlive the function that started it,
//! so it can only use data it owns (`move`, often an `Arc`). Inside
//! [`std::thread::scope`] every thread is joined before the scope returns,
//! so the compiler lets them *borrow* locals: several threads may read one
//! slice, and threads may each mutate their own disjoint part of it.
//!
//! Python needs none of this: its garbage collector keeps every object alive
//! as long as any thread refers to it, and the GIL serialises access. Rust
//! has neither, so lifetimes and `Send`/`Sync` do that job at compile time —
//! and at no cost at run time.
//!
//! The mistake Rust refuses — a plain `spawn` borrowing a local:
//!
//! ```compile_fail,E0373
//! let data = vec![1, 2, 3];
//! let handle = std::thread::spawn(|| data.len()); // may outlive `data`
//! handle.join().unwrap();
//! ```
//!
//! and sharing non-thread-safe reference counting:
//!
//! ```compile_fail,E0277
//! let shared = std::rc::Rc::new(5);
//! let copy = std::rc::Rc::clone(&shared);
//! std::thread::spawn(move || *copy + 1); // `Rc<i32>` cannot be sent between threads
//! ```

use std::thread;

/// Sums a borrowed slice in `parts` scoped threads.
pub fn parallel_sum(data: &[u64], parts: usize) -> u64 {
    let chunk = data.len().div_ceil(parts.max(1)).max(1);
    thread::scope(|s| {
        let handles: Vec<_> = data
            .chunks(chunk)
            .map(|part| s.spawn(move || part.iter().sum::<u64>()))
            .collect();
        handles.into_iter().map(|h| h.join().expect("summing cannot panic")).sum()
    })
}

/// Doubles every element in place: each thread gets its own `&mut` half
/// from `split_at_mut`, so no lock is needed — the halves cannot overlap.
pub fn double_in_place(data: &mut [u64]) {
    let (left, right) = data.split_at_mut(data.len() / 2);
    thread::scope(|s| {
        s.spawn(|| left.iter_mut().for_each(|x| *x *= 2));
        s.spawn(|| right.iter_mut().for_each(|x| *x *= 2));
    });
}

/// Prints section 10.
pub fn show(_config: &crate::Config) -> anyhow::Result<()> {
    let mut data: Vec<u64> = (1..=1_000).collect();
    println!(
        "A local Vec of 1..=1000, borrowed by 4 scoped threads: sum = {}",
        parallel_sum(&data, 4)
    );
    double_in_place(&mut data);
    println!(
        "Two threads doubled one half each through split_at_mut: sum = {}",
        data.iter().sum::<u64>()
    );
    println!(
        "No Arc, no Mutex, no clone: the scope joins the threads before `data` can be\n\
         dropped, and the two &mut halves are disjoint. A plain thread::spawn borrowing\n\
         `data` is a compile error (E0373; see the compile_fail examples in src/scoped.rs)."
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scoped_sum_and_in_place_update() {
        let mut data: Vec<u64> = (1..=1000).collect();
        for parts in [1, 3, 4, 7, 2000] {
            assert_eq!(parallel_sum(&data, parts), 500_500, "parts={parts}");
        }
        double_in_place(&mut data);
        assert_eq!(data.iter().sum::<u64>(), 1_001_000);
        assert_eq!(parallel_sum(&[], 3), 0);
    }
}
