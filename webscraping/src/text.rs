//! What a scraper extracts from HTML — pure functions, no network.
//!
//! `scraper` parses with html5ever, the HTML5 algorithm browsers use.
//! `scraper::Html` is not `Send` (its strings use non-atomic reference
//! counts), so each worker parses its own page and returns owned data.

use scraper::{Html, Node, Selector};
use serde::Serialize;

/// Elements whose text BeautifulSoup's `.text` leaves out (bs4 4.x keeps
/// their contents as `Script`, `Stylesheet` and `TemplateString`, which
/// `get_text()` skips). `<title>` and `<noscript>` text does count.
const SKIPPED: [&str; 3] = ["script", "style", "template"];

/// `len(BeautifulSoup(html, "html.parser").text)`: every text node, in
/// document order, whitespace kept, counted in characters (not bytes) —
/// comments, the doctype and script/style/template contents excluded.
///
/// ```
/// let html = "<!DOCTYPE html><html><head><title>Café</title><script>x = 1</script></head>\
///             <body><!-- hi --><p>a&amp;b</p></body></html>";
/// assert_eq!(webscraping::text::bs4_text_len(html), "Café".len() - 1 + "a&b".len());
/// ```
pub fn bs4_text_len(html: &str) -> usize {
    let document = Html::parse_document(html);
    document
        .tree
        .root()
        .descendants()
        .filter_map(|node| match node.value() {
            Node::Text(text)
                if !node.ancestors().any(|a| {
                    a.value().as_element().is_some_and(|e| SKIPPED.contains(&e.name()))
                }) =>
            {
                Some(text.chars().count())
            }
            _ => None,
        })
        .sum()
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
    /// The bs4-compatible text length.
    pub text_chars: usize,
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
    let mut links: Vec<String> = Vec::new();
    for anchor in document.select(&LINKS) {
        let Some(href) = anchor.value().attr("href") else { continue };
        let resolved = match &base {
            Some(base) => base.join(href).ok(),
            None => reqwest::Url::parse(href).ok(),
        };
        if let Some(mut link) = resolved {
            link.set_fragment(None);
            let link = link.to_string();
            if link != url && !links.contains(&link) {
                links.push(link);
            }
        }
    }
    PageInfo {
        url: url.to_string(),
        title,
        headings,
        links,
        text_chars: bs4_text_len(html),
    }
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
        assert_eq!(bs4_text_len(html), 1 + 3 + 2);
    }
}
