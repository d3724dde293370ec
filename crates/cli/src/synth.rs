//! `everychild synth people`: write a deduplication benchmark file of fictitious children,
//! with a truth column (`person_id`) and duplicates carrying stated errors.

use anyhow::{bail, Context};
use clap::{Args, Subcommand};
use everychild_synth::people::extracts::{benchmark, fields, COLUMNS};
use std::path::PathBuf;

/// Synthetic data.
#[derive(Debug, Subcommand)]
pub enum SynthCommand {
    /// Write a deduplication benchmark CSV of fictitious children.
    People(PeopleArgs),
}

/// `synth people` options.
#[derive(Debug, Args)]
pub struct PeopleArgs {
    /// Number of records to write.
    #[arg(long)]
    count: usize,
    /// Seed: the same seed writes the same file.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// The CSV file to write.
    #[arg(long)]
    out: PathBuf,
    /// Share of people who have duplicate records (each such person gets one to four).
    #[arg(long, default_value_t = 0.25)]
    duplicates: f64,
}

/// Run a synth subcommand.
pub fn run(cmd: SynthCommand) -> anyhow::Result<()> {
    match cmd {
        SynthCommand::People(a) => {
            if !(0.0..=1.0).contains(&a.duplicates) {
                bail!(
                    "--duplicates must be between 0 and 1 (it is {})",
                    a.duplicates
                );
            }
            if a.count == 0 {
                bail!("--count must be at least 1");
            }
            let rows = benchmark(a.seed, a.count, a.duplicates);
            let mut w = csv::Writer::from_path(&a.out)
                .with_context(|| format!("could not write {}", a.out.display()))?;
            w.write_record(COLUMNS)?;
            for r in &rows {
                w.write_record(fields(r))?;
            }
            w.flush()?;
            let people: std::collections::HashSet<&str> =
                rows.iter().map(|r| r.person_id.as_str()).collect();
            println!(
                "wrote {} records of {} people to {}",
                rows.len(),
                people.len(),
                a.out.display()
            );
            Ok(())
        }
    }
}
