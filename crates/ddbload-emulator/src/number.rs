//! DynamoDB numbers: up to 38 significant digits, magnitudes from 1E-130 to below 1E+126, exact
//! addition and subtraction (a result that needs more digits is refused, never rounded), ordering,
//! and DynamoDB's canonical text (plain notation, no exponent, no trailing zeros).

use std::cmp::Ordering;
use std::fmt;

pub const MAX_DIGITS: usize = 38;
/// The adjusted exponent (position of the leading digit) of the largest and smallest magnitudes.
const MAX_ADJUSTED: i64 = 125;
const MIN_ADJUSTED: i64 = -130;

/// Why text or arithmetic does not give a DynamoDB number (its message: `ApiError::invalid_number`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NumberError {
    NotANumber,
    Precision,
    Overflow,
    Underflow,
}

/// `coefficient` x 10^`exponent`, negated when `negative`; normalized (no trailing zeros in the
/// coefficient; zero is 0 x 10^0, never negative), so equal numbers have equal fields.
///
/// Packed to 8-byte alignment: 24 bytes instead of 32 (u128 aligns to 16), which keeps a stored item's
/// key (`table::ItemKey`) at 48 bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(Rust, packed(8))]
pub struct Number {
    negative: bool,
    coefficient: u128,
    exponent: i32,
}

fn digit_count(n: u128) -> usize {
    if n == 0 {
        1
    } else {
        n.ilog10() as usize + 1
    }
}

impl Number {
    pub const ZERO: Number = Number {
        negative: false,
        coefficient: 0,
        exponent: 0,
    };

    /// The sign, coefficient and exponent, for the store's compact encoding.
    pub fn parts(&self) -> (bool, u128, i32) {
        (self.negative, self.coefficient, self.exponent)
    }

    /// A number from `parts()` of a normalized number (the store's own bytes, never a request's).
    pub fn from_parts(negative: bool, coefficient: u128, exponent: i32) -> Number {
        Number {
            negative,
            coefficient,
            exponent,
        }
    }

    /// A number from digits (most significant first, no sign) scaled by 10^`exponent`, checked.
    fn from_digits(negative: bool, digits: &[u8], exponent: i64) -> Result<Number, NumberError> {
        let start = digits.iter().position(|d| *d != 0);
        let Some(start) = start else {
            return Ok(Number::ZERO);
        };
        let end = digits
            .iter()
            .rposition(|d| *d != 0)
            .expect("a nonzero digit exists");
        let significant = &digits[start..=end];
        if significant.len() > MAX_DIGITS {
            return Err(NumberError::Precision);
        }
        let exponent = exponent.saturating_add((digits.len() - 1 - end) as i64);
        let adjusted = exponent.saturating_add(significant.len() as i64 - 1);
        if adjusted > MAX_ADJUSTED {
            return Err(NumberError::Overflow);
        }
        if adjusted < MIN_ADJUSTED {
            return Err(NumberError::Underflow);
        }
        let coefficient = significant
            .iter()
            .fold(0u128, |acc, d| acc * 10 + u128::from(*d));
        Ok(Number {
            negative,
            coefficient,
            exponent: exponent as i32,
        })
    }

    /// Parses DynamoDB's number syntax: optional sign, digits with an optional point, optional
    /// exponent (`1e5`, `.5`, `5.`, `+1`); no spaces, no NaN or infinity.
    pub fn parse(text: &str) -> Result<Number, NumberError> {
        let bytes = text.as_bytes();
        let mut i = 0;
        let negative = match bytes.first() {
            Some(b'-') => {
                i += 1;
                true
            }
            Some(b'+') => {
                i += 1;
                false
            }
            _ => false,
        };
        let mut digits = Vec::with_capacity(bytes.len());
        let mut fraction = 0i64;
        let mut seen_point = false;
        while let Some(&b) = bytes.get(i) {
            match b {
                b'0'..=b'9' => {
                    digits.push(b - b'0');
                    if seen_point {
                        fraction += 1;
                    }
                }
                b'.' if !seen_point => seen_point = true,
                _ => break,
            }
            i += 1;
        }
        if digits.is_empty() {
            return Err(NumberError::NotANumber);
        }
        let mut exponent = 0i64;
        if matches!(bytes.get(i), Some(b'e' | b'E')) {
            i += 1;
            let exponent_negative = match bytes.get(i) {
                Some(b'-') => {
                    i += 1;
                    true
                }
                Some(b'+') => {
                    i += 1;
                    false
                }
                _ => false,
            };
            let start = i;
            while let Some(b'0'..=b'9') = bytes.get(i) {
                // Saturating: an exponent this large is out of range whatever the digits.
                exponent = exponent
                    .saturating_mul(10)
                    .saturating_add(i64::from(bytes[i] - b'0'));
                i += 1;
            }
            if i == start {
                return Err(NumberError::NotANumber);
            }
            if exponent_negative {
                exponent = -exponent;
            }
        }
        if i != bytes.len() {
            return Err(NumberError::NotANumber);
        }
        let number = Number::from_digits(negative, &digits, exponent.saturating_sub(fraction))?;
        Ok(number)
    }

