//! The soup against an adversary: pages built to make an HTML parser panic
//! or take quadratic time (`webscraping::soup::adversary`), and a bounded
//! fuzz run over arbitrary bytes and mutated fixture pages. Cost is judged by
//! the parser's own work counter (bytes its scans examine, tags pushed and
//! popped), never by a clock.

use proptest::prelude::*;
use webscraping::client::{FetchError, Fetched};
use webscraping::soup::{self, Environment, Rejected, adversary::FAMILIES};

const MIB: usize = 1 << 20;

/// What BeautifulSoup counts on each adversarial page: nothing, except the
/// CDATA left open at the end, which becomes text (all of the page after its
/// first `<![`, less `CDATA[`). Checked with `python/soup_adversary.py` on the
/// pinned parser at 100 KB and 1 MB.
fn bs4_count(family: &str, page: &str) -> usize {
    match family {
        "open-cdata" => page.len() - "<![CDATA[".len(),
        _ => 0,
    }
}

/// A run of attributes, spaces, slashes or `=` in one tag, or a 4 MB tag
/// name, made the old port's backtracking regex give up and an `expect`
/// fire. Every page is parsed, and counted as bs4 counts it.
#[test]
fn no_adversarial_page_panics_and_each_counts_what_beautifulsoup_counts() {
    for family in FAMILIES {
        let page = family.page(MIB);
        assert_eq!(
            soup::text_len(&page),
            Ok(bs4_count(family.name, &page)),
            "{}",
            family.name
        );
    }
    for name in ["long-tag-name", "equals-run", "attribute-run"] {
        let family =
            FAMILIES.iter().find(|family| family.name == name).expect("a family");
        let page = family.page(4 * MIB);
        assert_eq!(soup::text_len(&page), Ok(0), "{name} at 4 MiB");
    }
}

/// Work per byte at 64 KiB and at 1 MiB: sixteen times the page may cost
/// sixteen times the work, not more (a quadratic parse would cost 256
/// times), and a few units per byte at most.
#[test]
fn work_is_linear_in_the_size_of_every_adversarial_page() {
    for family in FAMILIES {
        let small = family.page(64 * 1024);
        let large = family.page(MIB);
        let per_byte = |page: &str| {
            let parsed =
                soup::text_len_within(page, u64::MAX).expect("no budget to exceed");
            parsed.work as f64 / page.len() as f64
        };
        let (small_rate, large_rate) = (per_byte(&small), per_byte(&large));
        assert!(
            large_rate <= small_rate * 1.05,
            "{}: {small_rate:.2} units per byte at 64 KiB, {large_rate:.2} at 1 MiB",
            family.name
        );
        assert!(large_rate <= 8.0, "{}: {large_rate:.2} units per byte", family.name);
    }
}

/// The default budget is far above what any of these pages needs, and a
/// smaller one stops the parse with an error that names it.
#[test]
fn a_page_beyond_its_budget_is_an_error_that_names_the_budget() {
    for family in FAMILIES {
        let page = family.page(MIB);
        let parsed = soup::text_len_within(&page, u64::MAX).expect("no budget to exceed");
        assert!(parsed.work * 4 <= soup::default_budget(page.len()), "{}", family.name);
        let budget = parsed.work / 2;
        let err =
            soup::text_len_within(&page, budget).expect_err("half the work it needs");
        assert_eq!(err, Rejected::OverBudget { budget }, "{}", family.name);
        assert!(err.to_string().contains(&format!("budget of {budget} units")), "{err}");
    }
}

/// Python's `int()` takes at most 4,300 decimal digits, and bs4's
/// `handle_charref` lets its `ValueError` through: BeautifulSoup raises on
/// such a page (hex digits have no limit). Checked with bs4 4.15.0.
#[test]
fn beautifulsoup_raises_on_a_huge_decimal_reference_and_the_soup_says_why() {
    let reference = |digits: &str| format!("<p>&#{digits};</p>");
    assert_eq!(soup::text_len(&reference(&"1".repeat(4300))), Ok(1));
    assert_eq!(soup::text_len(&reference(&format!("x{}", "1".repeat(5000)))), Ok(1));
    let huge = reference(&"0".repeat(4301));
    assert_eq!(
        soup::text_len(&huge),
        Err(Rejected::HugeCharacterReference { digits: 4301 })
    );
    // In the scraper, that page is a row with the reason, not a count.
    let fetched = Fetched {
        url: "http://127.0.0.1/huge".into(),
        body: huge,
        bytes: 4312,
        encoding: "utf-8".into(),
        replaced: false,
        header_charset: None,
        elapsed: std::time::Duration::ZERO,
    };
    let err = fetched.bs4_len().expect_err("bs4 raises on this page");
    assert!(matches!(err, FetchError::Rejected(_)), "{err:?}");
    assert_eq!(err.kind(), "rejected");
    assert!(err.to_string().contains("4301 decimal digits"), "{err}");
}

