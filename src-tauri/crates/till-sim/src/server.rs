//! The HTTP side: one thread with its own Tokio runtime, serving HTTP/1.1 on
//! 127.0.0.1. A dropped connection is a service error, which makes hyper
//! close the connection without an answer.

use std::net::{SocketAddr, TcpListener as StdListener};
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use http_body_util::{BodyExt, Full};
use hyper::body::{Bytes, Incoming};
use hyper::header::HeaderValue;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use serde_json::Value;
use tokio::sync::watch;

use crate::api::error::ApiError;
use crate::api::form::{self, Params};
use crate::api::{Ctx, Route, routes};
use crate::auth::{authenticate, bearer_key, header, redact};
use crate::faults::{self, AfterCommit, Committed, Faults};
use crate::state::{Account, Idempotent, KeyInfo, KeyKind, World};

#[derive(Debug, Clone)]
pub struct SimConfig {
    /// 0 picks a free port.
    pub port: u16,
    pub latency: Duration,
    /// Requests per second per account; 0 switches the limiter off.
    pub rate_limit: u32,
    /// Seeds ids and fault draws, so a run can be repeated.
    pub seed: u64,
    /// History for the demo account (`--demo`, `--seed-payments`).
    pub history: Option<crate::seed::SeedSpec>,
    /// When set, the controls (`/_sim/…`) answer only requests that carry
    /// it in the [`CONTROL_TOKEN_HEADER`] header: the app's in-process demo
    /// sets a random one, so no other local process can register keys,
    /// inject faults or move the clock. The hosted pages (`/pay/…`) stay
    /// open, as Stripe's are.
    pub control_token: Option<String>,
}

/// The header that carries [`SimConfig::control_token`].
pub const CONTROL_TOKEN_HEADER: &str = "till-sim-token";

impl Default for SimConfig {
    fn default() -> Self {
        Self {
            port: 0,
            latency: Duration::ZERO,
            rate_limit: 25,
            seed: 0x5717,
            history: None,
            control_token: None,
        }
    }
}

/// The connection is dropped instead of answered.
#[derive(Debug)]
struct DropConnection;

impl std::fmt::Display for DropConnection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("connection dropped by fault injection")
    }
}

impl std::error::Error for DropConnection {}

/// State shared by every connection.
#[derive(Debug)]
pub struct Shared {
    pub world: Mutex<World>,
    pub faults: Mutex<Faults>,
    pub rng: Mutex<fastrand::Rng>,
    /// Seconds added to the wall clock (the controls advance it).
    pub clock_offset: AtomicI64,
    pub base_url: String,
    pub default_rate: u32,
    /// See [`SimConfig::control_token`].
    pub control_token: Option<String>,
    /// Stripe API requests answered (not the controls), by method.
    pub reads: std::sync::atomic::AtomicU64,
    pub writes: std::sync::atomic::AtomicU64,
    /// When each Stripe API request arrived: what a client's rate limit
    /// is checked against ([`Simulator::busiest`]).
    pub arrivals: Mutex<Vec<std::time::Instant>>,
    /// In-process tests only: see [`Simulator::set_after_commit`].
    pub after_commit: Mutex<Option<AfterCommit>>,
    pub injected: faults::Tally,
}

/// Locks a mutex, recovering the data if a panicking thread poisoned it: a
/// request that panicked must not take the whole simulator down with it.
pub fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl Shared {
    /// The simulator's clock: the wall clock, advanced by the controls and
    /// skewed by [`Faults::clock_skew_seconds`].
    pub fn now(&self) -> i64 {
        let wall = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0);
        let skew = lock(&self.faults).clock_skew_seconds;
        i64::try_from(wall)
            .unwrap_or(i64::MAX)
            .saturating_add(self.clock_offset.load(Ordering::Relaxed))
            .saturating_add(skew)
    }

    fn rate(&self) -> u32 {
        lock(&self.faults).rate_limit.unwrap_or(self.default_rate)
    }

    /// Plays `spec`'s history into an account, ending now.
    pub fn seed_account(
        &self,
        account_id: &str,
        spec: crate::seed::SeedSpec,
    ) -> crate::seed::SeedReport {
        let now = self.now();
        let mut world = lock(&self.world);
        match world.accounts.get_mut(account_id) {
            Some(account) => crate::seed::seed(account, spec, now, &self.base_url),
            None => crate::seed::SeedReport::default(),
        }
    }

    /// Opens an account and gives it a secret test key.
    pub fn open_account(&self, name: &str) -> (String, String) {
        let (account_id, key) = {
            let mut rng = lock(&self.rng);
            (
                format!("acct_{}", random_token(&mut rng, 16)),
                format!("sk_test_{}", random_token(&mut rng, 32)),
            )
        };
        let mut world = lock(&self.world);
        world.accounts.insert(
            account_id.clone(),
            Account::new(account_id.clone(), name.to_owned(), self.default_rate),
        );
        world.keys.insert(
            key.clone(),
            KeyInfo {
                account: account_id.clone(),
                live: false,
                kind: KeyKind::Secret,
                revoked: false,
            },
        );
        (account_id, key)
    }
}

