//! The early help assessment: drafts saved as versions, conflicts returned rather than
//! overwritten, completion and sharing by consent.

use super::*;
use async_trait::async_trait;

/// An early help assessment as a reader sees it.
#[derive(Debug, Clone, Serialize)]
pub struct AssessmentView {
    /// Where it is.
    pub status: everychild_domain::casework::AssessmentStatus,
    /// What it says.
    pub content: everychild_domain::casework::AssessmentContent,
    /// Version (for the next save).
    pub version: i64,
    /// Who saved it last, when.
    pub updated: (String, String),
    /// Every saved version: number, status, who, when.
    pub history: Vec<(i64, String, String, String)>,
}

/// What a save did.
#[derive(Debug, Clone)]
pub enum SaveOutcome {
    /// Saved as this version.
    Saved(i64),
    /// Someone saved first: what is stored now, its version, who and when. Nothing was saved.
    Conflict {
        /// Stored content.
        stored: everychild_domain::casework::AssessmentContent,
        /// Its version.
        version: i64,
        /// Who saved it.
        by: String,
        /// When.
        at: String,
    },
}

type AssessmentRow = (i64, String, String, i64, String, String);

async fn assessment_row(
    conn: &mut sqlx::AnyConnection,
    request: i64,
) -> Result<Option<AssessmentRow>> {
    Ok(sqlx::query_as(
        "SELECT id, status, content, version, updated_by, updated_at FROM assessments WHERE request_id = $1",
    )
    .bind(request)
    .fetch_optional(&mut *conn)
    .await?)
}

fn parse_content(id: i64, json: &str) -> Result<everychild_domain::casework::AssessmentContent> {
    serde_json::from_str(json).map_err(|e| StoreError::Corrupt(format!("assessment {id}: {e}")))
}

/// The early help assessment of a request, and the family's consents to share it; audited.
#[async_trait]
pub trait AssessmentRepo: Send + Sync {
    /// The request's early help assessment, if there is one the permit may see (a draft is the
    /// lead professional's and locality manager's only; anyone else on the team sees a shared one
    /// only while a consent to share covers their organisation); audited.
    async fn assessment(
        &self,
        p: &Permit<policy::ViewRequest>,
        request: i64,
    ) -> Result<Option<AssessmentView>>;
    /// Save the draft assessment edited from version `base` (0: a new one); a stale base saves
    /// nothing and returns what is stored.
    async fn save_assessment(
        &self,
        p: &Permit<policy::ManageRequest>,
        request: i64,
        base: i64,
        content: &everychild_domain::casework::AssessmentContent,
    ) -> Result<SaveOutcome>;
    /// Complete (`share` false) or share (`share` true) the assessment at `version`.
    async fn advance_assessment(
        &self,
        p: &Permit<policy::ManageRequest>,
        request: i64,
        version: i64,
        share: bool,
    ) -> Result<()>;
    /// Record consent given for a purpose, covering every agency in the team around the child
    /// or one organisation; audited, naming the organisation.
    async fn record_consent(
        &self,
        p: &Permit<policy::ManageRequest>,
        request: i64,
        purpose: everychild_domain::casework::ConsentPurpose,
        scope: everychild_domain::casework::ConsentScope,
        given_by: &str,
    ) -> Result<()>;
}

#[async_trait]
impl AssessmentRepo for SqlStore {
    async fn assessment(
        &self,
        p: &Permit<policy::ViewRequest>,
        request: i64,
    ) -> Result<Option<AssessmentView>> {
        let (_, claimed) = permit_child(p)?;
        let user = permit_user(p)?.user_id.0;
        let (mut conn, child) = read_for_child(self, p).await?;
        request_of_child(&mut conn, request, child).await?;
        // A draft or an unshared assessment is the lead professional's and the locality
        // manager's. A current member of the team around the child sees it once it is shared,
        // and only while a consent to share is in force that covers their organisation: one
        // for every agency in the team, or one naming theirs. Someone merely involved with the
        // child, not on the team, never sees it; emergency (break-glass) access reads what is
        // shared, reviewed by the data protection officer. The rule is part of the query that
        // reads the row, so a consent withdrawn or a member removed a moment ago is never read
        // past.
        let author = matches!(
            claimed,
            policy::Basis::LeadProfessional | policy::Basis::Locality
        );
        let row = if author {
            assessment_row(&mut conn, request).await?
        } else {
            sqlx::query_as(
                "SELECT a.id, a.status, a.content, a.version, a.updated_by, a.updated_at FROM assessments a \
                 WHERE a.request_id = $1 AND a.status = 'shared' \
                 AND ($3 = 1 OR EXISTS (SELECT 1 FROM tac_members m WHERE m.request_id = a.request_id \
                      AND m.user_id = $2 AND m.until IS NULL)) \
                 AND EXISTS (SELECT 1 FROM request_consents c \
                   WHERE c.request_id = a.request_id AND c.purpose = 'share' AND c.withdrawn_at IS NULL \
                   AND (c.organisation_id IS NULL \
                        OR c.organisation_id = (SELECT u.organisation_id FROM users u WHERE u.id = $2)))",
            )
            .bind(request)
            .bind(user)
            .bind(i64::from(claimed == policy::Basis::BreakGlass))
            .fetch_optional(&mut *conn)
            .await?
        };
        let Some((id, status, content, version, by, at)) = row else {
            return Ok(None);
        };
        let status = everychild_domain::casework::AssessmentStatus::parse(&status)
            .ok_or_else(|| StoreError::Corrupt(format!("assessment {id}: status {status}")))?;
        let history: Vec<(i64, String, String, String)> = sqlx::query_as(
            "SELECT version, status, saved_by, saved_at FROM assessment_versions WHERE assessment_id = $1 ORDER BY version",
        )
        .bind(id)
        .fetch_all(&mut *conn)
        .await?;
        let view = AssessmentView {
            status,
            content: parse_content(id, &content)?,
            version,
            updated: (by, at),
            history,
        };
        drop(conn);
        self.audit_only(
            p,
            Event::success("assessment.view", Some(("person", child.to_string())))
                .detail(json!({ "request_id": request, "version": version })),
        )
        .await?;
        Ok(Some(view))
    }

