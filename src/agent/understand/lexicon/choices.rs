//! Picking one of the offered options.

/// Ordinals that pick an option when followed by "one", "option" or "slot".
pub const CHOICE_ORDINALS: &[(&str, usize)] = &[
    ("first", 1),
    ("1st", 1),
    ("second", 2),
    ("2nd", 2),
    ("third", 3),
    ("3rd", 3),
    ("fourth", 4),
    ("4th", 4),
    ("fifth", 5),
    ("5th", 5),
    ("middle", 2),
    ("earlier", 1),
    ("earliest", 1),
    ("early", 1),
    ("former", 1),
];
pub const CHOICE_LAST: &[&str] = &[
    "last one",
    "the last",
    "final one",
    "later one",
    "latest one",
    "the latter",
    "late one",
];
pub const CHOICE_ANY: &[&str] = &[
    "either one",
    "either is",
    "either works",
    "either of them",
    "either of those",
    "any of them",
    "any of those",
    "whichever",
    "doesn't matter",
    "does not matter",
    "you pick",
    "you choose",
    "dealer's choice",
];
