// Cart arithmetic. All money is integer cents to avoid floating-point drift.

const DISCOUNTS = {
  SAVE10: { percent: 10 },
  SAVE25: { percent: 25 },
  FLAT500: { amountCents: 500 },
};

/**
 * Sum of price * quantity over the cart lines. A missing quantity means 1; 0 means 0.
 * @param {{priceCents: number, quantity?: number}[]} items
 */
export function subtotal(items) {
  let total = 0;
  for (const item of items) {
    const quantity = item.quantity || 1;
    if (!Number.isInteger(quantity) || quantity < 0) {
      throw new RangeError(`invalid quantity: ${item.quantity}`);
    }
    total += item.priceCents * quantity;
  }
  return total;
}

/**
 * Apply a discount code (case-insensitive, surrounding spaces ignored) to a total in cents.
 * Percentages round to the nearest cent; the result never goes below zero.
 * Unknown codes throw.
 */
export function applyDiscount(totalCents, code) {
  const discount = DISCOUNTS[code];
  if (!discount) {
    throw new Error(`unknown discount code: ${code}`);
  }
  const off = discount.percent !== undefined
    ? Math.round((totalCents * discount.percent) / 100)
    : discount.amountCents;
  return totalCents - off;
}

export function isKnownCode(code) {
  return Object.hasOwn(DISCOUNTS, String(code).trim().toUpperCase());
}
