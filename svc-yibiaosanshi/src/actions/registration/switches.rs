//! The switches that gate registrations (001 §3: 绑定房屋, 绑定家属), told by svc-community when
//! they change: svc-yibiaosanshi keeps them, so it never asks svc-community (no cycle).
use kit::error::{ServiceError, ServiceResult};
use kit::time::now_unix;
use proto::yibiaosanshi as pb;

use crate::actions::State;
use crate::db::module_switches;
use crate::error::Result;

/// The modules whose switches registrations obey.
pub const REGISTRATION_MODULES: [&str; 2] = ["绑定房屋", "绑定家属"];

/// Stores what svc-community told; other modules are refused (they are not ours to keep).
pub async fn store(state: &State, switches: Vec<pb::ModuleSwitch>) -> ServiceResult<i64> {
    for switch in &switches {
        if switch.community_identifier.trim().is_empty() {
            return Err(ServiceError::missing("community_identifier"));
        }
        if !REGISTRATION_MODULES.contains(&switch.module_name.as_str()) {
            return Err(ServiceError::invalid(
                "module_name",
                "module_name只能是绑定房屋或绑定家属",
            ));
        }
    }
    let stored = i64::try_from(switches.len()).unwrap_or(i64::MAX);
    let now = now_unix();
    state
        .db
        .write(move |conn| -> Result<()> {
            for switch in &switches {
                module_switches::store(
                    conn,
                    &switch.community_identifier,
                    &switch.module_name,
                    switch.enabled,
                    now,
                )?;
            }
            Ok(())
        })
        .await?;
    tracing::info!(stored, "registration switches stored");
    Ok(stored)
}
