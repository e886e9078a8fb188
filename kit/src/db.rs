//! Database access over SQLite or PostgreSQL through one diesel `MultiConnection`.
//!
//! The backend is chosen by the URL scheme (`sqlite://path`, `postgres://…`); any other scheme is
//! refused rather than silently creating a file. Each service embeds `migrations/sqlite` and
//! `migrations/postgres` (same names, checked by [`Migrations::check_in_step`]) and runs the set of
//! its backend on a concrete connection before the pool opens. Queries run on the database's own
//! threads, each keeping a pooled connection while work keeps coming.
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use diesel::connection::SimpleConnection;
use diesel::migration::MigrationSource;
use diesel::pg::Pg;
use diesel::r2d2::{
    ConnectionManager, CustomizeConnection, ManageConnection, Pool, PooledConnection,
};
use diesel::sqlite::Sqlite;
use diesel::{Connection, PgConnection, SqliteConnection};
use diesel_migrations::{EmbeddedMigrations, MigrationHarness};

/// One connection to whichever backend the URL named.
#[derive(diesel::MultiConnection)]
pub enum AnyConnection {
    Postgresql(PgConnection),
    Sqlite(SqliteConnection),
}

/// A pooled connection.
pub type PooledConn = PooledConnection<Manager>;

/// A pooled connection and when it last went back to the pool.
pub struct Lent {
    conn: AnyConnection,
    returned: std::time::Instant,
}

impl std::ops::Deref for Lent {
    type Target = AnyConnection;
    fn deref(&self) -> &AnyConnection {
        &self.conn
    }
}

impl std::ops::DerefMut for Lent {
    fn deref_mut(&mut self) -> &mut AnyConnection {
        &mut self.conn
    }
}

/// How long a connection may sit in the pool before it is tried (`SELECT 1`) when lent.
const TRIED_AFTER_IDLE: Duration = Duration::from_secs(2);

/// diesel's manager, except that a PostgreSQL connection is tried before it is lent only when
/// it sat idle for [`TRIED_AFTER_IDLE`]: one that dies with its server (a restart, a failover)
/// has been idle since, and is replaced, while a busy pool pays no round trip per call (issue 14:
/// trying every lend halved the PostgreSQL paths' throughput). SQLite files are never tried: the
/// pool asks only PostgreSQL's (`test_on_check_out`).
pub struct Manager {
    inner: ConnectionManager<AnyConnection>,
    idle_before_trying: Duration,
}

impl ManageConnection for Manager {
    type Connection = Lent;
    type Error = diesel::r2d2::Error;

    fn connect(&self) -> Result<Lent, Self::Error> {
        Ok(Lent {
            conn: self.inner.connect()?,
            returned: std::time::Instant::now(),
        })
    }

    fn is_valid(&self, lent: &mut Lent) -> Result<(), Self::Error> {
        if lent.returned.elapsed() < self.idle_before_trying {
            return Ok(());
        }
        self.inner.is_valid(&mut lent.conn)
    }

    /// Called as the connection goes back to the pool.
    fn has_broken(&self, lent: &mut Lent) -> bool {
        lent.returned = std::time::Instant::now();
        self.inner.has_broken(&mut lent.conn)
    }
}

/// What can go wrong below the service logic.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("unsupported database URL scheme {0:?}: use sqlite:// or postgres://")]
    UnknownScheme(String),
    #[error("cannot connect to the database: {0}")]
    Connect(String),
    #[error("migrations failed: {0}")]
    Migration(String),
    #[error("connection pool: {0}")]
    Pool(#[from] diesel::r2d2::PoolError),
    #[error("query: {0}")]
    Query(#[from] diesel::result::Error),
    #[error("blocking task failed: {0}")]
    Join(String),
}

/// What work on a connection, in a transaction or not, fails with: a rule refused (answered as
/// it is) or the database failed (mapped once, by `From<DbError> for ServiceError`). Every
/// service's `error.rs` names it; transactions roll back on either.
#[derive(Debug, thiserror::Error)]
pub enum WorkError {
    #[error(transparent)]
    Refused(#[from] crate::error::ServiceError),
    #[error(transparent)]
    Db(#[from] DbError),
}

impl From<diesel::result::Error> for WorkError {
    fn from(error: diesel::result::Error) -> Self {
        Self::Db(DbError::Query(error))
    }
}

impl From<WorkError> for crate::error::ServiceError {
    fn from(error: WorkError) -> Self {
        match error {
            WorkError::Refused(error) => error,
            WorkError::Db(error) => error.into(),
        }
    }
}

impl From<WorkError> for tonic::Status {
    fn from(error: WorkError) -> Self {
        crate::error::ServiceError::from(error).into()
    }
}

/// The result of work on a connection.
pub type WorkResult<T> = Result<T, WorkError>;

/// The backend a URL names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Backend {
    /// A SQLite database file.
    Sqlite(PathBuf),
    /// A PostgreSQL connection URL.
    Postgres(String),
}

impl Backend {
    /// Parses a database URL; unknown schemes are an error.
    pub fn parse(url: &str) -> Result<Self, DbError> {
        if let Some(path) = url.strip_prefix("sqlite://") {
            if path.is_empty() || path.contains(":memory:") {
                return Err(DbError::UnknownScheme(
                    "sqlite needs a file path (sqlite://data/x.db)".to_owned(),
                ));
            }
            return Ok(Self::Sqlite(PathBuf::from(path)));
        }
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            return Ok(Self::Postgres(url.to_owned()));
        }
        let scheme = url.split(':').next().unwrap_or_default();
        Err(DbError::UnknownScheme(scheme.to_owned()))
    }

    /// `"sqlite"` or `"postgres"`.
    pub fn name(&self) -> &'static str {
        match self {
            Self::Sqlite(_) => "sqlite",
            Self::Postgres(_) => "postgres",
        }
    }

    fn connection_string(&self) -> String {
        match self {
            Self::Sqlite(path) => path.to_string_lossy().into_owned(),
            Self::Postgres(url) => url.clone(),
        }
    }
}

/// A service's migrations for both backends.
pub struct Migrations {
    pub sqlite: EmbeddedMigrations,
    pub postgres: EmbeddedMigrations,
}

impl Migrations {
    /// The migration names of each backend, which must be the same list.
    pub fn check_in_step(&self) -> Result<Vec<String>, DbError> {
        let sqlite: Vec<String> = MigrationSource::<Sqlite>::migrations(&self.sqlite)
            .map_err(|e| DbError::Migration(e.to_string()))?
            .iter()
            .map(|m| m.name().to_string())
            .collect();
        let postgres: Vec<String> = MigrationSource::<Pg>::migrations(&self.postgres)
            .map_err(|e| DbError::Migration(e.to_string()))?
            .iter()
            .map(|m| m.name().to_string())
            .collect();
        if sqlite != postgres {
            return Err(DbError::Migration(format!(
                "sqlite and postgres migrations differ: {sqlite:?} vs {postgres:?}"
            )));
        }
        Ok(sqlite)
    }

