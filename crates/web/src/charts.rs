//! Charts drawn as SVG on the server: no script, no library, nothing fetched. Each chart is an
//! image with an accessible name (`role="img"`, `<title>` and `<desc>`); its bars are separated
//! by white space, so each needs contrast only with the white page, and every colour here has
//! at least 3:1 against white (WCAG 2.2 non-text contrast, checked by a test). Bars carry their
//! value and, in grouped charts, their series' short label, so no figure depends on colour
//! alone; and the page always follows a chart with a table of the same numbers.

use std::fmt::Write as _;

/// Text colour (GOV.UK black).
const INK: &str = "#0b0c0c";
/// Axis and gridline colour (GOV.UK mid-grey; gridlines are decoration).
const GRID: &str = "#b1b4b6";
const FONT: &str = "arial, sans-serif";

/// GOV.UK Design System colours with at least 3:1 contrast against white: green, blue,
/// purple, red, dark grey.
pub const GREEN: &str = "#00703c";
/// Blue.
pub const BLUE: &str = "#1d70b8";
/// Purple.
pub const PURPLE: &str = "#4c2c92";
/// Red.
pub const RED: &str = "#d4351c";
/// Dark grey.
pub const GREY: &str = "#505a5f";

/// One series of a grouped bar chart.
pub struct Series {
    /// Its name in the legend ("Level 1").
    pub name: String,
    /// A short label drawn under each of its bars ("L1").
    pub short: String,
    /// Fill colour (one of this module's constants).
    pub colour: &'static str,
}

/// Escape text for SVG content and attributes.
fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

/// A round top for an axis from 0 to at least `max`, and its step (at most 5 steps).
fn scale(max: i64) -> (i64, i64) {
    let max = max.max(1);
    let mut unit = 1i64;
    loop {
        for m in [1, 2, 5] {
            let step = unit * m;
            if (max + step - 1) / step <= 5 {
                return ((max + step - 1) / step * step, step);
            }
        }
        unit *= 10;
    }
}

fn open(out: &mut String, id: &str, title: &str, desc: &str, w: f64, h: f64) {
    let _ = write!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w:.0} {h:.0}" width="100%" role="img" aria-labelledby="{id}-title {id}-desc" focusable="false" font-family="{FONT}"><title id="{id}-title">{}</title><desc id="{id}-desc">{}</desc>"#,
        esc(title),
        esc(desc)
    );
}

fn text(out: &mut String, x: f64, y: f64, anchor: &str, size: u32, s: &str) {
    let _ = write!(
        out,
        r#"<text x="{x:.1}" y="{y:.1}" text-anchor="{anchor}" font-size="{size}" fill="{INK}">{}</text>"#,
        esc(s)
    );
}

/// Horizontal gridlines and their values, for a plot from `top` to `bottom` between `left`
/// and `right`, scaled to `max`.
fn y_axis(out: &mut String, left: f64, right: f64, top: f64, bottom: f64, max: i64, step: i64) {
    let mut v = 0;
    while v <= max {
        let y = bottom - (bottom - top) * v as f64 / max as f64;
        let colour = if v == 0 { INK } else { GRID };
        let _ = write!(
            out,
            r#"<line x1="{left:.1}" y1="{y:.1}" x2="{right:.1}" y2="{y:.1}" stroke="{colour}" stroke-width="1"/>"#
        );
        text(out, left - 6.0, y + 4.0, "end", 12, &v.to_string());
        v += step;
    }
}

