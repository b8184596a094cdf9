export { applyDiscount, isKnownCode, subtotal } from "./cart.js";
export { formatPrice, pluralize } from "./format.js";
