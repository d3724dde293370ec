//! everychild's browser tests: the real application, served on a loopback port against a fresh
//! database per test (SQLite, or PostgreSQL when EVERYCHILD_TEST_DATABASE is a postgres URL),
//! driven in headless Chromium over WebDriver, with axe-core checking every page visited for
//! WCAG 2.2 AA. Needs Debian's `chromium` and `chromium-driver`; see `harness.rs`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod admin;
mod axe;
mod children;
mod directory;
mod harness;
mod localities;
mod oidc;
mod pages;
mod requests;
mod sign_in;
