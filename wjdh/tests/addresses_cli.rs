//! The operator's address-tree import and export, run as the real binary.
#![allow(clippy::unwrap_used)]
use std::process::Command;

const HEADER: &str = "community_identifier,community_name,community_pinyin,building_number,building_name,unit_number,unit_name,floor_number,floor_name,house_number,house_name,house_type";

fn wjdh(database: &str, args: &[&str]) -> (bool, String, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_wjdh"))
        .args(args)
        .env("WJDH__YIBIAOSANSHI__DATABASE_URL", database)
        .env("WJDH__TELEMETRY__LEVEL", "warn")
        .output()
        .unwrap();
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

fn tree() -> String {
    let mut csv = format!("{HEADER}\n");
    for building in 1..=2 {
        for floor in 1..=3 {
            for house in [floor * 100 + 1, floor * 100 + 2] {
                csv.push_str(&format!(
                    "20001,幸福里,XingFuLi,{building},{building}栋,1,1单元,{floor},{floor}楼,{house},{house}号,单元楼\n"
                ));
            }
        }
    }
    csv
}

#[test]
fn a_tree_imports_once_and_exports_in_the_same_format() {
    let dir = tempfile::tempdir().unwrap();
    let database = format!("sqlite://{}/yibiaosanshi.db", dir.path().display());
    let file = dir.path().join("tree.csv");
    std::fs::write(&file, tree()).unwrap();
    let (ok, out, err) = wjdh(
        &database,
        &["addresses", "import", "--file", file.to_str().unwrap()],
    );
    assert!(ok, "{out}{err}");
    assert!(
        out.contains("created 1 communities, 2 buildings, 2 units, 6 floors, 12 houses"),
        "{out}"
    );
    let (ok, out, err) = wjdh(
        &database,
        &["addresses", "import", "--file", file.to_str().unwrap()],
    );
    assert!(ok, "{out}{err}");
    assert!(
        out.contains("created 0 communities, 0 buildings, 0 units, 0 floors, 0 houses"),
        "{out}"
    );
    let (ok, exported, err) = wjdh(&database, &["addresses", "export", "--community", "20001"]);
    assert!(ok, "{err}");
    assert_eq!(exported, tree());
}

#[test]
fn bad_rows_are_named_by_line_and_nothing_is_loaded() {
    let dir = tempfile::tempdir().unwrap();
    let database = format!("sqlite://{}/yibiaosanshi.db", dir.path().display());
    let file = dir.path().join("bad.csv");
    let mut csv = tree();
    csv.push_str("20001,幸福里,XingFuLi,3,3栋,1,1单元,1,1楼,101,101号,宫殿\n");
    csv.push_str("20001,幸福里,XingFuLi,x,3栋,1,1单元,1,1楼,102,102号,单元楼\n");
    std::fs::write(&file, csv).unwrap();
    let (ok, out, err) = wjdh(
        &database,
        &["addresses", "import", "--file", file.to_str().unwrap()],
    );
    assert!(!ok, "{out}{err}");
    assert!(err.contains("line 14"), "{err}");
    assert!(err.contains("line 15"), "{err}");
    let (ok, _, _) = wjdh(&database, &["addresses", "export", "--community", "20001"]);
    assert!(!ok, "nothing was loaded, so the community is unknown");
}
