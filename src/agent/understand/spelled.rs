//! Letters said one by one, joined into words: "R I V E R A", "r-i-v-e-r-a",
//! "S I O B H A N" (with "a" and "i" inside the run), "O apostrophe B R I E N".

/// One word after spelling is joined: the words it came from are `from..to`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Piece {
    pub lower: String,
    /// As the transcript cased it (a spelled word is lowercase; the name parser capitalizes).
    pub raw: String,
    pub spelled: bool,
    pub from: usize,
    pub to: usize,
    /// A sentence ends after this piece.
    pub sentence_end: bool,
    /// Part of a date, time or phone number already read.
    pub taken: bool,
}

fn letter(word: &str) -> Option<char> {
    let mut chars = word.chars();
    let c = chars.next()?;
    (chars.next().is_none() && c.is_alphabetic()).then_some(c)
}

/// "s-i-o-b-h-a-n" as one token.
fn hyphen_spelled(word: &str) -> Option<String> {
    let parts: Vec<&str> = word.split('-').collect();
    (parts.len() >= 2 && parts.iter().all(|p| letter(p).is_some())).then(|| parts.concat())
}

/// Joins spelled runs. A run is two or more single letters; a run of two that is "a" or "i"
/// with another letter is English ("a b"), unless it spells the word before it ("Li, L I").
pub fn join(words: &[&str], raw: &[&str], sentence_end: &[bool], taken: &[bool]) -> Vec<Piece> {
    let is_taken = |i: usize| taken.get(i).copied().unwrap_or(false);
    let mut pieces: Vec<Piece> = Vec::with_capacity(words.len());
    let mut i = 0;
    while i < words.len() {
        if let Some(joined) = hyphen_spelled(words[i]).filter(|_| !is_taken(i)) {
            pieces.push(Piece {
                raw: joined.clone(),
                lower: joined,
                spelled: true,
                from: i,
                to: i + 1,
                sentence_end: sentence_end.get(i).copied().unwrap_or(false),
                taken: false,
            });
            i += 1;
            continue;
        }
        // A run of letters, with "apostrophe" and "hyphen" said inside it.
        let mut j = i;
        let mut joined = String::new();
        let mut letters = 0;
        while j < words.len() && !is_taken(j) {
            if let Some(c) = letter(words[j]) {
                joined.push(c);
                letters += 1;
            } else if letters > 0 && matches!(words[j], "apostrophe" | "hyphen" | "dash") {
                joined.push(if words[j] == "apostrophe" { '\'' } else { '-' });
            } else {
                break;
            }
            j += 1;
            if sentence_end.get(j - 1).copied().unwrap_or(false) {
                break;
            }
        }
        let joined = joined.trim_end_matches(['\'', '-']).to_owned();
        let english_pair = letters == 2 && (joined.contains('a') || joined.contains('i'));
        let spells_previous = pieces.last().is_some_and(|p| p.lower == joined);
        if letters >= 2 && (!english_pair || spells_previous) {
            pieces.push(Piece {
                raw: joined.clone(),
                lower: joined,
                spelled: true,
                from: i,
                to: j,
                sentence_end: sentence_end.get(j - 1).copied().unwrap_or(false),
                taken: false,
            });
            i = j;
            continue;
        }
        pieces.push(Piece {
            lower: words[i].to_owned(),
            raw: raw.get(i).copied().unwrap_or(words[i]).to_owned(),
            spelled: false,
            from: i,
            to: i + 1,
            sentence_end: sentence_end.get(i).copied().unwrap_or(false),
            taken: is_taken(i),
        });
        i += 1;
    }
    pieces
}

#[cfg(test)]
mod tests {
    use super::*;

    fn j(s: &str) -> Vec<String> {
        let words: Vec<&str> = s.split_whitespace().collect();
        join(&words, &words, &[], &[])
            .into_iter()
            .map(|p| p.lower)
            .collect()
    }

    #[test]
    fn joins_letters() {
        assert_eq!(j("s i o b h a n"), ["siobhan"]);
        assert_eq!(j("rivera r i v e r a"), ["rivera", "rivera"]);
        assert_eq!(j("s-i-o-b-h-a-n"), ["siobhan"]);
        assert_eq!(j("o apostrophe b r i e n"), ["o'brien"]);
        assert_eq!(j("li l i"), ["li", "li"]);
        assert_eq!(j("i need a cleaning"), ["i", "need", "a", "cleaning"]);
        assert_eq!(j("plan a b"), ["plan", "a", "b"]);
    }
}
