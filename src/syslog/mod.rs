//! Sending a record to syslog: RFC 5424 messages, over the local system log socket (a unix
//! datagram socket such as `/dev/log`) or to a collector over UDP (RFC 5426), TCP (RFC 6587)
//! or TLS (RFC 5425). Knows nothing of the appliance: it is given a message, where to send
//! it and by when; every wait ends at that deadline.

mod message;
mod net;
mod stream;
mod tls;

pub use message::{APP_NAME, FACILITY_AUTHPRIV, Message, SEVERITY_NOTICE, octet_counted};
pub use net::{Collector, Transport, send_collector, send_local};
pub use stream::{SendError, Stage};
