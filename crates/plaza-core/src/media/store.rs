//! The folder uploaded files live in. A file's name is its content hash with a suffix, so a name
//! never changes meaning and writing the same name twice writes the same bytes.

use std::io::ErrorKind;
use std::path::{Path, PathBuf};

/// A local folder of uploaded files.
#[derive(Debug, Clone)]
pub struct Folder {
    dir: PathBuf,
}

impl Folder {
    /// The folder at `dir`, created when first written to.
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        Self { dir: dir.into() }
    }

    /// Where it is.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Writes `bytes` as `name`: beside its place first, then renamed, so that no reader ever
    /// sees half a file.
    pub async fn put(&self, name: &str, bytes: &[u8]) -> std::io::Result<()> {
        let path = self.dir.join(name);
        if tokio::fs::try_exists(&path).await.unwrap_or(false) {
            return Ok(());
        }
        tokio::fs::create_dir_all(&self.dir).await?;
        let partial = self
            .dir
            .join(format!("{name}.{}.part", crate::random_token()));
        let written = async {
            tokio::fs::write(&partial, bytes).await?;
            tokio::fs::rename(&partial, &path).await
        }
        .await;
        if written.is_err() {
            let _ = tokio::fs::remove_file(&partial).await;
        }
        written
    }

    /// The file `name`, or `None` when there is none.
    pub async fn get(&self, name: &str) -> std::io::Result<Option<Vec<u8>>> {
        match tokio::fs::read(self.dir.join(name)).await {
            Ok(bytes) => Ok(Some(bytes)),
            Err(e) if e.kind() == ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Removes `name`; a file already gone is no error.
    pub async fn remove(&self, name: &str) -> std::io::Result<()> {
        match tokio::fs::remove_file(self.dir.join(name)).await {
            Err(e) if e.kind() != ErrorKind::NotFound => Err(e),
            _ => Ok(()),
        }
    }
}
