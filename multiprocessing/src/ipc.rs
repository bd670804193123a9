//! Section 2: inter-process communication — a producer process and a
//! consumer process connected by a queue.
//!
//! ```python
//! que = multiprocessing.Queue()
//! def producer_process(queue, count):
//!     for i in range(count):
//!         item = f"Item-{i}"; queue.put(item); print(f"Produced: {item}"); time.sleep(0.5)
//! def consumer_process(queue, count):
//!     for _ in range(count):
//!         item = queue.get(timeout=5); print(f"Consumed: {item}"); time.sleep(0.5)
//! ```
//!
//! A `multiprocessing.Queue` is a **pipe** plus pickling plus a feeder
//! thread. Here the pipe is explicit: `std::io::pipe()` gives a reader and a
//! writer; the writer becomes the producer's stdout, the reader the
//! consumer's stdin, and the parent keeps neither (it must close its copies,
//! or the consumer would never see end-of-stream). Items cross as
//! length-prefixed frames, the same framing the process pool uses.
//!
//! The producer's stdout is the queue, so its own messages go to its stderr,
//! which the parent connects to *its* stdout: all the lines still arrive in
//! one place.

use std::io::{self, BufReader, BufWriter, Write};
use std::os::fd::AsFd;
use std::process::Stdio;
use std::thread;
use std::time::Duration;

use anyhow::{Context, bail};
use common::pool::frame;
use common::timeline::Timeline;
use common::timing::{HumanDuration, time};
use crossbeam_channel::RecvTimeoutError;

use crate::Config;
use crate::children::{run_together, worker_command};

/// The notebook's `queue.get(timeout=5)`.
pub const GET_TIMEOUT: Duration = Duration::from_secs(5);

/// Items the notebook passes: `Item-0`, `Item-1`, `Item-2`.
pub fn items(count: usize) -> Vec<String> {
    (0..count).map(|i| format!("Item-{i}")).collect()
}

/// The producer, in its own process: puts each item on the queue (its
/// stdout) and reports on stderr.
pub fn producer(count: usize, pause: Duration) -> anyhow::Result<()> {
    let mut queue = BufWriter::new(io::stdout().lock());
    for item in items(count) {
        // write_frame flushes: the item is in the pipe before we say so.
        frame::write_frame(&mut queue, &item).context("queue.put: the pipe is closed")?;
        // One write for the whole line: stderr is unbuffered, and `eprintln!`
        // writes a line in pieces, which the consumer's line (sharing the
        // terminal) could land between ("Produced: Consumed: Item-2").
        io::stderr()
            .write_all(format!("Produced: {item}\n").as_bytes())
            .context("writing to stderr")?;
        thread::sleep(pause);
    }
    Ok(())
}

/// The consumer, in its own process: takes `count` items from the queue
/// (its stdin), waiting at most [`GET_TIMEOUT`] for each.
pub fn consumer(count: usize, pause: Duration) -> anyhow::Result<()> {
    // A pipe read cannot time out, so a reader thread does the blocking
    // reads and hands items over a channel, whose `recv_timeout` can.
    let (item_sender, item_receiver) =
        crossbeam_channel::bounded::<Result<String, String>>(1);
    thread::Builder::new().name("queue-reader".into()).spawn(move || {
        let mut stdin = BufReader::new(io::stdin().lock());
        loop {
            let next = match frame::read_frame::<_, String>(&mut stdin) {
                Ok(Some((item, _))) => Ok(item),
                Ok(None) => Err("the queue was closed (the producer exited)".to_string()),
                Err(err) => Err(err.to_string()),
            };
            let stop = next.is_err();
            if item_sender.send(next).is_err() || stop {
                break;
            }
        }
    })?;
    // The reader thread is detached on purpose: it may be blocked in read()
    // when we return, and the process exit ends it.
    for _ in 0..count {
        match item_receiver.recv_timeout(GET_TIMEOUT) {
            Ok(Ok(item)) => println!("Consumed: {item}"),
            Ok(Err(reason)) => bail!("queue.get: {reason}"),
            Err(RecvTimeoutError::Timeout) => {
                bail!(
                    "queue.get: nothing arrived within {GET_TIMEOUT:?} (Python: queue.Empty)"
                )
            }
            Err(RecvTimeoutError::Disconnected) => bail!("queue.get: the reader stopped"),
        }
        thread::sleep(pause);
    }
    Ok(())
}

/// Connects a producer and a consumer process with a pipe and runs both.
pub fn show(config: &Config) -> anyhow::Result<()> {
    let count = 3;
    let pause = config.scale.sleep(0.5);
    let pause_arg = pause.as_micros().to_string();
    let count_arg = count.to_string();
    println!(
        "Both sleep {} after each item (the notebook's 0.5 s).\n",
        HumanDuration(pause)
    );

    let (queue_out, queue_in) = io::pipe().context("creating the pipe")?;
    let mut producer = worker_command(config, &["producer", &count_arg, &pause_arg]);
    producer
        .stdout(Stdio::from(queue_in))
        // Its stderr is our stdout, so "Produced:" lines join the others.
        .stderr(Stdio::from(io::stdout().as_fd().try_clone_to_owned()?));
    let mut consumer = worker_command(config, &["consumer", &count_arg, &pause_arg]);
    consumer.stdin(Stdio::from(queue_out));

    let timeline = Timeline::new();
    let children =
        vec![("producer".to_string(), producer), ("consumer".to_string(), consumer)];
    // `run_together` takes the commands by value: once spawned and dropped,
    // our copies of both pipe ends are closed. Had we kept the write end,
    // the consumer could never see end-of-stream.
    let (result, took) = time(|| run_together(children, &timeline, || {}));
    result?;
    println!("IPC completed in {}", HumanDuration(took));
    println!("\n{}", timeline.render(60));
    Ok(())
}
