//! Files streamed to the client as they are written: a blocking thread produces the bytes (a
//! CSV, a workbook's zip) while the response sends them, so an export of any size holds a few
//! chunks in memory, never the file.

use std::io::{ErrorKind, Write};

use actix_web::HttpResponse;
use actix_web::http::header;
use actix_web::web::Bytes;
use tokio::sync::mpsc;

use crate::error::ApiError;

/// Chunks in flight between the producing thread and the client.
const CHUNKS_IN_FLIGHT: usize = 4;

type Chunk = Result<Bytes, std::io::Error>;

/// Bytes sent to the client at a time.
const CHUNK: usize = 64 * 1024;

/// A response body fed by `produce`, which runs on a blocking thread and writes to it.
pub fn streamed(
    content_type: &'static str,
    filename: String,
    produce: impl FnOnce(&mut BodyWriter<'_>) -> Result<(), ApiError> + Send + 'static,
) -> HttpResponse {
    let (sender, receiver) = mpsc::channel::<Chunk>(CHUNKS_IN_FLIGHT);
    actix_web::rt::task::spawn_blocking(move || {
        let mut body = BodyWriter {
            sender: &sender,
            buffer: Vec::with_capacity(CHUNK),
        };
        if let Err(error) = produce(&mut body).and_then(|()| body.finish()) {
            tracing::error!(cause = %error, "export failed part-way");
            // The status is sent already: breaking the stream tells the client it is incomplete.
            let _ = sender.blocking_send(Err(std::io::Error::other(error.to_string())));
        }
    });
    let body = futures_util::stream::unfold(receiver, |mut receiver| async move {
        receiver.recv().await.map(|chunk| (chunk, receiver))
    });
    HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, content_type))
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{filename}\""),
        ))
        .streaming(body)
}

/// A streamed response body as an `io::Write`: what is written goes to the client in chunks
/// of [`CHUNK`] bytes as they fill, so a writer (CSV, the workbook's zip) streams straight out.
pub struct BodyWriter<'a> {
    sender: &'a mpsc::Sender<Chunk>,
    buffer: Vec<u8>,
}

impl BodyWriter<'_> {
    fn send(&mut self) -> std::io::Result<()> {
        let chunk = std::mem::replace(&mut self.buffer, Vec::with_capacity(CHUNK));
        self.sender
            .blocking_send(Ok(Bytes::from(chunk)))
            .map_err(|_| std::io::Error::new(ErrorKind::BrokenPipe, "the client went away"))
    }

    /// Sends what is left.
    fn finish(&mut self) -> Result<(), ApiError> {
        if self.buffer.is_empty() {
            return Ok(());
        }
        self.send().map_err(ApiError::internal)
    }
}

impl Write for BodyWriter<'_> {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.buffer.extend_from_slice(bytes);
        if self.buffer.len() >= CHUNK {
            self.send()?;
        }
        Ok(bytes.len())
    }

    /// Chunks go out when full, and the rest when the export ends.
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// A CSV text cell, safe to open in a spreadsheet: one that would start a formula is quoted
/// with a leading apostrophe (OWASP "CSV injection").
pub fn csv_text(text: String) -> String {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text
    }
}
