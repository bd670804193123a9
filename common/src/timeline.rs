//! A timeline of who ran what, when — drawn as an ASCII Gantt chart.
//!
//! Timings alone say *how long*; a timeline shows *how*. Three tasks that
//! took 600 ms together either ran one after another (a staircase), took
//! turns on one core (interleaved slivers: **concurrency**), or ran at the
//! same time on several cores (stacked bars: **parallelism**):
//!
//! ```text
//!            0                      300 ms                     600 ms
//! main      │████████████████████···································│
//! worker-1  │····················▓▓▓▓▓▓▓▓▓▓▓▓▓▓▓▓▓▓▓▓▓··············│
//!           └────────────────────────────────────────────────────────┘
//! ```
//!
//! [`Timeline`] is `Sync`: share it by reference (scoped threads) or in an
//! `Arc`, and every thread records its own spans.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// One bar on the chart: `lane` (a thread or process) ran `label` between
/// `start` and `end`, both measured from the timeline's origin.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Span {
    /// The row: usually a thread name or `pid 1234`.
    pub lane: String,
    /// What ran; each distinct label gets its own glyph and a legend entry.
    pub label: String,
    /// Offset of the start from the timeline's origin.
    pub start: Duration,
    /// Offset of the end from the timeline's origin.
    pub end: Duration,
}

/// A thread-safe recorder of [`Span`]s.
///
/// ```
/// use common::timeline::Timeline;
/// let timeline = Timeline::new();
/// std::thread::scope(|s| {
///     for name in ["A", "B"] {
///         let timeline = &timeline; // scoped threads borrow: no Arc needed
///         s.spawn(move || timeline.span(format!("thread {name}"), name, || 2 + 2));
///     }
/// });
/// assert_eq!(timeline.spans().len(), 2);
/// println!("{}", timeline.render(40));
/// ```
#[derive(Debug)]
pub struct Timeline {
    origin: Instant,
    // A Mutex rather than a channel: recording is rare (once per task) and
    // short, so contention is negligible, and reading back is trivial.
    spans: Mutex<Vec<Span>>,
}

impl Default for Timeline {
    fn default() -> Self {
        Self::new()
    }
}

impl Timeline {
    /// A timeline whose origin (time zero) is now.
    pub fn new() -> Self {
        Self { origin: Instant::now(), spans: Mutex::default() }
    }

    /// The instant that is time zero on this timeline.
    pub fn origin(&self) -> Instant {
        self.origin
    }

    /// Records a span between two instants (clamped to the origin).
    pub fn record(
        &self,
        lane: impl Into<String>,
        label: impl Into<String>,
        start: Instant,
        end: Instant,
    ) {
        let (lane, label) = (lane.into(), label.into());
        let start = start.saturating_duration_since(self.origin);
        let end = end.saturating_duration_since(self.origin);
        self.push(Span { lane, label, start, end });
    }

    /// Adds a span (its end no earlier than its start).
    fn push(&self, span: Span) {
        let span = Span { end: span.end.max(span.start), ..span };
        // A poisoned lock means another thread panicked mid-push; the Vec is
        // still valid, and losing the chart over it would hide the real error.
        self.spans.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).push(span);
    }

    /// Runs `f`, records how long it took as a span, and returns its value.
    pub fn span<T>(
        &self,
        lane: impl Into<String>,
        label: impl Into<String>,
        f: impl FnOnce() -> T,
    ) -> T {
        let start = Instant::now();
        let value = f();
        self.record(lane, label, start, Instant::now());
        value
    }

    /// A copy of every span so far, sorted by start time.
    pub fn spans(&self) -> Vec<Span> {
        let mut spans = self.spans.lock().unwrap_or_else(|p| p.into_inner()).clone();
        spans.sort_by_key(|s| (s.start, s.end));
        spans
    }

    /// Draws the chart `width` columns wide (see [`render`]).
    pub fn render(&self, width: usize) -> String {
        render(&self.spans(), width)
    }
}

/// The name of the current thread, or its id if it has none — the natural
/// lane for a span.
pub fn current_lane() -> String {
    let thread = std::thread::current();
    match thread.name() {
        Some(name) => name.to_string(),
        None => format!("{:?}", thread.id()),
    }
}

/// Glyphs for successive labels; chosen to stay distinct in any monospace font.
const GLYPHS: [char; 12] = ['█', '▓', '▒', '░', '#', '=', '+', '*', '%', '@', 'o', 'x'];
/// What an idle cell looks like.
const IDLE: char = '·';
/// Lane names longer than this are cut so the chart keeps its width.
const MAX_LANE_WIDTH: usize = 16;
/// Legend entries beyond this are summarised as "…".
const MAX_LEGEND: usize = GLYPHS.len();

