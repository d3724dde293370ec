//! The in-memory geography index: postcode to area, locality and hubs, and school to locality,
//! under each authority's current boundary set. Built from the store and swapped whole when
//! the geography or a boundary set changes; a lookup is a hash probe and allocates nothing.

use super::{AreaCode, BngPoint, LatLon, Postcode, Urn};
use crate::FieldError;
use std::collections::HashMap;

/// One postcode as the ONS and Ordnance Survey files describe it.
#[derive(Debug, Clone, PartialEq)]
pub struct PostcodeEntry {
    /// The postcode.
    pub postcode: Postcode,
    /// The local authority it lies in (ONS code).
    pub authority: AreaCode,
    /// Its 2011 LSOA (ONS best fit).
    pub lsoa11: Option<AreaCode>,
    /// Its electoral ward.
    pub ward: Option<AreaCode>,
    /// Its position, if published.
    pub point: Option<BngPoint>,
    /// When it was terminated (`YYYYMM`), if it no longer receives post.
    pub terminated: Option<String>,
}

/// A hub (or, where a locality has none for a phase, nothing) serving one age phase.
#[derive(Debug, Clone, PartialEq)]
pub struct AgePhaseHub {
    /// Age phase id.
    pub phase_id: i64,
    /// Age phase name ("0-12").
    pub phase_name: String,
    /// Hub id.
    pub hub_id: i64,
    /// Hub name.
    pub hub_name: String,
    /// Hub address, one line.
    pub address: String,
    /// Hub postcode.
    pub postcode: String,
}

/// A locality as the index knows it.
#[derive(Debug, Clone, PartialEq)]
struct LocalityInfo {
    name: String,
    hubs: Vec<AgePhaseHub>,
}

/// A school as the index knows it.
#[derive(Debug, Clone, PartialEq)]
struct SchoolInfo {
    name: String,
    authority: AreaCode,
    ward: Option<AreaCode>,
    city_wide: bool,
}

/// The answer to a postcode lookup, borrowed from the index.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PostcodeAnswer<'a> {
    /// What the files say about the postcode.
    pub entry: &'a PostcodeEntry,
    /// The ward's name.
    pub ward_name: Option<&'a str>,
    /// The locality serving it under the current boundary set: id and name.
    pub locality: Option<(i64, &'a str)>,
    /// That locality's hubs, one per age phase that has one.
    pub hubs: &'a [AgePhaseHub],
}

impl PostcodeAnswer<'_> {
    /// WGS84 position, if the postcode has one.
    pub fn lat_lon(&self) -> Option<LatLon> {
        self.entry.point.map(|p| p.to_wgs84())
    }
}

/// Why a postcode lookup has no answer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PostcodeError {
    /// Not a postcode at all.
    #[error("{0}")]
    Malformed(FieldError),
    /// A real-looking postcode that is not in this authority (or any authority loaded).
    #[error("{postcode} is not in {authority}")]
    NotInAuthority {
        /// The postcode asked about.
        postcode: String,
        /// The authority (or authorities) searched.
        authority: String,
        /// The authority it is in, when that is one of those loaded.
        lies_in: Option<String>,
    },
}

/// Builds a [`GeoIndex`].
#[derive(Debug, Default)]
pub struct GeoIndexBuilder {
    index: GeoIndex,
}

impl GeoIndexBuilder {
    /// Name an authority (ONS code and name).
    pub fn authority(&mut self, code: AreaCode, name: &str) -> &mut Self {
        self.index.authorities.insert(code, name.to_owned());
        self
    }
    /// Add a ward and its name.
    pub fn ward(&mut self, code: AreaCode, name: &str) -> &mut Self {
        self.index.ward_names.insert(code, name.to_owned());
        self
    }
    /// Add a postcode.
    pub fn postcode(&mut self, e: PostcodeEntry) -> &mut Self {
        self.index
            .postcodes
            .insert(e.postcode.as_str().to_owned(), e);
        self
    }
    /// Add a locality of a current boundary set.
    pub fn locality(&mut self, id: i64, name: &str) -> &mut Self {
        self.index.localities.insert(
            id,
            LocalityInfo {
                name: name.to_owned(),
                hubs: Vec::new(),
            },
        );
        self
    }
    /// Assign a ward to a locality (from a current boundary set).
    pub fn assign(&mut self, ward: AreaCode, locality: i64) -> &mut Self {
        self.index.ward_locality.insert(ward, locality);
        self
    }
    /// Add a hub to a locality for an age phase. Ignored if the locality is not current.
    pub fn hub(&mut self, locality: i64, hub: AgePhaseHub) -> &mut Self {
        if let Some(l) = self.index.localities.get_mut(&locality) {
            l.hubs.push(hub);
            l.hubs.sort_by_key(|h| h.phase_id);
        }
        self
    }
    /// Add a school.
    pub fn school(
        &mut self,
        urn: Urn,
        name: &str,
        authority: AreaCode,
        ward: Option<AreaCode>,
        city_wide: bool,
    ) -> &mut Self {
        self.index.schools.insert(
            urn,
            SchoolInfo {
                name: name.to_owned(),
                authority,
                ward,
                city_wide,
            },
        );
        self
    }
    /// The finished index.
    pub fn build(self) -> GeoIndex {
        self.index
    }
}

