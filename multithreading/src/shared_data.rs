//! Section 3: thread-safe data sharing — the notebook's `BankAccount`, and
//! the module README's lock-protected list.
//!
//! Python keeps `self.lock` *beside* `self.balance`; nothing stops a method
//! from touching the balance without it. In Rust the balance lives *inside*
//! the `Mutex`, so the only way to read or write it is through the guard
//! `lock()` returns — the compiler enforces the discipline Python leaves to
//! convention. The account is shared between threads by reference from a
//! `thread::scope`, so no `Arc` is needed here.

use std::sync::{Mutex, PoisonError};
use std::thread;
use std::time::Duration;

use crate::Config;

/// The notebook's `BankAccount`.
#[derive(Debug)]
pub struct BankAccount {
    balance: Mutex<i64>,
    /// The notebook's `time.sleep(0.1)` between reading and writing, which
    /// would lose updates without the lock.
    think_time: Duration,
}

/// `withdraw` found too little money.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InsufficientFunds {
    /// The balance at the time.
    pub balance: i64,
    /// What was asked for.
    pub requested: i64,
}

impl BankAccount {
    /// An account holding `balance`.
    pub fn new(balance: i64, think_time: Duration) -> Self {
        Self { balance: Mutex::new(balance), think_time }
    }

    /// Adds `amount`; returns the new balance.
    pub fn deposit(&self, amount: i64) -> i64 {
        // The guard is held for the whole read–sleep–write: no other thread
        // can read the stale balance in between. (A poisoned lock means a
        // thread panicked mid-update; an i64 is still a valid i64, so go on.)
        let mut balance = self.balance.lock().unwrap_or_else(PoisonError::into_inner);
        println!("Depositing {amount}...");
        let temp = *balance;
        thread::sleep(self.think_time);
        *balance = temp + amount;
        println!("New balance: {}", *balance);
        *balance
    } // ← guard dropped: the lock is released here

    /// Takes `amount` out if there is enough; returns the new balance.
    pub fn withdraw(&self, amount: i64) -> Result<i64, InsufficientFunds> {
        let mut balance = self.balance.lock().unwrap_or_else(PoisonError::into_inner);
        if *balance < amount {
            println!("Insufficient funds!");
            return Err(InsufficientFunds { balance: *balance, requested: amount });
        }
        println!("Withdrawing {amount}...");
        let temp = *balance;
        thread::sleep(self.think_time);
        *balance = temp - amount;
        println!("New balance: {}", *balance);
        Ok(*balance)
    }

    /// The balance now.
    pub fn balance(&self) -> i64 {
        *self.balance.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// `customer_operations`: deposit 100 then withdraw 50, twice.
pub fn customer_operations(account: &BankAccount) {
    for _ in 0..2 {
        account.deposit(100);
        // 1000 + deposits ≥ 50 always, so this never fails here.
        let _ = account.withdraw(50);
    }
}

/// Two customers on two threads; returns the final balance (always 1200).
pub fn two_customers(think_time: Duration) -> i64 {
    let account = BankAccount::new(1000, think_time);
    thread::scope(|s| {
        for name in ["Customer-1", "Customer-2"] {
            let account = &account;
            thread::Builder::new()
                .name(name.into())
                .spawn_scoped(s, move || customer_operations(account))
                .expect("spawning a thread fails only when the OS is out of resources");
        }
    });
    account.balance()
}

/// The README's pattern: `with lock: data.append(item)` from many threads.
/// Returns the shared list after `threads` threads each appended
/// `(thread, 0..per_thread)`.
pub fn append_from_threads(threads: usize, per_thread: usize) -> Vec<(usize, usize)> {
    let data = Mutex::new(Vec::new());
    thread::scope(|s| {
        for t in 0..threads {
            let data = &data;
            s.spawn(move || {
                for i in 0..per_thread {
                    data.lock().unwrap_or_else(PoisonError::into_inner).push((t, i));
                }
            });
        }
    });
    data.into_inner().unwrap_or_else(PoisonError::into_inner)
}

/// Prints section 3.
pub fn show(config: &Config) -> anyhow::Result<()> {
    let balance = two_customers(config.scale.sleep(0.1));
    println!("\nFinal balance: {balance}   (1000 + 4 × 100 − 4 × 50 = 1200, every run)");
    anyhow::ensure!(balance == 1200, "lost update: balance {balance}");

    let items = append_from_threads(8, 1000);
    println!(
        "\nThe README's shared list: 8 threads × 1000 appends under one Mutex<Vec<_>>"
    );
    println!(
        "→ {} items, none lost; each thread's own items stay in its order.",
        items.len()
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn balance_is_exactly_1200() {
        assert_eq!(two_customers(Duration::from_millis(1)), 1200);
    }

    #[test]
    fn overdraft_is_refused_and_changes_nothing() {
        let account = BankAccount::new(30, Duration::ZERO);
        assert_eq!(
            account.withdraw(50),
            Err(InsufficientFunds { balance: 30, requested: 50 })
        );
        assert_eq!(account.balance(), 30);
    }

    #[test]
    fn every_append_lands_once_and_per_thread_order_is_kept() {
        let items = append_from_threads(6, 500);
        assert_eq!(items.len(), 3000);
        for t in 0..6 {
            let mine: Vec<usize> =
                items.iter().filter(|(owner, _)| *owner == t).map(|(_, i)| *i).collect();
            assert_eq!(mine, (0..500).collect::<Vec<_>>());
        }
    }
}
