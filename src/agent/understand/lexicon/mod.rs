//! What words mean, as data: the phrase tables the parsers read. Phrases are lowercase whole
//! words as `text::words` produces them ("don't", "check-up", "o'clock"). Order matters
//! where a table says so: the first match wins.

mod choices;
mod consent;
mod intents;
mod languages;
mod names;
mod patients;
mod questions;
mod relations;
mod services;
mod signals;

pub use choices::*;
pub use consent::*;
pub use intents::*;
pub use languages::*;
pub use names::*;
pub use patients::*;
pub use questions::*;
pub use relations::*;
pub use services::*;
pub use signals::*;
