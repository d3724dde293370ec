//! Readers and writers for the formats everychild speaks: the ONS, MHCLG, Ordnance Survey and
//! DfE open data behind the geography, and (in their own modules) the exchange formats of the
//! directory and the statutory returns. Every reader turns a file into domain values or stops
//! at the first bad value with an [`ImportError`] naming the file, line and column.

pub mod geo;
pub mod openreferral;
pub mod people;
mod table;

use std::fmt;

/// A problem in an input file: where it is and what is wrong, in words a person can act on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct ImportError {
    /// The file, as named in the import folder.
    pub file: String,
    /// The line (1 is the header), if the problem is in one line.
    pub line: Option<u64>,
    /// The column's header, if the problem is in one column.
    pub column: Option<String>,
    /// What is wrong.
    pub message: String,
}

impl ImportError {
    /// A problem with a whole file.
    pub fn file(file: &str, message: impl Into<String>) -> Self {
        Self {
            file: file.to_owned(),
            line: None,
            column: None,
            message: message.into(),
        }
    }

    /// A problem at a line and column.
    pub fn at(file: &str, line: u64, column: &str, message: impl Into<String>) -> Self {
        Self {
            file: file.to_owned(),
            line: Some(line),
            column: Some(column.to_owned()),
            message: message.into(),
        }
    }
}

impl fmt::Display for ImportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.file)?;
        if let Some(l) = self.line {
            write!(f, ", line {l}")?;
        }
        if let Some(c) = &self.column {
            write!(f, ", column {c}")?;
        }
        write!(f, ": {}", self.message)
    }
}