/// A grouped bar chart: for each category (with its label), one bar per series.
/// `values[c][s]` is category `c`'s value in series `s`.
pub fn grouped_bars(
    id: &str,
    title: &str,
    desc: &str,
    categories: &[String],
    series: &[Series],
    values: &[Vec<i64>],
) -> String {
    let (w, h) = (720.0, 340.0);
    let (left, right, top, bottom) = (44.0, w - 8.0, 48.0, h - 56.0);
    let max = values.iter().flatten().copied().max().unwrap_or(0);
    let (top_value, step) = scale(max);
    let mut out = String::new();
    open(&mut out, id, title, desc, w, h);
    // Legend.
    let mut x = left;
    for s in series {
        let _ = write!(
            out,
            r#"<rect x="{x:.1}" y="8" width="14" height="14" fill="{}"/>"#,
            s.colour
        );
        text(&mut out, x + 20.0, 20.0, "start", 13, &s.name);
        x += 28.0 + 7.5 * s.name.chars().count() as f64;
    }
    y_axis(&mut out, left, right, top, bottom, top_value, step);
    let n = categories.len().max(1) as f64;
    let group = (right - left) / n;
    let k = series.len().max(1) as f64;
    let bar = ((group * 0.8) / k - 2.0).clamp(4.0, 48.0);
    for (c, label) in categories.iter().enumerate() {
        let x0 = left + group * c as f64 + (group - (bar + 2.0) * k + 2.0) / 2.0;
        for (i, s) in series.iter().enumerate() {
            let v = values.get(c).and_then(|r| r.get(i)).copied().unwrap_or(0);
            let hgt = (bottom - top) * v as f64 / top_value as f64;
            let x = x0 + (bar + 2.0) * i as f64;
            let _ = write!(
                out,
                r#"<rect x="{x:.1}" y="{:.1}" width="{bar:.1}" height="{hgt:.1}" fill="{}"/>"#,
                bottom - hgt,
                s.colour
            );
            text(
                &mut out,
                x + bar / 2.0,
                bottom - hgt - 4.0,
                "middle",
                12,
                &v.to_string(),
            );
            if bar >= 14.0 {
                text(
                    &mut out,
                    x + bar / 2.0,
                    bottom + 14.0,
                    "middle",
                    10,
                    &s.short,
                );
            }
        }
        text(
            &mut out,
            left + group * (c as f64 + 0.5),
            bottom + 36.0,
            "middle",
            13,
            label,
        );
    }
    out.push_str("</svg>");
    out
}

/// A horizontal bar chart: one bar per (label, value), in the order given.
pub fn bars(id: &str, title: &str, desc: &str, rows: &[(String, i64)], colour: &str) -> String {
    let row = 30.0;
    let (w, label_w) = (720.0, 300.0);
    let (left, right, top) = (label_w + 8.0, w - 48.0, 24.0);
    let h = top + row * rows.len().max(1) as f64 + 8.0;
    let max = rows.iter().map(|r| r.1).max().unwrap_or(0);
    let (top_value, step) = scale(max);
    let mut out = String::new();
    open(&mut out, id, title, desc, w, h);
    // Vertical gridlines with their values along the top.
    let mut v = 0;
    while v <= top_value {
        let x = left + (right - left) * v as f64 / top_value as f64;
        let colour = if v == 0 { INK } else { GRID };
        let _ = write!(
            out,
            r#"<line x1="{x:.1}" y1="{top:.1}" x2="{x:.1}" y2="{:.1}" stroke="{colour}" stroke-width="1"/>"#,
            h - 8.0
        );
        text(&mut out, x, top - 8.0, "middle", 12, &v.to_string());
        v += step;
    }
    for (i, (label, v)) in rows.iter().enumerate() {
        let y = top + row * i as f64;
        let len = (right - left) * *v as f64 / top_value as f64;
        text(&mut out, label_w, y + 20.0, "end", 13, label);
        let _ = write!(
            out,
            r#"<rect x="{left:.1}" y="{:.1}" width="{len:.1}" height="{:.1}" fill="{colour}"/>"#,
            y + 5.0,
            row - 10.0
        );
        text(
            &mut out,
            left + len + 6.0,
            y + 20.0,
            "start",
            13,
            &v.to_string(),
        );
    }
    out.push_str("</svg>");
    out
}