/// Renders spans as an ASCII Gantt chart `width` columns wide: one row per
/// lane (in order of first activity), a glyph per label, a time axis and a
/// legend.
///
/// Each column stands for `total / width` of time. A span covers the columns
/// from its rounded start to its rounded end, and at least one column, so a
/// very short task never disappears. When two spans of one lane fall in the
/// same column the later one wins.
///
/// ```
/// use std::time::Duration;
/// use common::timeline::{render, Span};
/// let ms = Duration::from_millis;
/// let spans = vec![
///     Span { lane: "main".into(), label: "A".into(), start: ms(0), end: ms(50) },
///     Span { lane: "worker".into(), label: "B".into(), start: ms(50), end: ms(100) },
/// ];
/// let chart = render(&spans, 10);
/// assert!(chart.contains("main    │█████·····│"));
/// assert!(chart.contains("worker  │·····▓▓▓▓▓│"));
/// ```
pub fn render(spans: &[Span], width: usize) -> String {
    let width = width.max(2);
    if spans.is_empty() {
        return "(no spans recorded)\n".to_string();
    }
    let mut spans = spans.to_vec();
    spans.sort_by_key(|s| (s.start, s.end));
    let chart = Chart::lay_out(&spans, width);
    let mut out = String::new();
    let _ = writeln!(out, "{:w$}  {}", "", chart.axis().trim_end(), w = chart.lane_width);
    for lane in &chart.lanes {
        let name: String = lane.chars().take(chart.lane_width).collect();
        let _ = writeln!(
            out,
            "{name:w$}  │{}│",
            chart.row(&spans, lane),
            w = chart.lane_width
        );
    }
    let _ = writeln!(out, "{:w$}  └{}┘", "", "─".repeat(width), w = chart.lane_width);
    let _ = writeln!(out, "{}", chart.legend().trim_end());
    out
}

/// What the chart's rows, axis and legend share, worked out once.
struct Chart<'a> {
    width: usize,
    /// The time the whole chart spans (the last end).
    total: Duration,
    /// Lanes in order of first activity, so the chart reads top to bottom
    /// in the order things started.
    lanes: Vec<&'a str>,
    lane_width: usize,
    glyph_of: HashMap<&'a str, char>,
    /// Glyphs and labels in order of first appearance.
    legend: Vec<(char, &'a str)>,
}

impl<'a> Chart<'a> {
    /// `spans` sorted by start.
    fn lay_out(spans: &'a [Span], width: usize) -> Self {
        let total = spans
            .iter()
            .map(|s| s.end)
            .max()
            .unwrap_or_default()
            .max(Duration::from_nanos(1));
        let mut lanes: Vec<&str> = Vec::new();
        let mut glyph_of: HashMap<&str, char> = HashMap::new();
        let mut legend: Vec<(char, &str)> = Vec::new();
        for span in spans {
            if !lanes.contains(&span.lane.as_str()) {
                lanes.push(&span.lane);
            }
            if !glyph_of.contains_key(span.label.as_str()) {
                let glyph = GLYPHS[legend.len() % GLYPHS.len()];
                glyph_of.insert(&span.label, glyph);
                legend.push((glyph, &span.label));
            }
        }
        let lane_width = lanes
            .iter()
            .map(|l| l.chars().count())
            .max()
            .unwrap_or(0)
            .min(MAX_LANE_WIDTH);
        Self { width, total, lanes, lane_width, glyph_of, legend }
    }

    /// The time axis: 0, the middle (where it fits with a gap on both
    /// sides) and the end.
    fn axis(&self) -> String {
        let width = self.width;
        let mid = format!("{:.0}", AxisTime(self.total / 2));
        let end = format!("{:.0}", AxisTime(self.total));
        let mut axis = vec![' '; width + 2];
        let end_at = (width + 2).saturating_sub(end.chars().count());
        let mid_at = (width + 2).saturating_sub(mid.chars().count()) / 2;
        place(&mut axis, 1, "0");
        if mid_at > 2 && mid_at + mid.chars().count() < end_at {
            place(&mut axis, mid_at, &mid);
        }
        place(&mut axis, end_at.max(3), &end);
        axis.iter().collect()
    }

    /// One lane's row: each column stands for `total / width` of time.
    fn row(&self, spans: &[Span], lane: &str) -> String {
        let cell = self.total.as_secs_f64() / self.width as f64;
        let mut row = vec![IDLE; self.width];
        for span in spans.iter().filter(|s| s.lane == lane) {
            let from =
                ((span.start.as_secs_f64() / cell).round() as usize).min(self.width - 1);
            let to = ((span.end.as_secs_f64() / cell).round() as usize)
                .clamp(from + 1, self.width);
            row[from..to].fill(self.glyph_of[span.label.as_str()]);
        }
        row.into_iter().collect()
    }

    /// `glyph = label` for each label, then the scale of one column.
    fn legend(&self) -> String {
        let mut line = String::from("  ");
        for (glyph, label) in self.legend.iter().take(MAX_LEGEND) {
            let _ = write!(line, "{glyph} {label}   ");
        }
        if self.legend.len() > MAX_LEGEND {
            let _ = write!(line, "… ({} labels; glyphs repeat)   ", self.legend.len());
        }
        let column = self.total / self.width as u32;
        let _ = write!(line, "(1 column ≈ {})", crate::timing::HumanDuration(column));
        line
    }
}