    async fn save_assessment(
        &self,
        p: &Permit<policy::ManageRequest>,
        request: i64,
        base: i64,
        content: &everychild_domain::casework::AssessmentContent,
    ) -> Result<SaveOutcome> {
        let problems = content.check();
        if !problems.is_empty() {
            return Err(StoreError::Invalid(problems));
        }
        let (mut a, child) = begin_for_child(self, p).await?;
        let status = request_of_child(&mut a.tx, request, child).await?;
        if status == "closed" {
            return Err(StoreError::invalid(
                "request",
                "The request is closed; its assessment cannot change",
            ));
        }
        let by = maker(p.principal());
        let now = self.now().to_db();
        let json = serde_json::to_string(content)
            .map_err(|e| StoreError::Database(format!("assessment: {e}")))?;
        let existing = assessment_row(&mut a.tx, request).await?;
        let (id, version) = match existing {
            None if base == 0 => {
                let (id,): (i64,) = sqlx::query_as(
                    "INSERT INTO assessments (request_id, status, content, version, started_by, started_at, updated_by, updated_at) \
                     VALUES ($1, 'draft', $2, 1, $3, $4, $3, $4) RETURNING id",
                )
                .bind(request)
                .bind(&json)
                .bind(&by)
                .bind(&now)
                .fetch_one(&mut *a.tx)
                .await?;
                (id, 1)
            }
            None => {
                return Err(StoreError::invalid(
                    "assessment",
                    "There is no such assessment",
                ))
            }
            Some((id, st, stored, current, who, when)) => {
                if current != base {
                    return Ok(SaveOutcome::Conflict {
                        stored: parse_content(id, &stored)?,
                        version: current,
                        by: who,
                        at: when,
                    });
                }
                if st != "draft" {
                    return Err(StoreError::invalid(
                        "assessment",
                        format!("The assessment is {st}; only a draft can be changed"),
                    ));
                }
                let n = sqlx::query(
                    "UPDATE assessments SET content = $1, version = version + 1, updated_by = $2, updated_at = $3 \
                     WHERE id = $4 AND version = $5",
                )
                .bind(&json)
                .bind(&by)
                .bind(&now)
                .bind(id)
                .bind(current)
                .execute(&mut *a.tx)
                .await?
                .rows_affected();
                if n != 1 {
                    return Err(StoreError::invalid(
                        "version",
                        "Someone else saved this assessment at the same moment: reload it",
                    ));
                }
                (id, current + 1)
            }
        };
        sqlx::query(
            "INSERT INTO assessment_versions (assessment_id, version, status, content, saved_by, saved_at) VALUES ($1, $2, 'draft', $3, $4, $5)",
        )
        .bind(id)
        .bind(version)
        .bind(&json)
        .bind(&by)
        .bind(&now)
        .execute(&mut *a.tx)
        .await?;
        a.commit(
            Event::success("assessment.save", Some(("person", child.to_string())))
                .detail(json!({ "request_id": request, "version": version })),
        )
        .await?;
        Ok(SaveOutcome::Saved(version))
    }

