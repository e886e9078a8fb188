//! `spawn_app()`: a gateway on port 0 in front of the fake svc-auth.
use std::sync::Arc;

use gateway::config::Settings;
use gateway::startup::Application;
use serde_json::Value;

pub struct TestApp {
    pub base: String,
    pub client: reqwest::Client,
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// POSTs a JSON body and returns (status, body).
    pub async fn post_json(&self, path: &str, body: &Value) -> (u16, Value) {
        let response = self
            .client
            .post(self.url(path))
            .json(body)
            .send()
            .await
            .expect("request");
        read(response).await
    }
}

pub async fn read(response: reqwest::Response) -> (u16, Value) {
    let status = response.status().as_u16();
    let body = response.json().await.expect("a JSON body");
    (status, body)
}

/// A gateway whose four endpoints all point at the fake (so `/readyz` can be ready).
pub async fn spawn_app() -> TestApp {
    spawn_with(&[]).await
}

/// With extra setting overrides (keys like `gateway.rate_limit_per_minute`).
pub async fn spawn_with(overrides: &[(&str, String)]) -> TestApp {
    let auth = crate::fake_auth::spawn().await;
    let mut all: Vec<(&str, String)> = vec![
        ("gateway.listen", "127.0.0.1:0".to_owned()),
        ("gateway.workers", "1".to_owned()),
        ("endpoints.auth", auth.clone()),
        ("endpoints.yibiaosanshi", auth.clone()),
        ("endpoints.orders", auth.clone()),
        ("endpoints.community", auth),
        ("endpoints.timeout_ms", "2000".to_owned()),
    ];
    all.extend(overrides.iter().cloned());
    let settings: Settings = kit::settings::load_with(&all).expect("settings");
    let cache: kit::cache::SharedCache = Arc::new(kit::cache::MemoryCache::new(&format!(
        "test-{}:",
        uuid::Uuid::new_v4()
    )));
    let application = Application::build(settings, cache).await.expect("build");
    let base = format!("http://{}", application.addr());
    tokio::spawn(application.run_until_stopped());
    TestApp {
        base,
        client: reqwest::Client::new(),
    }
}
