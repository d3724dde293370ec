//! Probabilistic record linkage for everychild: deciding which records held by different
//! agencies (or twice by one agency) are the same child, when there is no shared identifier
//! and names, dates and addresses are messy.
//!
//! The method is Fellegi-Sunter. Each field of a pair of records is compared and reaches a
//! *level* (exact, nickname, Jaro-Winkler ≥ 0.92, day and month swapped, same postcode
//! sector…). Each level has two probabilities: *m*, how often true matches reach it, and *u*,
//! how often two different people do. The pair's *match weight* is the sum over fields of
//! `log2(m / u)` plus the prior `log2(λ / (1 − λ))`, and its probability is
//! `1 / (1 + 2^−weight)`. u is estimated from random pairs, m by expectation maximisation
//! within training blocks, λ from those EM sessions; the exact level of names, postcodes and
//! similar fields uses the value's own frequency instead of u (term-frequency adjustment).
//! Only pairs that agree on some blocking key are compared. No I/O and no async here.
//!
//! # Batch: deduplicate a list or link two lists
//!
//! ```
//! use everychild_linkage::{Dataset, Options, Role, run};
//! let roles = [Role::GivenName, Role::FamilyName, Role::Dob, Role::Postcode];
//! let mut data = Dataset::new(&roles, false).unwrap();
//! data.push("a1", 0, &[Some("Mohammed"), Some("Khan"), Some("2014-03-07"), Some("LE2 7AB")]);
//! data.push("h9", 0, &[Some("Muhammad"), Some("Khan"), Some("07/03/2014"), Some("LE27AB")]);
//! data.push("s3", 0, &[Some("Amelia"), Some("Nowak"), Some("2015-11-30"), Some("LE4 6GH")]);
//! data.finish();
//! let out = run(&data, None, &Options::default()).unwrap();
//! // `out.pairs` holds the likely pairs with their weights; `out.model` the trained model.
//! assert!(out.candidate_pairs >= 1);
//! ```
//!
//! For two lists, build the dataset with `link = true` and push list A's records with source
//! 0 and list B's with source 1; [`Outcome::links`] then holds the one-to-one links.
//!
//! # Incremental: score a new record against an index of existing people
//!
//! Store the trained [`Model`] (`serde_json::to_string(&model)`), build an [`Index`] of the
//! people already known, and ask it about each incoming agency record:
//!
//! ```
//! # use everychild_linkage::{Dataset, Options, Role, run, Index, Record, Decision};
//! # let roles = [Role::GivenName, Role::FamilyName, Role::Dob, Role::Postcode];
//! # let mut data = Dataset::new(&roles, false).unwrap();
//! # data.push("a1", 0, &[Some("Mohammed"), Some("Khan"), Some("2014-03-07"), Some("LE2 7AB")]);
//! # data.push("s3", 0, &[Some("Amelia"), Some("Nowak"), Some("2015-11-30"), Some("LE4 6GH")]);
//! # data.finish();
//! # let model = run(&data, None, &Options::default()).unwrap().model;
//! let mut index = Index::new(model).unwrap();
//! index.insert(&Record::new("person-1")
//!     .with(Role::GivenName, "Mohammed").with(Role::FamilyName, "Khan")
//!     .with(Role::Dob, "2014-03-07").with(Role::Postcode, "LE2 7AB"));
//! let incoming = Record::new("health-778")
//!     .with(Role::GivenName, "Muhammad").with(Role::FamilyName, "Khan")
//!     .with(Role::Dob, "2014-07-03").with(Role::Postcode, "LE2 7AB");
//! let ranked = index.candidates(&incoming, 5);
//! let best = &ranked[0];
//! assert_eq!(best.id, "person-1");
//! // best.probability, best.decision (AutoLink / Review / NoLink) and best.explanation
//! // (per-field values, level, m, u and weight) are what the review page shows.
//! assert!(matches!(best.decision, Decision::AutoLink | Decision::Review | Decision::NoLink));
//! ```

