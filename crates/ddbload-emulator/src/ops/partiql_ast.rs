//! A PartiQL statement as `partiql` reads it: SELECT, INSERT, UPDATE, DELETE and EXISTS, their
//! WHERE as a condition tree, their SET values and paths.

use serde_json::{Map, Value};

/// One step of a document path after its top-level name.
#[derive(Debug, Clone, PartialEq)]
pub enum Step {
    Name(String),
    Index(usize),
}

/// A document path: a top-level name and the steps into it.
pub type Path = (String, Vec<Step>);

/// What a condition compares or a SET assigns: an item's document path, a value, or `size(path)`.
#[derive(Debug, Clone, PartialEq)]
pub enum Operand {
    Path(Path),
    Value(Value),
    Size(Path),
}

/// A WHERE clause, as DynamoDB's condition expressions can say it.
#[derive(Debug, Clone, PartialEq)]
pub enum Condition {
    /// Conditions joined by AND.
    All(Vec<Condition>),
    /// Conditions joined by OR.
    Any(Vec<Condition>),
    Not(Box<Condition>),
    /// `=`, `<>`, `<`, `<=`, `>` or `>=`; a value compared with a path is turned around so the
    /// path comes first.
    Compare(Operand, &'static str, Operand),
    Between(Operand, Operand, Operand),
    In(Operand, Vec<Value>),
    /// `begins_with`, `contains` or `attribute_type` of a path and a value; `attribute_exists` or
    /// `attribute_not_exists` (IS [NOT] MISSING) of a path alone.
    Function(&'static str, Path, Option<Value>),
}

impl Condition {
    /// The conditions a top-level AND joins (the condition alone when it is not an AND).
    pub fn conjuncts(self) -> Vec<Condition> {
        match self {
            Condition::All(all) => all,
            other => vec![other],
        }
    }

    /// The value a top-level attribute `name` must equal under this condition, if it says so.
    pub fn equality_on(&self, name: &str) -> Option<&Value> {
        match self {
            Condition::Compare(Operand::Path((path, steps)), "=", Operand::Value(value))
                if path == name && steps.is_empty() =>
            {
                Some(value)
            }
            _ => None,
        }
    }

    /// The values a top-level attribute `name` may take under this condition, when it lists them:
    /// `name IN [...]`, or equalities joined by OR.
    pub fn values_of(&self, name: &str) -> Option<Vec<Value>> {
        match self {
            Condition::In(Operand::Path((path, steps)), values)
                if path == name && steps.is_empty() =>
            {
                Some(values.clone())
            }
            Condition::Any(any) => any.iter().map(|c| c.equality_on(name).cloned()).collect(),
            _ => None,
        }
    }

    /// Whether this condition is one a key condition can say of the sort key `name`.
    pub fn is_sort_key_condition(&self, name: &str) -> bool {
        let on_name = |operand: &Operand| matches!(operand, Operand::Path((path, steps)) if path == name && steps.is_empty());
        let is_value = |operand: &Operand| matches!(operand, Operand::Value(_));
        match self {
            Condition::Compare(left, operator, right) => {
                on_name(left) && is_value(right) && *operator != "<>"
            }
            Condition::Between(operand, low, high) => {
                on_name(operand) && is_value(low) && is_value(high)
            }
            Condition::Function("begins_with", (path, steps), _) => {
                path == name && steps.is_empty()
            }
            _ => false,
        }
    }
}

/// What a SET gives a path.
#[derive(Debug, Clone, PartialEq)]
pub enum SetValue {
    One(Operand),
    /// The sum or difference of two operands.
    Arithmetic(Operand, &'static str, Operand),
    /// `list_append(first, second)`.
    ListAppend(Operand, Operand),
    /// `set_add(path, set)` or `set_delete(path, set)` of the path assigned: DynamoDB's ADD or
    /// DELETE of the set's members.
    SetMembers(&'static str, Value),
}

/// How ORDER BY asks for one key attribute: its name and whether descending.
pub type OrderKey = (String, bool);

#[derive(Debug, Clone, PartialEq)]
pub enum Statement {
    Select {
        table: String,
        index: Option<String>,
        /// None: every attribute (*).
        projection: Option<Vec<Path>>,
        /// The WHERE clause's top-level conjuncts (none without a WHERE).
        terms: Vec<Condition>,
        /// None: no ORDER BY; Some(keys): its keys, in order.
        order: Option<Vec<OrderKey>>,
    },
    Insert {
        table: String,
        item: Map<String, Value>,
    },
    Update {
        table: String,
        set: Vec<(Path, SetValue)>,
        remove: Vec<Path>,
        terms: Vec<Condition>,
        /// The ReturnValues its RETURNING clause asks for.
        returning: Option<&'static str>,
    },
    Delete {
        table: String,
        terms: Vec<Condition>,
        returning: Option<&'static str>,
    },
    /// `EXISTS(SELECT * FROM table WHERE ...)`: a transaction's condition check of one item
    /// (`negated`: NOT EXISTS).
    Exists {
        table: String,
        terms: Vec<Condition>,
        negated: bool,
    },
}
