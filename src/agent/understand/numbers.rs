//! Numbers as Retell transcribes speech: digits, number words, "oh" for zero, "double five".

pub(crate) const UNITS: &[&str] = &[
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
];
pub(crate) const TENS: &[&str] = &[
    "", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety",
];
pub(crate) const ORDINALS: &[&str] = &[
    "zeroth",
    "first",
    "second",
    "third",
    "fourth",
    "fifth",
    "sixth",
    "seventh",
    "eighth",
    "ninth",
    "tenth",
    "eleventh",
    "twelfth",
    "thirteenth",
    "fourteenth",
    "fifteenth",
    "sixteenth",
    "seventeenth",
    "eighteenth",
    "nineteenth",
];
const TENS_ORDINALS: &[&str] = &["", "", "twentieth", "thirtieth"];

/// A single number word: "seven" → 7, "twenty" → 20, "oh" → 0.
pub fn word_value(word: &str) -> Option<u32> {
    if word == "oh" || word == "o" {
        return Some(0);
    }
    if let Some(i) = UNITS.iter().position(|w| *w == word) {
        return Some(i as u32);
    }
    TENS.iter()
        .position(|w| !w.is_empty() && *w == word)
        .map(|i| i as u32 * 10)
}

/// "14th", "fourteenth", "twenty-first" (as one word or two) → the day number.
pub fn ordinal_value(words: &[&str]) -> Option<(u32, usize)> {
    let first = *words.first()?;
    let digits: String = first.chars().take_while(char::is_ascii_digit).collect();
    let suffix = &first[digits.len()..];
    if !digits.is_empty() && ["st", "nd", "rd", "th"].contains(&suffix) {
        return digits.parse().ok().map(|n| (n, 1));
    }
    if let Some(i) = ORDINALS.iter().position(|w| *w == first) {
        return Some((i as u32, 1));
    }
    if let Some(i) = TENS_ORDINALS
        .iter()
        .position(|w| !w.is_empty() && *w == first)
    {
        return Some((i as u32 * 10, 1));
    }
    // "twenty first" / "twenty-first"
    let (tens, unit) = match first.split_once('-') {
        Some((t, u)) => (t, Some(u)),
        None => (first, words.get(1).copied()),
    };
    let tens_value = TENS.iter().position(|w| !w.is_empty() && *w == tens)? as u32 * 10;
    let unit = unit?;
    let unit_value = ORDINALS
        .iter()
        .position(|w| *w == unit)
        .filter(|&i| (1..10).contains(&i))?;
    let used = if first.contains('-') { 1 } else { 2 };
    Some((tens_value + unit_value as u32, used))
}

/// A cardinal number at the start of `words` (up to 99, or digits): value and words used.
pub fn cardinal_value(words: &[&str]) -> Option<(u32, usize)> {
    let first = *words.first()?;
    if first.chars().all(|c| c.is_ascii_digit()) && !first.is_empty() && first.len() <= 4 {
        return first.parse().ok().map(|n| (n, 1));
    }
    let (tens, unit) = match first.split_once('-') {
        Some((t, u)) => (t, Some(u)),
        None => (first, None),
    };
    let value = word_value(tens)?;
    if let Some(unit) = unit {
        return Some((value + word_value(unit).filter(|u| *u < 10)?, 1));
    }
    if value >= 20
        && value % 10 == 0
        && let Some(unit) = words
            .get(1)
            .and_then(|w| word_value(w))
            .filter(|u| (1..10).contains(u))
    {
        return Some((value + unit, 2));
    }
    Some((value, 1))
}

/// A year said in words or digits: "1984", "nineteen eighty four", "two thousand five",
/// "twenty ten". Returns the year and the words used.
pub fn year_value(words: &[&str]) -> Option<(i32, usize)> {
    let first = *words.first()?;
    if first.len() == 4 && first.chars().all(|c| c.is_ascii_digit()) {
        return first.parse().ok().map(|y| (y, 1));
    }
    if first == "two" && words.get(1) == Some(&"thousand") {
        let rest = &words[2..];
        let rest = if rest.first() == Some(&"and") {
            &rest[1..]
        } else {
            rest
        };
        let skipped = words.len() - rest.len();
        return Some(match cardinal_value(rest) {
            Some((n, used)) if n < 100 => (2000 + n as i32, skipped + used),
            _ => (2000, 2),
        });
    }
    let (century, used) = cardinal_value(words)?;
    if !(10..=20).contains(&century) || used != 1 {
        return None;
    }
    let rest = &words[1..];
    if rest.first() == Some(&"hundred") {
        return Some((century as i32 * 100, 2));
    }
    // "nineteen oh five"
    if rest.first() == Some(&"oh") {
        let (unit, used) = cardinal_value(&rest[1..])?;
        return (unit < 10).then_some((century as i32 * 100 + unit as i32, 2 + used));
    }
    let (tail, tail_used) = cardinal_value(rest)?;
    (10..100)
        .contains(&tail)
        .then_some((century as i32 * 100 + tail as i32, 1 + tail_used))
}

/// Every digit said, in order: "five five five, oh one two three" → "5550123";
/// "double five" → "55". Number words above nine ("twenty") end a run.
pub fn spoken_digits(words: &[&str]) -> String {
    let mut digits = String::new();
    let mut repeat = 1;
    for word in words {
        match *word {
            "double" => {
                repeat = 2;
                continue;
            }
            "triple" => {
                repeat = 3;
                continue;
            }
            _ => {}
        }
        if word.chars().all(|c| c.is_ascii_digit()) && !word.is_empty() {
            for _ in 0..repeat {
                digits.push_str(word);
            }
        } else if let Some(value) = word_value(word).filter(|v| *v < 10) {
            for _ in 0..repeat {
                digits.push(char::from(b'0' + value as u8));
            }
        }
        repeat = 1;
    }
    digits
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(s: &str) -> Vec<&str> {
        s.split_whitespace().collect()
    }

    #[test]
    fn reads_spoken_numbers() {
        assert_eq!(
            spoken_digits(&words("five five five oh one two three")),
            "5550123"
        );
        assert_eq!(
            spoken_digits(&words("double five 5 201 0123")),
            "5552010123"
        );
        assert_eq!(cardinal_value(&words("twenty three")), Some((23, 2)));
        assert_eq!(cardinal_value(&words("twenty-one")), Some((21, 1)));
        assert_eq!(ordinal_value(&words("fourteenth")), Some((14, 1)));
        assert_eq!(ordinal_value(&words("twenty first")), Some((21, 2)));
        assert_eq!(ordinal_value(&words("3rd")), Some((3, 1)));
        assert_eq!(year_value(&words("nineteen eighty four")), Some((1984, 3)));
        assert_eq!(year_value(&words("nineteen eighty")), Some((1980, 2)));
        assert_eq!(year_value(&words("two thousand and five")), Some((2005, 4)));
        assert_eq!(year_value(&words("twenty ten")), Some((2010, 2)));
        assert_eq!(year_value(&words("1975")), Some((1975, 1)));
        assert_eq!(year_value(&words("nineteen oh five")), Some((1905, 3)));
    }
}
