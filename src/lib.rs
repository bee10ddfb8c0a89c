//! tanos-menu: the TanOS-style console of Tanium Server and Zone Server appliances.

pub mod app;
pub mod appliance;
pub mod cli;
pub mod clipboard;
pub mod date;
pub mod executor;
pub mod fsutil;
pub mod hostname;
pub mod menu;
pub mod model;
pub mod pemtext;
pub mod pki;
pub mod resolve;
pub mod screens;
pub mod sshkeys;
pub mod syslog;
pub mod termcaps;
pub mod text;
pub mod texts;
pub mod tlscheck;
pub mod transfer;
pub mod ui;
