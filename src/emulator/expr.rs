//! DynamoDB expressions in the emulator: condition / filter / key-condition expressions, update
//! expressions (SET with + and -, if_not_exists, list_append; REMOVE; ADD; DELETE) and projections,
//! with ExpressionAttributeNames and ExpressionAttributeValues (unused ones are an error, as in DynamoDB).

use std::cell::RefCell;
use std::cmp::Ordering;
use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use super::error::ApiError;
use super::value::{Av, Item};

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Name(String),
    Alias(String),
    Placeholder(String),
    Number(usize),
    Op(&'static str),
    LParen,
    RParen,
    Comma,
    Dot,
    LBracket,
    RBracket,
}

fn tokenize(text: &str) -> Result<Vec<Token>, ApiError> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    let word = |i: &mut usize| {
        let start = *i;
        while *i < chars.len() && (chars[*i].is_alphanumeric() || chars[*i] == '_') {
            *i += 1;
        }
        chars[start..*i].iter().collect::<String>()
    };
    while i < chars.len() {
        let c = chars[i];
        match c {
            ' ' | '\t' | '\n' | '\r' => i += 1,
            '(' => {
                out.push(Token::LParen);
                i += 1
            }
            ')' => {
                out.push(Token::RParen);
                i += 1
            }
            ',' => {
                out.push(Token::Comma);
                i += 1
            }
            '.' => {
                out.push(Token::Dot);
                i += 1
            }
            '[' => {
                out.push(Token::LBracket);
                i += 1
            }
            ']' => {
                out.push(Token::RBracket);
                i += 1
            }
            '#' | ':' => {
                i += 1;
                let name = word(&mut i);
                if name.is_empty() {
                    return Err(syntax(text, "a name after # or :"));
                }
                out.push(if c == '#' {
                    Token::Alias(format!("#{name}"))
                } else {
                    Token::Placeholder(format!(":{name}"))
                });
            }
            '=' => {
                out.push(Token::Op("="));
                i += 1
            }
            '+' => {
                out.push(Token::Op("+"));
                i += 1
            }
            '-' => {
                out.push(Token::Op("-"));
                i += 1
            }
            '<' | '>' => {
                let next = chars.get(i + 1).copied();
                let op = match (c, next) {
                    ('<', Some('=')) => "<=",
                    ('<', Some('>')) => "<>",
                    ('>', Some('=')) => ">=",
                    ('<', _) => "<",
                    _ => ">",
                };
                i += op.len();
                out.push(Token::Op(op));
            }
            c if c.is_ascii_digit() => {
                let digits = word(&mut i);
                let n = digits.parse().map_err(|_| syntax(text, "a list index"))?;
                out.push(Token::Number(n));
            }
            c if c.is_alphabetic() || c == '_' => out.push(Token::Name(word(&mut i))),
            other => return Err(syntax(text, &format!("no token {other:?}"))),
        }
    }
    Ok(out)
}

fn syntax(text: &str, detail: &str) -> ApiError {
    ApiError::validation(format!(
        "Invalid expression: Syntax error; {detail}; expression: {text}"
    ))
}

#[derive(Debug, Clone, PartialEq)]
pub enum PathPart {
    Attr(String),
    Index(usize),
}

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
    Add(Path, Operand),
    Delete(Path, Operand),
}

/// ExpressionAttributeNames / Values of one request, tracking which were used.
pub struct Bindings {
    names: BTreeMap<String, String>,
    values: BTreeMap<String, Av>,
    used_names: RefCell<BTreeSet<String>>,
    used_values: RefCell<BTreeSet<String>>,
}