    /// Applies the pending migrations of the URL's backend; returns how many ran.
    pub fn run(&self, backend: &Backend) -> Result<usize, DbError> {
        self.check_in_step()?;
        let migration_error =
            |e: Box<dyn std::error::Error + Send + Sync>| DbError::Migration(e.to_string());
        match backend {
            Backend::Sqlite(path) => {
                if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
                    std::fs::create_dir_all(parent)
                        .map_err(|e| DbError::Connect(format!("{}: {e}", parent.display())))?;
                }
                let mut conn = SqliteConnection::establish(&backend.connection_string())
                    .map_err(|e| DbError::Connect(e.to_string()))?;
                conn.batch_execute("PRAGMA journal_mode = WAL; PRAGMA busy_timeout = 10000;")
                    .map_err(DbError::Query)?;
                conn.run_pending_migrations(Borrowed(&self.sqlite))
                    .map(|done| done.len())
                    .map_err(migration_error)
            }
            Backend::Postgres(url) => {
                let mut conn =
                    PgConnection::establish(url).map_err(|e| DbError::Connect(e.to_string()))?;
                conn.run_pending_migrations(Borrowed(&self.postgres))
                    .map(|done| done.len())
                    .map_err(migration_error)
            }
        }
    }
}

/// Lends embedded migrations to the harness, which takes its source by value.
struct Borrowed<'a>(&'a EmbeddedMigrations);

impl<DB: diesel::backend::Backend> MigrationSource<DB> for Borrowed<'_> {
    fn migrations(
        &self,
    ) -> diesel::migration::Result<Vec<Box<dyn diesel::migration::Migration<DB>>>> {
        MigrationSource::<DB>::migrations(self.0)
    }
}

/// Per-connection settings.
///
/// SQLite needs them for concurrent use, and for reads that stay fast as a table grows: a page
/// cache of up to 16 MiB per connection (SQLite's default is 2 MiB, so a million-row index walk
/// kept going back to the file) and the file read through a memory map of up to 256 MiB (pages
/// the OS already holds are read in place, not copied). Both are ceilings, taken as pages are
/// read: an idle connection holds neither.
///
/// PostgreSQL plans each prepared statement once, for any parameters (`plan_cache_mode =
/// force_generic_plan`). Left to choose, it planned the platform's order list again at every
/// call (a community's share of the orders changes the estimate, never the best index), and
/// planning cost more than running: issue 14 measured, at 1 M orders, the list 2,976 → 5,084
/// reads/s (p99 23 → 12 ms) and a registration 1,654 → 2,004 writes/s. Every statement here is
/// served by an index whatever its parameters, which is what a generic plan relies on.
#[derive(Debug)]
struct SessionSettings;

impl CustomizeConnection<Lent, diesel::r2d2::Error> for SessionSettings {
    fn on_acquire(&self, lent: &mut Lent) -> Result<(), diesel::r2d2::Error> {
        let settings = match &lent.conn {
            AnyConnection::Sqlite(_) => {
                "PRAGMA busy_timeout = 10000; PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL; \
                 PRAGMA cache_size = -16384; PRAGMA mmap_size = 268435456;"
            }
            AnyConnection::Postgresql(_) => "SET plan_cache_mode = force_generic_plan",
        };
        lent.conn
            .batch_execute(settings)
            .map_err(diesel::r2d2::Error::QueryError)
    }
}

/// Connections a pool keeps open however idle it is.
const IDLE_CONNECTIONS: u32 = 2;

/// A pool of connections to one service's database.
#[derive(Clone)]
pub struct Database {
    pool: Pool<Manager>,
    backend: &'static str,
    /// The threads that run this database's work ([`Self::run`]).
    workers: Workers,
    /// On SQLite, the one thread that runs this process's write transactions of the file, one
    /// after another ([`Self::write`]); `None` on PostgreSQL.
    ///
    /// A SQLite file has one write lock. With the writes queued to one thread, the lock goes
    /// from one transaction to the next without a task being woken or a blocking-pool thread
    /// dispatched in between (issue 14: with the turn handed over through an async mutex, that
    /// hand-over was most of the time the lock was held, and the write paths' ceiling).
    writer: Option<Workers>,
}

/// Work handed to a connection's thread: it is given the connection, or why there is none.
type Job = Box<dyn FnOnce(Result<&mut AnyConnection, DbError>) + Send>;

/// Runs `job` on `held`, the connection the thread keeps (taken from `pool` when it keeps
/// none). A job that panicked, or left its connection broken (a transaction open or failed),
/// gives the connection back: the pool discards it, and the next job gets a fresh one.
fn run_job(job: Job, held: &mut Option<PooledConn>, pool: &Pool<Manager>) {
    let conn = match held {
        Some(conn) => Ok(conn),
        None => pool.get().map(|conn| held.insert(conn)),
    };
    let conn = conn.map(|conn| &mut ***conn).map_err(DbError::Pool);
    let ran = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| job(conn)));
    let broken = held
        .as_mut()
        .is_some_and(|conn| diesel::r2d2::R2D2Connection::is_broken(&mut ***conn));
    if ran.is_err() || broken {
        *held = None;
    }
}

/// How long a worker keeps its connection with no work coming: shorter than
/// [`TRIED_AFTER_IDLE`], so a connection that sat idle longer is tried by the pool when it is
/// next lent, as before.
const KEPT_WHILE_IDLE: Duration = Duration::from_secs(1);

/// Threads that run a database's work, at most `most` of them, taking jobs from one queue. A
/// thread keeps the connection it took while work keeps coming, and gives it back to the pool
/// after [`KEPT_WHILE_IDLE`] without any. So a busy service hands a query to a thread that
/// already holds a connection: no blocking-pool task is spawned and no connection is lent and
/// returned per query (issue 14 profiled the PostgreSQL notification path: under load the
/// tokio blocking pool's lock and r2d2's were contended on every query, by some forty threads
/// on two cores). Threads are started as the load needs them.
#[derive(Clone)]
struct Workers {
    queue: Arc<Queue>,
    crew: Arc<Crew>,
}

/// The sending end of the queue, and the threads that take from it. When the last handle is
/// dropped the queue closes, and the threads are waited for: each ends after the job it is
/// running and gives its connection back, before the pool itself is dropped. (A thread left to
/// end by itself could still be closing a PostgreSQL connection as the process exited, under
/// libpq's TLS being torn down: a test process crashed so.)
struct Queue {
    jobs: Option<crossbeam_channel::Sender<Job>>,
    threads: std::sync::Mutex<Vec<std::thread::JoinHandle<()>>>,
}

