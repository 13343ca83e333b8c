//! ProjectionExpression (and AttributesToGet, UPDATED_* return values): the item reduced to the
//! requested document paths, nested maps and list elements included, as DynamoDB returns them.

use std::collections::BTreeMap;

use super::ast::{Path, PathPart};
use super::parser::show_path;
use crate::error::{ApiError, ExprKind};
use crate::value::{Av, Item};

/// The requested paths as a tree; a leaf takes the whole value there.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Projection {
    whole: bool,
    attrs: BTreeMap<String, Projection>,
    indexes: BTreeMap<usize, Projection>,
}

impl Projection {
    /// The top-level attributes the projection reads (`a.b[1]` reads `a`).
    pub fn top_level_names(&self) -> impl Iterator<Item = &str> {
        self.attrs.keys().map(String::as_str)
    }

    /// A projection of `paths`; overlapping paths (`a, a.b`) are DynamoDB's validation error unless
    /// `tolerate_overlap` (the paths an update touched may overlap: the wider one wins).
    pub fn new(paths: &[Path], tolerate_overlap: bool) -> Result<Projection, ApiError> {
        let mut root = Projection::default();
        for (n, path) in paths.iter().enumerate() {
            let mut node = &mut root;
            let mut overlap = false;
            for part in path {
                if node.whole {
                    overlap = true;
                    break;
                }
                node = match part {
                    PathPart::Attr(name) => node.attrs.entry(name.clone()).or_default(),
                    PathPart::Index(i) => node.indexes.entry(*i).or_default(),
                };
            }
            overlap |= node.whole || !node.attrs.is_empty() || !node.indexes.is_empty();
            if overlap && !tolerate_overlap {
                let other = paths[..n]
                    .iter()
                    .find(|p| p.starts_with(path) || path.starts_with(p))
                    .unwrap_or(path);
                return Err(ApiError::expression_invalid(
                    ExprKind::Projection,
                    format_args!(
                        "Two document paths overlap with each other; must remove or rewrite one of these \
                         paths; path one: {}, path two: {}",
                        show_path(other),
                        show_path(path)
                    ),
                ));
            }
            if !node.whole {
                node.whole = true;
                node.attrs.clear();
                node.indexes.clear();
            }
        }
        Ok(root)
    }

    /// The attributes a projected path reads into (`a.b`, `a[0]`).
    pub fn nested_path_heads(&self) -> Vec<&str> {
        self.attrs
            .iter()
            .filter(|(_, p)| !p.whole)
            .map(|(name, _)| name.as_str())
            .collect()
    }

    fn apply(&self, value: &Av) -> Option<Av> {
        if self.whole {
            return Some(value.clone());
        }
        match value {
            Av::M(map) if !self.attrs.is_empty() => {
                let out: BTreeMap<String, Av> = self
                    .attrs
                    .iter()
                    .filter_map(|(k, p)| Some((k.clone(), p.apply(map.get(k)?)?)))
                    .collect();
                (!out.is_empty()).then_some(Av::M(out))
            }
            Av::L(list) if !self.indexes.is_empty() => {
                let out: Vec<Av> = self
                    .indexes
                    .iter()
                    .filter_map(|(i, p)| p.apply(list.get(*i)?))
                    .collect();
                (!out.is_empty()).then_some(Av::L(out))
            }
            _ => None,
        }
    }
}

/// The item with only the projected paths; missing paths are left out.
pub fn project(item: &Item, projection: &Projection) -> Item {
    projection
        .attrs
        .iter()
        .filter_map(|(name, p)| Some((name.clone(), p.apply(item.get(name)?)?)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::super::{parse_projection, Bindings};
    use super::*;
    use crate::value::item_from_json;
    use serde_json::json;

    fn projected(text: &str) -> Result<serde_json::Value, ApiError> {
        let item = item_from_json(&json!({
            "a": {"N": "1"}, "b": {"M": {"c": {"N": "2"}, "d": {"N": "3"}}},
            "l": {"L": [{"N": "1"}, {"N": "2"}, {"N": "3"}]}
        }))
        .unwrap();
        let paths = parse_projection(text, &Bindings::default())?;
        Ok(crate::value::item_to_json(&project(
            &item,
            &Projection::new(&paths, false)?,
        )))
    }

    #[test]
    fn nested_paths_project_the_document_like_dynamodb() {
        assert_eq!(
            projected("b.c, l[2], l[0]").unwrap(),
            json!({"l": {"L": [{"N": "1"}, {"N": "3"}]}, "b": {"M": {"c": {"N": "2"}}}})
        );
        assert_eq!(
            projected("l[5], b.zz, a").unwrap(),
            json!({"a": {"N": "1"}})
        );
        let overlap = projected("b, b.c").unwrap_err().message;
        assert!(
            overlap.ends_with("path one: [b], path two: [b, c]"),
            "{overlap}"
        );
        assert!(projected("a, a").is_err());
    }
}