impl Bindings {
    pub fn from_request(request: &Value) -> Result<Self, ApiError> {
        let mut names = BTreeMap::new();
        if let Some(map) = request
            .get("ExpressionAttributeNames")
            .and_then(Value::as_object)
        {
            for (k, v) in map {
                let name = v.as_str().ok_or_else(|| {
                    ApiError::serialization("ExpressionAttributeNames values must be strings")
                })?;
                names.insert(k.clone(), name.to_owned());
            }
        }
        let mut values = BTreeMap::new();
        if let Some(map) = request
            .get("ExpressionAttributeValues")
            .and_then(Value::as_object)
        {
            for (k, v) in map {
                values.insert(k.clone(), Av::from_json(v)?);
            }
        }
        Ok(Self {
            names,
            values,
            used_names: RefCell::default(),
            used_values: RefCell::default(),
        })
    }

    fn name(&self, alias: &str) -> Result<String, ApiError> {
        self.used_names.borrow_mut().insert(alias.to_owned());
        self.names.get(alias).cloned().ok_or_else(|| {
            ApiError::validation(format!(
                "Value provided in ExpressionAttributeNames unused in expressions: An expression attribute name used in the document path is not defined; attribute name: {alias}"
            ))
        })
    }

    fn value(&self, placeholder: &str) -> Result<Av, ApiError> {
        self.used_values.borrow_mut().insert(placeholder.to_owned());
        self.values.get(placeholder).cloned().ok_or_else(|| {
            ApiError::validation(format!(
                "Invalid expression: An expression attribute value used in expression is not defined; attribute value: {placeholder}"
            ))
        })
    }

    /// DynamoDB refuses names and values that no expression used.
    pub fn check_all_used(&self) -> Result<(), ApiError> {
        let unused_names: Vec<_> = self
            .names
            .keys()
            .filter(|k| !self.used_names.borrow().contains(*k))
            .cloned()
            .collect();
        if !unused_names.is_empty() {
            return Err(ApiError::validation(format!(
                "Value provided in ExpressionAttributeNames unused in expressions: keys: {{{}}}",
                unused_names.join(", ")
            )));
        }
        let unused_values: Vec<_> = self
            .values
            .keys()
            .filter(|k| !self.used_values.borrow().contains(*k))
            .cloned()
            .collect();
        if !unused_values.is_empty() {
            return Err(ApiError::validation(format!(
                "Value provided in ExpressionAttributeValues unused in expressions: keys: {{{}}}",
                unused_values.join(", ")
            )));
        }
        Ok(())
    }
}

struct Parser<'a> {
    tokens: Vec<Token>,
    pos: usize,
    text: &'a str,
    bindings: &'a Bindings,
}

const RESERVED: [&str; 8] = ["AND", "OR", "NOT", "BETWEEN", "IN", "SET", "REMOVE", "ADD"];

