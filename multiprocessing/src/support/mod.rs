//! The machinery behind the lessons: measurement harnesses a lesson calls
//! in one line. A learner reads the lesson files (`src/*.rs`, one per
//! notebook section); these say at the top which lesson uses them.

pub mod round_trip;
pub mod shared_file;
