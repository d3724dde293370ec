//! Form input: parsed leniently into fields (so the policy decides before any validation
//! runs), then into domain types with errors that name each field.

use axum::body::Bytes;
use everychild_domain::FieldError;

/// The fields of a submitted form.
#[derive(Debug, Default)]
pub struct Fields(Vec<(String, String)>);

impl Fields {
    /// Parse an `application/x-www-form-urlencoded` body; anything unreadable is empty.
    pub fn parse(body: &Bytes) -> Self {
        Self(serde_urlencoded::from_bytes(body).unwrap_or_default())
    }
    /// Fields from name and value pairs (a query string re-shown in a form).
    pub fn from_pairs(pairs: Vec<(String, String)>) -> Self {
        Self(pairs)
    }
    /// Every value of a repeated field (checkboxes), in order.
    pub fn all(&self, name: &str) -> Vec<&str> {
        self.0
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .collect()
    }
    /// Every field whose name starts with `prefix`: the rest of the name and the value.
    pub fn with_prefix<'a>(&'a self, prefix: &'a str) -> impl Iterator<Item = (&'a str, &'a str)> {
        self.0
            .iter()
            .filter_map(move |(k, v)| k.strip_prefix(prefix).map(|rest| (rest, v.as_str())))
    }
    /// A field's value, or empty.
    pub fn get(&self, name: &str) -> &str {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .unwrap_or("")
    }
}

/// Errors to show on a form, in page order.
#[derive(Debug, Default, Clone)]
pub struct FormErrors(Vec<(String, String)>);

impl FormErrors {
    /// No errors.
    pub fn none() -> Self {
        Self::default()
    }
    /// Add one.
    pub fn push(&mut self, e: FieldError) {
        self.0.push((e.field.to_owned(), e.message));
    }
    /// The same errors with one field's name changed (where a store's input has another name
    /// on the form).
    pub fn renamed(mut self, from: &str, to: &str) -> Self {
        for (f, _) in &mut self.0 {
            if f == from {
                *f = to.to_owned();
            }
        }
        self
    }
    /// Add a field and message.
    pub fn add(&mut self, field: &str, message: &str) {
        self.0.push((field.to_owned(), message.to_owned()));
    }
    /// Show a refusal that names fields (from the store, or a reason nothing matched) on the
    /// form; any other error is returned to be answered as it is.
    pub fn refusal(
        &mut self,
        e: impl Into<crate::error::AppError>,
    ) -> Result<(), crate::error::AppError> {
        match e.into() {
            crate::error::AppError::Conflict(errs) => {
                errs.into_iter().for_each(|fe| self.push(fe));
                Ok(())
            }
            crate::error::AppError::NotFoundBecause(fe) => {
                self.push(fe);
                Ok(())
            }
            other => Err(other),
        }
    }
    /// Take the error out of a result, keeping the value.
    pub fn take<T>(&mut self, r: Result<T, FieldError>) -> Option<T> {
        match r {
            Ok(v) => Some(v),
            Err(e) => {
                self.push(e);
                None
            }
        }
    }
    /// The message for a field.
    pub fn get<S: AsRef<str>>(&self, name: S) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == name.as_ref())
            .map(|(_, v)| v.as_str())
    }
    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    /// All of them.
    pub fn list(&self) -> &[(String, String)] {
        &self.0
    }
}
