//! Turning an uploaded file into the shop's pictures (issue 25 item 4).
//!
//! A file is taken only when its *content* is JPEG, PNG or WebP (`image::guess_format` reads
//! the magic bytes; the name and the request's `Content-Type` are never asked). Its size is
//! read from the header first, so a "picture bomb" (a small file declaring 100,000 × 100,000
//! pixels) is refused before a pixel is decoded; decoding then runs under `image`'s
//! [`Limits`] as a second fence. The pixels are turned the way the camera's EXIF orientation
//! says and re-encoded: nothing of the original file but its pixels is kept (no EXIF, GPS,
//! ICC profile, comments, or anything appended after the image data). SVG is refused: it is
//! a document that can carry scripts (OWASP "Unrestricted File Upload").
//!
//! Output: the full picture (JPEG at quality 85 for an opaque picture, PNG for one with
//! transparency) and a smaller copy of at most [`THUMBNAIL_SIDE`] pixels a side for lists,
//! cards, the cart and orders. Both are named by the SHA-256 of the full picture's bytes
//! ([`Processed::key`]), so the same picture uploaded twice is stored once.

use std::io::Cursor;

use image::{DynamicImage, ImageDecoder, ImageFormat, ImageReader, Limits};
use sha2::{Digest, Sha256};

/// Longest side of the smaller copy, pixels.
pub const THUMBNAIL_SIDE: u32 = 400;
/// JPEG quality of the full picture (1-100).
pub const JPEG_QUALITY: u8 = 85;
/// JPEG quality of the smaller copy.
pub const THUMBNAIL_QUALITY: u8 = 80;
/// Most memory one decode may take, bytes (4096 × 4096 RGBA at 16 bits a channel is 128 MiB).
pub const DECODE_ALLOC_MAX: u64 = 256 * 1024 * 1024;

/// Why an upload is not a picture the shop takes. The `Display` text is the message the
/// operator sees.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PictureError {
    /// An SVG (or other XML) document.
    #[error("不接受 SVG 图片，请上传 JPEG、PNG 或 WebP")]
    Svg,
    /// Not JPEG, PNG or WebP by its content (whatever its name says).
    #[error("文件不是 JPEG、PNG 或 WebP 图片")]
    NotAPicture,
    /// The header declares more than the allowed side.
    #[error("图片过大：{width}×{height} 像素，每边最多 {max} 像素")]
    TooManyPixels { width: u32, height: u32, max: u32 },
    /// The data does not decode (truncated, corrupt).
    #[error("图片文件已损坏，无法读取")]
    Malformed,
    /// Empty file.
    #[error("文件是空的")]
    Empty,
}

/// The re-encoded picture and its smaller copy.
#[derive(Debug, Clone)]
pub struct Processed {
    /// Hex SHA-256 of [`Self::full`]: the picture's identity.
    pub hash: String,
    pub full: Vec<u8>,
    /// `jpg` or `png`.
    pub full_ext: &'static str,
    pub width: u32,
    pub height: u32,
    pub thumbnail: Vec<u8>,
    pub thumbnail_ext: &'static str,
}

impl Processed {
    /// The full picture's media key: `pictures/<first two hex digits>/<hash>.<ext>`.
    pub fn key(&self) -> String {
        format!(
            "pictures/{}/{}.{}",
            &self.hash[..2],
            self.hash,
            self.full_ext
        )
    }

    /// The smaller copy's media key: `pictures/<xx>/<hash>-400.<ext>`.
    pub fn thumbnail_key(&self) -> String {
        format!(
            "pictures/{}/{}-{THUMBNAIL_SIDE}.{}",
            &self.hash[..2],
            self.hash,
            self.thumbnail_ext
        )
    }
}

