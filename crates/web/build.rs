//! Builds the front-end assets at compile time: installs the npm packages named in
//! `assets/package-lock.json` if they are missing, compiles `assets/app.scss` (GOV.UK Frontend
//! with our settings) with Sass, and embeds the CSS, GOV.UK Frontend's JavaScript and our
//! favicon in the binary. Nothing from npm is ever committed.

use std::env;
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

fn main() {
    let manifest = PathBuf::from(env::var("CARGO_MANIFEST_DIR").unwrap_or_default());
    let assets = manifest.join("assets");
    let out = PathBuf::from(env::var("OUT_DIR").unwrap_or_default());
    println!("cargo:rerun-if-changed=assets/app.scss");
    println!("cargo:rerun-if-changed=assets/app.js");
    println!("cargo:rerun-if-changed=assets/favicon.svg");
    println!("cargo:rerun-if-changed=assets/package-lock.json");
    println!("cargo:rerun-if-changed=assets/node_modules/govuk-frontend/package.json");

    let govuk = assets.join("node_modules/govuk-frontend/dist/govuk");
    let sass = assets.join("node_modules/sass/sass.js");
    if !govuk.exists() || !sass.exists() {
        let status = Command::new("npm")
            .args(["ci", "--no-audit", "--no-fund", "--loglevel=error"])
            .current_dir(&assets)
            .status();
        match status {
            Ok(s) if s.success() => {}
            other => fail(&format!(
                "could not install the front-end packages with `npm ci` in {} ({other:?}). \
                 Install Node.js and npm (apt-get install nodejs npm), then build again.",
                assets.display()
            )),
        }
    }
    let css = out.join("app.css");
    let status = Command::new("node")
        .arg(&sass)
        .args([
            "--style=compressed",
            "--no-source-map",
            "--load-path=node_modules",
        ])
        .arg("app.scss")
        .arg(&css)
        .current_dir(&assets)
        .status();
    if !matches!(status, Ok(s) if s.success()) {
        fail("compiling assets/app.scss with Sass failed");
    }

    // Only what the product uses: our stylesheet, GOV.UK Frontend's JavaScript and our own
    // favicon. GOV.UK's typeface and crown images are for GOV.UK services only.
    let files: Vec<(String, PathBuf)> = vec![
        ("/assets/app.css".into(), css),
        ("/assets/app.js".into(), assets.join("app.js")),
        ("/assets/favicon.svg".into(), assets.join("favicon.svg")),
        (
            "/assets/govuk-frontend.min.js".into(),
            govuk.join("govuk-frontend.min.js"),
        ),
    ];
    let mut code = String::from("/// Embedded front-end files: (URL path, bytes).\npub static ASSETS: &[(&str, &[u8])] = &[\n");
    for (url, path) in &files {
        if !path.exists() {
            fail(&format!("missing asset {}", path.display()));
        }
        let _ = writeln!(code, "    ({url:?}, include_bytes!({:?})),", abs(path));
    }
    code.push_str("];\n");
    if fs::write(out.join("assets.rs"), code).is_err() {
        fail("could not write assets.rs");
    }
}

fn abs(p: &Path) -> String {
    p.canonicalize()
        .unwrap_or_else(|_| p.to_path_buf())
        .display()
        .to_string()
}

fn fail(msg: &str) -> ! {
    eprintln!("error: {msg}");
    std::process::exit(1);
}
