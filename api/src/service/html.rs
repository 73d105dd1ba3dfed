//! Text processing for outgoing email bodies: HTML detection, link rewriting for click
//! tracking, the open-tracking pixel and the plain-text alternative. Pure `std`, single pass.

const HTML_TAGS: &str = "p br div a html body table tr td span b i u strong em ul ol li h1 h2 h3 \
                         h4 h5 h6 img hr head style font center blockquote";

struct Attr<'a> {
    name: &'a str,
    start: usize,
    end: usize,
    quoted: bool,
}

struct Tag<'a> {
    name: &'a str,
    closing: bool,
    attrs: Vec<Attr<'a>>,
    end: usize,
}

enum Token<'a> {
    Text(&'a str),
    Tag(Tag<'a>),
    Other,
}

enum Markup<'a> {
    Tag(Tag<'a>),
    Other(usize),
    Unterminated,
    None,
}

struct Tokens<'a> {
    s: &'a str,
    pos: usize,
}

fn is_ws(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\n' | b'\r' | b'\x0c')
}

fn scan(b: &[u8], mut j: usize, keep: impl Fn(u8) -> bool) -> usize {
    while b.get(j).is_some_and(|&c| keep(c)) {
        j += 1;
    }
    j
}

fn find(b: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    let found = b
        .get(from..)?
        .windows(needle.len())
        .position(|w| w == needle);
    found.map(|p| p + from)
}

fn parse_markup(s: &str, i: usize) -> Markup<'_> {
    let b = s.as_bytes();
    match b.get(i + 1) {
        Some(b'!') if b[i..].starts_with(b"<!--") => {
            return Markup::Other(find(b, i + 4, b"-->").map_or(b.len(), |p| p + 3));
        }
        Some(b'!' | b'?') => {
            return find(b, i + 2, b">").map_or(Markup::Unterminated, |p| Markup::Other(p + 1));
        }
        _ => {}
    }
    let closing = b.get(i + 1) == Some(&b'/');
    let name_start = i + 1 + usize::from(closing);
    if !b.get(name_start).is_some_and(u8::is_ascii_alphabetic) {
        return Markup::None;
    }
    let mut j = scan(b, name_start, |c| c.is_ascii_alphanumeric());
    match b.get(j) {
        None => return Markup::Unterminated,
        Some(&c) if is_ws(c) || c == b'/' || c == b'>' => {}
        Some(_) => return Markup::None,
    }
    let (name, mut attrs) = (&s[name_start..j], Vec::new());
    loop {
        j = scan(b, j, |c| is_ws(c) || c == b'/');
        match b.get(j) {
            None => return Markup::Unterminated,
            Some(b'>') => {
                return Markup::Tag(Tag {
                    name,
                    closing,
                    attrs,
                    end: j + 1,
                });
            }
            Some(_) => {}
        }
        let attr_start = j;
        j = scan(b, j + 1, |c| !is_ws(c) && !matches!(c, b'=' | b'>' | b'/'));
        let attr_name = &s[attr_start..j];
        j = scan(b, j, is_ws);
        if b.get(j) != Some(&b'=') {
            continue;
        }
        j = scan(b, j + 1, is_ws);
        let (start, end, quoted) = match b.get(j) {
            None => return Markup::Unterminated,
            Some(&q @ (b'"' | b'\'')) => match find(b, j + 1, &[q]) {
                None => return Markup::Unterminated,
                Some(p) => (j + 1, p, true),
            },
            Some(_) => (j, scan(b, j, |c| !is_ws(c) && c != b'>'), false),
        };
        j = end + usize::from(quoted);
        attrs.push(Attr {
            name: attr_name,
            start,
            end,
            quoted,
        });
    }
}

impl Tag<'_> {
    fn attr(&self, name: &str) -> Option<&Attr<'_>> {
        self.attrs
            .iter()
            .find(|a| a.name.eq_ignore_ascii_case(name))
    }
}

impl<'a> Tokens<'a> {
    fn new(s: &'a str) -> Self {
        Tokens { s, pos: 0 }
    }

    fn find_close(&self, name: &str) -> Option<usize> {
        let (b, n) = (self.s.as_bytes(), name.len());
        let mut i = self.pos;
        while let Some(p) = find(b, i, b"</") {
            let rest = &b[p + 2..];
            if rest
                .get(..n)
                .is_some_and(|r| r.eq_ignore_ascii_case(name.as_bytes()))
                && !rest.get(n).is_some_and(u8::is_ascii_alphanumeric)
            {
                return Some(p);
            }
            i = p + 2;
        }
        None
    }
}

