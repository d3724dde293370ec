//! Maps drawn as SVG from boundary GeoJSON, on the server: no tile server, no script, nothing
//! fetched, so the map works offline and in every browser. Areas are filled by group (a ward by
//! its locality), and each group is labelled at the centre of its areas. The page always gives
//! the same information as a table too; the map is never the only way to read it.

use std::fmt::Write as _;

/// One area to draw.
#[derive(Debug, Clone)]
pub struct Area {
    /// Its name, shown as the area's tooltip title.
    pub name: String,
    /// A GeoJSON geometry (Polygon or MultiPolygon, WGS84).
    pub geometry: String,
    /// Which group it belongs to (an index into the groups), if any.
    pub group: Option<usize>,
}

/// Fill colours for up to twelve groups: ColorBrewer's "Set3" qualitative scheme (Cynthia
/// Brewer, Pennsylvania State University), light enough for black labels.
const FILLS: [&str; 12] = [
    "#8dd3c7", "#ffffb3", "#bebada", "#fb8072", "#80b1d3", "#fdb462", "#b3de69", "#fccde5",
    "#d9d9d9", "#bc80bd", "#ccebc5", "#ffed6f",
];

/// The fill colour of group `i`.
pub fn fill(i: usize) -> &'static str {
    FILLS[i % FILLS.len()]
}

type Ring = Vec<(f64, f64)>;

/// The rings of a geometry, or none if it is not a polygon.
fn rings(geometry: &str) -> Vec<Ring> {
    let Ok(v) = serde_json::from_str::<serde_json::Value>(geometry) else {
        return Vec::new();
    };
    let ring = |r: &serde_json::Value| -> Ring {
        r.as_array()
            .map(|pts| {
                pts.iter()
                    .filter_map(|p| Some((p.get(0)?.as_f64()?, p.get(1)?.as_f64()?)))
                    .collect()
            })
            .unwrap_or_default()
    };
    let coords = v.get("coordinates").and_then(|c| c.as_array());
    match (v.get("type").and_then(|t| t.as_str()), coords) {
        (Some("Polygon"), Some(rs)) => rs.iter().map(ring).collect(),
        (Some("MultiPolygon"), Some(ps)) => ps
            .iter()
            .filter_map(|p| p.as_array())
            .flat_map(|rs| rs.iter().map(ring))
            .collect(),
        _ => Vec::new(),
    }
}

/// Escape text for SVG content and attributes.
fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

/// Draw `areas`, filled by group, with `labels[g]` at the centre of group `g`'s areas. `title`
/// is the map's accessible name. Returns SVG markup (all text escaped).
pub fn render(title: &str, areas: &[Area], labels: &[String]) -> String {
    let shapes: Vec<(usize, Vec<Ring>)> = areas
        .iter()
        .enumerate()
        .map(|(i, a)| (i, rings(&a.geometry)))
        .filter(|(_, r)| !r.is_empty())
        .collect();
    let pts = || shapes.iter().flat_map(|(_, rs)| rs.iter().flatten());
    let (mut x0, mut x1, mut y0, mut y1) = (f64::MAX, f64::MIN, f64::MAX, f64::MIN);
    for &(x, y) in pts() {
        x0 = x0.min(x);
        x1 = x1.max(x);
        y0 = y0.min(y);
        y1 = y1.max(y);
    }
    let mut out = String::new();
    if shapes.is_empty() || x1 <= x0 || y1 <= y0 {
        return out;
    }
    // Equirectangular projection at the map's middle latitude: true shapes at city scale.
    let k = ((y0 + y1) / 2.0).to_radians().cos();
    let width = 640.0;
    let scale = width / ((x1 - x0) * k);
    let height = (y1 - y0) * scale;
    let px = |(x, y): (f64, f64)| ((x - x0) * k * scale, (y1 - y) * scale);
    let _ = write!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="-4 -4 {:.0} {:.0}" role="img" aria-labelledby="map-title" focusable="false"><title id="map-title">{}</title>"#,
        width + 8.0,
        height + 8.0,
        esc(title)
    );
    let mut centres: Vec<(f64, f64, f64)> = vec![(0.0, 0.0, 0.0); labels.len()];
    for (i, rs) in &shapes {
        let area = &areas[*i];
        let mut d = String::new();
        for r in rs {
            for (j, p) in r.iter().enumerate() {
                let (x, y) = px(*p);
                let _ = write!(d, "{}{x:.1} {y:.1}", if j == 0 { "M" } else { "L" });
            }
            d.push('Z');
        }
        let colour = area.group.map_or("#f3f2f1", fill);
        let _ = write!(
            out,
            r##"<path d="{d}" fill="{colour}" stroke="#505a5f" stroke-width="0.8" fill-rule="evenodd"><title>{}</title></path>"##,
            esc(&area.name)
        );
        if let (Some(g), Some(outer)) = (area.group, rs.first()) {
            if let Some(c) = centres.get_mut(g) {
                let n = outer.len().max(1) as f64;
                let (sx, sy) = outer.iter().fold((0.0, 0.0), |a, p| {
                    let (x, y) = px(*p);
                    (a.0 + x, a.1 + y)
                });
                *c = (c.0 + sx / n, c.1 + sy / n, c.2 + 1.0);
            }
        }
    }
    for (label, (sx, sy, n)) in labels.iter().zip(&centres) {
        if *n > 0.0 {
            let _ = write!(
                out,
                r##"<text x="{:.1}" y="{:.1}" text-anchor="middle" font-family="arial, sans-serif" font-size="13" font-weight="bold" fill="#0b0c0c" stroke="#ffffff" stroke-width="3" paint-order="stroke">{}</text>"##,
                sx / n,
                sy / n,
                esc(label)
            );
        }
    }
    out.push_str("</svg>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const SQUARE: &str = r#"{"type":"Polygon","coordinates":[[[-1.2,52.6],[-1.1,52.6],[-1.1,52.7],[-1.2,52.7],[-1.2,52.6]]]}"#;
    const TWO: &str = r#"{"type":"MultiPolygon","coordinates":[[[[-1.1,52.6],[-1.0,52.6],[-1.0,52.65],[-1.1,52.6]]],[[[-1.05,52.66],[-1.0,52.66],[-1.0,52.7],[-1.05,52.66]]]]}"#;

    #[test]
    fn areas_become_paths_filled_by_group_with_escaped_names_and_labels() {
        let areas = vec![
            Area {
                name: "Castle <ward>".into(),
                geometry: SQUARE.into(),
                group: Some(0),
            },
            Area {
                name: "Two parts".into(),
                geometry: TWO.into(),
                group: Some(1),
            },
            Area {
                name: "Broken".into(),
                geometry: "not json".into(),
                group: Some(1),
            },
        ];
        let svg = render(
            "Wards & localities",
            &areas,
            &["Central".into(), "East".into()],
        );
        assert!(svg.starts_with("<svg"));
        assert_eq!(svg.matches("<path").count(), 2);
        assert_eq!(svg.matches('Z').count(), 3, "one closed ring per polygon");
        assert!(svg.contains("Castle &lt;ward&gt;"));
        assert!(svg.contains("Wards &amp; localities"));
        assert!(svg.contains(fill(0)) && svg.contains(fill(1)));
        assert_eq!(svg.matches("<text").count(), 2);
        assert!(!svg.contains("NaN"));
    }

    #[test]
    fn nothing_drawable_gives_no_map() {
        assert!(render("x", &[], &[]).is_empty());
        let bad = vec![Area {
            name: "a".into(),
            geometry: "{}".into(),
            group: None,
        }];
        assert!(render("x", &bad, &[]).is_empty());
    }
}
