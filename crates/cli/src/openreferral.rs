//! `everychild import openreferral <url-or-dir>`: read another Open Referral UK 3.0 feed (an API
//! or a folder of its documents), refuse each invalid item with its reasons, and upsert the rest
//! by id in one transaction (never wipe and reload). A feed that cannot be read completely
//! changes nothing.

use anyhow::Context;
use clap::Args;
use everychild_formats::openreferral::{self as oruk, Feed, Kind};
use everychild_policy::{self as policy, authorize, Principal, Target};
use everychild_store::{DirectoryImport, DirectoryImportReport, DirectoryRepo, SqlStore};
use futures_util::StreamExt;
use std::path::Path;
use std::time::Duration;

/// `import openreferral` options.
#[derive(Debug, Args)]
pub struct OpenReferralArgs {
    /// The feed: the base URL of an Open Referral UK API (e.g.
    /// https://directory.example.gov.uk/api/openreferral), or a folder of its documents
    /// (service_list.json, service_full.json or services/{id}.json, taxonomy_list.json,
    /// taxonomy_term_list.json).
    pub source: String,
    /// Services asked for per page when paging through /services.
    #[arg(long, default_value_t = 100)]
    pub per_page: u32,
    /// Requests in flight at once when fetching each /services/{id}.
    #[arg(long, default_value_t = 8)]
    pub parallel: usize,
    #[command(flatten)]
    pub db: crate::config::DbArgs,
}

/// The most pages read from one list (a feed that never says it has ended is stopped here).
const MAX_PAGES: u32 = 100_000;

fn client() -> anyhow::Result<reqwest::Client> {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(60))
        .connect_timeout(Duration::from_secs(15))
        .user_agent(concat!("everychild/", env!("CARGO_PKG_VERSION")))
        .build()
        .context("could not start the HTTP client")
}

