//! Expressions to their parsed forms, within DynamoDB's limits ("Expression length and complexity"):
//! at most 4 KB, at most 300 operators and functions, no redundant parentheses. Those checks run on
//! the token list before any recursion, and nesting is bounded, so no request can exhaust the stack.

use std::collections::BTreeSet;

use super::ast::{Action, Cond, Operand, Path, PathPart};
use super::bindings::Bindings;
use super::eval::size_of;
use super::lexer::{tokenize, Source, Token};
use super::reserved::is_reserved;
use crate::error::{ApiError, ExprKind};
use crate::number::Number;
use crate::value::Av;

pub const MAX_EXPRESSION_BYTES: usize = 4096;
pub const MAX_OPERATORS: usize = 300;
/// A valid expression needs an operator per nesting level, so deeper nesting is over the limit anyway.
const MAX_DEPTH: usize = MAX_OPERATORS + 1;
/// Redundant parentheses nested deeper than this are refused before parsing (see `Parser::new`).
const MAX_PARSED_NESTING: usize = 32;

/// The deepest document path: 32 levels of names and list indexes.
const MAX_PATH_LEVELS: usize = 32;
/// The most values an IN compares with.
const MAX_IN_OPERANDS: usize = 100;
const RESERVED: [&str; 8] = ["AND", "OR", "NOT", "BETWEEN", "IN", "SET", "REMOVE", "ADD"];
/// Functions that stand as operands (in an update, or `size` in a condition).
const OPERAND_FUNCTIONS: [&str; 3] = ["size", "if_not_exists", "list_append"];
const CONDITION_FUNCTIONS: [&str; 5] = [
    "attribute_exists",
    "attribute_not_exists",
    "begins_with",
    "contains",
    "attribute_type",
];

/// A scalar value as DynamoDB prints it in a message: `{S:a}`, `{N:1}`, `{B:base64}`.
fn scalar_text(value: &Av) -> Option<String> {
    use base64::Engine;
    match value {
        Av::S(s) => Some(format!("{{S:{s}}}")),
        Av::N(n) => Some(format!("{{N:{n}}}")),
        Av::B(b) => Some(format!(
            "{{B:{}}}",
            base64::engine::general_purpose::STANDARD.encode(b)
        )),
        _ => None,
    }
}

/// Where a faulty operand stood; never evaluated, since the parse then fails.
fn placeholder_path() -> Path {
    vec![PathPart::Attr(String::new())]
}

/// A path as DynamoDB prints it in a message: `[a, b, [1]]`.
pub(crate) fn show_path(path: &Path) -> String {
    let parts: Vec<String> = path
        .iter()
        .map(|p| match p {
            PathPart::Attr(name) => name.clone(),
            PathPart::Index(i) => format!("[{i}]"),
        })
        .collect();
    format!("[{}]", parts.join(", "))
}

/// attribute_type's second operand: a string value naming an AttributeValue type.
fn check_type_name(operand: &Operand, kind: ExprKind) -> Result<(), ApiError> {
    const TYPES: [&str; 10] = ["S", "N", "B", "NULL", "SS", "BOOL", "L", "BS", "NS", "M"];
    let operand_type = match operand {
        Operand::Value(Av::S(name)) if TYPES.contains(&name.as_str()) => return Ok(()),
        Operand::Value(Av::S(name)) => return Err(ApiError::invalid_type_name(kind, name)),
        Operand::Value(value) => value.type_name(),
        _ => "{NS,SS,L,BS,N,M,B,BOOL,NULL,S}",
    };
    Err(ApiError::function_operand_type(
        kind,
        "attribute_type",
        operand_type,
    ))
}

struct Parser<'a> {
    tokens: Vec<Token>,
    source: Source,
    pos: usize,
    depth: usize,
    kind: ExprKind,
    bindings: &'a Bindings,
    /// The fault DynamoDB reports once the whole text parses (`Deferred`), with the token it
    /// starts at: see `defer_at` for which one is kept.
    deferred: Option<(Deferred, usize, ApiError)>,
}

/// Faults found while parsing that DynamoDB reports only when the text parses (which one is reported:
/// `Deferred::before`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Deferred {
    /// `((a))`: two parentheses where one would do.
    RedundantParentheses,
    /// A call of a name that is no function (`if_not_exist(a, :b)`): DynamoDB parses any name
    /// followed by `(` as a call and checks the name once the whole text parses.
    UnknownFunction,
    /// A function where it cannot stand (`attribute_exists(a) > b`, `size(a)` as a condition).
    Misused,
    /// A reserved word as an attribute name.
    Reserved,
    /// A list index past a 32-bit integer (`l[4294967296]`).
    IndexRange,
    /// A second SET, REMOVE, ADD or DELETE section in an update.
    RepeatedSection,
    /// A value of a type that has no order (BOOL, NULL, a set, list or map) to order by.
    Unordered,
    /// BETWEEN's value bounds of two types, or the lower above the upper.
    Bounds,
    /// A `#name` ExpressionAttributeNames does not define.
    UndefinedName,
    /// A `:value` ExpressionAttributeValues does not define.
    UndefinedValue,
    /// A document path deeper than 32 levels.
    TooDeep,
    /// A function called with the wrong number of operands.
    OperandCount,
    /// A comparison or function whose first operand is the same path as its second.
    NotDistinct,
    /// An operand of the wrong kind or type for its function.
    Function,
}

