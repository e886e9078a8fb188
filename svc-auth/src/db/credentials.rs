//! Platform credentials: a hashed secret and the communities the credential manages.
use diesel::prelude::*;
use kit::db::{AnyConnection, DbError};

use super::schema::{credential_communities, platform_credentials};

#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = platform_credentials)]
pub struct Credential {
    pub id: i64,
    pub secret_id: String,
    pub secret_hash: String,
    pub name: String,
    pub created_at: i64,
    pub revoked_at: Option<i64>,
}

#[derive(Insertable)]
#[diesel(table_name = platform_credentials)]
pub struct NewCredential<'a> {
    pub secret_id: &'a str,
    pub secret_hash: &'a str,
    pub name: &'a str,
    pub created_at: i64,
}

/// The live (not revoked) credential with this secret id.
pub fn find_active_by_secret_id(
    conn: &mut AnyConnection,
    secret_id: &str,
) -> Result<Option<Credential>, DbError> {
    Ok(platform_credentials::table
        .filter(platform_credentials::secret_id.eq(secret_id))
        .filter(platform_credentials::revoked_at.is_null())
        .select(platform_credentials::all_columns)
        .first::<Credential>(conn)
        .optional()?)
}

pub fn find_active_by_id(conn: &mut AnyConnection, id: i64) -> Result<Option<Credential>, DbError> {
    Ok(platform_credentials::table
        .find(id)
        .filter(platform_credentials::revoked_at.is_null())
        .select(platform_credentials::all_columns)
        .first::<Credential>(conn)
        .optional()?)
}

pub fn find_by_secret_id(
    conn: &mut AnyConnection,
    secret_id: &str,
) -> Result<Option<Credential>, DbError> {
    Ok(platform_credentials::table
        .filter(platform_credentials::secret_id.eq(secret_id))
        .select(platform_credentials::all_columns)
        .first::<Credential>(conn)
        .optional()?)
}

pub fn communities_of(
    conn: &mut AnyConnection,
    credential_id: i64,
) -> Result<Vec<String>, DbError> {
    Ok(credential_communities::table
        .filter(credential_communities::credential_id.eq(credential_id))
        .select(credential_communities::community_identifier)
        .order(credential_communities::community_identifier.asc())
        .load::<String>(conn)?)
}

pub fn list(conn: &mut AnyConnection) -> Result<Vec<Credential>, DbError> {
    Ok(platform_credentials::table
        .select(platform_credentials::all_columns)
        .order(platform_credentials::id.asc())
        .load::<Credential>(conn)?)
}

/// Inserts a credential with its communities, in one transaction.
pub fn insert(
    conn: &mut AnyConnection,
    credential: &NewCredential<'_>,
    communities: &[String],
) -> Result<Credential, diesel::result::Error> {
    conn.transaction(|conn| {
        let created = diesel::insert_into(platform_credentials::table)
            .values(credential)
            .returning(platform_credentials::all_columns)
            .get_result::<Credential>(conn)?;
        for community in communities {
            diesel::insert_into(credential_communities::table)
                .values((
                    credential_communities::credential_id.eq(created.id),
                    credential_communities::community_identifier.eq(community),
                ))
                .execute(conn)?;
        }
        Ok(created)
    })
}

/// Marks the credential revoked; returns whether a live one was found.
pub fn revoke(conn: &mut AnyConnection, secret_id: &str, now: i64) -> Result<bool, DbError> {
    let changed = diesel::update(
        platform_credentials::table
            .filter(platform_credentials::secret_id.eq(secret_id))
            .filter(platform_credentials::revoked_at.is_null()),
    )
    .set(platform_credentials::revoked_at.eq(Some(now)))
    .execute(conn)?;
    Ok(changed > 0)
}
