//! The two messages of the pool protocol. Task and result travel as nested
//! postcard bodies, so the pool's own threads move bytes without knowing the
//! chapter's types: only `submit` (encode) and the handle (decode) are generic.

use serde::{Deserialize, Serialize};

/// Parent → worker: run this task.
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct Request {
    pub(crate) id: u64,
    /// `postcard(T)`.
    pub(crate) task: Vec<u8>,
}

/// Worker → parent: what became of task `id`.
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct Reply {
    pub(crate) id: u64,
    /// The worker that ran it.
    pub(crate) pid: u32,
    pub(crate) outcome: Outcome,
}

/// How one task ended inside the worker (the worker itself lives on).
#[derive(Debug, Serialize, Deserialize)]
pub(crate) enum Outcome {
    /// `postcard(R)`.
    Value(Vec<u8>),
    /// The task panicked: the message and where.
    Panicked(String),
    /// The task could not be decoded, or its result not encoded or sent
    /// (larger than a frame may be).
    Codec(String),
}
