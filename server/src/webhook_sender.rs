//! The webhook worker's HTTP client: a POST with a 10 s timeout, no redirects,
//! no proxies, and a resolver that refuses names pointing at addresses a hook
//! may not reach (`app::domain::webhooks::address_allowed`); the address used
//! is the one checked, so a name cannot be re-pointed between check and connect.

use app::domain::hook_delivery::{HookRequest, HookResponse, HookSender, KEPT_RESPONSE_BYTES};
use app::domain::webhooks::address_allowed;
use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use std::future::Future;
use std::net::IpAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

/// GitLab's webhook timeout.
const TIMEOUT: Duration = Duration::from_secs(10);

struct GuardedResolver {
    allow_local: bool,
}

#[derive(Debug, thiserror::Error)]
#[error("{0}")]
struct Refused(&'static str);

impl Resolve for GuardedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let allow_local = self.allow_local;
        Box::pin(async move {
            let addrs: Vec<std::net::SocketAddr> = tokio::net::lookup_host((name.as_str(), 0)).await?.collect();
            // One refused address refuses the name: a receiver's name should
            // not also point inside the network.
            if let Some(refusal) = addrs.iter().find_map(|a| address_allowed(a.ip(), allow_local).err()) {
                return Err(Box::new(Refused(refusal)) as Box<dyn std::error::Error + Send + Sync>);
            }
            Ok(Box::new(addrs.into_iter()) as Addrs)
        })
    }
}

/// One client per (TLS verification, local addresses allowed).
pub struct WebhookSender {
    clients: [[reqwest::Client; 2]; 2],
}

#[derive(Debug, thiserror::Error)]
#[error("webhook client: {0}")]
pub struct SenderError(#[from] reqwest::Error);

impl WebhookSender {
    pub fn new(user_agent: &str) -> Result<WebhookSender, SenderError> {
        let client = |verify: bool, allow_local: bool| {
            reqwest::Client::builder()
                .user_agent(user_agent)
                .timeout(TIMEOUT)
                .connect_timeout(TIMEOUT)
                .redirect(reqwest::redirect::Policy::none())
                .no_proxy()
                .danger_accept_invalid_certs(!verify)
                .dns_resolver(Arc::new(GuardedResolver { allow_local }))
                .build()
        };
        Ok(WebhookSender {
            clients: [[client(false, false)?, client(false, true)?], [client(true, false)?, client(true, true)?]],
        })
    }

    async fn post(&self, request: HookRequest) -> Result<HookResponse, String> {
        let url = reqwest::Url::parse(&request.url).map_err(|e| format!("Invalid url: {e}"))?;
        // Literal addresses never reach the resolver: check them here.
        let literal = match url.host() {
            Some(url::Host::Ipv4(v4)) => Some(IpAddr::V4(v4)),
            Some(url::Host::Ipv6(v6)) => Some(IpAddr::V6(v6)),
            _ => None,
        };
        if let Some(ip) = literal {
            address_allowed(ip, request.allow_local).map_err(str::to_string)?;
        }
        let client = &self.clients[usize::from(request.verify_tls)][usize::from(request.allow_local)];
        let mut post = client.post(url).body(request.body);
        for (name, value) in &request.headers {
            post = post.header(name, value);
        }
        let mut response = post.send().await.map_err(|err| describe(err.without_url()))?;
        let status = response.status().as_u16();
        let mut body = Vec::new();
        while body.len() < KEPT_RESPONSE_BYTES {
            match response.chunk().await {
                Ok(Some(chunk)) => body.extend_from_slice(&chunk),
                // A body cut off or too slow still leaves the status.
                Ok(None) | Err(_) => break,
            }
        }
        body.truncate(KEPT_RESPONSE_BYTES);
        Ok(HookResponse { status, body: String::from_utf8_lossy(&body).into_owned() })
    }
}

/// The error and its causes, innermost last (our refusals are a cause), given
/// without the URL: its credentials or query may be secret, and the message
/// is kept and shown.
fn describe(err: reqwest::Error) -> String {
    if err.is_timeout() {
        return "Request timed out (10 s)".to_string();
    }
    let mut text = err.to_string();
    let mut source = std::error::Error::source(&err);
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

impl HookSender for WebhookSender {
    fn send(&self, request: HookRequest) -> Pin<Box<dyn Future<Output = Result<HookResponse, String>> + Send + '_>> {
        Box::pin(self.post(request))
    }
}