//! # Using it for agency imports
//!
//! 1. **Train** once on the records you have (the people already in the index, or the first
//!    extracts): build a [`Dataset`] with the roles your data has, call [`run`] with no truth,
//!    and store `out.model` as JSON ([`model_to_json`]). Train again when the data has grown a
//!    lot or its sources change; a model is a few kilobytes to a few megabytes (the
//!    term-frequency tables).
//! 2. **Index** the known people: [`Index::new`] with the stored model, then
//!    [`Index::insert`] each person (a [`Record`] with the person's id and values by role;
//!    roles the model does not have are ignored, missing ones count as missing).
//! 3. For **each extract row**, [`Index::candidates`]: the ranked people who share a blocking
//!    key with it. The top candidate's [`Decision`] says what to do: `AutoLink` (probability
//!    at or above `model.thresholds.auto_link`, 0.99 by default) links the agency record to
//!    that person; `Review` (at or above `review`, 0.5) queues the pair for a reviewer, who is
//!    shown [`Explanation`]: each field's two normalised values, the level reached ("day and
//!    month swapped"), m, u and the weight in bits, which add up to the total; `NoLink`, or no
//!    candidate at all, makes a new person, who is then inserted into the index.
//!    Two candidates both above `auto_link` for one row mean the index holds a duplicate:
//!    queue it for review rather than linking to either.
//! 4. Thresholds are part of the model ([`Thresholds`]); change them in the stored model to
//!    trade reviewer time against missed or wrong links. The benchmark (`bench/linkage.sh`)
//!    reports precision and recall at 0.5 and the best threshold for labelled data.
//!
//! Scores depend on the data the model was trained on (u and λ describe that population), so
//! keep one model per authority. Nothing here does I/O, so the caller decides where the model
//! and the index's records are stored, and audits every use.

pub mod blocking;
pub mod cluster;
mod compare;
pub mod eval;
pub mod features;
pub mod index;
pub mod model;
pub mod pipeline;
pub mod role;
pub mod text;
pub mod train;
pub mod variants;

pub use blocking::{default_rules, BlockingRule, KeyPart, RuleReport};
pub use cluster::{connected_components, one_to_one, ScoredPair};
pub use eval::{count_true_pairs, metrics, Metrics};
pub use features::Dataset;
pub use index::{Candidate, Index};
pub use model::{
    probability, Decision, Explanation, FieldModel, FieldWeight, LevelParams, Model,
    TermFrequencies, Thresholds,
};
pub use pipeline::{run, Options, Outcome};
pub use role::{Kind, Record, Role};
pub use train::{default_training_rules, train, TrainOptions, TrainReport};

/// Why linkage could not run.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LinkageError {
    /// A role name that does not exist.
    #[error("unknown role {0:?}: use one of {roles}", roles = Role::NAMES)]
    UnknownRole(String),
    /// The same role given twice.
    #[error("the role {0} is given more than once")]
    DuplicateRole(String),
    /// No fields at all.
    #[error("no fields to compare: give at least one field with a role")]
    NoFields,
    /// More fields than the model can hold.
    #[error("{0} fields given; at most 16 can be compared")]
    TooManyFields(usize),
    /// None of the blocking rules can be used with these roles.
    #[error("no blocking rule can be used with these fields: add a name, date of birth, postcode or identifier")]
    NoBlockingRule,
    /// A dataset's roles differ from the model's.
    #[error("the records have the fields {data:?} but the model was trained on {model:?}")]
    RolesDiffer {
        /// The model's roles.
        model: Vec<String>,
        /// The dataset's roles.
        data: Vec<String>,
    },
}

/// Re-exported so callers can serialise a model without naming serde_json themselves.
pub fn model_to_json(model: &Model) -> String {
    serde_json::to_string(model).unwrap_or_default()
}

/// Read a stored model.
pub fn model_from_json(json: &str) -> Result<Model, serde_json::Error> {
    serde_json::from_str(json)
}
