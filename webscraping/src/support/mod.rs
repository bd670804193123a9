//! The machinery behind the lessons: what a lesson calls in one line.
//! A learner reads the lesson files (`src/*.rs`, one per notebook section);
//! each file here says at its top which lesson uses it.

pub mod child_site;
pub mod rate_limit;
pub mod robots;
