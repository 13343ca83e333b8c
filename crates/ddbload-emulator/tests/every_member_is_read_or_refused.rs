//! A guard against the emulator's worst bug, a request member accepted and ignored: every member of an
//! implemented operation's input (at any depth, from the botocore model in `request_shapes.rs`) must be
//! named in the source that carries the operation out - read, or refused by name. A member only the
//! constraint check names (`constraints.rs`) does not count: checking a value is not acting on it.
//! When the model gains a member, this fails until it is handled or refused.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::Path;

/// Members the endpoint refuses whole (`refuse_unsupported` in CreateTable and UpdateTable): what
/// they hold is not looked into.
const REFUSED_WHOLE: &[&str] = &[
    "SSESpecification",
    "ReplicaUpdates",
    "GlobalTableWitnessUpdates",
    "VectorIndexes",
    "VectorIndexUpdates",
];

/// A shape as `request_shapes.rs` lists it: its members (name, shape index) or the shape it holds.
struct Shape {
    name: String,
    members: Vec<(String, usize)>,
    inner: Option<usize>,
}

fn shapes(text: &str) -> Vec<Shape> {
    let quoted = |s: &str| s.split('"').nth(1).unwrap_or_default().to_owned();
    text.lines()
        .filter(|line| line.trim_start().starts_with("Shape {"))
        .map(|line| {
            let name = quoted(line.split("name:").nth(1).unwrap_or_default());
            let members = match line.split("Kind::Structure(&[").nth(1) {
                Some(list) => list
                    .split("(\"")
                    .skip(1)
                    .map(|member| {
                        let (name, rest) = member.split_once("\", ").expect("(\"name\", index)");
                        let index = rest.split(')').next().unwrap_or_default();
                        (name.to_owned(), index.parse().expect("a shape index"))
                    })
                    .collect(),
                None => Vec::new(),
            };
            let inner = ["Kind::List(", "Kind::Map("].iter().find_map(|kind| {
                let rest = line.split(kind).nth(1)?;
                rest.split(')').next()?.parse().ok()
            });
            Shape {
                name,
                members,
                inner,
            }
        })
        .collect()
}

/// Every source file of the crate but the model and the constraint check, concatenated.
fn handling_source(src: &Path) -> String {
    let mut text = String::new();
    let mut dirs = vec![src.to_path_buf()];
    while let Some(dir) = dirs.pop() {
        for entry in fs::read_dir(&dir).expect("src is readable") {
            let path = entry.expect("an entry").path();
            let name = path
                .file_name()
                .and_then(|n| n.to_str())
                .unwrap_or_default();
            if path.is_dir() {
                dirs.push(path);
            } else if name.ends_with(".rs")
                && !["request_shapes.rs", "constraints.rs"].contains(&name)
            {
                text.push_str(&fs::read_to_string(&path).expect("a source file"));
            }
        }
    }
    text
}

#[test]
fn every_member_of_an_implemented_operation_is_read_or_refused_by_name() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let model = shapes(&fs::read_to_string(src.join("request_shapes.rs")).unwrap());
    let router = fs::read_to_string(src.join("ops/mod.rs")).unwrap();
    let source = handling_source(&src);
    let mut unhandled: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut implemented = 0;
    for (at, shape) in model.iter().enumerate() {
        let Some(operation) = shape.name.strip_suffix("Input") else {
            continue;
        };
        if !router.contains(&format!("\"{operation}\" =>")) {
            continue;
        }
        implemented += 1;
        let (mut todo, mut seen) = (vec![at], BTreeSet::new());
        while let Some(index) = todo.pop() {
            if !seen.insert(index) {
                continue;
            }
            let shape = &model[index];
            todo.extend(shape.inner);
            for (member, inner) in &shape.members {
                if !source.contains(&format!("\"{member}\"")) {
                    let path = format!("{}.{member}", shape.name);
                    unhandled
                        .entry(operation.to_owned())
                        .or_default()
                        .insert(path);
                }
                if !REFUSED_WHOLE.contains(&member.as_str()) {
                    todo.push(*inner);
                }
            }
        }
    }
    assert!(
        implemented >= 20,
        "found {implemented} implemented operations"
    );
    assert!(
        unhandled.is_empty(),
        "members neither read nor refused by name: {unhandled:#?}"
    );
}
