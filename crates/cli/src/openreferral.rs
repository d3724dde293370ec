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
    /// Allow plain http:// for a feed on this machine (127.0.0.0/8, ::1, localhost): for
    /// tests and local mirrors only. Every other feed must be https://.
    #[arg(long)]
    pub allow_http_loopback: bool,
    #[command(flatten)]
    pub db: crate::config::DbArgs,
}

/// The most pages read from one list (a feed that never says it has ended is stopped here).
const MAX_PAGES: u32 = 100_000;

/// The most bytes read from one feed in all (every page and document together).
pub const MAX_FEED_BYTES: u64 = 512 * 1024 * 1024;

/// Whether `url` may be read: https, or http to this machine when `allow_http_loopback`.
pub fn allowed_url(url: &str, allow_http_loopback: bool) -> Result<(), String> {
    let u = url::Url::parse(url).map_err(|e| format!("{url} is not a URL: {e}"))?;
    match u.scheme() {
        "https" => Ok(()),
        "http" if allow_http_loopback && is_loopback(&u) => Ok(()),
        "http" if is_loopback(&u) => Err(format!(
            "{url} is plain http: add --allow-http-loopback to read a feed on this machine"
        )),
        "http" => Err(format!(
            "{url} is plain http: feeds are read over https only, so nobody between can change them"
        )),
        other => Err(format!("{url}: the scheme {other} is not supported")),
    }
}

fn is_loopback(u: &url::Url) -> bool {
    match u.host() {
        Some(url::Host::Ipv4(a)) => a.is_loopback(),
        Some(url::Host::Ipv6(a)) => a.is_loopback(),
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        None => false,
    }
}

/// The HTTP client for a feed: redirects are followed only within the feed's own origin (at
/// most five), so a feed cannot send the import elsewhere.
fn client() -> anyhow::Result<reqwest::Client> {
    let policy = reqwest::redirect::Policy::custom(|attempt| {
        let same = attempt
            .previous()
            .first()
            .is_some_and(|first| first.origin() == attempt.url().origin());
        if !same {
            let to = attempt.url().to_string();
            attempt.error(format!(
                "a redirect to another origin ({to}) is not followed"
            ))
        } else if attempt.previous().len() > 5 {
            attempt.error("more than five redirects")
        } else {
            attempt.follow()
        }
    });
    reqwest::Client::builder()
        .timeout(Duration::from_secs(60))
        .connect_timeout(Duration::from_secs(15))
        .redirect(policy)
        .user_agent(concat!("everychild/", env!("CARGO_PKG_VERSION")))
        .build()
        .context("could not start the HTTP client")
}

/// Bytes read from the feed so far, across every request.
static FEED_BYTES: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

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
        let total = FEED_BYTES.fetch_add(chunk.len() as u64, std::sync::atomic::Ordering::Relaxed)
            + chunk.len() as u64;
        anyhow::ensure!(
            total <= MAX_FEED_BYTES,
            "the feed could not be read, nothing was changed: it is larger than {MAX_FEED_BYTES} bytes in all"
        );
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

/// Read a feed from a URL (https, or http on this machine when `allow_http_loopback`) or a
/// folder.
pub async fn read(
    source: &str,
    per_page: u32,
    parallel: usize,
    allow_http_loopback: bool,
) -> anyhow::Result<Feed> {
    if source.starts_with("http://") || source.starts_with("https://") {
        allowed_url(source, allow_http_loopback).map_err(|e| anyhow::anyhow!("{e}"))?;
        FEED_BYTES.store(0, std::sync::atomic::Ordering::Relaxed);
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
    let store = crate::open(&a.db, &url, &Default::default()).await?;
    let feed = read(
        &a.source,
        a.per_page.clamp(1, 1000),
        a.parallel,
        a.allow_http_loopback,
    )
    .await?;
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
    if !report.held_for_approval.is_empty() {
        println!(
            "{} changed entries were approved here before: their new versions await approval, and the approved versions stay public until then",
            report.held_for_approval.len()
        );
    }
    Ok(())
}
