//! Brute force is bounded per client address on the endpoints that take secrets (login,
//! refresh, password reset, invitation links): past the quota they answer 429 with
//! `Retry-After`. Per-user lockout (see `features::identity::auth`) bounds guessing from many addresses.

use std::net::IpAddr;
use std::num::NonZeroU32;

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::{ResponseError, web};
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

use crate::error::ApiError;

/// The paths whose requests count against the quota.
const LIMITED: &[&str] = &[
    "/auth/login",
    "/auth/refresh",
    "/auth/password-reset",
    "/invitations/",
];

/// Keeps the per-address state small: forget addresses whose quota is full again.
const FORGET_ABOVE: usize = 10_000;

pub struct AuthRateLimiter(Option<DefaultKeyedRateLimiter<IpAddr>>);

impl AuthRateLimiter {
    /// `per_minute` requests per address and minute, in bursts of up to as many; 0 turns the
    /// limit off.
    pub fn new(per_minute: u32) -> Self {
        AuthRateLimiter(
            NonZeroU32::new(per_minute).map(|n| RateLimiter::keyed(Quota::per_minute(n))),
        )
    }

    /// `Err(seconds to wait)` when `ip` is over its quota.
    fn check(&self, ip: IpAddr) -> Result<(), u64> {
        let Some(limiter) = &self.0 else {
            return Ok(());
        };
        if limiter.len() > FORGET_ABOVE {
            limiter.retain_recent();
        }
        limiter.check_key(&ip).map_err(|not_until| {
            not_until
                .wait_time_from(DefaultClock::default().now())
                .as_secs()
                .max(1)
        })
    }
}

/// Whether requests to `path` count against the quota.
pub fn is_limited(path: &str) -> bool {
    LIMITED.iter().any(|p| path.starts_with(p))
}

pub async fn limit_auth(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let limited = is_limited(req.path());
    let ip = req.peer_addr().map(|addr| addr.ip());
    if let (true, Some(ip), Some(limiter)) =
        (limited, ip, req.app_data::<web::Data<AuthRateLimiter>>())
        && let Err(retry_after) = limiter.check(ip)
    {
        let response = ApiError::RateLimited { retry_after }.error_response();
        return Ok(req.into_response(response));
    }
    Ok(next.call(req).await?.map_into_boxed_body())
}
