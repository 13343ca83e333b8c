//! DynamoDB's reserved words (the developer guide's "Reserved words in DynamoDB", 573 of them, kept
//! in `reserved_words.txt` in sorted order): none may name an attribute in an expression as written;
//! an expression attribute name (`#n`) stands in for one.

use std::sync::OnceLock;

const WORDS: &str = include_str!("reserved_words.txt");

/// Whether `name` is a reserved word; the list is not case-sensitive.
pub fn is_reserved(name: &str) -> bool {
    static SORTED: OnceLock<Vec<&'static str>> = OnceLock::new();
    let words = SORTED.get_or_init(|| WORDS.split_whitespace().collect());
    words
        .binary_search(&name.to_ascii_uppercase().as_str())
        .is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_documented_list_is_whole_sorted_and_case_blind() {
        let words: Vec<&str> = WORDS.split_whitespace().collect();
        assert_eq!(words.len(), 573);
        assert!(words.windows(2).all(|w| w[0] < w[1]));
        assert!(is_reserved("status") && is_reserved("Name") && is_reserved("ZONE"));
        assert!(!is_reserved("price") && !is_reserved("orderId"));
    }
}
