//! One process per SQLite database. SQLite itself would let a second `plaza serve` open the
//! file, and the two would then both publish and deliver the same events (their in-process
//! wake-ups and claims do not see each other). A lock file beside the database, held for the
//! life of the process, makes the second one stop with a clear message instead. Short commands
//! (`plaza admin …`, `plaza group …`) do not take it: SQLite's own locking serves them.

use std::fs::{File, OpenOptions, TryLockError};
use std::path::{Path, PathBuf};

/// Held while the process runs; the operating system releases it when the process ends, even
/// on a crash, so a stale lock file never blocks a restart.
#[derive(Debug)]
pub struct SqliteLock {
    _file: File,
}

/// Why the lock could not be taken.
#[derive(Debug, thiserror::Error)]
pub enum LockError {
    #[error(
        "another Plaza process is already running on {database}: an SQLite database serves one process (use PostgreSQL to run several)"
    )]
    Held { database: String },
    #[error("cannot lock {path}: {reason}")]
    Io { path: String, reason: String },
}

/// The lock file of the database at `database`: `plaza.db` → `plaza.db.lock`.
fn lock_path(database: &Path) -> PathBuf {
    let mut name = database.as_os_str().to_owned();
    name.push(".lock");
    PathBuf::from(name)
}

/// Takes the lock of the SQLite database at `database`, creating its folder when missing (as
/// opening the database would).
pub fn acquire(database: &Path) -> Result<SqliteLock, LockError> {
    let path = lock_path(database);
    let io = |e: std::io::Error| LockError::Io {
        path: path.display().to_string(),
        reason: e.to_string(),
    };
    if let Some(folder) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(folder).map_err(io)?;
    }
    let file = OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(io)?;
    match file.try_lock() {
        Ok(()) => Ok(SqliteLock { _file: file }),
        Err(TryLockError::WouldBlock) => Err(LockError::Held {
            database: database.display().to_string(),
        }),
        Err(TryLockError::Error(e)) => Err(io(e)),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn a_second_lock_on_the_same_database_is_refused_until_the_first_is_dropped() {
        let dir = tempfile::tempdir().unwrap();
        let database = dir.path().join("data/plaza.db");
        let first = acquire(&database).unwrap();
        let second = acquire(&database).unwrap_err();
        assert!(
            second.to_string().contains("another Plaza process"),
            "{second}"
        );
        drop(first);
        acquire(&database).unwrap();
    }

    #[test]
    fn the_lock_file_sits_beside_the_database() {
        assert_eq!(
            lock_path(Path::new("data/plaza.db")),
            PathBuf::from("data/plaza.db.lock")
        );
    }
}
