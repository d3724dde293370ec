//! An authority's settings, for administrators: the lead-locality rule, the age phases and the
//! schools that serve the whole authority.

use super::localities::choose_authority;
use super::{render_status, Chrome};
use crate::error::{AppError, PageError};
use crate::forms::{Fields, FormErrors};
use crate::{AppState, Ctx};
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use everychild_domain::locality::{AgePhase, AgePhases, LeadRule, MAX_AGE};
use everychild_policy::{self as policy, Target};
use everychild_store::{AgePhaseRow, Authority, SchoolRow};
use serde::Deserialize;

/// One row of the age-phase form, as typed.
#[derive(Clone, Default)]
pub struct PhaseInput {
    /// Name.
    pub name: String,
    /// Youngest age.
    pub min: String,
    /// Oldest age.
    pub max: String,
    /// Oldest age with SEND.
    pub send: String,
}

impl PhaseInput {
    /// The row's fields: name suffix, label, value, input width, input mode.
    pub fn fields(&self) -> [(&'static str, &'static str, &str, &'static str, &'static str); 4] {
        [
            ("name", "Name", &self.name, "5", "text"),
            ("min", "Youngest age", &self.min, "2", "numeric"),
            ("max", "Oldest age", &self.max, "2", "numeric"),
            (
                "send",
                "Oldest age with SEND (optional)",
                &self.send,
                "2",
                "numeric",
            ),
        ]
    }
}

#[derive(Template)]
#[template(path = "authority.html")]
struct SettingsPage {
    c: Chrome,
    authorities: Vec<Authority>,
    authority: Authority,
    errors: FormErrors,
    phases: Vec<PhaseInput>,
    schools: Vec<SchoolRow>,
    done: Option<&'static str>,
}

/// The page's query.
#[derive(Deserialize, Default)]
pub struct SettingsQ {
    authority: Option<String>,
    done: Option<String>,
}

/// Rows for the age-phase form: the stored phases and one blank row to add another.
fn phase_inputs(rows: &[AgePhaseRow]) -> Vec<PhaseInput> {
    let mut v: Vec<PhaseInput> = rows
        .iter()
        .map(|p| PhaseInput {
            name: p.name.clone(),
            min: p.min_age.to_string(),
            max: p.max_age.to_string(),
            send: p.send_max_age.map(|s| s.to_string()).unwrap_or_default(),
        })
        .collect();
    v.push(PhaseInput::default());
    v
}

async fn page(
    st: &AppState,
    ctx: &Ctx,
    code: Option<&str>,
    errors: FormErrors,
    phases: Option<Vec<PhaseInput>>,
    done: Option<&'static str>,
) -> Result<Response, AppError> {
    let view = ctx
        .authorize::<policy::ViewLocalities>(st, Target::None, None)
        .await?;
    let (authorities, authority) = choose_authority(st, &view, code).await?;
    let phases = match phases {
        Some(p) => p,
        None => phase_inputs(&st.store.age_phases(&view, authority.id).await?),
    };
    let mut schools = st.store.schools(&view, authority.id).await?;
    schools.sort_by(|a, b| {
        (b.type_group == "Special schools")
            .cmp(&(a.type_group == "Special schools"))
            .then(a.name.cmp(&b.name))
    });
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::BAD_REQUEST
    };
    render_status(
        status,
        &SettingsPage {
            c: Chrome::new(
                st,
                ctx,
                format!("Settings for {}", authority.name),
                "/admin/authority",
            )
            .errors(!errors.is_empty()),
            authorities,
            authority,
            errors,
            phases,
            schools,
            done,
        },
    )
    .map_err(|e| e.0)
}

/// GET /admin/authority
pub async fn show(
    ctx: Ctx,
    State(st): State<AppState>,
    Query(q): Query<SettingsQ>,
) -> Result<Response, PageError> {
    ctx.authorize::<policy::ConfigureAuthority>(&st, Target::None, None)
        .await?;
    let done = match q.done.as_deref() {
        Some("rule") => Some("The lead-locality rule has been saved"),
        Some("phases") => Some("The age phases have been saved"),
        Some("schools") => Some("The schools serving the whole authority have been saved"),
        _ => None,
    };
    Ok(page(
        &st,
        &ctx,
        q.authority.as_deref(),
        FormErrors::none(),
        None,
        done,
    )
    .await?)
}

fn back(code: &str, done: &str) -> Response {
    Redirect::to(&format!("/admin/authority?authority={code}&done={done}")).into_response()
}

