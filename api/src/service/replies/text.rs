//! What the person wrote in a reply: the text above the quoted original, the client's
//! attribution line ("On … wrote:", "Em … escreveu:", an Outlook header block) and the
//! signature. Also the folded form every rule matches against (lower case, accents removed).

/// Lines that end the person's own text when a line starts with them (folded).
const CUT_PREFIXES: &[&str] = &[
    "-----original message",
    "----- original message",
    "-----mensagem original",
    "----- mensagem original",
    "-----mensaje original",
    "----- mensaje original",
    "-----message d'origine",
    "----- message d'origine",
    "-----ursprungliche nachricht",
    "----- ursprungliche nachricht",
    "________________________________",
    "sent from my ",
    "sent from outlook",
    "get outlook for ",
    "enviado do meu ",
    "enviado de meu ",
    "enviado desde mi ",
    "envoye de mon ",
    "envoye depuis mon ",
    "von meinem ",
    "gesendet von ",
];

/// How a client's attribution line ends ("… wrote:"), folded.
const ATTRIBUTION_ENDS: &[&str] = &[
    "wrote:",
    "escreveu:",
    "escribio:",
    "ha escrito:",
    "a ecrit :",
    "a ecrit:",
    "schrieb:",
    "geschrieben:",
];

/// Header names that open a forwarded or quoted header block ("From: … / Sent: …"), folded.
const BLOCK_FROM: &[&str] = &["from:", "de:", "de :", "von:", "da:"];
const BLOCK_NEXT: &[&str] = &[
    "sent:",
    "date:",
    "to:",
    "subject:",
    "enviado:",
    "data:",
    "para:",
    "assunto:",
    "fecha:",
    "asunto:",
    "envoye :",
    "envoye:",
    "a :",
    "objet :",
    "objet:",
    "gesendet:",
    "an:",
    "betreff:",
    "datum:",
];

/// Lower case, accents and ligatures folded to ASCII letters (`não` → `nao`, `für` → `fur`,
/// `ß` → `ss`), typographic quotes and dashes made plain. Lengths change: match on the result,
/// never index the original with its offsets.
pub fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            'á' | 'à' | 'â' | 'ã' | 'ä' | 'å' | 'Á' | 'À' | 'Â' | 'Ã' | 'Ä' | 'Å' => {
                out.push('a')
            }
            'é' | 'è' | 'ê' | 'ë' | 'É' | 'È' | 'Ê' | 'Ë' => out.push('e'),
            'í' | 'ì' | 'î' | 'ï' | 'Í' | 'Ì' | 'Î' | 'Ï' => out.push('i'),
            'ó' | 'ò' | 'ô' | 'õ' | 'ö' | 'Ó' | 'Ò' | 'Ô' | 'Õ' | 'Ö' => out.push('o'),
            'ú' | 'ù' | 'û' | 'ü' | 'Ú' | 'Ù' | 'Û' | 'Ü' => out.push('u'),
            'ç' | 'Ç' => out.push('c'),
            'ñ' | 'Ñ' => out.push('n'),
            'ß' => out.push_str("ss"),
            'œ' | 'Œ' => out.push_str("oe"),
            'æ' | 'Æ' => out.push_str("ae"),
            '’' | '‘' | '´' | '`' => out.push('\''),
            '“' | '”' | '«' | '»' | '„' => out.push('"'),
            '–' | '—' | '‐' => out.push('-'),
            '\u{a0}' | '\u{202f}' => out.push(' '),
            c => out.extend(c.to_lowercase()),
        }
    }
    out
}

fn starts_any(line: &str, set: &[&str]) -> bool {
    set.iter().any(|p| line.starts_with(p))
}

/// How a legal disclaimer under a reply starts (folded); it is not the person's text.
const DISCLAIMERS: &[&str] = &[
    "this e-mail",
    "this email",
    "this message",
    "the information contained",
    "confidentiality notice",
    "esta mensagem",
    "este e-mail",
    "este email",
    "aviso de confidencialidade",
    "este mensaje",
    "este correo",
    "aviso legal",
    "ce message",
    "ce courriel",
    "ce mail",
    "diese e-mail",
    "diese email",
    "diese nachricht",
    "vertraulichkeitshinweis",
];