impl Deferred {
    /// Tiers in order: redundant parentheses, then the first in the text of a name that is no
    /// function, a misused function, a reserved word and a list index out of range, then a repeated
    /// update section, then the rest - the first in the text in a condition, in the enum's order in
    /// an update or a projection (as DynamoDB Local reports them).
    fn tier(self) -> u8 {
        match self {
            Deferred::RedundantParentheses => 0,
            Deferred::UnknownFunction
            | Deferred::Misused
            | Deferred::Reserved
            | Deferred::IndexRange => 1,
            Deferred::RepeatedSection => 2,
            _ => 3,
        }
    }

    /// Whether a fault of this kind at `at` is reported before `kept`'s at `kept_at`; of an
    /// update's operand faults (`Function`) DynamoDB reports the last.
    fn before(self, at: usize, (kept, kept_at): (Deferred, usize), kind: ExprKind) -> bool {
        let condition = !matches!(kind, ExprKind::Update | ExprKind::Projection);
        match (self.tier(), kept.tier()) {
            (tier, kept_tier) if tier != kept_tier => tier < kept_tier,
            (1, _) => at < kept_at,
            (3, _) if condition => at < kept_at,
            _ => {
                self < kept
                    || (self == kept && kind == ExprKind::Update && self == Deferred::Function)
            }
        }
    }
}

/// Size, emptiness and operator count: checked on tokens, without recursion.
fn checked_tokens(text: &str, kind: ExprKind) -> Result<(Vec<Token>, Source), ApiError> {
    if text.len() > MAX_EXPRESSION_BYTES {
        return Err(ApiError::expression_too_long(kind, text.len()));
    }
    if text.trim().is_empty() {
        return Err(ApiError::expression_invalid(
            kind,
            "The expression can not be empty;",
        ));
    }
    let (tokens, source) = tokenize(text, kind)?;
    if count_operators(&tokens, kind) > MAX_OPERATORS {
        return Err(ApiError::too_many_operators(kind));
    }
    Ok((tokens, source))
}

/// Comparators, AND/OR/NOT, BETWEEN, IN, arithmetic and function calls each count once (the AND
/// inside BETWEEN does not).
fn count_operators(tokens: &[Token], kind: ExprKind) -> usize {
    let mut count = 0;
    let mut open_betweens = 0;
    for (i, token) in tokens.iter().enumerate() {
        let call = matches!(token, Token::Name(_)) && tokens.get(i + 1) == Some(&Token::LParen);
        count += match token {
            Token::Op("=") if kind == ExprKind::Update => 0,
            Token::Op(_) => 1,
            t if t.is_keyword("BETWEEN") => {
                open_betweens += 1;
                1
            }
            t if t.is_keyword("AND") && open_betweens > 0 => {
                open_betweens -= 1;
                0
            }
            t if t.is_keyword("AND")
                || t.is_keyword("OR")
                || t.is_keyword("NOT")
                || t.is_keyword("IN") =>
            {
                1
            }
            _ if call => 1,
            _ => 0,
        };
    }
    count
}