impl Drop for Queue {
    fn drop(&mut self) {
        drop(self.jobs.take());
        let threads = std::mem::take(
            self.threads
                .get_mut()
                .unwrap_or_else(std::sync::PoisonError::into_inner),
        );
        let here = std::thread::current().id();
        for thread in threads {
            // A job that held the last handle drops it on its own thread, which ends next.
            if thread.thread().id() != here {
                let _ = thread.join();
            }
        }
    }
}

/// What the threads share.
struct Crew {
    /// The threads' name (`db-worker`, `sqlite-writer`).
    name: &'static str,
    queue: crossbeam_channel::Receiver<Job>,
    pool: Pool<Manager>,
    /// Threads started, and of them those waiting for a job.
    started: AtomicUsize,
    waiting: AtomicUsize,
    /// The most threads: the connections the pool may lend them.
    most: usize,
}

impl Workers {
    fn new(name: &'static str, pool: Pool<Manager>, most: usize) -> Self {
        let (jobs, queue) = crossbeam_channel::unbounded();
        Self {
            queue: Arc::new(Queue {
                jobs: Some(jobs),
                threads: std::sync::Mutex::default(),
            }),
            crew: Arc::new(Crew {
                name,
                queue,
                pool,
                started: AtomicUsize::new(0),
                waiting: AtomicUsize::new(0),
                most: most.max(1),
            }),
        }
    }

    /// Runs `work` with a connection, on one of the threads.
    async fn run<T, E, F>(&self, work: F) -> Result<T, E>
    where
        T: Send + 'static,
        E: From<DbError> + Send + 'static,
        F: FnOnce(&mut AnyConnection) -> Result<T, E> + Send + 'static,
    {
        let (done, outcome) = tokio::sync::oneshot::channel();
        self.submit(Box::new(move |conn| {
            let result = match conn {
                Ok(conn) => work(conn),
                Err(error) => Err(E::from(error)),
            };
            // The caller may have gone (its request cancelled): the work stands regardless.
            let _ = done.send(result);
        }))
        .map_err(E::from)?;
        // Dropped unanswered: the work panicked.
        outcome.await.map_err(|_| {
            E::from(DbError::Join(format!(
                "{}: the work panicked",
                self.crew.name
            )))
        })?
    }

    /// Queues `job`, and starts another thread if every one is busy and there is room.
    fn submit(&self, job: Job) -> Result<(), DbError> {
        let gone = || DbError::Join(format!("{}: the threads are gone", self.crew.name));
        let jobs = self.queue.jobs.as_ref().ok_or_else(gone)?;
        jobs.send(job).map_err(|_| gone())?;
        if self.crew.waiting.load(Ordering::Acquire) == 0 {
            self.grow()?;
        }
        Ok(())
    }

    /// One more thread, unless there are already the most.
    fn grow(&self) -> Result<(), DbError> {
        let crew = &self.crew;
        let room = crew
            .started
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |started| {
                (started < crew.most).then_some(started + 1)
            });
        let Ok(before) = room else {
            return Ok(());
        };
        let working = Arc::clone(crew);
        let spawned = std::thread::Builder::new()
            .name(crew.name.to_owned())
            .spawn(move || working.work());
        match spawned {
            Ok(thread) => self
                .queue
                .threads
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .push(thread),
            Err(error) => {
                crew.started.fetch_sub(1, Ordering::AcqRel);
                // With another thread the job waits for it; with none it would wait for ever.
                if before == 0 {
                    return Err(DbError::Join(format!(
                        "starting a {} thread: {error}",
                        crew.name
                    )));
                }
                tracing::warn!(%error, name = crew.name, "a database thread could not be started");
            }
        }
        Ok(())
    }
}

impl Crew {
    /// A thread's life: jobs until the queue closes.
    fn work(&self) {
        use crossbeam_channel::RecvTimeoutError;
        let mut held: Option<PooledConn> = None;
        loop {
            self.waiting.fetch_add(1, Ordering::AcqRel);
            let next = if held.is_some() {
                self.queue.recv_timeout(KEPT_WHILE_IDLE)
            } else {
                self.queue
                    .recv()
                    .map_err(|_| RecvTimeoutError::Disconnected)
            };
            self.waiting.fetch_sub(1, Ordering::AcqRel);
            match next {
                Ok(job) => run_job(job, &mut held, &self.pool),
                // Idle: the connection goes back to the pool, which closes it in time.
                Err(RecvTimeoutError::Timeout) => held = None,
                Err(RecvTimeoutError::Disconnected) => return,
            }
        }
    }
}

impl Database {
    /// Migrates, then opens a pool of `pool_size` connections.
    pub async fn connect(
        url: &str,
        pool_size: u32,
        migrations: &'static Migrations,
    ) -> Result<Self, DbError> {
        let backend = Backend::parse(url)?;
        tokio::task::spawn_blocking(move || {
            migrations.run(&backend)?;
            Self::open(&backend, pool_size)
        })
        .await
        .map_err(|e| DbError::Join(e.to_string()))?
    }

    /// A pool of `pool_size` connections to `backend`, its threads, and on SQLite its writer
    /// (which keeps one of the connections while it writes: a SQLite pool has at least two).
    fn open(backend: &Backend, pool_size: u32) -> Result<Self, DbError> {
        let writes_alone = matches!(backend, Backend::Sqlite(_));
        let pool_size = pool_size.max(1 + u32::from(writes_alone));
        let manager = Manager {
            inner: ConnectionManager::<AnyConnection>::new(backend.connection_string()),
            idle_before_trying: TRIED_AFTER_IDLE,
        };
        let pool = Pool::builder()
            .max_size(pool_size)
            // Opened as the load asks for them, up to `pool_size`, and closed again after ten
            // idle minutes: an idle service holds two (issue 14's memory goal).
            .min_idle(Some(IDLE_CONNECTIONS.min(pool_size)))
            // A PostgreSQL connection can die with its server and is tried (`SELECT 1`) before
            // it is lent after sitting idle ([`Manager`]); a SQLite file cannot.
            .test_on_check_out(!writes_alone)
            .connection_timeout(Duration::from_secs(10))
            .connection_customizer(Box::new(SessionSettings))
            .build(manager)
            .map_err(|e| DbError::Connect(e.to_string()))?;
        let writer = writes_alone.then(|| Workers::new("sqlite-writer", pool.clone(), 1));
        let lendable = pool_size - u32::from(writes_alone);
        Ok(Self {
            workers: Workers::new("db-worker", pool.clone(), lendable as usize),
            pool,
            writer,
            backend: backend.name(),
        })
    }

    /// Runs `work` with a connection, on one of the database's threads ([`Workers`]).
    pub async fn run<T, E, F>(&self, work: F) -> Result<T, E>
    where
        T: Send + 'static,
        E: From<DbError> + Send + 'static,
        F: FnOnce(&mut AnyConnection) -> Result<T, E> + Send + 'static,
    {
        self.workers.run(work).await
    }

