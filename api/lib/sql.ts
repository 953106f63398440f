import type Database from 'better-sqlite3';

/**
 * Prepared statements for queries whose shape depends on the filters given: each distinct SQL text
 * is prepared once per database and reused, so a hot list route never re-parses SQL.
 */
export class Statements {
  readonly #cache = new Map<string, Database.Statement>();
  readonly #raw = new Map<string, { statement: Database.Statement; names: string[] }>();
  constructor(readonly sqlite: Database.Database) {}

  /**
   * Every row of a query as an object, built here from the driver's arrays: better-sqlite3 builds
   * row objects one named property at a time in native code, which for a page of wide rows (the
   * feed's 16 columns × 51) costs more than reading them. Same objects, same key order.
   */
  all<Row>(sql: string, params: readonly unknown[]): Row[] {
    let entry = this.#raw.get(sql);
    if (!entry) {
      const statement = this.sqlite.prepare(sql).raw(true);
      entry = { statement, names: statement.columns().map((c) => c.name) };
      this.#raw.set(sql, entry);
    }
    const { statement, names } = entry;
    const rows = statement.all(...params) as unknown[][];
    const out: Row[] = new Array(rows.length);
    for (let r = 0; r < rows.length; r++) {
      const values = rows[r]!;
      const row: Record<string, unknown> = {};
      for (let i = 0; i < names.length; i++) row[names[i]!] = values[i];
      out[r] = row as Row;
    }
    return out;
  }

  get<Row = unknown>(sql: string): Database.Statement<unknown[], Row> {
    let s = this.#cache.get(sql);
    if (!s) {
      s = this.sqlite.prepare(sql);
      this.#cache.set(sql, s);
    }
    return s as Database.Statement<unknown[], Row>;
  }
}

/** A WHERE clause assembled from optional filters, with its parameters in order. */
export class Where {
  readonly clauses: string[] = [];
  readonly params: unknown[] = [];

  constructor(tenantId: number, column = 'tenant_id') {
    this.add(`${column} = ?`, tenantId);
  }

  add(clause: string, ...params: unknown[]): this {
    this.clauses.push(clause);
    this.params.push(...params);
    return this;
  }

  eq(column: string, value: unknown): this {
    return value === undefined || value === null ? this : this.add(`${column} = ?`, value);
  }

  in(column: string, values: readonly unknown[] | undefined): this {
    if (!values?.length) return this;
    const unique = [...new Set(values)];
    return unique.length === 1 ? this.add(`${column} = ?`, unique[0]) : this.add(`${column} IN (${unique.map(() => '?').join(', ')})`, ...unique);
  }

  range(column: string, from: number | undefined, to: number | undefined): this {
    if (from !== undefined) this.add(`${column} >= ?`, from);
    if (to !== undefined) this.add(`${column} <= ?`, to);
    return this;
  }

  /** Case-insensitive substring search over several columns; LIKE wildcards in the text are literal. */
  search(columns: readonly string[], text: string | undefined): this {
    if (!text) return this;
    const pattern = `%${text.replace(/[\\%_]/g, '\\$&')}%`;
    return this.add(`(${columns.map((c) => `${c} LIKE ? ESCAPE '\\'`).join(' OR ')})`, ...columns.map(() => pattern));
  }

  /** Rows strictly after a keyset cursor in (time DESC, id DESC) order. */
  before(timeColumn: string, idColumn: string, key: readonly [number, string] | undefined): this {
    if (!key) return this;
    return this.add(`${timeColumn} <= ? AND (${timeColumn} < ? OR ${idColumn} < ?)`, key[0], key[0], key[1]);
  }

  toString(): string {
    return this.clauses.join(' AND ');
  }
}