impl<'a> Parser<'a> {
    fn new(text: &'a str, bindings: &'a Bindings) -> Result<Self, ApiError> {
        if text.trim().is_empty() {
            return Err(ApiError::validation(
                "Invalid expression: The expression can not be empty;",
            ));
        }
        Ok(Self {
            tokens: tokenize(text)?,
            pos: 0,
            text,
            bindings,
        })
    }

    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.pos)
    }

    fn next(&mut self) -> Option<Token> {
        let t = self.tokens.get(self.pos).cloned();
        self.pos += 1;
        t
    }

    fn keyword(&self, word: &str) -> bool {
        matches!(self.peek(), Some(Token::Name(n)) if n.eq_ignore_ascii_case(word))
    }

    fn expect(&mut self, token: Token, what: &str) -> Result<(), ApiError> {
        if self.next() == Some(token) {
            Ok(())
        } else {
            Err(syntax(self.text, &format!("expected {what}")))
        }
    }

    fn done(&self) -> Result<(), ApiError> {
        if self.pos < self.tokens.len() {
            return Err(syntax(
                self.text,
                &format!("unexpected token {:?}", self.tokens[self.pos]),
            ));
        }
        Ok(())
    }

    fn path(&mut self) -> Result<Path, ApiError> {
        let mut path = vec![PathPart::Attr(self.attr_name()?)];
        loop {
            match self.peek() {
                Some(Token::Dot) => {
                    self.pos += 1;
                    path.push(PathPart::Attr(self.attr_name()?));
                }
                Some(Token::LBracket) => {
                    self.pos += 1;
                    let Some(Token::Number(n)) = self.next() else {
                        return Err(syntax(self.text, "a list index"));
                    };
                    self.expect(Token::RBracket, "]")?;
                    path.push(PathPart::Index(n));
                }
                _ => return Ok(path),
            }
        }
    }

    fn attr_name(&mut self) -> Result<String, ApiError> {
        match self.next() {
            Some(Token::Alias(alias)) => self.bindings.name(&alias),
            Some(Token::Name(name)) if !RESERVED.iter().any(|r| r.eq_ignore_ascii_case(&name)) => {
                Ok(name)
            }
            _ => Err(syntax(self.text, "an attribute name")),
        }
    }

    fn operand(&mut self) -> Result<Operand, ApiError> {
        let first = self.single_operand()?;
        match self.peek() {
            Some(Token::Op("+")) => {
                self.pos += 1;
                Ok(Operand::Plus(
                    Box::new(first),
                    Box::new(self.single_operand()?),
                ))
            }
            Some(Token::Op("-")) => {
                self.pos += 1;
                Ok(Operand::Minus(
                    Box::new(first),
                    Box::new(self.single_operand()?),
                ))
            }
            _ => Ok(first),
        }
    }

    fn single_operand(&mut self) -> Result<Operand, ApiError> {
        match self.peek().cloned() {
            Some(Token::Placeholder(p)) => {
                self.pos += 1;
                Ok(Operand::Value(self.bindings.value(&p)?))
            }
            Some(Token::Name(f)) if self.tokens.get(self.pos + 1) == Some(&Token::LParen) => {
                self.pos += 2;
                let operand = match f.as_str() {
                    "size" => Operand::Size(self.path()?),
                    "if_not_exists" => {
                        let path = self.path()?;
                        self.expect(Token::Comma, ",")?;
                        Operand::IfNotExists(path, Box::new(self.operand()?))
                    }
                    "list_append" => {
                        let a = self.operand()?;
                        self.expect(Token::Comma, ",")?;
                        Operand::ListAppend(Box::new(a), Box::new(self.operand()?))
                    }
                    other => return Err(syntax(self.text, &format!("unknown function {other}"))),
                };
                self.expect(Token::RParen, ")")?;
                Ok(operand)
            }
            _ => Ok(Operand::Path(self.path()?)),
        }
    }

    fn condition(&mut self) -> Result<Cond, ApiError> {
        let mut left = self.and()?;
        while self.keyword("OR") {
            self.pos += 1;
            left = Cond::Or(Box::new(left), Box::new(self.and()?));
        }
        Ok(left)
    }

    fn and(&mut self) -> Result<Cond, ApiError> {
        let mut left = self.not()?;
        while self.keyword("AND") {
            self.pos += 1;
            left = Cond::And(Box::new(left), Box::new(self.not()?));
        }
        Ok(left)
    }

    fn not(&mut self) -> Result<Cond, ApiError> {
        if self.keyword("NOT") {
            self.pos += 1;
            return Ok(Cond::Not(Box::new(self.not()?)));
        }
        self.primary()
    }

    fn primary(&mut self) -> Result<Cond, ApiError> {
        if self.peek() == Some(&Token::LParen) {
            self.pos += 1;
            let inner = self.condition()?;
            self.expect(Token::RParen, ")")?;
            return Ok(inner);
        }
        if let Some(Token::Name(f)) = self.peek().cloned() {
            let is_call = self.tokens.get(self.pos + 1) == Some(&Token::LParen);
            let condition_fn = matches!(
                f.as_str(),
                "attribute_exists"
                    | "attribute_not_exists"
                    | "begins_with"
                    | "contains"
                    | "attribute_type"
            );
            if is_call && condition_fn {
                self.pos += 2;
                let cond = match f.as_str() {
                    "attribute_exists" => Cond::Exists(self.path()?),
                    "attribute_not_exists" => Cond::NotExists(self.path()?),
                    "attribute_type" => {
                        let path = self.path()?;
                        self.expect(Token::Comma, ",")?;
                        Cond::AttrType(path, self.operand()?)
                    }
                    name => {
                        let a = self.operand()?;
                        self.expect(Token::Comma, ",")?;
                        let b = self.operand()?;
                        if name == "begins_with" {
                            Cond::BeginsWith(a, b)
                        } else {
                            Cond::Contains(a, b)
                        }
                    }
                };
                self.expect(Token::RParen, ")")?;
                return Ok(cond);
            }
        }
        let left = self.operand()?;
        if self.keyword("BETWEEN") {
            self.pos += 1;
            let low = self.operand()?;
            if !self.keyword("AND") {
                return Err(syntax(self.text, "AND in BETWEEN"));
            }
            self.pos += 1;
            return Ok(Cond::Between(left, low, self.operand()?));
        }
        if self.keyword("IN") {
            self.pos += 1;
            self.expect(Token::LParen, "(")?;
            let mut options = vec![self.operand()?];
            while self.peek() == Some(&Token::Comma) {
                self.pos += 1;
                options.push(self.operand()?);
            }
            self.expect(Token::RParen, ")")?;
            return Ok(Cond::In(left, options));
        }
        match self.next() {
            Some(Token::Op(op)) if matches!(op, "=" | "<>" | "<" | "<=" | ">" | ">=") => {
                Ok(Cond::Compare(left, op, self.operand()?))
            }
            _ => Err(syntax(self.text, "a comparison")),
        }
    }

    fn update(&mut self) -> Result<Vec<Action>, ApiError> {
        let mut actions = Vec::new();
        let mut seen_clauses = BTreeSet::new();
        while self.peek().is_some() {
            let Some(Token::Name(clause)) = self.next() else {
                return Err(syntax(self.text, "SET, REMOVE, ADD or DELETE"));
            };
            let clause = clause.to_ascii_uppercase();
            if !seen_clauses.insert(clause.clone()) {
                return Err(syntax(
                    self.text,
                    &format!("the {clause} section can only be used once"),
                ));
            }
            loop {
                let action = match clause.as_str() {
                    "SET" => {
                        let path = self.path()?;
                        self.expect(Token::Op("="), "=")?;
                        Action::Set(path, self.operand()?)
                    }
                    "REMOVE" => Action::Remove(self.path()?),
                    "ADD" => Action::Add(self.path()?, self.single_operand()?),
                    "DELETE" => Action::Delete(self.path()?, self.single_operand()?),
                    _ => return Err(syntax(self.text, "SET, REMOVE, ADD or DELETE")),
                };
                actions.push(action);
                if self.peek() == Some(&Token::Comma) {
                    self.pos += 1;
                } else {
                    break;
                }
            }
        }
        Ok(actions)
    }
}

