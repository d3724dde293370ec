//! Error pages: say what happened and what to do, and nothing about the internals.

use super::Chrome;
use crate::{AppState, Ctx};
use askama::Template;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    c: Chrome,
    heading: &'static str,
    body: String,
}

/// The page for `status`; `message` (what exactly was wrong) replaces the general advice.
pub fn page(st: &AppState, ctx: &Ctx, status: StatusCode, message: Option<&str>) -> Response {
    let (heading, body) = match status {
        StatusCode::NOT_FOUND => ("Page not found", "If you typed the web address, check it is correct. If you pasted the web address, check you copied the entire address."),
        StatusCode::FORBIDDEN => ("You do not have permission to see this page", "If you think you should have access, contact your administrator. If you were filling in a form, go back, refresh the page and try again."),
        StatusCode::PAYLOAD_TOO_LARGE => ("What you sent is too large", "Requests must be 1 MiB or smaller."),
        StatusCode::METHOD_NOT_ALLOWED => ("Page not found", "This address does not accept that kind of request."),
        StatusCode::SERVICE_UNAVAILABLE => ("Sorry, the service is unavailable", "You will be able to use the service once it is working again. Nothing you were doing has been saved unless you saw a confirmation."),
        s if s.is_client_error() => ("There is a problem with the request", "Go back and try again."),
        _ => ("Sorry, there is a problem with the service", "Try again later. Nothing you were doing has been saved unless you saw a confirmation."),
    };
    let t = ErrorPage {
        c: Chrome::new(st, ctx, heading, ""),
        heading,
        body: message.map_or_else(
            || body.to_owned(),
            |m| format!("{}.", m.trim_end_matches('.')),
        ),
    };
    match t.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(_) => (status, heading).into_response(),
    }
}
