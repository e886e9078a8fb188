//! svc-yibiaosanshi: the standard address tree (小区 → 楼栋 → 单元 → 楼层 → 房屋) and 一标三实 —
//! people, their bindings to houses and the reviews (审核) that change them; the cars residents
//! bind (a held plate moves only with the platform's confirmation) and the parking spots the
//! security platform assigns.
pub mod actions;
pub mod clients;
pub mod config;
pub mod db;
pub mod domain;
pub mod error;
pub mod grpc;
pub mod startup;