/// Checks and re-encodes `bytes` (CPU-bound: call it from `spawn_blocking`). `max_side` is
/// `PICTURE_MAX_SIDE_PX`; the byte limit is the caller's (it reads the body).
pub fn process(bytes: &[u8], max_side: u32) -> Result<Processed, PictureError> {
    if bytes.is_empty() {
        return Err(PictureError::Empty);
    }
    let format = match image::guess_format(bytes) {
        Ok(f @ (ImageFormat::Jpeg | ImageFormat::Png | ImageFormat::WebP)) => f,
        _ if looks_like_svg(bytes) => return Err(PictureError::Svg),
        _ => return Err(PictureError::NotAPicture),
    };
    // The JPEG decoder fills in what a cut-off file lacks: a JPEG must end its last scan
    // with the end-of-image marker (whatever follows it is dropped with the re-encoding).
    if format == ImageFormat::Jpeg && !has_end_of_image(bytes) {
        return Err(PictureError::Malformed);
    }
    let (width, height) = ImageReader::with_format(Cursor::new(bytes), format)
        .into_dimensions()
        .map_err(|_| PictureError::Malformed)?;
    if width > max_side || height > max_side {
        return Err(PictureError::TooManyPixels {
            width,
            height,
            max: max_side,
        });
    }
    if width == 0 || height == 0 {
        return Err(PictureError::Malformed);
    }
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    let mut limits = Limits::default();
    limits.max_image_width = Some(max_side);
    limits.max_image_height = Some(max_side);
    limits.max_alloc = Some(DECODE_ALLOC_MAX);
    reader.limits(limits);
    let mut decoder = reader.into_decoder().map_err(|_| PictureError::Malformed)?;
    // A camera's rotation lives in EXIF, which is dropped: apply it to the pixels first.
    let orientation = decoder.orientation().ok();
    let mut picture = DynamicImage::from_decoder(decoder).map_err(|_| PictureError::Malformed)?;
    if let Some(orientation) = orientation {
        picture.apply_orientation(orientation);
    }
    let opaque = !picture.color().has_alpha() || is_opaque(&picture);
    let (full, full_ext) = encode(&picture, opaque, JPEG_QUALITY)?;
    let small = if picture.width() > THUMBNAIL_SIDE || picture.height() > THUMBNAIL_SIDE {
        picture.resize(
            THUMBNAIL_SIDE,
            THUMBNAIL_SIDE,
            image::imageops::FilterType::Triangle,
        )
    } else {
        picture.clone()
    };
    let (thumbnail, thumbnail_ext) = encode(&small, opaque, THUMBNAIL_QUALITY)?;
    Ok(Processed {
        hash: hex::encode(Sha256::digest(&full)),
        full,
        full_ext,
        width: picture.width(),
        height: picture.height(),
        thumbnail,
        thumbnail_ext,
    })
}

/// JPEG for an opaque picture, PNG (8 bits a channel) for one with transparency.
fn encode(
    picture: &DynamicImage,
    opaque: bool,
    quality: u8,
) -> Result<(Vec<u8>, &'static str), PictureError> {
    let mut out = Cursor::new(Vec::new());
    if opaque {
        let rgb = DynamicImage::ImageRgb8(picture.to_rgb8());
        rgb.write_with_encoder(image::codecs::jpeg::JpegEncoder::new_with_quality(
            &mut out, quality,
        ))
        .map_err(|_| PictureError::Malformed)?;
        Ok((out.into_inner(), "jpg"))
    } else {
        let rgba = DynamicImage::ImageRgba8(picture.to_rgba8());
        rgba.write_with_encoder(image::codecs::png::PngEncoder::new(&mut out))
            .map_err(|_| PictureError::Malformed)?;
        Ok((out.into_inner(), "png"))
    }
}

/// True when every pixel of a picture with an alpha channel is fully opaque (a PNG saved
/// with an unused alpha channel becomes a JPEG).
fn is_opaque(picture: &DynamicImage) -> bool {
    picture.to_rgba8().pixels().all(|p| p.0[3] == u8::MAX)
}