pub fn parse_condition(text: &str, bindings: &Bindings) -> Result<Cond, ApiError> {
    let mut parser = Parser::new(text, bindings)?;
    let cond = parser.condition()?;
    parser.done()?;
    Ok(cond)
}

pub fn parse_update(text: &str, bindings: &Bindings) -> Result<Vec<Action>, ApiError> {
    let mut parser = Parser::new(text, bindings)?;
    let actions = parser.update()?;
    parser.done()?;
    Ok(actions)
}

pub fn parse_projection(text: &str, bindings: &Bindings) -> Result<Vec<Path>, ApiError> {
    let mut parser = Parser::new(text, bindings)?;
    let mut paths = vec![parser.path()?];
    while parser.peek() == Some(&Token::Comma) {
        parser.pos += 1;
        paths.push(parser.path()?);
    }
    parser.done()?;
    Ok(paths)
}

// --- evaluation -----------------------------------------------------------------------------------

pub fn resolve<'i>(item: &'i Item, path: &Path) -> Option<&'i Av> {
    let PathPart::Attr(first) = &path[0] else {
        return None;
    };
    let mut current = item.get(first)?;
    for part in &path[1..] {
        current = match (part, current) {
            (PathPart::Attr(name), Av::M(map)) => map.get(name)?,
            (PathPart::Index(i), Av::L(list)) => list.get(*i)?,
            _ => return None,
        };
    }
    Some(current)
}

