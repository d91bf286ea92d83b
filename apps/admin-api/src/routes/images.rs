//! Images: `POST /api/v1/admin/images/upload` (multipart), `GET`/`DELETE
//! /api/v1/admin/images/{id}`, `GET /api/v1/admin/images/stats`, and the variant files at
//! `/images/{key}` (public, immutable: the key is the content's hash).

use actix_multipart::{Field, Multipart};
use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use futures_util::TryStreamExt;
use images::{ImageKind, NewImage};
use sea_orm::EntityTrait;

use crate::auth::Admin;
use crate::dto::{ImageResponse, ImageStatsResponse};
use crate::error::{ApiError, ErrorBody};
use crate::startup::AppState;

/// Text fields are short: ids and a kind.
const TEXT_FIELD_LIMIT: usize = 64;
/// An over-size upload is read (and discarded) up to this many times the limit, so the client
/// gets its 413; beyond that the connection is dropped.
const DRAIN_FACTOR: usize = 4;

/// The multipart form of an upload.
#[derive(Debug, Default)]
struct UploadForm {
    file: Option<(String, Vec<u8>)>,
    store_id: Option<String>,
    product_id: Option<String>,
    kind: Option<String>,
}

/// Upload an image: multipart fields `file` (JPEG, PNG, GIF or WebP, recognised by content),
/// `store_id`, optional `product_id` and `type` (`product` (default), `category` or `banner`).
/// Identical content of the same type is stored once. Product images count against the
/// merchant plan's `max_images_per_product`.
#[utoipa::path(
    post,
    path = "/api/v1/admin/images/upload",
    tag = "images",
    request_body(content_type = "multipart/form-data", description = "fields file, store_id, product_id, type"),
    responses(
        (status = 201, body = ImageResponse, description = "Stored (or referenced, when identical content was)"),
        (status = 400, body = ErrorBody, description = "Missing or malformed fields, empty file"),
        (status = 403, body = ErrorBody, description = "`limit_reached`, `no_live_subscription`, or not an admin"),
        (status = 404, body = ErrorBody, description = "Unknown store or product"),
        (status = 413, body = ErrorBody, description = "Over `images.max_upload_mb`"),
        (status = 415, body = ErrorBody, description = "Not a JPEG, PNG, GIF or WebP by content"),
        (status = 422, body = ErrorBody, description = "`invalid_image` (truncated, corrupt, too many pixels) or `product_of_another_store`"),
    ),
    security(("bearer" = []))
)]
#[tracing::instrument(skip_all)]
pub async fn upload(
    state: web::Data<AppState>,
    _admin: Admin,
    payload: Multipart,
) -> Result<HttpResponse, ApiError> {
    let max_bytes = state.images.settings().max_upload_bytes;
    let form = read_form(payload, max_bytes).await?;
    let (filename, bytes) = form.file.ok_or_else(|| missing("file"))?;
    let store_id = parse_id("store_id", form.store_id.as_deref().ok_or_else(|| missing("store_id"))?)?;
    let product_id = form
        .product_id
        .as_deref()
        .filter(|v| !v.is_empty())
        .map(|v| parse_id("product_id", v))
        .transpose()?;
    let kind = match form.kind.as_deref() {
        None | Some("") => ImageKind::Product,
        Some(name) => ImageKind::parse(name).ok_or_else(|| {
            ApiError::BadRequest(format!("type must be product, category or banner, not {name:?}"))
        })?,
    };
    if product_id.is_some() && kind != ImageKind::Product {
        return Err(ApiError::BadRequest("product_id goes with type=product only".to_owned()));
    }

    let store = stores::entity::store::Entity::find_by_id(store_id)
        .one(&state.db)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("no store {store_id}")))?;
    let mut max_per_product = None;
    if let Some(product_id) = product_id {
        let product = stores::entity::product::Entity::find_by_id(product_id)
            .one(&state.db)
            .await?
            .ok_or_else(|| ApiError::NotFound(format!("no product {product_id}")))?;
        if product.store_id != store.id {
            return Err(ApiError::ProductOfAnotherStore { product_id, store_id });
        }
        max_per_product = match billing::live_tier(&state.db, store.merchant_id).await {
            Ok(tier) => tier.max_images_per_product,
            Err(billing::Error::NoLiveSubscription(merchant)) => {
                return Err(ApiError::NoLiveSubscription(merchant));
            }
            Err(billing::Error::Db(e)) => return Err(e.into()),
            Err(other) => return Err(ApiError::Internal(other.to_string())),
        };
    }
    let new = NewImage { store_id, product_id, kind, original_filename: &filename, max_per_product };
    let stored = state.images.upload(&state.db, new, bytes).await?;
    tracing::info!(image = stored.id, hash = %stored.hash, deduplicated = stored.deduplicated, "image stored");
    Ok(HttpResponse::Created().json(ImageResponse::from(stored)))
}

