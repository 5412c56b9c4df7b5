//! Containers, one file per operation (like youki): [`create`], [`start`], [`stop`],
//! [`update`], [`delete`], [`rename`], plus [`record`] (the two records), [`observe`] and [`exec`].

pub mod create;
pub mod delete;
pub mod exec;
pub mod netns;
pub mod observe;
pub mod record;
pub mod rename;
pub mod start;
pub mod stop;
pub mod update;