impl<'a> Iterator for Tokens<'a> {
    type Item = Token<'a>;

    fn next(&mut self) -> Option<Token<'a>> {
        let (s, start) = (self.s, self.pos);
        let b = s.as_bytes();
        if start >= b.len() {
            return None;
        }
        let (end, token) = match (b[start] == b'<').then(|| parse_markup(s, start)) {
            Some(Markup::Tag(tag)) => (tag.end, Some(Token::Tag(tag))),
            Some(Markup::Other(end)) => (end, Some(Token::Other)),
            Some(Markup::Unterminated) => (b.len(), None),
            Some(Markup::None) | None => (find(b, start + 1, b"<").unwrap_or(b.len()), None),
        };
        self.pos = end;
        Some(token.unwrap_or(Token::Text(&s[start..end])))
    }
}

fn entity(name: &str) -> Option<char> {
    if let Some(num) = name.strip_prefix('#') {
        let code = match num.strip_prefix(['x', 'X']) {
            Some(hex) => u32::from_str_radix(hex, 16).ok()?,
            None => num.parse().ok()?,
        };
        return char::from_u32(code).filter(|&c| c != '\0');
    }
    Some(match name {
        "amp" => '&',
        "lt" => '<',
        "gt" => '>',
        "quot" => '"',
        "apos" => '\'',
        "nbsp" => ' ',
        "mdash" => '—',
        "ndash" => '–',
        "hellip" => '…',
        "lsquo" => '‘',
        "rsquo" => '’',
        "ldquo" => '“',
        "rdquo" => '”',
        "copy" => '©',
        _ => return None,
    })
}

