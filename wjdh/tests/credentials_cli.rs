//! The operator's credential commands, run as the real binary against a fresh database.
#![allow(clippy::unwrap_used)]
use std::process::Command;

fn wjdh(database: &str, args: &[&str]) -> (bool, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_wjdh"))
        .args(args)
        .env("WJDH__AUTH__DATABASE_URL", database)
        .env("WJDH_SECRET_KEY", "a-long-secret")
        .env("WJDH__TELEMETRY__LEVEL", "warn")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&output.stdout).into_owned()
        + &String::from_utf8_lossy(&output.stderr);
    (output.status.success(), text)
}

#[test]
fn an_operator_creates_lists_and_revokes_a_credential() {
    let dir = tempfile::tempdir().unwrap();
    let database = format!("sqlite://{}/auth.db", dir.path().display());
    let (ok, out) = wjdh(
        &database,
        &[
            "credentials",
            "create",
            "--secret-id",
            "ops",
            "--name",
            "运维",
            "--communities",
            "10002,10003",
        ],
    );
    assert!(ok, "{out}");
    let (ok, out) = wjdh(
        &database,
        &[
            "credentials",
            "create",
            "--secret-id",
            "ops",
            "--communities",
            "10002",
        ],
    );
    assert!(
        !ok,
        "a second credential with the same id is refused: {out}"
    );
    let (ok, out) = wjdh(&database, &["credentials", "list"]);
    assert!(ok && out.contains("ops\t10002,10003\tactive"), "{out}");
    assert!(!out.contains("a-long-secret"), "{out}");
    let (ok, out) = wjdh(&database, &["credentials", "revoke", "--secret-id", "ops"]);
    assert!(ok, "{out}");
    let (_, out) = wjdh(&database, &["credentials", "list"]);
    assert!(out.contains("ops\t10002,10003\trevoked"), "{out}");
    let (ok, _) = wjdh(&database, &["credentials", "revoke", "--secret-id", "ops"]);
    assert!(!ok, "revoking twice fails");
}

#[test]
fn an_unknown_database_scheme_is_refused() {
    let (ok, out) = wjdh("mysql://root@localhost/x", &["credentials", "list"]);
    assert!(!ok);
    assert!(out.contains("mysql"), "{out}");
}
