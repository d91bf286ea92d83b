//! The actix-web middleware (feature `actix`): every answer carries `X-RateLimit-Limit`,
//! `X-RateLimit-Remaining` and `X-RateLimit-Reset` (seconds), and the IETF draft's
//! `RateLimit-Policy: "minute";q=<limit>;w=60` and `RateLimit: "minute";r=<remaining>;t=<reset>`; a refused request gets 429 with
//! `Retry-After` and the platform's error body `{"error": {"code": "rate_limited", "message"}}`.
//! Who is calling, and with which limits, is the service's to say: the [`Identify`] function it
//! wraps the middleware with (a request it does not identify is not limited).

use std::future::{Ready, ready};
use std::pin::Pin;
use std::rc::Rc;
use std::sync::Arc;
use std::time::Duration;

use actix_web::HttpResponse;
use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{Service, ServiceRequest, ServiceResponse, Transform, forward_ready};
use actix_web::http::StatusCode;
use actix_web::http::header::{HeaderName, HeaderValue};
use time::OffsetDateTime;

use crate::limits::RateLimits;
use crate::memory::Decision;
use crate::settings::Limiter;

/// Who is calling (the key the budget is counted under) and what they may do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    /// E.g. `admin:42`, `merchant:7`, `ip:203.0.113.9`.
    pub key: String,
    /// The caller's limits.
    pub limits: RateLimits,
}

/// The service's caller identification.
pub type Identify = Arc<dyn Fn(&ServiceRequest) -> Option<Caller> + Send + Sync>;

/// The middleware: `scope.wrap(RateLimit::new(limiter, identify))`.
#[derive(Clone)]
pub struct RateLimit {
    limiter: Limiter,
    identify: Identify,
}

impl RateLimit {
    /// Limits the requests `identify` recognises with `limiter`.
    pub fn new(limiter: Limiter, identify: Identify) -> RateLimit {
        RateLimit { limiter, identify }
    }
}

impl<S, B> Transform<S, ServiceRequest> for RateLimit
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = actix_web::Error> + 'static,
    B: MessageBody + 'static,
{
    type Response = ServiceResponse<EitherBody<B>>;
    type Error = actix_web::Error;
    type Transform = RateLimitService<S>;
    type InitError = ();
    type Future = Ready<Result<Self::Transform, Self::InitError>>;

    fn new_transform(&self, service: S) -> Self::Future {
        ready(Ok(RateLimitService {
            service: Rc::new(service),
            limit: self.clone(),
            local: Rc::new(tokio::sync::OnceCell::new()),
        }))
    }
}

/// The middleware around one service (made by [`RateLimit`]).
pub struct RateLimitService<S> {
    service: Rc<S>,
    limit: RateLimit,
    /// The limiter on this worker's own connection, made at its first request.
    local: Rc<tokio::sync::OnceCell<Limiter>>,
}

type Answer<B> = Result<ServiceResponse<EitherBody<B>>, actix_web::Error>;

impl<S, B> Service<ServiceRequest> for RateLimitService<S>
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = actix_web::Error> + 'static,
    B: MessageBody + 'static,
{
    type Response = ServiceResponse<EitherBody<B>>;
    type Error = actix_web::Error;
    type Future = Pin<Box<dyn Future<Output = Answer<B>>>>;

    forward_ready!(service);

    fn call(&self, req: ServiceRequest) -> Self::Future {
        let (service, limit, local) = (self.service.clone(), self.limit.clone(), self.local.clone());
        Box::pin(async move {
            let limiter = local.get_or_init(|| limit.limiter.on_this_runtime()).await;
            let Some(caller) = (limit.identify)(&req) else {
                return service.call(req).await.map(ServiceResponse::map_into_left_body);
            };
            let Some(_slot) = limiter.acquire(&caller.key, &caller.limits) else {
                let at_once = limiter.effective(&caller.limits).concurrent;
                let message = format!("more than {at_once} requests of yours are in flight");
                return Ok(refuse(
                    req,
                    StatusCode::TOO_MANY_REQUESTS,
                    "rate_limited",
                    &message,
                    None,
                    Some(Duration::from_secs(1)),
                ));
            };
            let Some(decision) = limiter.check(&caller.key, &caller.limits, OffsetDateTime::now_utc()).await
            else {
                let message = "the rate limiter cannot answer right now";
                return Ok(refuse(
                    req,
                    StatusCode::SERVICE_UNAVAILABLE,
                    "unavailable",
                    message,
                    None,
                    Some(Duration::from_secs(1)),
                ));
            };
            if !decision.allowed {
                let wait = decision.retry_after.unwrap_or(Duration::from_secs(1));
                let message = format!("rate limit reached; retry in {} s", whole_seconds(wait));
                return Ok(refuse(
                    req,
                    StatusCode::TOO_MANY_REQUESTS,
                    "rate_limited",
                    &message,
                    Some(&decision),
                    Some(wait),
                ));
            }
            let mut response = service.call(req).await?.map_into_left_body();
            set_headers(response.headers_mut(), &decision);
            Ok(response)
        })
    }
}

fn refuse<B>(
    req: ServiceRequest,
    status: StatusCode,
    code: &str,
    message: &str,
    decision: Option<&Decision>,
    retry_after: Option<Duration>,
) -> ServiceResponse<EitherBody<B>> {
    let body = serde_json::json!({ "error": { "code": code, "message": message } }).to_string();
    let mut response = HttpResponse::build(status);
    response.content_type("application/json");
    if let Some(wait) = retry_after {
        response.insert_header(("Retry-After", whole_seconds(wait).to_string()));
    }
    let mut response = response.body(body);
    if let Some(decision) = decision {
        set_headers(response.headers_mut(), decision);
    }
    req.into_response(response).map_into_right_body()
}

fn set_headers(headers: &mut actix_web::http::header::HeaderMap, decision: &Decision) {
    let (limit, remaining, reset) = (decision.limit, decision.remaining, whole_seconds(decision.reset));
    let pairs = [
        ("x-ratelimit-limit", limit.to_string()),
        ("x-ratelimit-remaining", remaining.to_string()),
        ("x-ratelimit-reset", reset.to_string()),
        // The IETF draft's structured fields (draft-ietf-httpapi-ratelimit-headers): the policy
        // (quota per 60 s window) and what is left of it, and when it is whole.
        ("ratelimit-policy", format!("\"minute\";q={limit};w=60")),
        ("ratelimit", format!("\"minute\";r={remaining};t={reset}")),
    ];
    for (name, value) in pairs {
        if let Ok(value) = HeaderValue::from_str(&value) {
            headers.insert(HeaderName::from_static(name), value);
        }
    }
}

/// Seconds, rounded up: a client that waits this long is let through.
fn whole_seconds(d: Duration) -> u64 {
    d.as_secs() + u64::from(d.subsec_nanos() > 0)
}
