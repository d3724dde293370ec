//! Reading Open Referral UK 3.0 documents: a feed's pages and items, or a folder of the files an
//! Open Referral API serves (`service_list.json`, `service_full.json`, `taxonomy_list.json`…).
//! Every item is checked on its own: a bad one is refused with its reasons (each naming its
//! JSON path) and the good ones are kept. A document that is not JSON, or not the shape its
//! name promises, makes the whole feed unreadable, so an import stops before writing anything.

use crate::ImportError;
use everychild_domain::directory::oruk::{
    organization_problems, read_document, taxonomy_problems, term_problems, Organization, Problem,
    Service, Taxonomy, TaxonomyTerm,
};
use serde::de::DeserializeOwned;
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::Path;

/// The largest document read (a page of 1,000 full services is well under this).
pub const MAX_DOCUMENT_BYTES: u64 = 64 * 1024 * 1024;

/// An item that was not taken, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refused {
    /// What it was: kind, id if it had one, and where it came from.
    pub item: String,
    /// Every reason, each naming its JSON path.
    pub problems: Vec<Problem>,
}

impl std::fmt::Display for Refused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let reasons: Vec<String> = self.problems.iter().map(ToString::to_string).collect();
        write!(f, "{}: {}", self.item, reasons.join("; "))
    }
}

/// Everything a feed gave: what can be stored and what was refused.
#[derive(Debug, Clone, Default)]
pub struct Feed {
    /// Full services, each passing `Service::problems`, by id (the last one read wins).
    pub services: BTreeMap<String, Service>,
    /// Providers given on their own.
    pub organizations: Vec<Organization>,
    /// Taxonomies.
    pub taxonomies: Vec<Taxonomy>,
    /// Taxonomy terms.
    pub terms: Vec<TaxonomyTerm>,
    /// Items refused, with their reasons.
    pub refused: Vec<Refused>,
    /// Files in a folder that are not part of a feed (read nothing from them).
    pub ignored: Vec<String>,
}

/// The kinds of document a feed serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Services (full or in their list form).
    Service,
    /// Providers.
    Organization,
    /// Taxonomies.
    Taxonomy,
    /// Taxonomy terms.
    TaxonomyTerm,
}

impl Kind {
    fn label(self) -> &'static str {
        match self {
            Kind::Service => "service",
            Kind::Organization => "organization",
            Kind::Taxonomy => "taxonomy",
            Kind::TaxonomyTerm => "taxonomy term",
        }
    }

    /// What a file in a feed folder holds, from its name (`service_list.json`,
    /// `services.json`, `taxonomy_term.json`…); `None` for files that are not read. As over
    /// HTTP, providers come embedded in their services, so organisation lists are not read.
    pub fn of_file(name: &str) -> Option<Kind> {
        let stem = name.strip_suffix(".json")?;
        if stem.starts_with("service_at_location") {
            None // derived from the services
        } else if stem.starts_with("service") {
            Some(Kind::Service)
        } else if stem.starts_with("taxonomy_term") {
            Some(Kind::TaxonomyTerm)
        } else if stem.starts_with("taxonom") {
            Some(Kind::Taxonomy)
        } else {
            None
        }
    }
}

/// A page in the Open Referral wrapper, as far as reading needs.
#[derive(Debug, Clone)]
pub struct PageOf {
    /// The items.
    pub contents: Vec<Value>,
    /// Pages in all, if the feed says.
    pub total_pages: Option<u64>,
    /// Whether this is the last page, if the feed says.
    pub last_page: Option<bool>,
}

/// Read a document that is a page (`{"contents": [...]}`), a list (`[...]`) or one item.
pub fn items(source: &str, doc: Value) -> Result<PageOf, ImportError> {
    match doc {
        Value::Array(items) => Ok(PageOf {
            contents: items,
            total_pages: None,
            last_page: None,
        }),
        Value::Object(mut o) if o.contains_key("contents") => {
            let contents = match o.remove("contents") {
                Some(Value::Array(items)) => items,
                _ => return Err(ImportError::file(source, "contents is not a list of items")),
            };
            Ok(PageOf {
                contents,
                total_pages: o.get("total_pages").and_then(Value::as_u64),
                last_page: o.get("last_page").and_then(Value::as_bool),
            })
        }
        item @ Value::Object(_) => Ok(PageOf {
            contents: vec![item],
            total_pages: None,
            last_page: None,
        }),
        _ => Err(ImportError::file(
            source,
            "is not an Open Referral page, list or item (expected a JSON object or list)",
        )),
    }
}