fn decode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        let b = rest.as_bytes();
        let end = scan(b, 1, |c| c.is_ascii_alphanumeric() || c == b'#');
        let decoded = if b.get(end) == Some(&b';') {
            entity(&rest[1..end])
        } else {
            None
        };
        match decoded {
            Some(c) => {
                out.push(c);
                rest = &rest[end + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

fn is_http(url: &str) -> bool {
    ["http://", "https://"].iter().any(|p| {
        url.get(..p.len())
            .is_some_and(|h| h.eq_ignore_ascii_case(p))
    })
}

/// Whether a body is HTML rather than plain text: it contains a common HTML tag such as
/// `<p>`, `<br>`, `<div>`, `<a …>` or `<table>` (case-insensitive). Angle brackets in prose
/// (`a < b`, `<3`, `<name@example.com>`) do not count.
pub fn is_html(body: &str) -> bool {
    let known = |name: &str| HTML_TAGS.split(' ').any(|n| name.eq_ignore_ascii_case(n));
    Tokens::new(body).any(|t| matches!(t, Token::Tag(tag) if known(tag.name)))
}

/// Rewrites the `href` of every `<a>` tag whose value is an absolute http(s) URL with
/// `rewrite(original)`, where the original is entity-decoded and the result is written back
/// attribute-escaped. Everything else is left byte-for-byte unchanged. Returns the new HTML
/// and the original URLs in order of appearance.
pub fn rewrite_links(html: &str, mut rewrite: impl FnMut(&str) -> String) -> (String, Vec<String>) {
    let mut out = String::with_capacity(html.len() + html.len() / 4);
    let mut urls = Vec::new();
    let mut last = 0;
    for token in Tokens::new(html) {
        let Token::Tag(tag) = token else { continue };
        if tag.closing || !tag.name.eq_ignore_ascii_case("a") {
            continue;
        }
        let Some(href) = tag.attr("href") else {
            continue;
        };
        let decoded = decode(&html[href.start..href.end]);
        let url = decoded.trim();
        if !is_http(url) {
            continue;
        }
        let new = escape(&rewrite(url));
        let quote = if href.quoted { "" } else { "\"" };
        out.extend([&html[last..href.start], quote, &new, quote]);
        last = href.end;
        urls.push(url.to_string());
    }
    out.push_str(&html[last..]);
    (out, urls)
}

/// Adds a hidden 1×1 tracking image for `url` just before the last `</body>`
/// (case-insensitive), or at the end when there is none.
pub fn add_pixel(html: &str, url: &str) -> String {
    let img = format!(
        r#"<img src="{}" width="1" height="1" alt="" style="display:none;border:0">"#,
        escape(url)
    );
    let body_end = html
        .as_bytes()
        .windows(6)
        .rposition(|w| w.eq_ignore_ascii_case(b"</body"));
    let at = body_end.unwrap_or(html.len());
    [&html[..at], &img, &html[at..]].concat()
}

fn link_key(s: &str) -> String {
    let s = s.trim().to_ascii_lowercase();
    let s = ["mailto:", "https://", "http://"]
        .iter()
        .find_map(|p| s.strip_prefix(p))
        .unwrap_or(&s);
    s.strip_prefix("www.")
        .unwrap_or(s)
        .trim_end_matches('/')
        .to_string()
}

fn start_line(out: &mut String) {
    if !out.trim_end_matches([' ', '\t']).ends_with('\n') {
        out.push('\n');
    }
}

fn normalize(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut blank = false;
    for line in text.split('\n') {
        let mut collapsed = String::with_capacity(line.len());
        for c in line.chars() {
            if !matches!(c, ' ' | '\t') {
                collapsed.push(c);
            } else if !collapsed.ends_with(' ') {
                collapsed.push(' ');
            }
        }
        let line = collapsed.trim();
        if line.is_empty() {
            blank = !out.is_empty();
            continue;
        }
        if !out.is_empty() {
            out.push_str(if blank { "\n\n" } else { "\n" });
        }
        blank = false;
        out.push_str(line);
    }
    out
}

/// The plain-text alternative of an HTML body: drops head, style, script and comments,
/// turns block ends into paragraph breaks and `<li>` into "- " lines, appends "(url)" to
/// links whose text differs from their URL, decodes entities and normalises whitespace.
pub fn to_text(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut tokens = Tokens::new(html);
    let mut link: Option<(String, usize)> = None;
    let mut head_unclosed = false;
    while let Some(token) = tokens.next() {
        let tag = match token {
            Token::Text(t) => {
                out.push_str(&decode(&t.replace(['\n', '\r', '\t'], " ")));
                continue;
            }
            Token::Other => continue,
            Token::Tag(tag) => tag,
        };
        match (tag.name.to_ascii_lowercase().as_str(), tag.closing) {
            (name @ ("script" | "style" | "title"), false) => {
                tokens.pos = tokens.find_close(name).unwrap_or(html.len());
            }
            ("head", false) if !head_unclosed => match tokens.find_close("head") {
                Some(p) => tokens.pos = p,
                None => head_unclosed = true,
            },
            ("br", _) => out.push('\n'),
            ("p" | "div" | "h1" | "h2" | "h3" | "h4" | "h5" | "h6" | "ul" | "ol" | "table", _)
            | ("blockquote" | "hr" | "tr", _) => out.push_str("\n\n"),
            ("li", false) => {
                start_line(&mut out);
                out.push_str("- ");
            }
            ("li", true) => start_line(&mut out),
            ("td" | "th", true) => out.push(' '),
            ("a", false) => {
                let url = tag
                    .attr("href")
                    .map(|h| decode(&html[h.start..h.end]).trim().to_string());
                link = url
                    .filter(|u| !u.is_empty() && !u.starts_with('#'))
                    .map(|u| (u, out.len()));
            }
            ("a", true) => {
                if let Some((url, start)) = link.take() {
                    let text = out[start..].trim();
                    if text.is_empty() {
                        out.push_str(&url);
                    } else if link_key(text) != link_key(&url) {
                        out.extend([" (", &url, ")"]);
                    }
                }
            }
            _ => {}
        }
    }
    normalize(&out)
}

/// Escapes text for an HTML attribute value or text node (`& < > " '`).
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn track(html: &str) -> (String, Vec<String>) {
        rewrite_links(html, |u| format!("https://t.io/c?u={u}"))
    }

    #[test]
    fn is_html_detects_common_tags_in_any_case() {
        let bodies = "<p>Hi</p>|Hi<BR>there|<div class=x>|<a href='x'>y</a>|<H2>T</H2>|a<br/>b\
                      |<table><tr><td>1</td></tr></table>|x <img src=\"a.png\"/>|<strong>hey</strong>";
        bodies
            .split('|')
            .for_each(|body| assert!(is_html(body), "{body}"));
    }

    #[test]
    fn is_html_rejects_plain_text_with_angle_brackets() {
        let bodies = "Hi <there|1 < 2 and 3 > 2|Contact <ana@example.com>|a < b|I <3 you\
                      |<https://example.com>||Olá <João>|<custom>";
        bodies
            .split('|')
            .for_each(|body| assert!(!is_html(body), "{body}"));
    }

    #[test]
    fn rewrite_links_handles_double_single_and_unquoted_hrefs() {
        let (html, urls) = track(
            r#"<a href="http://a.co">A</a><a href='https://b.co'>B</a><a href=https://c.co/>C"#,
        );
        let want = r#"<a href="https://t.io/c?u=http://a.co">A</a><a href='https://t.io/c?u=https://b.co'>B</a><a href="https://t.io/c?u=https://c.co/">C"#;
        assert_eq!(html, want);
        assert_eq!(urls, ["http://a.co", "https://b.co", "https://c.co/"]);
    }

    #[test]
    fn rewrite_links_handles_uppercase_tags_and_any_attribute_order() {
        let (html, urls) =
            track("<A class=\"b\" title='go >' HREF = \"HTTPS://X.co\" target=_blank>Go</A>");
        assert_eq!(
            html,
            "<A class=\"b\" title='go >' HREF = \"https://t.io/c?u=HTTPS://X.co\" target=_blank>Go</A>"
        );
        assert_eq!(urls, ["HTTPS://X.co"]);
    }

    #[test]
    fn rewrite_links_decodes_entities_for_the_closure_and_escapes_the_result() {
        let (html, urls) = rewrite_links(r#"<a href="https://x.co/?a=1&amp;b=2">x</a>"#, |u| {
            format!("{u}&c=\"3\"")
        });
        assert_eq!(urls, ["https://x.co/?a=1&b=2"]);
        assert_eq!(
            html,
            r#"<a href="https://x.co/?a=1&amp;b=2&amp;c=&quot;3&quot;">x</a>"#
        );
    }

    #[test]
    fn rewrite_links_leaves_mailto_tel_anchors_relative_and_non_anchor_hrefs_alone() {
        let html = r##"<a href="mailto:a@b.co">m</a><a href="tel:+1">t</a><a href="#top">#</a><a href="/p">r</a>
            <link href="https://cdn.co/s.css"><p>use href="http://x.co" in text</p><!-- <a href="http://x.co"> -->"##;
        assert_eq!(
            rewrite_links(html, |_| unreachable!()),
            (html.to_string(), vec![])
        );
    }

    #[test]
    fn rewrite_links_passes_unsubscribe_urls_to_the_closure_which_decides() {
        let html = r#"<a href="https://app.io/unsubscribe?t=1">Unsubscribe</a> <a href="https://acme.co">Acme</a>"#;
        let keep_unsubscribe = |u: &str| {
            if u.contains("unsubscribe") {
                u.into()
            } else {
                "https://t.io/1".into()
            }
        };
        let (out, urls) = rewrite_links(html, keep_unsubscribe);
        assert_eq!(urls, ["https://app.io/unsubscribe?t=1", "https://acme.co"]);
        assert_eq!(
            out,
            r#"<a href="https://app.io/unsubscribe?t=1">Unsubscribe</a> <a href="https://t.io/1">Acme</a>"#
        );
    }

    #[test]
    fn rewrite_links_keeps_multibyte_text_around_tags() {
        let (out, urls) = track("Olá ção<a href=\"https://日本.jp/ção\">日本</a>ção 日本");
        assert_eq!(
            out,
            "Olá ção<a href=\"https://t.io/c?u=https://日本.jp/ção\">日本</a>ção 日本"
        );
        assert_eq!(urls, ["https://日本.jp/ção"]);
    }

    #[test]
    fn rewrite_links_leaves_an_unclosed_tag_at_the_end_untouched() {
        for html in [
            "<p>Hi</p><a href=\"http://x",
            "<a href=http://x",
            "<a href=\"http://x\"",
            "<a href=",
        ] {
            assert_eq!(track(html), (html.to_string(), vec![]));
        }
        let (out, urls) = track("<a href=\"http://a.co\">a</a> <a href='http://x");
        assert_eq!(
            out,
            "<a href=\"https://t.io/c?u=http://a.co\">a</a> <a href='http://x"
        );
        assert_eq!(urls, ["http://a.co"]);
    }

    #[test]
    fn add_pixel_goes_before_closing_body_case_insensitively_or_at_the_end() {
        let img = r#"<img src="https://t.io/o?a=1&amp;b=&quot;2" width="1" height="1" alt="" style="display:none;border:0">"#;
        let url = "https://t.io/o?a=1&b=\"2";
        assert_eq!(
            add_pixel("<BODY><p>Hi</p></BODY></html>", url),
            format!("<BODY><p>Hi</p>{img}</BODY></html>")
        );
        assert_eq!(
            add_pixel("<p>Olá 日本</p>", url),
            format!("<p>Olá 日本</p>{img}")
        );
    }

    #[test]
    fn to_text_converts_a_realistic_cold_email() {
        let html = r#"<!DOCTYPE html><html><head><title>Hi</title><style>p { color: red }</style></head><body>
            <p>Hi Ana,</p>
            <p>I noticed <b>Acme</b> is hiring SDRs &mdash; we help teams   book 30% more
            meetings.<br>Worth a quick chat?</p>
            <ul><li>Fast setup</li><li>No contracts</li></ul>
            <p>Book a time: <a href="https://cal.co/ana?x=1&amp;y=2">my calendar</a> or <a href="https://cal.co/">cal.co</a></p>
            <p>Best,<br>João</p><!-- footer <p>hidden</p> --><script>if (a < b) { go("</p>") }</script>
            <p style="font-size:11px"><a href="https://app.io/unsub">Unsubscribe</a></p>
            <img src="https://t.io/p.gif" width="1" height="1"></body></html>"#;
        let text = "Hi Ana,\n\nI noticed Acme is hiring SDRs — we help teams book 30% more meetings.\n\
                    Worth a quick chat?\n\n- Fast setup\n- No contracts\n\n\
                    Book a time: my calendar (https://cal.co/ana?x=1&y=2) or cal.co\n\n\
                    Best,\nJoão\n\nUnsubscribe (https://app.io/unsub)";
        assert_eq!(to_text(html), text);
    }

    #[test]
    fn to_text_decodes_named_and_numeric_entities() {
        let html = "a&amp;b &lt;c&gt; &quot;d&quot; &#39;e&#39; f&nbsp;g &#233;&#xE9; &#X1F600; &bogus; &#xZZ; & x";
        assert_eq!(
            to_text(html),
            "a&b <c> \"d\" 'e' f g éé 😀 &bogus; &#xZZ; & x"
        );
    }

    #[test]
    fn to_text_handles_blocks_links_whitespace_and_malformed_input() {
        let cases = [
            ("<div>One</div><div>Two</div>", "One\n\nTwo"),
            (
                "<h1>T</h1>\n\n\n<p>a \t  b</p><br><br><br><p>c</p>",
                "T\n\na b\n\nc",
            ),
            (
                "<table><tr><td>a</td><td>b</td></tr><tr><td>c</td></tr></table>",
                "a b\n\nc",
            ),
            (r#"<a href="https://x.co">https://x.co</a>"#, "https://x.co"),
            (r#"<a href="mailto:a@b.co">a@b.co</a>"#, "a@b.co"),
            (
                r#"<a href="https://x.co"><img src="l.png"></a>"#,
                "https://x.co",
            ),
            (r##"<a href="#top">Top</a>"##, "Top"),
            ("<A HREF='https://x.co'>Site</A>", "Site (https://x.co)"),
            ("Olá<b>ção</b>日本<br>x", "Oláção日本\nx"),
            ("  Hi <there  ", "Hi <there"),
            ("a<script>never closed", "a"),
            ("a<!-- open comment", "a"),
        ];
        cases
            .iter()
            .for_each(|(html, text)| assert_eq!(to_text(html), *text, "{html}"));
    }

    #[test]
    fn escape_escapes_all_five_characters() {
        assert_eq!(
            escape(r#"<a href="x">&'ção'"#),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;ção&#39;"
        );
    }

    #[test]
    fn no_function_panics_on_any_prefix_or_suffix_of_malformed_input() {
        let input = "Olá<a HREF='https://日本.jp/ção?a=1&amp;b'>ção</a><p <b>x<!--c--><!x><?y?><li>日 &#x1F6; \
                     &#99999999; &<a href=\"http://x<head><style>s</style></head><script>q</body><a href=http://日";
        for (i, _) in input.char_indices() {
            for part in [&input[..i], &input[i..]] {
                let _ = (
                    is_html(part),
                    rewrite_links(part, str::to_string),
                    add_pixel(part, "u"),
                    to_text(part),
                );
            }
        }
    }

    #[test]
    fn a_large_body_is_processed_in_linear_time() {
        let chunk =
            "<p>Olá <a href=\"https://x.co/?a=1&amp;b=2\">link</a> 1 < 2 <3 <! </ <a <li>ção</p>\n";
        let html = chunk.repeat(100_000 / chunk.len() + 1) + &"<a <p ".repeat(5_000);
        let start = std::time::Instant::now();
        let (out, urls) = rewrite_links(&html, str::to_string);
        assert!(is_html(&html) && urls.len() > 1000 && !to_text(&out).is_empty());
        assert!(start.elapsed().as_secs() < 2, "{:?}", start.elapsed());
    }
}
