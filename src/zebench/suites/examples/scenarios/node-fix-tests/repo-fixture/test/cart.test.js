import { describe, it } from "node:test";
import assert from "node:assert/strict";

import { applyDiscount, isKnownCode, subtotal } from "../src/index.js";

describe("subtotal", () => {
  it("multiplies price by quantity", () => {
    assert.equal(subtotal([{ priceCents: 250, quantity: 2 }, { priceCents: 999, quantity: 1 }]), 1499);
  });

  it("treats a missing quantity as 1", () => {
    assert.equal(subtotal([{ priceCents: 1200 }]), 1200);
  });

  it("counts a zero quantity as nothing", () => {
    assert.equal(subtotal([{ priceCents: 1200, quantity: 0 }, { priceCents: 300, quantity: 3 }]), 900);
  });

  it("rejects negative or fractional quantities", () => {
    assert.throws(() => subtotal([{ priceCents: 100, quantity: -1 }]), RangeError);
    assert.throws(() => subtotal([{ priceCents: 100, quantity: 1.5 }]), RangeError);
  });
});

describe("applyDiscount", () => {
  it("applies percentage codes with rounding", () => {
    assert.equal(applyDiscount(10000, "SAVE10"), 9000);
    assert.equal(applyDiscount(1999, "SAVE25"), 1499);
  });

  it("accepts codes in any case with surrounding spaces", () => {
    assert.equal(applyDiscount(10000, "save10"), 9000);
    assert.equal(applyDiscount(10000, " Flat500 "), 9500);
    assert.equal(isKnownCode("save25"), true);
  });

  it("never goes below zero", () => {
    assert.equal(applyDiscount(300, "FLAT500"), 0);
  });

  it("rejects unknown codes", () => {
    assert.throws(() => applyDiscount(1000, "FREESTUFF"), /unknown discount code/);
    assert.equal(isKnownCode("FREESTUFF"), false);
  });
});
