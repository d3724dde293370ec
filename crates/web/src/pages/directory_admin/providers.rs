//! The directory's providers (Open Referral organisations) and which partnership organisation's
//! directory editors keep each one's entries up to date: for approvers only.

use super::{is_web_address, status_for, DoneQ};
use crate::crypto::uuid_v4;
use crate::error::PageError;
use crate::forms::{Fields, FormErrors};
use crate::pages::{render_status, Chrome};
use crate::{AppState, Ctx};
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use everychild_domain::directory::oruk::{is_email, Organization};
use everychild_policy::{self as policy, Target};
use everychild_store::DirectoryOrg;

#[derive(Template)]
#[template(path = "directory_organisations.html")]
struct OrganisationsPage {
    c: Chrome,
    orgs: Vec<DirectoryOrg>,
    owners: Vec<(String, String)>,
    errors: FormErrors,
    v: Fields,
    done: bool,
}

async fn organisations_page(
    st: &AppState,
    ctx: &Ctx,
    errors: FormErrors,
    v: Fields,
    done: bool,
    conflict: bool,
) -> Result<Response, PageError> {
    let view = ctx
        .authorize::<policy::ViewDirectoryEntries>(st, Target::None, None)
        .await?;
    let orgs = st.store.directory_organisations(&view).await?;
    let list = ctx
        .authorize::<policy::ListOrganisations>(st, Target::None, None)
        .await?;
    let mut owners = vec![
        (String::new(), "Choose an organisation".to_owned()),
        (
            "none".to_owned(),
            "None: commissioners keep its entries".to_owned(),
        ),
    ];
    owners.extend(
        st.store
            .list_organisations(&list)
            .await?
            .into_iter()
            .map(|o| (o.id.to_string(), o.name)),
    );
    let status = status_for(&errors, conflict);
    render_status(
        status,
        &OrganisationsPage {
            c: Chrome::new(st, ctx, "Service providers", "/directory").errors(!errors.is_empty()),
            orgs,
            owners,
            errors,
            v,
            done,
        },
    )
}

/// GET /directory/organisations
pub async fn organisations(
    ctx: Ctx,
    State(st): State<AppState>,
    Query(q): Query<DoneQ>,
) -> Result<Response, PageError> {
    ctx.authorize::<policy::ManageDirectoryOrganisations>(&st, Target::None, None)
        .await?;
    let done = q.done.as_deref() == Some("added");
    organisations_page(
        &st,
        &ctx,
        FormErrors::none(),
        Fields::default(),
        done,
        false,
    )
    .await
}

/// POST /directory/organisations: add a provider and say who maintains its entries.
pub async fn create_organisation(
    ctx: Ctx,
    State(st): State<AppState>,
    body: Bytes,
) -> Result<Response, PageError> {
    let permit = ctx
        .authorize::<policy::ManageDirectoryOrganisations>(
            &st,
            Target::None,
            Some("add a service provider to the directory"),
        )
        .await?;
    let f = Fields::parse(&body);
    let mut errors = FormErrors::none();
    let name = f.get("org_name").trim();
    if name.is_empty() {
        errors.add("org_name", "Enter the provider's name");
    } else if name.chars().count() > 255 {
        errors.add("org_name", "The name must be 255 characters or fewer");
    }
    let description = f.get("org_description").trim();
    if description.chars().count() > 4000 {
        errors.add(
            "org_description",
            "The description must be 4,000 characters or fewer",
        );
    }
    let email = f.get("org_email").trim();
    if !email.is_empty() && !is_email(email) {
        errors.add(
            "org_email",
            "Enter an email address in the correct format, like name@example.org",
        );
    }
    let website = f.get("org_website").trim();
    if !website.is_empty() && !is_web_address(website) {
        errors.add(
            "org_website",
            "Enter the website address in the correct format, like https://www.example.org",
        );
    }
    let owner = match f.get("owner") {
        "" => {
            errors.add(
                "owner",
                "Choose who keeps the provider's entries up to date",
            );
            None
        }
        "none" => None,
        o => match o.parse::<i64>() {
            Ok(o) => Some(o),
            Err(_) => {
                errors.add("owner", "Choose an organisation from the list");
                None
            }
        },
    };
    let mut conflict = false;
    if errors.is_empty() {
        let opt = |s: &str| Some(s.to_owned()).filter(|s| !s.is_empty());
        let org = Organization {
            id: uuid_v4(),
            name: name.to_owned(),
            description: description.to_owned(),
            email: opt(email),
            website: opt(website),
            ..Organization::default()
        };
        match st
            .store
            .save_directory_organisation(&permit, &org, owner)
            .await
        {
            Ok(()) => {
                return Ok(Redirect::to("/directory/organisations?done=added").into_response())
            }
            Err(e) => {
                errors.refusal(e)?;
                conflict = true;
            }
        }
    }
    organisations_page(&st, &ctx, errors, f, false, conflict).await
}