/// Writes `text` into `buf` starting at `at`, never past the end.
fn place(buf: &mut [char], at: usize, text: &str) {
    for (slot, ch) in buf.iter_mut().skip(at).zip(text.chars()) {
        *slot = ch;
    }
}

/// Axis labels: whole milliseconds below 10 s, seconds above.
struct AxisTime(Duration);

impl std::fmt::Display for AxisTime {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let ms = self.0.as_secs_f64() * 1e3;
        if ms < 10_000.0 {
            write!(f, "{ms:.0} ms")
        } else {
            write!(f, "{:.1} s", ms / 1e3)
        }
    }
}

/// The most spans in progress at one instant.
pub fn peak_overlap(spans: &[Span]) -> usize {
    let mut edges: Vec<(Duration, i32)> =
        spans.iter().flat_map(|s| [(s.start, 1), (s.end, -1)]).collect();
    // At equal times, ends first: a span that ends as another starts does
    // not overlap it.
    edges.sort();
    let (mut now, mut peak) = (0_i32, 0_i32);
    for (_, step) in edges {
        now += step;
        peak = peak.max(now);
    }
    peak as usize
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn peak_overlap_counts_spans_in_progress_at_once() {
        let ms = Duration::from_millis;
        let span = |start, end| Span {
            lane: String::new(),
            label: String::new(),
            start: ms(start),
            end: ms(end),
        };
        assert_eq!(
            peak_overlap(&[span(0, 10), span(10, 20)]),
            1,
            "touching is not overlap"
        );
        assert_eq!(peak_overlap(&[span(0, 10), span(5, 20), span(6, 7)]), 3);
        assert_eq!(peak_overlap(&[]), 0);
    }

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    fn span(lane: &str, label: &str, start: u64, end: u64) -> Span {
        Span { lane: lane.into(), label: label.into(), start: ms(start), end: ms(end) }
    }

    #[test]
    fn sequential_tasks_form_a_staircase() {
        let spans = [
            span("main", "A", 0, 200),
            span("main", "B", 200, 400),
            span("main", "C", 400, 600),
        ];
        let chart = render(&spans, 12);
        let expected = "       0      600 ms
main  │████▓▓▓▓▒▒▒▒│
      └────────────┘
  █ A   ▓ B   ▒ C   (1 column ≈ 50.0 ms)
";
        assert_eq!(chart, expected);
    }

    #[test]
    fn parallel_tasks_stack_on_separate_lanes() {
        let spans =
            [span("t1", "A", 0, 100), span("t2", "B", 0, 100), span("t3", "C", 0, 100)];
        let chart = render(&spans, 10);
        assert!(chart.contains("t1  │██████████│"), "{chart}");
        assert!(chart.contains("t2  │▓▓▓▓▓▓▓▓▓▓│"), "{chart}");
        assert!(chart.contains("t3  │▒▒▒▒▒▒▒▒▒▒│"), "{chart}");
    }

    #[test]
    fn interleaved_slices_alternate_between_lanes() {
        // Two threads taking turns every 10 ms: concurrency without parallelism.
        let spans: Vec<Span> = (0..10)
            .map(|i| {
                let lane = if i % 2 == 0 { "t1" } else { "t2" };
                span(lane, lane, i * 10, i * 10 + 10)
            })
            .collect();
        let chart = render(&spans, 10);
        assert!(chart.contains("t1  │█·█·█·█·█·│"), "{chart}");
        assert!(chart.contains("t2  │·▓·▓·▓·▓·▓│"), "{chart}");
    }

    #[test]
    fn a_tiny_span_still_shows_one_column() {
        let spans = [span("main", "long", 0, 1000), span("w", "blip", 500, 501)];
        let chart = render(&spans, 10);
        assert!(chart.contains("w     │·····▓····│"), "{chart}");
    }

    #[test]
    fn lanes_are_ordered_by_first_activity_and_names_are_cut() {
        let spans =
            [span("late", "x", 50, 60), span("a-very-long-lane-name-indeed", "y", 0, 10)];
        let chart = render(&spans, 6);
        let rows: Vec<&str> = chart.lines().collect();
        assert!(rows[1].starts_with("a-very-long-lane"), "{chart}");
        assert!(rows[2].starts_with("late "), "{chart}");
    }

    #[test]
    fn empty_timeline_says_so() {
        assert_eq!(render(&[], 10), "(no spans recorded)\n");
    }

    #[test]
    fn recording_from_threads_and_by_instants() {
        let timeline = Timeline::new();
        std::thread::scope(|s| {
            for i in 0..4 {
                let timeline = &timeline;
                s.spawn(move || timeline.span(format!("t{i}"), "work", || i * 2));
            }
        });
        let now = Instant::now();
        timeline.record("child", "proc", now, now + ms(5));
        let spans = timeline.spans();
        assert_eq!(spans.len(), 5);
        assert!(spans.iter().all(|s| s.end >= s.start));
        let child = spans.iter().find(|s| s.lane == "child").expect("span recorded");
        assert_eq!(child.end - child.start, ms(5));
    }
}
