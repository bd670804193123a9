//! The chapter's pools, with real worker processes (the chapter binary).

use std::path::PathBuf;

use common::chapter::RunArgs;
use factorial::Config;
use factorial::batch::{self, ItemError};
use factorial::cli::Options;
use factorial::lecture::{self, NUMBERS};

fn config() -> Config {
    let mut args = RunArgs::<Options>::quick();
    args.options.workers = Some(2);
    Config::from_args(&args, PathBuf::from(env!("CARGO_BIN_EXE_factorial")))
        .expect("a quick run's settings")
}

#[test]
fn processes_and_rayon_return_the_sequential_results_in_input_order() {
    let sequential = lecture::sequentially(&NUMBERS);
    assert_eq!(lecture::with_rayon(&NUMBERS), sequential);
    let run = lecture::with_processes(&config(), &NUMBERS).unwrap();
    assert_eq!(run.results, sequential);
    // 8000! alone is 11.5 KB: the bytes that crossed are at least the results.
    let payload: usize = sequential.iter().map(|v| v.to_bytes_le().len()).sum();
    assert!(run.bytes_received >= payload as u64);
}

#[test]
fn every_batch_input_gets_exactly_one_outcome_in_order() {
    let pool = batch::batch_pool(&config()).unwrap();
    let inputs = batch::batch_input();
    let outcomes = batch::process_batch(&pool, &inputs).unwrap();
    assert_eq!(outcomes.len(), inputs.len());
    for (input, outcome) in inputs.iter().zip(&outcomes) {
        match (batch::parse_item(input), outcome) {
            (Ok(n), Ok(summary)) => assert_eq!(*summary, batch::summarize(n)),
            (Err(expected), Err(got)) => assert_eq!(&expected, got),
            other => panic!("{input:?}: {other:?}"),
        }
    }
    let rejected: Vec<&ItemError> =
        outcomes.iter().filter_map(|o| o.as_ref().err()).collect();
    assert_eq!(rejected.len(), 5);
}

#[test]
fn chunk_size_never_changes_the_totals() {
    let pool = batch::batch_pool(&config()).unwrap();
    let numbers: Vec<u64> = (1..=300).collect();
    let sequential: Vec<_> = numbers.iter().map(|&n| batch::summarize(n)).collect();
    for chunk in [1, 7, 300, 1000] {
        assert_eq!(
            batch::run_chunked(&pool, &numbers, chunk).unwrap(),
            sequential,
            "chunk {chunk}"
        );
    }
}
