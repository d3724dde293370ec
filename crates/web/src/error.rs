//! The one place errors become responses: HTML error pages for pages (rendered by the context
//! layer, which knows the nonce and the user), one JSON shape for the API.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use everychild_domain::FieldError;
use everychild_policy::{Denied, DenyReason};
use everychild_store::StoreError;
use serde::Serialize;

/// Something that stops a request.
#[derive(Debug)]
pub enum AppError {
    /// Sign in first.
    NotSignedIn,
    /// Not allowed.
    Forbidden,
    /// A service client's token may not do this: the reason names the missing scope, or
    /// says no token may.
    TokenForbidden(String),
    /// A password reset by an administrator must be changed first.
    PasswordChangeRequired,
    /// No such thing (or not one you may know of).
    NotFound,
    /// Nothing matches what was asked, for the reason given (e.g. a postcode outside the
    /// authority).
    NotFoundBecause(FieldError),
    /// Input that names its problems.
    Invalid(Vec<FieldError>),
    /// What was asked clashes with what is stored (a stale version, a choice no longer
    /// allowed); each problem names its field.
    Conflict(Vec<FieldError>),
    /// Over a volume limit (searches or record reads in an hour): answer 429, saying so.
    TooMany(String),
    /// The database cannot be reached: fail closed.
    Unavailable,
    /// A bug or unexpected state; details go to the log only.
    Internal(String),
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Unavailable(m) => {
                tracing::error!(error = %m, "database unavailable");
                AppError::Unavailable
            }
            StoreError::Invalid(errs) => AppError::Conflict(errs),
            StoreError::Conflict(m) => {
                tracing::warn!(error = %m, "a uniqueness rule of the database refused a change");
                AppError::Conflict(vec![FieldError::new(
                    "form",
                    "That clashes with something already recorded: check it and try again",
                )])
            }
            StoreError::NotFound(_) => AppError::NotFound,
            StoreError::TooMany(m) => AppError::TooMany(m),
            other => AppError::Internal(other.to_string()),
        }
    }
}

impl From<Denied> for AppError {
    fn from(d: Denied) -> Self {
        match d.reason {
            DenyReason::NotSignedIn => AppError::NotSignedIn,
            DenyReason::PasswordChangeRequired => AppError::PasswordChangeRequired,
            DenyReason::Forbidden | DenyReason::SelfAction => AppError::Forbidden,
            DenyReason::MissingScope(scope) => AppError::TokenForbidden(format!(
                "This token does not have the scope {}; the token's owner can ask an administrator for a token that has it",
                scope.as_str()
            )),
            DenyReason::NotForTokens => AppError::TokenForbidden(
                "No API token may do this: records about children and families, user accounts and the audit log are for people who sign in".into(),
            ),
        }
    }
}

impl From<FieldError> for AppError {
    fn from(e: FieldError) -> Self {
        AppError::Invalid(vec![e])
    }
}

