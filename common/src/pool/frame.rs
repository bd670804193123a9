//! Length-prefixed frames: how a [`ProcessPool`](super::ProcessPool) and its
//! workers talk.
//!
//! A byte stream (pipe, socket) has no message boundaries: one `write` of 100
//! bytes may arrive as two `read`s of 60 and 40. So every message is a
//! *frame*: a 4-byte little-endian length, then that many bytes of
//! [postcard](https://docs.rs/postcard)-encoded serde data. Python's
//! `multiprocessing` does the same with pickle (`Connection.send_bytes`
//! writes a length header, then the pickle).
//!
//! ```text
//! ┌──────────────┬──────────────────────────────┐
//! │ len: u32 LE  │ postcard(value): len bytes   │
//! └──────────────┴──────────────────────────────┘
//! ```
//!
//! ```
//! use common::pool::frame::{read_frame, write_frame};
//! let mut wire = Vec::new();
//! let sent = write_frame(&mut wire, &("square", 12_u64))?;
//! assert_eq!(sent, wire.len()); // header + body, what crossed the "pipe"
//! let (value, received) = read_frame::<_, (String, u64)>(&mut wire.as_slice())?
//!     .expect("one frame");
//! assert_eq!(value, ("square".to_string(), 12));
//! assert_eq!(received, sent);
//! # Ok::<(), common::pool::frame::FrameError>(())
//! ```

use std::io::{self, Read, Write};

use serde::Serialize;
use serde::de::DeserializeOwned;

/// Frames larger than this are refused: a corrupt or hostile length header
/// must not make the reader allocate gigabytes.
pub const MAX_FRAME_BYTES: usize = 256 * 1024 * 1024;

