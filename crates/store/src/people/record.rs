//! Reading a child's record: the person (resolved to the survivor of any merge), family,
//! involvement, flags, addresses and agency records, with shielding and role restrictions
//! applied here so that no page or export can forget them.

use super::basis::CLUSTER;
use super::types::*;
use crate::Result;
use everychild_domain::AgencyType;
use sqlx::AnyConnection;

/// Person columns, in `PersonRow` order.
pub(crate) const PERSON_COLUMNS: &str = "p.id, p.kind, p.given_name, p.middle_names, p.family_name, \
    p.date_of_birth, p.sex, p.nhs_number, p.nhs_number_status, p.upn, p.ethnicity, \
    p.first_language, p.disability, p.send_status, p.shielded, p.address, p.postcode, p.phone, p.version";

/// A person row.
#[derive(sqlx::FromRow)]
pub(crate) struct PersonRow {
    pub(crate) id: i64,
    kind: String,
    given_name: String,
    middle_names: String,
    family_name: String,
    date_of_birth: Option<String>,
    sex: String,
    nhs_number: Option<String>,
    nhs_number_status: String,
    upn: Option<String>,
    ethnicity: Option<String>,
    first_language: Option<String>,
    disability: Option<String>,
    send_status: String,
    pub(crate) shielded: i64,
    address: Option<String>,
    postcode: Option<String>,
    phone: Option<String>,
    version: i64,
}

impl PersonRow {
    /// The view, with address and contacts removed when shielded and a withheld NHS number
    /// never shown.
    pub(crate) fn view(self) -> PersonView {
        let shielded = self.shielded != 0;
        let hide = |v: Option<String>| if shielded { None } else { v };
        PersonView {
            id: self.id,
            kind: self.kind,
            given_name: self.given_name,
            middle_names: self.middle_names,
            family_name: self.family_name,
            date_of_birth: self.date_of_birth,
            sex: self.sex,
            nhs_number: if self.nhs_number_status == "withheld" {
                None
            } else {
                self.nhs_number
            },
            nhs_number_status: self.nhs_number_status,
            upn: self.upn,
            ethnicity: self.ethnicity,
            first_language: self.first_language,
            disability: self.disability,
            send_status: self.send_status,
            shielded,
            address: hide(self.address),
            postcode: hide(self.postcode),
            phone: hide(self.phone),
            version: self.version,
        }
    }
}

/// The survivor of any merge: the record a person id now belongs to.
pub(crate) async fn root_of(conn: &mut AnyConnection, id: i64) -> Result<Option<i64>> {
    let row: Option<(i64, Option<i64>)> =
        sqlx::query_as("SELECT id, root_id FROM persons WHERE id = $1")
            .bind(id)
            .fetch_optional(&mut *conn)
            .await?;
    Ok(row.map(|(id, root)| root.unwrap_or(id)))
}

/// Whether a viewer from `viewer` agency may see the contact details of an involvement by
/// `agency`. Police involvement is criminal-offence data (UK GDPR Art 10): its details are for
/// the police and children's social care; everyone else sees only that the police are involved.
pub(crate) fn contact_visible(viewer: AgencyType, agency: &str) -> bool {
    agency != AgencyType::Police.as_str()
        || matches!(viewer, AgencyType::Police | AgencyType::SocialCare)
}

