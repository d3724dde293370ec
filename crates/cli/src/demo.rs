//! `everychild demo`: the demo authorities in a fresh database, their sign-ins printed, then
//! served. The places are real (Leicester and Peterborough, from the open data); every person,
//! organisation, hub and team in it is fictitious. The same seed gives the same demo. What is
//! built is in the `everychild-demo` crate.

use crate::config::{self, ServeArgs};
use anyhow::Context;
use clap::Args;
use everychild_store::SqlStore;
use std::path::PathBuf;

/// Demo options.
#[derive(Debug, Args)]
pub struct DemoArgs {
    #[command(flatten)]
    serve: ServeArgs,
    /// Seed for the fictitious people: the same seed gives the same authority.
    #[arg(long, default_value_t = 2008)]
    seed: u64,
    /// Password given to every demo account (demo only: at least 12 characters).
    #[arg(
        long,
        default_value = "demo-password-2026",
        env = "EVERYCHILD_DEMO_PASSWORD"
    )]
    password: String,
    /// Build the demo database and exit without serving.
    #[arg(long)]
    no_serve: bool,
    /// How much of Leicester's real child population to make and link, from 0 (none) to 1
    /// (about 95,500 children and young people).
    #[arg(long, default_value_t = 1.0)]
    population: f64,
    /// How many services the Leicester service directory has (0 for none).
    #[arg(long, default_value_t = 320)]
    directory: usize,
    /// Switch the second factor off for everyone, for a demonstration only: said at start, and
    /// every page shows a "demonstration: second factor off" banner. Without it, every role that
    /// sees personal data sets up an authenticator app at first sign-in, as in production.
    #[arg(long)]
    no_second_factor: bool,
    /// The open-data folder (with geo/ inside). Default: shared/data beside the repository.
    #[arg(long, env = "EVERYCHILD_DATA")]
    data: Option<PathBuf>,
}

/// Build and (unless --no-serve) serve the demo.
pub async fn run(mut a: DemoArgs) -> anyhow::Result<()> {
    let started = std::time::Instant::now();
    if a.serve.db.database.is_none() {
        a.serve.db.database = Some("sqlite::memory:".into());
    }
    // The demo serves plain HTTP on loopback, where browsers need cookies without Secure.
    if a.serve.secure_cookies.is_none() {
        a.serve.secure_cookies = Some(false);
    }
    if a.serve.authority_name.is_none() {
        a.serve.authority_name = Some("Leicester (demo)".into());
    }
    let mut r = config::resolve(&a.serve, false)?;
    r.web.demo_second_factor_off = a.no_second_factor;
    crate::init_logs(r.log_json);
    let password = everychild_domain::Password::parse_new(&a.password, "password")
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let data = crate::data::data_dir(a.data.as_deref())?;
    let store = crate::open(&a.serve.db, &r.database_url, &r.pool)
        .await?
        .with_case_rules(r.rules)
        .with_access_rules(r.access);
    let bar = stage_bar();
    bar.set_message("reading the geography");
    let read = std::time::Instant::now();
    let geo = crate::import::read_geography(&data.join("geo"))?;
    tracing::info!(
        stage = "reading the geography",
        seconds = read.elapsed().as_secs_f64(),
        "demo stage done"
    );
    let hash = everychild_web::hash_password(password.expose()).map_err(|e| anyhow::anyhow!(e))?;
    let (stages, progress) = stage_progress(bar.clone());
    let built = everychild_demo::build(
        &store,
        &geo,
        &everychild_demo::Options {
            seed: a.seed,
            password_hash: hash,
            population: a.population.clamp(0.0, 1.0),
            directory: a.directory,
            progress,
        },
    )
    .await
    .with_context(|| {
        format!(
            "the demo was not built in {}",
            config::redact(&r.database_url)
        )
    })?;
    stages.done();
    bar.finish_and_clear();
    print_summary(&a, &built, &password, started);
    finish(a.no_serve, store, r).await
}

