//! What every 万家灯火 component shares.
pub mod cache;
pub mod caller;
pub mod db;
pub mod error;
pub mod grpc;
pub mod guard;
pub mod metrics;
pub mod money;
pub mod outbound;
pub mod outbox;
pub mod paging;
pub mod scope;
pub mod secret;
pub mod service;
pub mod settings;
pub mod subscribe;
pub mod telemetry;
pub mod time;
pub mod types;
pub mod vehicle;

#[doc(hidden)]
pub use tikv_jemallocator;

/// Makes jemalloc the binary's allocator; every component's `main.rs` says it once. glibc's
/// malloc and free were a seventh of a list read's CPU: jemalloc reads a page of orders 25 %
/// faster and keeps the idle stack's memory (49 MB; mimalloc's was 66–87 MB) (issue 14).
#[macro_export]
macro_rules! jemalloc {
    () => {
        #[global_allocator]
        static ALLOCATOR: $crate::tikv_jemallocator::Jemalloc = $crate::tikv_jemallocator::Jemalloc;
    };
}
