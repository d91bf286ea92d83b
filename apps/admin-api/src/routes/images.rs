//! Images: `POST /api/v1/admin/images/upload` (multipart), `GET`/`DELETE
//! /api/v1/admin/images/{id}`, `GET /api/v1/admin/images/stats`, and the variant files at
//! `/images/{key}` (public, immutable: the key is the content's hash; streamed, with ranges).

use actix_multipart::MultipartError;
use actix_multipart::form::{MultipartForm, bytes::Bytes as FileBytes, text::Text};
use actix_web::http::header::{
    self, ByteRangeSpec, ContentRange, ContentRangeSpec, EntityTag, Header, IfNoneMatch, IfRange, Range,
};
use actix_web::{FromRequest, HttpRequest, HttpResponse, web};
use images::{ByteRange, ImageKind, NewImage, ReadOutcome};
use stores::{ProductId, StoreId};

use crate::auth::Admin;
use crate::dto::{ImageResponse, ImageStatsResponse};
use crate::error::{AdminErrors, ApiError, ErrorBody};
use crate::state::AppState;

/// The multipart form of an upload. Text fields are short: ids and a kind.
#[derive(Debug, MultipartForm)]
#[multipart(deny_unknown_fields, duplicate_field = "deny")]
pub struct UploadForm {
    file: FileBytes,
    #[multipart(limit = "64B")]
    store_id: Text<String>,
    #[multipart(limit = "64B")]
    product_id: Option<Text<String>>,
    #[multipart(rename = "type", limit = "64B")]
    kind: Option<Text<String>>,
}

/// Upload an image: multipart fields `file` (JPEG, PNG, GIF or WebP, recognised by content),
/// `store_id`, optional `product_id` and `type` (`product` (default), `category` or `banner`).
/// Identical content of the same type is stored once. Product images count against the
/// merchant plan's `max_images_per_product`.
#[utoipa::path(post, path = "/api/v1/admin/images/upload", tag = "images", security(("bearer" = [])),
    request_body(content_type = "multipart/form-data", description = "fields file, store_id, product_id, type"),
    responses(
        (status = 201, body = ImageResponse, description = "Stored (or referenced, when identical content was)"),
        (status = 400, body = ErrorBody, description = "Missing, repeated, unknown or malformed fields, empty file"),
        (status = 401, body = ErrorBody, description = "No valid token"),
        (status = 403, body = ErrorBody, description = "`limit_reached`, `no_live_subscription`, or not an admin"),
        (status = 404, body = ErrorBody, description = "Unknown store or product"),
        (status = 413, body = ErrorBody, description = "Over `images.max_upload_mb`"),
        (status = 415, body = ErrorBody, description = "Not a JPEG, PNG, GIF or WebP by content"),
        (status = 422, body = ErrorBody, description = "`invalid_image` (truncated, corrupt, too many pixels) or `product_of_another_store`"),
        (status = 429, body = ErrorBody, description = "The token's rate limit is reached (Retry-After)"),
        (status = 503, body = ErrorBody, description = "`unavailable`: the image storage or the database cannot be reached right now (nothing stored; retry)"),
        (status = 507, body = ErrorBody, description = "`insufficient_storage`: the image storage is full (nothing stored)")))]