/// Whether `lines[i]` opens the quoted original: an attribution (on one line, or wrapped onto
/// the next), a separator, a signature the client adds, or an Outlook header block.
fn opens_quote(lines: &[String], i: usize) -> bool {
    let line = lines[i].trim();
    if starts_any(line, CUT_PREFIXES) || line.starts_with("-----") {
        return true;
    }
    if ATTRIBUTION_ENDS.iter().any(|end| line.ends_with(end)) {
        return true;
    }
    // "Am Mo., 7. Dez. 2026 um 10:02 Uhr schrieb Ana <ana@acme.io>:"
    let names_writer = ATTRIBUTION_ENDS
        .iter()
        .any(|end| line.contains(end.trim_end_matches(':').trim_end()));
    if names_writer && line.ends_with(':') && line.contains('@') {
        return true;
    }
    let next = lines.get(i + 1).map(|l| l.trim()).unwrap_or_default();
    let opener = ["on ", "em ", "el ", "le ", "am "]
        .iter()
        .any(|p| line.starts_with(p));
    if opener && ATTRIBUTION_ENDS.iter().any(|end| next.ends_with(end)) && line.contains('@') {
        return true;
    }
    if starts_any(line, BLOCK_FROM) {
        return lines[i + 1..]
            .iter()
            .take(4)
            .any(|l| starts_any(l.trim(), BLOCK_NEXT));
    }
    false
}

/// The person's own text of a reply, as written (not folded): quoted lines (`>`), everything
/// from the quoted original's attribution or header block on, and the signature (from a `-- `
/// line or a client's "Sent from my …") left out.
pub fn own_text(body: &str) -> String {
    let originals: Vec<&str> = body.lines().collect();
    let folded: Vec<String> = originals.iter().map(|l| fold(l)).collect();
    let mut kept: Vec<&str> = Vec::new();
    for (i, line) in originals.iter().enumerate() {
        let trimmed = folded[i].trim();
        if trimmed.starts_with('>') {
            continue;
        }
        let disclaimer = i > 0 && starts_any(trimmed, DISCLAIMERS);
        if trimmed == "--" || line.trim_end() == "-- " || disclaimer || opens_quote(&folded, i) {
            break;
        }
        kept.push(line);
    }
    kept.join("\n").trim().to_owned()
}

/// Longest reply excerpt kept (characters).
pub const EXCERPT_CHARS: usize = 280;

/// The first lines the person wrote: quoted text and the client's "On … wrote:" line dropped,
/// spaces collapsed, at most `EXCERPT_CHARS`.
pub fn excerpt(text: &str) -> String {
    let joined = own_text(text)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    match joined.char_indices().nth(EXCERPT_CHARS) {
        Some((cut, _)) => format!("{}…", joined[..cut].trim_end()),
        None => joined,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn excerpts_keep_what_the_person_wrote() {
        let text = "Sounds good, let's talk Tuesday.\n\nOn Mon, 2 Nov 2026 at 10:00, Sales <sales@acme.test> wrote:\n> Hi Ana,\n> quick question";
        assert_eq!(excerpt(text), "Sounds good, let's talk Tuesday.");
        assert!(excerpt(&"word ".repeat(200)).chars().count() <= EXCERPT_CHARS + 1);
    }

    #[test]
    fn folding_drops_accents_and_case() {
        assert_eq!(
            fold("Não, OBRIGADO — até Março"),
            "nao, obrigado - ate marco"
        );
        assert_eq!(fold("Grüße, Straße"), "grusse, strasse");
        assert_eq!(fold("Réponse d’absence"), "reponse d'absence");
    }

    #[test]
    fn quoted_originals_and_signatures_are_left_out() {
        let cases = [
            (
                "Sounds good.\n\nOn Mon, Dec 7, 2026 at 10:02 AM Ana <ana@acme.io> wrote:\n> Are you interested?",
                "Sounds good.",
            ),
            (
                "Sem interesse.\n\nEm seg., 7 de dez. de 2026 às 10:02, Ana <ana@acme.io>\nescreveu:\n> Oi",
                "Sem interesse.",
            ),
            (
                "Kein Bedarf.\n\nAm Mo., 7. Dez. 2026 um 10:02 Uhr schrieb Ana <ana@acme.io>:\n> Hallo",
                "Kein Bedarf.",
            ),
            (
                "Non merci.\nLe lun. 7 déc. 2026 à 10:02, Ana <ana@acme.io> a écrit :\n> Bonjour",
                "Non merci.",
            ),
            (
                "No gracias\n\n________________________________\nDe: Ana <ana@acme.io>\nEnviado: lunes\nPara: Juan",
                "No gracias",
            ),
            (
                "Talk to Maria.\n\nFrom: Ana Souza\nSent: Monday, December 7, 2026 10:02\nTo: John\nSubject: Quick call?",
                "Talk to Maria.",
            ),
            (
                "Sure, call me.\n-- \nJohn Smith\nHead of Ops",
                "Sure, call me.",
            ),
            (
                "Pode ser amanhã.\n\nEnviado do meu iPhone",
                "Pode ser amanhã.",
            ),
        ];
        for (body, own) in cases {
            assert_eq!(own_text(body), own, "{body:?}");
        }
    }

    #[test]
    fn a_from_line_without_a_header_block_is_the_persons_text() {
        assert_eq!(
            own_text("De: minha parte, tudo certo.\nAbraço"),
            "De: minha parte, tudo certo.\nAbraço"
        );
    }
}
