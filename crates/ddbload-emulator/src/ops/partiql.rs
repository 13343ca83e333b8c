//! PartiQL statements as ExecuteStatement takes them: SELECT (a projection of document paths -
//! `a`, `a.b`, `a.l[1]` - or *, FROM a table or "table"."index", an optional WHERE and ORDER BY of
//! key attributes), INSERT INTO ... VALUE {map}, UPDATE ... SET path = value [, ...] [REMOVE path,
//! ...] WHERE ... [RETURNING (ALL|MODIFIED) (NEW|OLD) *], DELETE FROM ... WHERE ... [RETURNING ALL
//! OLD *], and EXISTS(SELECT ...) as a transaction's condition check. A WHERE is comparisons of
//! operands (parenthesised or not), [NOT] BETWEEN, [NOT] IN [...], IS [NOT] MISSING, IS [NOT] NULL,
//! begins_with / contains / attribute_type and size(path), joined by AND, OR, NOT and parentheses.
//! A SET's value is a path, a value, their sum or difference, list_append, set_add or set_delete.
//! Values are literals (strings, numbers, booleans, NULL, maps, lists, sets) or `?` parameters.
//! What DynamoDB refuses (LIKE, unknown functions, DISTINCT...) is refused in its words; anything
//! else is not well formed, as DynamoDB answers it.

use serde_json::{json, Map, Value};

use super::partiql_ast::{Condition, Operand, OrderKey, Path, SetValue, Statement, Step};
use super::partiql_lexer::{lex, Token};
use crate::error::ApiError;

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
        // PartiQL that DynamoDB reads but does not carry out is refused in its own words.
        return Err(dynamodb_refusal(&parser.tokens).unwrap_or_else(malformed));
    };
    if wanted != parameters.len() {
        return Err(ApiError::statement_parameters_mismatch());
    }
    Ok(statement)
}

/// PartiQL DynamoDB reads but refuses to carry out - LIKE, DISTINCT, several tables, INSERT ...
/// SELECT, a function it does not have - with DynamoDB's (DynamoDB Local's) words for it.
fn dynamodb_refusal(tokens: &[Token]) -> Option<ApiError> {
    // Words a `(` may follow that are not functions, and the functions PartiQL for DynamoDB has
    // (used where they do not belong, the statement is not well formed).
    const NOT_FUNCTIONS: [&str; 8] = [
        "AND", "OR", "NOT", "IN", "WHERE", "BETWEEN", "VALUE", "INTO",
    ];
    const FUNCTIONS: [&str; 8] = [
        "EXISTS",
        "BEGINS_WITH",
        "CONTAINS",
        "ATTRIBUTE_TYPE",
        "SIZE",
        "SET_ADD",
        "SET_DELETE",
        "LIST_APPEND",
    ];
    let is =
        |token: &Token, word: &str| matches!(token, Token::Word(w) if w.eq_ignore_ascii_case(word));
    if tokens.len() > 1 && is(&tokens[0], "SELECT") && is(&tokens[1], "DISTINCT") {
        return Some(ApiError::partiql_unsupported_token("DISTINCT"));
    }
    if tokens.len() > 3 && is(&tokens[0], "INSERT") && tokens.iter().any(|t| is(t, "SELECT")) {
        return Some(ApiError::partiql_unsupported_operation("InsertOp"));
    }
    if tokens.iter().any(|t| is(t, "LIKE")) {
        return Some(ApiError::partiql_unsupported_operator("like"));
    }
    tokens.windows(3).find_map(|window| match window {
        [from, Token::Word(_) | Token::Quoted(_), Token::Symbol(",")] if is(from, "FROM") => {
            Some(ApiError::partiql_single_table_only())
        }
        [Token::Word(f), Token::Symbol("("), _]
            if !NOT_FUNCTIONS
                .iter()
                .chain(&FUNCTIONS)
                .any(|k| f.eq_ignore_ascii_case(k)) =>
        {
            Some(ApiError::partiql_unrecognized_function(f))
        }
        _ => None,
    })
}

