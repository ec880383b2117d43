//! The transport: one request, its retries, the shared rate limit, and the
//! mapping of Stripe's answers to typed errors.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use futures_util::Stream;
use reqwest::header::{AUTHORIZATION, CONTENT_TYPE, HeaderValue};
use reqwest::{Method, StatusCode};
use serde::de::DeserializeOwned;

use crate::clock::{Clock, SystemClock};
use crate::config::{API_VERSION, Endpoint, Timeouts, USER_AGENT};
use crate::error::{StripeError, from_answer};
use crate::form::Form;
use crate::key::ApiKey;
use crate::limiter::RateLimiter;
use crate::models::{HasId, List, Raw};
use crate::retry::{RetryPolicy, Verdict, verdict};

/// How a POST is made safe to retry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Idempotency {
    /// A fresh key for this call (its retries reuse it): for writes that
    /// move no money.
    Auto,
    /// A money movement: the key and operation id come from the caller's
    /// journal, where they were written before the call.
    Operation { key: String, operation_id: String },
}

impl Idempotency {
    pub fn operation(key: impl Into<String>, operation_id: impl Into<String>) -> Self {
        Self::Operation {
            key: key.into(),
            operation_id: operation_id.into(),
        }
    }
}

/// The metadata key that ties a Stripe object to Till's journal entry.
pub const OPERATION_METADATA_KEY: &str = "till_operation_id";

#[derive(Debug)]
struct Inner {
    http: reqwest::Client,
    endpoint: Endpoint,
    key: ApiKey,
    limiter: Arc<RateLimiter>,
    policy: RetryPolicy,
    clock: Arc<dyn Clock>,
    rng: Mutex<fastrand::Rng>,
    /// Stripe's clock minus this computer's, in seconds, from the `Date`
    /// header of the last answer (`i64::MIN` until one came).
    skew: std::sync::atomic::AtomicI64,
}

/// A client for one account. Cheap to clone; clones share the rate limit.
#[derive(Debug, Clone)]
pub struct StripeClient {
    inner: Arc<Inner>,
}

/// Builds a [`StripeClient`].
#[derive(Debug)]
pub struct ClientBuilder {
    key: ApiKey,
    endpoint: Option<Endpoint>,
    limiter: Option<Arc<RateLimiter>>,
    rate: Option<f64>,
    policy: RetryPolicy,
    clock: Arc<dyn Clock>,
    timeouts: Timeouts,
    seed: Option<u64>,
}

impl ClientBuilder {
    pub fn new(key: ApiKey) -> Self {
        Self {
            key,
            endpoint: None,
            limiter: None,
            rate: None,
            policy: RetryPolicy::default(),
            clock: Arc::new(SystemClock::default()),
            timeouts: Timeouts::default(),
            seed: None,
        }
    }

    /// Where to send requests (default: `TILL_STRIPE_API_BASE`, else Stripe).
    pub fn endpoint(mut self, endpoint: Endpoint) -> Self {
        self.endpoint = Some(endpoint);
        self
    }

    /// Shares a rate limiter with other clients of the same account.
    pub fn limiter(mut self, limiter: Arc<RateLimiter>) -> Self {
        self.limiter = Some(limiter);
        self
    }

    /// Requests per second, when no shared limiter is given.
    pub fn rate(mut self, per_second: f64) -> Self {
        self.rate = Some(per_second);
        self
    }

    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.policy = policy;
        self
    }

    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    pub fn timeouts(mut self, timeouts: Timeouts) -> Self {
        self.timeouts = timeouts;
        self
    }

    /// Seeds the backoff jitter, for repeatable tests.
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = Some(seed);
        self
    }

    /// Refuses a live key aimed anywhere but Stripe or loopback before a
    /// single byte is sent.
    pub fn build(self) -> Result<StripeClient, StripeError> {
        let endpoint = match self.endpoint {
            Some(endpoint) => endpoint,
            None => Endpoint::from_env()?,
        };
        endpoint.check_key(&self.key)?;
        // reqwest is built without a default crypto provider; ring is the
        // one already in the app. Installing twice is harmless.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let http = reqwest::Client::builder()
            .user_agent(USER_AGENT)
            .connect_timeout(self.timeouts.connect)
            .timeout(self.timeouts.total)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|err| StripeError::BadEndpoint {
                url: endpoint.base().to_owned(),
                reason: err.to_string(),
            })?;
        let limiter = self.limiter.unwrap_or_else(|| {
            let rate = self
                .rate
                .unwrap_or_else(|| RateLimiter::default_rate(self.key.mode()));
            Arc::new(RateLimiter::new(rate, Arc::clone(&self.clock)))
        });
        let rng = match self.seed {
            Some(seed) => fastrand::Rng::with_seed(seed),
            None => fastrand::Rng::new(),
        };
        Ok(StripeClient {
            inner: Arc::new(Inner {
                http,
                endpoint,
                key: self.key,
                limiter,
                policy: self.policy,
                clock: self.clock,
                rng: Mutex::new(rng),
                skew: std::sync::atomic::AtomicI64::new(i64::MIN),
            }),
        })
    }
}

