//! The parsed forms of expressions: document paths, operands, conditions and update actions.

use crate::value::Av;

#[derive(Debug, Clone, PartialEq)]
pub enum PathPart {
    Attr(String),
    Index(usize),
}

/// A document path (`a.b[2].c`); never empty, and it starts with an attribute name.
pub type Path = Vec<PathPart>;

#[derive(Debug, Clone, PartialEq)]
pub enum Operand {
    Path(Path),
    Value(Av),
    Size(Path),
    IfNotExists(Path, Box<Operand>),
    ListAppend(Box<Operand>, Box<Operand>),
    Plus(Box<Operand>, Box<Operand>),
    Minus(Box<Operand>, Box<Operand>),
}

#[derive(Debug, Clone, PartialEq)]
pub enum Cond {
    And(Box<Cond>, Box<Cond>),
    Or(Box<Cond>, Box<Cond>),
    Not(Box<Cond>),
    Compare(Operand, &'static str, Operand),
    Between(Operand, Operand, Operand),
    In(Operand, Vec<Operand>),
    Exists(Path),
    NotExists(Path),
    BeginsWith(Operand, Operand),
    Contains(Operand, Operand),
    AttrType(Path, Operand),
}

#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    Set(Path, Operand),
    Remove(Path),
    Add(Path, Av),
    Delete(Path, Av),
}

impl Cond {
    /// The first attribute among `names` the condition reads at the top level, in the order written.
    pub fn first_attribute_among(&self, names: &[&str]) -> Option<String> {
        let operands = |ops: &[&Operand]| ops.iter().find_map(|op| op.first_attribute_among(names));
        match self {
            Cond::And(a, b) | Cond::Or(a, b) => a
                .first_attribute_among(names)
                .or_else(|| b.first_attribute_among(names)),
            Cond::Not(c) => c.first_attribute_among(names),
            Cond::Compare(a, _, b) | Cond::BeginsWith(a, b) | Cond::Contains(a, b) => {
                operands(&[a, b])
            }
            Cond::Between(a, b, c) => operands(&[a, b, c]),
            Cond::In(a, list) => operands(&[a])
                .or_else(|| list.iter().find_map(|op| op.first_attribute_among(names))),
            Cond::Exists(p) | Cond::NotExists(p) => path_among(p, names),
            Cond::AttrType(p, op) => path_among(p, names).or_else(|| operands(&[op])),
        }
    }
}

impl Cond {
    /// The top-level attributes the condition reads (`a.b = :v` reads `a`).
    pub fn top_level_names(&self) -> Vec<&str> {
        let mut names = Vec::new();
        self.visit_paths(&mut |path| {
            if let Some(PathPart::Attr(name)) = path.first() {
                names.push(name.as_str());
            }
        });
        names
    }

    /// The attributes a document path reads into (`a.b`, `a[0]`): each path's first name.
    pub fn nested_path_heads(&self) -> Vec<&str> {
        let mut heads = Vec::new();
        self.visit_paths(&mut |path| heads.extend(nested_head(path)));
        heads
    }

    fn visit_paths<'a>(&'a self, visit: &mut impl FnMut(&'a Path)) {
        match self {
            Cond::And(a, b) | Cond::Or(a, b) => {
                a.visit_paths(visit);
                b.visit_paths(visit);
            }
            Cond::Not(c) => c.visit_paths(visit),
            Cond::Compare(a, _, b) | Cond::BeginsWith(a, b) | Cond::Contains(a, b) => {
                a.visit_paths(visit);
                b.visit_paths(visit);
            }
            Cond::Between(a, b, c) => {
                for op in [a, b, c] {
                    op.visit_paths(visit);
                }
            }
            Cond::In(a, list) => {
                a.visit_paths(visit);
                list.iter().for_each(|op| op.visit_paths(visit));
            }
            Cond::Exists(p) | Cond::NotExists(p) => visit(p),
            Cond::AttrType(p, op) => {
                visit(p);
                op.visit_paths(visit);
            }
        }
    }
}

impl Operand {
    fn visit_paths<'a>(&'a self, visit: &mut impl FnMut(&'a Path)) {
        match self {
            Operand::Path(p) | Operand::Size(p) => visit(p),
            Operand::Value(_) => {}
            Operand::IfNotExists(p, op) => {
                visit(p);
                op.visit_paths(visit);
            }
            Operand::ListAppend(a, b) | Operand::Plus(a, b) | Operand::Minus(a, b) => {
                a.visit_paths(visit);
                b.visit_paths(visit);
            }
        }
    }

    fn first_attribute_among(&self, names: &[&str]) -> Option<String> {
        match self {
            Operand::Path(p) | Operand::Size(p) => path_among(p, names),
            Operand::Value(_) => None,
            Operand::IfNotExists(p, op) => {
                path_among(p, names).or_else(|| op.first_attribute_among(names))
            }
            Operand::ListAppend(a, b) | Operand::Plus(a, b) | Operand::Minus(a, b) => a
                .first_attribute_among(names)
                .or_else(|| b.first_attribute_among(names)),
        }
    }
}

fn path_among(path: &Path, names: &[&str]) -> Option<String> {
    match path.first() {
        Some(PathPart::Attr(name)) if names.contains(&name.as_str()) => Some(name.clone()),
        _ => None,
    }
}

impl Action {
    pub fn path(&self) -> &Path {
        match self {
            Action::Set(p, _) | Action::Remove(p) | Action::Add(p, _) | Action::Delete(p, _) => p,
        }
    }

    /// The attributes this action's document paths read or write into (`a.b`, `a[0]`): each
    /// nested path's first name, the target's and its operand's.
    pub fn nested_path_heads(&self) -> Vec<&str> {
        let mut heads: Vec<&str> = nested_head(self.path()).into_iter().collect();
        if let Action::Set(_, operand) = self {
            operand.visit_paths(&mut |path| heads.extend(nested_head(path)));
        }
        heads
    }
}

/// The attribute a path reads into when it goes below it (`a` of `a.b` or `a[0]`).
fn nested_head(path: &Path) -> Option<&str> {
    match path.first() {
        Some(PathPart::Attr(name)) if path.len() > 1 => Some(name),
        _ => None,
    }
}
