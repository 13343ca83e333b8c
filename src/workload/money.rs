//! Exact money arithmetic on rust_decimal: every product and sum is exact or refused (None), never
//! rounded. rust_decimal's own checked_mul/checked_add round once a result needs more than 28 digits.

use rust_decimal::Decimal;

/// The mantissa of `value` at `scale` (which must be at least its own), or None when it does not fit.
pub fn mantissa_at(value: Decimal, scale: u32) -> Option<i128> {
    let extra = scale.checked_sub(value.scale())?;
    value.mantissa().checked_mul(10i128.checked_pow(extra)?)
}

/// A Decimal from a mantissa and scale, refusing mantissas beyond rust_decimal's 96 bits.
fn exact(mantissa: i128, scale: u32) -> Option<Decimal> {
    Decimal::try_from_i128_with_scale(mantissa, scale).ok()
}

/// `value` x `n`, exactly.
pub fn mul_int(value: Decimal, n: u64) -> Option<Decimal> {
    exact(value.mantissa().checked_mul(i128::from(n))?, value.scale())
}

/// `a` + `b`, exactly.
pub fn add(a: Decimal, b: Decimal) -> Option<Decimal> {
    let scale = a.scale().max(b.scale());
    exact(
        mantissa_at(a, scale)?.checked_add(mantissa_at(b, scale)?)?,
        scale,
    )
}

/// The scale generated prices use: the finer of the bounds', at least cents when the upper bound can
/// be written in cents exactly.
pub fn price_scale(min: Decimal, max: Decimal) -> u32 {
    let finest = min.scale().max(max.scale());
    let cents = finest.max(2);
    if mantissa_at(max, cents)
        .and_then(|m| exact(m, cents))
        .is_some()
    {
        cents
    } else {
        finest
    }
}

/// The largest order total `max_lines` lines of up to `max_quantity` units at `price_max` (written at
/// `scale`) can reach; None when it cannot be held exactly.
pub fn largest_total(
    price_max: Decimal,
    scale: u32,
    max_quantity: u32,
    max_lines: u32,
) -> Option<Decimal> {
    let units = u64::from(max_quantity) * u64::from(max_lines);
    exact(
        mantissa_at(price_max, scale)?.checked_mul(i128::from(units))?,
        scale,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn d(s: &str) -> Decimal {
        Decimal::from_str_exact(s).unwrap()
    }

    #[test]
    fn products_and_sums_are_exact_where_rust_decimal_rounds() {
        let price = d("9.999999999999999999999999999");
        // The exact product 89.999999999999999999999999991 needs a mantissa past 96 bits:
        // rust_decimal's checked_mul rounds it, mul_int refuses it.
        assert_eq!(
            price.checked_mul(Decimal::from(9)).unwrap().to_string(),
            "89.99999999999999999999999999"
        );
        assert_eq!(mul_int(price, 9), None);
        assert_eq!(
            mul_int(price, 3).unwrap().to_string(),
            "29.999999999999999999999999997"
        );
        assert_eq!(mul_int(d("19.99"), 3), Some(d("59.97")));
        assert_eq!(add(d("0.1"), d("0.20")), Some(d("0.30")));
        assert_eq!(add(d("79228162514264337593543950335"), d("0.1")), None);
        assert_eq!(
            add(d("1.5"), d("0.000000000000000000000000001")),
            Some(Decimal::from_str("1.500000000000000000000000001").unwrap())
        );
    }

    #[test]
    fn generated_prices_use_cents_only_where_they_fit() {
        assert_eq!(price_scale(d("1"), d("500")), 2);
        assert_eq!(price_scale(d("0.001"), d("5")), 3);
        assert_eq!(price_scale(d("1"), d("79228162514264337593543950335")), 0);
        assert_eq!(largest_total(d("500.00"), 2, 5, 5), Some(d("12500.00")));
        assert_eq!(
            largest_total(d("9.999999999999999999999999999"), 27, 5, 5),
            None
        );
    }
}
