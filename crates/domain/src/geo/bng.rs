//! Points on the Ordnance Survey National Grid (eastings and northings in metres) and their
//! conversion to WGS84 latitude and longitude.
//!
//! The conversion follows Ordnance Survey's published method ("A guide to coordinate systems
//! in Great Britain", Annex C for the inverse transverse Mercator projection on the Airy 1830
//! ellipsoid, and its seven-parameter Helmert transformation from OSGB36 to WGS84). The
//! Helmert step is accurate to a few metres, which is what a service directory or a map needs.

use serde::{Deserialize, Serialize};

/// A point on the National Grid, in metres. Distances between two points are straight-line
/// distances in metres, which within a city differ from true distances by well under 0.1%.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct BngPoint {
    /// Metres east of the grid's false origin.
    pub easting: f64,
    /// Metres north of the grid's false origin.
    pub northing: f64,
}

/// A WGS84 latitude and longitude in degrees (what GeoJSON and Open Referral use).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct LatLon {
    /// Degrees north.
    pub latitude: f64,
    /// Degrees east (negative west of Greenwich).
    pub longitude: f64,
}

// Airy 1830 ellipsoid and the National Grid's projection (OS guide, tables A1 and A2).
const AIRY_A: f64 = 6_377_563.396;
const AIRY_B: f64 = 6_356_256.909;
const F0: f64 = 0.999_601_271_7;
const LAT0_DEG: f64 = 49.0;
const LON0_DEG: f64 = -2.0;
const E0: f64 = 400_000.0;
const N0: f64 = -100_000.0;
// WGS84 / GRS80 ellipsoid.
const WGS_A: f64 = 6_378_137.0;
const WGS_B: f64 = 6_356_752.314_2;
// OSGB36 to WGS84 Helmert parameters (the OS guide's WGS84-to-OSGB36 values, reversed):
// translations in metres, scale in parts per million, rotations in arcseconds.
const TX: f64 = 446.448;
const TY: f64 = -125.157;
const TZ: f64 = 542.060;
const S_PPM: f64 = -20.4894;
const RX_SEC: f64 = 0.1502;
const RY_SEC: f64 = 0.2470;
const RZ_SEC: f64 = 0.8421;

impl BngPoint {
    /// A point from eastings and northings in metres.
    pub fn new(easting: f64, northing: f64) -> Self {
        Self { easting, northing }
    }

    /// Whether the point lies within the National Grid's extent (0-700 km east, 0-1300 km
    /// north); zero or missing coordinates in source files fall outside it.
    pub fn is_on_grid(&self) -> bool {
        self.easting > 0.0
            && self.easting < 700_000.0
            && self.northing > 0.0
            && self.northing < 1_300_000.0
    }

    /// Straight-line distance to another point, in metres.
    pub fn distance_m(&self, other: &BngPoint) -> f64 {
        (self.easting - other.easting).hypot(self.northing - other.northing)
    }

    /// The point's WGS84 latitude and longitude.
    pub fn to_wgs84(&self) -> LatLon {
        let (lat, lon) = self.to_osgb36_latlon();
        let (x, y, z) = to_cartesian(lat, lon, AIRY_A, AIRY_B);
        let (x, y, z) = helmert(x, y, z);
        let (lat, lon) = from_cartesian(x, y, z, WGS_A, WGS_B);
        LatLon {
            latitude: lat.to_degrees(),
            longitude: lon.to_degrees(),
        }
    }

    /// Latitude and longitude (radians) on the OSGB36 datum: the inverse projection.
    fn to_osgb36_latlon(self) -> (f64, f64) {
        let (a, b) = (AIRY_A, AIRY_B);
        let e2 = 1.0 - (b * b) / (a * a);
        let n = (a - b) / (a + b);
        let lat0 = LAT0_DEG.to_radians();
        let lon0 = LON0_DEG.to_radians();
        let meridional_arc = |lat: f64| {
            let (d, s) = (lat - lat0, lat + lat0);
            b * F0
                * ((1.0 + n + 1.25 * n * n + 1.25 * n * n * n) * d
                    - (3.0 * n + 3.0 * n * n + 21.0 / 8.0 * n * n * n) * d.sin() * s.cos()
                    + (15.0 / 8.0 * n * n + 15.0 / 8.0 * n * n * n)
                        * (2.0 * d).sin()
                        * (2.0 * s).cos()
                    - 35.0 / 24.0 * n * n * n * (3.0 * d).sin() * (3.0 * s).cos())
        };
        let mut lat = (self.northing - N0) / (a * F0) + lat0;
        let mut m = meridional_arc(lat);
        // Converges to 0.01 mm in a handful of steps; the bound guards against bad input.
        for _ in 0..20 {
            let gap = self.northing - N0 - m;
            if gap.abs() < 0.000_01 {
                break;
            }
            lat += gap / (a * F0);
            m = meridional_arc(lat);
        }
        let sin = lat.sin();
        let nu = a * F0 / (1.0 - e2 * sin * sin).sqrt();
        let rho = a * F0 * (1.0 - e2) / (1.0 - e2 * sin * sin).powf(1.5);
        let eta2 = nu / rho - 1.0;
        let t = lat.tan();
        let (t2, t4, t6) = (t * t, t.powi(4), t.powi(6));
        let sec = 1.0 / lat.cos();
        let vii = t / (2.0 * rho * nu);
        let viii = t / (24.0 * rho * nu.powi(3)) * (5.0 + 3.0 * t2 + eta2 - 9.0 * t2 * eta2);
        let ix = t / (720.0 * rho * nu.powi(5)) * (61.0 + 90.0 * t2 + 45.0 * t4);
        let x = sec / nu;
        let xi = sec / (6.0 * nu.powi(3)) * (nu / rho + 2.0 * t2);
        let xii = sec / (120.0 * nu.powi(5)) * (5.0 + 28.0 * t2 + 24.0 * t4);
        let xiia = sec / (5040.0 * nu.powi(7)) * (61.0 + 662.0 * t2 + 1320.0 * t4 + 720.0 * t6);
        let de = self.easting - E0;
        let lat = lat - vii * de.powi(2) + viii * de.powi(4) - ix * de.powi(6);
        let lon = lon0 + x * de - xi * de.powi(3) + xii * de.powi(5) - xiia * de.powi(7);
        (lat, lon)
    }
}

