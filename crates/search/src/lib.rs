//! What is in a case: who wrote to whom and when, how messages hang
//! together, and (with the index) where a word occurs.
#![warn(missing_docs)]
