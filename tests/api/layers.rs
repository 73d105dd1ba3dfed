//! The house drawn from the code's own imports: which module of `api/src` names which other
//! (through `crate::…` and `super::…` paths, `use` trees included). It has no circle, and
//! nothing below the HTTP and GraphQL layers names them.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// `service/sending.rs` → `service::sending`; `graphql/mod.rs` → `graphql`.
fn module_of(root: &Path, file: &Path) -> String {
    let relative = file.strip_prefix(root).unwrap().with_extension("");
    let mut parts: Vec<String> = relative
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    if parts.last().is_some_and(|p| p == "mod" || p == "lib") {
        parts.pop();
    }
    parts.join("::")
}

/// The code without comments, string literals and the test modules at the end of a file.
fn code_of(text: &str) -> String {
    let text = match text.find("#[cfg(test)]") {
        Some(at) => &text[..at],
        None => text,
    };
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let rest = &bytes[i..];
        if rest.starts_with(b"//") {
            while i < bytes.len() && bytes[i] != b'\n' {
                i += 1;
            }
        } else if rest.starts_with(b"'\"'") {
            i += 3; // the character '"'
        } else if rest.starts_with(b"r#\"") {
            let end = text[i + 3..]
                .find("\"#")
                .map_or(bytes.len(), |e| i + 3 + e + 2);
            i = end;
            out.extend_from_slice(b"\"\"");
        } else if bytes[i] == b'"' {
            i += 1;
            while i < bytes.len() && bytes[i] != b'"' {
                if bytes[i] == b'\\' {
                    i += 1;
                }
                i += 1;
            }
            i += 1;
            out.extend_from_slice(b"\"\"");
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn ident(code: &[u8], at: &mut usize) -> Option<String> {
    let start = *at;
    while *at < code.len() && (code[*at].is_ascii_alphanumeric() || code[*at] == b'_') {
        *at += 1;
    }
    (*at > start).then(|| String::from_utf8_lossy(&code[start..*at]).into_owned())
}

fn skip_space(code: &[u8], at: &mut usize) {
    while *at < code.len() && code[*at].is_ascii_whitespace() {
        *at += 1;
    }
}

/// The paths of the use tree (or plain path) starting at `at`, each as its segments.
fn tree(code: &[u8], at: &mut usize, prefix: Vec<String>, out: &mut Vec<Vec<String>>) {
    let mut path = prefix;
    loop {
        skip_space(code, at);
        if code.get(*at) == Some(&b'{') {
            *at += 1;
            loop {
                skip_space(code, at);
                match code.get(*at) {
                    Some(b'}') => {
                        *at += 1;
                        return;
                    }
                    Some(b',') => *at += 1,
                    Some(_) => {
                        let before = *at;
                        tree(code, at, path.clone(), out);
                        if *at == before {
                            *at += 1;
                        }
                    }
                    None => return,
                }
            }
        }
        match ident(code, at) {
            Some(name) if name == "self" => {}
            Some(name) => path.push(name),
            None => {
                out.push(path);
                return;
            }
        }
        if code[*at..].starts_with(b"::") {
            *at += 2;
        } else {
            out.push(path);
            return;
        }
    }
}

/// Every module of `modules` that `module`'s code names.
fn references(module: &str, code: &str, modules: &BTreeSet<String>) -> BTreeSet<String> {
    let bytes = code.as_bytes();
    let mut found = BTreeSet::new();
    let own: Vec<String> = module.split("::").map(str::to_owned).collect();
    for (keyword, base) in [
        ("crate::", Vec::new()),
        ("super::", own[..own.len().saturating_sub(1)].to_vec()),
    ] {
        let mut from = 0;
        while let Some(offset) = code[from..].find(keyword) {
            let start = from + offset;
            from = start + keyword.len();
            if start > 0 && (bytes[start - 1].is_ascii_alphanumeric() || bytes[start - 1] == b'_') {
                continue;
            }
            let mut paths = Vec::new();
            let mut at = from;
            tree(bytes, &mut at, base.clone(), &mut paths);
            for path in paths {
                // The longest prefix that is a module of its own.
                for len in (1..=path.len()).rev() {
                    let candidate = path[..len].join("::");
                    if modules.contains(&candidate) {
                        found.insert(candidate);
                        break;
                    }
                }
            }
        }
    }
    found
}

/// The node a module is drawn as: each service module is part of the `service` floor.
fn floor(module: &str) -> String {
    if within(module, "service") {
        "service".to_owned()
    } else {
        module.to_owned()
    }
}

/// Whether `inner` is `outer` or inside it.
fn within(inner: &str, outer: &str) -> bool {
    inner == outer || inner.starts_with(&format!("{outer}::"))
}

fn house() -> BTreeMap<String, BTreeSet<String>> {
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("api/src");
    let mut files = Vec::new();
    sources(&root, &mut files);
    let modules: BTreeMap<String, PathBuf> = files
        .iter()
        .map(|f| (module_of(&root, f), f.clone()))
        .collect();
    let names: BTreeSet<String> = modules.keys().cloned().collect();
    for (module, file) in &modules {
        if module.is_empty() {
            continue; // lib.rs declares every module
        }
        let code = code_of(&std::fs::read_to_string(file).unwrap());
        // A module composing its own submodules is not an import across the house; the
        // services are one floor (domain rules call each other's functions).
        let from = floor(module);
        let named: BTreeSet<String> = references(module, &code, &names)
            .into_iter()
            .filter(|other| !other.is_empty() && !within(other, module))
            .map(|other| floor(&other))
            .filter(|other| *other != from)
            .collect();
        edges.entry(from).or_default().extend(named);
    }
    edges
}

/// The circles of `edges`: its strongly connected groups of more than one module.
fn circles(edges: &BTreeMap<String, BTreeSet<String>>) -> Vec<Vec<String>> {
    let reach = |from: &String| {
        let mut seen = BTreeSet::new();
        let mut stack = vec![from.clone()];
        while let Some(m) = stack.pop() {
            for next in edges.get(&m).into_iter().flatten() {
                if seen.insert(next.clone()) {
                    stack.push(next.clone());
                }
            }
        }
        seen
    };
    let reachable: BTreeMap<&String, BTreeSet<String>> =
        edges.keys().map(|m| (m, reach(m))).collect();
    let mut placed = BTreeSet::new();
    let mut out = Vec::new();
    for m in edges.keys() {
        if placed.contains(m) || !reachable[m].contains(m) {
            continue;
        }
        let group: Vec<String> = edges
            .keys()
            .filter(|o| reachable[m].contains(*o) && reachable[*o].contains(m))
            .cloned()
            .collect();
        placed.extend(group.iter().cloned());
        out.push(group);
    }
    out
}

#[test]
fn the_modules_of_api_src_import_each_other_without_a_circle() {
    let edges = house();
    assert!(edges.len() > 30, "the sources were read: {}", edges.len());
    let found = circles(&edges);
    let explained: Vec<String> = found
        .iter()
        .map(|group| {
            let inside: Vec<String> = group
                .iter()
                .map(|m| {
                    let to: Vec<&String> = edges[m].iter().filter(|o| group.contains(o)).collect();
                    format!("{m} → {to:?}")
                })
                .collect();
            inside.join("; ")
        })
        .collect();
    assert!(
        found.is_empty(),
        "import circles:\n{}",
        explained.join("\n")
    );
}

#[test]
fn nothing_below_the_api_layers_names_them() {
    let edges = house();
    let upper = [
        "app", "rest", "graphql", "public", "edge", "cli", "bench", "seed",
    ];
    let lower = [
        "service", "db", "secrets", "clock", "error", "ids", "signals", "metrics", "config",
    ];
    let mut wrong = Vec::new();
    for (module, named) in &edges {
        if !lower.iter().any(|l| within(module, l)) {
            continue;
        }
        for other in named {
            if upper.iter().any(|u| within(other, u)) {
                wrong.push(format!("{module} → {other}"));
            }
        }
    }
    assert!(wrong.is_empty(), "{wrong:#?}");
    // Nor the HTTP and GraphQL libraries.
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("api/src");
    let mut files = Vec::new();
    sources(&root, &mut files);
    for file in files {
        let module = module_of(&root, &file);
        if !lower.iter().any(|l| within(&module, l)) {
            continue;
        }
        let code = code_of(&std::fs::read_to_string(&file).unwrap());
        for library in ["async_graphql", "axum"] {
            assert!(
                !code.contains(&format!("{library}::")),
                "{module} uses {library}"
            );
        }
    }
}

#[test]
fn the_reader_finds_use_trees_and_super_paths() {
    let names: BTreeSet<String> = ["a", "a::b", "c", "c::d", "e"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    let code = "use crate::{a::b::{self, X}, c::d::Y};\nfn f() { super::e::g(); crate::c::h(); }";
    let found = references("x::y", code, &names);
    assert_eq!(
        found,
        ["a::b", "c", "c::d"]
            .iter()
            .map(|s| s.to_string())
            .collect(),
        "super:: from x::y is x, which holds no e"
    );
    let found = references("e::f", "use super::{g, h};", &names);
    assert_eq!(found, ["e".to_string()].into(), "super:: from e::f is e");
    let found = references("z", "use super::e;", &names);
    assert_eq!(found, ["e".to_string()].into());
}

/// Modules that read as one thing each: none grows past 800 lines.
#[test]
fn no_file_of_api_src_is_over_800_lines() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("api/src");
    let mut files = Vec::new();
    sources(&root, &mut files);
    let long: Vec<String> = files
        .iter()
        .filter_map(|f| {
            let lines = std::fs::read_to_string(f).unwrap().lines().count();
            (lines > 800).then(|| format!("{} ({lines} lines)", f.display()))
        })
        .collect();
    assert!(long.is_empty(), "{long:#?}");
}
