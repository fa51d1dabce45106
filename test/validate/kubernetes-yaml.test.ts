/**
 * The fast YAML path (js-yaml, lib/io/kubernetes-yaml.ts) must read every text it takes exactly as
 * the reference (the `yaml` package with KUBERNETES_YAML) does: same values, and no text accepted
 * that the reference rejects. Checked on hand-picked cases and on seeded mutations of real manifests.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';
import { fastPathApplies, KUBERNETES_YAML, loadKubernetesYaml, resolvePlainScalar, STRING } from '../../lib/io/kubernetes-yaml.ts';
import { parseManifests } from '../../lib/io/read-manifests.ts';

const ROOT = join(import.meta.dirname, '..', '..');

/** The reference reading: documents' values without empty ones, or undefined when the `yaml` package finds an error. */
function reference(text: string): unknown[] | undefined {
  const docs = parseAllDocuments(text, { ...KUBERNETES_YAML, uniqueKeys: true, prettyErrors: false, logLevel: 'silent' });
  if (docs.some((d) => d.errors.length > 0)) return undefined;
  try {
    return docs.map((d) => d.toJS({ maxAliasCount: 100 })).filter((v) => v !== null && v !== undefined);
  } catch {
    return undefined;
  }
}

/** The fast reading, when it applies and succeeds. */
function fast(text: string): unknown[] | undefined {
  if (!fastPathApplies(text)) return undefined;
  try {
    return loadKubernetesYaml(text).filter((v) => v !== null && v !== undefined);
  } catch {
    return undefined;
  }
}

/** Texts the fast path reads differently from the reference, or accepts while the reference rejects them. */
function disagreements(texts: Iterable<string>): string[] {
  const out: string[] = [];
  for (const text of texts) {
    const f = fast(text);
    if (f === undefined) continue;
    const r = reference(text);
    if (r === undefined || !isDeepStrictEqual(f, r)) out.push(text);
  }
  return out;
}

const SCALARS = [
  ...['y', 'Y', 'yes', 'Yes', 'YES', 'yEs', 'n', 'N', 'no', 'No', 'NO', 'on', 'On', 'ON', 'oN', 'off', 'Off', 'OFF'],
  ...['true', 'True', 'TRUE', 'tRUE', 'false', 'False', 'FALSE', 'null', 'Null', 'NULL', 'nULL', '~', ''],
  ...['0', '00', '0_', '-0', '+0', '08', '010', '0755', '-010', '0o17', '-0o17', '0O17', '0o8', '0o', '0x', '0x_', '0x1F', '0X1F', '-0x1F', '+0x1f', '0xG'],
  ...['0b', '0b101', '-0b101', '+0b1_0', '0b2', '1_000', '1__2', '_1', '1_', '9007199254740993', '123456789012345678901234567890'],
  ...['.5', '5.', '.', '-.', '+.', '._', '1e3', '1E+3', '1.5e-3', '1e', 'e3', 'E3', 'e', '1_000.5', '1.0', '1.50', '-1.5', '+1.5', '1e-7', '1e999'],
  ...['.inf', '-.Inf', '+.INF', '.Inf', '.NaN', '.nan', '.NAN', '-.nan', '1:20', '02:00', '190:20:30', '2026-01-01', '2001-12-14t21:59:43.10-05:00'],
  ...['0.1.2', '1,000', '$1', '1.2.3.4', '::1', 'a:b', 'http://x', '8069', 'v1', '1Gi', '500m', '0.5', 'yes please', 'nil', 'None'],
];

