//! Between the index and the linkage engine: the fields people are matched on, the people
//! already known, and the trained model (kept in `linkage_models`; trained again when the
//! index has more than doubled since).

use crate::{Result, StoreError};
use everychild_domain::person::ExtractRow;
use everychild_linkage::{
    model_from_json, model_to_json, run, BlockingRule, Dataset, KeyPart, Model, Options, Record,
    Role,
};
use sqlx::{Any, Transaction};

/// The roles records are matched on, in dataset column order.
pub(crate) const ROLES: [Role; 9] = [
    Role::GivenName,
    Role::MiddleName,
    Role::FamilyName,
    Role::Dob,
    Role::Sex,
    Role::Postcode,
    Role::Address,
    Role::NhsNumber,
    Role::Identifier,
];

/// A record's values by role, in [`ROLES`] order.
#[derive(Debug, Clone, Default)]
pub(crate) struct LinkFields(pub [Option<String>; 9]);

impl LinkFields {
    /// The fields of an extract row.
    pub fn of_row(r: &ExtractRow) -> Self {
        Self([
            r.given_name.clone(),
            r.middle_names.clone(),
            r.family_name.clone(),
            r.date_of_birth.clone(),
            r.sex.clone().filter(|s| s != "not_known"),
            r.postcode.clone(),
            r.address.clone(),
            r.nhs_number.clone(),
            r.upn.clone(),
        ])
    }

    /// As the engine's record.
    pub fn record(&self, id: &str) -> Record {
        let mut rec = Record::new(id);
        for (role, v) in ROLES.iter().zip(&self.0) {
            if let Some(v) = v.as_deref().filter(|v| !v.is_empty()) {
                rec = rec.with(role.clone(), v);
            }
        }
        rec
    }

    fn values(&self) -> Vec<Option<&str>> {
        self.0
            .iter()
            .map(|v| v.as_deref().filter(|v| !v.is_empty()))
            .collect()
    }
}

type PersonTuple = (
    i64,
    String,
    String,
    String,
    Option<String>,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
);

/// Every current child record (not merged into another), with its matching fields.
pub(crate) async fn load_people(
    tx: &mut Transaction<'static, Any>,
) -> Result<Vec<(i64, LinkFields)>> {
    let rows: Vec<PersonTuple> = sqlx::query_as(
        "SELECT id, given_name, middle_names, family_name, date_of_birth, sex, postcode, address, nhs_number, upn \
         FROM persons WHERE kind = 'child' AND root_id IS NULL ORDER BY id",
    )
    .fetch_all(&mut **tx)
    .await?;
    let opt = |s: String| Some(s).filter(|s| !s.is_empty());
    Ok(rows
        .into_iter()
        .map(|r| {
            (
                r.0,
                LinkFields([
                    opt(r.1),
                    opt(r.2),
                    opt(r.3),
                    r.4,
                    Some(r.5).filter(|s| s != "not_known"),
                    r.6,
                    r.7,
                    r.8,
                    r.9,
                ]),
            )
        })
        .collect())
}

/// Below this many records EM has too little to learn from, and the reference model is used.
pub(crate) const MIN_TRAINING_RECORDS: usize = 2_000;

/// The reference model: m and u per comparison level as trained on the synthetic Leicester
/// population (`everychild demo --population 0.1`), without its term frequencies, smoothed so
/// that no level is impossible, and with the identifiers' parameters set from what they are (an
/// NHS number or UPN is unique to one child). Its prior is set from the index's size: a row is
/// taken to be even odds of being one of the `known` people.
pub(crate) fn reference_model(known: usize) -> Result<Model> {
    let mut m = model_from_json(include_str!("reference-model.json"))
        .map_err(|e| StoreError::Corrupt(format!("reference linkage model: {e}")))?;
    m.lambda = 0.5 / known.max(1) as f64;
    Ok(m)
}

/// The model to link `fresh` rows against `known` people: the reference model while there are
/// fewer than [`MIN_TRAINING_RECORDS`]; otherwise the stored one if it was trained on
/// at least half as many records as there are now, else one trained now on both (and stored).
/// Returns the model and whether it was trained now.
pub(crate) async fn model_for(
    tx: &mut Transaction<'static, Any>,
    known: &[(i64, LinkFields)],
    fresh: &[&ExtractRow],
    now: &str,
) -> Result<(Model, bool)> {
    let records = known.len() + fresh.len();
    if records < MIN_TRAINING_RECORDS {
        return Ok((reference_model(known.len())?, false));
    }
    let stored: Option<(String, i64)> =
        sqlx::query_as("SELECT model, records FROM linkage_models ORDER BY id DESC LIMIT 1")
            .fetch_optional(&mut **tx)
            .await?;
    if let Some((json, records)) = stored {
        if records * 2 >= known.len() as i64 {
            let m = model_from_json(&json)
                .map_err(|e| StoreError::Corrupt(format!("linkage model: {e}")))?;
            return Ok((m, false));
        }
    }
    // Link the incoming rows against the people known.
    let link = true;
    let mut data =
        Dataset::new(&ROLES, link).map_err(|e| StoreError::Database(format!("linkage: {e}")))?;
    for (id, f) in known {
        data.push(&id.to_string(), 0, &f.values());
    }
    for r in fresh {
        data.push(
            &r.source_id,
            u8::from(link),
            &LinkFields::of_row(r).values(),
        );
    }
    data.finish();
    // Train without a block on postcode or address: in those blocks brothers and sisters look
    // like one child recorded twice, and EM would learn that a household is a person.
    let training_rules = vec![
        BlockingRule::new(vec![KeyPart::Exact(Role::Dob)], false),
        BlockingRule::new(
            vec![
                KeyPart::Exact(Role::GivenName),
                KeyPart::Exact(Role::FamilyName),
            ],
            false,
        ),
        BlockingRule::new(vec![KeyPart::Exact(Role::NhsNumber)], false),
    ];
    let options = Options {
        training_rules: Some(training_rules),
        ..Options::default()
    };
    let model = run(&data, None, &options)
        .map_err(|e| StoreError::Database(format!("linkage: {e}")))?
        .model;
    sqlx::query("INSERT INTO linkage_models (model, trained_at, records) VALUES ($1, $2, $3)")
        .bind(model_to_json(&model))
        .bind(now)
        .bind((known.len() + fresh.len()) as i64)
        .execute(&mut **tx)
        .await?;
    Ok((model, true))
}
