"""`ddbload cost --prices live`: DynamoDB's prices for one region from the AWS Price List API
(pricing:GetProducts), Standard table class, read out of the product documents it answers with."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from . import _engine
from .cost import PriceError, Prices

# The usage types priced, without their region prefix ("USE2-", "EU-", none in us-east-1); Standard-IA's
# carry "IA-" after the prefix and are not these.
USAGE = {
    "ReadRequestUnits": ("request_unit", "read"),
    "WriteRequestUnits": ("request_unit", "write"),
    "ReadCapacityUnit-Hrs": ("unit_hour", "read"),
    "WriteCapacityUnit-Hrs": ("unit_hour", "write"),
}
SOURCE = "the AWS Price List API (pricing:GetProducts), Standard table class"


def fetch(region: str, profile: str | None, endpoint_url: str | None, today: date) -> Prices:
    """`region`'s prices as the Price List API gives them today (asked in us-east-1, or at `endpoint_url`)."""
    documents = _engine.dynamodb_price_list(region_code=region, profile=profile, endpoint_url=endpoint_url)
    return from_documents(documents, region, today)


def from_documents(documents: list[str], region: str, today: date) -> Prices:
    """The four prices in the API's product documents; a price missing or unreadable is a PriceError."""
    found: dict[tuple[str, str], Decimal] = {}
    for text in documents:
        try:
            product = json.loads(text)
            usage = _usage(product["product"]["attributes"].get("usagetype", ""))
        except (ValueError, KeyError, TypeError, AttributeError) as e:
            raise PriceError(f"the Price List API answered a product that is not one ({e})") from None
        if usage is None:
            continue
        paid = [price for price in _prices(product) if price > 0]  # a free-tier dimension is priced 0
        if paid:
            found[USAGE[usage]] = max(paid)
    missing = [name for name, key in USAGE.items() if key not in found]
    if missing:
        raise PriceError(f"the Price List API has no {', '.join(missing)} price for DynamoDB in {region}")
    return Prices(
        source=SOURCE,
        dated=today,
        region=region,
        request_unit={"read": found[("request_unit", "read")], "write": found[("request_unit", "write")]},
        unit_hour={"read": found[("unit_hour", "read")], "write": found[("unit_hour", "write")]},
    )


def _usage(usagetype: str) -> str | None:
    if usagetype in USAGE:
        return usagetype
    prefix, _, rest = usagetype.partition("-")
    return rest if prefix != "IA" and rest in USAGE else None


def _prices(product: dict[str, Any]) -> list[Decimal]:
    """Every USD price per unit of the product's on-demand terms (its tiers)."""
    out = []
    for term in (product.get("terms", {}).get("OnDemand") or {}).values():
        for dimension in term.get("priceDimensions", {}).values():
            usd = dimension.get("pricePerUnit", {}).get("USD")
            try:
                price = Decimal(str(usd))
            except InvalidOperation:
                raise PriceError(f"the Price List API gave a price that is not a number: {usd!r}") from None
            if price.is_finite():
                out.append(price)
    return out