    pub fn is_zero(&self) -> bool {
        self.coefficient == 0
    }

    /// Significant digits (at least 1).
    pub fn digits(&self) -> usize {
        digit_count(self.coefficient)
    }

    fn adjusted(&self) -> i64 {
        i64::from(self.exponent) + self.digits() as i64 - 1
    }

    pub fn negate(&self) -> Number {
        Number {
            negative: !self.negative && !self.is_zero(),
            ..*self
        }
    }

    /// `self` + `other`, exactly; an error when the exact result is not a DynamoDB number.
    pub fn checked_add(&self, other: &Number) -> Result<Number, NumberError> {
        if other.is_zero() {
            return Ok(*self);
        }
        if self.is_zero() {
            return Ok(*other);
        }
        let low = self.exponent.min(other.exponent);
        let high_adjusted = self.adjusted().max(other.adjusted());
        // Disjoint digits more than 38 places apart need more than 38 digits in any sum.
        if high_adjusted - i64::from(low) + 1 > 2 * MAX_DIGITS as i64 + 1 {
            return Err(NumberError::Precision);
        }
        let width = (high_adjusted - i64::from(low) + 2) as usize;
        let a = self.aligned(low, width);
        let b = other.aligned(low, width);
        let (negative, digits) = if self.negative == other.negative {
            (self.negative, add_digits(&a, &b))
        } else {
            match compare_digits(&a, &b) {
                Ordering::Equal => return Ok(Number::ZERO),
                Ordering::Greater => (self.negative, subtract_digits(&a, &b)),
                Ordering::Less => (other.negative, subtract_digits(&b, &a)),
            }
        };
        Number::from_digits(negative, &digits, i64::from(low))
    }

    pub fn checked_sub(&self, other: &Number) -> Result<Number, NumberError> {
        self.checked_add(&other.negate())
    }

    /// The coefficient's digits shifted to exponent `low`, left-padded to `width` digits.
    fn aligned(&self, low: i32, width: usize) -> Vec<u8> {
        let text = { self.coefficient }.to_string();
        let shift = (self.exponent - low) as usize;
        let mut out = vec![0u8; width - text.len() - shift];
        out.extend(text.bytes().map(|b| b - b'0'));
        out.extend(std::iter::repeat_n(0, shift));
        out
    }

    /// The DynamoDB item-size cost: about one byte per two significant digits, plus one.
    pub fn size(&self) -> usize {
        self.digits().div_ceil(2) + 1
    }

    /// A whole number that fits i64, if this is one.
    pub fn to_i64(&self) -> Option<i64> {
        if self.exponent < 0 {
            return None;
        }
        let magnitude = self
            .coefficient
            .checked_mul(10u128.checked_pow(self.exponent as u32)?)?;
        let value = i64::try_from(magnitude).ok()?;
        Some(if self.negative { -value } else { value })
    }

    pub fn from_i64(value: i64) -> Number {
        let digits: Vec<u8> = value
            .unsigned_abs()
            .to_string()
            .bytes()
            .map(|b| b - b'0')
            .collect();
        Number::from_digits(value < 0, &digits, 0).expect("an i64 is a DynamoDB number")
    }
}

fn add_digits(a: &[u8], b: &[u8]) -> Vec<u8> {
    let mut out = vec![0u8; a.len()];
    let mut carry = 0;
    for i in (0..a.len()).rev() {
        let sum = a[i] + b[i] + carry;
        out[i] = sum % 10;
        carry = sum / 10;
    }
    out
}

/// `a` - `b` for `a` >= `b`.
fn subtract_digits(a: &[u8], b: &[u8]) -> Vec<u8> {
    let mut out = vec![0u8; a.len()];
    let mut borrow = 0i8;
    for i in (0..a.len()).rev() {
        let mut diff = a[i] as i8 - b[i] as i8 - borrow;
        borrow = i8::from(diff < 0);
        if diff < 0 {
            diff += 10;
        }
        out[i] = diff as u8;
    }
    out
}

fn compare_digits(a: &[u8], b: &[u8]) -> Ordering {
    a.cmp(b)
}

impl Ord for Number {
    fn cmp(&self, other: &Number) -> Ordering {
        let sign = |n: &Number| {
            if n.is_zero() {
                0
            } else if n.negative {
                -1
            } else {
                1
            }
        };
        match sign(self).cmp(&sign(other)) {
            Ordering::Equal => {}
            unequal => return unequal,
        }
        if self.is_zero() {
            return Ordering::Equal;
        }
        // Same sign, both nonzero: compare magnitudes by leading-digit position, then digits.
        let padded = |n: &Number| n.coefficient * 10u128.pow((MAX_DIGITS - n.digits()) as u32);
        let magnitude = self
            .adjusted()
            .cmp(&other.adjusted())
            .then_with(|| padded(self).cmp(&padded(other)));
        if self.negative {
            magnitude.reverse()
        } else {
            magnitude
        }
    }
}

