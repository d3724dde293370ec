//! `everychild user add|disable|list`: account administration at the server console. The
//! console acts as its own principal; every change is in the audit log as `(console)`.

use crate::config::{self, DbArgs};
use anyhow::{bail, Context};
use clap::Subcommand;
use everychild_domain::{
    AgencyType, DisplayName, Email, OrganisationKind, Password, Role, Username,
};
use everychild_policy::{self as policy, authorize, Principal, Target};
use everychild_store::{NewOrganisation, NewUser, OrgRepo, SqlStore, UserQuery, UserRepo};
use std::io::BufRead;

/// User commands.
#[derive(Subcommand)]
pub enum UserCommand {
    /// Add a user. Prints a temporary password (they must change it) unless --password-stdin.
    Add {
        #[command(flatten)]
        db: DbArgs,
        /// Username (3-64 characters: letters, numbers, . - _ @).
        #[arg(long)]
        username: String,
        /// Full name.
        #[arg(long)]
        name: String,
        /// Role: practitioner, locality_manager, commissioner, advisory_board_member, analyst,
        /// administrator or data_protection_officer.
        #[arg(long)]
        role: String,
        /// Organisation name. Created if missing, when --agency-type is given.
        #[arg(long)]
        organisation: String,
        /// Agency type for a new organisation: health, education, social_care, police,
        /// housing, voluntary or private.
        #[arg(long)]
        agency_type: Option<String>,
        /// Work email address.
        #[arg(long)]
        email: Option<String>,
        /// Job title.
        #[arg(long)]
        job_title: Option<String>,
        /// Read the password from the first line of standard input instead.
        #[arg(long)]
        password_stdin: bool,
    },
    /// Disable a user: they cannot sign in and every session ends at once.
    Disable {
        #[command(flatten)]
        db: DbArgs,
        /// Username.
        username: String,
    },
    /// List users.
    List {
        #[command(flatten)]
        db: DbArgs,
        /// Include disabled accounts.
        #[arg(long)]
        all: bool,
    },
}

fn console<C: policy::Capability>(target: Target) -> anyhow::Result<policy::Permit<C>> {
    authorize::<C>(&Principal::Console, target, Some("console administration"))
        .map_err(|d| anyhow::anyhow!("{d}"))
}

async fn find_user(
    store: &SqlStore,
    username: &str,
) -> anyhow::Result<everychild_store::UserDetail> {
    let wanted = Username::parse(username).map_err(|e| anyhow::anyhow!("{e}"))?;
    let all = store
        .list_users(
            &console::<policy::ListUsers>(Target::None)?,
            &UserQuery {
                text: Some(wanted.as_str().into()),
                role: None,
                include_disabled: true,
            },
        )
        .await?;
    all.into_iter()
        .find(|u| u.username == wanted.as_str())
        .with_context(|| format!("no user is called {}", wanted.as_str()))
}

/// Run a user command.
pub async fn run(c: UserCommand) -> anyhow::Result<()> {
    match c {
        UserCommand::Add {
            db,
            username,
            name,
            role,
            organisation,
            agency_type,
            email,
            job_title,
            password_stdin,
        } => {
            let username = Username::parse(&username).map_err(|e| anyhow::anyhow!("{e}"))?;
            let display_name = DisplayName::parse(&name).map_err(|e| anyhow::anyhow!("{e}"))?;
            let email = Email::parse_optional(email.as_deref().unwrap_or(""))
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            let role = Role::parse(&role).with_context(|| format!("unknown role {role:?}"))?;
            let (password, temporary) = if password_stdin {
                let mut line = String::new();
                std::io::stdin().lock().read_line(&mut line)?;
                let p = Password::parse_new(line.trim_end_matches(['\r', '\n']), "password")
                    .map_err(|e| anyhow::anyhow!("{e}"))?;
                (p.expose().to_owned(), false)
            } else {
                let mut b = [0u8; 15];
                rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut b);
                (
                    base64::Engine::encode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, b),
                    true,
                )
            };
            let store = crate::open(&db, &config::database_url(&db)?, &Default::default()).await?;
            let orgs = store
                .list_organisations(&console::<policy::ListOrganisations>(Target::None)?)
                .await?;
            let org_id = match orgs.iter().find(|o| o.name == organisation) {
                Some(o) => everychild_domain::OrganisationId(o.id),
                None => {
                    let Some(a) = agency_type else {
                        let names: Vec<_> = orgs.iter().map(|o| o.name.as_str()).collect();
                        bail!("no organisation is called {organisation:?}; give --agency-type to create it (existing: {})", names.join(", "));
                    };
                    let agency_type = AgencyType::parse(&a)
                        .with_context(|| format!("unknown agency type {a:?}"))?;
                    let kind = match agency_type {
                        AgencyType::Voluntary => OrganisationKind::Voluntary,
                        AgencyType::Private => OrganisationKind::Private,
                        _ => OrganisationKind::Statutory,
                    };
                    store
                        .create_organisation(
                            &console::<policy::ManageOrganisations>(Target::None)?,
                            NewOrganisation {
                                name: organisation.clone(),
                                kind,
                                agency_type,
                            },
                        )
                        .await?
                }
            };
            let hash = everychild_web::hash_password(&password).map_err(|e| anyhow::anyhow!(e))?;
            let id = store
                .create_user(
                    &console::<policy::CreateUser>(Target::None)?,
                    NewUser {
                        username: username.clone(),
                        display_name,
                        email,
                        job_title,
                        role,
                        organisation_id: org_id,
                        password_hash: hash,
                        must_change_password: temporary,
                    },
                )
                .await?;
            println!(
                "added {} (id {}) as {}",
                username.as_str(),
                id.0,
                role.label()
            );
            if temporary {
                println!("temporary password (must be changed at first sign-in): {password}");
            }
            Ok(())
        }
        UserCommand::Disable { db, username } => {
            let store = crate::open(&db, &config::database_url(&db)?, &Default::default()).await?;
            let u = find_user(&store, &username).await?;
            let p = console::<policy::ManageUser>(Target::User(everychild_domain::UserId(u.id)))?;
            store.set_user_disabled(&p, true).await?;
            println!("disabled {}; their sessions have ended", u.username);
            Ok(())
        }
        UserCommand::List { db, all } => {
            let store = crate::open(&db, &config::database_url(&db)?, &Default::default()).await?;
            let users = store
                .list_users(
                    &console::<policy::ListUsers>(Target::None)?,
                    &UserQuery {
                        text: None,
                        role: None,
                        include_disabled: all,
                    },
                )
                .await?;
            println!("USERNAME                     ROLE                     ORGANISATION                   STATUS    NAME");
            for u in users {
                println!(
                    "{:<28} {:<24} {:<30} {:<9} {}",
                    u.username,
                    u.role.as_str(),
                    u.organisation_name,
                    if u.disabled { "disabled" } else { "active" },
                    u.display_name
                );
            }
            Ok(())
        }
    }
}
