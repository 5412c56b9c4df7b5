//! Containers, one file per operation (like youki): [`create`], [`start`], [`stop`],
//! [`update`], [`delete`], plus [`record`] (the two records), [`observe`] and [`exec`].

pub mod create;
pub mod delete;
pub mod exec;
pub mod observe;
pub mod record;
pub mod start;
pub mod stop;
pub mod update;
