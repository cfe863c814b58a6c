/**
 * A bad-input battery: a list of calls that a user can get wrong, each with the outcome Vane
 * promises for it. Running it classifies every case, so that a package's test can assert
 * "0 silent acceptances, 0 unclear errors" and print how many cases it tried.
 *
 * Outcomes:
 * - `clear`: the call threw an error whose message matches the case's `message` pattern (which
 *   names the op and the argument).
 * - `documented`: the case expects no error because Vane does what PyTorch does there; its
 *   `check` confirms the documented result.
 * - `silent`: the call returned although an error was expected (the worst outcome).
 * - `unclear`: the call threw, but not the promised message (a raw TypeError from deep inside,
 *   say), or a documented case's `check` failed.
 */

/** One bad input and what it must produce. */
export type BadInputCase =
  | {
      /** What is tried, for the report (`"sum(x, { axis: 1 })"`). */
      readonly name: string;
      /** The call. May return a promise. */
      readonly run: () => unknown;
      /** The error message must match this. */
      readonly message: RegExp;
    }
  | {
      readonly name: string;
      readonly run: () => unknown;
      /** Where the accepted behaviour is documented, and why it is PyTorch's too. */
      readonly documented: string;
      /** Throws if the result is not the documented one. */
      readonly check: (result: unknown) => void;
    };

/** The classification of one case. */
export interface BadInputOutcome {
  readonly name: string;
  readonly outcome: 'clear' | 'documented' | 'silent' | 'unclear';
  /** The error message seen, or a description of what was returned. */
  readonly detail: string;
}

/** Counts over a battery, plus every case that went wrong. */
export interface BadInputReport {
  readonly tried: number;
  readonly clear: number;
  readonly documented: number;
  readonly silent: number;
  readonly unclear: number;
  /** The `silent` and `unclear` cases, to print when the test fails. */
  readonly failures: readonly BadInputOutcome[];
  /** One line: `tensor bad-input battery: 84 tried, 80 clear errors, 4 documented, 0 silent, 0 unclear`. */
  readonly summary: string;
}

function messageOf(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}

async function classify(badInput: BadInputCase): Promise<BadInputOutcome> {
  let result: unknown;
  try {
    result = await badInput.run();
  } catch (error) {
    if ('message' in badInput) {
      const text = error instanceof Error ? error.message : String(error);
      return {
        name: badInput.name,
        outcome: badInput.message.test(text) ? 'clear' : 'unclear',
        detail: messageOf(error),
      };
    }
    return { name: badInput.name, outcome: 'unclear', detail: `documented as accepted, but threw ${messageOf(error)}` };
  }
  if ('message' in badInput)
    return {
      name: badInput.name,
      outcome: 'silent',
      detail: `returned without an error (expected ${badInput.message})`,
    };
  try {
    badInput.check(result);
    return { name: badInput.name, outcome: 'documented', detail: badInput.documented };
  } catch (error) {
    return { name: badInput.name, outcome: 'unclear', detail: `documented result check failed: ${messageOf(error)}` };
  }
}

/**
 * Runs every case in order and counts the outcomes.
 *
 * @param label - what the battery covers, for the summary line (`tensor`, `layers and losses`).
 * @param cases - the bad inputs.
 * @example
 * const report = await runBadInputBattery('tensor', [
 *   { name: 'sum(x, { axis: 1 })', run: () => sum(x, { axis: 1 } as never), message: /^sum: .*axes/ },
 * ]);
 * expect(report.failures).toEqual([]);
 */
export async function runBadInputBattery(label: string, cases: readonly BadInputCase[]): Promise<BadInputReport> {
  const outcomes: BadInputOutcome[] = [];
  for (const badInput of cases) outcomes.push(await classify(badInput));
  const count = (kind: BadInputOutcome['outcome']) => outcomes.filter((outcome) => outcome.outcome === kind).length;
  const report = {
    tried: outcomes.length,
    clear: count('clear'),
    documented: count('documented'),
    silent: count('silent'),
    unclear: count('unclear'),
    failures: outcomes.filter((outcome) => outcome.outcome === 'silent' || outcome.outcome === 'unclear'),
  };
  const summary = `${label} bad-input battery: ${report.tried} tried, ${report.clear} clear errors, ${report.documented} documented, ${report.silent} silent, ${report.unclear} unclear`;
  return { ...report, summary };
}
