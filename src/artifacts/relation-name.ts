/**
 * Splitting a relation name into its parts, the way warehouses quote them: `"db"."schema"."t"`
 * (Postgres, Snowflake), `` `p`.`d`.`t` `` (BigQuery), `[DB].[SCHEMA].[T]` (SQL Server, Tableau) or
 * bare `DB.SCHEMA.T`. The library's one splitter: artifacts read dbt's `relation_name` with it, and
 * lineage (a layer up) Tableau's table names, so both sides unquote names the same way.
 */

/** The closing quote of each opening quote. */
const CLOSERS: Readonly<Record<string, string>> = { '"': '"', '`': '`', '[': ']' };
/** Characters that open a quoted part or make the text an expression (`]` alone is literal). */
const SPECIAL = /["`[()']/;

/**
 * The unquoted parts of a qualified name: `[DB].[S].[T]` → `['DB','S','T']`, `"a.b"."c"` →
 * `['a.b','c']` (a `.` or a quote inside a quoted part does not split it). A doubled closing quote
 * inside a quoted part is one literal character (`"a""b"` → `a"b`). Bare parts are trimmed, quoted
 * parts kept as quoted. Returns null for text that is not a plain dotted name, such as dbt-duckdb's
 * `read_csv('…')` expressions, an empty part or an empty string.
 */
export function splitQualifiedName(text: string): string[] | null {
  const input = text.trim();
  if (input === '') return null;
  const parts: string[] = [];
  let i = 0;
  for (;;) {
    const close = CLOSERS[input[i]!];
    let part = '';
    if (close !== undefined) {
      i += 1;
      for (;;) {
        const at = input.indexOf(close, i);
        if (at === -1) return null;
        if (input[at + 1] === close) {
          part += input.slice(i, at + 1);
          i = at + 2;
          continue;
        }
        part += input.slice(i, at);
        i = at + 1;
        break;
      }
    } else {
      const dot = input.indexOf('.', i);
      const end = dot === -1 ? input.length : dot;
      const raw = input.slice(i, end);
      if (SPECIAL.test(raw)) return null;
      part = raw.trim();
      i = end;
    }
    if (part === '') return null;
    parts.push(part);
    if (i === input.length) return parts;
    if (input[i] !== '.' || i + 1 === input.length) return null;
    i += 1;
  }
}