fn value_of(item: &Item, operand: &Operand) -> Result<Option<Av>, ApiError> {
    Ok(match operand {
        Operand::Path(path) => resolve(item, path).cloned(),
        Operand::Value(v) => Some(v.clone()),
        Operand::Size(path) => resolve(item, path).and_then(|v| {
            let n = match v {
                Av::S(s) => s.len(),
                Av::B(b) => b.len(),
                Av::M(m) => m.len(),
                Av::L(l) => l.len(),
                Av::Ss(s) => s.len(),
                Av::Ns(n) => n.len(),
                Av::Bs(b) => b.len(),
                _ => return None,
            };
            Some(Av::N(n.into()))
        }),
        Operand::IfNotExists(path, fallback) => match resolve(item, path) {
            Some(v) => Some(v.clone()),
            None => value_of(item, fallback)?,
        },
        Operand::ListAppend(a, b) => match (value_of(item, a)?, value_of(item, b)?) {
            (Some(Av::L(mut x)), Some(Av::L(y))) => {
                x.extend(y);
                Some(Av::L(x))
            }
            _ => {
                return Err(ApiError::validation(
                    "An operand in the update expression has an incorrect data type",
                ))
            }
        },
        Operand::Plus(a, b) | Operand::Minus(a, b) => {
            let (Some(Av::N(x)), Some(Av::N(y))) = (value_of(item, a)?, value_of(item, b)?) else {
                return Err(ApiError::validation(
                    "An operand in the update expression has an incorrect data type",
                ));
            };
            let result = if matches!(operand, Operand::Plus(..)) {
                x.checked_add(y)
            } else {
                x.checked_sub(y)
            };
            Some(Av::N(
                result
                    .ok_or_else(|| ApiError::validation("Number overflow. Attempting to store a number with magnitude larger than supported range"))?
                    .normalize(),
            ))
        }
    })
}

pub fn evaluate(cond: &Cond, item: &Item) -> Result<bool, ApiError> {
    Ok(match cond {
        Cond::And(a, b) => evaluate(a, item)? && evaluate(b, item)?,
        Cond::Or(a, b) => evaluate(a, item)? || evaluate(b, item)?,
        Cond::Not(a) => !evaluate(a, item)?,
        Cond::Exists(path) => resolve(item, path).is_some(),
        Cond::NotExists(path) => resolve(item, path).is_none(),
        Cond::Compare(a, op, b) => {
            let (Some(x), Some(y)) = (value_of(item, a)?, value_of(item, b)?) else {
                return Ok(false);
            };
            match *op {
                "=" => x == y,
                "<>" => x != y,
                _ => match x.compare(&y) {
                    Some(ord) => match *op {
                        "<" => ord == Ordering::Less,
                        "<=" => ord != Ordering::Greater,
                        ">" => ord == Ordering::Greater,
                        _ => ord != Ordering::Less,
                    },
                    None => false,
                },
            }
        }
        Cond::Between(v, low, high) => {
            let (Some(x), Some(lo), Some(hi)) = (
                value_of(item, v)?,
                value_of(item, low)?,
                value_of(item, high)?,
            ) else {
                return Ok(false);
            };
            matches!(x.compare(&lo), Some(Ordering::Greater | Ordering::Equal))
                && matches!(x.compare(&hi), Some(Ordering::Less | Ordering::Equal))
        }
        Cond::In(v, options) => {
            let Some(x) = value_of(item, v)? else {
                return Ok(false);
            };
            let mut found = false;
            for option in options {
                found |= value_of(item, option)?.as_ref() == Some(&x);
            }
            found
        }
        Cond::BeginsWith(a, b) => match (value_of(item, a)?, value_of(item, b)?) {
            (Some(Av::S(x)), Some(Av::S(y))) => x.starts_with(&y),
            (Some(Av::B(x)), Some(Av::B(y))) => x.starts_with(&y),
            _ => false,
        },
        Cond::Contains(a, b) => match (value_of(item, a)?, value_of(item, b)?) {
            (Some(Av::S(x)), Some(Av::S(y))) => x.contains(&y),
            (Some(Av::Ss(x)), Some(Av::S(y))) => x.contains(&y),
            (Some(Av::Ns(x)), Some(Av::N(y))) => x.contains(&y),
            (Some(Av::L(x)), Some(y)) => x.contains(&y),
            _ => false,
        },
        Cond::AttrType(path, t) => match (resolve(item, path), value_of(item, t)?) {
            (Some(v), Some(Av::S(name))) => v.type_name() == name,
            _ => false,
        },
    })
}

