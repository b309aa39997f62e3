//! Reading multipart/form-data uploads: one part named `file` and any short text parts, with a
//! size limit enforced while reading.

use std::collections::HashMap;

use actix_multipart::{Multipart, MultipartError};
use futures_util::StreamExt;

use crate::error::{ApiError, ErrorCode};

/// What a form carried.
#[derive(Debug, Default)]
pub struct Form {
    pub file: Vec<u8>,
    /// The file name the client gave, if any.
    pub file_name: Option<String>,
    /// Text parts by name (at most 1 000 characters each).
    pub texts: HashMap<String, String>,
}

const TEXT_MAX: usize = 1000;

/// Reads the form, refusing a file larger than `max_bytes` (413) and a form without `file`.
pub async fn read_form(mut form: Multipart, max_bytes: usize) -> Result<Form, ApiError> {
    let unreadable = |e: MultipartError| match e {
        MultipartError::ContentTypeMissing
        | MultipartError::ContentTypeParse
        | MultipartError::ContentTypeIncompatible => ApiError::rule(
            ErrorCode::UnsupportedMediaType,
            "Send the file as multipart/form-data, in a part named `file`.",
        ),
        other => ApiError::rule(
            ErrorCode::InvalidUpload,
            format!("The multipart body cannot be read: {other}."),
        ),
    };
    let mut read = Form::default();
    let mut has_file = false;
    while let Some(field) = form.next().await {
        let mut field = field.map_err(unreadable)?;
        let name = field.name().unwrap_or_default().to_owned();
        let is_file = name == "file";
        if is_file {
            has_file = true;
            read.file_name = field
                .content_disposition()
                .and_then(|d| d.get_filename())
                .map(str::to_owned);
        }
        let limit = if is_file { max_bytes } else { TEXT_MAX * 4 };
        let mut bytes = Vec::new();
        while let Some(chunk) = field.next().await {
            let chunk = chunk.map_err(unreadable)?;
            if bytes.len() + chunk.len() > limit {
                return Err(ApiError::PayloadTooLarge { limit });
            }
            bytes.extend_from_slice(&chunk);
        }
        if is_file {
            read.file = bytes;
        } else {
            let text = String::from_utf8(bytes).map_err(|_| {
                ApiError::rule(
                    ErrorCode::InvalidUpload,
                    format!("`{name}` is not UTF-8 text."),
                )
            })?;
            if let Some(refused) = crate::nul::in_form_text(&name, &text) {
                return Err(refused);
            }
            read.texts.insert(name, text);
        }
    }
    if has_file {
        Ok(read)
    } else {
        Err(ApiError::rule(
            ErrorCode::InvalidUpload,
            "The form has no part named `file`.",
        ))
    }
}