pub fn random_token(rng: &mut fastrand::Rng, len: usize) -> String {
    (0..len).map(|_| rng.alphanumeric()).collect()
}

/// A running simulator. Dropping it stops the server.
#[derive(Debug)]
pub struct Simulator {
    shared: Arc<Shared>,
    addr: SocketAddr,
    demo_key: String,
    report: crate::seed::SeedReport,
    stop: watch::Sender<bool>,
    thread: Option<JoinHandle<()>>,
}

impl Simulator {
    /// Binds 127.0.0.1 and starts serving on a thread of its own. A demo
    /// account ("Demo") exists from the start; its key is [`Self::demo_key`].
    pub fn start(config: SimConfig) -> std::io::Result<Self> {
        let listener = StdListener::bind(("127.0.0.1", config.port))?;
        listener.set_nonblocking(true)?;
        let addr = listener.local_addr()?;
        let shared = Arc::new(Shared {
            world: Mutex::new(World::default()),
            faults: Mutex::new(Faults {
                latency_ms: u64::try_from(config.latency.as_millis()).unwrap_or(u64::MAX),
                ..Faults::default()
            }),
            rng: Mutex::new(fastrand::Rng::with_seed(config.seed)),
            clock_offset: AtomicI64::new(0),
            reads: std::sync::atomic::AtomicU64::new(0),
            writes: std::sync::atomic::AtomicU64::new(0),
            arrivals: Mutex::new(Vec::new()),
            after_commit: Mutex::new(None),
            injected: faults::Tally::default(),
            base_url: format!("http://{addr}"),
            default_rate: config.rate_limit,
            control_token: config.control_token,
        });
        let (demo_account, demo_key) = shared.open_account("Demo");
        let report = config
            .history
            .map(|spec| shared.seed_account(&demo_account, spec))
            .unwrap_or_default();
        let (stop, stopped) = watch::channel(false);
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("till-sim")
            .enable_all()
            .build()?;
        let serving = Arc::clone(&shared);
        let thread = std::thread::Builder::new()
            .name("till-sim".to_owned())
            .spawn(move || {
                runtime.block_on(serve(listener, serving, stopped));
            })?;
        Ok(Self {
            shared,
            addr,
            demo_key,
            report,
            stop,
            thread: Some(thread),
        })
    }

    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Stripe API reads (GETs) answered so far: what counts against
    /// Stripe's read allowance.
    pub fn reads(&self) -> u64 {
        self.shared.reads.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Stripe API writes (POSTs, DELETEs) answered so far.
    pub fn writes(&self) -> u64 {
        self.shared
            .writes
            .load(std::sync::atomic::Ordering::Relaxed)
    }

    /// The most Stripe API requests that arrived within any `window` since
    /// `since` (every account together), and the requests counted.
    pub fn busiest(
        &self,
        since: std::time::Instant,
        window: std::time::Duration,
    ) -> (usize, usize) {
        let arrivals: Vec<_> = lock(&self.shared.arrivals)
            .iter()
            .copied()
            .filter(|at| *at >= since)
            .collect();
        (busiest(&arrivals, window), arrivals.len())
    }

    /// Every account's PaymentIntents: how many, and the id of the oldest
    /// (the last of a list sorted newest first by creation, then id), for
    /// tests that check a client's list against the truth.
    pub fn payment_intents(&self) -> (usize, Option<String>) {
        let world = lock(&self.shared.world);
        let all = world
            .accounts
            .values()
            .flat_map(|a| a.payment_intents.newest_first());
        let mut count = 0;
        let mut oldest: Option<(i64, &str)> = None;
        for (id, pi) in all {
            count += 1;
            if oldest.is_none_or(|o| (pi.created, id) < o) {
                oldest = Some((pi.created, id));
            }
        }
        (count, oldest.map(|(_, id)| id.to_owned()))
    }

    pub fn demo_key(&self) -> &str {
        &self.demo_key
    }

    /// What seeding the demo account made.
    pub fn seed_report(&self) -> crate::seed::SeedReport {
        self.report
    }

    pub fn shared(&self) -> &Arc<Shared> {
        &self.shared
    }

    /// Calls `hook` after each POST commits (its change made, its answer
    /// stored under its key), before the answer is sent; when the hook
    /// returns `true` the connection is dropped instead. A test kills its
    /// client process there: the server committed, the client never heard.
    pub fn set_after_commit(&self, hook: impl Fn(&Committed) -> bool + Send + Sync + 'static) {
        *lock(&self.shared.after_commit) = Some(AfterCommit(Arc::new(hook)));
    }

    pub fn clear_after_commit(&self) {
        *lock(&self.shared.after_commit) = None;
    }

    /// How many times each fault was injected so far.
    pub fn injected(&self) -> std::collections::BTreeMap<String, u64> {
        self.shared.injected.counts()
    }
}

impl Drop for Simulator {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

async fn serve(listener: StdListener, shared: Arc<Shared>, mut stopped: watch::Receiver<bool>) {
    let listener = match tokio::net::TcpListener::from_std(listener) {
        Ok(listener) => listener,
        Err(err) => {
            tracing::error!(error = %err, "till-sim cannot listen");
            return;
        }
    };
    loop {
        tokio::select! {
            _ = stopped.changed() => return,
            accepted = listener.accept() => {
                let Ok((stream, _)) = accepted else { continue };
                let _ = stream.set_nodelay(true);
                let shared = Arc::clone(&shared);
                tokio::spawn(async move {
                    // Each request runs as a task of its own: as at Stripe, a
                    // client that times out or dies mid-request cancels
                    // nothing (hyper would drop the handler with the
                    // connection, leaving its idempotency key in flight).
                    let service = hyper::service::service_fn(move |req| {
                        let request = tokio::spawn(handle(Arc::clone(&shared), req));
                        async move { request.await.unwrap_or(Err(DropConnection)) }
                    });
                    // Every answer carries the simulator's own `Date` (see
                    // `handle`), never hyper's from the wall clock.
                    let _ = hyper::server::conn::http1::Builder::new()
                        .auto_date_header(false)
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
        }
    }
}

pub type Reply = Response<Full<Bytes>>;

/// The most instants within any `window`, over instants in arrival order.
fn busiest(arrivals: &[std::time::Instant], window: std::time::Duration) -> usize {
    let mut first = 0;
    let mut most = 0;
    for (last, at) in arrivals.iter().enumerate() {
        while at.duration_since(arrivals[first]) >= window {
            first += 1;
        }
        most = most.max(last - first + 1);
    }
    most
}

pub fn json_reply(status: u16, body: &Value, request_id: &str) -> Reply {
    let mut response = Response::new(Full::new(Bytes::from(body.to_string())));
    *response.status_mut() =
        hyper::StatusCode::from_u16(status).unwrap_or(hyper::StatusCode::INTERNAL_SERVER_ERROR);
    let headers = response.headers_mut();
    headers.insert("content-type", HeaderValue::from_static("application/json"));
    if let Ok(value) = HeaderValue::from_str(request_id) {
        headers.insert("request-id", value);
    }
    response
}

fn error_reply(err: &ApiError, request_id: &str) -> Reply {
    let mut reply = json_reply(err.status, &err.body(), request_id);
    if let Some(retry) = err.should_retry {
        reply.headers_mut().insert(
            "stripe-should-retry",
            HeaderValue::from_static(if retry { "true" } else { "false" }),
        );
    }
    reply
}

/// Whether a request may use the controls: always, unless a token is set.
fn controls_allowed(shared: &Shared, headers: &hyper::HeaderMap) -> bool {
    match &shared.control_token {
        None => true,
        Some(token) => header(headers, CONTROL_TOKEN_HEADER) == Some(token.as_str()),
    }
}

async fn handle(shared: Arc<Shared>, req: Request<Incoming>) -> Result<Reply, DropConnection> {
    let request_id = format!("req_{}", random_token(&mut lock(&shared.rng), 14));
    let version = header(req.headers(), "stripe-version")
        .unwrap_or(crate::API_VERSION)
        .to_owned();
    let path = req.uri().path().to_owned();
    let idempotency_key = header(req.headers(), "idempotency-key").map(str::to_owned);
    let mut reply = if path.starts_with("/_sim/") && !controls_allowed(&shared, req.headers()) {
        Ok(error_reply(
            &ApiError::authentication("The simulator's controls need its token."),
            &request_id,
        ))
    } else if path.starts_with("/_sim/") || path.starts_with("/pay/") {
        Ok(crate::controls::handle(&shared, req, &request_id).await)
    } else {
        let counter = if req.method() == hyper::Method::GET {
            &shared.reads
        } else {
            &shared.writes
        };
        counter.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        lock(&shared.arrivals).push(std::time::Instant::now());
        api(&shared, req, &request_id).await
    }?;
    let date = httpdate::fmt_http_date(
        UNIX_EPOCH + Duration::from_secs(u64::try_from(shared.now()).unwrap_or(0)),
    );
    let headers = reply.headers_mut();
    if let Ok(value) = HeaderValue::from_str(&date) {
        headers.insert(hyper::header::DATE, value);
    }
    if let Ok(value) = HeaderValue::from_str(&version) {
        headers.insert("stripe-version", value);
    }
    if let Some(key) = idempotency_key.and_then(|k| HeaderValue::from_str(&k).ok()) {
        headers.insert("idempotency-key", key);
    }
    Ok(reply)
}

async fn api(
    shared: &Shared,
    req: Request<Incoming>,
    request_id: &str,
) -> Result<Reply, DropConnection> {
    let method = req.method().as_str().to_owned();
    let path = req.uri().path().to_owned();
    let query = req.uri().query().unwrap_or("").to_owned();

    // Transport faults: answered before anything is looked at, never stored.
    let injected = {
        let mut faults = lock(&shared.faults);
        let mut rng = lock(&shared.rng);
        let f = &mut *faults;
        if faults::hit(&mut f.error_429_next, f.error_429_rate, &mut rng) {
            Some(("error_429", ApiError::lock_timeout()))
        } else if faults::hit(&mut f.error_500_next, f.error_500_rate, &mut rng) {
            Some(("error_500", ApiError::server_error(500)))
        } else if faults::hit(&mut f.error_503_next, f.error_503_rate, &mut rng) {
            Some(("error_503", ApiError::server_error(503)))
        } else {
            None
        }
    };
    if let Some((fault, err)) = injected {
        shared.injected.add(fault);
        return Ok(error_reply(&err, request_id));
    }

    let key = match authenticate(shared, req.headers()) {
        Ok(key) => key,
        Err(err) => return Ok(error_reply(&err, request_id)),
    };
    let rate = shared.rate();
    if rate > 0 {
        let allowed = lock(&shared.world)
            .accounts
            .get_mut(&key.account)
            .is_some_and(|a| a.bucket.take(rate));
        if !allowed {
            let mut reply = error_reply(&ApiError::rate_limited(), request_id);
            reply.headers_mut().insert(
                "stripe-rate-limited-reason",
                HeaderValue::from_static("global-rate"),
            );
            return Ok(reply);
        }
    }

    let table = routes();
    let gone = lock(&shared.faults).path_not_found(&path);
    let Some((route, args)) = table
        .iter()
        .filter(|_| !gone)
        .find_map(|r| r.matches(&method, &path).map(|args| (*r, args)))
    else {
        return Ok(error_reply(
            &ApiError::unrecognized_url(&method, &path),
            request_id,
        ));
    };
    // The permission comes before any look-up, so probing one has no side effect.
    if key.access(route.resource) < route.access {
        let account = key.account.clone();
        let bearer = bearer_key(req.headers()).unwrap_or_default();
        return Ok(error_reply(
            &ApiError::permission(&redact(&bearer), &account, &route.permission()),
            request_id,
        ));
    }
    let refused = lock(&shared.faults).refused_param(&method, &path, &query);
    if let Some(param) = refused {
        return Ok(error_reply(&ApiError::unknown_param(&param), request_id));
    }

    let idempotency_key = header(req.headers(), "idempotency-key").map(str::to_owned);
    let body = if method == "POST" {
        match req.into_body().collect().await {
            Ok(collected) => collected.to_bytes(),
            Err(_) => return Err(DropConnection),
        }
    } else {
        Bytes::from(query.clone().into_bytes())
    };
    let params = match form::decode(&body) {
        Ok(nodes) => Params::new(nodes),
        Err(err) => return Ok(error_reply(&err, request_id)),
    };
    if method == "POST" && !query.is_empty() {
        return Ok(error_reply(
            &ApiError::invalid_request("POST parameters go in the body, not the query string."),
            request_id,
        ));
    }

    let is_post = method == "POST";
    let idem = if is_post {
        idempotency_key.clone()
    } else {
        None
    };
    if let Some(idem_key) = &idem {
        if idem_key.len() > 255 {
            return Ok(error_reply(
                &ApiError::invalid_param(
                    "Idempotency-Key",
                    "Idempotency keys can be at most 255 characters.".to_owned(),
                ),
                request_id,
            ));
        }
        let fingerprint = format!("{method} {path} {}", params.to_json());
        let mut world = lock(&shared.world);
        let Some(account) = world.accounts.get_mut(&key.account) else {
            return Ok(error_reply(&ApiError::server_error(500), request_id));
        };
        match account.idempotency.get(idem_key) {
            Some(Idempotent::Done {
                fingerprint: stored,
                status,
                body,
                ..
            }) => {
                if *stored != fingerprint {
                    return Ok(error_reply(
                        &ApiError::idempotency_mismatch(idem_key),
                        request_id,
                    ));
                }
                let mut body = body.clone();
                omit_fields(shared, &mut body);
                let mut reply = json_reply(*status, &body, request_id);
                reply
                    .headers_mut()
                    .insert("idempotent-replayed", HeaderValue::from_static("true"));
                return Ok(reply);
            }
            Some(Idempotent::InFlight { .. }) => {
                return Ok(error_reply(
                    &ApiError::idempotency_in_use(idem_key),
                    request_id,
                ));
            }
            None => {
                account
                    .idempotency
                    .insert(idem_key.clone(), Idempotent::InFlight { fingerprint });
            }
        }
    }

    // Latency stands for Stripe's processing time: a second request with the
    // same key arriving now finds it in flight.
    let (delay, slow, drop_before, drop_after, stored_500) = {
        let mut faults = lock(&shared.faults);
        let mut rng = lock(&shared.rng);
        let f = &mut *faults;
        let jitter = if f.jitter_ms > 0 {
            rng.u64(0..=f.jitter_ms)
        } else {
            0
        };
        let slow = if faults::hit(&mut f.slow_next, f.slow_rate, &mut rng) {
            shared.injected.add("slow");
            f.slow_ms
        } else {
            0
        };
        let delay = Duration::from_millis(f.latency_ms + jitter + slow);
        let slow = slow > 0;
        if is_post {
            (
                delay,
                slow,
                faults::hit(
                    &mut f.drop_before_commit_next,
                    f.drop_before_commit_rate,
                    &mut rng,
                ),
                faults::hit(
                    &mut f.drop_after_commit_next,
                    f.drop_after_commit_rate,
                    &mut rng,
                ),
                faults::hit(&mut f.stored_500_next, f.stored_500_rate, &mut rng),
            )
        } else {
            (delay, slow, false, false, false)
        }
    };
    if !delay.is_zero() {
        tokio::time::sleep(delay).await;
    }
    if drop_before {
        shared.injected.add("drop_before_commit");
        if let Some(idem_key) = &idem
            && let Some(account) = lock(&shared.world).accounts.get_mut(&key.account)
        {
            account.idempotency.remove(idem_key);
        }
        return Err(DropConnection);
    }

    let imperfections = lock(&shared.faults).imperfections();
    let (status, body, committed) = {
        let mut world = lock(&shared.world);
        let now = shared.now();
        let mut rng = lock(&shared.rng);
        let Some(account) = world.accounts.get_mut(&key.account) else {
            return Ok(error_reply(&ApiError::server_error(500), request_id));
        };
        let mut ctx = Ctx::at(
            account,
            &mut rng,
            &shared.base_url,
            now,
            key.live,
            request_id,
        );
        ctx.idempotency_key = idem.as_deref();
        ctx.imperfections = imperfections;
        crate::time::advance(&mut ctx);
        let result = run(route, &mut ctx, &args, params);
        let (status, body, validation) = match result {
            Ok(value) => (200, value, false),
            Err(err) => {
                let validation = err.status == 400
                    && err
                        .code
                        .as_deref()
                        .is_some_and(|c| c.starts_with("parameter_"));
                (err.status, err.body(), validation)
            }
        };
        let (status, body) = if stored_500 {
            shared.injected.add("stored_500");
            (500, ApiError::server_error(500).body())
        } else {
            (status, body)
        };
        let committed = is_post && (!validation || stored_500);
        if let Some(idem_key) = &idem {
            if validation && !stored_500 {
                ctx.account.idempotency.remove(idem_key);
            } else if let Some(Idempotent::InFlight { fingerprint }) =
                ctx.account.idempotency.remove(idem_key)
            {
                ctx.account.idempotency.insert(
                    idem_key.clone(),
                    Idempotent::Done {
                        fingerprint,
                        created: now,
                        status,
                        body: body.clone(),
                    },
                );
            }
        }
        (status, body, committed)
    };
    let hook = lock(&shared.after_commit).clone().filter(|_| committed);
    if let Some(AfterCommit(hook)) = hook {
        let drop = hook(&Committed {
            method,
            path,
            status,
            idempotency_key: idem,
            slow,
        });
        if drop {
            return Err(DropConnection);
        }
    }
    if drop_after {
        shared.injected.add("drop_after_commit");
        return Err(DropConnection);
    }
    let mut body = body;
    omit_fields(shared, &mut body);
    let mut reply = json_reply(status, &body, request_id);
    if status == 500 {
        reply
            .headers_mut()
            .insert("stripe-should-retry", HeaderValue::from_static("true"));
    }
    Ok(reply)
}

/// Applies [`Faults::omit_fields`] to an answer.
fn omit_fields(shared: &Shared, body: &mut Value) {
    let omitted = lock(&shared.faults).omit_fields.clone();
    if !omitted.is_empty() {
        faults::omit_fields(&omitted, body);
    }
}

fn run(
    route: Route,
    ctx: &mut Ctx<'_>,
    args: &[String],
    params: Params,
) -> Result<Value, ApiError> {
    match (route.handler)(ctx, args, params) {
        // A retrieve that finds nothing falls back to the loaded fixtures.
        Err(err) if err.status == 404 && route.method == "GET" && route.path.ends_with('}') => args
            .first()
            .and_then(|id| ctx.account.fixtures.get(id))
            .filter(|object| object["object"] == route.object_name())
            .cloned()
            .ok_or(err),
        result => result,
    }
}

#[cfg(test)]
mod busiest_tests {
    use std::time::{Duration, Instant};

    #[test]
    fn the_busiest_window_is_counted_sliding() {
        let start = Instant::now();
        let at = |ms: u64| start + Duration::from_millis(ms);
        // 3 in the first second, then 4 straddling 1.5 s to 2.4 s.
        let arrivals = [
            at(0),
            at(100),
            at(900),
            at(1500),
            at(1800),
            at(2100),
            at(2400),
            at(4000),
        ];
        assert_eq!(super::busiest(&arrivals, Duration::from_secs(1)), 4);
        assert_eq!(super::busiest(&arrivals, Duration::from_millis(100)), 1);
        assert_eq!(super::busiest(&arrivals, Duration::from_secs(5)), 8);
        assert_eq!(super::busiest(&[], Duration::from_secs(1)), 0);
    }
}