/// GET a JSON document; `Ok(Err(reason))` for an answer that is not a document.
async fn get_json(
    http: &reqwest::Client,
    url: &str,
) -> anyhow::Result<Result<serde_json::Value, String>> {
    let r = http
        .get(url)
        .header("accept", "application/json")
        .send()
        .await
        .with_context(|| format!("could not reach {url}"))?;
    let status = r.status();
    if !status.is_success() {
        return Ok(Err(format!("{url} answered HTTP {}", status.as_u16())));
    }
    if r.content_length().unwrap_or(0) > oruk::MAX_DOCUMENT_BYTES {
        return Ok(Err(format!(
            "{url} is larger than {} bytes",
            oruk::MAX_DOCUMENT_BYTES
        )));
    }
    // Read in chunks so an answer with no length cannot grow past the limit either.
    let mut body = Vec::new();
    let mut r = r;
    while let Some(chunk) = r
        .chunk()
        .await
        .with_context(|| format!("could not read the answer from {url}"))?
    {
        if (body.len() + chunk.len()) as u64 > oruk::MAX_DOCUMENT_BYTES {
            return Ok(Err(format!(
                "{url} is larger than {} bytes",
                oruk::MAX_DOCUMENT_BYTES
            )));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(oruk::parse_json(url, &body).map_err(|e| e.to_string()))
}

/// Page through a list; `None` if the first page is missing (an optional list).
async fn list(
    http: &reqwest::Client,
    base: &str,
    path: &str,
    per_page: u32,
    required: bool,
) -> anyhow::Result<Option<Vec<serde_json::Value>>> {
    let mut all = Vec::new();
    for page in 1..=MAX_PAGES {
        let url = format!("{base}/{path}?page={page}&per_page={per_page}");
        let doc = match get_json(http, &url).await? {
            Ok(doc) => doc,
            Err(why) if page == 1 && !required => {
                println!("note: {path} not read ({why})");
                return Ok(None);
            }
            Err(why) => anyhow::bail!("the feed could not be read, nothing was changed: {why}"),
        };
        let p = oruk::items(&url, doc)
            .map_err(|e| anyhow::anyhow!("the feed could not be read, nothing was changed: {e}"))?;
        let n = p.contents.len();
        all.extend(p.contents);
        let done = n == 0
            || p.last_page == Some(true)
            || p.total_pages.is_some_and(|t| u64::from(page) >= t)
            || (p.last_page.is_none() && p.total_pages.is_none());
        if done {
            return Ok(Some(all));
        }
    }
    anyhow::bail!(
        "the feed could not be read, nothing was changed: {path} has more than {MAX_PAGES} pages"
    )
}

/// An id as one path segment: every byte but letters, digits, `-`, `.`, `_` and `~`
/// percent-encoded (a feed's ids are checked only once their documents arrive).
fn encode(id: &str) -> String {
    id.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// Read a feed over HTTP: the ids from /services, each /services/{id}, and the taxonomies.
pub async fn read_url(base: &str, per_page: u32, parallel: usize) -> anyhow::Result<Feed> {
    let base = base.trim_end_matches('/');
    let http = client()?;
    let mut feed = Feed::default();
    let items = list(&http, base, "services", per_page, true)
        .await?
        .unwrap_or_default();
    let mut ids: Vec<String> = Vec::new();
    for v in items {
        match v.get("id").and_then(|i| i.as_str()) {
            Some(id) if !ids.iter().any(|x| x == id) => ids.push(id.to_owned()),
            Some(_) => {}
            None => feed.take(Kind::Service, &format!("{base}/services"), vec![v]),
        }
    }
    let fetched: Vec<(String, anyhow::Result<Result<serde_json::Value, String>>)> =
        futures_util::stream::iter(ids)
            .map(|id| {
                let http = http.clone();
                let url = format!("{base}/services/{}", encode(&id));
                async move { (id, get_json(&http, &url).await) }
            })
            .buffer_unordered(parallel.max(1))
            .collect()
            .await;
    for (id, r) in fetched {
        let source = format!("{base}/services/{id}");
        match r? {
            Ok(doc) => feed.take(Kind::Service, &source, vec![doc]),
            Err(why) => feed.refuse(
                format!("service {id}"),
                format!("could not be fetched: {why}"),
            ),
        }
    }
    if let Some(t) = list(&http, base, "taxonomies", per_page, false).await? {
        feed.take(Kind::Taxonomy, &format!("{base}/taxonomies"), t);
    }
    if let Some(t) = list(&http, base, "taxonomy_terms", per_page, false).await? {
        feed.take(Kind::TaxonomyTerm, &format!("{base}/taxonomy_terms"), t);
    }
    Ok(feed)
}

/// Read a feed from a URL or a folder.
pub async fn read(source: &str, per_page: u32, parallel: usize) -> anyhow::Result<Feed> {
    if source.starts_with("http://") || source.starts_with("https://") {
        read_url(source, per_page, parallel).await
    } else {
        let dir = Path::new(source);
        anyhow::ensure!(
            dir.is_dir(),
            "{source} is neither an http(s) URL nor a folder"
        );
        oruk::read_dir(dir)
            .map_err(|e| anyhow::anyhow!("the feed could not be read, nothing was changed: {e}"))
    }
}

/// Store what a feed gave as the console.
pub async fn store_feed(
    store: &SqlStore,
    source: &str,
    feed: Feed,
) -> anyhow::Result<DirectoryImportReport> {
    let permit = authorize::<policy::ImportDirectory>(
        &Principal::Console,
        Target::None,
        Some("import an Open Referral feed"),
    )
    .map_err(|d| anyhow::anyhow!("{d}"))?;
    let import = DirectoryImport {
        source: source.to_owned(),
        taxonomies: feed.taxonomies,
        terms: feed.terms,
        organizations: feed.organizations,
        services: feed.services.into_values().map(Into::into).collect(),
    };
    store
        .import_directory(&permit, &import)
        .await
        .context("the feed was not imported, nothing was changed")
}

/// Run `import openreferral`: prints every refused item with its reasons, then what changed.
pub async fn run(a: OpenReferralArgs) -> anyhow::Result<()> {
    let url = crate::config::database_url(&a.db)?;
    let store = crate::open(&url, &Default::default()).await?;
    let feed = read(&a.source, a.per_page.clamp(1, 1000), a.parallel).await?;
    let mut refused = feed.refused.clone();
    refused.sort_by(|x, y| x.item.cmp(&y.item));
    for r in &refused {
        println!("refused: {r}");
    }
    let read = feed.services.len();
    let report = store_feed(&store, &a.source, feed).await?;
    println!(
        "{}: {} services read, {} refused; {} added, {} changed, {} unchanged{}{}",
        a.source,
        read + refused
            .iter()
            .filter(|r| r.item.starts_with("service"))
            .count(),
        refused
            .iter()
            .filter(|r| r.item.starts_with("service"))
            .count(),
        report.added.len(),
        report.changed.len(),
        report.unchanged.len(),
        if report.archived_here.is_empty() {
            String::new()
        } else {
            format!(", {} left archived here", report.archived_here.len())
        },
        if report.pending_here.is_empty() {
            String::new()
        } else {
            format!(
                ", {} left as they are (an editor's change here awaits approval)",
                report.pending_here.len()
            )
        }
    );
    Ok(())
}
