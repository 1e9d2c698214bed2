// MODEL_PRICES: what a model call costs (per 1M input and output tokens, in the operator's currency).
import type { Config } from '../../config.js';

export type Prices = Config['MODEL_PRICES'];

/** The cost of these tokens on `model`; null when the model has no price. */
export function callCost(prices: Prices, model: string, promptTokens: number, completionTokens: number): number | null {
  const p = prices[model];
  if (!p) return null;
  return (promptTokens * p.input + completionTokens * p.output) / 1_000_000;
}

/** A group's cost: the priced parts added up; null when no part has a price. */
export function sumCosts(costs: (number | null)[], pricesKnown: boolean): number | null {
  const priced = costs.filter((c): c is number => c !== null);
  if (priced.length === 0) return costs.length === 0 && pricesKnown ? 0 : null;
  // Rounded to a millionth of the currency unit, so sums print cleanly.
  return Math.round(priced.reduce((a, b) => a + b, 0) * 1e6) / 1e6;
}