/// The pieces of markup the fuzz test strings together and drops into
/// pages: every delimiter the tokenizer looks at.
const PIECES: [&str; 40] = [
    "<",
    ">",
    "</",
    "/>",
    "/",
    "<!",
    "<!--",
    "-->",
    "--",
    "-",
    "<?",
    "?>",
    "<![CDATA[",
    "]]>",
    "]",
    "<![if ",
    "<!DOCTYPE",
    "&",
    "&#",
    "&#x",
    ";",
    "&amp",
    "&ampx",
    "a",
    "x=1",
    "=",
    "'",
    "\"",
    " ",
    "\t",
    "\n",
    "\r",
    "\x0c",
    "\u{a0}",
    "\u{2028}",
    "é",
    "<script>",
    "</script",
    "<style>",
    "<br>",
];

fn markup() -> impl Strategy<Value = String> {
    proptest::collection::vec(proptest::sample::select(PIECES.to_vec()), 0..200)
        .prop_map(|pieces| pieces.concat())
}

/// Pieces of encoded text: ISO-2022 designations and shifts, HZ's `~{ ~}`,
/// two-byte and four-byte East Asian sequences, UTF-16 units, and pages
/// declaring the stateful codecs; or any single byte.
fn encoded_bytes() -> impl Strategy<Value = Vec<u8>> {
    const PIECES: &[&[u8]] = &[
        b"\x1b$B",
        b"\x1b(B",
        b"\x1b(J",
        b"\x1b$(D",
        b"\x1b$)C",
        b"\x1b.A",
        b"\x1bN",
        b"\x1b",
        b"\x0e",
        b"\x0f",
        b"~{",
        b"~}",
        b"$3",
        b"\xa4\xa4",
        b"\x81\x30\x81\x30",
        b"\xff\xfe",
        b"\x00",
        b"<meta charset=iso-2022-jp>",
        b"<meta charset=iso2022_jp_2>",
        b"<meta charset=iso2022_kr>",
        b"<meta charset=hz>",
        b"<meta charset=utf-7>",
        b"<p>",
        b"text ",
    ];
    proptest::collection::vec(
        prop_oneof![
            proptest::sample::select(PIECES).prop_map(<[u8]>::to_vec),
            any::<u8>().prop_map(|byte| vec![byte]),
        ],
        0..300,
    )
    .prop_map(|pieces| pieces.concat())
}

fn fixture_bodies() -> Vec<String> {
    include_str!("fixtures/soup_pages.jsonl")
        .lines()
        .take(200)
        .map(|line| {
            let page: serde_json::Value =
                serde_json::from_str(line).expect("a fixture line");
            let bytes: Vec<u8> = page["body"]
                .as_str()
                .expect("a body")
                .chars()
                .map(|c| u8::try_from(u32::from(c)).expect("latin-1"))
                .collect();
            soup::decode(&bytes).text
        })
        .collect()
}

/// No panic, and the work stays within a fixed multiple of the size.
fn parses_in_linear_work(text: &str) -> Result<(), TestCaseError> {
    let work = match soup::text_len_within(text, u64::MAX) {
        Ok(parsed) => parsed.work,
        Err(Rejected::HugeCharacterReference { .. }) => return Ok(()),
        Err(err) => return Err(TestCaseError::fail(err.to_string())),
    };
    prop_assert!(
        work <= 8 * text.len() as u64 + 64,
        "{work} units for {} bytes",
        text.len()
    );
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        for environment in Environment::ALL {
            parses_in_linear_work(&soup::decode_in(&bytes, environment).text)?;
        }
    }

    /// What the charset detector and the stateful decoders see at their
    /// worst: escape sequences and shifts cut anywhere, high bytes, zero
    /// bytes, and declarations of the stateful codecs.
    #[test]
    fn encoded_bytes_decode_in_both_environments(bytes in encoded_bytes()) {
        for environment in Environment::ALL {
            parses_in_linear_work(&soup::decode_in(&bytes, environment).text)?;
        }
    }

    #[test]
    fn strings_of_markup_pieces_never_panic(text in markup()) {
        parses_in_linear_work(&text)?;
    }

    #[test]
    fn mutated_fixture_pages_never_panic(
        page in 0usize..200,
        edits in proptest::collection::vec(
            (any::<proptest::sample::Index>(), any::<proptest::sample::Index>(), 0u8..4, markup()),
            1..8,
        ),
    ) {
        let bodies = FIXTURES.with(|bodies| bodies[page % bodies.len()].clone());
        let mut text = bodies;
        for (at, len, kind, piece) in edits {
            let at = floor_char_boundary(&text, at.index(text.len() + 1));
            match kind {
                // Insert markup.
                0 | 1 => text.insert_str(at, &piece),
                // Cut a stretch.
                2 => {
                    let end = floor_char_boundary(&text, at + len.index(text.len() - at + 1));
                    text.replace_range(at..end, "");
                }
                // Repeat a stretch many times: a flood of one construct.
                _ => {
                    let end = floor_char_boundary(&text, at + len.index((text.len() - at).min(16) + 1));
                    let stretch = text[at..end].repeat(500);
                    text.insert_str(at, &stretch);
                }
            }
        }
        parses_in_linear_work(&text)?;
    }
}

thread_local! {
    static FIXTURES: Vec<String> = fixture_bodies();
}

fn floor_char_boundary(text: &str, mut at: usize) -> usize {
    at = at.min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}
