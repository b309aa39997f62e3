//! Uploaded files, judged by their content, never by the name or type the client gave: a
//! partner's logo must be a PNG, JPEG or WebP image whose header decodes to a size within limits
//! (so an SVG, which can hold script, or an HTML file named `logo.png` is refused); a partner kit
//! file may be anything, served as what its first bytes say it is.

use imagesize::ImageType;

/// The largest logo: 1 MiB.
pub const MAX_IMAGE_BYTES: usize = 1024 * 1024;
pub const MAX_SIDE: usize = 4096;
/// The largest partner kit file: 10 MiB.
pub const MAX_KIT_BYTES: usize = 10 * 1024 * 1024;

/// An image that passed the checks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckedImage {
    pub content_type: &'static str,
    pub width: u32,
    pub height: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ImageRefused {
    #[error("the file is empty")]
    Empty,
    #[error("only PNG, JPEG and WebP images are accepted")]
    Format,
    #[error("the image header cannot be read")]
    Corrupt,
    #[error("the image must be 1 to {MAX_SIDE} pixels on each side, not {0}×{1}")]
    Dimensions(usize, usize),
}

pub fn check_image(bytes: &[u8]) -> Result<CheckedImage, ImageRefused> {
    if bytes.is_empty() {
        return Err(ImageRefused::Empty);
    }
    let content_type = match imagesize::image_type(bytes) {
        Ok(ImageType::Png) => "image/png",
        Ok(ImageType::Jpeg) => "image/jpeg",
        Ok(ImageType::Webp) => "image/webp",
        _ => return Err(ImageRefused::Format),
    };
    let size = imagesize::blob_size(bytes).map_err(|_| ImageRefused::Corrupt)?;
    let fits = |side: usize| (1..=MAX_SIDE).contains(&side);
    if !fits(size.width) || !fits(size.height) {
        return Err(ImageRefused::Dimensions(size.width, size.height));
    }
    Ok(CheckedImage {
        content_type,
        width: u32::try_from(size.width).unwrap_or(0),
        height: u32::try_from(size.height).unwrap_or(0),
    })
}

/// What a kit file is, by its first bytes.
pub fn content_type_of(bytes: &[u8]) -> &'static str {
    const KINDS: [(&[u8], &str); 5] = [
        (b"%PDF-", "application/pdf"),
        (b"\x89PNG\r\n\x1a\n", "image/png"),
        (b"\xff\xd8\xff", "image/jpeg"),
        (b"PK\x03\x04", "application/zip"),
        (b"GIF8", "image/gif"),
    ];
    KINDS
        .iter()
        .find(|(magic, _)| bytes.starts_with(magic))
        .map_or("application/octet-stream", |(_, kind)| kind)
}

/// A file name safe to put in a Content-Disposition header: the client's last path segment,
/// letters, digits, `.`, `-`, `_` and spaces only, at most 100 characters; `file` if nothing
/// is left.
pub fn safe_file_name(name: Option<&str>) -> String {
    let cleaned: String = name
        .unwrap_or("file")
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or("file")
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | ' '))
        .take(100)
        .collect();
    let cleaned = cleaned.trim().trim_start_matches('.').to_owned();
    if cleaned.is_empty() {
        "file".to_owned()
    } else {
        cleaned
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A valid 1×1 PNG.
    const PNG: &[u8] = &[
        0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44,
        0x52, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1F,
        0x15, 0xC4, 0x89, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9C, 0x63, 0xF8,
        0xCF, 0xC0, 0xF0, 0x1F, 0x00, 0x05, 0x00, 0x01, 0xFF, 0x89, 0x99, 0x3D, 0x1D, 0x00, 0x00,
        0x00, 0x00, 0x49, 0x45, 0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82,
    ];

    #[test]
    fn pngs_pass_and_other_content_does_not() {
        let checked = check_image(PNG).unwrap();
        assert_eq!(
            (checked.content_type, checked.width, checked.height),
            ("image/png", 1, 1)
        );
        assert_eq!(check_image(b""), Err(ImageRefused::Empty));
        assert_eq!(
            check_image(
                b"<svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(1)</script></svg>"
            ),
            Err(ImageRefused::Format)
        );
        assert_eq!(
            check_image(b"GIF89a\x01\x00\x01\x00"),
            Err(ImageRefused::Format)
        );
        assert!(check_image(&PNG[..12]).is_err(), "a truncated header");
    }

    #[test]
    fn oversized_images_are_refused() {
        let mut huge = PNG.to_vec();
        huge[16..20].copy_from_slice(&5000u32.to_be_bytes());
        assert_eq!(check_image(&huge), Err(ImageRefused::Dimensions(5000, 1)));
        let mut empty = PNG.to_vec();
        empty[20..24].copy_from_slice(&0u32.to_be_bytes());
        assert!(matches!(
            check_image(&empty),
            Err(ImageRefused::Dimensions(1, 0))
        ));
    }

    #[test]
    fn kit_files_are_typed_by_content_and_named_safely() {
        assert_eq!(content_type_of(b"%PDF-1.7"), "application/pdf");
        assert_eq!(content_type_of(b"<html>"), "application/octet-stream");
        assert_eq!(
            safe_file_name(Some("../../etc/pass\"wd\r\n.pdf")),
            "passwd.pdf"
        );
        assert_eq!(safe_file_name(Some("C:\\tmp\\.hidden")), "hidden");
        assert_eq!(safe_file_name(Some("\u{0}")), "file");
        assert_eq!(safe_file_name(None), "file");
    }
}
