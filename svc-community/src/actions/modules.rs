//! 001 §3: list, change and sync the nine switches; what other services ask.
use std::collections::BTreeMap;

use kit::db::Database;
use kit::error::{ServiceError, ServiceResult};
use proto::community::{
    ChangeModuleRequest, Module, ModuleList, PlatformCommunity, ResidentCommunity,
    SyncModulesRequest, SyncReply,
};
use proto::yibiaosanshi::ModuleSwitch;

use super::{State, manages, platform, resident};
use crate::db::modules as db;
use crate::domain::modules::{MODULES, REGISTRATION_MODULES, position};
use crate::error::Error;

/// The nine switches of `community` (a module never set is on).
pub async fn list_of(database: &Database, community: &str) -> ServiceResult<ModuleList> {
    let key = community.to_owned();
    let stored: BTreeMap<String, bool> = database
        .run(move |conn| db::of_community(conn, &key).map_err(Error::from))
        .await?
        .into_iter()
        .collect();
    let modules = MODULES
        .iter()
        .zip(1..)
        .map(|(name, id)| Module {
            id,
            community_identifier: community.to_owned(),
            module_name: (*name).to_owned(),
            module_status: stored.get(*name).copied().unwrap_or(true),
        })
        .collect();
    Ok(ModuleList { modules })
}

/// The switches among `modules` that svc-yibiaosanshi keeps (those gating registrations).
fn registration_switches<'a>(
    community: &str,
    modules: impl IntoIterator<Item = (&'a str, bool)>,
) -> Vec<ModuleSwitch> {
    modules
        .into_iter()
        .filter(|(name, _)| REGISTRATION_MODULES.contains(name))
        .map(|(name, enabled)| ModuleSwitch {
            community_identifier: community.to_owned(),
            module_name: name.to_owned(),
            enabled,
        })
        .collect()
}

/// Whether `module` is on in `community` (never set: on).
pub async fn is_enabled(database: &Database, community: &str, module: &str) -> ServiceResult<bool> {
    let (community, module) = (community.to_owned(), module.to_owned());
    let stored = database
        .run(move |conn| db::enabled(conn, &community, &module).map_err(Error::from))
        .await?;
    Ok(stored.unwrap_or(true))
}

/// 3.2.1.
pub async fn list(state: &State, request: PlatformCommunity) -> ServiceResult<ModuleList> {
    let platform = platform(request.platform.as_ref())?;
    manages(platform, &request.xiaoqu)?;
    list_of(&state.db, &request.xiaoqu).await
}

/// 3.2.2.
pub async fn change(state: &State, request: ChangeModuleRequest) -> ServiceResult<Module> {
    let platform = platform(request.platform.as_ref())?;
    let (community, name, enabled) = (request.xiaoqu, request.module_name, request.module_status);
    let id = position(&name)
        .ok_or_else(|| ServiceError::invalid("module_name", "module_name不是已有的功能模块"))?;
    manages(platform, &community)?;
    let (c, n) = (community.clone(), name.clone());
    let now = kit::time::now_unix();
    state
        .db
        .run(move |conn| db::set(conn, &c, &n, enabled, now).map_err(Error::from))
        .await?;
    // Registrations obey this switch in svc-yibiaosanshi: it must hear it now. When it cannot,
    // the caller is told to try again (the switch is stored; the change is idempotent).
    state
        .registrations
        .tell_switches(registration_switches(
            &community,
            [(name.as_str(), enabled)],
        ))
        .await?;
    tracing::info!(
        community,
        module = name,
        enabled,
        secret_id = platform.secret_id,
        "module switched"
    );
    Ok(Module {
        id,
        community_identifier: community,
        module_name: name,
        module_status: enabled,
    })
}

/// A resident reads a community they are bound to.
pub async fn for_resident(state: &State, request: ResidentCommunity) -> ServiceResult<ModuleList> {
    let resident = resident(request.resident.as_ref())?;
    state.houses(resident).await?.community(&request.xiaoqu)?;
    list_of(&state.db, &request.xiaoqu).await
}

/// 3.1.1: stores every switch the security platform knows; returns (communities, modules).
pub async fn sync(state: &State) -> ServiceResult<SyncReply> {
    sync_communities(state, None).await
}

/// Syncs the switches of `only` these communities (all when `None`), and tells
/// svc-yibiaosanshi those that gate registrations.
async fn sync_communities(state: &State, only: Option<&[String]>) -> ServiceResult<SyncReply> {
    let (database, secplat) = (&state.db, &state.secplat);
    let mut states = secplat.module_states().await.map_err(|error| {
        tracing::warn!(%error, "module sync failed");
        ServiceError::upstream(format!("安防平台模块状态同步失败: {error}"))
    })?;
    if let Some(only) = only {
        states.retain(|community, _| only.contains(community));
    }
    let now = kit::time::now_unix();
    let communities = i64::try_from(states.len()).unwrap_or(i64::MAX);
    let told: Vec<ModuleSwitch> = states
        .iter()
        .flat_map(|(community, modules)| {
            registration_switches(
                community,
                modules
                    .iter()
                    .map(|(name, enabled)| (name.as_str(), *enabled)),
            )
        })
        .collect();
    let modules = database
        .run(move |conn| {
            let mut count = 0_i64;
            for (community, modules) in &states {
                for (name, enabled) in modules {
                    if position(name).is_some() {
                        db::set(conn, community, name, *enabled, now)?;
                        count += 1;
                    }
                }
            }
            Ok::<_, Error>(count)
        })
        .await?;
    tracing::info!(
        communities,
        modules,
        "module switches synced from the security platform"
    );
    // A registry that cannot hear it now hears it at the next sync.
    if let Err(error) = state.registrations.tell_switches(told).await {
        tracing::warn!(message = %error.message, "registration switches not told to svc-yibiaosanshi");
    }
    Ok(SyncReply {
        communities,
        modules,
    })
}

/// On demand, by a platform credential: the communities it manages, no others.
pub async fn sync_on_demand(
    state: &State,
    request: SyncModulesRequest,
) -> ServiceResult<SyncReply> {
    let credential = platform(request.platform.as_ref())?;
    sync_communities(state, Some(&credential.communities)).await
}