    /// Runs `work` in a transaction that writes ([`write_transaction`]): on SQLite on the
    /// file's writer thread (the `writer` field), instead of waiting in SQLite's busy handler,
    /// which sleeps 1, 2, 5, 10 … ms between tries and, with many writers, cost more than the
    /// writes. PostgreSQL writers go straight on, on the database's threads (row locks).
    pub async fn write<T, E, F>(&self, work: F) -> Result<T, E>
    where
        T: Send + 'static,
        E: From<DbError> + From<diesel::result::Error> + Send + 'static,
        F: FnOnce(&mut AnyConnection) -> Result<T, E> + Send + 'static,
    {
        self.writer
            .as_ref()
            .unwrap_or(&self.workers)
            .run(move |conn| write_transaction(conn, work))
            .await
    }

    /// Runs `work`, a write that is one statement on PostgreSQL (atomic by itself), there on a
    /// pooled connection outside a transaction: no BEGIN and COMMIT round trips. On SQLite it
    /// may be several statements: it runs as [`Database::write`] does, in a transaction on the
    /// file's writer thread.
    pub async fn write_statement<T, E, F>(&self, work: F) -> Result<T, E>
    where
        T: Send + 'static,
        E: From<DbError> + From<diesel::result::Error> + Send + 'static,
        F: FnOnce(&mut AnyConnection) -> Result<T, E> + Send + 'static,
    {
        match self.writer {
            Some(_) => self.write(work).await,
            None => self.run(work).await,
        }
    }

    /// Checks that a connection answers.
    pub async fn ping(&self) -> Result<(), DbError> {
        self.run(|conn| conn.batch_execute("SELECT 1").map_err(DbError::Query))
            .await
    }

    /// `"sqlite"` or `"postgres"`.
    pub fn backend(&self) -> &'static str {
        self.backend
    }

    /// The most connections the pool opens.
    pub fn pool_max(&self) -> u32 {
        self.pool.max_size()
    }

    /// Connections in use and idle, for metrics.
    pub fn pool_state(&self) -> (u32, u32) {
        let state = self.pool.state();
        (
            state.connections - state.idle_connections,
            state.idle_connections,
        )
    }

    /// How many handles share this database, this one included: a service that has stopped
    /// keeps none, so its database can be closed or dropped behind it.
    pub fn handles(&self) -> usize {
        Arc::strong_count(&self.workers.queue)
    }
}

/// After `ANALYZE`: every connection of the database plans with the new statistics.
///
/// PostgreSQL does so by itself (ANALYZE invalidates the plans that read the table). SQLite
/// reads a file's statistics when a connection reads its schema, so the connections other than
/// the one that ran ANALYZE (a database's threads each keep theirs while busy) went on planning
/// with what they had read before. A change to the schema makes each read it again: a table
/// made and dropped, which changes nothing else.
pub fn statistics_changed(conn: &mut AnyConnection) -> diesel::QueryResult<()> {
    match conn {
        AnyConnection::Postgresql(_) => Ok(()),
        AnyConnection::Sqlite(conn) => conn.batch_execute(
            "CREATE TABLE statistics_changed (changed INTEGER); DROP TABLE statistics_changed;",
        ),
    }
}

/// SQLite's plan of `query` (`EXPLAIN QUERY PLAN`), a line a step, with the statistics the file
/// has now. EXPLAIN alone reads neither a schema another connection changed nor statistics
/// gathered on another connection since this one read them, so those are read first
/// (`ANALYZE sqlite_schema`).
pub fn sqlite_plan(conn: &mut AnyConnection, query: &str) -> diesel::QueryResult<Vec<String>> {
    conn.batch_execute("ANALYZE sqlite_schema")?;
    explained(conn, query)
}

/// `EXPLAIN QUERY PLAN` of `query` on SQLite, as the connection plans it now.
fn explained(conn: &mut AnyConnection, query: &str) -> diesel::QueryResult<Vec<String>> {
    #[derive(diesel::QueryableByName)]
    struct Step {
        #[diesel(sql_type = diesel::sql_types::Text)]
        detail: String,
    }
    let steps: Vec<Step> = diesel::sql_query(format!("EXPLAIN QUERY PLAN {query}")).load(conn)?;
    Ok(steps.into_iter().map(|step| step.detail).collect())
}

/// The backend of [`AnyConnection`], for queries built outside a connection (boxed queries).
pub type AnyBackend = <AnyConnection as Connection>::Backend;

/// `column IN (values)` whose prepared statement is reused however many values there are.
///
/// diesel writes `eq_any` on SQLite as `IN (?, ?, …)` and so prepares it anew on every call;
/// preparing was half of the CPU a list read spent (issue 14, profiled). Here SQLite reads the
/// values from one JSON text bind — `column IN (SELECT value FROM json_each(?))`, still an index
/// lookup per value. PostgreSQL gets `column IN ($1, $2, …)` for up to [`FEW`] values, one
/// prepared statement per count: diesel's `column = ANY($1)` left the planner guessing ten
/// elements, so its generic plan looked dearer than planning anew and every call was planned
/// again (a fifth of PostgreSQL's CPU on the resident's order list, profiled); more values keep
/// `= ANY($1)`. Built by [`any_of`].
#[derive(Debug, Clone)]
pub struct AnyOf<C, E, T> {
    column: C,
    /// diesel's `= ANY($1)`, made only for the lists PostgreSQL gets it for (none, or more
    /// than [`FEW`] values).
    native: Option<E>,
    values: Vec<T>,
    json: String,
}

/// True when a diesel error is a unique-constraint violation (a concurrent insert won). Where
/// that has a meaning of its own (the plate is taken, a request is pending), the caller names
/// it; otherwise [`crate::error::ServiceError`]'s one mapping makes it a 409.
pub fn is_unique_violation(error: &diesel::result::Error) -> bool {
    matches!(
        error,
        diesel::result::Error::DatabaseError(diesel::result::DatabaseErrorKind::UniqueViolation, _)
    )
}

/// `column IN (a, b, …)` over a fixed number of values, one bind each, on both backends: its
/// text is the same at every call, so, unlike [`AnyOf`] (whose text follows the count), diesel
/// finds its prepared statement by type instead of rendering the text to look it up. For a
/// closed set known where it is written (the statuses of an open review). Built by [`one_of`].
#[derive(Debug, Clone, Copy)]
pub struct OneOf<C, T, const N: usize> {
    column: C,
    values: [T; N],
}

/// `column IN (values)`, `N` fixed (see [`OneOf`]).
pub fn one_of<C, T, const N: usize>(column: C, values: [T; N]) -> OneOf<C, T, N> {
    OneOf { column, values }
}

impl<C: diesel::Expression, T, const N: usize> diesel::Expression for OneOf<C, T, N> {
    type SqlType = diesel::sql_types::Bool;
}

