//! A fresh database per test and `spawn_service()` on port 0.
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};

use kit::db::Database;
use kit::settings::ServiceSettings;
use proto::yibiaosanshi::addresses_client::AddressesClient;
use svc_yibiaosanshi::db::MIGRATIONS;
use svc_yibiaosanshi::startup::Application;
use tokio::sync::oneshot;
use tonic::transport::Channel;

/// A database made for one test and removed after it.
pub struct TestDatabase {
    pub url: String,
    postgres: Option<(String, String)>,
    _dir: tempfile::TempDir,
}

impl TestDatabase {
    pub fn new() -> Self {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let dir = tempfile::tempdir().unwrap();
        match std::env::var("WJDH_TEST_POSTGRES_URL") {
            Ok(admin) => {
                let name = format!(
                    "wjdh_yb_{}_{}",
                    std::process::id(),
                    NEXT.fetch_add(1, Ordering::Relaxed)
                );
                let url = kit::db::create_postgres_database(&admin, &name).unwrap();
                Self {
                    url,
                    postgres: Some((admin, name)),
                    _dir: dir,
                }
            }
            Err(_) => Self {
                url: format!("sqlite://{}/yibiaosanshi.db", dir.path().display()),
                postgres: None,
                _dir: dir,
            },
        }
    }

    /// Migrates and opens a pool.
    pub async fn connect(&self) -> Database {
        Database::connect(&self.url, 4, &MIGRATIONS).await.unwrap()
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        if let Some((admin, name)) = &self.postgres {
            kit::db::drop_postgres_database(admin, name).unwrap();
        }
    }
}

/// The service serving on a free port, with a client and its database.
pub struct TestService {
    pub addr: SocketAddr,
    pub db: Database,
    pub client: AddressesClient<Channel>,
    stop: Option<oneshot::Sender<()>>,
    server: Option<tokio::task::JoinHandle<anyhow::Result<()>>>,
    _database: TestDatabase,
}

pub async fn spawn_service() -> TestService {
    let database = TestDatabase::new();
    let settings = ServiceSettings {
        listen: "127.0.0.1:0".to_owned(),
        database_url: database.url.clone(),
        pool_size: 4,
    };
    let app = Application::build(&settings).await.unwrap();
    let (addr, db) = (app.addr(), app.database());
    let (stop, stopped) = oneshot::channel::<()>();
    let server = tokio::spawn(app.run_until_stopped(async move {
        let _ = stopped.await;
    }));
    let client = AddressesClient::connect(format!("http://{addr}"))
        .await
        .unwrap();
    TestService {
        addr,
        db,
        client,
        stop: Some(stop),
        server: Some(server),
        _database: database,
    }
}

impl TestService {
    /// Stops the server and waits for it to drain.
    pub async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(server) = self.server.take() {
            server.await.unwrap().unwrap();
        }
    }
}
