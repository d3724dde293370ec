//! `everychild`: one binary for serving, the demo authority, migrations, user administration
//! at the console and audit verification.

mod config;
mod data;
mod demo;
mod import;
mod link;
mod openreferral;
mod synth;
mod users;

use anyhow::{bail, Context};
use clap::{Parser, Subcommand};
use config::{redact, DbArgs, ServeArgs};
use everychild_domain::Clock;
use everychild_store::{AuditRepo, SqlStore};
use std::sync::Arc;

/// everychild: the shared platform for integrated, locality-based children's services.
#[derive(Parser)]
#[command(name = "everychild", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the web application and API.
    Serve(ServeArgs),
    /// Build a demo authority in a fresh database, print its sign-ins, and serve it.
    Demo(demo::DemoArgs),
    /// Apply database migrations, then exit. On PostgreSQL run it as the schema's owner;
    /// `serve` then runs as a role without rights to change the schema.
    Migrate(MigrateArgs),
    /// Manage user accounts from the console.
    #[command(subcommand)]
    User(users::UserCommand),
    /// Audit log tools.
    #[command(subcommand)]
    Audit(AuditCommand),
    /// Import open or partner data (one transaction per import; re-importing changes nothing).
    #[command(subcommand)]
    Import(import::ImportCommand),
    /// Record linkage over CSV files (deduplicate one file, or link two).
    #[command(subcommand)]
    Link(link::LinkCommand),
    /// Synthetic data for benchmarks (every person in it is fictitious).
    #[command(subcommand)]
    Synth(synth::SynthCommand),
    /// Information governance.
    #[command(subcommand)]
    Privacy(PrivacyCommand),
}

#[derive(clap::Args)]
struct MigrateArgs {
    #[command(flatten)]
    db: DbArgs,
    /// PostgreSQL: after migrating, let this role run `serve`: it reads and writes the
    /// tables, only appends to the audit log, and cannot change the schema.
    #[arg(long)]
    grant_runtime_role: Option<String>,
}

#[derive(Subcommand)]
enum PrivacyCommand {
    /// Print the record of processing (UK GDPR Art 30), generated from the field classification.
    Record,
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Check the whole hash chain; names the first bad event and exits 1 if any.
    Verify(DbArgs),
}

/// The real clock, used everywhere outside tests.
#[derive(Debug)]
pub struct SystemClock;
impl Clock for SystemClock {
    fn now(&self) -> time::OffsetDateTime {
        time::OffsetDateTime::now_utc()
    }
}

fn init_logs(json: bool) {
    let filter = tracing_subscriber::EnvFilter::try_from_env("EVERYCHILD_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn"));
    let b = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    if json {
        b.json().flatten_event(true).init();
    } else {
        b.compact().init();
    }
}

/// Connect and migrate.
pub async fn open(
    db: &config::DbArgs,
    url: &str,
    pool: &everychild_store::PoolSettings,
) -> anyhow::Result<SqlStore> {
    let keys = config::audit_keys(db, url)?;
    let store = SqlStore::connect(url, pool, Arc::new(SystemClock))
        .await
        .with_context(|| format!("could not open the database {}", redact(url)))?
        .with_audit_keys(keys);
    // Only when something is missing: a PostgreSQL runtime role, which cannot change the
    // schema, runs the console's commands on a current one.
    if !store.schema_is_current().await? {
        store
            .migrate()
            .await
            .context("could not migrate the database")?;
    }
    Ok(store)
}

/// Connect for `serve`. SQLite is migrated here (one file, one owner). PostgreSQL is not:
/// the owner migrates with `everychild migrate`, and `serve` refuses a role that could change
/// the schema (and so drop the audit log's guards) unless told it may.
async fn open_for_serve(a: &ServeArgs, r: &config::Resolved) -> anyhow::Result<SqlStore> {
    if !r.database_url.starts_with("postgres") {
        return open(&a.db, &r.database_url, &r.pool).await;
    }
    let keys = config::audit_keys(&a.db, &r.database_url)?;
    let store = SqlStore::connect(&r.database_url, &r.pool, Arc::new(SystemClock))
        .await
        .with_context(|| format!("could not open the database {}", redact(&r.database_url)))?
        .with_audit_keys(keys);
    if !store.schema_is_current().await? {
        bail!("the database schema is not current: run `everychild migrate` as the schema's owner first");
    }
    if store.role_can_alter_schema().await? {
        if !r.allow_schema_owner {
            bail!(
                "the database role can change the schema (it owns the tables, may create in the schema, \
                 or is a superuser), so it could drop the audit log's guards: serve as a role without \
                 those rights (see `everychild migrate --grant-runtime-role`), or pass \
                 --allow-schema-owner for a development database"
            );
        }
        tracing::warn!("serving as a role that can change the schema (--allow-schema-owner)");
    }
    Ok(store)
}

