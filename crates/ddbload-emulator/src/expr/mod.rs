//! DynamoDB expressions, one phase per module: the lexer, the parser (with DynamoDB's limits: 4 KB,
//! 300 operators, no redundant parentheses, bounded nesting), evaluation of conditions, update actions
//! and projections, and the ExpressionAttributeNames/Values bindings they use.

mod ast;
mod bindings;
mod eval;
pub mod legacy;
mod lexer;
mod parser;
mod projection;
mod reserved;
mod update;

pub use ast::{Action, Cond, Operand, Path, PathPart};
pub use bindings::Bindings;
pub use eval::{evaluate, resolve};
pub use parser::{
    parse_condition, parse_projection, parse_update, MAX_EXPRESSION_BYTES, MAX_OPERATORS,
};
pub use projection::{project, Projection};
pub use update::{apply_update, updated_paths};
