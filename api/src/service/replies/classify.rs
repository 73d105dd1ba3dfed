//! What a person's reply says, by rules (no network, no model): `unsubscribe_request`,
//! `wrong_person`, `not_interested`, `interested` or `other`, read from the person's own text
//! (quoted original and signature left out, see `text`) in English, Portuguese, Spanish,
//! French and German.
//!
//! The phrase sets are data, one file per class under `phrases/`. Phrases are matched on word
//! starts of the folded text (lower case, no accents), so a stem (`descadastr`) covers its
//! forms. The first class with a phrase found wins, in the order
//! above: asking to be removed outranks everything, and "not interested" is read before
//! "interested". An interest phrase with a negation just before it ("not really interested",
//! "no estamos interesados") counts as not interested.

use entity::states::LeadStatus;

use super::text::{fold, own_text};

/// One phrase set, from its file under `phrases/` (one phrase per line, `#` comments, a
/// trailing `$` for "ends a word"), as needles to find in `words` text.
struct Phrases(Vec<String>);

impl Phrases {
    fn parse(file: &str) -> Phrases {
        Phrases(
            file.lines()
                .map(str::trim)
                .filter(|l| !l.is_empty() && !l.starts_with('#'))
                .map(|l| match l.strip_suffix('$') {
                    Some(whole) => format!("{} ", needle(whole)),
                    None => needle(l),
                })
                .collect(),
        )
    }

    /// Whether any phrase starts at a word start of `text`.
    fn any_in(&self, text: &str) -> bool {
        self.0.iter().any(|p| text.contains(p.as_str()))
    }

    /// Whether `word` is one of the phrases (compared whole).
    fn holds(&self, word: &str) -> bool {
        self.0.iter().any(|p| p.trim() == word)
    }
}

/// "Thursday doesn't work, but Friday after 2pm is free": the three word lists of
/// `phrases/counter-proposal.txt` (a contrast, a day, a word of availability).
struct CounterProposal {
    contrast: Vec<String>,
    day: Vec<String>,
    available: Vec<String>,
}

impl CounterProposal {
    fn parse(file: &str) -> CounterProposal {
        let mut out = CounterProposal {
            contrast: Vec::new(),
            day: Vec::new(),
            available: Vec::new(),
        };
        let mut section = "";
        for line in file.lines().map(str::trim) {
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
                section = match name {
                    "contrast" | "day" | "available" => name,
                    _ => "",
                };
                continue;
            }
            let list = match section {
                "contrast" => &mut out.contrast,
                "day" => &mut out.day,
                "available" => &mut out.available,
                _ => continue,
            };
            list.push(line.to_owned());
        }
        out
    }

    /// Whether, after a contrast word, the next dozen words hold a clock time, or a day and a
    /// word of availability.
    fn found_in(&self, text: &str) -> bool {
        let words: Vec<&str> = text.split_whitespace().filter(|w| *w != ",").collect();
        let is = |list: &[String], w: &str| list.iter().any(|l| l == w);
        words.iter().enumerate().any(|(i, w)| {
            if !is(&self.contrast, w) {
                return false;
            }
            let after = &words[i + 1..words.len().min(i + 13)];
            let clock = after
                .iter()
                .enumerate()
                .any(|(j, w)| is_clock(w, after.get(j + 1).copied()));
            let day = after.iter().any(|w| is(&self.day, w));
            let available = after.iter().any(|w| is(&self.available, w));
            clock || (day && available)
        })
    }
}

/// A clock time as `words` leaves it: `14h`, `15h30`, `3pm`, `10am`, `14 uhr`, `15 00` (from
/// `15:00`).
fn is_clock(word: &str, next: Option<&str>) -> bool {
    let digits: String = word.chars().take_while(char::is_ascii_digit).collect();
    let Ok(hour) = digits.parse::<u32>() else {
        return false;
    };
    if digits.len() > 2 || hour > 24 {
        return false;
    }
    let rest = &word[digits.len()..];
    let suffixed = matches!(rest, "h" | "hs" | "pm" | "am" | "uhr")
        || rest
            .strip_prefix('h')
            .is_some_and(|m| m.len() == 2 && m.chars().all(|c| c.is_ascii_digit()));
    let spelled = rest.is_empty()
        && next.is_some_and(|n| {
            n == "uhr" || n == "h" || (n.len() == 2 && n.chars().all(|c| c.is_ascii_digit()))
        });
    suffixed || spelled
}

/// Every phrase set, read once.
struct Sets {
    unsubscribe: Phrases,
    unsubscribe_alone: Phrases,
    wrong_person: Phrases,
    not_interested: Phrases,
    interested: Phrases,
    later: Phrases,
    negations: Phrases,
    counter_proposal: CounterProposal,
}

fn sets() -> &'static Sets {
    static SETS: std::sync::OnceLock<Sets> = std::sync::OnceLock::new();
    SETS.get_or_init(|| Sets {
        unsubscribe: Phrases::parse(include_str!("phrases/unsubscribe.txt")),
        unsubscribe_alone: Phrases::parse(include_str!("phrases/unsubscribe-alone.txt")),
        wrong_person: Phrases::parse(include_str!("phrases/wrong-person.txt")),
        not_interested: Phrases::parse(include_str!("phrases/not-interested.txt")),
        interested: Phrases::parse(include_str!("phrases/interested.txt")),
        later: Phrases::parse(include_str!("phrases/later.txt")),
        negations: Phrases::parse(include_str!("phrases/negations.txt")),
        counter_proposal: CounterProposal::parse(include_str!("phrases/counter-proposal.txt")),
    })
}

