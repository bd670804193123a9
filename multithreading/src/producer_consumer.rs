//! Section 4: producer–consumer through a bounded queue.
//!
//! Python: `Queue(maxsize=5)`, a producer that `put`s 5 items and a consumer
//! that `get`s exactly 5, each sleeping `random.random()` seconds. Rust:
//! [`crossbeam_channel::bounded`]`(5)`. A full channel blocks the producer
//! (backpressure, like `put` on a full `Queue`).
//!
//! **Closing instead of counting.** The Python consumer must know how many
//! items to expect (or wait for a sentinel like `None`). Here, when every
//! `Sender` is dropped the channel is *closed*: the receivers drain what is
//! left and then their `for item in receiver` loop ends by itself. That
//! works for any number of producers and consumers with no sentinel — and no
//! risk of a consumer waiting forever for a pill that a crashed producer
//! never sent.

use std::thread;
use std::time::Duration;

use crossbeam_channel::bounded;

use crate::Config;

/// One consumed item: who made it, who ate it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Consumed {
    /// The producer's name.
    pub producer: String,
    /// The item, e.g. `Item-3`.
    pub item: String,
    /// The consumer's name.
    pub consumer: String,
}

/// The shape of one producer–consumer run.
#[derive(Debug, Clone, Copy)]
pub struct Pipeline {
    /// Producer threads.
    pub producers: usize,
    /// Consumer threads.
    pub consumers: usize,
    /// Items each producer makes.
    pub per_producer: usize,
    /// The channel's capacity (`queue.Queue(maxsize=…)`).
    pub capacity: usize,
    /// Each thread sleeps a seeded random time up to this after each item.
    pub max_sleep: Duration,
}

/// Runs `pipeline`: its producers and consumers over one
/// `bounded(capacity)` channel. Returns everything consumed.
pub fn run(pipeline: Pipeline) -> Vec<Consumed> {
    let Pipeline { producers, consumers, per_producer, capacity, max_sleep } = pipeline;
    let (item_sender, item_receiver) = bounded::<(String, String)>(capacity);
    thread::scope(|s| {
        for p in 0..producers {
            // Each producer owns a clone of the sender; the original is
            // dropped below, so the channel closes when the last producer ends.
            let item_sender = item_sender.clone();
            let name = role_name("Producer", p, producers);
            s.spawn(move || {
                let mut random = fastrand::Rng::with_seed(p as u64);
                for i in 0..per_producer {
                    let item = format!("Item-{i}");
                    println!("[{name}] Produced: {item}");
                    // send() blocks while the queue is full; it fails only if
                    // every receiver is gone, which cannot happen in this scope.
                    item_sender
                        .send((name.clone(), item))
                        .expect("consumers outlive producers");
                    thread::sleep(max_sleep.mul_f64(random.f64()));
                }
                println!("[{name}] Production complete");
            });
        }
        drop(item_sender); // ← without this the channel never closes and consumers wait forever

        let handles: Vec<_> = (0..consumers)
            .map(|c| {
                let item_receiver = item_receiver.clone();
                let name = role_name("Consumer", c, consumers);
                s.spawn(move || {
                    let mut random = fastrand::Rng::with_seed(1000 + c as u64);
                    let mut eaten = Vec::new();
                    // Ends when the channel is closed *and* empty.
                    for (producer, item) in item_receiver {
                        println!("[{name}] Consumed: {item} (from {producer})");
                        eaten.push(Consumed { producer, item, consumer: name.clone() });
                        thread::sleep(max_sleep.mul_f64(random.f64()));
                    }
                    println!("[{name}] Consumption complete");
                    eaten
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().expect("a consumer only prints and sleeps"))
            .collect()
    })
}

/// `Producer` when there is one, `Producer-0`, `Producer-1`… when there
/// are several (the notebook has one of each).
fn role_name(role: &str, index: usize, count: usize) -> String {
    if count == 1 { role.to_string() } else { format!("{role}-{index}") }
}

/// Prints section 4.
pub fn show(config: &Config) -> anyhow::Result<()> {
    let max_sleep = config.scale.sleep(1.0);
    // The notebook's: one producer of 5 items, one consumer, `maxsize=5`.
    let notebook =
        Pipeline { producers: 1, consumers: 1, per_producer: 5, capacity: 5, max_sleep };
    let consumed = run(notebook);
    println!("\nProducer-Consumer pattern complete! ({} items consumed)", consumed.len());
    anyhow::ensure!(consumed.len() == 5, "items were lost");

    println!("\nThree producers, two consumers, one bounded(2) channel:");
    let consumed = run(Pipeline {
        producers: 3,
        consumers: 2,
        per_producer: 3,
        capacity: 2,
        max_sleep: max_sleep / 2,
    });
    let mut per_consumer = std::collections::BTreeMap::new();
    for c in &consumed {
        *per_consumer.entry(c.consumer.as_str()).or_insert(0) += 1;
    }
    let split: Vec<String> =
        per_consumer.iter().map(|(name, count)| format!("{name} took {count}")).collect();
    println!(
        "\n{} items consumed, each exactly once; split {}.",
        consumed.len(),
        split.join(", ")
    );
    println!(
        "No sentinel: the consumers stopped when the last producer dropped its sender."
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_item_is_consumed_once_in_order_per_producer() {
        let consumed = run(Pipeline {
            producers: 4,
            consumers: 3,
            per_producer: 50,
            capacity: 2,
            max_sleep: Duration::ZERO,
        });
        assert_eq!(consumed.len(), 200);
        for p in 0..4 {
            let name = format!("Producer-{p}");
            // A single consumer sees one producer's items in send order; with
            // several consumers, each consumer's share is still in order.
            for consumer in ["Consumer-0", "Consumer-1", "Consumer-2"] {
                let items: Vec<usize> = consumed
                    .iter()
                    .filter(|c| c.producer == name && c.consumer == consumer)
                    .map(|c| c.item["Item-".len()..].parse().unwrap())
                    .collect();
                assert!(
                    items.windows(2).all(|w| w[0] < w[1]),
                    "{consumer} {name}: {items:?}"
                );
            }
            let mut all: Vec<&str> = consumed
                .iter()
                .filter(|c| c.producer == name)
                .map(|c| c.item.as_str())
                .collect();
            all.sort_unstable_by_key(|i| i["Item-".len()..].parse::<usize>().unwrap());
            all.dedup();
            assert_eq!(all.len(), 50, "{name}'s items each consumed exactly once");
        }
    }

    #[test]
    fn seeded_random_is_reproducible_and_in_range() {
        let a: Vec<f64> =
            (0..5).scan(fastrand::Rng::with_seed(7), |r, _| Some(r.f64())).collect();
        let b: Vec<f64> =
            (0..5).scan(fastrand::Rng::with_seed(7), |r, _| Some(r.f64())).collect();
        assert_eq!(a, b);
        assert!(a.iter().all(|x| (0.0..1.0).contains(x)));
    }
}
