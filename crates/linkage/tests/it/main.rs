//! Integration tests of the linkage engine through its public API.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod blocking;
mod cluster;
mod index;

use everychild_linkage::{Dataset, Role};

/// A small dataset of children: (id, truth, given, family, dob, postcode).
pub fn children() -> (Dataset, Vec<u32>) {
    let rows: &[(&str, u32, &str, &str, &str, &str)] = &[
        ("a1", 1, "Mohammed", "Khan", "2014-03-07", "LE2 7AB"),
        ("a2", 1, "Muhammad", "Khan", "2014-07-03", "LE2 7AB"),
        ("a3", 1, "Mohamed", "Khan", "2014-03-07", "LE4 1QT"),
        ("b1", 2, "Amelia", "Nowak", "2015-11-30", "LE3 9NA"),
        ("b2", 2, "Nowak", "Amelia", "2015-11-30", "LE3 9NA"),
        ("c1", 3, "Priya", "Patel", "2012-01-15", "LE5 5ZN"),
        ("d1", 4, "Riya", "Patel", "2016-05-02", "LE5 5ZN"),
        ("e1", 5, "Tendai", "Moyo", "2011-09-09", "LE1 1AA"),
    ];
    let roles = [Role::GivenName, Role::FamilyName, Role::Dob, Role::Postcode];
    let mut d = Dataset::new(&roles, false).unwrap();
    let mut truth = Vec::new();
    for (id, t, g, f, dob, pc) in rows {
        d.push(id, 0, &[Some(g), Some(f), Some(dob), Some(pc)]);
        truth.push(*t);
    }
    d.finish();
    (d, truth)
}