impl<C: diesel::AppearsOnTable<QS>, QS, T, const N: usize> diesel::AppearsOnTable<QS>
    for OneOf<C, T, N>
where
    Self: diesel::Expression,
{
}

impl<C: diesel::SelectableExpression<QS>, QS, T, const N: usize> diesel::SelectableExpression<QS>
    for OneOf<C, T, N>
where
    Self: diesel::AppearsOnTable<QS>,
{
}

impl<C: diesel::expression::ValidGrouping<GB>, GB, T, const N: usize>
    diesel::expression::ValidGrouping<GB> for OneOf<C, T, N>
{
    type IsAggregate = C::IsAggregate;
}

impl<C: diesel::query_builder::QueryId, T, const N: usize> diesel::query_builder::QueryId
    for OneOf<C, T, N>
{
    type QueryId = OneOf<C::QueryId, (), N>;
    const HAS_STATIC_QUERY_ID: bool = C::HAS_STATIC_QUERY_ID;
}

impl<C, T, DB, const N: usize> diesel::query_builder::QueryFragment<DB> for OneOf<C, T, N>
where
    DB: diesel::backend::Backend + diesel::sql_types::HasSqlType<C::SqlType>,
    C: diesel::Expression + diesel::query_builder::QueryFragment<DB>,
    T: diesel::serialize::ToSql<C::SqlType, DB>,
{
    fn walk_ast<'b>(
        &'b self,
        out: diesel::query_builder::AstPass<'_, 'b, DB>,
    ) -> diesel::QueryResult<()> {
        walk_bound_list(&self.column, &self.values, out)
    }
}

/// `(column IN ($1, $2, …))`, one bind a value: [`OneOf`] on both backends, and [`AnyOf`] on
/// PostgreSQL for a few values.
fn walk_bound_list<'b, C, T, DB>(
    column: &'b C,
    values: &'b [T],
    mut out: diesel::query_builder::AstPass<'_, 'b, DB>,
) -> diesel::QueryResult<()>
where
    DB: diesel::backend::Backend + diesel::sql_types::HasSqlType<C::SqlType>,
    C: diesel::Expression + diesel::query_builder::QueryFragment<DB>,
    T: diesel::serialize::ToSql<C::SqlType, DB>,
{
    out.push_sql("(");
    column.walk_ast(out.reborrow())?;
    out.push_sql(" IN (");
    for (index, value) in values.iter().enumerate() {
        if index > 0 {
            out.push_sql(", ");
        }
        out.push_bind_param::<C::SqlType, T>(value)?;
    }
    out.push_sql("))");
    Ok(())
}

/// The most values PostgreSQL gets one bind each for ([`AnyOf`]).
pub const FEW: usize = 32;

/// `column IN (values)`, prepared once per connection on both backends (see [`AnyOf`]).
pub fn any_of<C, T>(
    column: C,
    values: impl IntoIterator<Item = T>,
) -> AnyOf<C, diesel::dsl::EqAny<C, Vec<T>>, T>
where
    C: diesel::ExpressionMethods + Clone,
    C::SqlType: diesel::sql_types::SqlType + diesel::expression::TypedExpressionType,
    T: serde::Serialize + diesel::expression::AsExpression<C::SqlType> + Clone,
{
    let values: Vec<T> = values.into_iter().collect();
    // A list of numbers or strings always serialises.
    let json = serde_json::to_string(&values).unwrap_or_else(|_| "[]".to_owned());
    AnyOf {
        native: (values.is_empty() || values.len() > FEW)
            .then(|| column.clone().eq_any(values.clone())),
        values,
        column,
        json,
    }
}

impl<C, E: diesel::Expression, T> diesel::Expression for AnyOf<C, E, T> {
    type SqlType = E::SqlType;
}

impl<C, E: diesel::AppearsOnTable<QS>, QS, T> diesel::AppearsOnTable<QS> for AnyOf<C, E, T> where
    Self: diesel::Expression
{
}

impl<C, E: diesel::SelectableExpression<QS>, QS, T> diesel::SelectableExpression<QS>
    for AnyOf<C, E, T>
where
    Self: diesel::AppearsOnTable<QS>,
{
}

impl<C, E: diesel::expression::ValidGrouping<GB>, GB, T> diesel::expression::ValidGrouping<GB>
    for AnyOf<C, E, T>
{
    type IsAggregate = E::IsAggregate;
}

impl<C, E, T> diesel::query_builder::QueryId for AnyOf<C, E, T> {
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl<C, E, T> AnyOf<C, E, T> {
    fn walk_json<'b, DB>(
        &'b self,
        mut out: diesel::query_builder::AstPass<'_, 'b, DB>,
    ) -> diesel::QueryResult<()>
    where
        C: diesel::query_builder::QueryFragment<DB>,
        DB: diesel::backend::Backend + diesel::sql_types::HasSqlType<diesel::sql_types::Text>,
        String: diesel::serialize::ToSql<diesel::sql_types::Text, DB>,
    {
        // One value is an equality, which the planner can also use to order by the next
        // column of an index; several are read from the JSON list.
        let (before, after) = if self.values.len() == 1 {
            (" = json_extract(", ", '$[0]'))")
        } else {
            (" IN (SELECT value FROM json_each(", ")))")
        };
        out.push_sql("(");
        self.column.walk_ast(out.reborrow())?;
        out.push_sql(before);
        out.push_bind_param::<diesel::sql_types::Text, String>(&self.json)?;
        out.push_sql(after);
        Ok(())
    }
}

/// On SQLite (also inside a subselect diesel renders per backend).
impl<C, E, T> diesel::query_builder::QueryFragment<Sqlite> for AnyOf<C, E, T>
where
    C: diesel::query_builder::QueryFragment<Sqlite>,
{
    fn walk_ast<'b>(
        &'b self,
        out: diesel::query_builder::AstPass<'_, 'b, Sqlite>,
    ) -> diesel::QueryResult<()> {
        self.walk_json(out)
    }
}

impl<C, E, T> diesel::query_builder::QueryFragment<Pg> for AnyOf<C, E, T>
where
    C: diesel::Expression + diesel::query_builder::QueryFragment<Pg>,
    E: diesel::query_builder::QueryFragment<Pg>,
    Pg: diesel::sql_types::HasSqlType<C::SqlType>,
    T: diesel::serialize::ToSql<C::SqlType, Pg>,
{
    fn walk_ast<'b>(
        &'b self,
        out: diesel::query_builder::AstPass<'_, 'b, Pg>,
    ) -> diesel::QueryResult<()> {
        if let Some(native) = &self.native {
            return native.walk_ast(out);
        }
        walk_bound_list(&self.column, &self.values, out)
    }
}

