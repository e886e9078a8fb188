//! A user's registration state as svc-yibiaosanshi tells it (issue 14): a state the user is in
//! already is not written again, a new one is, on SQLite and on PostgreSQL.
#![allow(clippy::unwrap_used)]
#[path = "../../kit/tests/support/database.rs"]
mod database;

use database::TestDatabase;
use kit::db::{Database, DbError};
use svc_auth::db::users::{self, NewUser};

#[tokio::test]
async fn an_unchanged_state_is_not_written_again_and_a_new_one_is() {
    let test = TestDatabase::new("registration_state");
    let db = Database::connect(&test.url, 2, &svc_auth::db::MIGRATIONS)
        .await
        .unwrap();
    db.run(|conn| -> Result<(), DbError> {
        let user = users::insert(
            conn,
            &NewUser {
                openid: None,
                phone: "13800000001",
                name: "张三",
                avatar: "",
                registration_state: "NewMember",
                created_at: 100,
                updated_at: 100,
            },
        )?;
        let same = users::set_registration_state(conn, user.id, "NewMember", 200)?.unwrap();
        assert_eq!(same.registration_state, "NewMember");
        assert_eq!(same.updated_at, 100, "an unchanged state is not written");
        let moved = users::set_registration_state(conn, user.id, "Shenheing", 300)?.unwrap();
        assert_eq!(moved.registration_state, "Shenheing");
        assert_eq!(moved.updated_at, 300);
        let stored = users::find_by_id(conn, user.id)?.unwrap();
        assert_eq!(
            (stored.registration_state.as_str(), stored.updated_at),
            ("Shenheing", 300)
        );
        assert!(users::set_registration_state(conn, user.id + 1, "Shenheing", 400)?.is_none());
        Ok(())
    })
    .await
    .unwrap();
}