const CASES: string[] = [
  'a: 1\na: 2\n', 'a: 1\n"a": 2\n', '1: a\n"1": b\n', 'yes: a\ntrue: b\n', '1: a\n01: b\n', '.nan: a\n.nan: b\n', 'a: {b: 1, b: 2}\n',
  'a: b: c\n', 'a:\n- b\n-c\n', 'a:\n  - b\n   - c\n', 'a:\n\tb: 1\n', 'a: \tb\n', 'a:\t1\n', '- a\n-\tb\n', '\ta: 1\n', 'a:\n\t- b\n', '\ta\'NO\'\n',
  'a: |\n  x\n  y\n', 'a: |-\n  x\n\n', 'a: |+\n  x\n\n', 'a: >\n  x\n  y\n\n  z\n', 'a: >-\n  x\n   y\n  z\n', 'a: |2\n   x\n', 'a: |1\n  x\n', 'a: |\n  x\n b\n', 'a: |\nx\n',
  'a: "x\\x41\\u0041\\U0001F600\\N\\_\\L\\P\\e\\/\\t\\0\\a\\b\\v\\f\\r\\ \\""\n', 'a: "\\q"\n', 'a: "\\xZZ"\n', 'key: "a\\\n  b"\n',
  'a: "x\n  y\n\n  z"\n', "a: 'x\n  y\n\n  z'\n", 'a: "x\ny"\n', "a: 'x\ny'\n", "- '\r\n1.5e-3'\n", '- ".NAN\n"\n', 'a: x\n  y\n  z\n', 'a: x\n\n  y\n',
  '---\na: 1\n---\nb: 2\n', '---\n---\n', '...\n', 'a: 1\n...\n---\nb: 2\n', 'a: 1\n...\nb: 2\n', '--- a\n', '--- |\n  x\n', '---x: v\n', '---x\n', '...x: 1\n',
  '# c\n', '', '\n\n', 'a: 1 # c\n', 'a: b#c\n', 'a: "b" #c\n', 'a: "b"c\n', "a: 'b'c\n",
  'a: [b, c, ]\n', 'a: [b, , c]\n', 'a: {b: 1, }\n', 'a: {b}\n', 'a: {b, c: 1}\n', 'a: [b: 1]\n', 'a: [b: 1, c]\n', '{"a":1}\n', 'a: {"b":1}\n',
  'a: [\nb]\n', 'a: {\nb: 1}\n', 'a: [\n  b,\n  c\n]\n', 'a:\n  - [b,\n  c]\n',
  'a:1\n', 'a :1\n', 'a\n', 'a: b\nc\n', '- a\nb: c\n', 'a:\n  b\n  c: d\n', '  a: 1\n  b: 2\n', '  a: 1\n b: 2\n', 'a:\n  b: 1\n c: 2\n',
  'a: 1\r\nb: 2\r\n', 'a: 1\rb: 2\r', 'a: b\r\n  c\r\n', '\ufeffa: 1\n', 'a: "é ü 日本"\n', 'é: 1\n', 'a b: 1\n', '"a\\nb": 1\n', "'a''b': 1\n",
  'a: - b\n', 'a: -b\n', '- - a\n  - b\n- c\n', '-\n  a: 1\n', '- a: 1\n  b: 2\n', '- a: 1\n   b: 2\n', 'a:\n- b: 1\n  c: 2\n',
  `x${'y'.repeat(1100)}: 1\n`, `a: ${'['.repeat(150)}${']'.repeat(150)}\n`, `a: ${'{b: '.repeat(60)}1${'}'.repeat(60)}\n`,
  'a: @b\n', 'a: `b\n', 'a: "unterminated\n', "a: 'unterminated\n", 'a: [unterminated\n', 'a: {b: 1\n', 'a: }\n', 'a: ]\n', 'a: b]\n', 'a: b,c\n',
  'a: !!str 1\n', 'a: !!int "1"\n', 'a: !x 1\n', 'a: &x 1\nb: *x\n', 'a: *x\n', 'a: &x [1]\nb: *x\n', '<<: {a: 1}\nb: 2\n', 'a: &a {x: 1}\nb:\n  <<: *a\n  y: 2\n',
  '%YAML 1.2\n---\na: yes\n', '? a\n: b\n', '[a, b]: c\n', '{a: 1}: c\n', '~: a\n', 'null: a\n', 'NULL: a\n', ': a\n', '{: a}\n', 'a: 1\n? b\n',
  'a: 0x1F\nb: 017\nc: 0o17\nd: 1_000\ne: .inf\nf: -.inf\ng: .nan\n', '__proto__: 1\n', 'a: {__proto__: 1}\n', 'constructor: 1\n', 'hasOwnProperty: 1\n',
  'a: b\u2028c\n', 'a: \u0085b\n', 'a: \u0001\n', 'a: "\u0001"\n', 'a: b\f\n',
];
for (const s of SCALARS) {
  for (const q of [s, `'${s}'`, JSON.stringify(s)]) CASES.push(`a: ${q}\n`, `- ${q}\n`, `[${q}]\n`, `{x: ${q}}\n`, `${q}: v\n`, `a:\n  ${q}: 1\n  b: 2\n`, `${q}\n`);
}

