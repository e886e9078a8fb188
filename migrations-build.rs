//! The build script of every service with a database (each names it as `build` in its
//! manifest): `embed_migrations!` reads the crate's `migrations/` while the crate compiles, so
//! a migration added or changed must rebuild it, or a binary built before keeps the old list.
fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