/// The error code in an error body, without parsing the rest.
fn error_code(body: &[u8]) -> Option<String> {
    let value: serde_json::Value = serde_json::from_slice(body).ok()?;
    value["error"]["code"].as_str().map(str::to_owned)
}

impl StripeClient {
    pub fn builder(key: ApiKey) -> ClientBuilder {
        ClientBuilder::new(key)
    }

    pub fn key(&self) -> &ApiKey {
        &self.inner.key
    }

    pub fn endpoint(&self) -> &Endpoint {
        &self.inner.endpoint
    }

    pub fn limiter(&self) -> &Arc<RateLimiter> {
        &self.inner.limiter
    }

    /// How far Stripe's clock is ahead of this computer's (negative: behind),
    /// in seconds, as its last answer's `Date` header said; `None` before
    /// any answer. The header has whole seconds, and the answer took its
    /// time to arrive: differences of a few seconds mean nothing.
    pub fn clock_skew(&self) -> Option<i64> {
        match self.inner.skew.load(std::sync::atomic::Ordering::Relaxed) {
            i64::MIN => None,
            skew => Some(skew),
        }
    }

    fn note_server_date(&self, date: &HeaderValue) {
        let Some(server) = date
            .to_str()
            .ok()
            .and_then(|text| httpdate::parse_http_date(text).ok())
        else {
            return;
        };
        let seconds = |t: std::time::SystemTime| {
            t.duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
        };
        let skew = seconds(server) - seconds(std::time::SystemTime::now());
        self.inner
            .skew
            .store(skew, std::sync::atomic::Ordering::Relaxed);
    }

    pub(crate) async fn get<T: DeserializeOwned>(
        &self,
        path: &str,
        query: Form,
    ) -> Result<T, StripeError> {
        self.execute(Method::GET, path, query, None).await
    }

    /// A POST with its idempotency key. For an operation, `carries_metadata`
    /// says whether the endpoint takes metadata, where the operation id goes.
    pub(crate) async fn post<T: DeserializeOwned>(
        &self,
        path: &str,
        mut form: Form,
        idempotency: Idempotency,
        carries_metadata: bool,
    ) -> Result<T, StripeError> {
        let key = match idempotency {
            Idempotency::Auto => uuid::Uuid::new_v4().to_string(),
            Idempotency::Operation { key, operation_id } => {
                if carries_metadata {
                    form = form.set(&format!("metadata[{OPERATION_METADATA_KEY}]"), operation_id);
                }
                key
            }
        };
        self.execute(Method::POST, path, form, Some(key)).await
    }

    fn backoff(&self, retry: u32) -> std::time::Duration {
        let mut rng = self
            .inner
            .rng
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        self.inner.policy.delay(retry, &mut rng)
    }

