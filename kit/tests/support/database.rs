//! A database made for one test and removed after it: a SQLite file by default, a new
//! PostgreSQL database when `WJDH_TEST_POSTGRES_URL` (an admin URL) is set. Shared by the
//! services' own integration tests through `#[path]`.
use std::sync::atomic::{AtomicUsize, Ordering};

pub struct TestDatabase {
    pub url: String,
    postgres: Option<(String, String)>,
    _dir: tempfile::TempDir,
}

impl TestDatabase {
    /// `prefix` names the PostgreSQL database (`wjdh_<prefix>_<pid>_<n>`) and the SQLite file.
    pub fn new(prefix: &str) -> Self {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let dir = tempfile::tempdir().expect("a temporary directory");
        match std::env::var("WJDH_TEST_POSTGRES_URL") {
            Ok(admin) => {
                let name = format!(
                    "wjdh_{prefix}_{}_{}",
                    std::process::id(),
                    NEXT.fetch_add(1, Ordering::Relaxed)
                );
                let url = kit::db::create_postgres_database(&admin, &name)
                    .expect("a PostgreSQL database for the test");
                Self {
                    url,
                    postgres: Some((admin, name)),
                    _dir: dir,
                }
            }
            Err(_) => Self {
                url: format!("sqlite://{}/{prefix}.db", dir.path().display()),
                postgres: None,
                _dir: dir,
            },
        }
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        if let Some((admin, name)) = &self.postgres
            && let Err(error) = kit::db::drop_postgres_database(admin, name)
        {
            eprintln!("dropping test database {name}: {error}");
        }
    }
}
