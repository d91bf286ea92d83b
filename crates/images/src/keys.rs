//! What is stored and under which key: image kinds, variants, and the sharded storage keys
//! `{products|categories|banners}/{h[0:2]}/{h[2:4]}/{h}_{variant}.webp`. Pure.

use serde::{Deserialize, Serialize};

/// What an image is for; each kind has its own top-level prefix (`products/`, `categories/`,
/// `banners/`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "db", derive(sea_orm::EnumIter, sea_orm::DeriveActiveEnum))]
#[cfg_attr(
    feature = "db",
    sea_orm(rs_type = "String", db_type = "String(sea_orm::sea_query::StringLen::N(16))")
)]
pub enum ImageKind {
    /// A product photo (the per-product limit applies).
    #[cfg_attr(feature = "db", sea_orm(string_value = "product"))]
    Product,
    /// A category picture.
    #[cfg_attr(feature = "db", sea_orm(string_value = "category"))]
    Category,
    /// A store banner.
    #[cfg_attr(feature = "db", sea_orm(string_value = "banner"))]
    Banner,
}

impl ImageKind {
    /// Every kind.
    pub const ALL: [ImageKind; 3] = [ImageKind::Product, ImageKind::Category, ImageKind::Banner];

    /// `product`, `category` or `banner`.
    pub fn as_str(self) -> &'static str {
        match self {
            ImageKind::Product => "product",
            ImageKind::Category => "category",
            ImageKind::Banner => "banner",
        }
    }

    /// The kind named `name` (as [`ImageKind::as_str`] writes it).
    pub fn parse(name: &str) -> Option<ImageKind> {
        ImageKind::ALL.into_iter().find(|kind| kind.as_str() == name)
    }

    /// The top-level directory of its files: `products`, `categories`, `banners`.
    pub fn prefix(self) -> &'static str {
        match self {
            ImageKind::Product => "products",
            ImageKind::Category => "categories",
            ImageKind::Banner => "banners",
        }
    }

    /// The kind of an upload from its form fields: `type` (default `product`) and whether a
    /// product is named, which only a product image may do.
    pub fn of_upload(kind: Option<&str>, names_product: bool) -> Result<ImageKind, String> {
        let kind = match kind.map(str::trim) {
            None | Some("") => ImageKind::Product,
            Some(name) => ImageKind::parse(name)
                .ok_or_else(|| format!("type must be product, category or banner, not {name:?}"))?,
        };
        if names_product && kind != ImageKind::Product {
            return Err("product_id goes with type=product only".to_owned());
        }
        Ok(kind)
    }

    fn from_prefix(prefix: &str) -> Option<ImageKind> {
        ImageKind::ALL.into_iter().find(|kind| kind.prefix() == prefix)
    }
}

/// The stored sizes of an image.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Variant {
    /// As uploaded, long side capped at 2,000 px.
    Original,
    /// Fit within 800×800.
    Medium,
    /// Fit within 200×200.
    Thumbnail,
}

impl Variant {
    /// Every variant, largest first.
    pub const ALL: [Variant; 3] = [Variant::Original, Variant::Medium, Variant::Thumbnail];

    /// The name in file names: `original`, `800`, `200`.
    pub fn name(self) -> &'static str {
        match self {
            Variant::Original => "original",
            Variant::Medium => "800",
            Variant::Thumbnail => "200",
        }
    }

    /// The square the variant must fit in.
    pub fn bound(self) -> u32 {
        match self {
            Variant::Original => 2_000,
            Variant::Medium => 800,
            Variant::Thumbnail => 200,
        }
    }
}

/// `w×h` scaled to fit within `bound`×`bound`, aspect kept, never upscaled, at least 1 px.
pub fn fit_within(width: u32, height: u32, bound: u32) -> (u32, u32) {
    let long = width.max(height);
    if long <= bound {
        return (width, height);
    }
    let scale = f64::from(bound) / f64::from(long);
    let scaled = |side: u32| ((f64::from(side) * scale).round() as u32).clamp(1, bound);
    (scaled(width), scaled(height))
}

/// The storage key of a variant: `{prefix}/{h[0:2]}/{h[2:4]}/{h}_{variant}.webp`, e.g.
/// `products/ab/cd/abcd…_800.webp`; 65,536 leaf directories per kind.
pub fn storage_key(kind: ImageKind, hash: &str, variant: Variant) -> String {
    format!("{}/{}/{hash}_{}.webp", kind.prefix(), shard_of(hash), variant.name())
}

/// `{h[0:2]}/{h[2:4]}`: the leaf directory below the kind's prefix.
pub fn shard_of(hash: &str) -> String {
    format!("{}/{}", hash.get(0..2).unwrap_or("00"), hash.get(2..4).unwrap_or("00"))
}

/// `products/ab/cd/abcd…_800.webp` → (product, `abcd…`, 800); `None` for anything else.
pub fn parse_storage_key(key: &str) -> Option<(ImageKind, &str, Variant)> {
    let mut parts = key.split('/');
    let kind = ImageKind::from_prefix(parts.next()?)?;
    let (first, second, file) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() {
        return None;
    }
    let (hash, variant) = file.strip_suffix(".webp")?.rsplit_once('_')?;
    let variant = Variant::ALL.into_iter().find(|v| v.name() == variant)?;
    let well_formed = hash.len() == 64
        && hash.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        && hash.get(0..2) == Some(first)
        && hash.get(2..4) == Some(second);
    well_formed.then_some((kind, hash, variant))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_parse_back_to_kind_hash_and_variant() {
        let hash = "ab".repeat(32);
        for kind in ImageKind::ALL {
            for variant in Variant::ALL {
                let key = storage_key(kind, &hash, variant);
                assert!(key.starts_with(kind.prefix()), "{key}");
                assert_eq!(parse_storage_key(&key), Some((kind, hash.as_str(), variant)));
            }
        }
        assert_eq!(parse_storage_key("products/ab/ab/short_800.webp"), None);
        assert_eq!(parse_storage_key(&format!("products/cd/ab/{hash}_800.webp")), None, "wrong shard");
        assert_eq!(parse_storage_key(&format!("products/ab/ab/{hash}_900.webp")), None, "no such variant");
        assert_eq!(parse_storage_key(&format!("things/ab/ab/{hash}_800.webp")), None, "no such kind");
    }

    #[test]
    fn kinds_round_trip() {
        for kind in ImageKind::ALL {
            assert_eq!(ImageKind::parse(kind.as_str()), Some(kind));
        }
        assert_eq!(ImageKind::parse("products"), None);
    }
}
