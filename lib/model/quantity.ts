/**
 * Kubernetes resource quantities (`500m`, `1.5`, `512Mi`, `1G`, `1e3`) as plain numbers.
 * Follows apimachinery's `ParseQuantity` grammar: a signed decimal, then one optional suffix,
 * binary (Ki Mi Gi Ti Pi Ei), decimal (n u m k M G T P E) or an exponent (e3, E-2).
 */

/** The full grammar, for validators that need to say "not a quantity". */
export const QUANTITY_PATTERN = /^[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[KMGTPE]i|[numkMGTPE]|[eE][+-]?[0-9]+)?$/;

const BINARY: Readonly<Record<string, number>> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60 };
const DECIMAL: Readonly<Record<string, number>> = { n: 1e-9, u: 1e-6, m: 1e-3, '': 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18 };

export function isQuantity(value: string): boolean {
  return QUANTITY_PATTERN.test(value);
}

/**
 * The quantity's value in base units (cores for CPU, bytes for memory), or undefined when
 * `value` is not a quantity. Numbers (YAML `cpu: 2`) are returned as they are.
 */
export function parseQuantity(value: string | number): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  const text = value.trim();
  if (!QUANTITY_PATTERN.test(text)) return undefined;
  const m = /^([+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+))(.*)$/.exec(text);
  if (!m) return undefined;
  const number = Number(m[1]);
  const suffix = m[2];
  if (suffix in BINARY) return number * BINARY[suffix];
  if (suffix in DECIMAL) return number * DECIMAL[suffix];
  return number * 10 ** Number(suffix.slice(1)); // exponent: e3, E-2
}

/** CPU in millicores (`250m` → 250, `1.5` → 1500), rounded up as the scheduler does. */
export function cpuMillis(value: string | number): number | undefined {
  const cores = parseQuantity(value);
  return cores === undefined ? undefined : Math.ceil(Math.round(cores * 1e9) / 1e6);
}

/** Memory in bytes (`512Mi` → 536870912, `1G` → 1e9). */
export function memoryBytes(value: string | number): number | undefined {
  const bytes = parseQuantity(value);
  return bytes === undefined ? undefined : Math.ceil(bytes);
}

export const GIBIBYTE = 2 ** 30;
