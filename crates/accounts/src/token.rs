//! The token format: `orion_` and 64 hex digits of randomness, stored as its SHA-256.

use rand::RngCore;
use sha2::{Digest, Sha256};

/// Every token starts with this, so a leaked one is easy to recognise (e.g. by secret scanners).
pub const TOKEN_PREFIX: &str = "orion_";
/// Characters of a token stored in clear to identify it (`orion_` and 8 hex digits).
pub const IDENTIFYING_CHARS: usize = TOKEN_PREFIX.len() + 8;

/// A new random token (256 bits).
pub fn new_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    format!("{TOKEN_PREFIX}{}", hex::encode(bytes))
}

/// SHA-256 of the token, lowercase hex. Tokens carry 256 random bits, so a fast hash is enough:
/// there is nothing to brute-force that a slow password hash would protect.
pub fn hash_token(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_prefixed_random_and_hash_to_64_hex_digits() {
        let (a, b) = (new_token(), new_token());
        assert_ne!(a, b);
        assert!(a.starts_with(TOKEN_PREFIX) && a.len() == TOKEN_PREFIX.len() + 64);
        assert_eq!(hash_token(&a).len(), 64);
        // SHA-256("abc"), the FIPS 180-2 test vector.
        assert_eq!(hash_token("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        assert_ne!(hash_token(&a), hash_token(&b));
    }
}
