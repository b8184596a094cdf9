import { describe, it } from "node:test";
import assert from "node:assert/strict";

import { formatPrice, pluralize } from "../src/index.js";

describe("formatPrice", () => {
  it("formats whole amounts", () => {
    assert.equal(formatPrice(1200), "$12.00");
  });

  it("pads single-digit cents", () => {
    assert.equal(formatPrice(105), "$1.05");
    assert.equal(formatPrice(-5), "-$0.05");
  });

  it("adds thousands separators and custom symbols", () => {
    assert.equal(formatPrice(123456), "$1,234.56");
    assert.equal(formatPrice(99999, "€"), "€999.99");
  });
});

describe("pluralize", () => {
  it("handles one and many", () => {
    assert.equal(pluralize(1, "item"), "1 item");
    assert.equal(pluralize(0, "item"), "0 items");
    assert.equal(pluralize(3, "item"), "3 items");
  });
});
