//! The parse cache: recently seen query texts and their parsed documents.

use async_graphql::parser::types::ExecutableDocument;

/// The parsed documents of the query texts seen last. Dashboards and SDKs send the same few
/// texts again and again, and parsing one costs more than executing a page of it; a copy of the
/// parsed document is cheaper. Only texts that parse and are at most `MAX_KEPT_TEXT` bytes long
/// are kept, the least recently used going first once `MAX_PARSED` texts or `MAX_PARSED_BYTES`
/// of text are kept (so unique or large texts, anonymous ones included, cannot grow it).
///
/// A kept document that declares no variables and was once answered without an error has
/// passed validation, and validation depends only on the document, the schema and the
/// variables' values: it is not validated again (its cost and depth still are).
#[derive(Default)]
pub struct ParsedQueries {
    documents: std::sync::Mutex<Recent>,
}

/// Kept documents, least recently used first, and the bytes of their texts.
#[derive(Default)]
struct Recent {
    by_text: async_graphql::indexmap::IndexMap<String, Kept>,
    bytes: usize,
}

struct Kept {
    document: ExecutableDocument,
    validated: bool,
}

/// Most query texts `ParsedQueries` keeps.
pub const MAX_PARSED: usize = 256;
/// Most bytes of query text `ParsedQueries` keeps (a parsed document is of the same order).
pub const MAX_PARSED_BYTES: usize = 2 << 20;
/// Longest query text `ParsedQueries` keeps; longer ones are parsed every time.
pub const MAX_KEPT_TEXT: usize = 64 << 10;

impl ParsedQueries {
    /// Gives `request` its parsed document: the kept one, or one parsed now (and kept). True
    /// when the document is known to pass validation.
    pub fn attach(&self, request: &mut async_graphql::Request) -> bool {
        let kept = {
            let mut recent = self.documents.lock().unwrap_or_else(|e| e.into_inner());
            let by_text = &mut recent.by_text;
            by_text.get_index_of(&request.query).map(|i| {
                let last = by_text.len() - 1;
                by_text.move_index(i, last);
                let kept = &by_text[last];
                (kept.document.clone(), kept.validated)
            })
        };
        if let Some((document, validated)) = kept {
            request.set_parsed_query(document);
            return validated;
        }
        // A text that does not parse is left to the executor, which reports the error.
        let Ok(document) = request.parsed_query().cloned() else {
            return false;
        };
        if request.query.len() > MAX_KEPT_TEXT {
            return false;
        }
        let mut recent = self.documents.lock().unwrap_or_else(|e| e.into_inner());
        while !recent.by_text.is_empty()
            && (recent.by_text.len() >= MAX_PARSED
                || recent.bytes + request.query.len() > MAX_PARSED_BYTES)
        {
            if let Some((text, _)) = recent.by_text.shift_remove_index(0) {
                recent.bytes -= text.len();
            }
        }
        let (_, previous) = recent.by_text.insert_full(
            request.query.clone(),
            Kept {
                document,
                validated: false,
            },
        );
        // Another request may have kept the same text meanwhile: counted once.
        if previous.is_none() {
            recent.bytes += request.query.len();
        }
        false
    }

    /// Records that `query` was answered without an error by the validating schema; a text
    /// that declares variables stays validated each time (their values are checked with it).
    pub fn passed(&self, query: &str) {
        let mut recent = self.documents.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(kept) = recent.by_text.get_mut(query) {
            kept.validated = kept
                .document
                .operations
                .iter()
                .all(|(_, operation)| operation.node.variable_definitions.is_empty());
        }
    }

    pub fn len(&self) -> usize {
        self.documents
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .by_text
            .len()
    }

    /// Bytes of query text kept now.
    pub fn bytes(&self) -> usize {
        self.documents
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .bytes
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::{MAX_KEPT_TEXT, MAX_PARSED, MAX_PARSED_BYTES, ParsedQueries};

    #[test]
    fn parsed_queries_are_bounded_in_bytes_and_keep_the_recently_used() {
        let parsed = ParsedQueries::default();
        // A text over the size kept is parsed but not kept.
        let long = format!(
            "{{ a: __typename {} }}",
            "b: __typename ".repeat(MAX_KEPT_TEXT / 14)
        );
        assert!(long.len() > MAX_KEPT_TEXT);
        parsed.attach(&mut async_graphql::Request::new(long.clone()));
        assert_eq!(parsed.len(), 0);
        // Texts just under it fill the byte budget, never past it.
        let sized = |i: usize| {
            let mut text = format!("{{ a{i}: __typename }} ");
            text.push_str(&"#".repeat(MAX_KEPT_TEXT - text.len()));
            text
        };
        let first = sized(0);
        parsed.attach(&mut async_graphql::Request::new(first.clone()));
        for i in 1..(2 * MAX_PARSED_BYTES / MAX_KEPT_TEXT) {
            // The first text is used again and again: the others go before it.
            parsed.attach(&mut async_graphql::Request::new(first.clone()));
            parsed.attach(&mut async_graphql::Request::new(sized(i)));
            assert!(
                parsed.bytes() <= MAX_PARSED_BYTES,
                "{} bytes",
                parsed.bytes()
            );
        }
        assert_eq!(parsed.len(), MAX_PARSED_BYTES / MAX_KEPT_TEXT);
        let mut again = async_graphql::Request::new(first.clone());
        parsed.attach(&mut again);
        assert_eq!(parsed.len(), MAX_PARSED_BYTES / MAX_KEPT_TEXT, "still kept");
        assert_eq!(parsed.bytes(), parsed.len() * MAX_KEPT_TEXT);
    }

    #[test]
    fn parsed_queries_are_kept_once_per_text_and_bounded() {
        let parsed = ParsedQueries::default();
        let mut first = async_graphql::Request::new("{ contacts { pageInfo { total } } }");
        parsed.attach(&mut first);
        let mut again = async_graphql::Request::new("{ contacts { pageInfo { total } } }");
        parsed.attach(&mut again);
        assert_eq!(parsed.len(), 1);
        // The kept document is the text's own.
        let document = again.parsed_query().unwrap();
        assert_eq!(document.operations.iter().count(), 1);
        // A text that does not parse is not kept.
        parsed.attach(&mut async_graphql::Request::new("{ contacts { "));
        assert_eq!(parsed.len(), 1);
        // Unique texts never grow it past the bound.
        for i in 0..(MAX_PARSED * 2 + 3) {
            parsed.attach(&mut async_graphql::Request::new(format!(
                "{{ a{i}: __typename }}"
            )));
            assert!(parsed.len() <= MAX_PARSED);
        }
    }

    #[test]
    fn only_a_document_that_passed_without_variables_skips_validation() {
        let parsed = ParsedQueries::default();
        let plain = "{ contacts { pageInfo { total } } }";
        let with_variables = "query($n: Int) { contacts(perPage: $n) { pageInfo { total } } }";
        for text in [plain, with_variables] {
            assert!(!parsed.attach(&mut async_graphql::Request::new(text)));
            // Kept, but not known to pass until it was answered without an error.
            assert!(!parsed.attach(&mut async_graphql::Request::new(text)));
            parsed.passed(text);
        }
        assert!(parsed.attach(&mut async_graphql::Request::new(plain)));
        // Variables' values are checked by validation: such a text is validated every time.
        assert!(!parsed.attach(&mut async_graphql::Request::new(with_variables)));
        // A text never kept cannot be marked.
        parsed.passed("{ groups { pageInfo { total } } }");
        assert!(!parsed.attach(&mut async_graphql::Request::new(
            "{ groups { pageInfo { total } } }"
        )));
    }
}
