//! Browser tests only: everything is in `tests/browser/`. This empty library exists because a
//! Cargo package needs a library or binary target beside its tests.