/// Whichever backend the connection is: the two renderings above.
impl<C, E, T> diesel::query_builder::QueryFragment<AnyBackend> for AnyOf<C, E, T>
where
    Self: diesel::query_builder::QueryFragment<Sqlite> + diesel::query_builder::QueryFragment<Pg>,
{
    fn walk_ast<'b>(
        &'b self,
        out: diesel::query_builder::AstPass<'_, 'b, AnyBackend>,
    ) -> diesel::QueryResult<()> {
        AnyBackend::walk_variant_ast(self, out)
    }
}

/// A constant written into the statement's text instead of bound. A prepared statement is
/// planned once for any parameters (`plan_cache_mode = force_generic_plan`), so a bound
/// `status = $1` is estimated as an average status: when most reviews are decided and few
/// pending, PostgreSQL then walked the primary key backwards through every decided review to fill
/// a page of pending ones (a whole-table read when fewer than a page wait), and it could not
/// prove a partial index's `WHERE status = 2` from `$1` at all. Written as `status = 2`, the
/// planner reads that value's frequency and the partial index applies. Only for the few values
/// of a closed set (a status, a type name): each value is its own prepared statement. Built by
/// [`inline_int`] and [`inline_text`]; [`inline_sql`] writes a fixed expression the same way.
#[derive(Debug, Clone)]
pub struct Inline<ST> {
    sql: String,
    sql_type: std::marker::PhantomData<ST>,
}

/// `value` in the statement's text (see [`Inline`]).
pub fn inline_int(value: i32) -> Inline<diesel::sql_types::Integer> {
    Inline {
        sql: value.to_string(),
        sql_type: std::marker::PhantomData,
    }
}

/// A fixed SQL expression of type `ST` in the statement's text (see [`Inline`]), for what diesel's
/// DSL cannot spell. Unlike `diesel::dsl::sql`, which has diesel send its statement unprepared
/// (parsed and planned again at every call), the statement stays prepared.
pub fn inline_sql<ST>(sql: &'static str) -> Inline<ST> {
    Inline {
        sql: sql.to_owned(),
        sql_type: std::marker::PhantomData,
    }
}

/// `'value'` in the statement's text, its quotes doubled as SQL spells them (see [`Inline`]).
pub fn inline_text(value: &'static str) -> Inline<diesel::sql_types::Text> {
    Inline {
        sql: format!("'{}'", value.replace('\'', "''")),
        sql_type: std::marker::PhantomData,
    }
}

impl<ST: diesel::sql_types::SqlType + diesel::expression::TypedExpressionType> diesel::Expression
    for Inline<ST>
{
    type SqlType = ST;
}

impl<ST, QS> diesel::AppearsOnTable<QS> for Inline<ST> where Self: diesel::Expression {}

impl<ST, QS> diesel::SelectableExpression<QS> for Inline<ST> where Self: diesel::Expression {}

impl<ST, GB> diesel::expression::ValidGrouping<GB> for Inline<ST> {
    type IsAggregate = diesel::expression::is_aggregate::Never;
}

impl<ST> diesel::query_builder::QueryId for Inline<ST> {
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl<ST, DB: diesel::backend::Backend> diesel::query_builder::QueryFragment<DB> for Inline<ST> {
    fn walk_ast<'b>(
        &'b self,
        mut out: diesel::query_builder::AstPass<'_, 'b, DB>,
    ) -> diesel::QueryResult<()> {
        out.push_sql(&self.sql);
        Ok(())
    }
}

/// `query`'s rows, run on the connection inside `conn` as its own backend's statement. Through
/// [`AnyConnection`], diesel renders a query's whole text into its own form at each of the two
/// passes that look up the prepared statement and collect the binds, even when the statement is
/// prepared already; run on the backend's connection, the passes only walk the query. For hot
/// reads (issue 14: the rendering was a twentieth of the house list's CPU, profiled).
pub fn load_direct<'q, Q, U>(conn: &mut AnyConnection, query: Q) -> diesel::QueryResult<Vec<U>>
where
    Q: diesel::query_dsl::LoadQuery<'q, PgConnection, U>
        + diesel::query_dsl::LoadQuery<'q, SqliteConnection, U>,
{
    match conn {
        AnyConnection::Postgresql(conn) => query.load(conn),
        AnyConnection::Sqlite(conn) => query.load(conn),
    }
}

/// `query` as it is, refused when compiled unless diesel finds its prepared statement by type
/// (a static query id): for a hot read, whose text diesel would otherwise render at every call
/// to look its statement up (issue 14).
pub fn found_by_type<Q: diesel::query_builder::QueryId>(query: Q) -> Q {
    const {
        assert!(
            Q::HAS_STATIC_QUERY_ID,
            "the query's text is rendered at every call to find its statement"
        );
    }
    query
}

/// `first UNION ALL second`: two reads of one row shape in one statement, so a list made of
/// two kinds of rows costs one round trip (issue 14). diesel's own `union_all` is not offered
/// for [`AnyConnection`]'s backend. Neither part may carry its own `ORDER BY` or `LIMIT`
/// (SQLite would refuse them unparenthesised): the caller orders the rows. Built by
/// [`union_all`].
#[derive(Debug, Clone, Copy)]
pub struct UnionAll<A, B> {
    first: A,
    second: B,
}

/// Both reads in one statement (see [`UnionAll`]); their columns must have the same types.
pub fn union_all<A, B>(first: A, second: B) -> UnionAll<A, B>
where
    A: diesel::query_builder::Query,
    B: diesel::query_builder::Query<SqlType = A::SqlType>,
{
    UnionAll { first, second }
}

impl<A: diesel::query_builder::Query, B> diesel::query_builder::Query for UnionAll<A, B> {
    type SqlType = A::SqlType;
}

/// Static when both parts are: diesel then finds the prepared statement by type, without
/// rendering its text at every call to look it up (issue 14: rendering the house list's text was
/// a tenth of a read's CPU, profiled).
impl<A: diesel::query_builder::QueryId, B: diesel::query_builder::QueryId>
    diesel::query_builder::QueryId for UnionAll<A, B>
{
    type QueryId = UnionAll<A::QueryId, B::QueryId>;
    const HAS_STATIC_QUERY_ID: bool = A::HAS_STATIC_QUERY_ID && B::HAS_STATIC_QUERY_ID;
}

impl<A, B, DB> diesel::query_builder::QueryFragment<DB> for UnionAll<A, B>
where
    DB: diesel::backend::Backend,
    A: diesel::query_builder::QueryFragment<DB>,
    B: diesel::query_builder::QueryFragment<DB>,
{
    fn walk_ast<'b>(
        &'b self,
        mut out: diesel::query_builder::AstPass<'_, 'b, DB>,
    ) -> diesel::QueryResult<()> {
        self.first.walk_ast(out.reborrow())?;
        out.push_sql(" UNION ALL ");
        self.second.walk_ast(out.reborrow())
    }
}

impl<A, B, Conn> diesel::RunQueryDsl<Conn> for UnionAll<A, B> {}

