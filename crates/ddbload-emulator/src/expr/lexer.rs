//! Splits an expression into tokens: names, #aliases, :placeholders, list indexes and punctuation.

use crate::error::{ApiError, ExprKind};

#[derive(Debug, Clone, PartialEq)]
pub enum Token {
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

impl Token {
    pub fn text(&self) -> String {
        match self {
            Token::Name(s) | Token::Alias(s) | Token::Placeholder(s) => s.clone(),
            Token::Number(n) => n.to_string(),
            Token::Op(op) => (*op).to_owned(),
            Token::LParen => "(".into(),
            Token::RParen => ")".into(),
            Token::Comma => ",".into(),
            Token::Dot => ".".into(),
            Token::LBracket => "[".into(),
            Token::RBracket => "]".into(),
        }
    }

    pub fn is_keyword(&self, word: &str) -> bool {
        matches!(self, Token::Name(n) if n.eq_ignore_ascii_case(word))
    }
}

/// Where each token stands in the expression's text (char offsets), for quoting the text near a
/// syntax error as DynamoDB does.
pub struct Source {
    spans: Vec<std::ops::Range<usize>>,
    chars: Vec<char>,
}

impl Source {
    /// The source text from token `from` to the end of token `to` (exclusive index), as written.
    pub fn text(&self, from: usize, to: usize) -> String {
        if from >= to || to > self.spans.len() {
            return String::new();
        }
        self.chars[self.spans[from].start..self.spans[to - 1].end]
            .iter()
            .collect()
    }

    /// What comes before the first token: the spaces DynamoDB quotes when that token is the bad one.
    pub fn leading(&self) -> String {
        let first = self.spans.first().map_or(0, |span| span.start);
        self.chars[..first].iter().collect()
    }

    /// The source text from token `from` to the end of the text, trailing spaces included.
    pub fn text_to_end(&self, from: usize) -> String {
        let start = self
            .spans
            .get(from)
            .map_or(self.chars.len(), |span| span.start);
        self.chars[start..].iter().collect()
    }
}

/// The text from `from` to the end of the token that follows `after` (a word, or one character).
fn near_text(chars: &[char], from: usize, after: usize) -> String {
    let mut end = after;
    while chars.get(end).is_some_and(|c| c.is_whitespace()) {
        end += 1;
    }
    let is_word = |c: &char| c.is_alphanumeric() || *c == '_';
    if chars.get(end).is_some_and(is_word) {
        while chars.get(end).is_some_and(is_word) {
            end += 1;
        }
    } else if end < chars.len() {
        end += 1;
    } else {
        end = after;
    }
    chars[from.min(chars.len())..end.min(chars.len())]
        .iter()
        .collect()
}

pub fn tokenize(text: &str, kind: ExprKind) -> Result<(Vec<Token>, Source), ApiError> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut spans = Vec::new();
    let mut i = 0;
    let word = |i: &mut usize| {
        let start = *i;
        while *i < chars.len() && (chars[*i].is_ascii_alphanumeric() || chars[*i] == '_') {
            *i += 1;
        }
        chars[start..*i].iter().collect::<String>()
    };
    // DynamoDB quotes the text from the token before the bad one (the text's start when there is
    // none) to the end of the one after.
    let syntax = |token: &str, at: usize, before: Option<usize>| {
        let near = near_text(&chars, before.unwrap_or(0), at + token.chars().count());
        ApiError::expression_syntax(kind, token, &near)
    };
    while i < chars.len() {
        let start = i;
        let c = chars[i];
        let single = match c {
            '(' => Some(Token::LParen),
            ')' => Some(Token::RParen),
            ',' => Some(Token::Comma),
            '.' => Some(Token::Dot),
            '[' => Some(Token::LBracket),
            ']' => Some(Token::RBracket),
            '=' => Some(Token::Op("=")),
            '+' => Some(Token::Op("+")),
            '-' => Some(Token::Op("-")),
            _ => None,
        };
        if let Some(token) = single {
            out.push(token);
            i += 1;
            spans.push(start..i);
            continue;
        }
        match c {
            ' ' | '\t' | '\n' | '\r' => i += 1,
            '#' | ':' => {
                let at = i;
                i += 1;
                let name = word(&mut i);
                if name.is_empty() {
                    return Err(syntax(&c.to_string(), at, spans.last().map(|s| s.start)));
                }
                out.push(if c == '#' {
                    Token::Alias(format!("#{name}"))
                } else {
                    Token::Placeholder(format!(":{name}"))
                });
            }
            '<' | '>' => {
                let op = match (c, chars.get(i + 1).copied()) {
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
                let at = i;
                // A number is 0 or does not begin with 0: `01` is two tokens, and a syntax error.
                let digits = if c == '0' {
                    i += 1;
                    "0".to_owned()
                } else {
                    word(&mut i)
                };
                let before = spans.last().map(|s| s.start);
                let n = digits.parse().map_err(|_| syntax(&digits, at, before))?;
                out.push(Token::Number(n));
            }
            // A name is an ASCII letter, then ASCII letters, digits and underscores: anything else
            // (`_a`, `é`) is a syntax error at that character, as DynamoDB answers.
            c if c.is_ascii_alphabetic() => out.push(Token::Name(word(&mut i))),
            other => {
                let before = spans.last().map(|s| s.start);
                return Err(syntax(&other.to_string(), i, before));
            }
        }
        if out.len() > spans.len() {
            spans.push(start..i);
        }
    }
    Ok((out, Source { spans, chars }))
}
