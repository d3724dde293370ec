//! The store's own tests: each area's SQL called directly through its repository trait, with
//! permits from the policy, on the database `EVERYCHILD_TEST_DATABASE` names (a new SQLite file
//! per test by default; the test command runs them again on PostgreSQL, a schema per test).
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

mod accounts;
mod audit;
mod support;
