//! Baked badges (Open Badges 3.0, "Baking"): an award's image with its signed
//! credential inside, so the picture itself can be verified wherever it goes.
//! - PNG: one `iTXt` chunk with the keyword `openbadgecredential`, not
//!   compressed, whose text is the compact JWT, placed before `IEND`.
//! - SVG: `xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0"` on the root,
//!   and right after it `<openbadges:credential verify="<JWT>"/>`.
//!
//! Reading them back ([`credential_in`]) is what the verification page does
//! with an uploaded image.

use super::text::escape_html as escape;
use base64::Engine;
use std::io::Cursor;

pub const PNG_KEYWORD: &str = "openbadgecredential";
pub const SVG_NAMESPACE: &str = "https://purl.imsglobal.org/ob/v3p0";
const PNG_SIGNATURE: &[u8; 8] = b"\x89PNG\r\n\x1a\n";
/// The side of the picture baked when the achievement has none, and of the
/// SVG's frame.
const SIDE: u32 = 256;

/// Why an image could not be baked.
#[derive(Debug, thiserror::Error)]
pub enum BakeError {
    #[error("the achievement's image could not be read as an image")]
    Unreadable,
}

/// More chunks than any image has (an encoder's IDAT chunks hold 8 KiB or
/// more, so 4 MiB of image data needs about 500): a file of tiny empty chunks
/// would otherwise make a list as long as the file.
const MAX_CHUNKS: usize = 4_096;

/// The chunks of a PNG: type and data, in order; `None` when it is not one
/// (or has more than [`MAX_CHUNKS`] before its end).
fn chunks(png: &[u8]) -> Option<Vec<([u8; 4], &[u8])>> {
    let mut rest = png.strip_prefix(PNG_SIGNATURE)?;
    let mut out = Vec::new();
    while rest.len() >= 12 && out.len() < MAX_CHUNKS {
        let length = u32::from_be_bytes(rest[..4].try_into().ok()?) as usize;
        let kind: [u8; 4] = rest[4..8].try_into().ok()?;
        let data = rest.get(8..8usize.checked_add(length)?)?;
        rest = rest.get(12 + length..)?;
        out.push((kind, data));
        if &kind == b"IEND" {
            return Some(out);
        }
    }
    None
}

fn chunk(kind: &[u8; 4], data: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(data.len() + 12);
    out.extend_from_slice(&(data.len() as u32).to_be_bytes());
    out.extend_from_slice(kind);
    out.extend_from_slice(data);
    let mut crc = crc32fast::Hasher::new();
    crc.update(kind);
    crc.update(data);
    out.extend_from_slice(&crc.finalize().to_be_bytes());
    out
}

/// The `iTXt` data carrying `jwt`: keyword, no compression, no language.
fn credential_text(jwt: &str) -> Vec<u8> {
    let mut data = Vec::with_capacity(PNG_KEYWORD.len() + jwt.len() + 5);
    data.extend_from_slice(PNG_KEYWORD.as_bytes());
    // Separator, compression flag 0, method 0, empty language, empty translation.
    data.extend_from_slice(&[0, 0, 0, 0, 0]);
    data.extend_from_slice(jwt.as_bytes());
    data
}

/// The keyword and text of an `iTXt` chunk (uncompressed ones only).
fn itxt(data: &[u8]) -> Option<(&[u8], &[u8])> {
    let end = data.iter().position(|b| *b == 0)?;
    let (keyword, rest) = (&data[..end], data.get(end + 1..)?);
    let (&[0, _], rest) = (rest.get(..2)?, rest.get(2..)?) else { return None };
    let language = rest.iter().position(|b| *b == 0)?;
    let rest = rest.get(language + 1..)?;
    let translated = rest.iter().position(|b| *b == 0)?;
    Some((keyword, rest.get(translated + 1..)?))
}

/// The image as a PNG: as it is when it is one, else decoded (within an
/// avatar's limits) and encoded again; a plain medallion when there is none,
/// or when it does not decode within them (kept before they were set).
fn as_png(image: Option<&[u8]>) -> Result<Vec<u8>, BakeError> {
    let Some(bytes) = image else { return Ok(medallion()) };
    if bytes.starts_with(PNG_SIGNATURE) && chunks(bytes).is_some() {
        return Ok(bytes.to_vec());
    }
    let decoded = match super::uploads::decode(bytes, None) {
        Ok(decoded) => decoded,
        Err(image::ImageError::Limits(_)) => return Ok(medallion()),
        Err(_) => return Err(BakeError::Unreadable),
    };
    let mut out = Vec::new();
    decoded.write_to(&mut Cursor::new(&mut out), image::ImageFormat::Png).map_err(|_| BakeError::Unreadable)?;
    Ok(out)
}

