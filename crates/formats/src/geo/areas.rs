//! Authorities, wards and LSOAs: the ONS lookups, centroids and boundary GeoJSON.

use super::Input;
use crate::table::Table;
use crate::ImportError;
use everychild_domain::geo::data::{AuthorityArea, Lsoa, Ward};
use everychild_domain::geo::{AreaCode, LatLon};
use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;

/// What the area files give.
pub(crate) struct Areas {
    pub authorities: Vec<AuthorityArea>,
    pub wards: Vec<Ward>,
    pub lsoas: Vec<Lsoa>,
}

pub(crate) fn read(
    lsoa11: Input,
    lsoa21: Input,
    centroids: Input,
    boundaries: &[(String, PathBuf)],
) -> Result<Areas, ImportError> {
    let mut authorities: BTreeMap<AreaCode, String> = BTreeMap::new();
    let mut wards: BTreeMap<AreaCode, Ward> = BTreeMap::new();
    let mut lsoas: BTreeMap<(u16, AreaCode), Lsoa> = BTreeMap::new();

    let cols = [
        "LSOA11CD", "LSOA11NM", "WD19CD", "WD19NM", "LAD19CD", "LAD19NM",
    ];
    let mut t = Table::new(&lsoa11.name, lsoa11.file, &cols)?;
    while let Some(r) = t.next_row()? {
        let lad = r.code("LAD19CD")?;
        authorities.insert(lad.clone(), r.required("LAD19NM")?);
        let ward = r.code("WD19CD")?;
        wards.entry(ward.clone()).or_insert(Ward {
            code: ward.clone(),
            name: r.required("WD19NM")?,
            authority: lad.clone(),
            geometry: None,
        });
        let code = r.code("LSOA11CD")?;
        lsoas.insert(
            (2011, code.clone()),
            Lsoa {
                code,
                vintage: 2011,
                name: r.required("LSOA11NM")?,
                authority: lad,
                ward: Some(ward),
                centroid: None,
                geometry: None,
            },
        );
    }

    let cols = ["LSOA21CD", "LSOA21NM", "WD25CD", "LADCD"];
    let mut t = Table::new(&lsoa21.name, lsoa21.file, &cols)?;
    while let Some(r) = t.next_row()? {
        let code = r.code("LSOA21CD")?;
        let ward = r.code("WD25CD")?;
        let lad = r.code("LADCD")?;
        if !wards.contains_key(&ward) {
            return Err(r.error(
                "WD25CD",
                format!("ward {ward} is not in the LSOA 2011 to ward lookup"),
            ));
        }
        lsoas.insert(
            (2021, code.clone()),
            Lsoa {
                code,
                vintage: 2021,
                name: r.required("LSOA21NM")?,
                authority: lad,
                ward: Some(ward),
                centroid: None,
                geometry: None,
            },
        );
    }

    let mut t = Table::new(
        &centroids.name,
        centroids.file,
        &["LSOACD", "latitude", "longitude"],
    )?;
    while let Some(r) = t.next_row()? {
        let code = r.code("LSOACD")?;
        let c = LatLon {
            latitude: r.decimal("latitude")?,
            longitude: r.decimal("longitude")?,
        };
        if !(49.0..=61.0).contains(&c.latitude) || !(-9.0..=2.0).contains(&c.longitude) {
            return Err(r.error("latitude", "the centroid is not in Great Britain"));
        }
        for vintage in [2011, 2021] {
            if let Some(l) = lsoas.get_mut(&(vintage, code.clone())) {
                l.centroid = Some(c);
            }
        }
    }

    for (name, path) in boundaries {
        read_boundaries(name, path, &mut wards, &mut lsoas)?;
    }

    Ok(Areas {
        authorities: authorities
            .into_iter()
            .map(|(code, name)| AuthorityArea { code, name })
            .collect(),
        wards: wards.into_values().collect(),
        lsoas: lsoas.into_values().collect(),
    })
}

/// Attach each feature's geometry to its ward or LSOA, by the code property the file carries.
fn read_boundaries(
    name: &str,
    path: &PathBuf,
    wards: &mut BTreeMap<AreaCode, Ward>,
    lsoas: &mut BTreeMap<(u16, AreaCode), Lsoa>,
) -> Result<(), ImportError> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| ImportError::file(name, format!("cannot be read: {e}")))?;
    let doc: serde_json::Value = serde_json::from_str(&text).map_err(|e| ImportError {
        file: name.to_owned(),
        line: Some(e.line() as u64),
        column: None,
        message: format!("not valid JSON: {e}"),
    })?;
    let features = doc
        .get("features")
        .and_then(|f| f.as_array())
        .ok_or_else(|| {
            ImportError::file(
                name,
                "is not a GeoJSON FeatureCollection (no features array)",
            )
        })?;
    let mut ward_geoms: HashMap<AreaCode, String> = HashMap::new();
    for (i, f) in features.iter().enumerate() {
        let props = f.get("properties");
        let prop = |k: &str| props.and_then(|p| p.get(k)).and_then(|v| v.as_str());
        let feature_err = |col: &str, m: String| ImportError {
            file: name.to_owned(),
            line: None,
            column: Some(col.to_owned()),
            message: format!("feature {}: {m}", i + 1),
        };
        let geometry = f
            .get("geometry")
            .ok_or_else(|| feature_err("geometry", "has no geometry".into()))?;
        match geometry.get("type").and_then(|t| t.as_str()) {
            Some("Polygon" | "MultiPolygon") => {}
            other => {
                return Err(feature_err(
                    "geometry",
                    format!("geometry type {other:?} is not a Polygon or MultiPolygon"),
                ))
            }
        }
        let geometry = geometry.to_string();
        let (key, target) = if let Some(c) = prop("WD25CD") {
            ("WD25CD", Target::Ward(c))
        } else if let Some(c) = prop("LSOA11CD") {
            ("LSOA11CD", Target::Lsoa(2011, c))
        } else if let Some(c) = prop("LSOA21CD") {
            ("LSOA21CD", Target::Lsoa(2021, c))
        } else {
            // MSOA and other layers are not used.
            continue;
        };
        match target {
            Target::Ward(c) => {
                let code = AreaCode::parse(c).map_err(|e| feature_err(key, e.message))?;
                if !wards.contains_key(&code) {
                    let ward_name = prop("WD25NM").unwrap_or(c).to_owned();
                    let lad = prop("LAD25CD")
                        .map(AreaCode::parse)
                        .transpose()
                        .map_err(|e| feature_err("LAD25CD", e.message))?;
                    let Some(lad) = lad else {
                        return Err(feature_err(
                            "LAD25CD",
                            "ward is not in the lookups and has no authority code".into(),
                        ));
                    };
                    wards.insert(
                        code.clone(),
                        Ward {
                            code: code.clone(),
                            name: ward_name,
                            authority: lad,
                            geometry: None,
                        },
                    );
                }
                ward_geoms.insert(code, geometry);
            }
            Target::Lsoa(vintage, c) => {
                let code = AreaCode::parse(c).map_err(|e| feature_err(key, e.message))?;
                match lsoas.get_mut(&(vintage, code)) {
                    Some(l) => l.geometry = Some(geometry),
                    None => {
                        return Err(feature_err(
                            key,
                            format!("LSOA {c} is not in the {vintage} lookup"),
                        ))
                    }
                }
            }
        }
    }
    for (code, g) in ward_geoms {
        if let Some(w) = wards.get_mut(&code) {
            w.geometry = Some(g);
        }
    }
    Ok(())
}

enum Target<'a> {
    Ward(&'a str),
    Lsoa(u16, &'a str),
}