/// Reads the form, refusing unknown or repeated fields and a file over `max_bytes` (413).
async fn read_form(mut payload: Multipart, max_bytes: usize) -> Result<UploadForm, ApiError> {
    let mut form = UploadForm::default();
    while let Some(field) = payload.try_next().await.map_err(bad_multipart)? {
        let name = field.name().unwrap_or_default().to_owned();
        match name.as_str() {
            "file" if form.file.is_none() => {
                let filename = field
                    .content_disposition()
                    .and_then(|d| d.get_filename())
                    .unwrap_or("upload")
                    .chars()
                    .take(255)
                    .collect();
                let bytes = read_field(field, max_bytes).await?.ok_or_else(|| {
                    ApiError::PayloadTooLarge(format!(
                        "the upload is larger than {max_bytes} bytes ({} MiB), the most accepted",
                        max_bytes / (1024 * 1024)
                    ))
                })?;
                form.file = Some((filename, bytes));
            }
            "store_id" | "product_id" | "type" => {
                let slot = match name.as_str() {
                    "store_id" => &mut form.store_id,
                    "product_id" => &mut form.product_id,
                    _ => &mut form.kind,
                };
                if slot.is_some() {
                    return Err(ApiError::BadRequest(format!("field {name} is given twice")));
                }
                let bytes = read_field(field, TEXT_FIELD_LIMIT)
                    .await?
                    .ok_or_else(|| ApiError::BadRequest(format!("field {name} is too long")))?;
                let text = String::from_utf8(bytes)
                    .map_err(|_| ApiError::BadRequest(format!("field {name} is not UTF-8 text")))?;
                *slot = Some(text.trim().to_owned());
            }
            "file" => return Err(ApiError::BadRequest("one file per upload".to_owned())),
            other => {
                return Err(ApiError::BadRequest(format!(
                    "unknown field {other:?}; expected file, store_id, product_id, type"
                )));
            }
        }
    }
    Ok(form)
}

/// The field's bytes, or `None` if it is longer than `limit` (the rest is read and dropped, up
/// to [`DRAIN_FACTOR`] × `limit`, so the client gets the answer instead of a reset connection).
async fn read_field(mut field: Field, limit: usize) -> Result<Option<Vec<u8>>, ApiError> {
    let mut bytes = Vec::new();
    let mut seen = 0usize;
    while let Some(chunk) = field.try_next().await.map_err(bad_multipart)? {
        seen = seen.saturating_add(chunk.len());
        if seen <= limit {
            bytes.extend_from_slice(&chunk);
        } else if seen > limit.saturating_mul(DRAIN_FACTOR).max(1024 * 1024) {
            return Err(ApiError::PayloadTooLarge(format!("the upload is far larger than {limit} bytes")));
        }
    }
    Ok((seen <= limit).then_some(bytes))
}

fn bad_multipart(error: actix_multipart::MultipartError) -> ApiError {
    ApiError::BadRequest(format!("expected a multipart/form-data body: {error}"))
}

