//! Pages an adversary writes against an HTML parser: the constructs that
//! made CPython's `html.parser` quadratic before its fix for CVE-2025-6069,
//! and the ones that made a backtracking regular expression give up. The
//! tests, the benchmark and `examples/soup_adversary.rs` (which also writes
//! them out for `python/soup_adversary.py`, the same pages through
//! BeautifulSoup) all use these.

/// One family of adversarial pages.
#[derive(Debug, Clone, Copy)]
pub struct Family {
    /// A short name, for tables and file names.
    pub name: &'static str,
    /// What the page is, in words.
    pub description: &'static str,
    build: fn(usize) -> String,
}

impl Family {
    /// The page of this family of about `size` bytes (never more).
    pub fn page(&self, size: usize) -> String {
        (self.build)(size)
    }
}

/// `unit` repeated to fill `size` bytes after `head` and before `tail`.
fn fill(head: &str, unit: &str, tail: &str, size: usize) -> String {
    let count = size.saturating_sub(head.len() + tail.len()) / unit.len().max(1);
    let mut page = String::with_capacity(size);
    page.push_str(head);
    for _ in 0..count {
        page.push_str(unit);
    }
    page.push_str(tail);
    page
}

/// `open` repeated over the first half, `close` over the second.
fn halves(open: &str, close: &str, size: usize) -> String {
    let mut page = fill("", open, "", size / 2);
    page.push_str(&fill("", close, "", size - page.len()));
    page
}

/// `<a x0 x1 x2 … >`.
fn attribute_run(size: usize) -> String {
    let mut page = String::from("<a");
    let mut i = 0;
    loop {
        let attribute = format!(" x{i}");
        if page.len() + attribute.len() + 2 > size {
            break;
        }
        page.push_str(&attribute);
        i += 1;
    }
    page.push_str(" >");
    page
}

/// Every family, in the order of the tables.
pub const FAMILIES: [Family; 16] = [
    Family {
        name: "open-tag",
        description: "`<a` repeated, no `>`",
        build: |size| fill("", "<a", "", size),
    },
    Family {
        name: "open-tag-space",
        description: "`<a ` repeated, no `>`",
        build: |size| fill("", "<a ", "", size),
    },
    Family {
        name: "open-tag-value",
        description: "`<a x=1` repeated, no `>`",
        build: |size| fill("", "<a x=1", "", size),
    },
    Family {
        name: "open-tag-equals",
        description: "`<a x=` repeated, no `>`",
        build: |size| fill("", "<a x=", "", size),
    },
    Family {
        name: "open-tag-quote",
        description: "`<a \"` repeated, no `>`",
        build: |size| fill("", "<a \"", "", size),
    },
    Family {
        name: "open-comment",
        description: "unterminated `<!--` repeated",
        build: |size| fill("", "<!--", "", size),
    },
    Family {
        name: "open-cdata",
        description: "`<![CDATA[` repeated",
        build: |size| fill("", "<![CDATA[", "", size),
    },
    Family {
        name: "open-marked-section",
        description: "`<![if ` repeated",
        build: |size| fill("", "<![if ", "", size),
    },
    Family {
        name: "unmatched-end-tags",
        description: "`<div>` over half the page, then `</p>` (end tags that match nothing, deep stack)",
        build: |size| halves("<div>", "</p>", size),
    },
    Family {
        name: "void-end-tags",
        description: "`<br>` over half the page, then `</br>`",
        build: |size| halves("<br>", "</br>", size),
    },
    Family {
        name: "attribute-run",
        description: "one tag with a run of attributes: `<a x0 x1 x2 … >`",
        build: attribute_run,
    },
    Family {
        name: "space-run",
        description: "`<a`, spaces, `>`",
        build: |size| fill("<a", " ", ">", size),
    },
    Family {
        name: "slash-run",
        description: "`<a`, slashes, `>`",
        build: |size| fill("<a", "/", ">", size),
    },
    Family {
        name: "equals-space-run",
        description: "`<a`, `= ` repeated, `>`",
        build: |size| fill("<a", "= ", ">", size),
    },
    Family {
        name: "long-tag-name",
        description: "one tag with a name as long as the page",
        build: |size| fill("<", "a", ">", size),
    },
    Family {
        name: "equals-run",
        description: "`<a b`, `=` repeated, `>`",
        build: |size| fill("<a b", "=", ">", size),
    },
];
