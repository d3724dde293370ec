//! The request context written into audit events: client address and request id. The web
//! layer sets it once per request; the store reads it when it writes an event.

/// Where a request came from.
#[derive(Debug, Clone, Default)]
pub struct RequestMeta {
    /// Client address.
    pub ip: Option<String>,
    /// Request id, also in the logs.
    pub request_id: Option<String>,
}

tokio::task_local! {
    static META: RequestMeta;
}

/// Run `fut` with `meta` as the request context of every audit event it writes.
pub async fn with_request_meta<F: std::future::Future>(meta: RequestMeta, fut: F) -> F::Output {
    META.scope(meta, fut).await
}

pub(crate) fn current() -> RequestMeta {
    META.try_with(Clone::clone).unwrap_or_default()
}