fn missing(field: &str) -> ApiError {
    ApiError::BadRequest(format!("missing field {field}"))
}

fn parse_id(field: &str, value: &str) -> Result<i64, ApiError> {
    value
        .parse::<i64>()
        .ok()
        .filter(|id| *id > 0)
        .ok_or_else(|| ApiError::BadRequest(format!("{field} must be a positive integer, not {value:?}")))
}

/// One image with its variants' URLs.
#[utoipa::path(
    get,
    path = "/api/v1/admin/images/{id}",
    tag = "images",
    params(("id" = i64, Path, description = "Image id")),
    responses((status = 200, body = ImageResponse), (status = 404, body = ErrorBody)),
    security(("bearer" = []))
)]
pub async fn get(
    state: web::Data<AppState>,
    _admin: Admin,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = parse_id("id", &id)?;
    let image = images::find_image(&state.db, id)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("no image {id}")))?;
    Ok(HttpResponse::Ok().json(ImageResponse::from(image)))
}

/// Delete an image. Its files go with the last image referring to the same content.
#[utoipa::path(
    delete,
    path = "/api/v1/admin/images/{id}",
    tag = "images",
    params(("id" = i64, Path, description = "Image id")),
    responses((status = 204, description = "Deleted"), (status = 404, body = ErrorBody)),
    security(("bearer" = []))
)]
#[tracing::instrument(skip(state, _admin))]
pub async fn delete(
    state: web::Data<AppState>,
    _admin: Admin,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = parse_id("id", &id)?;
    state.images.delete(&state.db, id).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Image storage statistics, read from the counters kept with every write (two indexed
/// single-row reads, whatever the number of images).
#[utoipa::path(
    get,
    path = "/api/v1/admin/images/stats",
    tag = "images",
    responses((status = 200, body = ImageStatsResponse)),
    security(("bearer" = []))
)]
pub async fn stats(state: web::Data<AppState>, _admin: Admin) -> Result<HttpResponse, ApiError> {
    let stats = images::load_storage_stats(&state.db).await?;
    Ok(HttpResponse::Ok().json(ImageStatsResponse {
        metrics: stats.into(),
        total_bytes: stats.total_bytes,
        total_images: stats.total_blobs,
        backend: state.images.files().describe().to_owned(),
    }))
}

/// A variant file, e.g. `/images/products/ab/cd/abcd…_800.webp`. Public (storefront images),
/// immutable (the name is the content's hash): cached for a year, 304 on `If-None-Match`.
#[utoipa::path(
    get,
    path = "/images/{key}",
    tag = "images",
    params(("key" = String, Path, description = "Storage key, e.g. products/ab/cd/<sha256>_800.webp")),
    responses(
        (status = 200, description = "The WebP file", content_type = "image/webp"),
        (status = 304, description = "Not modified"),
        (status = 404, body = ErrorBody),
    )
)]
pub async fn file(
    state: web::Data<AppState>,
    req: HttpRequest,
    key: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let key = key.into_inner();
    if images::library::parse_storage_key(&key).is_none() {
        return Err(ApiError::NotFound(format!("no image file {key}")));
    }
    let etag = format!("\"{}\"", key.rsplit('/').next().unwrap_or_default().trim_end_matches(".webp"));
    let cache = (header::CACHE_CONTROL, "public, max-age=31536000, immutable");
    let matches = req
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|tag| tag.trim() == etag || tag.trim() == "*"));
    if matches {
        return Ok(HttpResponse::NotModified()
            .insert_header(cache)
            .insert_header((header::ETAG, etag))
            .finish());
    }
    let body = state.images.files().get(&key).await.map_err(|e| ApiError::Image(e.into()))?;
    let body = body.ok_or_else(|| ApiError::NotFound(format!("no image file {key}")))?;
    Ok(HttpResponse::Ok()
        .content_type("image/webp")
        .insert_header(cache)
        .insert_header((header::ETAG, etag))
        .body(body))
}
