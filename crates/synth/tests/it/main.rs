//! Integration tests of the synthetic people generator.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod people;
mod real_population;