fn set_path(item: &mut Item, path: &Path, value: Av) -> Result<(), ApiError> {
    let invalid = || {
        ApiError::validation(
            "The document path provided in the update expression is invalid for update",
        )
    };
    let PathPart::Attr(first) = &path[0] else {
        return Err(invalid());
    };
    if path.len() == 1 {
        item.insert(first.clone(), value);
        return Ok(());
    }
    let mut current = item.get_mut(first).ok_or_else(invalid)?;
    for (i, part) in path[1..].iter().enumerate() {
        let last = i == path.len() - 2;
        current = match (part, current) {
            (PathPart::Attr(name), Av::M(map)) => {
                if last {
                    map.insert(name.clone(), value);
                    return Ok(());
                }
                map.get_mut(name).ok_or_else(invalid)?
            }
            (PathPart::Index(n), Av::L(list)) => {
                if last {
                    if *n < list.len() {
                        list[*n] = value;
                    } else {
                        list.push(value);
                    }
                    return Ok(());
                }
                list.get_mut(*n).ok_or_else(invalid)?
            }
            _ => return Err(invalid()),
        };
    }
    Err(invalid())
}

fn remove_path(item: &mut Item, path: &Path) {
    if let [PathPart::Attr(name)] = path.as_slice() {
        item.remove(name);
        return;
    }
    let (last, parent) = path.split_last().expect("paths are never empty");
    let mut parent_item = item.clone();
    let Some(target) = resolve_mut(&mut parent_item, parent) else {
        return;
    };
    match (last, target) {
        (PathPart::Attr(name), Av::M(map)) => {
            map.remove(name);
        }
        (PathPart::Index(i), Av::L(list)) if *i < list.len() => {
            list.remove(*i);
        }
        _ => return,
    }
    *item = parent_item;
}

fn resolve_mut<'i>(item: &'i mut Item, path: &[PathPart]) -> Option<&'i mut Av> {
    let PathPart::Attr(first) = &path[0] else {
        return None;
    };
    let mut current = item.get_mut(first)?;
    for part in &path[1..] {
        current = match (part, current) {
            (PathPart::Attr(name), Av::M(map)) => map.get_mut(name)?,
            (PathPart::Index(i), Av::L(list)) => list.get_mut(*i)?,
            _ => return None,
        };
    }
    Some(current)
}

/// Applies update actions to `item` (values are computed against the item as it was).
pub fn apply_update(item: &mut Item, actions: &[Action]) -> Result<(), ApiError> {
    let before = item.clone();
    for action in actions {
        match action {
            Action::Set(path, operand) => {
                let value = value_of(&before, operand)?.ok_or_else(|| {
                    ApiError::validation("The provided expression refers to an attribute that does not exist in the item")
                })?;
                set_path(item, path, value)?;
            }
            Action::Remove(path) => remove_path(item, path),
            Action::Add(path, operand) | Action::Delete(path, operand) => {
                let add = matches!(action, Action::Add(..));
                let given = value_of(&before, operand)?.expect("ADD/DELETE take a value");
                let merged = match (resolve(&before, path).cloned(), given, add) {
                    (None, v @ (Av::N(_) | Av::Ss(_) | Av::Ns(_) | Av::Bs(_)), true) => Some(v),
                    (Some(Av::N(x)), Av::N(y), true) => Some(Av::N((x + y).normalize())),
                    (Some(Av::Ss(mut x)), Av::Ss(y), add) => {
                        set_merge(&mut x, y, add);
                        (!x.is_empty()).then_some(Av::Ss(x))
                    }
                    (Some(Av::Ns(mut x)), Av::Ns(y), add) => {
                        set_merge(&mut x, y, add);
                        (!x.is_empty()).then_some(Av::Ns(x))
                    }
                    (None, _, false) => continue,
                    _ => {
                        return Err(ApiError::validation(
                            "An operand in the update expression has an incorrect data type",
                        ))
                    }
                };
                match merged {
                    Some(v) => set_path(item, path, v)?,
                    None => remove_path(item, path),
                }
            }
        }
    }
    Ok(())
}