    async fn execute<T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        form: Form,
        idempotency_key: Option<String>,
    ) -> Result<T, StripeError> {
        let inner = &self.inner;
        inner.endpoint.check_key(&inner.key)?;
        let write = method == Method::POST;
        let body = form.encode();
        let url = if write || body.is_empty() {
            format!("{}{path}", inner.endpoint.base())
        } else {
            format!("{}{path}?{body}", inner.endpoint.base())
        };
        let mut auth = HeaderValue::from_str(&format!("Bearer {}", inner.key.expose_secret()))
            .map_err(|_| StripeError::BadKey(crate::key::KeyError::Malformed))?;
        auth.set_sensitive(true);
        // Named in every error and warning; the query (filters) and the key
        // stay out of it.
        let request_line = format!("{method} {path}");
        let mut retries = 0u32;
        let mut limited = 0u32;
        loop {
            inner.limiter.acquire().await;
            let mut request = inner
                .http
                .request(method.clone(), &url)
                .header(AUTHORIZATION, auth.clone())
                .header("Stripe-Version", API_VERSION);
            if write {
                request = request
                    .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
                    .body(body.clone());
            }
            if let Some(key) = &idempotency_key {
                request = request.header("Idempotency-Key", key);
            }
            let attempt = retries + limited + 1;
            let answer = match request.send().await {
                Ok(response) => {
                    let status = response.status();
                    let headers = response.headers().clone();
                    response.bytes().await.map(|bytes| (status, headers, bytes))
                }
                Err(err) => Err(err),
            };
            let (status, headers, bytes) = match answer {
                Ok(answer) => answer,
                Err(err) => {
                    let reason = if err.is_timeout() {
                        "timed out".to_owned()
                    } else {
                        format!("connection failed: {}", err.without_url())
                    };
                    tracing::debug!(%method, path, attempt, %reason, "Stripe request failed");
                    if retries < inner.policy.max_retries {
                        let wait = self.backoff(retries);
                        retries += 1;
                        inner.clock.sleep(wait).await;
                        continue;
                    }
                    tracing::warn!(request = %request_line, attempt, %reason, "Stripe could not be reached");
                    return Err(if write {
                        StripeError::OutcomeUnknown {
                            reason,
                            request_id: None,
                            request: request_line,
                        }
                    } else {
                        StripeError::Network {
                            reason,
                            request: request_line,
                        }
                    });
                }
            };
            let request_id = headers
                .get("request-id")
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned);
            tracing::debug!(%method, path, attempt, status = status.as_u16(), request_id = request_id.as_deref().unwrap_or(""), "Stripe answered");
            if let Some(date) = headers.get(reqwest::header::DATE) {
                self.note_server_date(date);
            }
            if status.is_success() {
                inner.limiter.recovered();
                return serde_json::from_slice(&bytes).map_err(|err| {
                    tracing::warn!(request = %request_line, request_id = request_id.as_deref().unwrap_or(""), error = %err, "Stripe's answer could not be read");
                    StripeError::Decode {
                        reason: err.to_string(),
                        request_id,
                        request: request_line.clone(),
                    }
                });
            }
            let should_retry = headers
                .get("stripe-should-retry")
                .and_then(|v| v.to_str().ok())
                .map(|v| v == "true");
            let limited_reason = headers.contains_key("stripe-rate-limited-reason");
            let code = error_code(&bytes);
            match verdict(status, should_retry, limited_reason, code.as_deref()) {
                Verdict::RateLimited if limited < inner.policy.max_rate_limited_waits => {
                    inner.limiter.slow_down();
                    limited += 1;
                }
                Verdict::Retry if retries < inner.policy.max_retries => {
                    let wait = self.backoff(retries);
                    retries += 1;
                    inner.clock.sleep(wait).await;
                }
                _ if status == StatusCode::CONFLICT && write => {
                    return Err(StripeError::OutcomeUnknown {
                        reason: "the same request is still being processed by Stripe".to_owned(),
                        request_id,
                        request: request_line,
                    });
                }
                _ => {
                    let err =
                        from_answer(status.as_u16(), &bytes, request_id, write, &request_line);
                    tracing::warn!(status = status.as_u16(), error = %err, request_id = err.request_id().unwrap_or(""), "Stripe refused or failed a request");
                    return Err(err);
                }
            }
        }
    }

    /// Every object of a list endpoint, newest first, page by page (100 at a
    /// time), as a stream.
    pub(crate) fn stream<T>(
        &self,
        path: String,
        query: Form,
    ) -> impl Stream<Item = Result<Raw<T>, StripeError>> + Send + 'static
    where
        T: DeserializeOwned + HasId + Send + 'static,
    {
        struct State<T> {
            client: StripeClient,
            path: String,
            query: Form,
            cursor: Option<String>,
            buffer: VecDeque<Raw<T>>,
            done: bool,
        }
        let state = State {
            client: self.clone(),
            path,
            query,
            cursor: None,
            buffer: VecDeque::new(),
            done: false,
        };
        futures_util::stream::unfold(state, |mut state| async move {
            loop {
                if let Some(item) = state.buffer.pop_front() {
                    return Some((Ok(item), state));
                }
                if state.done {
                    return None;
                }
                let mut query = state.query.clone().set("limit", 100);
                if let Some(cursor) = &state.cursor {
                    query = query.set("starting_after", cursor);
                }
                match state.client.get::<List<Raw<T>>>(&state.path, query).await {
                    Ok(page) => {
                        state.done = !page.has_more || page.data.is_empty();
                        state.cursor = page.data.last().map(|item| item.object.id().to_owned());
                        state.buffer.extend(page.data);
                    }
                    Err(err) => {
                        state.done = true;
                        return Some((Err(err), state));
                    }
                }
            }
        })
    }
}