describe('plain scalars, YAML 1.1 as Kubernetes reads it', () => {
  it('resolve exactly as the yaml package does with KUBERNETES_YAML', () => {
    for (const s of SCALARS.filter((x) => x !== '')) {
      const [doc] = parseAllDocuments(`${s}\n`, { ...KUBERNETES_YAML, logLevel: 'silent' });
      const value = resolvePlainScalar(s);
      expect({ s, value: value === STRING ? s : value }).toEqual({ s, value: doc.toJS() });
    }
  });

  it('read booleans, nulls, octal, hexadecimal and binary numbers, and keep times and dates as strings', () => {
    const [doc] = loadKubernetesYaml('a: yes\nb: Off\nc: y\nd: ~\ne: 0755\nf: 0o17\ng: 0x1F\nh: 0b101\ni: 1_000\nj: .inf\nk: 02:00\nl: 2026-01-01\nm: "yes"\nz:\nn: 1\n');
    // Keys resolve too: `n` is false.
    expect(doc).toEqual({ a: true, b: false, c: true, d: null, e: 493, f: 15, g: 31, h: 5, i: 1000, j: Infinity, k: '02:00', l: '2026-01-01', m: 'yes', z: null, false: 1 });
  });

  it('read 0o octals as numbers on the reference path too', () => {
    // An anchor sends the text to the reference parser.
    expect(fastPathApplies('a: &x 0o17\n')).toBe(false);
    expect(parseManifests('kind: A\napiVersion: v1\na: &x 0o17\n', 'x.yaml').docs[0].object).toMatchObject({ a: 15 });
    expect(parseManifests('kind: A\napiVersion: v1\na: 0o17\n', 'x.yaml').docs[0].object).toMatchObject({ a: 15 });
  });
});

describe('the fast path', () => {
  it('agrees with the reference on every hand-picked case it takes', () => {
    expect(disagreements(CASES)).toEqual([]);
  });

  it('leaves to the reference parser what it could read differently', () => {
    for (const text of [
      'a: &x 1\nb: *x\n',
      'a: !!int "1"\n',
      '- !x 1\n',
      '<<: {a: 1}\n',
      '%YAML 1.2\n---\na: 1\n',
      '---x\n',
      '? a\n: b\n',
      '[a, b]: c\n',
      '~: a\n',
      'null: a\n',
      ': a\n',
      'a: "x\n  y"\n',
      "a: 'x\n  y'\n",
      'a: [b,\n  c]\n',
      'a:\n\tb: 1\n',
      'a: 1\rb: 2\n',
      'a: "x"# c\n',
      'a: [x]# c\n',
      '[#c\n]\n',
      '... a\n',
      '--- - a\n',
      '- -\n- a\n',
      '-\n  -\n- b\n',
      'a: |1\n  x\n',
      '{null}\n',
      '{[a]}\n',
      'a: [? b]\n',
      '[a, :b]\n',
      `${'k'.repeat(1030)}: 1\n`,
    ]) {
      expect({ text, fast: fastPathApplies(text) }).toEqual({ text, fast: false });
    }
  });

  it('takes what tenantctl synth writes', () => {
    const dir = join(ROOT, 'generated');
    const files = readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile() && e.name.endsWith('.yaml'));
    expect(files.length).toBeGreaterThan(100);
    const texts = files.map((e) => readFileSync(join(e.parentPath, e.name), 'utf8'));
    expect(texts.filter((t) => !fastPathApplies(t))).toEqual([]);
    expect(disagreements(texts)).toEqual([]);
  });

  it('agrees with the reference on seeded mutations of real manifests and CRDs', () => {
    let seed = 20251123;
    const random = () => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed / 0x7fffffff;
    };
    const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)];
    const sources = [
      ...readdirSync(join(ROOT, 'generated'), { recursive: true, withFileTypes: true })
        .filter((e) => e.isFile() && e.name.endsWith('.yaml'))
        .map((e) => readFileSync(join(e.parentPath, e.name), 'utf8')),
      ...readdirSync(join(ROOT, 'vendor', 'crds'))
        .filter((f) => f.endsWith('.yaml'))
        .flatMap((f) => {
          // Windows of 5 to 40 lines: the CRDs are too large to mutate whole.
          const lines = readFileSync(join(ROOT, 'vendor', 'crds', f), 'utf8').split('\n');
          return Array.from({ length: 40 }, () => {
            const at = Math.floor(random() * lines.length);
            return `${lines.slice(at, at + 5 + Math.floor(random() * 35)).join('\n')}\n`;
          });
        }),
      ...CASES,
    ];
    const pieces = [' ', '  ', '\n', '\t', ':', ': ', '-', '- ', '"', "'", '[', ']', '{', '}', ',', '#', ' #', '|', '>', '\\', '?', '*', '&', '!', '%', '@', '~', 'yes', '0', '.', 'e', '\r\n', '\r', '---\n', '...\n', '\u00a0', '\ufeff', '\u2028', '\\u00', '|-', '>+', '|2', 'null', '<<', 'e3'];
    const mutants: string[] = [];
    for (let i = 0; i < 6000; i++) {
      let text = pick(sources);
      for (let m = 1 + Math.floor(random() * 3); m > 0; m--) {
        const at = Math.floor(random() * text.length);
        const r = random();
        if (r < 0.4) text = text.slice(0, at) + pick(pieces) + text.slice(at);
        else if (r < 0.7) text = text.slice(0, at) + text.slice(at + 1 + Math.floor(random() * 3));
        else text = text.slice(0, at) + pick(pieces) + text.slice(at + 1);
      }
      mutants.push(text);
    }
    expect(disagreements(mutants)).toEqual([]);
  });
});

