//! Postcodes: the ONS lookup (live and terminated, with LSOA) joined to Ordnance Survey
//! Code-Point Open (position and ward of live postcodes) and the ONSPD (positions of terminated
//! ones too).

use super::Input;
use crate::table::{Row, Table};
use crate::ImportError;
use everychild_domain::geo::data::{Lsoa, PostcodeRecord};
use everychild_domain::geo::{AreaCode, BngPoint, Postcode, PostcodeEntry};
use std::collections::{BTreeMap, HashMap};

fn postcode(r: &Row<'_>, column: &str) -> Result<Postcode, ImportError> {
    Postcode::parse_field(r.text(column), "postcode").map_err(|e| r.error(column, e.message))
}

/// `YYYYMM`, or empty.
fn year_month(r: &Row<'_>, column: &str) -> Result<Option<String>, ImportError> {
    let t = r.text(column);
    if t.is_empty() {
        return Ok(None);
    }
    let ok = t.len() == 6
        && t.bytes().all(|b| b.is_ascii_digit())
        && matches!(t[4..].parse::<u8>(), Ok(1..=12));
    if ok {
        Ok(Some(t.to_owned()))
    } else {
        Err(r.error(
            column,
            format!("'{t}' is not a year and month written YYYYMM"),
        ))
    }
}

fn point(r: &Row<'_>, east: &str, north: &str) -> Result<Option<BngPoint>, ImportError> {
    let (Some(e), Some(n)) = (r.opt_decimal(east)?, r.opt_decimal(north)?) else {
        return Ok(None);
    };
    let p = BngPoint::new(e, n);
    // Code-Point marks postcodes without a position with zero coordinates.
    Ok(p.is_on_grid().then_some(p))
}

pub(crate) fn read(
    ons: Input,
    codepoint: Input,
    onspd: Input,
    lsoas: &[Lsoa],
) -> Result<Vec<PostcodeRecord>, ImportError> {
    let cols = [
        "Postcode",
        "Eastings",
        "Northings",
        "Admin_district_code",
        "Admin_ward_code",
    ];
    let mut live: HashMap<Postcode, (Option<BngPoint>, Option<AreaCode>)> = HashMap::new();
    let mut t = Table::new(&codepoint.name, codepoint.file, &cols)?;
    while let Some(r) = t.next_row()? {
        let pc = postcode(&r, "Postcode")?;
        live.insert(
            pc,
            (
                point(&r, "Eastings", "Northings")?,
                r.opt_code("Admin_ward_code")?,
            ),
        );
    }

    let mut positions: HashMap<Postcode, BngPoint> = HashMap::new();
    let mut t = Table::new(&onspd.name, onspd.file, &["pcd", "oseast1m", "osnrth1m"])?;
    while let Some(r) = t.next_row()? {
        let pc = postcode(&r, "pcd")?;
        if let Some(p) = point(&r, "oseast1m", "osnrth1m")? {
            positions.insert(pc, p);
        }
    }

    let best_fit_ward: HashMap<&AreaCode, &AreaCode> = lsoas
        .iter()
        .filter(|l| l.vintage == 2011)
        .filter_map(|l| l.ward.as_ref().map(|w| (&l.code, w)))
        .collect();

    let cols = [
        "pcds", "dointr", "doterm", "oa11cd", "lsoa11cd", "msoa11cd", "ladcd",
    ];
    let mut out: BTreeMap<Postcode, PostcodeRecord> = BTreeMap::new();
    let mut t = Table::new(&ons.name, ons.file, &cols)?;
    while let Some(r) = t.next_row()? {
        let pc = postcode(&r, "pcds")?;
        let lsoa11 = r.opt_code("lsoa11cd")?;
        let (cp_point, cp_ward) = live.get(&pc).cloned().unwrap_or((None, None));
        let ward = cp_ward.or_else(|| {
            lsoa11
                .as_ref()
                .and_then(|l| best_fit_ward.get(l))
                .map(|w| (*w).clone())
        });
        let record = PostcodeRecord {
            entry: PostcodeEntry {
                postcode: pc.clone(),
                authority: r.code("ladcd")?,
                lsoa11,
                ward,
                point: cp_point.or_else(|| positions.get(&pc).copied()),
                terminated: year_month(&r, "doterm")?,
            },
            introduced: year_month(&r, "dointr")?,
            oa11: r.opt_code("oa11cd")?,
            msoa11: r.opt_code("msoa11cd")?,
        };
        if out.insert(pc.clone(), record).is_some() {
            return Err(r.error("pcds", format!("postcode {pc} appears twice")));
        }
    }
    Ok(out.into_values().collect())
}