/// A laurel-green disc with a lighter ring: the picture of an achievement
/// that has none.
fn medallion() -> Vec<u8> {
    let centre = (SIDE as f32 - 1.0) / 2.0;
    let picture = image::RgbaImage::from_fn(SIDE, SIDE, |x, y| {
        let d = ((x as f32 - centre).powi(2) + (y as f32 - centre).powi(2)).sqrt();
        match d {
            d if d <= 96.0 => image::Rgba([0x2f, 0x6b, 0x3f, 0xff]),
            d if d <= 112.0 => image::Rgba([0x9c, 0xc5, 0x8a, 0xff]),
            d if d <= 120.0 => image::Rgba([0x2f, 0x6b, 0x3f, 0xff]),
            _ => image::Rgba([0, 0, 0, 0]),
        }
    });
    let mut out = Vec::new();
    // Encoding a picture made here into memory cannot fail.
    let _ = image::DynamicImage::ImageRgba8(picture).write_to(&mut Cursor::new(&mut out), image::ImageFormat::Png);
    out
}

/// The achievement's image (`None`: it has none) as a PNG carrying `jwt`.
/// A credential chunk already in the image is replaced, never doubled.
pub fn bake_png(image: Option<&[u8]>, jwt: &str) -> Result<Vec<u8>, BakeError> {
    let png = as_png(image)?;
    let parts = chunks(&png).ok_or(BakeError::Unreadable)?;
    let mut out = PNG_SIGNATURE.to_vec();
    for (kind, data) in parts {
        let ours = &kind == b"iTXt" && itxt(data).is_some_and(|(keyword, _)| keyword == PNG_KEYWORD.as_bytes());
        if ours {
            continue;
        }
        if &kind == b"IEND" {
            out.extend(chunk(b"iTXt", &credential_text(jwt)));
        }
        out.extend(chunk(&kind, data));
    }
    Ok(out)
}

/// An SVG badge carrying `jwt`: the achievement's image inside it (as a
/// data URL, so the file stands alone), or the medallion, and its name.
pub fn bake_svg(image: Option<(&str, &[u8])>, name: &str, jwt: &str) -> String {
    let picture = match image {
        Some((content_type, bytes)) => format!(
            r#"<image href="data:{};base64,{}" x="8" y="8" width="240" height="240" preserveAspectRatio="xMidYMid meet"/>"#,
            escape(content_type),
            base64::engine::general_purpose::STANDARD.encode(bytes)
        ),
        None => concat!(
            r##"<circle cx="128" cy="128" r="116" fill="#2f6b3f"/>"##,
            r##"<circle cx="128" cy="128" r="104" fill="none" stroke="#9cc58a" stroke-width="16"/>"##
        )
        .to_string(),
    };
    let name = escape(name);
    format!(
        concat!(
            r#"<svg xmlns="http://www.w3.org/2000/svg" xmlns:openbadges="{ns}" width="{side}" height="{side}" viewBox="0 0 {side} {side}" role="img" aria-label="{name}">"#,
            r#"<openbadges:credential verify="{jwt}"/>"#,
            "<title>{name}</title>{picture}</svg>\n"
        ),
        ns = SVG_NAMESPACE,
        side = SIDE,
        name = name,
        jwt = escape(jwt),
        picture = picture,
    )
}

/// The credential baked into `file` (a PNG or an SVG), if there is one.
pub fn credential_in(file: &[u8]) -> Option<String> {
    if file.starts_with(PNG_SIGNATURE) {
        let found = chunks(file)?.into_iter().find_map(|(kind, data)| {
            let (keyword, text) = itxt(data).filter(|_| &kind == b"iTXt")?;
            (keyword == PNG_KEYWORD.as_bytes()).then_some(text)
        })?;
        return std::str::from_utf8(found).ok().map(|text| text.trim().to_string());
    }
    let text = std::str::from_utf8(file).ok()?;
    let tag = text.find("<openbadges:credential")?;
    let rest = &text[tag..];
    let end = rest.find('>')?;
    let attributes = &rest[..end];
    let start = attributes.find("verify=")? + "verify=".len();
    let quote = attributes[start..].chars().next().filter(|q| *q == '"' || *q == '\'')?;
    let value = &attributes[start + 1..];
    let value = &value[..value.find(quote)?];
    Some(value.replace("&quot;", "\"").replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&"))
}