    async fn advance_assessment(
        &self,
        p: &Permit<policy::ManageRequest>,
        request: i64,
        version: i64,
        share: bool,
    ) -> Result<()> {
        let (mut a, child) = begin_for_child(self, p).await?;
        request_of_child(&mut a.tx, request, child).await?;
        let Some((id, status, content, current, _, _)) = assessment_row(&mut a.tx, request).await?
        else {
            return Err(StoreError::invalid(
                "assessment",
                "There is no assessment yet",
            ));
        };
        if current != version {
            return Err(StoreError::invalid("version", "Someone else changed this assessment while you were looking at it: check it before you try again"));
        }
        let content = parse_content(id, &content)?;
        let to = match (status.as_str(), share) {
            ("draft", false) => {
                let missing = content.check_complete();
                if !missing.is_empty() {
                    return Err(StoreError::invalid(
                        missing[0].field,
                        format!(
                            "An incomplete assessment cannot be completed: {}",
                            missing
                                .iter()
                                .map(|m| m.message.as_str())
                                .collect::<Vec<_>>()
                                .join("; ")
                        ),
                    ));
                }
                "completed"
            }
            ("completed", true) => {
                let (consented,): (i64,) = sqlx::query_as(
                    "SELECT COUNT(*) FROM request_consents WHERE request_id = $1 AND purpose = 'share' AND withdrawn_at IS NULL",
                )
                .bind(request)
                .fetch_one(&mut *a.tx)
                .await?;
                if consented == 0 {
                    return Err(StoreError::invalid("consent", "The family has not agreed to share this assessment (or has withdrawn their agreement): record their consent first"));
                }
                "shared"
            }
            ("draft", true) => {
                return Err(StoreError::invalid(
                    "assessment",
                    "An incomplete assessment cannot be shared: complete it first",
                ))
            }
            (s, _) => {
                return Err(StoreError::invalid(
                    "assessment",
                    format!("The assessment is already {s}"),
                ))
            }
        };
        let now = self.now().to_db();
        let by = maker(p.principal());
        let stamp = if share { "shared_at" } else { "completed_at" };
        sqlx::query(&format!(
            "UPDATE assessments SET status = $1, version = version + 1, updated_by = $2, updated_at = $3, {stamp} = $3 WHERE id = $4"
        ))
        .bind(to)
        .bind(&by)
        .bind(&now)
        .bind(id)
        .execute(&mut *a.tx)
        .await?;
        sqlx::query(
            "INSERT INTO assessment_versions (assessment_id, version, status, content, saved_by, saved_at) \
             SELECT id, version, status, content, updated_by, updated_at FROM assessments WHERE id = $1",
        )
        .bind(id)
        .execute(&mut *a.tx)
        .await?;
        a.commit(
            Event::success(
                if share {
                    "assessment.share"
                } else {
                    "assessment.complete"
                },
                Some(("person", child.to_string())),
            )
            .detail(json!({ "request_id": request })),
        )
        .await
    }

    async fn record_consent(
        &self,
        p: &Permit<policy::ManageRequest>,
        request: i64,
        purpose: ConsentPurpose,
        scope: everychild_domain::casework::ConsentScope,
        given_by: &str,
    ) -> Result<()> {
        let given_by = given_by.trim();
        if given_by.is_empty() {
            return Err(StoreError::invalid(
                "consent_given_by",
                "Enter who gave consent",
            ));
        }
        let (mut a, child) = begin_for_child(self, p).await?;
        let status = request_of_child(&mut a.tx, request, child).await?;
        if status == "closed" {
            return Err(StoreError::invalid(
                "consent",
                "The request is closed; record consent on a new request",
            ));
        }
        let organisation = match scope.organisation() {
            None => None,
            Some(o) => {
                let name: Option<(String,)> =
                    sqlx::query_as("SELECT name FROM organisations WHERE id = $1")
                        .bind(o)
                        .fetch_optional(&mut *a.tx)
                        .await?;
                match name {
                    Some((n,)) => Some((o, n)),
                    None => {
                        return Err(StoreError::invalid("organisation", "Choose every agency in the team around the child, or one organisation from the list"))
                    }
                }
            }
        };
        sqlx::query(
            "INSERT INTO request_consents (request_id, purpose, organisation_id, given_by, recorded_by, recorded_at) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(request)
        .bind(purpose.as_str())
        .bind(organisation.as_ref().map(|o| o.0))
        .bind(given_by)
        .bind(maker(p.principal()))
        .bind(self.now().to_db())
        .execute(&mut *a.tx)
        .await?;
        a.commit(
            Event::success(
                "request.record_consent",
                Some(("person", child.to_string())),
            )
            .detail(json!({
                "request_id": request,
                "purpose": purpose.as_str(),
                "organisation_id": organisation.as_ref().map(|o| o.0),
                "organisation": organisation
                    .as_ref()
                    .map(|o| o.1.as_str())
                    .unwrap_or(everychild_domain::casework::ConsentScope::TEAM_LABEL),
            })),
        )
        .await
    }
}