/// Serve until Ctrl-C or SIGTERM.
pub async fn serve(store: SqlStore, r: config::Resolved) -> anyhow::Result<()> {
    let state = everychild_web::AppState {
        store: Arc::new(store.with_case_rules(r.rules).with_access_rules(r.access)),
        settings: Arc::new(r.web),
        clock: Arc::new(SystemClock),
    };
    let app = everychild_web::app(state);
    let listener = tokio::net::TcpListener::bind(&r.listen)
        .await
        .with_context(|| format!("could not listen on {}", r.listen))?;
    tracing::info!(listen = %r.listen, database = %redact(&r.database_url), "everychild is serving");
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(async {
        let ctrl_c = tokio::signal::ctrl_c();
        #[cfg(unix)]
        {
            let mut term =
                match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                    Ok(t) => t,
                    Err(_) => return std::future::pending().await,
                };
            tokio::select! { _ = ctrl_c => {}, _ = term.recv() => {} }
        }
        #[cfg(not(unix))]
        {
            let _ = ctrl_c.await;
        }
    })
    .await?;
    Ok(())
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    match run(Cli::parse()).await {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            std::process::ExitCode::from(2)
        }
    }
}

async fn run(cli: Cli) -> anyhow::Result<std::process::ExitCode> {
    let ok = std::process::ExitCode::SUCCESS;
    match cli.command {
        Command::Serve(a) => {
            let r = config::resolve(&a, true)?;
            init_logs(r.log_json);
            if r.random_key {
                tracing::warn!("no secret_key set: a random one is used and forms expire when the server restarts");
            }
            let store = open_for_serve(&a, &r).await?;
            serve(store, r).await?;
            Ok(ok)
        }
        Command::Demo(a) => demo::run(a).await.map(|_| ok),
        Command::Migrate(m) => {
            let url = config::database_url(&m.db)?;
            let store = open(&m.db, &url, &Default::default()).await?;
            println!("migrated {}", redact(&url));
            if let Some(role) = &m.grant_runtime_role {
                store
                    .grant_runtime_role(role)
                    .await
                    .with_context(|| format!("could not grant the runtime role {role}"))?;
                println!("{role} may now serve: it cannot change the schema or the audit log");
            }
            Ok(ok)
        }
        Command::User(c) => users::run(c).await.map(|_| ok),
        Command::Import(c) => import::run(c).await.map(|_| ok),
        Command::Link(c) => tokio::task::block_in_place(|| link::run_command(c)).map(|_| ok),
        Command::Synth(c) => tokio::task::block_in_place(|| synth::run(c)).map(|_| ok),
        Command::Privacy(PrivacyCommand::Record) => {
            print!(
                "{}",
                everychild_domain::classification::record_of_processing()
            );
            Ok(ok)
        }
        Command::Audit(AuditCommand::Verify(db)) => {
            let url = config::database_url(&db)?;
            let store = open(&db, &url, &Default::default()).await?;
            let permit = everychild_policy::authorize::<everychild_policy::VerifyAudit>(
                &everychild_policy::Principal::Console,
                everychild_policy::Target::None,
                None,
            )
            .map_err(|d| anyhow::anyhow!("{d}"))?;
            match store.verify_audit(&permit).await? {
                Ok(n) => {
                    println!("audit chain intact: {n} events verified");
                    Ok(ok)
                }
                Err(e) => {
                    println!("audit chain BROKEN: {e}");
                    Ok(std::process::ExitCode::from(1))
                }
            }
        }
    }
}
