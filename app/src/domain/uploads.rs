//! Achievement avatars: size and type checks that decode the image itself, and
//! storage under DATA_DIR with GitLab's public URL layout.

use super::{DomainError, DomainResult, Instance};
use image::{ImageFormat, ImageReader, Limits};
use std::io::Cursor;
use std::path::PathBuf;

/// GitLab's limit: 200 KiB.
pub const MAX_AVATAR_BYTES: usize = 204_800;
pub const AVATAR_TOO_BIG: &str = "Avatar is too big (should be at most 200 KB)";
pub const AVATAR_BAD_FORMAT: &str = "Avatar file format is not supported. Please try one of the following supported formats: png, jpg, jpeg, gif, bmp, tiff, ico, webp";
const AVATAR_URL_DIR: &str = "uploads/-/system/achievements/achievement/avatar";

/// An uploaded file as the surface received it.
#[derive(Clone, Debug)]
pub struct Upload {
    pub filename: String,
    pub bytes: Vec<u8>,
}

fn format_for_extension(ext: &str) -> Option<ImageFormat> {
    Some(match ext {
        "png" => ImageFormat::Png,
        "jpg" | "jpeg" => ImageFormat::Jpeg,
        "gif" => ImageFormat::Gif,
        "bmp" => ImageFormat::Bmp,
        "tiff" | "tif" => ImageFormat::Tiff,
        "ico" => ImageFormat::Ico,
        "webp" => ImageFormat::WebP,
        _ => return None,
    })
}

/// Accepts the upload only if it is small enough, named as a supported image, and
/// its bytes really decode as an image of that type.
pub fn verify_avatar(upload: &Upload) -> DomainResult<()> {
    if upload.bytes.len() > MAX_AVATAR_BYTES {
        return Err(DomainError::invalid(AVATAR_TOO_BIG));
    }
    let ext = upload.filename.rsplit_once('.').map(|(_, ext)| ext.to_ascii_lowercase()).unwrap_or_default();
    let bad_format = || DomainError::invalid(AVATAR_BAD_FORMAT);
    let claimed = format_for_extension(&ext).ok_or_else(bad_format)?;
    let actual = image::guess_format(&upload.bytes).map_err(|_| bad_format())?;
    if actual != claimed {
        return Err(bad_format());
    }
    let mut limits = Limits::default();
    limits.max_image_width = Some(8192);
    limits.max_image_height = Some(8192);
    limits.max_alloc = Some(128 * 1024 * 1024);
    let mut reader = ImageReader::with_format(Cursor::new(&upload.bytes), actual);
    reader.limits(limits);
    reader.decode().map_err(|_| bad_format())?;
    Ok(())
}

/// [`verify_avatar`] off the async runtime: decoding an image is CPU work, and
/// is done before any transaction starts, so no lock is held while it runs.
pub async fn verify_avatar_off_runtime(upload: &Upload) -> DomainResult<()> {
    let upload = upload.clone();
    tokio::task::spawn_blocking(move || verify_avatar(&upload))
        .await
        .map_err(|_| DomainError::invalid(AVATAR_BAD_FORMAT))?
}

/// A file name safe to put on disk and in a URL.
pub fn safe_file_name(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or("avatar");
    let cleaned: String =
        base.chars().map(|c| if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') { c } else { '_' }).collect();
    let cleaned = cleaned.trim_start_matches('.');
    if cleaned.is_empty() {
        "avatar".to_string()
    } else {
        cleaned.chars().take(100).collect()
    }
}

fn avatar_dir(instance: &Instance, achievement_id: i64) -> PathBuf {
    instance.data_dir.join(AVATAR_URL_DIR).join(achievement_id.to_string())
}

/// Writes a verified avatar and returns the stored file name.
pub async fn store_avatar(instance: &Instance, achievement_id: i64, upload: &Upload) -> DomainResult<String> {
    let dir = avatar_dir(instance, achievement_id);
    tokio::fs::create_dir_all(&dir).await?;
    let file = safe_file_name(&upload.filename);
    let tmp = dir.join(format!(".{file}.tmp"));
    tokio::fs::write(&tmp, &upload.bytes).await?;
    tokio::fs::rename(&tmp, dir.join(&file)).await?;
    Ok(file)
}

pub async fn remove_avatars(instance: &Instance, achievement_id: i64) {
    // Best effort: a leftover file is harmless, a failed delete must not fail the use case.
    let _ = tokio::fs::remove_dir_all(avatar_dir(instance, achievement_id)).await;
}

/// The avatar's public URL.
pub fn avatar_url(instance: &Instance, achievement_id: i64, file: &str) -> String {
    format!("{}/{AVATAR_URL_DIR}/{achievement_id}/{file}", instance.external_url)
}

/// The public URL of an achievement's uploaded image, if it has one.
pub fn achievement_avatar_url(instance: &Instance, achievement: &crate::store::AchievementRow) -> Option<String> {
    achievement.avatar.as_deref().map(|file| avatar_url(instance, achievement.id, file))
}

/// Where the server finds the file for a public URL path under `uploads/`.
pub fn uploads_root(instance: &Instance) -> PathBuf {
    instance.data_dir.join("uploads")
}