#[tracing::instrument(skip_all, fields(admin = %admin.user_id))]
pub async fn upload(
    admin: Admin,
    state: web::Data<AppState>,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    // A processing slot first: uploads held in memory at once are bounded by the concurrency.
    let slot = state.images.reserve().await?;
    let (max, mut payload) = (state.images.settings().max_upload_bytes, payload.into_inner());
    let form = MultipartForm::<UploadForm>::from_request(&req, &mut payload).await;
    let MultipartForm(form) = form.map_err(|error| multipart_error(&error, max))?;
    let store_id = parse_id::<StoreId>("store_id", &form.store_id)?;
    let product_id = form.product_id.as_deref().filter(|v| !v.trim().is_empty());
    let product_id = product_id.map(|v| parse_id::<ProductId>("product_id", v)).transpose()?;
    let kind = ImageKind::of_upload(form.kind.as_deref().map(String::as_str), product_id.is_some())
        .map_err(ApiError::BadRequest)?;
    let max_per_product = billing::image_allowance(&state.db, store_id, product_id).await?;
    let filename: String = form.file.file_name.as_deref().unwrap_or("upload").chars().take(255).collect();
    let new = NewImage {
        store_id: store_id.get(),
        product_id: product_id.map(ProductId::get),
        kind,
        original_filename: &filename,
        max_per_product,
    };
    let stored = state.images.upload(&state.db, slot, new, Vec::from(form.file.data)).await?;
    tracing::info!(image = %stored.id, hash = %stored.hash, deduplicated = stored.deduplicated, "image stored");
    Ok(HttpResponse::Created().json(ImageResponse::from(stored)))
}

/// The multipart reader's refusals, in the API's words.
fn multipart_error(error: &actix_web::Error, max_bytes: usize) -> ApiError {
    match error.as_error::<MultipartError>() {
        Some(MultipartError::Payload(actix_web::error::PayloadError::Overflow)) => {
            ApiError::PayloadTooLarge(format!(
                "the upload is larger than {max_bytes} bytes ({} MiB), the most accepted",
                max_bytes / (1024 * 1024)
            ))
        }
        Some(MultipartError::DuplicateField(name)) => {
            ApiError::BadRequest(format!("field {name} is given twice (one file per upload)"))
        }
        Some(MultipartError::UnknownField(name)) => {
            ApiError::BadRequest(format!("unknown field {name:?}; expected file, store_id, product_id, type"))
        }
        Some(MultipartError::MissingField(name)) => ApiError::BadRequest(format!("missing field {name}")),
        Some(other) => ApiError::BadRequest(format!("expected a multipart/form-data upload: {other}")),
        None => ApiError::BadRequest(format!("expected a multipart/form-data upload: {error}")),
    }
}

fn parse_id<T: std::str::FromStr>(field: &str, value: &str) -> Result<T, ApiError> {
    value
        .parse()
        .map_err(|_| ApiError::BadRequest(format!("{field} must be a positive integer, not {value:?}")))
}

/// One image with its variants' URLs.
#[utoipa::path(get, path = "/api/v1/admin/images/{id}", tag = "images", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Image id")),
    responses((status = 200, body = ImageResponse), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody), AdminErrors))]
#[tracing::instrument(skip_all, fields(admin = %admin.user_id))]
pub async fn get(
    admin: Admin,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = parse_id::<images::ImageId>("image id", &id)?;
    let image = images::find_image(&state.db, id)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("no image {id}")))?;
    Ok(HttpResponse::Ok().json(ImageResponse::from(image)))
}

/// Delete an image. Its files go with the last image referring to the same content.
#[utoipa::path(delete, path = "/api/v1/admin/images/{id}", tag = "images", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Image id")),
    responses((status = 204, description = "Deleted"), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody), AdminErrors))]
#[tracing::instrument(skip_all, fields(admin = %admin.user_id))]
pub async fn delete(
    admin: Admin,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    state.images.delete(&state.db, parse_id("image id", &id)?).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Image storage statistics, read from the counters kept with every write (two indexed
/// single-row reads, whatever the number of images), about once a second per instance
/// (`ImageLibrary::stats`): this instance's own uploads and deletes show at once, other
/// instances' within about a second.
#[utoipa::path(get, path = "/api/v1/admin/images/stats", tag = "images", security(("bearer" = [])),
    responses((status = 200, body = ImageStatsResponse), AdminErrors))]
#[tracing::instrument(skip_all, fields(admin = %admin.user_id))]
pub async fn stats(admin: Admin, state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let stats = state.images.stats(&state.db).await?;
    Ok(HttpResponse::Ok().json(ImageStatsResponse {
        metrics: stats.metrics(),
        total_bytes: stats.total_bytes,
        total_images: stats.total_blobs,
        backend: state.images.files().describe().to_owned(),
    }))
}

