//! Searching the index of children: by NHS number or UPN exactly, or by name (any spelling
//! close enough, any order), date of birth (day and month swapped too) and postcode. The
//! database narrows the candidates; the names are scored here.

use super::basis;
use super::types::{ChildHit, ChildQuery};
use crate::{Result, SqlStore};
use everychild_domain::person::{name_similarity, name_tokens};
use everychild_policy::{decide, Action, Decision, Principal, Target};

/// Most candidates scored for one search.
const CANDIDATES: i64 = 5000;
/// Most hits returned.
const HITS: usize = 25;
/// Lowest name score shown when no date of birth or identifier agrees.
const NAME_ONLY: f64 = 0.88;

type Row = (
    i64,
    String,
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    i64,
    Option<String>,
);

/// `YYYY-MM-DD` and, when day and month can be swapped, `YYYY-DD-MM`.
fn dob_variants(d: &str) -> Vec<String> {
    let mut v = vec![d.to_owned()];
    if let (Some(y), Some(m), Some(day)) = (d.get(..4), d.get(5..7), d.get(8..10)) {
        if m != day && day.parse::<u8>().is_ok_and(|x| x <= 12) {
            v.push(format!("{y}-{day}-{m}"));
        }
    }
    v
}

pub(super) async fn run(
    store: &SqlStore,
    q: &ChildQuery,
    who: &Principal,
    user: i64,
) -> Result<Vec<ChildHit>> {
    everychild_domain::person::search_is_specific(
        q.name.as_deref(),
        q.date_of_birth.as_deref(),
        q.identifier.as_deref(),
        q.postcode.as_deref(),
    )
    .map_err(crate::StoreError::from)?;
    let ident = q
        .identifier
        .as_deref()
        .map(|s| {
            s.chars()
                .filter(|c| !c.is_whitespace())
                .collect::<String>()
                .to_uppercase()
        })
        .filter(|s| !s.is_empty());
    let dob = q
        .date_of_birth
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty());
    let name = q.name.as_deref().map(str::trim).filter(|s| !s.is_empty());
    let postcode = q
        .postcode
        .as_deref()
        .map(|s| s.trim().to_uppercase())
        .filter(|s| !s.is_empty());
    // Shielded if any record of the child's cluster is.
    let cols = "p.id, p.given_name, p.middle_names, p.family_name, p.date_of_birth, p.postcode, p.nhs_number, \
         (SELECT COALESCE(MAX(s.shielded), 0) FROM persons s WHERE s.id = p.id OR s.root_id = p.id) AS shielded, p.upn";
    let mut rows: Vec<Row> = Vec::new();
    if let Some(id) = &ident {
        let sql = format!("SELECT {cols} FROM persons p WHERE p.kind = 'child' AND p.root_id IS NULL AND (p.nhs_number = $1 OR p.upn = $1)");
        rows = sqlx::query_as(&sql).bind(id).fetch_all(&store.pool).await?;
    } else if dob.is_some() || name.is_some() {
        // Candidates: the date of birth (or its swap), or a name starting like a typed word.
        let mut clauses = Vec::new();
        let mut binds: Vec<String> = Vec::new();
        if let Some(d) = dob {
            for v in dob_variants(d) {
                binds.push(v);
                clauses.push(format!("p.date_of_birth = ${}", binds.len()));
            }
        }
        if dob.is_none() {
            for t in name.map(name_tokens).unwrap_or_default() {
                let prefix: String = t.chars().take(2).collect();
                binds.push(format!("{prefix}%"));
                let n = binds.len();
                clauses.push(format!(
                    "LOWER(p.family_name) LIKE ${n} OR LOWER(p.given_name) LIKE ${n}"
                ));
            }
        }
        if clauses.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!(
            "SELECT {cols} FROM persons p WHERE p.kind = 'child' AND p.root_id IS NULL AND ({}) LIMIT {CANDIDATES}",
            clauses.join(" OR ")
        );
        let mut query = sqlx::query_as::<_, Row>(&sql);
        for b in &binds {
            query = query.bind(b);
        }
        rows = query.fetch_all(&store.pool).await?;
    }
    let mut scored: Vec<(f64, Row)> = rows
        .into_iter()
        .filter_map(|r| {
            let name_score = name.map(|n| name_similarity(n, &r.1, &r.2, &r.3));
            let dob_ok = dob.is_some_and(|d| {
                r.4.as_deref()
                    .is_some_and(|x| dob_variants(d).iter().any(|v| v == x))
            });
            // A shielded child's postcode takes no part in matching or order: otherwise trying
            // postcodes one by one would show where the child lives.
            let pc_ok = r.7 == 0
                && postcode
                    .as_deref()
                    .is_some_and(|pc| r.5.as_deref() == Some(pc));
            let score = match (name_score, ident.is_some()) {
                (_, true) => 1.0,
                (Some(s), false) if dob_ok || pc_ok => s,
                (Some(s), false) if s >= NAME_ONLY => s,
                (Some(_), false) => return None,
                (None, false) if dob_ok => 0.9,
                (None, false) => return None,
            };
            (score >= 0.7).then_some((score + if pc_ok { 0.05 } else { 0.0 }, r))
        })
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1 .0.cmp(&b.1 .0)));
    scored.truncate(HITS);
    let mut conn = store.pool.acquire().await?;
    let (now, today) = (store.now().to_db(), store.today());
    let mut hits = Vec::with_capacity(scored.len());
    for (score, r) in scored {
        let can_open = basis::bases(&mut conn, r.0, user, &now, &today)
            .await?
            .into_iter()
            .any(|b| {
                decide(who, Action::ViewChild, &Target::Child { id: r.0, basis: b })
                    == Decision::Allow
            });
        hits.push(ChildHit {
            id: r.0,
            name: format!("{} {}", r.1, r.3),
            date_of_birth: r.4,
            district: if r.7 != 0 {
                None
            } else {
                r.5.and_then(|pc| pc.split(' ').next().map(str::to_owned))
            },
            score: score.min(1.0),
            can_open,
        });
    }
    Ok(hits)
}

#[cfg(test)]
mod tests {
    #[test]
    fn dates_of_birth_can_be_swapped_only_when_both_parts_could_be_months() {
        assert_eq!(
            super::dob_variants("2014-03-07"),
            vec!["2014-03-07", "2014-07-03"]
        );
        assert_eq!(super::dob_variants("2014-03-17"), vec!["2014-03-17"]);
        assert_eq!(super::dob_variants("2014-05-05"), vec!["2014-05-05"]);
    }
}
