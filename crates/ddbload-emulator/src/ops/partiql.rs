//! PartiQL statements as ExecuteStatement takes them: the subset read here is SELECT (a projection
//! of document paths - `a`, `a.b`, `a.l[1]` - or *, FROM a table or "table"."index", WHERE
//! comparisons, IN [...], IS [NOT] MISSING and begins_with / contains / attribute_type(name, value)
//! joined by AND),
//! INSERT INTO ... VALUE {map}, UPDATE ... SET name = operand [+|- operand] [, ...] [REMOVE name, ...]
//! WHERE ... [RETURNING (ALL|MODIFIED) (NEW|OLD) *], and DELETE FROM ... WHERE ... [RETURNING ALL OLD
//! *]. Values are literals (strings, numbers, booleans, NULL, maps, lists, sets) or `?` parameters; a
//! SET operand is a value or an attribute's name. Anything else is not well formed, as DynamoDB
//! answers it.

use serde_json::{json, Map, Value};

use crate::error::ApiError;

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Word(String),
    /// A double-quoted identifier: never a keyword.
    Quoted(String),
    Text(String),
    Number(String),
    Symbol(&'static str),
    Parameter,
}

/// One step of a projected document path after its top-level name.
#[derive(Debug, Clone, PartialEq)]
pub enum Step {
    Name(String),
    Index(usize),
}

/// A projected document path: a top-level name and the steps into it.
pub type Path = (String, Vec<Step>);

/// One comparison of the WHERE clause: a top-level attribute, an operator (or `begins_with`) and its
/// values (two for BETWEEN).
#[derive(Debug, Clone, PartialEq)]
pub struct Term {
    pub attribute: String,
    pub operator: &'static str,
    pub values: Vec<Value>,
}

/// One side of a SET's value: an attribute of the item or a value.
#[derive(Debug, Clone, PartialEq)]
pub enum Operand {
    Name(String),
    Value(Value),
}

