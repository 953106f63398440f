/** One line of the benchmark table: a figure, its goal, what was measured and, where there is one, the baseline. */
export interface Row {
  figure: string;
  goal: string;
  measured: string;
  baseline?: string;
  ok?: boolean;
}

/** Prints the rows as one aligned table, with a verdict column (met / MISSED) for rows that have a goal. */
export function printTable(table: readonly Row[], out: NodeJS.WritableStream = process.stdout): void {
  const cols: (keyof Row)[] = ['figure', 'goal', 'measured', 'baseline'];
  const cell = (r: Row, c: keyof Row) => (c === 'ok' ? '' : String(r[c] ?? ''));
  const widths = cols.map((c) => Math.max(c.length, ...table.map((r) => cell(r, c).length)));
  const line = (vals: string[]) => vals.map((v, i) => v.padEnd(widths[i]!)).join(' │ ');
  out.write(`\n${line(cols)} │ verdict\n${widths.map((w) => '─'.repeat(w)).join('─┼─')}─┼────────\n`);
  for (const r of table) out.write(`${line(cols.map((c) => cell(r, c)))} │ ${r.ok === undefined ? '' : r.ok ? 'met' : 'MISSED'}\n`);
}
