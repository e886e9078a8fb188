//! The whole platform in one process: sandbox, the four services and the gateway, wired on
//! loopback. `wjdh` runs it; the end-to-end tests start it on free ports.
pub mod bench;
pub mod bench_community;
pub mod bench_orders;
pub mod bench_paths;
pub mod bench_registry;
pub mod bench_rental;
pub mod bench_viewings;
pub mod cpu_time;
pub mod stack;
