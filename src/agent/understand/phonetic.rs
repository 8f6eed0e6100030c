//! Sound-alike matching for names the speech recognizer may have misheard ("Chan" for
//! "Chen"): edit distance and a Soundex key.

/// Levenshtein distance over characters.
pub fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let above = row[j + 1];
            row[j + 1] = (above + 1)
                .min(row[j] + 1)
                .min(diagonal + usize::from(ca != *cb));
            diagonal = above;
        }
    }
    row[b.len()]
}

fn soundex_digit(c: char) -> Option<char> {
    match c {
        'b' | 'f' | 'p' | 'v' => Some('1'),
        'c' | 'g' | 'j' | 'k' | 'q' | 's' | 'x' | 'z' => Some('2'),
        'd' | 't' => Some('3'),
        'l' => Some('4'),
        'm' | 'n' => Some('5'),
        'r' => Some('6'),
        _ => None,
    }
}

/// American Soundex ("chen" and "chan" are both C500); None for words without ASCII letters.
pub fn soundex(word: &str) -> Option<String> {
    let mut letters = word
        .chars()
        .filter(char::is_ascii_alphabetic)
        .map(|c| c.to_ascii_lowercase());
    let first = letters.next()?;
    let mut key = String::with_capacity(4);
    key.push(first.to_ascii_uppercase());
    let mut last = soundex_digit(first);
    for c in letters {
        let digit = soundex_digit(c);
        if let Some(d) = digit
            && digit != last
        {
            key.push(d);
            if key.len() == 4 {
                break;
            }
        }
        // 'h' and 'w' do not separate equal codes; vowels do.
        if !matches!(c, 'h' | 'w') {
            last = digit;
        }
    }
    while key.len() < 4 {
        key.push('0');
    }
    Some(key)
}

/// Two spellings of a name that a listener could confuse.
pub fn sounds_alike(a: &str, b: &str) -> bool {
    let longest = a.chars().count().max(b.chars().count());
    distance(a, b) <= (longest / 3).max(1)
        || (a.chars().next() == b.chars().next()
            && soundex(a).is_some()
            && soundex(a) == soundex(b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distances_and_keys() {
        assert_eq!(distance("chen", "chan"), 1);
        assert_eq!(distance("", "abc"), 3);
        assert_eq!(distance("nguyen", "newyen"), 2);
        assert_eq!(soundex("chen").as_deref(), Some("C500"));
        assert_eq!(soundex("chan").as_deref(), Some("C500"));
        assert_eq!(soundex("robert").as_deref(), Some("R163"));
        assert_eq!(soundex("rupert").as_deref(), Some("R163"));
        assert_eq!(soundex("ashcraft").as_deref(), Some("A261"));
        assert!(sounds_alike("patel", "pattel"));
        assert!(!sounds_alike("ann", "rivera"));
        assert_eq!(soundex("ñ"), None);
    }
}