/// A line chart of values over time: one point per (date label, value), oldest first. At most
/// eight date labels are drawn along the axis; every point carries its value.
pub fn line(id: &str, title: &str, desc: &str, points: &[(String, i64)]) -> String {
    let (w, h) = (720.0, 300.0);
    let (left, right, top, bottom) = (44.0, w - 24.0, 24.0, h - 40.0);
    let max = points.iter().map(|p| p.1).max().unwrap_or(0);
    let (top_value, step) = scale(max);
    let mut out = String::new();
    open(&mut out, id, title, desc, w, h);
    y_axis(&mut out, left, right, top, bottom, top_value, step);
    let n = points.len();
    let x_of = |i: usize| {
        if n <= 1 {
            (left + right) / 2.0
        } else {
            left + 16.0 + (right - left - 32.0) * i as f64 / (n - 1) as f64
        }
    };
    let y_of = |v: i64| bottom - (bottom - top) * v as f64 / top_value as f64;
    if n > 1 {
        let d: Vec<String> = points
            .iter()
            .enumerate()
            .map(|(i, p)| format!("{:.1},{:.1}", x_of(i), y_of(p.1)))
            .collect();
        let _ = write!(
            out,
            r#"<polyline points="{}" fill="none" stroke="{BLUE}" stroke-width="3"/>"#,
            d.join(" ")
        );
    }
    let every = n.div_ceil(8).max(1);
    for (i, (label, v)) in points.iter().enumerate() {
        let (x, y) = (x_of(i), y_of(*v));
        let _ = write!(
            out,
            r#"<circle cx="{x:.1}" cy="{y:.1}" r="5" fill="{BLUE}"/>"#
        );
        text(&mut out, x, y - 10.0, "middle", 12, &v.to_string());
        if i % every == 0 || i == n - 1 {
            text(&mut out, x, bottom + 20.0, "middle", 12, label);
        }
    }
    out.push_str("</svg>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// WCAG relative luminance of `#rrggbb`.
    fn luminance(hex: &str) -> f64 {
        let c = |i: usize| {
            let v = f64::from(u8::from_str_radix(&hex[i..i + 2], 16).unwrap()) / 255.0;
            if v <= 0.03928 {
                v / 12.92
            } else {
                ((v + 0.055) / 1.055).powf(2.4)
            }
        };
        0.2126 * c(1) + 0.7152 * c(3) + 0.0722 * c(5)
    }

    fn contrast(a: &str, b: &str) -> f64 {
        let (x, y) = (luminance(a), luminance(b));
        (x.max(y) + 0.05) / (x.min(y) + 0.05)
    }

    #[test]
    fn every_colour_has_3_to_1_contrast_with_the_white_page() {
        for c in [GREEN, BLUE, PURPLE, RED, GREY, INK] {
            assert!(
                contrast(c, "#ffffff") >= 3.0,
                "{c}: {}",
                contrast(c, "#ffffff")
            );
        }
        assert!(contrast(INK, "#ffffff") >= 4.5);
    }

    #[test]
    fn axes_end_at_a_round_number_in_at_most_five_steps() {
        assert_eq!(scale(0), (1, 1));
        assert_eq!(scale(3), (3, 1));
        assert_eq!(scale(7), (8, 2));
        assert_eq!(scale(23), (25, 5));
        assert_eq!(scale(96), (100, 20));
    }

    #[test]
    fn charts_are_named_images_with_escaped_text_and_every_value() {
        let svg = grouped_bars(
            "open",
            "Open <work>",
            "Same as the table",
            &["0-12".into(), "13-19".into()],
            &[
                Series {
                    name: "Level 2".into(),
                    short: "L2".into(),
                    colour: BLUE,
                },
                Series {
                    name: "Level 3".into(),
                    short: "L3".into(),
                    colour: PURPLE,
                },
            ],
            &[vec![2, 0], vec![0, 1]],
        );
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        assert!(svg.contains(r#"role="img" aria-labelledby="open-title open-desc""#));
        assert!(svg.contains(r#"<title id="open-title">Open &lt;work&gt;</title>"#));
        assert!(svg.contains(">2</text>") && svg.contains(">1</text>"));
        assert!(!svg.contains("<script"));
        let svg = bars("need", "Unmet", "d", &[("Health & care".into(), 4)], RED);
        assert!(svg.contains("Health &amp; care") && svg.contains(">4</text>"));
        let svg = line("trend", "Stuck", "d", &[("2026-01-01".into(), 3)]);
        assert!(svg.contains("<circle") && !svg.contains("<polyline"));
        let svg = line(
            "trend",
            "Stuck",
            "d",
            &[("2026-01-01".into(), 3), ("2026-02-01".into(), 1)],
        );
        assert!(svg.contains("<polyline") && svg.contains("2026-02-01"));
    }
}
