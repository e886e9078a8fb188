//! `embed_migrations!` reads `migrations/` while this crate compiles: a migration added or
//! changed must rebuild it, or a binary built before keeps the old list.
fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
