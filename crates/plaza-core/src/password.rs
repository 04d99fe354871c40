//! Password hashing with Argon2id (PHC strings), on the blocking pool.

use argon2::Argon2;
use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};

use crate::{CoreError, CoreResult};

/// Hashes a password into a PHC string.
pub async fn hash(password: String) -> CoreResult<String> {
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::generate(&mut OsRng);
        Argon2::default()
            .hash_password(password.as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(|e| CoreError::Internal(format!("password hash: {e}")))
    })
    .await?
}

/// Checks a password against a stored PHC string.
pub async fn verify(password: String, stored: String) -> CoreResult<bool> {
    tokio::task::spawn_blocking(move || {
        let parsed = PasswordHash::new(&stored)
            .map_err(|e| CoreError::Internal(format!("stored password hash: {e}")))?;
        Ok(Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok())
    })
    .await?
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_right_password_verifies_and_a_wrong_one_does_not() -> CoreResult<()> {
        let stored = hash("correct horse".into()).await?;
        assert!(stored.starts_with("$argon2id$"));
        assert!(verify("correct horse".into(), stored.clone()).await?);
        assert!(!verify("wrong horse".into(), stored).await?);
        Ok(())
    }
}
