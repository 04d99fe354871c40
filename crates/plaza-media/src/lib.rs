//! Plaza's picture processing, a crate of its own so that it is optimised in development builds
//! too: the decoders' and encoders' generic code is compiled where it is used, here.
//!
//! Turning an uploaded file into pictures safe to serve: the type told by the first bytes, the
//! size checked from the header before any pixel is decoded, the pixels decoded within limits,
//! then written anew (which leaves every metadata block behind: EXIF with its GPS position,
//! XMP, comments) with a thumbnail. CPU-bound: callers run it on the blocking pool.

use std::io::Cursor;

use image::codecs::jpeg::JpegEncoder;
use image::codecs::png::PngEncoder;
use image::metadata::Orientation;
use image::{DynamicImage, ImageDecoder, ImageError, ImageFormat, ImageReader, Limits};

/// Why a file is not taken.
#[derive(Debug, thiserror::Error)]
pub enum PictureError {
    /// Not a JPEG, PNG, WebP or GIF picture (told by its first bytes).
    #[error("the file is not a JPEG, PNG, WebP or GIF picture")]
    NotAPicture,
    /// A picture in a variant the decoders do not read.
    #[error("the picture is in a variant this server does not read: {0}")]
    Unsupported(String),
    /// More pixels, or longer sides, than allowed.
    #[error("{0}")]
    TooLarge(String),
    /// Damaged or cut short.
    #[error("is not a readable picture (damaged or cut short): {0}")]
    Unreadable(String),
    /// Writing it anew failed.
    #[error("cannot write a picture: {0}")]
    Encoding(String),
}

/// Result alias.
pub type PictureResult<T> = Result<T, PictureError>;

/// No side may be longer, whatever the pixel limit: no camera makes such pictures, and a long
/// thin one is no less costly to scale.
pub const MAX_SIDE: u32 = 16_384;
/// The longest side of a thumbnail.
pub const THUMBNAIL_SIDE: u32 = 640;
const JPEG_QUALITY: u8 = 85;
/// Room the decoders may take beyond the pixels themselves (tables, a row buffer).
const ALLOC_MARGIN: u64 = 16 * 1024 * 1024;

/// The picture formats taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Jpeg,
    Png,
    Webp,
    Gif,
}

impl Format {
    fn image_format(self) -> ImageFormat {
        match self {
            Format::Jpeg => ImageFormat::Jpeg,
            Format::Png => ImageFormat::Png,
            Format::Webp => ImageFormat::WebP,
            Format::Gif => ImageFormat::Gif,
        }
    }
}

/// The format of `bytes`, told by their first bytes and never by a file name or a claimed type.
pub fn sniff(bytes: &[u8]) -> Option<Format> {
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some(Format::Jpeg)
    } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some(Format::Png)
    } else if bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a") {
        Some(Format::Gif)
    } else if bytes.len() >= 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        Some(Format::Webp)
    } else {
        None
    }
}

/// Whether a JPEG's last scan is followed by its end marker. Inside a scan a 0xFF byte is
/// always followed by 0x00 or a restart marker, so the markers are found by their bytes.
fn jpeg_complete(bytes: &[u8]) -> bool {
    let Some(last_scan) = bytes.windows(2).rposition(|w| w == [0xFF, 0xDA]) else {
        return false;
    };
    bytes[last_scan..].windows(2).any(|w| w == [0xFF, 0xD9])
}

/// What is stored of an upload.
#[derive(Debug, Clone)]
pub struct Processed {
    /// `image/jpeg` or `image/png`.
    pub media_type: &'static str,
    /// `jpg` or `png`.
    pub extension: &'static str,
    pub width: u32,
    pub height: u32,
    /// The picture, written anew.
    pub full: Vec<u8>,
    /// At most [`THUMBNAIL_SIDE`] on its longest side.
    pub thumbnail: Vec<u8>,
}

/// Decodes, checks and writes anew an uploaded picture of at most `max_pixels` pixels. Photos
/// (JPEG, and WebP without transparency) become JPEG; anything with transparency, and PNG and
/// GIF (its first frame), becomes PNG.
pub fn process(bytes: &[u8], max_pixels: u64) -> PictureResult<Processed> {
    let format = sniff(bytes).ok_or(PictureError::NotAPicture)?;
    // The JPEG decoder fills a picture cut short with grey instead of failing.
    if format == Format::Jpeg && !jpeg_complete(bytes) {
        return Err(PictureError::Unreadable("the JPEG has no end".to_owned()));
    }
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format.image_format());
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.max_alloc = Some(max_pixels.saturating_mul(8).saturating_add(ALLOC_MARGIN));
    reader.limits(limits);
    // The header alone: dimensions are known before a single pixel is allocated.
    let mut decoder = reader.into_decoder().map_err(unreadable)?;
    let (width, height) = decoder.dimensions();
    if u64::from(width) * u64::from(height) > max_pixels {
        return Err(too_many_pixels(width, height, max_pixels));
    }
    // EXIF's orientation goes with the rest of the metadata, so it is applied to the pixels.
    let orientation = decoder.orientation().unwrap_or(Orientation::NoTransforms);
    let mut picture = DynamicImage::from_decoder(decoder).map_err(unreadable)?;
    picture.apply_orientation(orientation);
    let photo = matches!(format, Format::Jpeg | Format::Webp) && !picture.color().has_alpha();
    let thumbnail = if picture.width() > THUMBNAIL_SIDE || picture.height() > THUMBNAIL_SIDE {
        picture.thumbnail(THUMBNAIL_SIDE, THUMBNAIL_SIDE)
    } else {
        picture.clone()
    };
    let (media_type, extension) = if photo {
        ("image/jpeg", "jpg")
    } else {
        ("image/png", "png")
    };
    let encode = if photo { encode_jpeg } else { encode_png };
    Ok(Processed {
        media_type,
        extension,
        width: picture.width(),
        height: picture.height(),
        full: encode(&picture)?,
        thumbnail: encode(&thumbnail)?,
    })
}