/// What a SET gives an attribute: an operand, or the sum or difference of two.
#[derive(Debug, Clone, PartialEq)]
pub enum SetValue {
    One(Operand),
    Arithmetic(Operand, &'static str, Operand),
}

#[derive(Debug, Clone, PartialEq)]
pub enum Statement {
    Select {
        table: String,
        index: Option<String>,
        /// None: every attribute (*).
        projection: Option<Vec<Path>>,
        terms: Vec<Term>,
    },
    Insert {
        table: String,
        item: Map<String, Value>,
    },
    Update {
        table: String,
        set: Vec<(String, SetValue)>,
        remove: Vec<String>,
        terms: Vec<Term>,
        /// The ReturnValues its RETURNING clause asks for.
        returning: Option<&'static str>,
    },
    Delete {
        table: String,
        terms: Vec<Term>,
        returning: Option<&'static str>,
    },
}

/// Reads `text`, binding each `?` to the next of `parameters` (AttributeValues).
pub fn parse(text: &str, parameters: &[Value]) -> Result<Statement, ApiError> {
    let malformed = || ApiError::statement_malformed(text);
    let tokens = lex(text).ok_or_else(malformed)?;
    let wanted = tokens.iter().filter(|t| **t == Token::Parameter).count();
    let mut parser = Parser {
        tokens,
        at: 0,
        parameters: parameters.iter(),
        fault: None,
    };
    let statement = parser
        .statement()
        .filter(|_| parser.at == parser.tokens.len());
    if let Some(fault) = parser.fault {
        return Err(fault);
    }
    let Some(statement) = statement else {
        // Valid PartiQL this reader does not take is refused as not supported, not called malformed.
        return Err(match unsupported_feature(&parser.tokens) {
            Some(feature) => {
                ApiError::unsupported(&format!("PartiQL's {feature} in ExecuteStatement"))
            }
            None => malformed(),
        });
    };
    if wanted != parameters.len() {
        return Err(ApiError::statement_parameters_mismatch());
    }
    Ok(statement)
}

fn lex(text: &str) -> Option<Vec<Token>> {
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

/// A PartiQL feature DynamoDB accepts that this reader does not: OR, IN, functions, nested paths...
fn unsupported_feature(tokens: &[Token]) -> Option<String> {
    const WORDS: [&str; 8] = [
        "OR", "NOT", "IN", "IS", "EXISTS", "MISSING", "LIKE", "ORDER",
    ];
    tokens.windows(2).find_map(|pair| match pair {
        [Token::Word(w), _] if WORDS.iter().any(|k| w.eq_ignore_ascii_case(k)) => {
            Some(w.to_uppercase())
        }
        [Token::Word(f), Token::Symbol("(")] => Some(format!("function {f}()")),
        [Token::Word(_) | Token::Quoted(_), Token::Symbol("[")] => {
            Some("list index in a path".into())
        }
        _ => None,
    })
}

struct Parser<'p> {
    tokens: Vec<Token>,
    at: usize,
    parameters: std::slice::Iter<'p, Value>,
    /// A fault with a message of its own (not "not well formed"), found while reading.
    fault: Option<ApiError>,
}

impl Parser<'_> {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.at)
    }

    fn next(&mut self) -> Option<Token> {
        let token = self.tokens.get(self.at).cloned();
        self.at += 1;
        token
    }

    fn keyword(&mut self, word: &str) -> bool {
        let found = matches!(self.peek(), Some(Token::Word(w)) if w.eq_ignore_ascii_case(word));
        if found {
            self.at += 1;
        }
        found
    }

    fn expect_keyword(&mut self, word: &str) -> Option<()> {
        self.keyword(word).then_some(())
    }

    fn symbol(&mut self, symbol: &str) -> bool {
        let found = matches!(self.peek(), Some(Token::Symbol(s)) if *s == symbol);
        if found {
            self.at += 1;
        }
        found
    }

    fn name(&mut self) -> Option<String> {
        match self.next()? {
            Token::Word(w) | Token::Quoted(w) => Some(w),
            _ => None,
        }
    }

    fn statement(&mut self) -> Option<Statement> {
        if self.keyword("SELECT") {
            let projection = if self.symbol("*") {
                None
            } else {
                let mut paths = vec![self.path()?];
                while self.symbol(",") {
                    paths.push(self.path()?);
                }
                Some(paths)
            };
            self.expect_keyword("FROM")?;
            let table = self.name()?;
            let index = if self.symbol(".") {
                Some(self.name()?)
            } else {
                None
            };
            let terms = self.optional_where()?;
            return Some(Statement::Select {
                table,
                index,
                projection,
                terms,
            });
        }
        if self.keyword("INSERT") {
            self.expect_keyword("INTO")?;
            let table = self.name()?;
            self.expect_keyword("VALUE")?;
            let Value::Object(item) = self.map()? else {
                return None;
            };
            return Some(Statement::Insert { table, item });
        }
        if self.keyword("UPDATE") {
            let table = self.name()?;
            let mut set = Vec::new();
            let mut remove = Vec::new();
            loop {
                if self.keyword("SET") {
                    loop {
                        let name = self.name()?;
                        self.symbol("=").then_some(())?;
                        set.push((name, self.set_value()?));
                        if !self.symbol(",") {
                            break;
                        }
                    }
                } else if self.keyword("REMOVE") {
                    remove.extend(self.names()?);
                } else {
                    break;
                }
            }
            if set.is_empty() && remove.is_empty() {
                return None;
            }
            let terms = self.required_where()?;
            let returning = self.returning()?.map(return_values);
            return Some(Statement::Update {
                table,
                set,
                remove,
                terms,
                returning,
            });
        }
        if self.keyword("DELETE") {
            self.expect_keyword("FROM")?;
            let table = self.name()?;
            let terms = self.required_where()?;
            let returning = self.returning()?;
            if let Some((which, age)) = returning.filter(|words| *words != ("ALL", "OLD")) {
                self.fault = Some(ApiError::delete_returning(&format!(
                    "RETURNING {which} {age} *"
                )));
                return None;
            }
            return Some(Statement::Delete {
                table,
                terms,
                returning: returning.map(return_values),
            });
        }
        None
    }

    /// An optional `RETURNING (ALL|MODIFIED) (NEW|OLD) *`, as its two words (the outer None: not
    /// well formed, or `fault` set).
    fn returning(&mut self) -> Option<Option<(&'static str, &'static str)>> {
        if !self.keyword("RETURNING") {
            return Some(None);
        }
        let which = if self.keyword("ALL") {
            "ALL"
        } else {
            self.expect_keyword("MODIFIED")?;
            "MODIFIED"
        };
        let age = if self.keyword("NEW") {
            "NEW"
        } else {
            self.expect_keyword("OLD")?;
            "OLD"
        };
        if !self.symbol("*") {
            if self.peek().is_some() {
                self.fault = Some(ApiError::returning_without_star());
            }
            return None;
        }
        Some(Some((which, age)))
    }

    /// A SET's value: an operand, or two joined by `+` or `-`.
    fn set_value(&mut self) -> Option<SetValue> {
        let first = self.operand()?;
        for operator in ["+", "-"] {
            if self.symbol(operator) {
                return Some(SetValue::Arithmetic(first, operator, self.operand()?));
            }
        }
        Some(SetValue::One(first))
    }

    /// An attribute's name (a word that is not a literal, or a quoted name) or a value.
    fn operand(&mut self) -> Option<Operand> {
        let literal = ["TRUE", "FALSE", "NULL"];
        match self.peek()? {
            Token::Quoted(_) => self.name().map(Operand::Name),
            Token::Word(w) if !literal.iter().any(|l| w.eq_ignore_ascii_case(l)) => {
                self.name().map(Operand::Name)
            }
            _ => self.value().map(Operand::Value),
        }
    }

    /// `name`, then `.name` and `[index]` steps.
    fn path(&mut self) -> Option<Path> {
        let name = self.name()?;
        let mut steps = Vec::new();
        loop {
            if self.symbol(".") {
                steps.push(Step::Name(self.name()?));
            } else if self.symbol("[") {
                let Token::Number(index) = self.next()? else {
                    return None;
                };
                steps.push(Step::Index(index.parse().ok()?));
                self.symbol("]").then_some(())?;
            } else {
                return Some((name, steps));
            }
        }
    }

    fn names(&mut self) -> Option<Vec<String>> {
        let mut names = vec![self.name()?];
        while self.symbol(",") {
            names.push(self.name()?);
        }
        Some(names)
    }

    fn optional_where(&mut self) -> Option<Vec<Term>> {
        if self.peek().is_none() {
            return Some(Vec::new());
        }
        self.required_where()
    }

    fn required_where(&mut self) -> Option<Vec<Term>> {
        self.expect_keyword("WHERE")?;
        let mut terms = vec![self.term()?];
        while self.keyword("AND") {
            terms.push(self.term()?);
        }
        Some(terms)
    }

    fn term(&mut self) -> Option<Term> {
        // The functions of two arguments, a name and a value, that a condition expression has too.
        let function = ["begins_with", "contains", "attribute_type"]
            .into_iter()
            .find(|f| matches!(self.peek(), Some(Token::Word(w)) if w.eq_ignore_ascii_case(f)));
        if let Some(function) = function {
            self.at += 1;
            self.symbol("(").then_some(())?;
            let attribute = self.name()?;
            self.symbol(",").then_some(())?;
            let value = self.value()?;
            self.symbol(")").then_some(())?;
            return Some(Term {
                attribute,
                operator: function,
                values: vec![value],
            });
        }
        let attribute = self.name()?;
        if self.keyword("IS") {
            let operator = if self.keyword("NOT") {
                "attribute_exists"
            } else {
                "attribute_not_exists"
            };
            self.expect_keyword("MISSING")?;
            return Some(Term {
                attribute,
                operator,
                values: Vec::new(),
            });
        }
        if self.keyword("IN") {
            let end = if self.symbol("[") {
                "]"
            } else {
                self.symbol("(").then_some(())?;
                ")"
            };
            let values = self.values_until(end)?;
            return (!values.is_empty()).then_some(Term {
                attribute,
                operator: "IN",
                values,
            });
        }
        if self.keyword("BETWEEN") {
            let low = self.value()?;
            self.expect_keyword("AND")?;
            let high = self.value()?;
            return Some(Term {
                attribute,
                operator: "BETWEEN",
                values: vec![low, high],
            });
        }
        let operator = match self.next()? {
            Token::Symbol(s @ ("=" | "<" | "<=" | ">" | ">=" | "<>")) => s,
            Token::Symbol("!=") => "<>",
            _ => return None,
        };
        Some(Term {
            attribute,
            operator,
            values: vec![self.value()?],
        })
    }

    /// A value as DynamoDB JSON.
    fn value(&mut self) -> Option<Value> {
        match self.peek()? {
            Token::Symbol("{") => return self.map().map(|members| json!({ "M": members })),
            Token::Symbol("[") => {
                self.at += 1;
                let values = self.values_until("]")?;
                return Some(json!({ "L": values }));
            }
            Token::Symbol("<<") => {
                self.at += 1;
                return set_of(self.values_until(">>")?);
            }
            _ => {}
        }
        match self.next()? {
            Token::Parameter => self.parameters.next().cloned().or(Some(Value::Null)),
            Token::Text(text) => Some(json!({ "S": text })),
            Token::Number(number) => Some(json!({ "N": number })),
            Token::Word(w) if w.eq_ignore_ascii_case("TRUE") => Some(json!({"BOOL": true})),
            Token::Word(w) if w.eq_ignore_ascii_case("FALSE") => Some(json!({"BOOL": false})),
            Token::Word(w) if w.eq_ignore_ascii_case("NULL") => Some(json!({"NULL": true})),
            _ => None,
        }
    }

    fn values_until(&mut self, end: &str) -> Option<Vec<Value>> {
        let mut values = Vec::new();
        if self.symbol(end) {
            return Some(values);
        }
        loop {
            values.push(self.value()?);
            if self.symbol(end) {
                return Some(values);
            }
            self.symbol(",").then_some(())?;
        }
    }

    /// `{'name': value, ...}` as a DynamoDB JSON map's members (an item for INSERT, {"M": ..} as a value).
    fn map(&mut self) -> Option<Value> {
        self.symbol("{").then_some(())?;
        let mut members = Map::new();
        if !self.symbol("}") {
            loop {
                let Some(Token::Text(name)) = self.next() else {
                    return None;
                };
                self.symbol(":").then_some(())?;
                members.insert(name, self.value()?);
                if self.symbol("}") {
                    break;
                }
                self.symbol(",").then_some(())?;
            }
        }
        Some(Value::Object(members))
    }
}

