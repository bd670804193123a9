//! What a scraper extracts from HTML — pure functions, no network.
//!
//! `scraper` parses with html5ever, the HTML5 algorithm browsers use.
//! `scraper::Html` is not `Send` (its strings use non-atomic reference
//! counts), so each worker parses its own page and returns owned data.

use std::collections::HashSet;
use std::hash::Hash;

use scraper::{Html, Selector};
use serde::Serialize;

/// `len(BeautifulSoup(html, "html.parser").text)` for an already decoded
/// page: see [`crate::soup`], which reproduces it exactly (an error where
/// bs4 raises, or where the page needs more than its parsing budget).
///
/// ```
/// let html = "<!DOCTYPE html><html><head><title>Café</title><script>x = 1</script></head>\
///             <body><!-- hi --><p>a&amp;b</p></body></html>";
/// assert_eq!(webscraping::text::bs4_text_len(html), Ok("Café".chars().count() + "a&b".len()));
/// ```
pub fn bs4_text_len(html: &str) -> Result<usize, crate::soup::Rejected> {
    crate::soup::text_len(html)
}

/// What section 4 extracts from a page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PageInfo {
    /// The page's URL.
    pub url: String,
    /// `<title>`, trimmed.
    pub title: String,
    /// `h1`–`h3` texts, in order.
    pub headings: Vec<String>,
    /// `a[href]` targets resolved against the page URL, without fragments,
    /// deduplicated, in order of appearance.
    pub links: Vec<String>,
    /// BeautifulSoup's text length (`null` where bs4 raises on the page, or
    /// the page needs more than its parsing budget).
    pub text_chars: Option<usize>,
    /// The encoding the page was read in, when it came over HTTP.
    pub encoding: Option<String>,
}

/// Extracts [`PageInfo`] from `html` fetched from `url`.
pub fn extract(url: &str, html: &str) -> PageInfo {
    static TITLE: std::sync::LazyLock<Selector> =
        std::sync::LazyLock::new(|| Selector::parse("title").expect("valid selector"));
    static HEADINGS: std::sync::LazyLock<Selector> = std::sync::LazyLock::new(|| {
        Selector::parse("h1, h2, h3").expect("valid selector")
    });
    static LINKS: std::sync::LazyLock<Selector> =
        std::sync::LazyLock::new(|| Selector::parse("a[href]").expect("valid selector"));

    let document = Html::parse_document(html);
    let squash = |text: String| text.split_whitespace().collect::<Vec<_>>().join(" ");
    let title = document
        .select(&TITLE)
        .next()
        .map(|t| squash(t.text().collect()))
        .unwrap_or_default();
    let headings =
        document.select(&HEADINGS).map(|h| squash(h.text().collect())).collect();
    let base = reqwest::Url::parse(url).ok();
    let resolved = document.select(&LINKS).filter_map(|anchor| {
        let href = anchor.value().attr("href")?;
        let mut link = match &base {
            Some(base) => base.join(href).ok()?,
            None => reqwest::Url::parse(href).ok()?,
        };
        link.set_fragment(None);
        Some(link.to_string()).filter(|link| link != url)
    });
    let links = unique_in_order(resolved);
    PageInfo {
        url: url.to_string(),
        title,
        headings,
        links,
        text_chars: bs4_text_len(html).ok(),
        encoding: None,
    }
}

/// `items` without repeats, first occurrences in order — with a set beside
/// the list, so each item costs one hash lookup: `list.contains` would cost
/// a comparison with every item kept so far, quadratic on a page with tens
/// of thousands of anchors.
pub fn unique_in_order<T: Hash + Eq + Clone>(
    items: impl IntoIterator<Item = T>,
) -> Vec<T> {
    let mut seen = HashSet::new();
    items.into_iter().filter(|item| seen.insert(item.clone())).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const PAGE: &str = "<!DOCTYPE html><html><head><title>  The
        Title </title><style>p{}</style></head><body>
        <h1>Main</h1><h2>Sub <em>one</em></h2><h3>Three</h3><h4>not me</h4>
        <a href=\"../a/\">a</a> <a href=\"/b#x\">b</a> <a href=\"/b#y\">b again</a>
        <a href=\"#top\">self</a> <a href=\"https://other.example/\">out</a>
        <template><p>hidden</p></template><noscript>ns</noscript></body></html>";

    #[test]
    fn extracts_title_headings_and_resolved_links() {
        let info = extract("http://site.test/docs/page/", PAGE);
        assert_eq!(info.title, "The Title");
        assert_eq!(info.headings, ["Main", "Sub one", "Three"]);
        assert_eq!(
            info.links,
            ["http://site.test/docs/a/", "http://site.test/b", "https://other.example/"]
        );
    }

    #[test]
    fn text_length_skips_script_style_template_and_comments_but_counts_title() {
        let html = "<!DOCTYPE html><html><head><title>T</title><style>aaaa</style>\
                    <script>bbbb</script></head><body><!--cccc--><p>é日🚀</p>\
                    <template>dddd</template><noscript>ns</noscript></body></html>";
        assert_eq!(bs4_text_len(html), Ok(1 + 3 + 2));
    }

    /// A value that counts how often it is compared.
    #[derive(Clone)]
    struct Counted(u32, std::rc::Rc<std::cell::Cell<u64>>);

    impl PartialEq for Counted {
        fn eq(&self, other: &Self) -> bool {
            self.1.set(self.1.get() + 1);
            self.0 == other.0
        }
    }

    impl Eq for Counted {}

    impl Hash for Counted {
        fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
            self.0.hash(state);
        }
    }

    #[test]
    fn deduplication_compares_each_item_a_bounded_number_of_times() {
        // Linear, not quadratic: `Vec::contains` would compare 80 000 items
        // with up to 40 000 kept ones — about 1.6 billion comparisons.
        let comparisons = std::rc::Rc::new(std::cell::Cell::new(0));
        let items = (0..80_000).map(|i| Counted(i / 2, std::rc::Rc::clone(&comparisons)));
        let unique = unique_in_order(items);
        assert_eq!(unique.len(), 40_000);
        assert!(
            unique.iter().enumerate().all(|(i, c)| c.0 == i as u32),
            "first occurrences, in order"
        );
        assert!(comparisons.get() < 4 * 80_000, "{} comparisons", comparisons.get());
    }

    #[test]
    fn eighty_thousand_anchors_are_deduplicated_in_order() {
        let mut page = String::from("<html><body>");
        for i in 0..80_000 {
            // Every link twice: 40 000 distinct.
            page.push_str(&format!("<a href=\"/p{}\">x</a>", i / 2));
        }
        let info = extract("http://site.test/", &page);
        assert_eq!(info.links.len(), 40_000);
        assert_eq!(info.links[1], "http://site.test/p1");
    }
}
