//! The unit tests of `app/src/domain/uploads.rs`.

use app::domain::uploads::*;
use app::domain::{DomainError, DomainResult};
use image::ImageFormat;
use std::io::Cursor;

fn png(width: u32, height: u32) -> Vec<u8> {
    let img = image::RgbaImage::from_pixel(width, height, image::Rgba([200, 30, 90, 255]));
    let mut out = Cursor::new(Vec::new());
    img.write_to(&mut out, ImageFormat::Png).expect("encode png");
    out.into_inner()
}

fn upload(name: &str, bytes: Vec<u8>) -> Upload {
    Upload { filename: name.into(), bytes }
}

fn message(result: DomainResult<&'static str>) -> String {
    match result {
        Err(DomainError::Invalid(m)) => m.join(""),
        other => format!("{other:?}"),
    }
}

#[test]
fn accepts_a_real_png_as_what_it_is() {
    assert_eq!(verify_avatar(&upload("star.png", png(16, 16))).ok(), Some("image/png"));
}

#[test]
fn rejects_a_png_named_jpg_and_garbage_named_png() {
    assert_eq!(message(verify_avatar(&upload("star.jpg", png(16, 16)))), AVATAR_BAD_FORMAT);
    assert_eq!(message(verify_avatar(&upload("star.png", b"not an image".to_vec()))), AVATAR_BAD_FORMAT);
    assert_eq!(message(verify_avatar(&upload("star.svg", png(16, 16)))), AVATAR_BAD_FORMAT);
}

#[test]
fn rejects_a_truncated_png() {
    let mut bytes = png(64, 64);
    bytes.truncate(bytes.len() / 2);
    assert_eq!(message(verify_avatar(&upload("star.png", bytes))), AVATAR_BAD_FORMAT);
}

#[test]
fn rejects_more_than_200_kib() {
    let mut bytes = png(4, 4);
    bytes.resize(MAX_AVATAR_BYTES + 1, 0);
    assert_eq!(message(verify_avatar(&upload("big.png", bytes))), AVATAR_TOO_BIG);
}

#[test]
fn file_names_are_made_safe() {
    assert_eq!(safe_file_name("../../etc/passwd"), "passwd");
    assert_eq!(safe_file_name("my star <1>.png"), "my_star__1_.png");
    assert_eq!(safe_file_name(".hidden.png"), "hidden.png");
}