/// `<<...>>`: a string, number or binary set (every member of one type).
/// The ReturnValues a RETURNING clause's two words ask for.
fn return_values(words: (&'static str, &'static str)) -> &'static str {
    match words {
        ("ALL", "NEW") => "ALL_NEW",
        ("ALL", _) => "ALL_OLD",
        (_, "NEW") => "UPDATED_NEW",
        _ => "UPDATED_OLD",
    }
}

fn set_of(values: Vec<Value>) -> Option<Value> {
    let kind = values.first()?.as_object()?.keys().next()?.clone();
    let members: Option<Vec<Value>> = values
        .iter()
        .map(|v| v.as_object().filter(|o| o.len() == 1)?.get(&kind).cloned())
        .collect();
    let set = match kind.as_str() {
        "S" => "SS",
        "N" => "NS",
        "B" => "BS",
        _ => return None,
    };
    let mut typed = Map::new();
    typed.insert(set.to_owned(), Value::Array(members?));
    Some(Value::Object(typed))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_select_reads_its_table_index_projection_and_terms() {
        let statement = parse(
            r#"select a, "b" FROM "Orders"."by_status" WHERE status = ? AND total BETWEEN 1 and 2.5"#,
            &[json!({"S": "PAID"})],
        )
        .unwrap();
        assert_eq!(
            statement,
            Statement::Select {
                table: "Orders".into(),
                index: Some("by_status".into()),
                projection: Some(vec![("a".into(), vec![]), ("b".into(), vec![])]),
                terms: vec![
                    Term {
                        attribute: "status".into(),
                        operator: "=",
                        values: vec![json!({"S": "PAID"})]
                    },
                    Term {
                        attribute: "total".into(),
                        operator: "BETWEEN",
                        values: vec![json!({"N": "1"}), json!({"N": "2.5"})]
                    },
                ],
            }
        );
    }

    #[test]
    fn an_insert_reads_nested_values_and_sets() {
        let Statement::Insert { item, .. } = parse(
            "INSERT INTO t VALUE {'pk': 'it''s', 'n': -1e3, 'm': {'l': [TRUE, NULL]}, 's': <<'a','b'>>}",
            &[],
        )
        .unwrap() else {
            panic!("an insert");
        };
        assert_eq!(item["pk"], json!({"S": "it's"}));
        assert_eq!(item["n"], json!({"N": "-1e3"}));
        assert_eq!(
            item["m"],
            json!({"M": {"l": {"L": [{"BOOL": true}, {"NULL": true}]}}})
        );
        assert_eq!(item["s"], json!({"SS": ["a", "b"]}));
    }

    #[test]
    fn malformed_statements_and_parameter_counts_are_refused() {
        for text in [
            "SELEC * FROM t",
            "SELECT * FROM t WHERE a = 1 AND",
            "UPDATE t WHERE a = 1",
            "DELETE FROM t",
            "SELECT * FROM t extra",
        ] {
            let refused = parse(text, &[]).unwrap_err().to_json().to_string();
            assert!(
                refused.contains("Statement wasn't well formed"),
                "{text}: {refused}"
            );
        }
        let refused = parse("SELECT * FROM t WHERE a = ?", &[]).unwrap_err();
        assert!(refused
            .to_json()
            .to_string()
            .contains("Number of parameters"));
        let refused = parse("SELECT * FROM t WHERE a = 1 OR b = 2", &[]).unwrap_err();
        let text = refused.to_json().to_string();
        assert!(text.contains("does not support PartiQL's OR"), "{text}");
    }
}
