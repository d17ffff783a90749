// jmespath 0.16 exports `compile` (text → abstract syntax tree), which @types/jmespath
// leaves out; the injection test compares parsed JMESPath rather than its text.
export {};

declare module 'jmespath' {
  export function compile(expression: string): unknown;
}