describe('the fast path on random texts', () => {
  it('agrees with the reference on random sequences of YAML tokens', () => {
    // mulberry32: a small seeded generator, so that a failure reproduces.
    let seed = 7;
    const random = () => {
      seed = (seed + 0x6d2b79f5) | 0;
      let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
    const tokens = ['a', 'k: ', 'yes', '1', '0x1', '.5', '~', 'null', 'e3', ' ', ' ', '  ', '\n', '\n', '\n  ', '\n    ', '\t', ':', ': ', '-', '- ', '- - ', '"', "'", '"x"', "'y'", '\\', '\\"', "''", '[', ']', '{', '}', '{}', '[]', ',', ', ', '#', ' #', '|', '>', '|-', '|2', '?', '? ', '&a ', '*a', '!!str ', '!t ', '%', '<<: ', '---', '...', '\r\n', '\r', '.'];
    const texts: string[] = [];
    for (let i = 0; i < 30000; i++) {
      let text = '';
      for (let n = 1 + Math.floor(random() * 16); n > 0; n--) text += tokens[Math.floor(random() * tokens.length)];
      texts.push(random() < 0.7 ? `${text}\n` : text);
    }
    expect(disagreements(texts)).toEqual([]);
  });
});

describe('parseManifests', () => {
  it('reports a duplicate key with its line, from the reference parser', () => {
    const { docs, problems } = parseManifests('apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  name: b\n', 'dup.yaml');
    expect(docs).toEqual([]);
    expect(problems).toEqual([expect.objectContaining({ code: 'manifest.unreadable', file: 'dup.yaml', message: expect.stringMatching(/^line 5: Map keys must be unique/) })]);
  });

  it('reports a syntax error with its line, and still reads the other documents of the file', () => {
    const { docs, problems } = parseManifests('apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: b\n', 'bad.yaml');
    expect(docs.map((d) => d.object.metadata.name)).toEqual(['a']);
    expect(problems).toEqual([expect.objectContaining({ code: 'manifest.unreadable', message: expect.stringMatching(/^line \d+: /) })]);
  });

  it('reads anchors and merge keys, and stops alias bombs, as before', () => {
    const { docs } = parseManifests('apiVersion: v1\nkind: ConfigMap\nmetadata: &m {name: a}\ndata:\n  <<: {a: "1"}\n  b: "2"\n', 'anchors.yaml');
    expect(docs[0].object).toEqual({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a' }, data: { a: '1', b: '2' } });
    const bomb = ['a: &a [x, x, x, x, x, x, x, x, x, x]', ...Array.from({ length: 8 }, (_, i) => `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [${Array(10).fill(`*${String.fromCharCode(97 + i)}`).join(', ')}]`)].join('\n');
    expect(parseManifests(`${bomb}\n`, 'bomb.yaml').problems).toEqual([expect.objectContaining({ code: 'manifest.unreadable' })]);
  });

  it('reports a document that is not a mapping', () => {
    expect(parseManifests('- a\n- b\n', 'list.yaml').problems).toEqual([expect.objectContaining({ message: 'document is not a YAML mapping' })]);
    expect(parseManifests('just text\n', 'text.yaml').problems).toEqual([expect.objectContaining({ message: 'document is not a YAML mapping' })]);
  });
});
