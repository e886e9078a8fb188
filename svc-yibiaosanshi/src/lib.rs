//! svc-yibiaosanshi: the standard address tree (小区 → 楼栋 → 单元 → 楼层 → 房屋); people,
//! bindings and reviews (一标三实) follow with their issues.
pub mod addresses;
pub mod db;
pub mod domain;
pub mod grpc;
pub mod startup;
