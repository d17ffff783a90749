// A work budget for the lint analyses, counted in automaton states explored (and pairs of
// scopes considered), never in time: the same document gives the same findings on any
// machine. A check that runs out stops and says so (rule `analysis-budget`).

export class WorkBudget {
  private spent = 0;

  constructor(readonly limit: number) {}

  get used(): number {
    return this.spent;
  }

  get remaining(): number {
    return Math.max(0, this.limit - this.spent);
  }

  get exhausted(): boolean {
    return this.spent >= this.limit;
  }

  spend(units: number): void {
    this.spent += units;
  }
}