impl AppError {
    pub(crate) fn status(&self) -> StatusCode {
        match self {
            AppError::NotSignedIn => StatusCode::UNAUTHORIZED,
            AppError::Forbidden
            | AppError::TokenForbidden(_)
            | AppError::PasswordChangeRequired => StatusCode::FORBIDDEN,
            AppError::NotFound | AppError::NotFoundBecause(_) => StatusCode::NOT_FOUND,
            AppError::Invalid(_) => StatusCode::BAD_REQUEST,
            AppError::Conflict(_) => StatusCode::CONFLICT,
            AppError::TooMany(_) => StatusCode::TOO_MANY_REQUESTS,
            AppError::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
    fn code(&self) -> &'static str {
        match self {
            AppError::NotSignedIn => "not_signed_in",
            AppError::Forbidden => "forbidden",
            AppError::TokenForbidden(_) => "insufficient_scope",
            AppError::PasswordChangeRequired => "password_change_required",
            AppError::NotFound | AppError::NotFoundBecause(_) => "not_found",
            AppError::Invalid(_) => "invalid_input",
            AppError::Conflict(_) => "conflict",
            AppError::TooMany(_) => "too_many_requests",
            AppError::Unavailable => "unavailable",
            AppError::Internal(_) => "internal_error",
        }
    }
    fn message(&self) -> String {
        match self {
            AppError::NotSignedIn => "Sign in to continue".into(),
            AppError::Forbidden => "You do not have permission to do this".into(),
            AppError::PasswordChangeRequired => "Change your password before you continue".into(),
            AppError::NotFound => "Not found".into(),
            AppError::Invalid(errs) => errs
                .iter()
                .map(|e| e.message.clone())
                .collect::<Vec<_>>()
                .join("; "),
            AppError::Conflict(errs) => errs
                .iter()
                .map(|e| e.message.clone())
                .collect::<Vec<_>>()
                .join("; "),
            AppError::NotFoundBecause(e) => e.message.clone(),
            AppError::TooMany(m) | AppError::TokenForbidden(m) => m.clone(),
            AppError::Unavailable => "The service is unavailable. Try again later".into(),
            AppError::Internal(_) => "Something went wrong. Try again later".into(),
        }
    }
}

/// An error answered as a page: the context layer draws the page for the status.
#[derive(Debug)]
pub struct PageError(pub AppError);

impl<E: Into<AppError>> From<E> for PageError {
    fn from(e: E) -> Self {
        PageError(e.into())
    }
}

/// Marks a response whose body the context layer replaces with an error page.
#[derive(Debug, Clone)]
pub(crate) struct ErrorPageMarker(pub Option<String>);

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        if let AppError::Internal(m) = &self.0 {
            tracing::error!(error = %m, "internal error");
        }
        match self.0 {
            AppError::NotSignedIn => axum::response::Redirect::to("/sign-in").into_response(),
            AppError::PasswordChangeRequired => {
                axum::response::Redirect::to("/account/password").into_response()
            }
            other => {
                let message = match &other {
                    AppError::NotFoundBecause(e) => Some(e.message.clone()),
                    AppError::TooMany(m) => Some(m.clone()),
                    AppError::Invalid(errs) | AppError::Conflict(errs) if !errs.is_empty() => Some(
                        errs.iter()
                            .map(|e| e.message.as_str())
                            .collect::<Vec<_>>()
                            .join(". "),
                    ),
                    _ => None,
                };
                let mut r = other.status().into_response();
                r.extensions_mut().insert(ErrorPageMarker(message));
                r
            }
        }
    }
}

/// An error answered in the API's one JSON shape:
/// `{"error": {"status": 400, "code": "invalid_input", "message": "…", "fields": [{"field": "…", "message": "…"}]}}`.
#[derive(Debug)]
pub struct ApiError(pub AppError);

impl<E: Into<AppError>> From<E> for ApiError {
    fn from(e: E) -> Self {
        ApiError(e.into())
    }
}

/// The API's error body.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    /// The error.
    pub error: ErrorDetail,
}

/// What went wrong.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ErrorDetail {
    /// HTTP status.
    pub status: u16,
    /// A stable code: not_signed_in, forbidden, password_change_required, not_found,
    /// invalid_input, conflict, unavailable, internal_error, payload_too_large, csrf.
    pub code: String,
    /// A sentence for people.
    pub message: String,
    /// The fields at fault, if any.
    pub fields: Vec<FieldProblem>,
}

/// One field's problem.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct FieldProblem {
    /// The field (JSON key).
    pub field: String,
    /// What is wrong with it.
    pub message: String,
}

pub(crate) fn json_error(
    status: StatusCode,
    code: &str,
    message: &str,
    fields: Vec<FieldProblem>,
) -> Response {
    (
        status,
        axum::Json(ErrorBody {
            error: ErrorDetail {
                status: status.as_u16(),
                code: code.into(),
                message: message.into(),
                fields,
            },
        }),
    )
        .into_response()
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        if let AppError::Internal(m) = &self.0 {
            tracing::error!(error = %m, "internal error");
        }
        let fields = match &self.0 {
            AppError::Invalid(errs) | AppError::Conflict(errs) => errs
                .iter()
                .map(|e| FieldProblem {
                    field: e.field.into(),
                    message: e.message.clone(),
                })
                .collect(),
            AppError::NotFoundBecause(e) => vec![FieldProblem {
                field: e.field.into(),
                message: e.message.clone(),
            }],
            _ => vec![],
        };
        json_error(self.0.status(), self.0.code(), &self.0.message(), fields)
    }
}