/// Runs `work` in a transaction that writes. On SQLite the write lock is taken before anything
/// is read, so concurrent writers queue on `busy_timeout` instead of failing on a stale read
/// (WAL's `SQLITE_BUSY_SNAPSHOT`); PostgreSQL's row locks need no help. The lock is taken with a
/// no-op write to diesel's own migrations table, which every service database has.
pub fn write_transaction<T, E, F>(conn: &mut AnyConnection, work: F) -> Result<T, E>
where
    F: FnOnce(&mut AnyConnection) -> Result<T, E>,
    E: From<diesel::result::Error>,
{
    conn.transaction(|conn| {
        if matches!(conn, AnyConnection::Sqlite(_)) {
            diesel::sql_query(
                "UPDATE __diesel_schema_migrations SET version = version WHERE 1 = 0",
            )
            .execute(conn)?;
        }
        work(conn)
    })
}

/// Creates a PostgreSQL database next to `admin_url` (same server) and returns its URL.
/// Tests use it for a fresh database per run; operators for one database per service.
pub fn create_postgres_database(admin_url: &str, name: &str) -> Result<String, DbError> {
    if !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return Err(DbError::Connect(format!("bad database name {name:?}")));
    }
    let mut url = url::Url::parse(admin_url).map_err(|e| DbError::Connect(e.to_string()))?;
    let mut conn =
        PgConnection::establish(admin_url).map_err(|e| DbError::Connect(e.to_string()))?;
    let exists = diesel::sql_query(format!(
        "SELECT 1 FROM pg_database WHERE datname = '{name}'"
    ))
    .execute(&mut conn)?;
    if exists == 0 {
        conn.batch_execute(&format!("CREATE DATABASE \"{name}\""))?;
    }
    url.set_path(name);
    Ok(url.to_string())
}

/// Inserts `rows` (a non-empty slice of insertable rows) into `table` in one statement. diesel's
/// MultiConnection has no multi-row insert, so it is written for the connection's own backend.
/// A single row on a hot path is better inserted as one: PostgreSQL keeps that statement
/// prepared, while a multi-row one is planned anew.
pub fn insert_rows<T, V>(conn: &mut AnyConnection, table: T, rows: V) -> diesel::QueryResult<usize>
where
    T: diesel::Table,
    V: diesel::Insertable<T>,
    diesel::query_builder::InsertStatement<T, V::Values>: diesel::query_dsl::methods::ExecuteDsl<PgConnection>
        + diesel::query_dsl::methods::ExecuteDsl<SqliteConnection>,
{
    let insert = diesel::insert_into(table).values(rows);
    match conn {
        AnyConnection::Postgresql(conn) => insert.execute(conn),
        AnyConnection::Sqlite(conn) => insert.execute(conn),
    }
}

/// Drops a database made by [`create_postgres_database`], closing its remaining connections.
pub fn drop_postgres_database(admin_url: &str, name: &str) -> Result<(), DbError> {
    if !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return Err(DbError::Connect(format!("bad database name {name:?}")));
    }
    let mut conn =
        PgConnection::establish(admin_url).map_err(|e| DbError::Connect(e.to_string()))?;
    conn.batch_execute(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))?;
    Ok(())
}