/// The deepest parentheses nest in `tokens`.
fn parenthesis_depth(tokens: &[Token]) -> usize {
    let (mut depth, mut deepest) = (0usize, 0usize);
    for token in tokens {
        match token {
            Token::LParen => {
                depth += 1;
                deepest = deepest.max(depth);
            }
            Token::RParen => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    deepest
}

/// `((x))`: two adjacent opening parentheses closed by two adjacent closing ones; the position of
/// the first such pair's outer `)`, where DynamoDB's parser meets the fault.
fn redundant_parentheses(tokens: &[Token]) -> Option<usize> {
    let mut matching = vec![usize::MAX; tokens.len()];
    let mut open = Vec::new();
    for (i, token) in tokens.iter().enumerate() {
        match token {
            Token::LParen => open.push(i),
            Token::RParen => match open.pop() {
                Some(start) => matching[start] = i,
                None => return None, // unbalanced: the parser reports it
            },
            _ => {}
        }
    }
    (0..tokens.len().saturating_sub(1))
        .filter(|&i| {
            tokens[i] == Token::LParen
                && tokens[i + 1] == Token::LParen
                && matching[i] != usize::MAX
                && matching[i + 1] != usize::MAX
                && matching[i] == matching[i + 1] + 1
                && !(i > 0 && (is_function_name(&tokens[i - 1]) || tokens[i - 1].is_keyword("IN")))
        })
        .map(|i| matching[i])
        .min()
}

/// A name right before "(" that is not a logical keyword: the parenthesis belongs to a call.
fn is_function_name(token: &Token) -> bool {
    matches!(token, Token::Name(_))
        && !["AND", "OR", "NOT", "IN"]
            .iter()
            .any(|k| token.is_keyword(k))
}

impl<'a> Parser<'a> {
    fn new(text: &str, kind: ExprKind, bindings: &'a Bindings) -> Result<Self, ApiError> {
        let (tokens, source) = checked_tokens(text, kind)?;
        // Found on tokens, before any recursion, and reported where DynamoDB's parser meets them:
        // after a syntax error before that point, before one after it and before any other fault;
        // at once when the parentheses nest deeper than any real expression does, so that parsing
        // them cannot exhaust the stack.
        let redundant = redundant_parentheses(&tokens);
        if redundant.is_some() && parenthesis_depth(&tokens) > MAX_PARSED_NESTING {
            return Err(ApiError::redundant_parentheses(kind));
        }
        Ok(Self {
            tokens,
            source,
            pos: 0,
            depth: 0,
            kind,
            bindings,
            deferred: redundant.map(|at| {
                let fault = ApiError::redundant_parentheses(kind);
                (Deferred::RedundantParentheses, at, fault)
            }),
        })
    }

    /// Defers `fault`, found at the current token.
    fn defer(&mut self, rank: Deferred, fault: ApiError) {
        self.defer_at(rank, self.pos, fault);
    }

    /// Keeps `fault`, which starts at token `at`, if DynamoDB reports it before the one kept
    /// (`Deferred::before`).
    fn defer_at(&mut self, rank: Deferred, at: usize, fault: ApiError) {
        let kind = self.kind;
        if self
            .deferred
            .as_ref()
            .is_none_or(|(kept, kept_at, _)| rank.before(at, (*kept, *kept_at), kind))
        {
            self.deferred = Some((rank, at, fault));
        }
    }

    /// Whether `name`, called at token `at`, is no function DynamoDB knows; if so, its fault is
    /// deferred (function names are case-sensitive).
    fn unknown_function(&mut self, name: &str, at: usize) -> bool {
        let known = OPERAND_FUNCTIONS.contains(&name) || CONDITION_FUNCTIONS.contains(&name);
        if !known {
            let fault = ApiError::expression_invalid(
                self.kind,
                format_args!("Invalid function name; function: {name}"),
            );
            self.defer_at(Deferred::UnknownFunction, at, fault);
        }
        !known
    }

    /// A function's operands after `name(`, up to and including the `)`: at least one (`size()` is a
    /// syntax error at its `)`).
    fn call_arguments(&mut self) -> Result<Vec<Operand>, ApiError> {
        let mut arguments = vec![self.operand()?];
        while self.peek() == Some(&Token::Comma) {
            self.pos += 1;
            arguments.push(self.operand()?);
        }
        self.expect(Token::RParen)?;
        Ok(arguments)
    }

    /// Whether `name` got `count` operands; the fault is deferred when not.
    fn operand_count(&mut self, name: &str, arguments: &[Operand], count: usize) -> bool {
        if arguments.len() != count {
            let fault = ApiError::operand_count(self.kind, name, arguments.len());
            self.defer(Deferred::OperandCount, fault);
            return false;
        }
        true
    }

    /// Defers the fault of function `name` given an operand of `type_name`.
    fn defer_operand_type(&mut self, name: &str, type_name: &str) {
        let fault = ApiError::function_operand_type(self.kind, name, type_name);
        self.defer(Deferred::Function, fault);
    }

    /// A path operand, or the deferred fault that `name` needs one.
    fn path_operand(&mut self, name: &str, operand: Operand) -> Path {
        match operand {
            Operand::Path(path) => path,
            _ => {
                let fault = ApiError::requires_path(self.kind, name);
                self.defer(Deferred::Function, fault);
                placeholder_path()
            }
        }
    }

    /// Two operands that are one path are refused (`a = a`, `contains(a, a)`).
    fn check_distinct(&mut self, operator: &str, first: &Operand, second: &Operand) {
        if let (Operand::Path(a), Operand::Path(b)) = (first, second) {
            if a == b {
                let fault = ApiError::not_distinct(self.kind, operator, &show_path(a));
                self.defer(Deferred::NotDistinct, fault);
            }
        }
    }

    /// A condition function's call (`attribute_exists(a)` ...), its operands checked as DynamoDB
    /// checks them once the text parses.
    fn condition_call(&mut self, name: &str, arguments: Vec<Operand>) -> Cond {
        let count = if name.starts_with("attribute_") && name != "attribute_type" {
            1
        } else {
            2
        };
        if !self.operand_count(name, &arguments, count) {
            return Cond::Exists(placeholder_path());
        }
        let mut arguments = arguments.into_iter();
        let first = arguments.next().expect("counted");
        let second = arguments.next();
        if let Some(second) = &second {
            self.check_distinct(name, &first, second);
        }
        match (name, second) {
            ("attribute_exists", _) => Cond::Exists(self.path_operand(name, first)),
            ("attribute_not_exists", _) => Cond::NotExists(self.path_operand(name, first)),
            ("attribute_type", Some(type_name)) => {
                if let Err(fault) = check_type_name(&type_name, self.kind) {
                    self.defer(Deferred::Function, fault);
                }
                Cond::AttrType(self.path_operand(name, first), type_name)
            }
            ("begins_with", Some(prefix)) => {
                for operand in [&first, &prefix] {
                    match operand {
                        Operand::Value(v) if !matches!(v, Av::S(_) | Av::B(_)) => {
                            self.defer_operand_type(name, v.type_name());
                        }
                        // size() is a number.
                        Operand::Size(_) => self.defer_operand_type(name, "N"),
                        _ => {}
                    }
                }
                Cond::BeginsWith(first, prefix)
            }
            (_, Some(member)) => Cond::Contains(first, member),
            (_, None) => unreachable!("two operands were counted"),
        }
    }

    /// Whether a call begins here: a name that is not a logical keyword, then `(`.
    fn at_call(&self) -> bool {
        self.peek()
            .is_some_and(|t| is_function_name(t) && !t.is_keyword("BETWEEN"))
            && self.tokens.get(self.pos + 1) == Some(&Token::LParen)
    }

    /// Whether a comparison, BETWEEN or IN follows: what a function used as an operand is met by.
    fn at_comparison(&self) -> bool {
        self.comparison_at(self.pos)
    }

    /// Whether the token at `at` goes on from a first operand: BETWEEN, IN or a comparator.
    fn comparison_at(&self, at: usize) -> bool {
        self.tokens.get(at).is_some_and(|token| {
            token.is_keyword("BETWEEN")
                || token.is_keyword("IN")
                || matches!(token, Token::Op(op) if matches!(*op, "=" | "<>" | "<" | "<=" | ">" | ">="))
        })
    }

    /// Whether the `(` at the current token opens an operand (`(a) = :v`, `(size(b)) > :n`) rather
    /// than a condition: a comparison follows its matching `)`.
    fn parenthesis_opens_operand(&self) -> bool {
        let mut depth = 0usize;
        for (at, token) in self.tokens.iter().enumerate().skip(self.pos) {
            match token {
                Token::LParen => depth += 1,
                Token::RParen => {
                    depth -= 1;
                    if depth == 0 {
                        return self.comparison_at(at + 1);
                    }
                }
                _ => {}
            }
        }
        false
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
        self.peek().is_some_and(|t| t.is_keyword(word))
    }

    /// A BETWEEN of two values: of one type (S, N or B), the lower not above the upper, as DynamoDB
    /// checks before reading any item.
    fn check_bounds(&mut self, low: &Operand, high: &Operand) {
        let (Operand::Value(low), Operand::Value(high)) = (low, high) else {
            return;
        };
        let (Some(low_text), Some(high_text)) = (scalar_text(low), scalar_text(high)) else {
            return;
        };
        if std::mem::discriminant(low) != std::mem::discriminant(high) {
            let fault = ApiError::between_types_differ(self.kind, &low_text, &high_text);
            self.defer(Deferred::Bounds, fault);
        } else if low.compare(high) == Some(std::cmp::Ordering::Greater) {
            let fault = ApiError::between_reversed(self.kind, &low_text, &high_text);
            self.defer(Deferred::Bounds, fault);
        }
    }

    fn syntax_error(&self) -> ApiError {
        let at = self.pos.min(self.tokens.len());
        // Redundant parentheses, kept first of all deferred faults, met where they close.
        if let Some((Deferred::RedundantParentheses, close, fault)) = &self.deferred {
            if *close < at {
                return fault.clone();
            }
        }
        let token = self.tokens.get(at).map_or("<EOF>".to_owned(), Token::text);
        // The text as written from the token before to the end of the token after (DynamoDB quotes
        // it so); when that is the end of the input, to the end of the text, trailing spaces too.
        let from = at.saturating_sub(1);
        let mut near = if at + 1 >= self.tokens.len() {
            self.source.text_to_end(from)
        } else {
            self.source.text(from, at + 2)
        };
        if at == 0 {
            // No token before: the quote starts at the text's start, leading spaces too.
            near.insert_str(0, &self.source.leading());
        }
        ApiError::expression_syntax(self.kind, &token, &near)
    }

    fn expect(&mut self, token: Token) -> Result<(), ApiError> {
        if self.peek() == Some(&token) {
            self.pos += 1;
            Ok(())
        } else {
            Err(self.syntax_error())
        }
    }

    fn done(&self) -> Result<(), ApiError> {
        self.done_before(Deferred::Function)?;
        match &self.deferred {
            Some((_, _, fault)) => Err(fault.clone()),
            None => Ok(()),
        }
    }

    /// The whole text parsed, and no deferred fault ranked before `rank`: what an update or projection
    /// checks before its paths overlap (DynamoDB checks operands after the paths there).
    fn done_before(&self, rank: Deferred) -> Result<(), ApiError> {
        if self.pos < self.tokens.len() {
            return Err(self.syntax_error());
        }
        match &self.deferred {
            Some((kept, _, fault)) if kept.tier() < rank.tier() || *kept < rank => {
                Err(fault.clone())
            }
            _ => Ok(()),
        }
    }

    /// The value a `:placeholder` stands for; an undefined one is deferred (and stands as NULL).
    fn value(&mut self, placeholder: &str) -> Av {
        match self.bindings.value(placeholder, self.kind) {
            Ok(value) => value,
            Err(fault) => {
                self.defer(Deferred::UndefinedValue, fault);
                Av::Null
            }
        }
    }

    /// Every recursive step goes through here: nesting past the operator limit is refused.
    fn descend(&mut self) -> Result<(), ApiError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(match &self.deferred {
                Some((Deferred::RedundantParentheses, _, fault)) => fault.clone(),
                _ => ApiError::too_many_operators(self.kind),
            });
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
                    // The error names the token that is not an index, not the one after it.
                    let Some(Token::Number(n)) = self.peek().cloned() else {
                        return Err(self.syntax_error());
                    };
                    if i32::try_from(n).is_err() {
                        let fault = ApiError::list_index_out_of_range(self.kind, &n.to_string());
                        self.defer(Deferred::IndexRange, fault);
                    }
                    self.pos += 1;
                    self.expect(Token::RBracket)?;
                    path.push(PathPart::Index(n));
                }
                _ => {
                    if path.len() > MAX_PATH_LEVELS {
                        let fault = ApiError::path_too_deep(self.kind, path.len());
                        self.defer(Deferred::TooDeep, fault);
                    }
                    return Ok(path);
                }
            }
        }
    }

    /// A literal of a type without an order given to `op` (`<`, `BETWEEN`...), refused as DynamoDB
    /// does before reading the item: only numbers, strings and binaries are ordered.
    fn check_ordered(&mut self, op: &str, operands: &[&Operand]) {
        self.check_literal_types(op, operands, &["N", "S", "B"], Deferred::Unordered);
    }

    /// The first literal among `operands` whose type is not `allowed`, refused (at `rank`) as an
    /// operand type `op` does not take; an attribute's type is known only when the item is read.
    fn check_literal_types(
        &mut self,
        op: &str,
        operands: &[&Operand],
        allowed: &[&str],
        rank: Deferred,
    ) {
        let wrong = operands.iter().find_map(|operand| match operand {
            Operand::Value(value) if !allowed.contains(&value.type_name()) => {
                Some(value.type_name())
            }
            _ => None,
        });
        if let Some(type_name) = wrong {
            let fault = ApiError::function_operand_type(self.kind, op, type_name);
            self.defer(rank, fault);
        }
    }

    fn attr_name(&mut self) -> Result<String, ApiError> {
        match self.peek().cloned() {
            Some(Token::Alias(alias)) => {
                self.pos += 1;
                Ok(self.bindings.name(&alias).unwrap_or_else(|| {
                    let fault = ApiError::undefined_attribute_name(self.kind, &alias);
                    self.defer(Deferred::UndefinedName, fault);
                    alias
                }))
            }
            Some(Token::Name(name)) if !RESERVED.iter().any(|r| r.eq_ignore_ascii_case(&name)) => {
                if is_reserved(&name) {
                    let fault = ApiError::reserved_keyword(self.kind, &name);
                    self.defer(Deferred::Reserved, fault);
                }
                self.pos += 1;
                Ok(name)
            }
            _ => Err(self.syntax_error()),
        }
    }

    /// A SET action's value: an operand, or two joined by `+` or `-`.
    fn set_operand(&mut self) -> Result<Operand, ApiError> {
        let first = self.operand()?;
        match self.peek() {
            Some(Token::Op(op @ ("+" | "-"))) => {
                let op = *op;
                self.pos += 1;
                let second = self.operand()?;
                Ok(self.arithmetic(op, first, second))
            }
            _ => Ok(first),
        }
    }

    /// `left op right`; a value that is not a number is refused by its type now, as DynamoDB does.
    fn arithmetic(&mut self, op: &'static str, left: Operand, right: Operand) -> Operand {
        self.check_literal_types(op, &[&left, &right], &["N"], Deferred::Function);
        if [&left, &right]
            .iter()
            .any(|o| matches!(o, Operand::ListAppend(..)))
        {
            let fault = ApiError::misused_function(self.kind, "list_append");
            self.defer(Deferred::Misused, fault);
        }
        let (left, right) = (Box::new(left), Box::new(right));
        if op == "+" {
            Operand::Plus(left, right)
        } else {
            Operand::Minus(left, right)
        }
    }

    /// A SET action's value: an operand, or arithmetic in parentheses as a whole (`(a + :b)`), after
    /// which a `+` or `-` is left for the caller to refuse, as DynamoDB does at that token.
    fn set_value(&mut self) -> Result<Operand, ApiError> {
        if self.peek() != Some(&Token::LParen) {
            return self.set_operand();
        }
        self.pos += 1;
        let inner = self.set_operand()?;
        self.expect(Token::RParen)?;
        if matches!(inner, Operand::Plus(..) | Operand::Minus(..)) {
            return Ok(inner);
        }
        let op = match self.peek() {
            Some(Token::Op(op @ ("+" | "-"))) => *op,
            _ => return Ok(inner),
        };
        self.pos += 1;
        let right = self.operand()?;
        Ok(self.arithmetic(op, inner, right))
    }

    /// An operand: a path, a value or a function. Arithmetic stands only as a SET action's value
    /// (`set_operand`); a `+` or `-` anywhere else is a syntax error at that token, as in DynamoDB.
    fn operand(&mut self) -> Result<Operand, ApiError> {
        self.descend()?;
        let operand = match self.peek().cloned() {
            // A term may be parenthesised, `(a) + :b` or `(a) = :v`; arithmetic inside parentheses only
            // as a whole SET value (`set_value`). A path after the parenthesis (`(a).b`) stays a syntax
            // error. At a condition's start, `primary` tells this from a parenthesised condition.
            Some(Token::LParen) => {
                self.pos += 1;
                let inner = self.operand()?;
                self.expect(Token::RParen)?;
                inner
            }
            Some(Token::Placeholder(p)) => {
                self.pos += 1;
                Operand::Value(self.value(&p))
            }
            Some(Token::Name(f)) if self.at_call() => {
                let at = self.pos;
                self.pos += 2;
                let arguments = self.call_arguments()?;
                if self.unknown_function(&f, at) {
                    Operand::Path(placeholder_path())
                } else {
                    self.function_operand(&f, at, arguments)
                }
            }
            _ => Operand::Path(self.path()?),
        };
        self.depth -= 1;
        Ok(operand)
    }

    /// A function called at token `at` standing as an operand: size, if_not_exists or list_append;
    /// a condition function here is misused.
    fn function_operand(&mut self, name: &str, at: usize, arguments: Vec<Operand>) -> Operand {
        let expected = if name == "size" { 1 } else { 2 };
        let in_update = self.kind == ExprKind::Update;
        let not_allowed = if in_update {
            name == "size" || CONDITION_FUNCTIONS.contains(&name)
        } else {
            matches!(self.kind, ExprKind::Condition | ExprKind::Filter)
                && matches!(name, "if_not_exists" | "list_append")
        };
        if not_allowed {
            let fault = ApiError::function_not_allowed(self.kind, name);
            self.defer_at(Deferred::Misused, at, fault);
            return Operand::Path(placeholder_path());
        }
        if CONDITION_FUNCTIONS.contains(&name) {
            let fault = ApiError::misused_function(self.kind, name);
            self.defer_at(Deferred::Misused, at, fault);
            return Operand::Path(placeholder_path());
        }
        if !self.operand_count(name, &arguments, expected) {
            return Operand::Path(placeholder_path());
        }
        let mut arguments = arguments.into_iter();
        let first = arguments.next().expect("counted");
        match name {
            "size" => match first {
                Operand::Path(path) => Operand::Size(path),
                // The size of a literal is known now.
                Operand::Value(value) => match size_of(&value) {
                    Some(size) => Operand::Value(Av::N(Number::from_i64(size as i64))),
                    None => {
                        self.defer_operand_type(name, value.type_name());
                        Operand::Path(placeholder_path())
                    }
                },
                // A function (size of size) is a number.
                _ => {
                    self.defer_operand_type(name, "N");
                    Operand::Path(placeholder_path())
                }
            },
            "if_not_exists" => {
                let path = self.path_operand(name, first);
                let fallback = arguments.next().expect("counted");
                Operand::IfNotExists(path, Box::new(fallback))
            }
            _ => {
                let second = arguments.next().expect("counted");
                Operand::ListAppend(Box::new(first), Box::new(second))
            }
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
        self.descend()?;
        let cond = if self.keyword("NOT") {
            self.pos += 1;
            Cond::Not(Box::new(self.not()?))
        } else {
            self.primary()?
        };
        self.depth -= 1;
        Ok(cond)
    }

    fn primary(&mut self) -> Result<Cond, ApiError> {
        if self.peek() == Some(&Token::LParen) && !self.parenthesis_opens_operand() {
            self.pos += 1;
            let inner = self.condition()?;
            self.expect(Token::RParen)?;
            return Ok(inner);
        }
        if let Some(Token::Name(f)) = self.peek().cloned() {
            let is_call = self.at_call();
            // A condition function, or a name that is no function (a condition as far as the
            // grammar goes).
            if is_call && !OPERAND_FUNCTIONS.contains(&f.as_str()) {
                let at = self.pos;
                self.pos += 2;
                let arguments = self.call_arguments()?;
                let unknown = self.unknown_function(&f, at);
                let cond = match unknown {
                    true => Cond::Exists(placeholder_path()),
                    false => self.condition_call(&f, arguments),
                };
                if !self.at_comparison() {
                    return Ok(cond);
                }
                // Compared as if it were a value: misused, reported once the rest parses.
                if !unknown {
                    let fault = ApiError::misused_function(self.kind, &f);
                    self.defer_at(Deferred::Misused, at, fault);
                }
                return self.comparison(Operand::Path(placeholder_path()));
            }
        }
        let at = self.pos;
        let called = match self.peek() {
            Some(Token::Name(f)) if self.at_call() => Some(f.clone()),
            _ => None,
        };
        let left = self.operand()?;
        // An operand function standing as a condition (`size(a) OR ...`): misused, whatever its
        // operands were, reported once the rest parses.
        if let Some(name) = called.filter(|_| !self.at_comparison()) {
            let fault = ApiError::misused_function(self.kind, &name);
            self.defer_at(Deferred::Misused, at, fault);
            return Ok(Cond::Exists(placeholder_path()));
        }
        self.comparison(left)
    }

    /// What follows a condition's first operand: BETWEEN, IN or a comparator.
    fn comparison(&mut self, left: Operand) -> Result<Cond, ApiError> {
        if self.keyword("BETWEEN") {
            self.pos += 1;
            let low = self.operand()?;
            if !self.keyword("AND") {
                return Err(self.syntax_error());
            }
            self.pos += 1;
            let high = self.operand()?;
            self.check_distinct("BETWEEN", &left, &low);
            self.check_distinct("BETWEEN", &left, &high);
            self.check_ordered("BETWEEN", &[&left, &low, &high]);
            self.check_bounds(&low, &high);
            return Ok(Cond::Between(left, low, high));
        }
        if self.keyword("IN") {
            self.pos += 1;
            self.expect(Token::LParen)?;
            let mut options = vec![self.operand()?];
            while self.peek() == Some(&Token::Comma) {
                self.pos += 1;
                options.push(self.operand()?);
            }
            self.expect(Token::RParen)?;
            for option in &options {
                self.check_distinct("IN", &left, option);
            }
            if options.len() > MAX_IN_OPERANDS {
                self.defer(
                    Deferred::Misused,
                    ApiError::in_too_many_operands(self.kind, options.len()),
                );
            }
            return Ok(Cond::In(left, options));
        }
        match self.peek() {
            Some(Token::Op(op)) if matches!(*op, "=" | "<>" | "<" | "<=" | ">" | ">=") => {
                let op = *op;
                self.pos += 1;
                let right = self.operand()?;
                self.check_distinct(op, &left, &right);
                if op != "=" && op != "<>" {
                    self.check_ordered(op, &[&left, &right]);
                }
                Ok(Cond::Compare(left, op, right))
            }
            // A function that is not a condition standing alone (`size(a)`).
            _ if matches!(
                left,
                Operand::Size(_) | Operand::IfNotExists(..) | Operand::ListAppend(..)
            ) =>
            {
                let name = match left {
                    Operand::Size(_) => "size",
                    Operand::IfNotExists(..) => "if_not_exists",
                    _ => "list_append",
                };
                self.defer(
                    Deferred::Misused,
                    ApiError::misused_function(self.kind, name),
                );
                Ok(Cond::Exists(placeholder_path()))
            }
            _ => Err(self.syntax_error()),
        }
    }

    fn update(&mut self) -> Result<Vec<Action>, ApiError> {
        let mut actions = Vec::new();
        let mut seen_clauses = BTreeSet::new();
        while self.peek().is_some() {
            let Some(Token::Name(clause)) = self.peek().cloned() else {
                return Err(self.syntax_error());
            };
            let clause = clause.to_ascii_uppercase();
            if !matches!(clause.as_str(), "SET" | "REMOVE" | "ADD" | "DELETE") {
                return Err(self.syntax_error());
            }
            self.pos += 1;
            if !seen_clauses.insert(clause.clone()) {
                let fault = ApiError::expression_invalid(
                    self.kind,
                    format_args!(
                        "The \"{clause}\" section can only be used once in an update expression;"
                    ),
                );
                self.defer(Deferred::RepeatedSection, fault);
            }
            loop {
                let action = match clause.as_str() {
                    "SET" => {
                        let path = self.path()?;
                        self.expect(Token::Op("="))?;
                        Action::Set(path, self.set_value()?)
                    }
                    "REMOVE" => Action::Remove(self.path()?),
                    other => {
                        let path = self.path()?;
                        let Some(Token::Placeholder(p)) = self.next() else {
                            self.pos -= 1;
                            return Err(self.syntax_error());
                        };
                        let value = self.value(&p);
                        // ADD takes a number or a set, DELETE a set (a list only in AttributeUpdates).
                        let allowed = match value {
                            Av::Ss(_) | Av::Ns(_) | Av::Bs(_) => true,
                            Av::N(_) => other == "ADD",
                            _ => false,
                        };
                        if !allowed {
                            let fault = ApiError::update_operand_type(other, value.type_name());
                            self.defer(Deferred::Function, fault);
                        }
                        if other == "ADD" {
                            Action::Add(path, value)
                        } else {
                            Action::Delete(path, value)
                        }
                    }
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

pub fn parse_condition(text: &str, kind: ExprKind, bindings: &Bindings) -> Result<Cond, ApiError> {
    let mut parser = Parser::new(text, kind, bindings)?;
    let cond = parser.condition()?;
    parser.done()?;
    Ok(cond)
}

pub fn parse_update(text: &str, bindings: &Bindings) -> Result<Vec<Action>, ApiError> {
    let mut parser = Parser::new(text, ExprKind::Update, bindings)?;
    let actions = parser.update()?;
    // DynamoDB (as DynamoDB Local answers) checks an update's paths before its undefined values and
    // its functions' operands.
    parser.done_before(Deferred::UndefinedValue)?;
    let paths: Vec<Path> = actions.iter().map(|a| a.path().clone()).collect();
    check_paths(&paths, ExprKind::Update)?;
    parser.done()?;
    Ok(actions)
}

/// Two paths of one expression that overlap (`a` and `a.b`, or one path twice) or conflict (`a.b`
/// and `a[1]`: one node read as a map and as a list) are refused, an overlap first, each naming the
/// earlier path first.
pub fn check_paths(paths: &[Path], kind: ExprKind) -> Result<(), ApiError> {
    let mut conflict = None;
    for (n, path) in paths.iter().enumerate() {
        for earlier in &paths[..n] {
            let common = earlier.iter().zip(path.iter());
            let mut related = true;
            for (a, b) in common {
                match (a, b) {
                    (PathPart::Attr(_), PathPart::Index(_))
                    | (PathPart::Index(_), PathPart::Attr(_)) => {
                        conflict.get_or_insert_with(|| {
                            ApiError::paths_conflict(kind, &show_path(earlier), &show_path(path))
                        });
                        related = false;
                        break;
                    }
                    _ if a != b => {
                        related = false;
                        break;
                    }
                    _ => {}
                }
            }
            if related {
                return Err(ApiError::paths_overlap(
                    kind,
                    &show_path(earlier),
                    &show_path(path),
                ));
            }
        }
    }
    conflict.map_or(Ok(()), Err)
}

pub fn parse_projection(text: &str, bindings: &Bindings) -> Result<Vec<Path>, ApiError> {
    let mut parser = Parser::new(text, ExprKind::Projection, bindings)?;
    let mut paths = vec![parser.path()?];
    while parser.peek() == Some(&Token::Comma) {
        parser.pos += 1;
        paths.push(parser.path()?);
    }
    parser.done()?;
    check_paths(&paths, ExprKind::Projection)?;
    Ok(paths)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn values() -> Bindings {
        Bindings::from_request(&json!({"ExpressionAttributeValues": {":v": {"N": "1"}}})).unwrap()
    }

    fn condition_error(text: &str) -> String {
        parse_condition(text, ExprKind::Condition, &values())
            .unwrap_err()
            .message
    }

    #[test]
    fn dynamodbs_limits_are_enforced_without_deep_recursion() {
        // 2,000 nested parentheses (4,019 bytes): redundant, refused before any recursion.
        let nested = format!(
            "{}attribute_exists(a){}",
            "(".repeat(2000),
            ")".repeat(2000)
        );
        assert_eq!(
            condition_error(&nested),
            "Invalid ConditionExpression: The expression has redundant parentheses;"
        );
        let padded = format!("attribute_exists(a){}", " ".repeat(4097 - 19));
        assert!(condition_error(&padded).ends_with("expression size: 4097"));
        assert!(parse_condition(&padded[..4096], ExprKind::Condition, &values()).is_ok());
        let ors = |n: usize| vec!["a=:v"; n + 1].join(" OR ");
        assert!(parse_condition(&ors(149), ExprKind::Condition, &values()).is_ok());
        assert!(condition_error(&ors(150)).ends_with("operator count: 301"));
        // 10,000 terms would be 90 KB: the size check answers first.
        assert!(condition_error(&ors(10_000)).contains("Expression size has exceeded"));
        let nots = |n: usize| format!("{}attribute_exists(a)", "NOT ".repeat(n));
        assert!(parse_condition(&nots(299), ExprKind::Condition, &values()).is_ok());
        assert!(condition_error(&nots(300)).ends_with("operator count: 301"));
        // Deep but not redundant nesting with operators at every level is fine up to the limit.
        let mut deep = "attribute_exists(a)".to_owned();
        for _ in 0..100 {
            deep = format!("(attribute_exists(a) AND {deep})");
        }
        assert!(parse_condition(&deep, ExprKind::Condition, &values()).is_ok());
        assert!(parse_condition("(attribute_exists(a))", ExprKind::Condition, &values()).is_ok());
        assert!(condition_error("((a = :v))").contains("redundant parentheses"));
    }

    #[test]
    fn left_nested_parentheses_past_the_limit_are_refused() {
        let text = format!("{}a = :v{}", "(".repeat(400), ") AND a = :v".repeat(400));
        let message = condition_error(&text);
        assert!(
            message.contains("Expression size") || message.contains("operators"),
            "{message}"
        );
    }
}