fn encode_jpeg(picture: &DynamicImage) -> PictureResult<Vec<u8>> {
    let mut out = Vec::new();
    DynamicImage::ImageRgb8(picture.to_rgb8())
        .write_with_encoder(JpegEncoder::new_with_quality(&mut out, JPEG_QUALITY))
        .map_err(|e| PictureError::Encoding(e.to_string()))?;
    Ok(out)
}

fn encode_png(picture: &DynamicImage) -> PictureResult<Vec<u8>> {
    let mut out = Vec::new();
    let eight_bit = if picture.color().has_alpha() {
        DynamicImage::ImageRgba8(picture.to_rgba8())
    } else {
        DynamicImage::ImageRgb8(picture.to_rgb8())
    };
    eight_bit
        .write_with_encoder(PngEncoder::new(&mut out))
        .map_err(|e| PictureError::Encoding(e.to_string()))?;
    Ok(out)
}

fn too_many_pixels(width: u32, height: u32, max_pixels: u64) -> PictureError {
    PictureError::TooLarge(format!(
        "is a picture of {width} × {height} pixels; at most {max_pixels} pixels are taken"
    ))
}

fn unreadable(error: ImageError) -> PictureError {
    match error {
        ImageError::Limits(_) => PictureError::TooLarge(format!(
            "is a picture too large to take: at most {MAX_SIDE} pixels a side"
        )),
        ImageError::Unsupported(e) => PictureError::Unsupported(e.to_string()),
        other => PictureError::Unreadable(other.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_are_told_by_their_first_bytes() {
        assert_eq!(sniff(b"\xFF\xD8\xFF\xE0rest"), Some(Format::Jpeg));
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\nrest"), Some(Format::Png));
        assert_eq!(sniff(b"GIF87a..."), Some(Format::Gif));
        assert_eq!(sniff(b"RIFF\0\0\0\0WEBPVP8 "), Some(Format::Webp));
        for other in [
            &b"<?php system($_GET['c']); ?>"[..],
            b"<svg xmlns='http://www.w3.org/2000/svg'/>",
            b"<!DOCTYPE html>",
            b"",
            b"RIFF",
        ] {
            assert_eq!(sniff(other), None);
        }
    }

    fn png(width: u32, height: u32) -> Vec<u8> {
        let mut out = Vec::new();
        DynamicImage::new_rgba8(width, height)
            .write_with_encoder(PngEncoder::new(&mut out))
            .map_err(|e| e.to_string())
            .unwrap_or_default();
        out
    }

    #[test]
    fn a_picture_gets_a_thumbnail_no_larger_than_the_limit() -> PictureResult<()> {
        let done = process(&png(1_280, 320), 10_000_000)?;
        assert_eq!((done.width, done.height), (1_280, 320));
        assert_eq!(done.media_type, "image/png");
        let thumb = image::load_from_memory(&done.thumbnail).map_err(unreadable)?;
        assert_eq!((thumb.width(), thumb.height()), (THUMBNAIL_SIDE, 160));
        Ok(())
    }

    #[test]
    fn more_pixels_than_allowed_are_refused() {
        let refused = process(&png(2_000, 1_000), 1_000_000);
        assert!(matches!(refused, Err(PictureError::TooLarge(_))));
    }

    #[test]
    fn a_jpeg_cut_short_is_refused() {
        let mut whole = Vec::new();
        DynamicImage::new_rgb8(200, 100)
            .write_with_encoder(JpegEncoder::new_with_quality(&mut whole, 90))
            .expect("encode");
        assert!(process(&whole, 1_000_000).is_ok());
        let refused = process(&whole[..whole.len() - 40], 1_000_000);
        assert!(matches!(refused, Err(PictureError::Unreadable(_))));
    }

    #[test]
    fn a_file_cut_short_is_refused() {
        let whole = png(300, 300);
        let refused = process(&whole[..whole.len() / 2], 1_000_000);
        assert!(matches!(refused, Err(PictureError::Unreadable(_))));
    }
}