impl PartialOrd for Number {
    fn partial_cmp(&self, other: &Number) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl fmt::Display for Number {
    /// Plain notation: 1E+3 is "1000", 1.5E-2 is "0.015".
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.negative {
            f.write_str("-")?;
        }
        let digits = { self.coefficient }.to_string();
        if self.exponent >= 0 {
            f.write_str(&digits)?;
            for _ in 0..self.exponent {
                f.write_str("0")?;
            }
            return Ok(());
        }
        let point = digits.len() as i64 + i64::from(self.exponent);
        if point > 0 {
            let (whole, fraction) = digits.split_at(point as usize);
            write!(f, "{whole}.{fraction}")
        } else {
            f.write_str("0.")?;
            for _ in 0..(-point) {
                f.write_str("0")?;
            }
            f.write_str(&digits)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn n(text: &str) -> Number {
        Number::parse(text).unwrap()
    }

    #[test]
    fn text_is_canonical_plain_notation() {
        for (input, expected) in [
            ("1E+3", "1000"),
            ("1.0E2", "100"),
            ("12.50", "12.5"),
            ("00012", "12"),
            ("-0", "0"),
            ("0.000", "0"),
            ("0E+5", "0"),
            ("1e5", "100000"),
            ("+1", "1"),
            (".5", "0.5"),
            ("5.", "5"),
            ("-1.5E-2", "-0.015"),
            (
                "1234567890123456789012345678901234567800",
                "1234567890123456789012345678901234567800",
            ),
        ] {
            assert_eq!(n(input).to_string(), expected, "{input}");
        }
        assert_eq!(n("1E-130").to_string(), format!("0.{}1", "0".repeat(129)));
        assert_eq!(n("1E+125").to_string(), format!("1{}", "0".repeat(125)));
    }

    #[test]
    fn bad_text_and_ranges_are_refused_like_dynamodb() {
        for bad in [
            " 1", "1 ", "1E", "-", "", "NaN", "Infinity", "0x10", "1_000", "1.2.3", "e5",
        ] {
            assert_eq!(Number::parse(bad), Err(NumberError::NotANumber), "{bad:?}");
        }
        assert_eq!(Number::parse(&"1".repeat(39)), Err(NumberError::Precision));
        assert!(Number::parse(&"1".repeat(38)).is_ok());
        assert_eq!(Number::parse("1E+126"), Err(NumberError::Overflow));
        assert_eq!(Number::parse("1E-131"), Err(NumberError::Underflow));
        assert_eq!(
            Number::parse("1E999999999999999999999"),
            Err(NumberError::Overflow)
        );
        assert!(Number::parse("9.9999999999999999999999999999999999999E+125").is_ok());
    }

    #[test]
    fn arithmetic_is_exact_or_refused() {
        assert_eq!(n("0.1").checked_add(&n("0.2")).unwrap(), n("0.3"));
        assert_eq!(
            n("1E+20").checked_add(&n("1")).unwrap().to_string(),
            "100000000000000000001"
        );
        // 1E+20 + 1E-20 needs 41 digits.
        assert_eq!(
            n("1E+20").checked_add(&n("1E-20")),
            Err(NumberError::Precision)
        );
        let max = n("9.9999999999999999999999999999999999999E+125");
        assert_eq!(max.checked_add(&max), Err(NumberError::Precision));
        assert_eq!(
            n("5E+125").checked_add(&n("5E+125")),
            Err(NumberError::Overflow)
        );
        assert_eq!(
            n("2E-130").checked_sub(&n("1.9E-130")),
            Err(NumberError::Underflow)
        );
        assert_eq!(
            n("1E+125").checked_sub(&n("1E-130")),
            Err(NumberError::Precision)
        );
        assert_eq!(n("7").checked_sub(&n("7")).unwrap(), Number::ZERO);
        assert_eq!(n("-3.5").checked_add(&n("1.25")).unwrap(), n("-2.25"));
        assert_eq!(n("1E+38").checked_sub(&n(&"9".repeat(38))).unwrap(), n("1"));
    }

    #[test]
    fn ordering_is_numeric() {
        let mut values: Vec<Number> = [
            "10", "9", "-1", "-10", "0", "0.5", "1E+100", "-1E-100", "1.5",
        ]
        .iter()
        .map(|t| n(t))
        .collect();
        values.sort();
        let text: Vec<String> = values.iter().map(Number::to_string).collect();
        let tiny = format!("-0.{}1", "0".repeat(99));
        assert_eq!(
            text,
            [
                "-10",
                "-1",
                tiny.as_str(),
                "0",
                "0.5",
                "1.5",
                "9",
                "10",
                &format!("1{}", "0".repeat(100))
            ]
        );
        assert_eq!(n("1.0"), n("1"));
        assert_eq!(n("12345").size(), 4);
        assert_eq!(n("1000").size(), 2);
        assert_eq!(n("42").to_i64(), Some(42));
        assert_eq!(n("4.2").to_i64(), None);
    }
}
