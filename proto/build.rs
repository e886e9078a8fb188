//! Compiles every `.proto` under `protos/` with protox (no system protoc) and tonic-prost-build.
use std::path::PathBuf;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    println!("cargo:rerun-if-changed=protos");
    let mut files: Vec<PathBuf> = std::fs::read_dir("protos")?
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "proto"))
        .collect();
    files.sort();
    let descriptors = protox::compile(&files, ["protos"])?;
    // The caller types on their own; every service's requests then name them as `crate::caller`.
    tonic_prost_build::configure()
        .build_client(false)
        .build_server(false)
        .compile_fds(protox::compile(["protos/caller.proto"], ["protos"])?)?;
    tonic_prost_build::configure()
        .extern_path(".wjdh.caller.v1", "crate::caller")
        .compile_fds(descriptors)?;
    Ok(())
}