/// Parse JSON text, naming the place it breaks.
pub fn parse_json(source: &str, text: &[u8]) -> Result<Value, ImportError> {
    serde_json::from_slice(text).map_err(|e| ImportError {
        file: source.to_owned(),
        line: Some(e.line() as u64),
        column: Some(e.column().to_string()),
        message: format!("is not valid JSON: {e}"),
    })
}

fn item_name(kind: Kind, v: &Value, source: &str) -> String {
    match v.get("id").and_then(Value::as_str) {
        Some(id) => format!("{} {id} in {source}", kind.label()),
        None => format!("{} without an id in {source}", kind.label()),
    }
}

fn checked<T: DeserializeOwned>(
    v: Value,
    problems: impl Fn(&T) -> Vec<Problem>,
) -> Result<T, Vec<Problem>> {
    let t: T = read_document(v)?;
    let p = problems(&t);
    if p.is_empty() {
        Ok(t)
    } else {
        Err(p)
    }
}

impl Feed {
    /// Take every item of one document of `kind` read from `source`.
    pub fn take(&mut self, kind: Kind, source: &str, items: Vec<Value>) {
        for v in items {
            let name = item_name(kind, &v, source);
            let result = match kind {
                Kind::Service => Service::from_json(v).map(|s| {
                    self.services.insert(s.id.clone(), s);
                }),
                Kind::Organization => {
                    checked(v, organization_problems).map(|o| self.organizations.push(o))
                }
                Kind::Taxonomy => checked(v, taxonomy_problems).map(|t| self.taxonomies.push(t)),
                Kind::TaxonomyTerm => checked(v, term_problems).map(|t| self.terms.push(t)),
            };
            if let Err(problems) = result {
                self.refused.push(Refused {
                    item: name,
                    problems,
                });
            }
        }
    }

    /// A service refused for a reason outside its document (it could not be fetched).
    pub fn refuse(&mut self, item: String, message: String) {
        self.refused.push(Refused {
            item,
            problems: vec![Problem {
                path: "(document)".into(),
                message,
            }],
        });
    }
}

/// Read a folder of Open Referral documents. Services given in full (`service_full.json`,
/// `services/{id}.json`) are read after the lists, so a full document replaces the list form of
/// the same service; a service is refused on the reasons of its fullest document.
pub fn read_dir(dir: &Path) -> Result<Feed, ImportError> {
    let mut files = Vec::new();
    collect(dir, dir, &mut files)?;
    // Lists first, then full documents, each in name order.
    files.sort_by_key(|(rel, _)| (!rel.contains("list"), rel.clone()));
    let mut feed = Feed::default();
    let mut service_items: BTreeMap<String, (String, Value)> = BTreeMap::new();
    let mut anonymous: Vec<(String, Value)> = Vec::new();
    for (rel, path) in files {
        let file_name = rel.rsplit('/').next().unwrap_or(&rel).to_owned();
        let kind = if rel.starts_with("services/") {
            Some(Kind::Service)
        } else {
            Kind::of_file(&file_name)
        };
        let Some(kind) = kind else {
            feed.ignored.push(rel);
            continue;
        };
        let size = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
        if size > MAX_DOCUMENT_BYTES {
            return Err(ImportError::file(
                &rel,
                format!("is larger than {MAX_DOCUMENT_BYTES} bytes"),
            ));
        }
        let text = std::fs::read(&path)
            .map_err(|e| ImportError::file(&rel, format!("cannot be read: {e}")))?;
        let page = items(&rel, parse_json(&rel, &text)?)?;
        if kind == Kind::Service {
            for v in page.contents {
                match v.get("id").and_then(Value::as_str) {
                    Some(id) => {
                        service_items.insert(id.to_owned(), (rel.clone(), v));
                    }
                    None => anonymous.push((rel.clone(), v)),
                }
            }
        } else {
            feed.take(kind, &rel, page.contents);
        }
    }
    for (_, (rel, v)) in service_items {
        feed.take(Kind::Service, &rel, vec![v]);
    }
    for (rel, v) in anonymous {
        feed.take(Kind::Service, &rel, vec![v]);
    }
    Ok(feed)
}

