//! RSA-2048 key pairs for actors: Mastodon verifies only RSA HTTP signatures.

use rsa::pkcs8::{EncodePrivateKey, EncodePublicKey, LineEnding};
use rsa::{RsaPrivateKey, RsaPublicKey};

use crate::{CoreError, CoreResult};

/// A key pair as PEM: SPKI public key, PKCS#8 private key.
#[derive(Clone)]
pub struct KeyPair {
    /// `-----BEGIN PUBLIC KEY-----` …
    pub public_pem: String,
    /// `-----BEGIN PRIVATE KEY-----` …
    pub private_pem: String,
}

impl std::fmt::Debug for KeyPair {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeyPair").finish_non_exhaustive()
    }
}

/// Generates a key pair on the blocking pool (it takes a fraction of a second of CPU).
pub async fn generate() -> CoreResult<KeyPair> {
    tokio::task::spawn_blocking(generate_blocking).await?
}

fn generate_blocking() -> CoreResult<KeyPair> {
    let key_err = |e: &dyn std::fmt::Display| CoreError::Internal(format!("RSA key: {e}"));
    let private = RsaPrivateKey::new(&mut rand::thread_rng(), 2048).map_err(|e| key_err(&e))?;
    let public_pem = RsaPublicKey::from(&private)
        .to_public_key_pem(LineEnding::LF)
        .map_err(|e| key_err(&e))?;
    let private_pem = private
        .to_pkcs8_pem(LineEnding::LF)
        .map_err(|e| key_err(&e))?
        .to_string();
    Ok(KeyPair {
        public_pem,
        private_pem,
    })
}

#[cfg(test)]
mod tests {
    use rsa::pkcs8::DecodePublicKey;
    use rsa::traits::PublicKeyParts;

    use super::*;

    #[test]
    fn generated_keys_are_rsa_2048_pem() -> CoreResult<()> {
        let pair = generate_blocking()?;
        assert!(pair.public_pem.starts_with("-----BEGIN PUBLIC KEY-----"));
        assert!(pair.private_pem.starts_with("-----BEGIN PRIVATE KEY-----"));
        let public = RsaPublicKey::from_public_key_pem(&pair.public_pem)
            .map_err(|e| CoreError::Internal(e.to_string()))?;
        assert_eq!(public.size() * 8, 2048);
        Ok(())
    }
}