/// What can go wrong reading or writing a frame.
#[derive(Debug, thiserror::Error)]
pub enum FrameError {
    /// The stream failed (the peer died, a timeout expired, …).
    #[error("i/o error on the worker channel: {0}")]
    Io(#[from] io::Error),
    /// The stream ended in the middle of a frame.
    #[error("the stream ended in the middle of a frame")]
    Truncated,
    /// The length header exceeds [`MAX_FRAME_BYTES`].
    #[error("frame of {0} bytes exceeds the {MAX_FRAME_BYTES}-byte limit")]
    TooLarge(usize),
    /// The value could not be encoded or decoded.
    #[error("postcard: {0}")]
    Codec(#[from] postcard::Error),
}

/// Encodes `value` as a frame body (no header).
pub fn encode<T: Serialize + ?Sized>(value: &T) -> Result<Vec<u8>, FrameError> {
    Ok(postcard::to_stdvec(value)?)
}

/// Says why `value` could not be encoded, for people: its type and the
/// cause. postcard drops the message a `Serialize` impl gives
/// (`serde::ser::Error::custom`), so the value is serialized once more, as
/// JSON, to recover it.
pub fn encode_failure<T: Serialize + ?Sized>(value: &T, err: &FrameError) -> String {
    let type_name = std::any::type_name::<T>();
    let cause = match err {
        FrameError::Codec(postcard::Error::SerdeSerCustom) => serde_json::to_value(value)
            .err()
            .map_or_else(|| err.to_string(), |json| json.to_string()),
        other => other.to_string(),
    };
    format!("a `{type_name}` could not be encoded: {cause}")
}

/// Says why a body could not be decoded as a `T`, for people: the type and
/// the cause. A `Deserialize` impl's own message
/// (`serde::de::Error::custom`) is dropped by postcard and cannot be
/// recovered from the bytes, so that case says where to look instead.
pub fn decode_failure<T>(err: &FrameError) -> String {
    let type_name = std::any::type_name::<T>();
    let cause = match err {
        FrameError::Codec(postcard::Error::SerdeDeCustom) => {
            "its Deserialize impl refused the bytes (postcard keeps no message)"
                .to_string()
        }
        other => other.to_string(),
    };
    format!("a `{type_name}` could not be decoded: {cause}")
}

/// Decodes a frame body produced by [`encode`].
pub fn decode<T: DeserializeOwned>(body: &[u8]) -> Result<T, FrameError> {
    Ok(postcard::from_bytes(body)?)
}

/// Writes an already-encoded body as one frame and flushes. Returns the
/// bytes written, header included.
pub fn write_body<W: Write>(writer: &mut W, body: &[u8]) -> Result<usize, FrameError> {
    if body.len() > MAX_FRAME_BYTES {
        return Err(FrameError::TooLarge(body.len()));
    }
    let len = u32::try_from(body.len()).map_err(|_| FrameError::TooLarge(body.len()))?;
    writer.write_all(&len.to_le_bytes())?;
    writer.write_all(body)?;
    writer.flush()?;
    Ok(4 + body.len())
}

/// Encodes `value` and writes it as one frame. Returns the bytes written.
pub fn write_frame<W: Write, T: Serialize + ?Sized>(
    writer: &mut W,
    value: &T,
) -> Result<usize, FrameError> {
    write_body(writer, &encode(value)?)
}

/// Reads one frame body. `Ok(None)` means the stream ended cleanly *between*
/// frames (the peer closed it: the normal way to say "no more work").
pub fn read_body<R: Read>(reader: &mut R) -> Result<Option<Vec<u8>>, FrameError> {
    let mut header = [0_u8; 4];
    // The first byte decides between "clean end" and "truncated".
    let mut filled = 0;
    while filled < header.len() {
        match reader.read(&mut header[filled..]) {
            Ok(0) if filled == 0 => return Ok(None),
            Ok(0) => return Err(FrameError::Truncated),
            Ok(n) => filled += n,
            Err(err) if err.kind() == io::ErrorKind::Interrupted => {}
            Err(err) => return Err(err.into()),
        }
    }
    let len = u32::from_le_bytes(header) as usize;
    if len > MAX_FRAME_BYTES {
        return Err(FrameError::TooLarge(len));
    }
    // Grow the buffer as bytes arrive rather than trusting the header with
    // an allocation up front: a corrupt or hostile header then costs what
    // was really sent, not up to the frame limit.
    let mut body = Vec::with_capacity(len.min(64 * 1024));
    let got = reader.take(len as u64).read_to_end(&mut body)?;
    if got < len {
        return Err(FrameError::Truncated);
    }
    Ok(Some(body))
}

/// Reads and decodes one frame: `Ok(Some((value, bytes_read)))`, or
/// `Ok(None)` at a clean end of stream.
pub fn read_frame<R: Read, T: DeserializeOwned>(
    reader: &mut R,
) -> Result<Option<(T, usize)>, FrameError> {
    match read_body(reader)? {
        None => Ok(None),
        Some(body) => Ok(Some((decode(&body)?, 4 + body.len()))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn many_frames_round_trip_back_to_back() {
        let values: Vec<(u64, String, Vec<u8>)> = (0..50)
            .map(|i| (i * 1_000_003, "é".repeat(i as usize), vec![i as u8; i as usize]))
            .collect();
        let mut wire = Vec::new();
        for value in &values {
            write_frame(&mut wire, value).unwrap();
        }
        let mut reader = wire.as_slice();
        let mut back: Vec<(u64, String, Vec<u8>)> = Vec::new();
        while let Some((value, _)) = read_frame(&mut reader).unwrap() {
            back.push(value);
        }
        assert_eq!(back, values);
    }

    #[test]
    fn a_stream_cut_inside_a_frame_is_truncated_not_a_clean_end() {
        let mut wire = Vec::new();
        write_frame(&mut wire, &"hello").unwrap();
        for cut in 1..wire.len() {
            let err = read_body(&mut &wire[..cut]).unwrap_err();
            assert!(matches!(err, FrameError::Truncated), "cut at {cut}: {err}");
        }
        assert!(read_body(&mut &wire[..0]).unwrap().is_none());
    }

    #[test]
    fn a_huge_length_header_is_refused_before_allocating() {
        let wire = u32::MAX.to_le_bytes();
        let err = read_body(&mut wire.as_slice()).unwrap_err();
        assert!(matches!(err, FrameError::TooLarge(_)));
    }

    /// A reader that hands out one byte per call, like a slow pipe.
    struct Trickle<'a>(&'a [u8]);
    impl Read for Trickle<'_> {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            if self.0.is_empty() || buf.is_empty() {
                return Ok(0);
            }
            buf[0] = self.0[0];
            self.0 = &self.0[1..];
            Ok(1)
        }
    }

    #[test]
    fn frames_survive_arbitrarily_split_reads() {
        let mut wire = Vec::new();
        write_frame(&mut wire, &vec![7_u32; 300]).unwrap();
        write_frame(&mut wire, &-5_i64).unwrap();
        let mut reader = Trickle(&wire);
        let (first, _) = read_frame::<_, Vec<u32>>(&mut reader).unwrap().unwrap();
        let (second, _) = read_frame::<_, i64>(&mut reader).unwrap().unwrap();
        assert_eq!((first.len(), second), (300, -5));
        assert!(read_frame::<_, i64>(&mut reader).unwrap().is_none());
    }
}
