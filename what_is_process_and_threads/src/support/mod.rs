//! The machinery behind the lessons: what a lesson calls in one line.
//! A learner reads the lesson files (`src/*.rs`, one per notebook section);
//! each file here says at its top which lesson uses it.

pub mod children;
pub mod gil_readout;
pub mod simulated_gil;
pub mod spawn_cost;