fn set_merge<T: PartialEq>(set: &mut Vec<T>, other: Vec<T>, add: bool) {
    if add {
        for v in other {
            if !set.contains(&v) {
                set.push(v);
            }
        }
    } else {
        set.retain(|v| !other.contains(v));
    }
}

/// The item with only the projected paths (top-level attributes and nested paths).
pub fn project(item: &Item, paths: &[Path]) -> Item {
    let mut out = Item::new();
    for path in paths {
        if let Some(v) = resolve(item, path) {
            if let [PathPart::Attr(name)] = path.as_slice() {
                out.insert(name.clone(), v.clone());
            } else if let PathPart::Attr(name) = &path[0] {
                // Nested projections keep the top-level attribute whole: a simplification.
                out.insert(name.clone(), item[name].clone());
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn bindings(names: Value, values: Value) -> Bindings {
        Bindings::from_request(
            &json!({"ExpressionAttributeNames": names, "ExpressionAttributeValues": values}),
        )
        .unwrap()
    }

    fn item(v: Value) -> Item {
        super::super::value::item_from_json(&v).unwrap()
    }

    #[test]
    fn conditions_evaluate_like_dynamodb() {
        let b = bindings(
            json!({"#s": "stock"}),
            json!({":q": {"N": "3"}, ":p": {"S": "ab"}}),
        );
        let it = item(json!({"id": {"S": "abc"}, "stock": {"N": "5"}}));
        for (text, expected) in [
            ("#s >= :q", true),
            ("#s < :q", false),
            (
                "attribute_exists(id) AND NOT attribute_not_exists(#s)",
                true,
            ),
            ("begins_with(id, :p)", true),
            ("#s BETWEEN :q AND :q OR id = :p", false),
            ("(missing = :q) OR size(id) = :q", true),
            ("#s IN (:q, :q)", false),
        ] {
            let cond = parse_condition(text, &b).unwrap();
            assert_eq!(evaluate(&cond, &it).unwrap(), expected, "{text}");
        }
        b.check_all_used().unwrap();
    }

    #[test]
    fn updates_set_arithmetic_remove_and_add() {
        let b = bindings(
            json!({"#s": "stock"}),
            json!({":q": {"N": "2"}, ":z": {"N": "10"}}),
        );
        let actions = parse_update(
            "SET #s = #s - :q, total = if_not_exists(total, :z) REMOVE gone ADD n :q",
            &b,
        )
        .unwrap();
        let mut it = item(json!({"stock": {"N": "5"}, "gone": {"S": "x"}}));
        apply_update(&mut it, &actions).unwrap();
        assert_eq!(
            it,
            item(json!({"stock": {"N": "3"}, "total": {"N": "10"}, "n": {"N": "2"}}))
        );
    }

    #[test]
    fn syntax_errors_and_unused_values_are_validation_errors() {
        let b = bindings(json!({}), json!({":unused": {"S": "x"}}));
        assert_eq!(
            parse_condition("a = = b", &b).unwrap_err().code(),
            "ValidationException"
        );
        let cond = parse_condition("attribute_exists(a)", &b).unwrap();
        assert!(evaluate(&cond, &Item::new()).is_ok());
        assert!(b.check_all_used().unwrap_err().message.contains(":unused"));
    }
}
