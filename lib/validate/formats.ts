/**
 * The `format` values Kubernetes schemas use, as ajv formats. A format ajv does not know would
 * be ignored silently, so each one the strict schemas keep is registered here.
 */
import type { Format } from 'ajv';
import { fullFormats } from 'ajv-formats/dist/formats.js';
import { QUANTITY_PATTERN } from '../model/quantity.ts';
import type { KUBERNETES_FORMATS } from './strict-schema.ts';

const INT32 = 2 ** 31;
const INT64 = 2 ** 63;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

export const kubernetesFormats: Readonly<Record<(typeof KUBERNETES_FORMATS)[number], Format>> = {
  int32: { type: 'number', validate: (n: number) => Number.isInteger(n) && n >= -INT32 && n < INT32 },
  int64: { type: 'number', validate: (n: number) => Number.isInteger(n) && n >= -INT64 && n < INT64 },
  double: { type: 'number', validate: (n: number) => Number.isFinite(n) },
  float: { type: 'number', validate: (n: number) => Number.isFinite(n) },
  byte: { type: 'string', validate: (s: string) => BASE64.test(s) },
  'date-time': fullFormats['date-time'],
  quantity: { type: 'string', validate: (s: string) => QUANTITY_PATTERN.test(s) },
  'int-or-string': { type: 'string', validate: () => true },
};

/** Human wording of a failed format, for findings. */
export const FORMAT_MESSAGES: Readonly<Record<string, string>> = {
  int32: 'must be a 32-bit integer (-2147483648 to 2147483647)',
  int64: 'must be a 64-bit integer',
  double: 'must be a finite number',
  float: 'must be a finite number',
  byte: 'must be base64-encoded',
  'date-time': 'must be an RFC 3339 date-time such as 2025-01-31T12:00:00Z',
  quantity: 'must be a quantity such as 500m, 1.5, 512Mi or 1G',
};
