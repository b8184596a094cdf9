// Display helpers.

/**
 * Format integer cents as a price: 123456 -> "$1,234.56", -5 -> "-$0.05".
 */
export function formatPrice(cents, symbol = "$") {
  const sign = cents < 0 ? "-" : "";
  const abs = Math.abs(cents);
  const units = Math.floor(abs / 100).toLocaleString("en-US");
  const rest = String(abs % 100);
  return `${sign}${symbol}${units}.${rest}`;
}

/**
 * "1 item" / "3 items".
 */
export function pluralize(count, noun) {
  return `${count} ${noun}${count === 1 ? "" : "s"}`;
}
