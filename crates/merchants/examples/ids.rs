//! The id newtypes and the slug rule, as another service uses them on input it does not trust
//! (`merchants = { default-features = false }`): `cargo run -p merchants --no-default-features
//! --example ids`.

use merchants::{MerchantId, MerchantSlug};

fn main() {
    for raw in ["42", "0", "-3", "abc"] {
        match raw.parse::<MerchantId>() {
            Ok(id) => println!("{raw:>4}: merchant {id}"),
            Err(error) => println!("{raw:>4}: {error}"),
        }
    }
    for slug in ["nordic-coffee", "Nordic Coffee", "-x"] {
        println!("{slug:?}: {:?}", MerchantSlug::parse(slug).map(|s| s.to_string()));
    }
}