/// POST /admin/authority/lead-rule
pub async fn lead_rule(
    ctx: Ctx,
    State(st): State<AppState>,
    body: Bytes,
) -> Result<Response, PageError> {
    let permit = ctx
        .authorize::<policy::ConfigureAuthority>(
            &st,
            Target::None,
            Some("set the lead-locality rule"),
        )
        .await?;
    let f = Fields::parse(&body);
    let view = ctx
        .authorize::<policy::ViewLocalities>(&st, Target::None, None)
        .await?;
    let (_, authority) = choose_authority(&st, &view, Some(f.get("authority"))).await?;
    let Some(rule) = LeadRule::parse(f.get("lead_rule")) else {
        let mut errors = FormErrors::none();
        errors.add("lead_rule", "Choose which locality leads");
        return Ok(page(&st, &ctx, Some(&authority.code), errors, None, None).await?);
    };
    st.store.set_lead_rule(&permit, authority.id, rule).await?;
    Ok(back(&authority.code, "rule"))
}

/// Parse the age-phase rows; blank rows are ignored.
fn parse_phases(f: &Fields, errors: &mut FormErrors) -> (Vec<PhaseInput>, Vec<AgePhase>) {
    let mut inputs = Vec::new();
    let mut phases = Vec::new();
    for i in 0..8 {
        let input = PhaseInput {
            name: f.get(&format!("phase_{i}_name")).trim().to_owned(),
            min: f.get(&format!("phase_{i}_min")).trim().to_owned(),
            max: f.get(&format!("phase_{i}_max")).trim().to_owned(),
            send: f.get(&format!("phase_{i}_send")).trim().to_owned(),
        };
        if input.name.is_empty()
            && input.min.is_empty()
            && input.max.is_empty()
            && input.send.is_empty()
        {
            continue;
        }
        let age =
            |s: &str, field: String, what: &str, errors: &mut FormErrors| match s.parse::<u8>() {
                Ok(a) if a <= MAX_AGE => Some(a),
                _ => {
                    errors.add(
                        &field,
                        &format!("Enter the {what} as a whole number from 0 to {MAX_AGE}"),
                    );
                    None
                }
            };
        if input.name.is_empty() {
            errors.add(&format!("phase_{i}_name"), "Enter a name for the age phase");
        }
        let min = age(&input.min, format!("phase_{i}_min"), "youngest age", errors);
        let max = age(&input.max, format!("phase_{i}_max"), "oldest age", errors);
        let send = if input.send.is_empty() {
            Some(None)
        } else {
            age(
                &input.send,
                format!("phase_{i}_send"),
                "oldest age with special educational needs",
                errors,
            )
            .map(Some)
        };
        if let (Some(min_age), Some(max_age), Some(send_max_age)) = (min, max, send) {
            phases.push(AgePhase {
                name: input.name.clone(),
                min_age,
                max_age,
                send_max_age,
            });
        }
        inputs.push(input);
    }
    inputs.push(PhaseInput::default());
    (inputs, phases)
}

/// POST /admin/authority/age-phases
pub async fn age_phases(
    ctx: Ctx,
    State(st): State<AppState>,
    body: Bytes,
) -> Result<Response, PageError> {
    let permit = ctx
        .authorize::<policy::ConfigureAuthority>(&st, Target::None, Some("set the age phases"))
        .await?;
    let f = Fields::parse(&body);
    let view = ctx
        .authorize::<policy::ViewLocalities>(&st, Target::None, None)
        .await?;
    let (_, authority) = choose_authority(&st, &view, Some(f.get("authority"))).await?;
    let mut errors = FormErrors::none();
    let (inputs, phases) = parse_phases(&f, &mut errors);
    if errors.is_empty() {
        match AgePhases::parse(phases) {
            Ok(valid) => match st.store.set_age_phases(&permit, authority.id, &valid).await {
                Ok(()) => return Ok(back(&authority.code, "phases")),
                Err(e) => errors.refusal(e)?,
            },
            Err(e) => errors.push(e),
        }
    }
    Ok(page(&st, &ctx, Some(&authority.code), errors, Some(inputs), None).await?)
}

/// POST /admin/authority/schools
pub async fn schools(
    ctx: Ctx,
    State(st): State<AppState>,
    body: Bytes,
) -> Result<Response, PageError> {
    let permit = ctx
        .authorize::<policy::ConfigureAuthority>(
            &st,
            Target::None,
            Some("mark schools serving the whole authority"),
        )
        .await?;
    let f = Fields::parse(&body);
    let view = ctx
        .authorize::<policy::ViewLocalities>(&st, Target::None, None)
        .await?;
    let (_, authority) = choose_authority(&st, &view, Some(f.get("authority"))).await?;
    let ticked: Vec<&str> = f.all("city_wide");
    for s in st.store.schools(&view, authority.id).await? {
        let want = ticked.contains(&s.urn.to_string().as_str());
        if want != s.city_wide {
            st.store.set_school_city_wide(&permit, s.urn, want).await?;
        }
    }
    Ok(back(&authority.code, "schools"))
}
