//! `everychild link dedupe|pair`: find the records that are the same person in one CSV file
//! or across two, with the linkage engine, and (given a truth column) measure how well it did.
//! This is the benchmark interface; the product's imports use the engine as a library.

mod input;
mod report;

use anyhow::{bail, Context};
use clap::{Args, Subcommand};
use everychild_linkage::{run, Dataset, Options, Role};
use input::Mapping;
use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// Record linkage over CSV files.
#[derive(Debug, Subcommand)]
pub enum LinkCommand {
    /// Find the records of one file that are the same person.
    Dedupe(DedupeArgs),
    /// Link the records of two files that are the same person (one-to-one).
    Pair(PairArgs),
}

/// Options shared by both subcommands.
#[derive(Debug, Args)]
pub struct Common {
    /// The column with each record's id.
    #[arg(long)]
    id: String,
    /// A column whose equal values mark the same person (enables accuracy figures).
    #[arg(long)]
    truth: Option<String>,
    /// ROLE=COL: compare column COL as ROLE (repeat). Roles: given_name, middle_name,
    /// family_name, full_name, dob, sex, postcode, address, house_number, town, nhs_number,
    /// identifier, email, attribute. Without any, columns named after a role are used.
    #[arg(long = "field", value_name = "ROLE=COL")]
    fields: Vec<String>,
    /// Print one JSON object instead of the readable report.
    #[arg(long)]
    json: bool,
    /// Also write the kept pairs (or, for `pair`, the one-to-one links) with their match
    /// probability to this CSV file.
    #[arg(long, value_name = "FILE")]
    pairs: Option<PathBuf>,
    /// Write the trained model as JSON to this file.
    #[arg(long, value_name = "FILE")]
    model: Option<PathBuf>,
    /// Seed for the random sampling of training.
    #[arg(long, default_value_t = 42)]
    seed: u64,
}

/// `link dedupe` options.
#[derive(Debug, Args)]
pub struct DedupeArgs {
    /// The CSV file.
    file: PathBuf,
    #[command(flatten)]
    common: Common,
}

/// `link pair` options.
#[derive(Debug, Args)]
pub struct PairArgs {
    /// The first CSV file.
    file_a: PathBuf,
    /// The second CSV file.
    file_b: PathBuf,
    #[command(flatten)]
    common: Common,
}

/// Run a link subcommand.
pub fn run_command(cmd: LinkCommand) -> anyhow::Result<()> {
    let start = Instant::now();
    let (files, c): (Vec<&Path>, &Common) = match &cmd {
        LinkCommand::Dedupe(a) => (vec![a.file.as_path()], &a.common),
        LinkCommand::Pair(a) => (vec![a.file_a.as_path(), a.file_b.as_path()], &a.common),
    };
    let link = files.len() == 2;
    let timing = std::env::var_os("EVERYCHILD_LINK_TIMING").is_some();
    let tables = files
        .iter()
        .map(|f| input::read(f))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let header = &tables[0].header;
    let fields = input::parse_fields(&c.fields, header, &c.id, c.truth.as_deref())?;
    let mapping = Mapping {
        id: c.id.clone(),
        truth: c.truth.clone(),
        fields,
    };
    let roles: Vec<Role> = mapping.fields.iter().map(|(r, _)| r.clone()).collect();
    let mut data = Dataset::new(&roles, link)?;
    let mut truth = Vec::new();
    let mut labels = HashMap::new();
    for (s, (t, f)) in tables.iter().zip(&files).enumerate() {
        input::load(t, &mapping, f, s as u8, &mut data, &mut truth, &mut labels)?;
    }
    drop(tables);
    if timing {
        eprintln!("read and build {:.3}s", start.elapsed().as_secs_f64());
    }
    if data.len() < 2 {
        bail!("fewer than two records: nothing to link");
    }
    data.finish();
    let mut opts = Options::default();
    opts.train.seed = c.seed;
    let truth_ref = c.truth.as_ref().map(|_| truth.as_slice());
    let out = run(&data, truth_ref, &opts)?;
    if timing {
        eprintln!("linked {:.3}s", start.elapsed().as_secs_f64());
    }
    if let Some(path) = &c.pairs {
        write_pairs(path, &data, &out)?;
    }
    if let Some(path) = &c.model {
        std::fs::write(path, everychild_linkage::model_to_json(&out.model))
            .with_context(|| format!("could not write {}", path.display()))?;
    }
    let wall = start.elapsed().as_secs_f64();
    let text = if c.json {
        report::json(&data, &mapping, &out, wall)
    } else {
        report::text(&data, &mapping, &out, wall)
    };
    let mut stdout = std::io::stdout().lock();
    writeln!(stdout, "{text}")?;
    Ok(())
}

fn write_pairs(
    path: &Path,
    data: &Dataset,
    out: &everychild_linkage::Outcome,
) -> anyhow::Result<()> {
    let mut w = csv::Writer::from_path(path)
        .with_context(|| format!("could not write {}", path.display()))?;
    w.write_record(["id_l", "id_r", "match_probability", "match_weight"])?;
    let list: Vec<_> = match &out.links {
        Some(l) => l.iter().map(|p| p.0).collect(),
        None => out.pairs.iter().map(|p| p.0).collect(),
    };
    for p in list {
        w.write_record([
            data.id(p.a as usize),
            data.id(p.b as usize),
            &format!("{:.6}", p.probability()),
            &format!("{:.4}", p.weight),
        ])?;
    }
    w.flush()?;
    Ok(())
}