/// Geodetic latitude and longitude (radians, height 0) to earth-centred cartesian metres.
fn to_cartesian(lat: f64, lon: f64, a: f64, b: f64) -> (f64, f64, f64) {
    let e2 = 1.0 - (b * b) / (a * a);
    let nu = a / (1.0 - e2 * lat.sin().powi(2)).sqrt();
    (
        nu * lat.cos() * lon.cos(),
        nu * lat.cos() * lon.sin(),
        (1.0 - e2) * nu * lat.sin(),
    )
}

/// The seven-parameter Helmert transformation from OSGB36 to WGS84.
fn helmert(x: f64, y: f64, z: f64) -> (f64, f64, f64) {
    let s = 1.0 + S_PPM * 1e-6;
    let sec = |v: f64| (v / 3600.0).to_radians();
    let (rx, ry, rz) = (sec(RX_SEC), sec(RY_SEC), sec(RZ_SEC));
    (
        TX + s * x - rz * y + ry * z,
        TY + rz * x + s * y - rx * z,
        TZ - ry * x + rx * y + s * z,
    )
}

/// Earth-centred cartesian metres to geodetic latitude and longitude (radians).
fn from_cartesian(x: f64, y: f64, z: f64, a: f64, b: f64) -> (f64, f64) {
    let e2 = 1.0 - (b * b) / (a * a);
    let p = x.hypot(y);
    let mut lat = z.atan2(p * (1.0 - e2));
    for _ in 0..10 {
        let nu = a / (1.0 - e2 * lat.sin().powi(2)).sqrt();
        lat = (z + e2 * nu * lat.sin()).atan2(p);
    }
    (lat, y.atan2(x))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_ordnance_survey_worked_example_projects_back_to_its_osgb36_coordinates() {
        // OS guide, Annex C worked example: E 651409.903, N 313177.270 is
        // 52° 39' 27.2531" N, 1° 43' 4.5177" E on OSGB36.
        let (lat, lon) = BngPoint::new(651_409.903, 313_177.270).to_osgb36_latlon();
        let want_lat = 52.0 + 39.0 / 60.0 + 27.2531 / 3600.0;
        let want_lon = 1.0 + 43.0 / 60.0 + 4.5177 / 3600.0;
        assert!(
            (lat.to_degrees() - want_lat).abs() < 1e-7,
            "{}",
            lat.to_degrees()
        );
        assert!(
            (lon.to_degrees() - want_lon).abs() < 1e-7,
            "{}",
            lon.to_degrees()
        );
    }

    #[test]
    fn a_leicester_school_converts_to_within_a_few_metres_of_its_published_position() {
        // DfE GIAS publishes both for Catherine Infant School (URN 120002).
        let p = BngPoint::new(459_849.0, 305_769.0).to_wgs84();
        let (lat, lon) = (52.646_365_413_934_795, -1.116_863_000_675_552_4);
        let north_m = (p.latitude - lat) * 111_200.0;
        let east_m = (p.longitude - lon) * 111_200.0 * lat.to_radians().cos();
        assert!(
            north_m.hypot(east_m) < 5.0,
            "{p:?} is {north_m} m N, {east_m} m E off"
        );
    }

    #[test]
    fn distances_are_in_metres_and_points_off_the_grid_are_recognised() {
        let a = BngPoint::new(459_000.0, 304_000.0);
        let b = BngPoint::new(459_300.0, 304_400.0);
        assert!((a.distance_m(&b) - 500.0).abs() < 1e-9);
        assert!(a.is_on_grid());
        assert!(!BngPoint::new(0.0, 0.0).is_on_grid());
    }
}
