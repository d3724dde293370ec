//! Finding the open-data folder (`data/` with `geo/`, `openreferral/`, `linkage/` …) that the
//! demo and the import commands read. It is not part of the binary: it sits beside the
//! repository as `../shared/data`, or wherever `--data` / `EVERYCHILD_DATA` points.

use anyhow::bail;
use std::path::{Path, PathBuf};

/// Where to look when no folder is given: `../shared/data` from the working directory and from
/// each folder above the running binary (so `target/debug/everychild` finds it too).
fn candidates() -> Vec<PathBuf> {
    let mut out = Vec::new();
    if let Ok(cwd) = std::env::current_dir() {
        out.push(cwd.join("../shared/data"));
        out.push(cwd.join("shared/data"));
    }
    if let Ok(exe) = std::env::current_exe() {
        for dir in exe.ancestors().skip(1) {
            out.push(dir.join("../shared/data"));
        }
    }
    out
}

/// The data folder: `given` if set, else the first candidate holding `geo/`.
pub fn data_dir(given: Option<&Path>) -> anyhow::Result<PathBuf> {
    if let Some(d) = given {
        if d.join("geo").is_dir() {
            return Ok(d.to_path_buf());
        }
        bail!(
            "{} is not the open-data folder: it has no geo/ folder inside",
            d.display()
        );
    }
    for c in candidates() {
        if c.join("geo").is_dir() {
            return Ok(c.canonicalize().unwrap_or(c));
        }
    }
    bail!(
        "could not find the open-data folder (shared/data, with geo/ inside) beside the \
         repository; give it with --data DIR or EVERYCHILD_DATA"
    )
}
