//! Cross-process tests, one binary (as ripgrep does): each module drives real processes.

mod cli;
mod live;
