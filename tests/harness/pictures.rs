//! Pictures made in the test, good and hostile: a JPEG that carries its GPS position in EXIF, a
//! PNG whose header claims more pixels than any server should decode, files cut short.

use std::io::Cursor;

use image::codecs::jpeg::JpegEncoder;
use image::codecs::png::PngEncoder;
use image::{DynamicImage, ImageDecoder, Rgb, RgbImage};

/// The position written into [`jpeg_with_gps`]: 52° 31′ 12.34″ N, 13° 24′ 56.78″ E.
pub const GPS_LATITUDE: [(u32, u32); 3] = [(52, 1), (31, 1), (1234, 100)];
pub const GPS_LONGITUDE: [(u32, u32); 3] = [(13, 1), (24, 1), (5678, 100)];

/// A photo-like JPEG (a colour gradient) of `width` × `height`.
pub fn jpeg(width: u32, height: u32) -> Vec<u8> {
    let picture = RgbImage::from_fn(width, height, |x, y| {
        Rgb([(x % 256) as u8, (y % 256) as u8, ((x + y) % 256) as u8])
    });
    let mut out = Vec::new();
    DynamicImage::ImageRgb8(picture)
        .write_with_encoder(JpegEncoder::new_with_quality(&mut out, 90))
        .expect("encode a JPEG");
    out
}

/// A PNG of `width` × `height`, all one colour.
pub fn png(width: u32, height: u32) -> Vec<u8> {
    let mut out = Vec::new();
    DynamicImage::new_luma8(width, height)
        .write_with_encoder(PngEncoder::new(&mut out))
        .expect("encode a PNG");
    out
}

/// [`jpeg`] with an EXIF block (APP1) right after its start, holding a GPS position, as a
/// phone's camera writes it.
pub fn jpeg_with_gps(width: u32, height: u32) -> Vec<u8> {
    let plain = jpeg(width, height);
    let tiff = gps_tiff();
    let mut segment = vec![0xFF, 0xE1];
    let length = u16::try_from(2 + 6 + tiff.len()).expect("small segment");
    segment.extend_from_slice(&length.to_be_bytes());
    segment.extend_from_slice(b"Exif\0\0");
    segment.extend_from_slice(&tiff);
    let mut out = plain[..2].to_vec();
    out.extend_from_slice(&segment);
    out.extend_from_slice(&plain[2..]);
    out
}

/// A big-endian TIFF structure: IFD0 pointing to a GPS IFD with latitude and longitude.
fn gps_tiff() -> Vec<u8> {
    const ASCII: u16 = 2;
    const LONG: u16 = 4;
    const RATIONAL: u16 = 5;
    let mut t = Vec::new();
    t.extend_from_slice(b"MM\0\x2a");
    t.extend_from_slice(&8u32.to_be_bytes());
    let entry = |t: &mut Vec<u8>, tag: u16, kind: u16, count: u32, value: [u8; 4]| {
        t.extend_from_slice(&tag.to_be_bytes());
        t.extend_from_slice(&kind.to_be_bytes());
        t.extend_from_slice(&count.to_be_bytes());
        t.extend_from_slice(&value);
    };
    // IFD0 at 8: one entry, the GPS IFD's offset (8 + 2 + 12 + 4 = 26).
    t.extend_from_slice(&1u16.to_be_bytes());
    entry(&mut t, 0x8825, LONG, 1, 26u32.to_be_bytes());
    t.extend_from_slice(&0u32.to_be_bytes());
    // The GPS IFD at 26: four entries; their rationals follow at 26 + 2 + 48 + 4 = 80.
    t.extend_from_slice(&4u16.to_be_bytes());
    entry(&mut t, 0x0001, ASCII, 2, *b"N\0\0\0");
    entry(&mut t, 0x0002, RATIONAL, 3, 80u32.to_be_bytes());
    entry(&mut t, 0x0003, ASCII, 2, *b"E\0\0\0");
    entry(&mut t, 0x0004, RATIONAL, 3, 104u32.to_be_bytes());
    t.extend_from_slice(&0u32.to_be_bytes());
    for (n, d) in GPS_LATITUDE.iter().chain(GPS_LONGITUDE.iter()) {
        t.extend_from_slice(&n.to_be_bytes());
        t.extend_from_slice(&d.to_be_bytes());
    }
    t
}

/// The EXIF block of a JPEG, as its decoder reads it.
pub fn jpeg_exif(bytes: &[u8]) -> Option<Vec<u8>> {
    let mut decoder =
        image::codecs::jpeg::JpegDecoder::new(Cursor::new(bytes)).expect("a readable JPEG");
    decoder.exif_metadata().expect("metadata read")
}

/// Whether `haystack` holds `needle` anywhere.
pub fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// The big-endian bytes of the latitude's rationals, as they sit in the EXIF block.
pub fn latitude_bytes() -> Vec<u8> {
    GPS_LATITUDE
        .iter()
        .flat_map(|(n, d)| n.to_be_bytes().into_iter().chain(d.to_be_bytes()))
        .collect()
}

/// A PNG whose header claims `width` × `height` pixels, followed by a few bytes of data: what
/// a decompression bomb looks like before its data is inflated.
pub fn png_claiming(width: u32, height: u32) -> Vec<u8> {
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut header = Vec::new();
    header.extend_from_slice(&width.to_be_bytes());
    header.extend_from_slice(&height.to_be_bytes());
    header.extend_from_slice(&[8, 6, 0, 0, 0]);
    chunk(&mut out, b"IHDR", &header);
    // zlib: a stored block of a few zero bytes; far fewer than the header promises.
    chunk(
        &mut out,
        b"IDAT",
        &[0x78, 0x01, 0x01, 0x04, 0x00, 0xFB, 0xFF, 0, 0, 0, 0],
    );
    chunk(&mut out, b"IEND", &[]);
    out
}

fn chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
    out.extend_from_slice(
        &u32::try_from(data.len())
            .expect("small chunk")
            .to_be_bytes(),
    );
    let mut covered = kind.to_vec();
    covered.extend_from_slice(data);
    out.extend_from_slice(&covered);
    out.extend_from_slice(&crc32(&covered).to_be_bytes());
}

/// CRC-32 (IEEE), as PNG chunks carry it.
fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for &byte in bytes {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

/// A photo-like JPEG: a gradient with noise of up to `noise` levels, as a camera's sensor
/// leaves, which keeps the file as large as a real photo's.
pub fn noisy_jpeg(width: u32, height: u32, noise: u32) -> Vec<u8> {
    let mut state = 0x2545_f491_u32;
    let picture = RgbImage::from_fn(width, height, |x, y| {
        let mut channel = |base: u32| {
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            (base % 200 + state % noise.max(1)).min(255) as u8
        };
        Rgb([channel(x / 16), channel(y / 12), channel((x + y) / 24)])
    });
    let mut out = Vec::new();
    DynamicImage::ImageRgb8(picture)
        .write_with_encoder(JpegEncoder::new_with_quality(&mut out, 92))
        .expect("encode a JPEG");
    out
}
