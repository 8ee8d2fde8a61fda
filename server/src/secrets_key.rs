//! The key the instance's secrets are sealed with ([`app::domain::secrets`]):
//! `SECRETS_KEY`, else the file `DATA_DIR/secrets.key`, made on first start.
//! Several processes on one database need the same key: give each the same
//! `SECRETS_KEY`, or the same file.

use app::domain::secrets::{key_from_hex, key_to_hex, new_key, KEY_LEN};
use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

/// The file's name under `DATA_DIR`.
pub const FILE: &str = "secrets.key";

/// The key; never printed.
#[derive(Clone)]
pub struct SecretsKey(pub [u8; KEY_LEN]);

impl std::fmt::Debug for SecretsKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretsKey(..)")
    }
}

#[derive(Debug, thiserror::Error)]
pub enum KeyFileError {
    #[error("{path}: {source}")]
    Io { path: String, source: std::io::Error },
    #[error("{path} does not hold a key (64 hex digits)")]
    Invalid { path: String },
    #[error("no randomness for a new key")]
    Random,
}

/// A key written as 64 hex digits.
pub fn parse(text: &str) -> Option<SecretsKey> {
    key_from_hex(text).map(SecretsKey)
}

/// The key in `data_dir`'s key file, made (readable by this user only) when
/// there is none. Processes sharing `data_dir` and starting at once agree on
/// one: each writes its own file aside and links it in only if none is there.
pub fn in_data_dir(data_dir: &Path) -> Result<SecretsKey, KeyFileError> {
    let path = data_dir.join(FILE);
    let io = |path: &Path| {
        let path = path.display().to_string();
        move |source| KeyFileError::Io { path, source }
    };
    match std::fs::read_to_string(&path) {
        Ok(text) => {
            warn_if_others_may_read(&path);
            return parse(&text).ok_or_else(|| KeyFileError::Invalid { path: path.display().to_string() });
        }
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => {}
        Err(err) => return Err(io(&path)(err)),
    }
    let key = new_key().map_err(|_| KeyFileError::Random)?;
    // A name no other process (nor an earlier, crashed start) uses.
    let name = new_key().map_err(|_| KeyFileError::Random)?;
    let aside: PathBuf = data_dir.join(format!(".{FILE}.{}", key_to_hex(&name)));
    let mut file =
        std::fs::OpenOptions::new().write(true).create_new(true).mode(0o600).open(&aside).map_err(io(&aside))?;
    let written = file.write_all(format!("{}\n", key_to_hex(&key)).as_bytes()).and_then(|()| file.sync_all());
    let linked = written.and_then(|()| match std::fs::hard_link(&aside, &path) {
        Err(err) if err.kind() != std::io::ErrorKind::AlreadyExists => Err(err),
        _ => std::fs::File::open(data_dir)?.sync_all(),
    });
    let _ = std::fs::remove_file(&aside);
    linked.map_err(io(&path))?;
    // Ours, or the one another process linked in first.
    let text = std::fs::read_to_string(&path).map_err(io(&path))?;
    parse(&text).ok_or_else(|| KeyFileError::Invalid { path: path.display().to_string() })
}

/// A key file others may read is said so at start-up (it is used all the same).
fn warn_if_others_may_read(path: &Path) {
    use std::os::unix::fs::PermissionsExt;
    if let Ok(meta) = std::fs::metadata(path) {
        if meta.permissions().mode() & 0o077 != 0 {
            tracing::warn!("{} may be read by users other than its owner: chmod 600 it", path.display());
        }
    }
}
