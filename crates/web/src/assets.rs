//! The front-end files built by build.rs and embedded in the binary.

use axum::extract::Path;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

include!(concat!(env!("OUT_DIR"), "/assets.rs"));

fn content_type(path: &str) -> &'static str {
    match path.rsplit('.').next() {
        Some("css") => "text/css; charset=utf-8",
        Some("js") => "text/javascript; charset=utf-8",
        Some("json") => "application/manifest+json",
        Some("woff2") => "font/woff2",
        Some("woff") => "font/woff",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        Some("ico") => "image/x-icon",
        _ => "application/octet-stream",
    }
}

/// Serve one embedded file.
pub async fn serve(Path(rest): Path<String>) -> Response {
    let path = format!("/assets/{rest}");
    match ASSETS.iter().find(|(p, _)| *p == path) {
        Some((p, bytes)) => {
            let mut r = (*bytes).into_response();
            let h = r.headers_mut();
            h.insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static(content_type(p)),
            );
            h.insert(
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=3600"),
            );
            r
        }
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_stylesheet_fonts_and_scripts_are_embedded() {
        let has = |p: &str| super::ASSETS.iter().any(|(q, b)| *q == p && !b.is_empty());
        assert!(has("/assets/app.css"));
        assert!(has("/assets/govuk-frontend.min.js"));
        assert!(has("/assets/favicon.svg"));
        // GOV.UK's own typeface and crown are not served.
        assert!(!super::ASSETS
            .iter()
            .any(|(p, _)| p.contains("/fonts/") || p.contains("crest")));
        // Our stylesheet uses Arial: the GOV.UK-only typeface must not be in it.
        let css = super::ASSETS
            .iter()
            .find(|(p, _)| *p == "/assets/app.css")
            .map(|(_, b)| *b)
            .unwrap_or_default();
        assert!(!String::from_utf8_lossy(css).contains("GDS Transport"));
    }
}
