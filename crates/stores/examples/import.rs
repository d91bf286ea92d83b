//! What another service (a catalogue importer) writes: a merchant, a store, and a batch of
//! products with titles and stock, in one transaction, on an SQLite database it migrated itself:
//! `cargo run -p stores --example import`.

use merchants::{MerchantSlug, NewMerchant};
use migration::MigratorTrait;
use stores::{NewProduct, NewStore, Stock, Title};
use time::OffsetDateTime;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let db = sea_orm::Database::connect("sqlite::memory:").await?;
    migration::Migrator::up(&db, None).await?;
    let now = OffsetDateTime::now_utc();
    let new = NewMerchant {
        name: "Nordic Coffee",
        slug: MerchantSlug::parse("nordic-coffee")?,
        contact_email: "ops@nordic.example",
    };
    let merchant = merchants::create_merchant(&db, new, now).await?;
    let store = stores::create_store(
        &db,
        NewStore { merchant_id: merchant.id, code: "nordic-berlin", name: "Berlin" },
        now,
    )
    .await?;
    let skus: Vec<String> = (1..=500).map(|n| format!("BEAN-{n:04}")).collect();
    let title = [Title { language: "en", title: "Single origin beans" }];
    let stock = Stock { warehouse: "main", bin_location: "A-01", quantity: 40 };
    let batch: Vec<NewProduct<'_>> = skus
        .iter()
        .map(|sku| NewProduct { store_sku: sku, gtin: None, titles: &title, stock: Some(stock) })
        .collect();
    let ids = stores::create_products(&db, store.id, &batch, now).await?;
    println!("imported {} products into store {} ({})", ids.len(), store.id, store.code);
    // A second import of the same SKUs is refused as a whole.
    let again = stores::create_products(&db, store.id, &batch[..2], now).await;
    println!("again: {}", again.map(|ids| ids.len().to_string()).unwrap_or_else(|e| e.to_string()));
    Ok(())
}
