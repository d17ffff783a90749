// A batch of decision inputs and the JSON text of its decisions, two ways. The general way
// takes parsed inputs and writes each decision with JSON.stringify; it serves any engine.
// The fast way reads the batch straight from its JSON bytes, one input at a time into
// reused objects (read-inputs.ts), decides each at once and writes it (write-decisions.ts):
// no object tree of the whole batch is built, where JSON.parse spent most of a large
// batch's time. Both print the same bytes; test/batch compares them.

import type { Decision } from '../ir/decision.js';
import { escapeJsonText } from '../diagnostics/format.js';
import { JsonBytes, LBRACKET, NotJson, RBRACKET } from './json-bytes.js';
import { InputFacts, readInput } from './read-inputs.js';
import { DecisionWriter } from './write-decisions.js';

export interface BatchResult {
  /** The decisions as a JSON array, one per line. */
  json: string | Buffer;
  denied: boolean;
}

type Evaluate = (input: unknown) => Decision;

/** The input with `now` filled in when it is an object without one (decision.md). */
export function withNow(input: unknown, now: string): unknown {
  return input !== null && typeof input === 'object' && !Array.isArray(input) && (input as { now?: unknown }).now === undefined
    ? { ...input, now }
    : input;
}

/** Evaluates parsed inputs: one decision per line inside an array, easy to diff and stream. */
export function evaluateInputs(inputs: readonly unknown[], evaluate: Evaluate, now: string): BatchResult {
  const parts: string[] = new Array<string>(inputs.length);
  let denied = false;
  for (let k = 0; k < inputs.length; k++) {
    const d = evaluate(withNow(inputs[k], now));
    denied ||= !d.allowed;
    parts[k] = JSON.stringify(d);
  }
  const json = parts.length === 0 ? '[]\n' : escapeJsonText(`[\n${parts.join(',\n')}\n]\n`);
  return { json, denied };
}

/**
 * Evaluates every input of a JSON array; `now` fills inputs that have none. Returns null
 * when the bytes are not a JSON array (not JSON at all, or another value): the caller
 * then takes its general path, which reports errors with their position.
 */
export function evaluateJsonBatch(bytes: Buffer, evaluate: Evaluate, now: string): BatchResult | null {
  const j = new JsonBytes(bytes);
  const facts = new InputFacts();
  // Decisions take about a quarter of the bytes of kernel facts, a third of minimal ones.
  const writer = new DecisionWriter(bytes.length >> 1);
  let denied = false;
  try {
    if (j.peek() !== LBRACKET) return null;
    if (!j.open(RBRACKET)) {
      do {
        const input = readInput(j, facts);
        if (input !== null && input.now === undefined) input.now = now;
        const d = evaluate(input);
        denied ||= !d.allowed;
        writer.add(d);
      } while (j.more(RBRACKET));
    }
    if (!j.atEnd()) return null;
  } catch (err) {
    if (err instanceof NotJson) return null;
    throw err;
  }
  return { json: writer.finish(), denied };
}
