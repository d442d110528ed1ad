//! The readers that yield members: each opens one container format and pushes
//! its members to a [`Sink`](crate::Sink) as [`Member`](crate::Member)s,
//! reporting what it declared in a [`Listing`](crate::Listing). Readers of
//! formats decoded by native code ([`rar`]) run the decoder through
//! [`native`](crate::native). Outlook stores are read by
//! [`outlook`](crate::outlook), behind the same sink.

pub mod compress;
pub mod emlx;
pub mod gzip;
pub mod mbox;
pub mod rar;
pub mod sevenz;
pub mod sfx;
pub mod tar;
pub mod tnef;
pub mod zip;
