//! axe-core, run in the page for WCAG 2.0, 2.1 and 2.2 at levels A and AA.
//!
//! axe-core is the npm development dependency of the web crate's assets
//! (`crates/web/assets/node_modules/axe-core/axe.min.js`, installed by `npm ci` there). It is read
//! from disk and injected through WebDriver script execution, which the page's Content Security
//! Policy does not govern; the application never serves it.

use fantoccini::Client;
use serde_json::Value;
use std::sync::OnceLock;

const AXE: &str = "../web/assets/node_modules/axe-core/axe.min.js";

fn axe_source() -> &'static str {
    static SOURCE: OnceLock<String> = OnceLock::new();
    SOURCE.get_or_init(|| {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(AXE);
        std::fs::read_to_string(&path).unwrap_or_else(|e| {
            panic!(
                "axe-core is missing at {} ({e}): run `npm ci` in crates/web/assets",
                path.display()
            )
        })
    })
}

const RUN: &str = r#"
const done = arguments[arguments.length - 1];
axe.run(document, {
  runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']},
  resultTypes: ['violations'],
}).then(r => done({
  url: location.pathname + location.search,
  violations: r.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
    nodes: v.nodes.map(n => ({target: n.target, html: n.html, summary: n.failureSummary})),
  })),
})).catch(e => done({error: String((e && e.stack) || e)}));
"#;

/// Run axe on the page in `client` and return what it found: the page's path and the
/// violations, each with its id, impact, help, help URL and nodes (target, html, summary).
pub async fn violations(client: &Client, label: &str) -> (String, Vec<Value>) {
    let loaded = client
        .execute("return typeof window.axe === 'object';", vec![])
        .await
        .unwrap_or_else(|e| panic!("{label}: {e}"));
    if loaded != Value::Bool(true) {
        let script = format!("{}\n;return typeof window.axe;", axe_source());
        let kind = client
            .execute(&script, vec![])
            .await
            .unwrap_or_else(|e| panic!("{label}: inject axe-core: {e}"));
        assert_eq!(
            kind,
            Value::String("object".into()),
            "{label}: axe-core did not load (is script execution blocked by the page's CSP?)"
        );
    }
    let result = client
        .execute_async(RUN, vec![])
        .await
        .unwrap_or_else(|e| panic!("{label}: run axe-core: {e}"));
    if let Some(err) = result.get("error") {
        panic!("{label}: axe-core failed: {err}");
    }
    let url = result["url"].as_str().unwrap_or("?").to_owned();
    let found = result["violations"].as_array().cloned().unwrap_or_default();
    (url, found)
}

/// Run axe on the page in `client` and fail, listing every violation, unless there are none.
/// `label` says which page this is in the failure message.
pub async fn assert_accessible(client: &Client, label: &str) {
    let (url, violations) = violations(client, label).await;
    if violations.is_empty() {
        return;
    }
    let mut report = format!(
        "{label} ({url}): {} accessibility violation(s)\n",
        violations.len()
    );
    for v in &violations {
        report.push_str(&format!(
            "- {} [{}]: {} ({})\n",
            v["id"].as_str().unwrap_or("?"),
            v["impact"].as_str().unwrap_or("?"),
            v["help"].as_str().unwrap_or("?"),
            v["helpUrl"].as_str().unwrap_or(""),
        ));
        for n in v["nodes"].as_array().into_iter().flatten() {
            report.push_str(&format!(
                "    at {}\n      {}\n      {}\n",
                n["target"],
                n["html"].as_str().unwrap_or(""),
                n["summary"]
                    .as_str()
                    .unwrap_or("")
                    .replace('\n', "\n      "),
            ));
        }
    }
    panic!("{report}");
}
