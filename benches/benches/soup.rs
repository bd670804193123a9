//! The soup (chapter 248's port of `html.parser` + bs4) on each adversarial
//! page of 1 MiB (`webscraping::soup::adversary`): the constructs that made
//! CPython's parser quadratic before its fix for CVE-2025-6069.
//!
//! ```text
//! cargo bench -p benches --bench soup
//! ```
//!
//! `python/soup_adversary.py` times BeautifulSoup on the same pages (see the
//! chapter's README for both sets of figures).

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use webscraping::soup::{self, adversary::FAMILIES};

const SIZE: usize = 1 << 20;

fn adversarial_pages(c: &mut Criterion) {
    let mut group = c.benchmark_group("soup_1_mib");
    group.sample_size(10).measurement_time(Duration::from_secs(2));
    for family in FAMILIES {
        let page = family.page(SIZE);
        group.throughput(Throughput::Bytes(page.len() as u64));
        group
            .bench_function(family.name, |b| b.iter(|| soup::text_len(black_box(&page))));
    }
    group.finish();
}

criterion_group!(benches, adversarial_pages);
criterion_main!(benches);