/// The folded text as words, each between single spaces (" a b c "), so a phrase matches at
/// word starts by `contains(" phrase")`.
fn words(text: &str) -> String {
    let mut out = String::from(" ");
    for c in text.chars() {
        if c.is_alphanumeric() || c == '\'' {
            out.push(c);
        } else if c == ',' {
            // Kept as a word: "si ," and "ja ," are answers, "si" and "ja" inside a sentence
            // need not be.
            if !out.ends_with(' ') {
                out.push(' ');
            }
            out.push_str(", ");
        } else if !out.ends_with(' ') {
            out.push(' ');
        }
    }
    if !out.ends_with(' ') {
        out.push(' ');
    }
    out.replace("  ", " ")
}

/// A phrase as `words` writes text (" , " for a comma): found at a word start, where it
/// starts with a space.
fn needle(phrase: &str) -> String {
    words(phrase).trim_end().to_owned()
}

/// Whether an interest phrase is found with no negation among the three words before it.
fn plainly_interested(sets: &Sets, text: &str) -> (bool, bool) {
    let mut plain = false;
    let mut negated = false;
    for phrase in &sets.interested.0 {
        for (at, _) in text.match_indices(phrase.as_str()) {
            let before: Vec<&str> = text[..at].split_whitespace().rev().take(3).collect();
            if before.iter().any(|w| sets.negations.holds(w)) {
                negated = true;
            } else {
                plain = true;
            }
        }
    }
    (plain, negated)
}

/// What a human reply says, from its body (as received: the quoted original and the signature
/// are left out here).
pub fn classify(body: &str) -> LeadStatus {
    let sets = sets();
    let own = fold(&own_text(body));
    let text = words(&own);
    let bare = text.trim().trim_matches(|c: char| !c.is_alphanumeric());
    if sets.unsubscribe_alone.holds(bare) || sets.unsubscribe.any_in(&text) {
        return LeadStatus::UnsubscribeRequest;
    }
    if sets.wrong_person.any_in(&text) {
        return LeadStatus::WrongPerson;
    }
    if sets.later.any_in(&text) || sets.counter_proposal.found_in(&text) {
        return LeadStatus::Interested;
    }
    // "No." / "Não, obrigado." / "Nein!": a refusal as the first word.
    let first: Vec<&str> = text.split_whitespace().take(2).collect();
    let refusal = matches!(
        first.first(),
        Some(&("no" | "nao" | "nein" | "non" | "nope" | "nah" | "nee" | "pass" | "paso" | "passo"))
    ) && first
        .get(1)
        .is_none_or(|w| !w.chars().all(char::is_alphanumeric));
    if refusal || sets.not_interested.any_in(&text) {
        return LeadStatus::NotInterested;
    }
    match plainly_interested(sets, &text) {
        (true, _) => LeadStatus::Interested,
        (false, true) => LeadStatus::NotInterested,
        (false, false) => LeadStatus::Other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_class_in_each_language() {
        use LeadStatus::*;
        let cases = [
            ("Please remove me from your list.", UnsubscribeRequest),
            ("STOP", UnsubscribeRequest),
            ("Me tire da sua lista, por favor.", UnsubscribeRequest),
            ("Por favor, denme de baja.", UnsubscribeRequest),
            ("Merci de me désinscrire.", UnsubscribeRequest),
            (
                "Bitte tragen Sie mich aus Ihrem Verteiler aus.",
                UnsubscribeRequest,
            ),
            ("I'm not the right person, talk to Maria.", WrongPerson),
            ("Não trabalho mais na Acme.", WrongPerson),
            ("Ya no trabajo en esa empresa.", WrongPerson),
            ("Je ne suis pas la bonne personne.", WrongPerson),
            ("Ich bin dafür nicht zuständig.", WrongPerson),
            ("Not interested, thanks.", NotInterested),
            ("Não temos interesse no momento.", NotInterested),
            ("No nos interesa, gracias.", NotInterested),
            ("Non merci, nous avons déjà un outil.", NotInterested),
            ("Kein Interesse.", NotInterested),
            ("Sounds good, can we talk Tuesday at 3pm?", Interested),
            ("Tenho interesse, podemos conversar amanhã?", Interested),
            ("Me interesa, ¿cuánto cuesta?", Interested),
            ("Intéressant, envoyez-moi une démo.", Interested),
            ("Klingt gut, schicken Sie mir ein Angebot.", Interested),
            (
                "Thursday doesn't work, but Friday at 3pm is fine.",
                Interested,
            ),
            (
                "Quinta não rola, mas sexta depois das 14h tô livre.",
                Interested,
            ),
            (
                "Donnerstag passt nicht, aber Freitag ab 14 Uhr ginge.",
                Interested,
            ),
            ("Not interested, but have a nice Friday!", NotInterested),
            ("Received, thanks.", Other),
        ];
        for (text, want) in cases {
            assert_eq!(classify(text), want, "{text}");
        }
    }

    #[test]
    fn the_quoted_original_does_not_count() {
        let body = "Thanks, received.\n\nOn Mon, Dec 7, 2026 at 10:02 AM Ana <ana@acme.io> wrote:\n> Interested in a quick call? If not, reply unsubscribe.";
        assert_eq!(classify(body), LeadStatus::Other);
    }

    proptest::proptest! {
        #[test]
        fn any_text_gets_a_class_without_panicking(text in "\\PC{0,400}") {
            let _ = classify(&text);
        }
    }
}
