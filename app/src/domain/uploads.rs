//! Achievement avatars: size and type checks that decode the image itself, and
//! storage in the database (so server processes share no disk), served at
//! GitLab's public URL layout.

use super::{AppState, DomainError, DomainResult, Instance};
use crate::store::Tx;
use image::{ImageFormat, ImageReader, Limits};
use sha2::{Digest, Sha256};
use std::io::Cursor;

/// GitLab's limit: 200 KiB.
pub const MAX_AVATAR_BYTES: usize = 204_800;
pub const AVATAR_TOO_BIG: &str = "Avatar is too big (should be at most 200 KB)";
pub const AVATAR_BAD_FORMAT: &str = "Avatar file format is not supported. Please try one of the following supported formats: png, jpg, jpeg, gif, bmp, tiff, ico, webp";
/// Where avatars are served (`/<this>/<achievement id>/<file name>`), and where
/// versions before the database kept them under DATA_DIR.
pub const AVATAR_URL_DIR: &str = "uploads/-/system/achievements/achievement/avatar";

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
/// its bytes really decode as an image of that type. Its media type.
pub fn verify_avatar(upload: &Upload) -> DomainResult<&'static str> {
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
    match decode(&upload.bytes, Some(actual)) {
        Ok(_) => Ok(actual.to_mime_type()),
        Err(image::ImageError::Limits(_)) => Err(DomainError::invalid(AVATAR_TOO_LARGE)),
        Err(_) => Err(bad_format()),
    }
}

/// The most pixels an avatar may have on a side: far more than any page
/// shows (256 at most), and few enough that decoding one takes at most
/// 32 MiB (16-bit RGBA). A file of a few KiB can claim far more (a lossless WebP of
/// 8,000 × 4,000 pixels in 1.3 KiB decodes into 122 MiB).
pub const MAX_AVATAR_SIDE: u32 = 2048;
pub const AVATAR_TOO_LARGE: &str = "Avatar is too large (should be at most 2048 × 2048 pixels)";

/// Decodes an avatar (of `format`, else guessed) within [`MAX_AVATAR_SIDE`]
/// and the memory that takes, refused before anything is allocated past them.
pub(crate) fn decode(bytes: &[u8], format: Option<ImageFormat>) -> image::ImageResult<image::DynamicImage> {
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_AVATAR_SIDE);
    limits.max_image_height = Some(MAX_AVATAR_SIDE);
    limits.max_alloc = Some(40 * 1024 * 1024);
    let mut reader = match format {
        Some(format) => ImageReader::with_format(Cursor::new(bytes), format),
        None => ImageReader::new(Cursor::new(bytes)).with_guessed_format()?,
    };
    reader.limits(limits);
    reader.decode()
}

/// Images decoded at once, whoever asks (an upload checked, a badge baked):
/// each takes up to 32 MiB and a core while it runs.
static DECODING: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(2);

/// Runs `work` (which decodes images) off the async runtime, once one of the
/// [`DECODING`] places is free; `None` if it could not run to the end.
pub(crate) async fn decoding<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> Option<T> {
    // Held by the decoding itself: a request dropped meanwhile (its client
    // gone) does not free the place while the decode still runs.
    let place = DECODING.acquire().await.ok()?;
    tokio::task::spawn_blocking(move || {
        let _place = place;
        work()
    })
    .await
    .ok()
}

/// [`verify_avatar`] off the async runtime: decoding an image is CPU work, and
/// is done before any transaction starts, so no lock is held while it runs.
pub async fn verify_avatar_off_runtime(upload: &Upload) -> DomainResult<&'static str> {
    let upload = upload.clone();
    decoding(move || verify_avatar(&upload)).await.ok_or_else(|| DomainError::invalid(AVATAR_BAD_FORMAT))?
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

/// Keeps a verified avatar (of `content_type`) in the transaction that sets
/// it on the achievement; returns the file name its URL carries.
pub async fn store_avatar(
    tx: &mut Tx,
    achievement_id: i64,
    upload: &Upload,
    content_type: &str,
) -> DomainResult<String> {
    let digest = hex::encode(Sha256::digest(&upload.bytes));
    tx.put_avatar_image(achievement_id, content_type, &digest, &upload.bytes).await?;
    Ok(safe_file_name(&upload.filename))
}

/// An avatar as it is served.
pub struct AvatarImage {
    pub content_type: String,
    /// SHA-256 of the bytes, hex: the ETag.
    pub digest: String,
    /// `None` when the asker's copy (`known`) is current.
    pub data: Option<Vec<u8>>,
}

/// The avatar at `/<AVATAR_URL_DIR>/<achievement_id>/<file>`. Public, as
/// GitLab's uploads are: its URL is only handed out with the achievement.
/// Its bytes are left out when `known` (the digest the asker has) is current.
pub async fn avatar_image(
    app: &AppState,
    achievement_id: i64,
    file: &str,
    known: Option<&str>,
) -> DomainResult<AvatarImage> {
    let mut tx = app.store.read().await?;
    let image = tx.avatar_image(achievement_id, known).await?;
    match image {
        Some(image) if image.file.as_deref() == Some(file) => {
            Ok(AvatarImage { content_type: image.content_type, digest: image.digest, data: image.data })
        }
        _ => Err(DomainError::NotFound("File")),
    }
}

/// Reads in, once, the avatar files an older version kept under DATA_DIR: each
/// is verified again and stored in the database. A file that is missing or
/// no longer an image is logged and skipped (its achievement shows no image).
pub async fn import_avatars_from_disk(app: &AppState) -> DomainResult<usize> {
    let pending = app.store.read().await?.avatars_on_disk().await?;
    let mut imported = 0;
    for (achievement_id, file) in pending {
        let path = app.instance.data_dir.join(AVATAR_URL_DIR).join(achievement_id.to_string()).join(&file);
        let Ok(bytes) = tokio::fs::read(&path).await else {
            tracing::warn!("avatar of achievement {achievement_id}: {} not found; not imported", path.display());
            continue;
        };
        let upload = Upload { filename: file.clone(), bytes };
        let Ok(content_type) = verify_avatar_off_runtime(&upload).await else {
            tracing::warn!(
                "avatar of achievement {achievement_id}: {} is not a valid image; not imported",
                path.display()
            );
            continue;
        };
        let stored = async {
            let mut tx = app.store.write().await?;
            store_avatar(&mut tx, achievement_id, &upload, content_type).await?;
            app.commit(tx).await
        };
        // One that fails (its achievement deleted meanwhile by another
        // process, a busy database) is tried again at the next start.
        match stored.await {
            Ok(()) => imported += 1,
            Err(err) => tracing::warn!("avatar of achievement {achievement_id}: not imported: {err}"),
        }
    }
    Ok(imported)
}

/// The avatar's public URL.
pub fn avatar_url(instance: &Instance, achievement_id: i64, file: &str) -> String {
    format!("{}/{AVATAR_URL_DIR}/{achievement_id}/{file}", instance.external_url)
}

/// The public URL of an achievement's uploaded image, if it has one.
pub fn achievement_avatar_url(instance: &Instance, achievement: &crate::store::AchievementRow) -> Option<String> {
    achievement.avatar.as_deref().map(|file| avatar_url(instance, achievement.id, file))
}

/// The public URL of a user's avatar, if they have one.
pub fn user_avatar_url(base: &str, user: &crate::store::UserRow) -> Option<String> {
    user.avatar.as_ref().map(|a| format!("{base}/uploads/-/system/user/avatar/{}/{a}", user.id))
}
