//! Reading CSV files by column name, with every value's position kept for error messages.

use crate::ImportError;
use everychild_domain::geo::AreaCode;
use std::io::Read;

/// A CSV file opened for reading by header name.
pub(crate) struct Table<R: Read> {
    name: String,
    headers: Vec<String>,
    reader: csv::Reader<R>,
    record: csv::StringRecord,
}

/// One row of a [`Table`], with typed accessors that report the file, line and column.
pub(crate) struct Row<'t> {
    name: &'t str,
    headers: &'t [String],
    record: &'t csv::StringRecord,
    line: u64,
}

impl<R: Read> Table<R> {
    /// Open `reader` (a CSV with a header row) and check that `required` columns are present.
    pub fn new(name: &str, reader: R, required: &[&str]) -> Result<Self, ImportError> {
        let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(reader);
        let headers: Vec<String> = reader
            .headers()
            .map_err(|e| ImportError::file(name, format!("cannot read the header row: {e}")))?
            .iter()
            .map(|h| h.trim_start_matches('\u{feff}').trim().to_owned())
            .collect();
        let missing: Vec<&str> = required
            .iter()
            .copied()
            .filter(|r| !headers.iter().any(|h| h == r))
            .collect();
        if !missing.is_empty() {
            return Err(ImportError {
                file: name.to_owned(),
                line: Some(1),
                column: None,
                message: format!("the header row lacks the column(s) {}", missing.join(", ")),
            });
        }
        Ok(Self {
            name: name.to_owned(),
            headers,
            reader,
            record: csv::StringRecord::new(),
        })
    }

    /// The next row, or `None` at the end of the file.
    pub fn next_row(&mut self) -> Result<Option<Row<'_>>, ImportError> {
        match self.reader.read_record(&mut self.record) {
            Ok(false) => Ok(None),
            Ok(true) => {
                let line = self.record.position().map_or(0, |p| p.line());
                if self.record.len() < self.headers.len() {
                    return Err(ImportError {
                        file: self.name.clone(),
                        line: Some(line),
                        column: self.headers.get(self.record.len()).cloned(),
                        message: format!(
                            "the row has {} values but the header names {} columns",
                            self.record.len(),
                            self.headers.len()
                        ),
                    });
                }
                Ok(Some(Row {
                    name: &self.name,
                    headers: &self.headers,
                    record: &self.record,
                    line,
                }))
            }
            Err(e) => {
                let line = e.position().map(|p| p.line());
                Err(ImportError {
                    file: self.name.clone(),
                    line,
                    column: None,
                    message: format!("not readable as CSV: {e}"),
                })
            }
        }
    }

    /// The file's column headers.
    pub fn headers(&self) -> &[String] {
        &self.headers
    }
}

impl Row<'_> {
    /// The line this row starts on.
    pub fn line(&self) -> u64 {
        self.line
    }

    /// An error at this row and `column`.
    pub fn error(&self, column: &str, message: impl Into<String>) -> ImportError {
        ImportError::at(self.name, self.line, column, message)
    }

    /// The raw text of a column (trimmed); empty if the column is absent.
    pub fn text(&self, column: &str) -> &str {
        self.headers
            .iter()
            .position(|h| h == column)
            .and_then(|i| self.record.get(i))
            .map_or("", str::trim)
    }

    /// The text at a column position (for files whose columns are ages).
    pub fn text_at(&self, index: usize) -> &str {
        self.record.get(index).map_or("", str::trim)
    }

    /// A non-empty text value.
    pub fn required(&self, column: &str) -> Result<String, ImportError> {
        let t = self.text(column);
        if t.is_empty() {
            Err(self.error(column, "a value is required here and the cell is empty"))
        } else {
            Ok(t.to_owned())
        }
    }

    /// An ONS area code.
    pub fn code(&self, column: &str) -> Result<AreaCode, ImportError> {
        AreaCode::parse(self.text(column)).map_err(|e| self.error(column, e.message))
    }

    /// An ONS area code, or `None` for an empty cell.
    pub fn opt_code(&self, column: &str) -> Result<Option<AreaCode>, ImportError> {
        if self.text(column).is_empty() {
            Ok(None)
        } else {
            self.code(column).map(Some)
        }
    }

    /// A number of type `T`; a decimal with no fraction (`12.0`) is accepted for integers.
    pub fn number<T: std::str::FromStr>(&self, column: &str) -> Result<T, ImportError> {
        let t = self.text(column);
        parse_number(t).ok_or_else(|| {
            self.error(
                column,
                format!("'{t}' is not a number of the expected kind"),
            )
        })
    }

    /// A number, or `None` for an empty cell.
    pub fn opt_number<T: std::str::FromStr>(&self, column: &str) -> Result<Option<T>, ImportError> {
        if self.text(column).is_empty() {
            Ok(None)
        } else {
            self.number(column).map(Some)
        }
    }

    /// A decimal number.
    pub fn decimal(&self, column: &str) -> Result<f64, ImportError> {
        let t = self.text(column);
        match t.parse::<f64>() {
            Ok(v) if v.is_finite() => Ok(v),
            _ => Err(self.error(column, format!("'{t}' is not a decimal number"))),
        }
    }

    /// A decimal number, or `None` for an empty cell.
    pub fn opt_decimal(&self, column: &str) -> Result<Option<f64>, ImportError> {
        if self.text(column).is_empty() {
            Ok(None)
        } else {
            self.decimal(column).map(Some)
        }
    }
}

/// `12` or `12.0` as an integer type; other types parse as written.
fn parse_number<T: std::str::FromStr>(t: &str) -> Option<T> {
    if let Ok(v) = t.parse::<T>() {
        return Some(v);
    }
    t.strip_suffix(".0").and_then(|s| s.parse::<T>().ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_columns_and_short_rows_are_named_with_their_line() {
        let e = Table::new("x.csv", "a,b\n1,2\n".as_bytes(), &["a", "c"]).err();
        assert_eq!(
            e.map(|e| e.to_string()),
            Some("x.csv, line 1: the header row lacks the column(s) c".into())
        );
        let mut t = Table::new("x.csv", "a,b\n1,2\n3\n".as_bytes(), &["a"])
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(t.next_row().is_ok_and(|r| r.is_some()));
        let e = t.next_row().err().map(|e| e.to_string());
        assert_eq!(
            e,
            Some(
                "x.csv, line 3, column b: the row has 1 values but the header names 2 columns"
                    .into()
            )
        );
    }

    #[test]
    fn typed_values_report_file_line_and_column() {
        let mut t = Table::new(
            "p.csv",
            "code,n\nE01013600,12.0\nX1,seven\n".as_bytes(),
            &["code", "n"],
        )
        .unwrap_or_else(|e| panic!("{e}"));
        {
            let r = t.next_row().ok().flatten().unwrap_or_else(|| panic!("row"));
            assert_eq!(
                r.code("code").map(|c| c.to_string()),
                Ok("E01013600".into())
            );
            assert_eq!(r.number::<u32>("n"), Ok(12));
        }
        let r = t.next_row().ok().flatten().unwrap_or_else(|| panic!("row"));
        let e = r.code("code").err().unwrap_or_else(|| panic!("accepted"));
        assert_eq!((e.line, e.column.as_deref()), (Some(3), Some("code")));
        assert!(r
            .number::<u32>("n")
            .err()
            .is_some_and(|e| e.message.contains("'seven'")));
    }
}