/// Read the record of the child `root` (already resolved) for a viewer of `viewer` agency.
pub(crate) async fn read(
    conn: &mut AnyConnection,
    root: i64,
    viewer: AgencyType,
) -> Result<Option<ChildRecord>> {
    let sql =
        format!("SELECT {PERSON_COLUMNS} FROM persons p WHERE p.id = $1 AND p.kind = 'child'");
    let Some(child) = sqlx::query_as::<_, PersonRow>(&sql)
        .bind(root)
        .fetch_optional(&mut *conn)
        .await?
    else {
        return Ok(None);
    };
    // Shielded if any record of the cluster is: merging a shielded record into an unshielded
    // one must never reveal its addresses.
    let (any_shielded,): (i64,) = sqlx::query_as(&format!(
        "SELECT COALESCE(MAX(shielded), 0) FROM persons WHERE id IN {CLUSTER}"
    ))
    .bind(root)
    .fetch_one(&mut *conn)
    .await?;
    let mut child = child;
    child.shielded = child.shielded.max(any_shielded);
    let child = child.view();
    let merged: Vec<(i64,)> =
        sqlx::query_as("SELECT id FROM persons WHERE root_id = $1 AND id <> $1 ORDER BY id")
            .bind(root)
            .fetch_all(&mut *conn)
            .await?;

    let sql = format!(
        "SELECT {PERSON_COLUMNS}, r.kind AS rel_kind, r.same_household, r.parental_responsibility \
         FROM person_relationships r JOIN persons p ON p.id = r.person_id \
         WHERE r.related_id IN {CLUSTER} AND r.until IS NULL ORDER BY r.kind, p.given_name"
    );
    let rows = sqlx::query(&sql).bind(root).fetch_all(&mut *conn).await?;
    let mut family = Vec::new();
    for row in rows {
        use sqlx::{FromRow, Row};
        // A shielded child's relatives' addresses and phone numbers would say where the
        // child is: they are hidden too.
        let mut relative = PersonRow::from_row(&row)?;
        if child.shielded {
            relative.shielded = 1;
        }
        let person = relative.view();
        family.push(Relative {
            person,
            kind: row.try_get("rel_kind")?,
            same_household: row.try_get::<i64, _>("same_household")? != 0,
            parental_responsibility: row.try_get::<i64, _>("parental_responsibility")? != 0,
        });
    }

    type InvTuple = (
        i64,
        String,
        String,
        Option<String>,
        Option<i64>,
        Option<String>,
        String,
        String,
        Option<String>,
        Option<String>,
    );
    let sql = format!(
        "SELECT i.id, o.name, o.agency_type, u.display_name, i.practitioner_id, i.team, i.role, i.since, i.until, i.contact \
         FROM involvements i JOIN organisations o ON o.id = i.organisation_id \
         LEFT JOIN users u ON u.id = i.practitioner_id \
         WHERE i.child_id IN {CLUSTER} AND i.status = 'approved' \
         ORDER BY (i.until IS NULL) DESC, i.since DESC"
    );
    let rows: Vec<InvTuple> = sqlx::query_as(&sql)
        .bind(root)
        .fetch_all(&mut *conn)
        .await?;
    let involvements = rows
        .into_iter()
        .map(|r| {
            let visible = contact_visible(viewer, &r.2);
            Involvement {
                id: r.0,
                organisation: r.1,
                agency_type: r.2,
                practitioner: if visible { r.3 } else { None },
                practitioner_id: if visible { r.4 } else { None },
                team: if visible { r.5 } else { None },
                role: r.6,
                since: r.7,
                until: r.8,
                contact_withheld: !visible,
                contact: if visible { r.9 } else { None },
            }
        })
        .collect();

    let sql = format!(
        "SELECT f.id, f.kind, f.since, f.until, o.name FROM person_flags f \
         LEFT JOIN organisations o ON o.id = f.organisation_id \
         WHERE f.person_id IN {CLUSTER} ORDER BY (f.until IS NULL) DESC, f.since DESC"
    );
    type FlagTuple = (i64, String, String, Option<String>, Option<String>);
    let rows: Vec<FlagTuple> = sqlx::query_as(&sql)
        .bind(root)
        .fetch_all(&mut *conn)
        .await?;
    let flags = rows
        .into_iter()
        .map(|(id, kind, since, until, organisation)| Flag {
            id,
            kind,
            since,
            until,
            organisation,
        })
        .collect();

    let addresses = if child.shielded {
        Vec::new()
    } else {
        let sql = format!(
            "SELECT a.address, a.postcode, a.from_date, a.to_date, a.source FROM person_addresses a \
             WHERE a.person_id IN {CLUSTER} ORDER BY a.from_date DESC"
        );
        type AddressTuple = (
            String,
            Option<String>,
            Option<String>,
            Option<String>,
            String,
        );
        let rows: Vec<AddressTuple> = sqlx::query_as(&sql)
            .bind(root)
            .fetch_all(&mut *conn)
            .await?;
        rows.into_iter()
            .map(
                |(address, postcode, from_date, to_date, source)| AddressRow {
                    address,
                    postcode,
                    from_date,
                    to_date,
                    source,
                },
            )
            .collect()
    };

    let sql = format!(
        "SELECT a.id, o.name, a.source_id, a.status, a.probability, a.last_seen FROM agency_records a \
         JOIN organisations o ON o.id = a.organisation_id WHERE a.person_id IN {CLUSTER} ORDER BY o.name"
    );
    let rows: Vec<(i64, String, String, String, Option<f64>, String)> = sqlx::query_as(&sql)
        .bind(root)
        .fetch_all(&mut *conn)
        .await?;
    let agency_records = rows
        .into_iter()
        .map(
            |(id, organisation, source_id, status, probability, last_seen)| AgencyRecord {
                id,
                organisation,
                source_id,
                status,
                probability,
                last_seen,
            },
        )
        .collect();

    Ok(Some(ChildRecord {
        child,
        merged: merged.into_iter().map(|m| m.0).collect(),
        family,
        involvements,
        flags,
        addresses,
        agency_records,
    }))
}
