//! PartiQL's tokens as ExecuteStatement's statements are read: words, double-quoted names, string
//! and number literals, symbols and `?` parameters.

/// One token of a PartiQL statement.
#[derive(Debug, Clone, PartialEq)]
pub enum Token {
    Word(String),
    /// A double-quoted identifier: never a keyword.
    Quoted(String),
    Text(String),
    Number(String),
    Symbol(&'static str),
    Parameter,
}

/// The statement's tokens; None when a quote is left open or a character belongs to no token.
pub fn lex(text: &str) -> Option<Vec<Token>> {
    let chars: Vec<char> = text.chars().collect();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        if c.is_ascii_alphabetic() || c == '_' {
            let start = i;
            while i < chars.len() && (chars[i].is_ascii_alphanumeric() || chars[i] == '_') {
                i += 1;
            }
            tokens.push(Token::Word(chars[start..i].iter().collect()));
            continue;
        }
        if c.is_ascii_digit() || (c == '-' && chars.get(i + 1).is_some_and(char::is_ascii_digit)) {
            let start = i;
            i += 1;
            while i < chars.len()
                && (chars[i].is_ascii_digit()
                    || chars[i] == '.'
                    || matches!(chars[i], 'e' | 'E')
                    || (matches!(chars[i], '+' | '-') && matches!(chars[i - 1], 'e' | 'E')))
            {
                i += 1;
            }
            tokens.push(Token::Number(chars[start..i].iter().collect()));
            continue;
        }
        if c == '\'' || c == '"' {
            let mut text = String::new();
            i += 1;
            loop {
                let next = *chars.get(i)?;
                if next == c {
                    if chars.get(i + 1) == Some(&c) {
                        text.push(c);
                        i += 2;
                        continue;
                    }
                    i += 1;
                    break;
                }
                text.push(next);
                i += 1;
            }
            tokens.push(if c == '\'' {
                Token::Text(text)
            } else {
                Token::Quoted(text)
            });
            continue;
        }
        let two: String = chars[i..(i + 2).min(chars.len())].iter().collect();
        let symbol = ["<<", ">>", "<=", ">=", "<>", "!="]
            .into_iter()
            .find(|s| *s == two)
            .or_else(|| {
                [
                    "*", ",", ".", "=", "<", ">", "{", "}", "[", "]", ":", "(", ")", "?", "+", "-",
                ]
                .into_iter()
                .find(|s| s.starts_with(c))
            })?;
        i += symbol.len();
        tokens.push(if symbol == "?" {
            Token::Parameter
        } else {
            Token::Symbol(symbol)
        });
    }
    Some(tokens)
}
