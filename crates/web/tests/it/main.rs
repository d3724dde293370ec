//! everychild-web's one integration-test binary: drives the real app over HTTP against a fresh
//! database per test (SQLite, or PostgreSQL when EVERYCHILD_TEST_DATABASE is a postgres URL).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod api;
mod attacks;
mod audit;
mod casework_model;
mod children;
mod consent;
mod dashboard;
mod directory_admin;
mod group_teams;
mod hardening;
mod involve;
mod localities;
mod matrix;
mod oidc;
mod openreferral;
mod ops;
mod referrals;
mod relationships;
mod requests;
mod reviews;
mod sign_in;
mod trust;