/// A variant file, e.g. `/images/products/ab/cd/abcd…_800.webp`. Public (storefront images),
/// immutable (the name is the content's hash): cached for a year, `ETag` with 304 on
/// `If-None-Match`, streamed, single byte ranges (206/416, `If-Range`).
#[utoipa::path(get, path = "/images/{key}", tag = "images",
    params(("key" = String, Path, description = "Storage key, e.g. products/ab/cd/<sha256>_800.webp")),
    responses((status = 200, description = "The WebP file", content_type = "image/webp"),
        (status = 206, description = "The requested byte range", content_type = "image/webp"),
        (status = 304, description = "Not modified"), (status = 404, body = ErrorBody),
        (status = 416, body = ErrorBody, description = "Range beyond the file"),
        (status = 429, body = ErrorBody, description = "The client address's rate limit is reached (Retry-After)")))]
pub async fn file(
    state: web::Data<AppState>,
    req: HttpRequest,
    key: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let key = key.into_inner();
    let etag = EntityTag::new_strong(
        key.rsplit('/').next().unwrap_or_default().trim_end_matches(".webp").to_owned(),
    );
    let seen = match IfNoneMatch::parse(&req) {
        Ok(IfNoneMatch::Any) => true,
        Ok(IfNoneMatch::Items(tags)) => tags.iter().any(|tag| tag.weak_eq(&etag)),
        Err(_) => false,
    };
    if seen {
        return Ok(HttpResponse::NotModified()
            .insert_header(IMMUTABLE)
            .insert_header(header::ETag(etag))
            .finish());
    }
    match state.images.read_variant(&state.db, &key, requested_range(&req, &etag)).await? {
        ReadOutcome::Found(read) => Ok(streamed(read, etag)),
        ReadOutcome::Missing => Err(ApiError::NotFound(format!("no image file {key}"))),
        ReadOutcome::RangeNotSatisfiable { size } => Err(ApiError::RangeNotSatisfiable(size)),
    }
}

/// Variant files never change: their name is their content's hash.
const IMMUTABLE: (header::HeaderName, &str) = (header::CACHE_CONTROL, "public, max-age=31536000, immutable");

/// 200 with the whole file, or 206 with the part read, streamed.
fn streamed(read: images::FileRead, etag: EntityTag) -> HttpResponse {
    let partial = read.range.end - read.range.start != read.size;
    let mut response = if partial { HttpResponse::PartialContent() } else { HttpResponse::Ok() };
    if partial {
        let range = Some((read.range.start, read.range.end.saturating_sub(1)));
        response
            .insert_header(ContentRange(ContentRangeSpec::Bytes { range, instance_length: Some(read.size) }));
    }
    response
        .content_type("image/webp")
        .insert_header(IMMUTABLE)
        .insert_header(header::ETag(etag))
        .insert_header((header::ACCEPT_RANGES, "bytes"))
        .no_chunking(read.range.end - read.range.start)
        .streaming(read.body)
}

/// The one byte range asked for, unless `If-Range` names another version (then the whole file;
/// several ranges are answered with the whole file too, which RFC 9110 allows).
fn requested_range(req: &HttpRequest, etag: &EntityTag) -> Option<ByteRange> {
    match IfRange::parse(req) {
        Ok(IfRange::EntityTag(tag)) if !tag.strong_eq(etag) => return None,
        // No Last-Modified is sent, so a date cannot be checked: the whole file it is.
        Ok(IfRange::Date(_)) => return None,
        _ => {}
    }
    match Range::parse(req).ok()? {
        Range::Bytes(specs) if specs.len() == 1 => Some(match specs[0] {
            ByteRangeSpec::FromTo(first, last) => ByteRange::FromTo(first, last),
            ByteRangeSpec::From(first) => ByteRange::From(first),
            ByteRangeSpec::Last(n) => ByteRange::Last(n),
        }),
        _ => None,
    }
}