use diesel::RunQueryDsl;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_of_binds_each_value_and_is_found_by_type() {
        use crate::outbox::outbox;
        use diesel::QueryDsl;
        let query = found_by_type(
            outbox::table
                .filter(one_of(outbox::attempts, [0, 2]))
                .select(outbox::id),
        );
        let where_clause = r#"WHERE ("outbox"."attempts" IN ($1, $2))"#;
        let pg = diesel::debug_query::<Pg, _>(&query).to_string();
        assert!(pg.contains(where_clause), "{pg}");
        assert!(pg.contains("binds: [0, 2]"), "{pg}");
        let sqlite = diesel::debug_query::<Sqlite, _>(&query).to_string();
        assert!(
            sqlite.contains("WHERE (`outbox`.`attempts` IN (?, ?))"),
            "{sqlite}"
        );
    }

    #[test]
    fn the_backend_follows_the_scheme() {
        assert_eq!(
            Backend::parse("sqlite://data/auth.db").expect("sqlite"),
            Backend::Sqlite(PathBuf::from("data/auth.db"))
        );
        assert!(matches!(
            Backend::parse("postgresql://u@h/db"),
            Ok(Backend::Postgres(_))
        ));
        assert!(matches!(
            Backend::parse("mysql://u@h/db"),
            Err(DbError::UnknownScheme(s)) if s == "mysql"
        ));
        assert!(Backend::parse("data/auth.db").is_err());
    }

    /// A SQLite database of `pool_size` connections in `dir` (not migrated).
    fn sqlite(dir: &tempfile::TempDir, pool_size: u32) -> Database {
        let url = format!("sqlite://{}", dir.path().join("workers.db").display());
        Database::open(&Backend::parse(&url).expect("url"), pool_size).expect("open")
    }

    /// The connection's own mark (a number kept in a temporary table, which only that
    /// connection sees), made on first asking.
    fn mark(conn: &mut AnyConnection) -> Result<i64, DbError> {
        conn.batch_execute(
            "CREATE TEMP TABLE IF NOT EXISTS mark AS SELECT abs(random()) AS id WHERE 1",
        )?;
        Ok(
            diesel::select(diesel::dsl::sql::<diesel::sql_types::BigInt>(
                "(SELECT id FROM temp.mark)",
            ))
            .get_result(conn)?,
        )
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn work_runs_on_a_thread_a_lendable_connection_each_keeping_its_connection_while_busy() {
        let dir = tempfile::tempdir().expect("tempdir");
        // Three connections: the writer's, and two for the threads.
        let db = sqlite(&dir, 3);
        let ran = futures::future::join_all((0..24).map(|_| {
            db.run(|conn| -> Result<_, DbError> {
                std::thread::sleep(Duration::from_millis(10));
                Ok((std::thread::current().id(), mark(conn)?))
            })
        }))
        .await;
        let ran: Vec<_> = ran.into_iter().collect::<Result<_, _>>().expect("run");
        let threads: std::collections::HashMap<_, std::collections::HashSet<i64>> = ran
            .iter()
            .fold(Default::default(), |mut threads, (thread, conn)| {
                threads.entry(*thread).or_default().insert(*conn);
                threads
            });
        assert!(
            threads.len() <= 2,
            "a thread a lendable connection: {threads:?}"
        );
        assert!(
            threads.values().all(|conns| conns.len() == 1),
            "a busy thread keeps its connection: {threads:?}"
        );
    }

    #[tokio::test]
    async fn a_job_that_panics_or_leaves_a_transaction_open_does_not_spoil_the_next() {
        use diesel::connection::TransactionManager;
        type Transactions = <AnyConnection as Connection>::TransactionManager;
        let dir = tempfile::tempdir().expect("tempdir");
        // One thread.
        let db = sqlite(&dir, 2);
        let left_open = db
            .run(|conn| -> Result<_, DbError> {
                let marked = mark(conn)?;
                Transactions::begin_transaction(conn)?;
                Ok(marked)
            })
            .await
            .expect("left a transaction open");
        let next = db
            .run(|conn| -> Result<_, DbError> {
                let open =
                    Transactions::transaction_manager_status_mut(conn).transaction_depth()?;
                Ok((open, mark(conn)?))
            })
            .await
            .expect("the next job");
        assert_eq!(next.0, None, "the next job is in no transaction");
        assert_ne!(
            next.1, left_open,
            "on another connection: the open one was dropped"
        );
        let panicked = db
            .run(|_| -> Result<(), DbError> { panic!("a job that panics") })
            .await;
        assert!(matches!(panicked, Err(DbError::Join(_))), "{panicked:?}");
        let after = db.run(mark).await;
        assert!(after.is_ok(), "the thread lives on: {after:?}");
    }

    #[tokio::test]
    async fn the_threads_end_with_the_last_handle() {
        let dir = tempfile::tempdir().expect("tempdir");
        let db = sqlite(&dir, 4);
        let copy = db.clone();
        let ran = futures::future::join_all((0..6).map(|_| copy.run(mark))).await;
        assert!(ran.iter().all(Result::is_ok), "{ran:?}");
        let crew = Arc::downgrade(&db.workers.crew);
        assert!(crew.strong_count() > 1, "the threads hold the crew");
        drop(db);
        assert!(copy.run(mark).await.is_ok(), "a handle left: work goes on");
        // The last handle waits for its threads: each has given its connection back.
        let pool = copy.pool.clone();
        drop(copy);
        assert_eq!(crew.strong_count(), 0, "every thread ended");
        assert_eq!(pool.state().connections, pool.state().idle_connections);
    }

    #[tokio::test]
    async fn every_connection_plans_with_statistics_gathered_on_another() {
        let dir = tempfile::tempdir().expect("tempdir");
        let db = sqlite(&dir, 4);
        let query = "SELECT * FROM t WHERE x = 1 AND y > 19000";
        // Twelve jobs at once (every thread busy), each with the plan its connection has for
        // `query` once it has run it (a statement that reads the file notices a changed schema;
        // EXPLAIN alone does not); and whether every one reads through `index`.
        let plans_through = |index: &'static str| {
            let db = db.clone();
            async move {
                let plans = futures::future::join_all((0..12).map(|_| {
                    db.run(move |conn| -> Result<String, DbError> {
                        conn.batch_execute(query)?;
                        // Its own plan, as the query just ran: not read again, as
                        // `sqlite_plan` would.
                        Ok(explained(conn, query)?.concat())
                    })
                }))
                .await;
                let all = plans
                    .iter()
                    .all(|plan| plan.as_ref().is_ok_and(|p| p.contains(index)));
                (all, plans)
            }
        };
        db.run(|conn| {
            conn.batch_execute(
                "CREATE TABLE t (id INTEGER PRIMARY KEY, x INTEGER, y INTEGER);
                 CREATE INDEX t_x ON t (x); CREATE INDEX t_y ON t (y);
                 -- The statistics' tables made (a change of the schema), while t is empty.
                 ANALYZE;
                 WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 19999)
                 INSERT INTO t (x, y) SELECT i % 2, i FROM n;",
            )
            .map_err(DbError::from)
        })
        .await
        .expect("seeded");
        // Every thread busy at once, so each has read the schema without statistics.
        let (all, before) = plans_through("t_x").await;
        assert!(all, "{before:?}");
        db.run(|conn| {
            conn.batch_execute("ANALYZE")?;
            Ok::<_, DbError>(statistics_changed(conn)?)
        })
        .await
        .expect("analyzed");
        // x = 1 is half the table, y's range a twentieth of it: with statistics, y's index, on
        // every connection.
        let (all, after) = plans_through("t_y").await;
        assert!(all, "{after:?}");
    }

    /// `expression` (SQL text) read on a connection the pool lends on the backend `url`.
    fn lent_setting(url: &str, expression: &'static str) -> String {
        let pool = Pool::builder()
            .max_size(1)
            .connection_customizer(Box::new(SessionSettings))
            .build(Manager {
                inner: ConnectionManager::<AnyConnection>::new(url),
                idle_before_trying: TRIED_AFTER_IDLE,
            })
            .expect("pool");
        let mut conn = pool.get().expect("a connection");
        diesel::select(diesel::dsl::sql::<diesel::sql_types::Text>(expression))
            .get_result(&mut **conn)
            .expect(expression)
    }

    #[test]
    fn a_connection_is_lent_with_its_backends_settings() {
        let dir = tempfile::tempdir().expect("tempdir");
        let file = format!("sqlite://{}", dir.path().join("settings.db").display());
        assert_eq!(
            lent_setting(
                &file,
                "(SELECT CAST(foreign_keys AS TEXT) FROM pragma_foreign_keys)"
            ),
            "1"
        );
        let Ok(url) = std::env::var("WJDH_TEST_POSTGRES_URL") else {
            eprintln!("WJDH_TEST_POSTGRES_URL not set: exercised by the PostgreSQL CI pass");
            return;
        };
        assert_eq!(
            lent_setting(&url, "current_setting('plan_cache_mode')"),
            "force_generic_plan",
            "each statement is planned once, not at every call"
        );
    }

    #[test]
    fn a_connection_that_sat_idle_is_tried_before_it_is_lent_and_a_busy_one_is_not() {
        let Ok(url) = std::env::var("WJDH_TEST_POSTGRES_URL") else {
            eprintln!("WJDH_TEST_POSTGRES_URL not set: exercised by the PostgreSQL CI pass");
            return;
        };
        let manager = |idle_before_trying| Manager {
            inner: ConnectionManager::<AnyConnection>::new(url.clone()),
            idle_before_trying,
        };
        let (idle, busy) = (manager(Duration::ZERO), manager(Duration::from_secs(3600)));
        let mut lent = idle.connect().expect("connect");
        assert!(idle.is_valid(&mut lent).is_ok(), "a live connection passes");
        assert!(!idle.has_broken(&mut lent));
        // The server ends the connection, as a restart would.
        let pid: i32 = diesel::select(diesel::dsl::sql::<diesel::sql_types::Integer>(
            "pg_backend_pid()",
        ))
        .get_result(&mut *lent)
        .expect("pid");
        let mut admin = PgConnection::establish(&url).expect("admin");
        diesel::sql_query(format!("SELECT pg_terminate_backend({pid})"))
            .execute(&mut admin)
            .expect("terminate");
        assert!(
            busy.is_valid(&mut lent).is_ok(),
            "returned just now: lent without a round trip"
        );
        assert!(
            idle.is_valid(&mut lent).is_err(),
            "idle past the bound: tried, and the dead connection is refused"
        );
    }
}