/// `<`, `<=`, `>` or `>=` as it reads with its operands swapped.
fn turned_around(operator: &'static str) -> &'static str {
    match operator {
        "<" => ">",
        "<=" => ">=",
        ">" => "<",
        ">=" => "<=",
        same => same,
    }
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

    fn expect_symbol(&mut self, symbol: &str) -> Option<()> {
        self.symbol(symbol).then_some(())
    }

    fn name(&mut self) -> Option<String> {
        match self.next()? {
            Token::Word(w) | Token::Quoted(w) => Some(w),
            _ => None,
        }
    }

    /// Whether the `(` at the current token opens an operand (`(a) = 1`, `(a) IS MISSING`) rather
    /// than a condition: what follows its matching `)` goes on from an operand.
    fn parenthesis_opens_operand(&self) -> bool {
        if !matches!(self.peek(), Some(Token::Symbol("("))) {
            return false;
        }
        let mut depth = 0usize;
        for (at, token) in self.tokens.iter().enumerate().skip(self.at) {
            match token {
                Token::Symbol("(") => depth += 1,
                Token::Symbol(")") => {
                    depth -= 1;
                    if depth == 0 {
                        return match self.tokens.get(at + 1) {
                            Some(Token::Symbol(s)) => {
                                matches!(*s, "=" | "<>" | "!=" | "<" | "<=" | ">" | ">=")
                            }
                            Some(Token::Word(w)) => ["IS", "IN", "BETWEEN", "NOT"]
                                .iter()
                                .any(|k| w.eq_ignore_ascii_case(k)),
                            _ => false,
                        };
                    }
                }
                _ => {}
            }
        }
        false
    }

    /// Whether the next token is the word `word` and the one after it `(`: a function call.
    fn at_function(&self, word: &str) -> bool {
        matches!(self.peek(), Some(Token::Word(w)) if w.eq_ignore_ascii_case(word))
            && matches!(self.tokens.get(self.at + 1), Some(Token::Symbol("(")))
    }

    fn statement(&mut self) -> Option<Statement> {
        let negated = matches!(self.peek(), Some(Token::Word(w)) if w.eq_ignore_ascii_case("NOT"))
            && matches!(self.tokens.get(self.at + 1), Some(Token::Word(w)) if w.eq_ignore_ascii_case("EXISTS"));
        if negated {
            self.at += 1;
        }
        if self.at_function("EXISTS") {
            self.at += 2;
            let Statement::Select { table, terms, .. } = self.statement()? else {
                return None;
            };
            self.expect_symbol(")")?;
            return Some(Statement::Exists {
                table,
                terms,
                negated,
            });
        }
        if negated {
            return None;
        }
        if self.keyword("SELECT") {
            let projection = if self.symbol("*") {
                None
            } else {
                Some(self.paths()?)
            };
            self.expect_keyword("FROM")?;
            let table = self.name()?;
            let index = if self.symbol(".") {
                Some(self.name()?)
            } else {
                None
            };
            let terms = if self.keyword("WHERE") {
                self.condition()?.conjuncts()
            } else {
                Vec::new()
            };
            let order = self.order_by()?;
            return Some(Statement::Select {
                table,
                index,
                projection,
                terms,
                order,
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
                        let target = self.path()?;
                        self.expect_symbol("=")?;
                        let value = self.set_value(&target)?;
                        set.push((target, value));
                        if !self.symbol(",") {
                            break;
                        }
                    }
                } else if self.keyword("REMOVE") {
                    remove.extend(self.paths()?);
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

    /// An optional `ORDER BY name [ASC|DESC], ...` (the outer None: not well formed).
    fn order_by(&mut self) -> Option<Option<Vec<OrderKey>>> {
        if !self.keyword("ORDER") {
            return Some(None);
        }
        self.expect_keyword("BY")?;
        let mut keys = Vec::new();
        loop {
            let name = self.name()?;
            let descending = if self.keyword("DESC") {
                true
            } else {
                self.keyword("ASC");
                false
            };
            keys.push((name, descending));
            if !self.symbol(",") {
                return Some(Some(keys));
            }
        }
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

    /// A SET's value for `target`: an operand, two joined by `+` or `-`, `list_append(a, b)`, or
    /// `set_add` / `set_delete` of `target` itself and a set.
    fn set_value(&mut self, target: &Path) -> Option<SetValue> {
        for (function, action) in [("set_add", "ADD"), ("set_delete", "DELETE")] {
            if self.at_function(function) {
                self.at += 2;
                let first = self.path()?;
                self.expect_symbol(",")?;
                let members = self.value()?;
                self.expect_symbol(")")?;
                if first != *target {
                    self.fault = Some(ApiError::statement_set_function_target(function));
                    return None;
                }
                return Some(SetValue::SetMembers(action, members));
            }
        }
        if self.at_function("list_append") {
            self.at += 2;
            let first = self.operand()?;
            self.expect_symbol(",")?;
            let second = self.operand()?;
            self.expect_symbol(")")?;
            return Some(SetValue::ListAppend(first, second));
        }
        let first = self.operand()?;
        for operator in ["+", "-"] {
            if self.symbol(operator) {
                return Some(SetValue::Arithmetic(first, operator, self.operand()?));
            }
        }
        Some(SetValue::One(first))
    }

    /// A document path (a word that is not a literal, or a quoted name, and its steps),
    /// `size(path)`, or a value.
    fn operand(&mut self) -> Option<Operand> {
        if self.symbol("(") {
            let inner = self.operand()?;
            self.expect_symbol(")")?;
            return Some(inner);
        }
        if self.at_function("size") {
            self.at += 2;
            let path = self.path()?;
            self.expect_symbol(")")?;
            return Some(Operand::Size(path));
        }
        if matches!(self.peek(), Some(Token::Word(w)) if w.eq_ignore_ascii_case("MISSING")) {
            self.fault = Some(ApiError::missing_as_value());
            return None;
        }
        let literal = ["TRUE", "FALSE", "NULL"];
        match self.peek()? {
            Token::Quoted(_) => self.path().map(Operand::Path),
            Token::Word(w) if !literal.iter().any(|l| w.eq_ignore_ascii_case(l)) => {
                self.path().map(Operand::Path)
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
                self.expect_symbol("]")?;
            } else {
                return Some((name, steps));
            }
        }
    }

    fn paths(&mut self) -> Option<Vec<Path>> {
        let mut paths = vec![self.path()?];
        while self.symbol(",") {
            paths.push(self.path()?);
        }
        Some(paths)
    }

    fn required_where(&mut self) -> Option<Vec<Condition>> {
        if self.peek().is_none() {
            // No WHERE at all: no key to write, in DynamoDB's words.
            self.fault = Some(ApiError::statement_needs_whole_key());
            return None;
        }
        self.expect_keyword("WHERE")?;
        Some(self.condition()?.conjuncts())
    }

    /// Conditions joined by OR, each of conditions joined by AND (AND binds tighter).
    fn condition(&mut self) -> Option<Condition> {
        let mut any = vec![self.conjunction()?];
        while self.keyword("OR") {
            any.push(self.conjunction()?);
        }
        Some(if any.len() == 1 {
            any.remove(0)
        } else {
            Condition::Any(any)
        })
    }

    fn conjunction(&mut self) -> Option<Condition> {
        let mut all = vec![self.negation()?];
        while self.keyword("AND") {
            all.push(self.negation()?);
        }
        Some(if all.len() == 1 {
            all.remove(0)
        } else {
            Condition::All(all)
        })
    }

    fn negation(&mut self) -> Option<Condition> {
        if self.keyword("NOT") {
            return Some(Condition::Not(Box::new(self.negation()?)));
        }
        if self.parenthesis_opens_operand() {
            return self.comparison();
        }
        if self.symbol("(") {
            let inner = self.condition()?;
            self.expect_symbol(")")?;
            return Some(inner);
        }
        self.comparison()
    }

    fn comparison(&mut self) -> Option<Condition> {
        // The functions of a path and a value that a condition expression has too.
        for function in ["begins_with", "contains", "attribute_type"] {
            if self.at_function(function) {
                self.at += 2;
                let path = self.path()?;
                self.expect_symbol(",")?;
                let value = self.value()?;
                self.expect_symbol(")")?;
                return Some(Condition::Function(function, path, Some(value)));
            }
        }
        let left = self.operand()?;
        if self.keyword("IS") {
            let Operand::Path(path) = left else {
                return None;
            };
            let negated = self.keyword("NOT");
            let condition = if self.keyword("MISSING") {
                let function = if negated {
                    "attribute_exists"
                } else {
                    "attribute_not_exists"
                };
                return Some(Condition::Function(function, path, None));
            } else {
                self.expect_keyword("NULL")?;
                // DynamoDB reads IS NULL as a NULL value there: a missing attribute IS NOT NULL.
                Condition::Function("attribute_type", path, Some(json!({"S": "NULL"})))
            };
            return Some(if negated {
                Condition::Not(Box::new(condition))
            } else {
                condition
            });
        }
        // `NOT IN` and `NOT BETWEEN`: the negation of the comparison.
        let negated = matches!(self.peek(), Some(Token::Word(w)) if w.eq_ignore_ascii_case("NOT"))
            && matches!(self.tokens.get(self.at + 1), Some(Token::Word(w)) if w.eq_ignore_ascii_case("IN") || w.eq_ignore_ascii_case("BETWEEN"));
        if negated {
            self.at += 1;
            let inner = self.comparison_after(left)?;
            return Some(Condition::Not(Box::new(inner)));
        }
        self.comparison_after(left)
    }

    /// What follows a comparison's first operand: IN, BETWEEN or a comparator and its operand.
    fn comparison_after(&mut self, left: Operand) -> Option<Condition> {
        if self.keyword("IN") {
            let end = if self.symbol("[") {
                "]"
            } else {
                self.expect_symbol("(")?;
                ")"
            };
            let values = self.values_until(end)?;
            return (!values.is_empty()).then_some(Condition::In(left, values));
        }
        if self.keyword("BETWEEN") {
            let low = self.operand()?;
            self.expect_keyword("AND")?;
            let high = self.operand()?;
            return Some(Condition::Between(left, low, high));
        }
        let operator = match self.next()? {
            Token::Symbol(s @ ("=" | "<" | "<=" | ">" | ">=" | "<>")) => s,
            Token::Symbol("!=") => "<>",
            _ => return None,
        };
        let right = self.operand()?;
        Some(match (left, right) {
            (value @ Operand::Value(_), path @ (Operand::Path(_) | Operand::Size(_))) => {
                Condition::Compare(path, turned_around(operator), value)
            }
            (left, right) => Condition::Compare(left, operator, right),
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

/// The ReturnValues a RETURNING clause's two words ask for.
fn return_values(words: (&'static str, &'static str)) -> &'static str {
    match words {
        ("ALL", "NEW") => "ALL_NEW",
        ("ALL", _) => "ALL_OLD",
        (_, "NEW") => "UPDATED_NEW",
        _ => "UPDATED_OLD",
    }
}

/// `<<...>>`: a string, number or binary set (every member of one type).
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

    fn path(name: &str) -> Operand {
        Operand::Path((name.into(), vec![]))
    }

    #[test]
    fn a_select_reads_its_table_index_projection_terms_and_order() {
        let statement = parse(
            r#"select a, "b" FROM "Orders"."by_status" WHERE status = ? AND total BETWEEN 1 and 2.5 ORDER BY total DESC"#,
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
                    Condition::Compare(path("status"), "=", Operand::Value(json!({"S": "PAID"}))),
                    Condition::Between(
                        path("total"),
                        Operand::Value(json!({"N": "1"})),
                        Operand::Value(json!({"N": "2.5"}))
                    ),
                ],
                order: Some(vec![("total".into(), true)]),
            }
        );
    }

    #[test]
    fn and_binds_tighter_than_or_and_a_value_first_is_turned_around() {
        let Statement::Select { terms, .. } = parse(
            "SELECT * FROM t WHERE 3 < a OR NOT (b.c[1] IS NULL) AND size(d) >= 2",
            &[],
        )
        .unwrap() else {
            panic!("a select");
        };
        let b_c_1 = ("b".into(), vec![Step::Name("c".into()), Step::Index(1)]);
        assert_eq!(
            terms,
            vec![Condition::Any(vec![
                Condition::Compare(path("a"), ">", Operand::Value(json!({"N": "3"}))),
                Condition::All(vec![
                    Condition::Not(Box::new(Condition::Function(
                        "attribute_type",
                        b_c_1,
                        Some(json!({"S": "NULL"}))
                    ))),
                    Condition::Compare(
                        Operand::Size(("d".into(), vec![])),
                        ">=",
                        Operand::Value(json!({"N": "2"}))
                    ),
                ]),
            ])]
        );
    }

    #[test]
    fn set_add_must_name_the_path_it_assigns() {
        let Statement::Update { set, .. } =
            parse("UPDATE t SET s = set_add(s, <<1>>) WHERE k = 1", &[]).unwrap()
        else {
            panic!("an update");
        };
        assert_eq!(
            set,
            vec![(
                ("s".into(), vec![]),
                SetValue::SetMembers("ADD", json!({"NS": ["1"]}))
            )]
        );
        let refused = parse("UPDATE t SET s = set_delete(x, <<1>>) WHERE k = 1", &[])
            .unwrap_err()
            .to_json()
            .to_string();
        assert!(
            refused.contains("The first argument to SET_DELETE must equal the assignment value"),
            "{refused}"
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
        let refused = parse("DELETE FROM t", &[])
            .unwrap_err()
            .to_json()
            .to_string();
        assert!(
            refused.contains("mandatory equality on all key attributes"),
            "{refused}"
        );
        let refused = parse("SELECT * FROM t WHERE a LIKE 'x%'", &[]).unwrap_err();
        let text = refused.to_json().to_string();
        assert!(text.contains("Operator: like"), "{text}");
    }
}