/// True when an end-of-image marker (`FF D9`) follows the JPEG's last start-of-scan
/// (`FF DA`).
fn has_end_of_image(bytes: &[u8]) -> bool {
    let last_scan = bytes.windows(2).rposition(|w| w == [0xFF, 0xDA]);
    last_scan.is_some_and(|at| bytes[at..].windows(2).any(|w| w == [0xFF, 0xD9]))
}

/// An XML or SVG document: `<` first after white space and a byte-order mark.
fn looks_like_svg(bytes: &[u8]) -> bool {
    let text = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let start = text
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(0);
    let head = &text[start..text.len().min(start + 1024)];
    head.starts_with(b"<")
        && (head.windows(4).any(|w| w.eq_ignore_ascii_case(b"<svg")) || head.starts_with(b"<?xml"))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use image::{Rgb, RgbImage, Rgba, RgbaImage};

    fn png(width: u32, height: u32, alpha: u8) -> Vec<u8> {
        let img = RgbaImage::from_pixel(width, height, Rgba([200, 30, 30, alpha]));
        let mut out = Cursor::new(Vec::new());
        img.write_to(&mut out, ImageFormat::Png).unwrap();
        out.into_inner()
    }

    fn jpeg(width: u32, height: u32) -> Vec<u8> {
        let img = RgbImage::from_pixel(width, height, Rgb([10, 120, 200]));
        let mut out = Cursor::new(Vec::new());
        img.write_to(&mut out, ImageFormat::Jpeg).unwrap();
        out.into_inner()
    }

    #[test]
    fn an_opaque_png_becomes_a_jpeg_with_a_smaller_copy() {
        let p = process(&png(800, 600, 255), 4096).unwrap();
        assert_eq!((p.width, p.height, p.full_ext), (800, 600, "jpg"));
        let thumb = image::load_from_memory(&p.thumbnail).unwrap();
        assert_eq!((thumb.width(), thumb.height()), (400, 300));
        assert!(p.key().starts_with(&format!("pictures/{}/", &p.hash[..2])));
        assert!(p.thumbnail_key().ends_with("-400.jpg"));
    }

    #[test]
    fn transparency_stays_png_and_small_pictures_keep_their_size() {
        let p = process(&png(120, 80, 128), 4096).unwrap();
        assert_eq!((p.full_ext, p.thumbnail_ext), ("png", "png"));
        let thumb = image::load_from_memory(&p.thumbnail).unwrap();
        assert_eq!((thumb.width(), thumb.height()), (120, 80));
    }

    #[test]
    fn the_same_pixels_give_the_same_name() {
        let a = process(&jpeg(64, 64), 4096).unwrap();
        let b = process(&jpeg(64, 64), 4096).unwrap();
        assert_eq!(a.hash, b.hash);
    }

    #[test]
    fn anything_after_the_image_data_is_dropped() {
        let mut file = jpeg(32, 32);
        file.extend_from_slice(b"<script>alert(1)</script>");
        let p = process(&file, 4096).unwrap();
        assert!(!p.full.windows(8).any(|w| w == b"<script>"));
    }

    #[test]
    fn refusals_name_their_reason() {
        assert_eq!(process(b"", 4096).unwrap_err(), PictureError::Empty);
        assert_eq!(
            process(
                b"<?xml version=\"1.0\"?><svg xmlns=\"http://www.w3.org/2000/svg\"/>",
                4096
            )
            .unwrap_err(),
            PictureError::Svg
        );
        assert_eq!(
            process(b"GIF89a\x01\x00\x01\x00", 4096).unwrap_err(),
            PictureError::NotAPicture
        );
        assert_eq!(
            process(b"just text named photo.jpg", 4096).unwrap_err(),
            PictureError::NotAPicture
        );
        let mut cut = jpeg(64, 64);
        cut.truncate(cut.len() / 2);
        assert_eq!(process(&cut, 4096).unwrap_err(), PictureError::Malformed);
        assert!(matches!(
            process(&png(300, 20, 255), 256).unwrap_err(),
            PictureError::TooManyPixels { width: 300, .. }
        ));
    }
}