fn print_summary(
    a: &DemoArgs,
    built: &everychild_demo::Built,
    password: &everychild_domain::Password,
    started: std::time::Instant,
) {
    for auth in &built.authorities {
        println!(
            "{}: {} localities, {} age phases, {} hubs, {} live postcodes (real wards and postcodes; fictitious hubs and people).",
            auth.name,
            auth.localities.len(),
            auth.phases.len(),
            auth.hubs.len(),
            auth.postcodes.values().map(Vec::len).sum::<usize>()
        );
    }
    println!(
        "everychild demo built in {:.1} s: {} organisations, {} sign-ins below and {} more staff in locality teams (seed {}).",
        started.elapsed().as_secs_f64(),
        built.organisations,
        built.sign_ins.len(),
        built.staff,
        a.seed
    );
    for i in &built.imports {
        let r = &i.report;
        println!(
            "{}: {} records — {} linked to a known child, {} new children, {} for review",
            i.agency, r.rows, r.linked, r.new_people, r.review
        );
    }
    if built.casework.children > 0 {
        println!(
            "Casework: {} children known to the demo practitioners, {} requests for support at every stage (front doors of the demo locality managers).",
            built.casework.children, built.casework.requests
        );
    }
    let h = &built.history;
    if h.requests > 0 {
        println!(
            "Two years of case histories in every Leicester locality: {} requests (decided at levels 1-4: {:?}), {} closed, {} re-referrals, {} level changes, {} panel meetings.",
            h.requests, h.decided_by_level, h.closed, h.re_referrals, h.level_changes, h.panels
        );
    }
    println!(
        "Service directory: {} services from {} fictitious providers, published as Open Referral UK at /api/openreferral/ and searchable at /find-support.",
        built.directory.services, built.directory.providers
    );
    println!("Every account's password is: {}", password.expose());
    if a.no_second_factor {
        println!("DEMONSTRATION: THE SECOND FACTOR IS OFF for every account (--no-second-factor). Every page says so. Never use this with real data.\n");
    } else {
        println!("Every role that sees personal data sets up an authenticator app at first sign-in (a second factor is on by default; --no-second-factor switches it off for a demonstration).\n");
    }
    println!(
        "{:<22} {:<24} {:<46} NAME",
        "USERNAME", "ROLE", "ORGANISATION"
    );
    for s in &built.sign_ins {
        println!(
            "{:<22} {:<24} {:<46} {}",
            s.username,
            s.role.label(),
            s.organisation,
            s.name
        );
    }
}

async fn finish(no_serve: bool, store: SqlStore, r: config::Resolved) -> anyhow::Result<()> {
    if no_serve {
        println!(
            "\nDemo database ready at {}",
            config::redact(&r.database_url)
        );
        return Ok(());
    }
    println!("\nServing on http://{}  (Ctrl-C to stop)", r.listen);
    crate::serve(store, r).await
}

/// A bar over the demo's stages on the terminal (nothing when stderr is not one).
fn stage_bar() -> indicatif::ProgressBar {
    let n = everychild_demo::Stage::ALL.len() as u64;
    let bar =
        indicatif::ProgressBar::with_draw_target(Some(n), indicatif::ProgressDrawTarget::stderr());
    if let Ok(style) = indicatif::ProgressStyle::with_template(
        "{spinner} building the demo [{bar:30}] {pos}/{len} {msg} ({elapsed})",
    ) {
        bar.set_style(style.progress_chars("=> "));
    }
    bar.enable_steady_tick(std::time::Duration::from_millis(200));
    bar
}

/// Moves the bar on at each stage and logs how long the stage before took.
#[derive(Clone)]
struct StageProgress {
    bar: indicatif::ProgressBar,
    current: std::sync::Arc<std::sync::Mutex<Option<(everychild_demo::Stage, std::time::Instant)>>>,
}

impl StageProgress {
    fn next(&self, stage: Option<everychild_demo::Stage>) {
        let Ok(mut current) = self.current.lock() else {
            return;
        };
        if let Some((done, since)) = current.take() {
            tracing::info!(
                stage = done.label(),
                seconds = since.elapsed().as_secs_f64(),
                "demo stage done"
            );
            self.bar.inc(1);
        }
        if let Some(s) = stage {
            self.bar.set_message(s.label());
            *current = Some((s, std::time::Instant::now()));
        }
    }

    fn done(&self) {
        self.next(None);
    }
}

/// The demo's progress handle, and the tracker that finishes its last stage.
fn stage_progress(bar: indicatif::ProgressBar) -> (StageProgress, everychild_demo::Progress) {
    let p = StageProgress {
        bar,
        current: Default::default(),
    };
    let handle = p.clone();
    (
        p,
        everychild_demo::Progress::new(move |s| handle.next(Some(s))),
    )
}
