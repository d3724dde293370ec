//! The stages of a demo build, and who is told as each begins.

use std::sync::Arc;

/// The stages of a demo build, in order; [`Progress`] is told as each begins.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// The geography import and the authorities' localities.
    Geography,
    /// Organisations, staff and teams.
    Staff,
    /// The service directory.
    Directory,
    /// Two years of case histories.
    History,
    /// The agencies' records of the child population, imported and linked.
    Population,
    /// Casework for the demo practitioners.
    Casework,
    /// The directory's editors at work, and the planner's statistics.
    Finish,
}

impl Stage {
    /// Every stage, in order.
    pub const ALL: [Stage; 7] = [
        Stage::Geography,
        Stage::Staff,
        Stage::Directory,
        Stage::History,
        Stage::Population,
        Stage::Casework,
        Stage::Finish,
    ];

    /// Words for the terminal.
    pub fn label(self) -> &'static str {
        match self {
            Stage::Geography => "geography and localities",
            Stage::Staff => "organisations, staff and teams",
            Stage::Directory => "service directory",
            Stage::History => "two years of case histories",
            Stage::Population => "agency records imported and linked",
            Stage::Casework => "casework for the demo practitioners",
            Stage::Finish => "directory governance and planner statistics",
        }
    }
}

/// Told of each [`Stage`] as it begins (a bar on the terminal); does nothing by default.
#[derive(Clone, Default)]
pub struct Progress(Option<Arc<dyn Fn(Stage) + Send + Sync>>);

impl Progress {
    /// Call `f` as each stage begins.
    pub fn new(f: impl Fn(Stage) + Send + Sync + 'static) -> Self {
        Progress(Some(Arc::new(f)))
    }
}

impl std::fmt::Debug for Progress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.0.is_some() {
            "Progress(..)"
        } else {
            "Progress(none)"
        })
    }
}

impl Progress {
    pub(crate) fn at(&self, stage: Stage) {
        if let Some(f) = &self.0 {
            f(stage);
        }
    }
}
