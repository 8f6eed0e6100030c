//! The integration suites, in one test binary (one link instead of twenty): each module drives
//! the real server over real HTTP and WebSockets, or the real store, as Retell and clinics do.
//! `common` starts servers on port 0 with a fresh database each; `corpus` generates callers.
//! `tests/message_logs.rs` stays a binary of its own: it captures logs, which needs a process
//! no other test shares (see its header).

mod common;
mod corpus;

mod adversarial;
mod booking_api;
mod browser;
mod browser_lab;
mod browser_readiness;
mod browser_setup;
mod browser_team;
mod call_records;
mod caller_phrasings;
mod cli;
mod console;
mod console_lab;
mod console_pages;
mod console_readiness;
mod console_setup;
mod console_team;
mod conversations;
mod conversations_generated;
mod fault;
mod isolation;
mod llm_agent;
mod messages;
mod metrics;
mod postgres;
mod protocol;
mod realistic_callers;
mod receptionist_corpus;
mod routing;
mod serve;
mod store;
mod store_contract;
mod tls;
mod upgrade;
mod webhook;