/// Postcodes, wards, localities, hubs and schools in memory, for lookups in microseconds.
#[derive(Debug, Default, Clone)]
pub struct GeoIndex {
    authorities: HashMap<AreaCode, String>,
    postcodes: HashMap<String, PostcodeEntry>,
    ward_names: HashMap<AreaCode, String>,
    ward_locality: HashMap<AreaCode, i64>,
    localities: HashMap<i64, LocalityInfo>,
    schools: HashMap<Urn, SchoolInfo>,
}

/// A school as a lookup answers it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SchoolAnswer<'a> {
    /// School name.
    pub name: &'a str,
    /// Its locality under the current boundary set.
    pub locality: Option<(i64, &'a str)>,
    /// Whether it serves the whole authority (a special school, say).
    pub city_wide: bool,
    /// Its authority's ONS code.
    pub authority: &'a AreaCode,
}

impl GeoIndex {
    /// How many postcodes the index holds.
    pub fn postcode_count(&self) -> usize {
        self.postcodes.len()
    }

    /// The name of an authority.
    pub fn authority_name(&self, code: &AreaCode) -> Option<&str> {
        self.authorities.get(code).map(String::as_str)
    }

    /// Look up raw postcode text, within one authority (`Some`) or any loaded (`None`).
    pub fn lookup(
        &self,
        raw: &str,
        within: Option<&AreaCode>,
    ) -> Result<PostcodeAnswer<'_>, PostcodeError> {
        let pc = Postcode::parse(raw).map_err(PostcodeError::Malformed)?;
        self.lookup_postcode(&pc, within)
    }

    /// Look up a parsed postcode, within one authority (`Some`) or any loaded (`None`).
    pub fn lookup_postcode(
        &self,
        pc: &Postcode,
        within: Option<&AreaCode>,
    ) -> Result<PostcodeAnswer<'_>, PostcodeError> {
        let searched = || match within {
            Some(code) => self
                .authorities
                .get(code)
                .cloned()
                .unwrap_or_else(|| code.to_string()),
            None => "the areas this service covers".to_owned(),
        };
        let Some(entry) = self.postcodes.get(pc.as_str()) else {
            return Err(PostcodeError::NotInAuthority {
                postcode: pc.to_string(),
                authority: searched(),
                lies_in: None,
            });
        };
        if let Some(code) = within {
            if &entry.authority != code {
                return Err(PostcodeError::NotInAuthority {
                    postcode: pc.to_string(),
                    authority: searched(),
                    lies_in: self.authorities.get(&entry.authority).cloned(),
                });
            }
        }
        Ok(self.answer(entry))
    }

    fn answer<'a>(&'a self, entry: &'a PostcodeEntry) -> PostcodeAnswer<'a> {
        let ward = entry.ward.as_ref();
        let locality = ward.and_then(|w| self.locality_of_ward(w));
        PostcodeAnswer {
            entry,
            ward_name: ward
                .and_then(|w| self.ward_names.get(w))
                .map(String::as_str),
            locality: locality.map(|(id, l)| (id, l.name.as_str())),
            hubs: locality.map(|(_, l)| l.hubs.as_slice()).unwrap_or(&[]),
        }
    }

    fn locality_of_ward(&self, ward: &AreaCode) -> Option<(i64, &LocalityInfo)> {
        let id = *self.ward_locality.get(ward)?;
        self.localities.get(&id).map(|l| (id, l))
    }

    /// A school by URN, with its locality.
    pub fn school(&self, urn: Urn) -> Option<SchoolAnswer<'_>> {
        let s = self.schools.get(&urn)?;
        Some(SchoolAnswer {
            name: &s.name,
            locality: s
                .ward
                .as_ref()
                .and_then(|w| self.locality_of_ward(w))
                .map(|(id, l)| (id, l.name.as_str())),
            city_wide: s.city_wide,
            authority: &s.authority,
        })
    }

    /// The locality a ward belongs to under the current boundary set.
    pub fn ward_locality(&self, ward: &AreaCode) -> Option<i64> {
        self.ward_locality.get(ward).copied()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(s: &str) -> AreaCode {
        AreaCode::parse(s).unwrap_or_else(|e| panic!("{e}"))
    }

    fn index() -> GeoIndex {
        let mut b = GeoIndexBuilder::default();
        b.authority(code("E06000016"), "Leicester")
            .authority(code("E06000031"), "Peterborough")
            .ward(code("E05010463"), "Castle")
            .locality(7, "Central Leicester")
            .assign(code("E05010463"), 7)
            .hub(
                7,
                AgePhaseHub {
                    phase_id: 2,
                    phase_name: "13-19".into(),
                    hub_id: 21,
                    hub_name: "Central Youth Hub".into(),
                    address: "1 High Street".into(),
                    postcode: "LE1 1AA".into(),
                },
            )
            .hub(
                7,
                AgePhaseHub {
                    phase_id: 1,
                    phase_name: "0-12".into(),
                    hub_id: 20,
                    hub_name: "Central Children's Hub".into(),
                    address: "2 High Street".into(),
                    postcode: "LE1 1AD".into(),
                },
            )
            .postcode(PostcodeEntry {
                postcode: Postcode::parse("LE1 1AA").unwrap_or_else(|e| panic!("{e}")),
                authority: code("E06000016"),
                lsoa11: Some(code("E01032873")),
                ward: Some(code("E05010463")),
                point: Some(BngPoint::new(459_318.0, 304_176.0)),
                terminated: None,
            })
            .postcode(PostcodeEntry {
                postcode: Postcode::parse("PE1 1AA").unwrap_or_else(|e| panic!("{e}")),
                authority: code("E06000031"),
                lsoa11: None,
                ward: None,
                point: None,
                terminated: Some("201001".into()),
            })
            .school(
                Urn(120_002),
                "Catherine Infant School",
                code("E06000016"),
                Some(code("E05010463")),
                false,
            );
        b.build()
    }

    #[test]
    fn a_postcode_finds_its_ward_locality_and_hubs_in_phase_order() {
        let idx = index();
        let a = idx.lookup("le11aa", None).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(a.ward_name, Some("Castle"));
        assert_eq!(a.locality, Some((7, "Central Leicester")));
        let hubs: Vec<_> = a.hubs.iter().map(|h| h.hub_id).collect();
        assert_eq!(hubs, vec![20, 21]);
        assert!(a.lat_lon().is_some());
    }

    #[test]
    fn lookups_say_malformed_or_not_in_this_authority_and_where_it_is() {
        let idx = index();
        assert!(matches!(
            idx.lookup("LE1", None),
            Err(PostcodeError::Malformed(_))
        ));
        let leicester = code("E06000016");
        match idx.lookup("PE1 1AA", Some(&leicester)) {
            Err(PostcodeError::NotInAuthority {
                authority, lies_in, ..
            }) => {
                assert_eq!(authority, "Leicester");
                assert_eq!(lies_in.as_deref(), Some("Peterborough"));
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            idx.lookup("SW1A 1AA", Some(&leicester)),
            Err(PostcodeError::NotInAuthority { lies_in: None, .. })
        ));
        let pe = idx
            .lookup("PE1 1AA", None)
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(pe.entry.terminated.as_deref(), Some("201001"));
        assert_eq!(pe.locality, None);
    }

    #[test]
    fn schools_fall_into_the_locality_of_their_ward() {
        let idx = index();
        let s = idx
            .school(Urn(120_002))
            .unwrap_or_else(|| panic!("school missing"));
        assert_eq!(s.locality, Some((7, "Central Leicester")));
        assert!(idx.school(Urn(999_999)).is_none());
    }
}