fn collect(
    root: &Path,
    dir: &Path,
    out: &mut Vec<(String, std::path::PathBuf)>,
) -> Result<(), ImportError> {
    let shown = dir.display().to_string();
    let entries = std::fs::read_dir(dir)
        .map_err(|e| ImportError::file(&shown, format!("cannot be read: {e}")))?;
    for e in entries {
        let e = e.map_err(|e| ImportError::file(&shown, format!("cannot be read: {e}")))?;
        let path = e.path();
        let rel = path
            .strip_prefix(root)
            .map(|p| p.to_string_lossy().replace('\\', "/"))
            .unwrap_or_else(|_| path.display().to_string());
        if path.is_dir() {
            if rel == "services" {
                collect(root, &path, out)?;
            }
        } else if rel.ends_with(".json") {
            out.push((rel, path));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    fn fixtures(which: &str) -> std::path::PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../../shared/data/openreferral/oruk-validator-fixtures")
            .join(which)
    }

    #[test]
    fn the_validators_default_feed_reads_whole() {
        let feed = read_dir(&fixtures("V3.0-UK-Default")).unwrap();
        assert!(feed.refused.is_empty(), "{:?}", feed.refused);
        assert_eq!(feed.services.len(), 1);
        let s = feed.services.values().next().unwrap();
        assert_eq!(s.id, "ac148810-d857-441c-9679-408f346de14b");
        // The full document, not the list form, was kept.
        assert!(!s.service_at_locations.is_empty());
        assert!(!feed.taxonomies.is_empty());
        assert!(!feed.terms.is_empty());
        assert!(feed.ignored.iter().any(|f| f == "api_details.json"));
        assert!(feed.ignored.iter().any(|f| f == "organization_list.json"));
    }

    #[test]
    fn every_item_of_the_failing_feed_is_refused_with_its_reasons() {
        let feed = read_dir(&fixtures("V3.0-UK-Fail")).unwrap();
        assert!(feed.services.is_empty(), "{:?}", feed.services.keys());
        let mut refused: Vec<String> = feed.refused.iter().map(ToString::to_string).collect();
        refused.sort();
        assert_eq!(
            refused,
            vec![
                // The list names this service twice; its full document is the one judged.
                "service ac148810-d857-441c-9679-408f346de14b in service_full.json: url: \"example/counselling\" is not an absolute URI; email: \"email-example_com\" is not an email address",
                "service b644a0d2-9e8a-4c33-9390-ae9ee93fc056 in service_list.json: name: is required; url: \"example_counselling\" is not an absolute URI; email: \"email-example_com\" is not an email address",
                "service e85f5bb0-62f0-42cc-a08a-0c5c16273090 in service_list.json: email: invalid type: boolean `false`, expected a string",
                "taxonomy term 3f7b145d-84af-42d7-8fae-eaca714b02b2 in taxonomy_term.json: term_uri: \"example_com\" is not an absolute URI",
            ]
        );
        // What is valid in the same feed is kept.
        assert_eq!(feed.taxonomies.len(), 2);
    }

    #[test]
    fn a_broken_document_stops_the_whole_feed() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("service_list.json"), b"{\"contents\": [").unwrap();
        let e = read_dir(dir.path()).unwrap_err();
        assert_eq!(e.file, "service_list.json");
        assert!(e.message.contains("not valid JSON"), "{e}");
        std::fs::write(dir.path().join("service_list.json"), b"42").unwrap();
        let e = read_dir(dir.path()).unwrap_err();
        assert!(e.message.contains("not an Open Referral page"), "{e}");
    }

    #[test]
    fn file_names_say_what_a_document_holds() {
        assert_eq!(Kind::of_file("service_list.json"), Some(Kind::Service));
        assert_eq!(Kind::of_file("services.json"), Some(Kind::Service));
        assert_eq!(Kind::of_file("service_at_location_list.json"), None);
        assert_eq!(
            Kind::of_file("taxonomy_term_list.json"),
            Some(Kind::TaxonomyTerm)
        );
        assert_eq!(Kind::of_file("taxonomies.json"), Some(Kind::Taxonomy));
        assert_eq!(Kind::of_file("organization_list.json"), None);
        assert_eq!(Kind::of_file("api_details.json"), None);
        assert_eq!(Kind::of_file("notes.txt"), None);
    }
}
