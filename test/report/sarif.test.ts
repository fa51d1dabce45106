import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Ajv } from 'ajv';
import { fullFormats } from 'ajv-formats/dist/formats.js';
import { describe, expect, it } from 'vitest';
import { runPolicies } from '../../lib/policy/engine.ts';
import { buildSarif, renderSarif } from '../../lib/report/sarif.ts';
import { schemaFindingsAsFindings } from '../../lib/report/rules.ts';
import { compliantObjects, context, environment, TODAY, withChange } from '../policy/fixtures.ts';

/** The official SARIF 2.1.0 (rtm.5) schema, as shipped by Microsoft's sarif-js-sdk (@microsoft/jest-sarif). */
function sarifValidator() {
  const path = createRequire(import.meta.url).resolve('@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json');
  const schema = JSON.parse(readFileSync(path, 'utf8'));
  // Draft-04 header; the schema uses no draft-04-only keyword, so ajv's default draft reads it as is.
  schema.$id = schema.id;
  delete schema.id;
  delete schema.$schema;
  const ajv = new Ajv({ allErrors: true, strict: false, unicodeRegExp: false }); // one pattern of the schema is invalid with the u flag
  for (const f of ['date-time', 'uri', 'uri-reference'] as const) ajv.addFormat(f, fullFormats[f]);
  return ajv.compile(schema);
}

const TENANT_FILE = `import { defineTenant } from '../lib/tenant/schema.ts';

export default defineTenant({
  name: 'acme',
  displayName: 'Acme',
  tier: 'dedicated',
  region: 'eu-west',
  odoo: { version: '18.0', image: 'docker.io/odoo:18.0' },
  environments: {
    production: { domains: ['erp.acme.example'] },
  },
  waivers: [
    {
      policy: 'security/run-as-non-root',
      reason: 'vendor image needs root for now',
      owner: 'team-a',
      expires: '2026-01-31',
    },
  ],
});
`;

function findings() {
  const objects = withChange('Deployment', 'odoo', (d) => {
    d.spec.template.spec.containers[0].image = 'docker.io/odoo:18.0';
    delete d.spec.template.spec.securityContext.runAsUser;
    delete d.spec.template.spec.containers[0].livenessProbe;
  });
  const env = environment({ waivers: [{ policy: 'security/run-as-non-root', reason: 'vendor image needs root for now', owner: 'team-a', expires: '2026-01-31' }, { policy: 'resilience/probes', reason: 'probe lands with the next image', owner: 'team-a', expires: '2026-12-31' }] });
  const deployment = objects.find((o) => o.kind === 'Deployment')!;
  const files = new Map([[deployment, 'generated/eu-1/tenants/acme-production/deployment-odoo.yaml']]);
  const small = { ...context(objects, [env]).cluster, capacity: { cpu: 0.5, memoryGi: 64 } };
  return runPolicies({ ...context(objects, [env]), cluster: small, files }, { today: TODAY });
}

describe('SARIF output', () => {
  it('is valid against the official SARIF 2.1.0 schema', () => {
    const validate = sarifValidator();
    const log = JSON.parse(renderSarif(findings(), { toolVersion: '0.1.0', sources: new Map([['tenants/acme.ts', TENANT_FILE]]) }));
    expect(validate(log), JSON.stringify(validate.errors, null, 2)).toBe(true);
    expect(log.runs[0].results.length).toBeGreaterThan(3);
  });

  it('lists every policy as a rule with its fix as help', () => {
    const rules = (buildSarif([]) as any).runs[0].tool.driver.rules;
    expect(rules.find((r: any) => r.id === 'security/run-as-non-root')).toMatchObject({ help: { text: expect.stringContaining('runAsNonRoot') }, defaultConfiguration: { level: 'error' } });
    expect(rules.find((r: any) => r.id === 'schema/invalid')).toBeDefined();
  });

  it('points a result at the tenant file line, then at the generated file', () => {
    const log = buildSarif(findings(), { sources: new Map([['tenants/acme.ts', TENANT_FILE]]) }) as any;
    const image = log.runs[0].results.find((r: any) => r.ruleId === 'security/allowed-registries');
    expect(image.locations.map((l: any) => [l.physicalLocation.artifactLocation.uri, l.physicalLocation.region.startLine])).toEqual([
      ['tenants/acme.ts', 8],
      ['generated/eu-1/tenants/acme-production/deployment-odoo.yaml', 1],
    ]);
    const expired = log.runs[0].results.find((r: any) => r.ruleId === 'policy/waiver-expired');
    expect(expired.locations[0].physicalLocation.region.startLine).toBe(17);
  });

  it('falls back to line 1 without the tenant file text, and points cluster findings at fleet.ts', () => {
    const log = buildSarif(findings()) as any;
    expect(log.runs[0].results[0].locations[0].physicalLocation.region.startLine).toBe(1);
    const capacity = log.runs[0].results.find((r: any) => r.ruleId === 'capacity/cluster-requests');
    expect(capacity.locations[0].physicalLocation.artifactLocation.uri).toBe('fleet.ts');
  });

  it('marks waived findings as suppressed', () => {
    const log = buildSarif(findings()) as any;
    const probe = log.runs[0].results.find((r: any) => r.ruleId === 'resilience/probes');
    expect(probe.suppressions).toEqual([{ kind: 'external', status: 'accepted', justification: expect.stringContaining('team-a') }]);
  });

  it('carries schema findings with the tenant file found from the generated path', () => {
    const [f] = schemaFindingsAsFindings(
      [{ code: 'schema.invalid', file: 'generated/eu-1/tenants/acme-production/deployment-odoo.yaml', resource: 'Deployment/tenant-acme-production/odoo', apiVersion: 'apps/v1', path: 'spec.replicaz', message: 'unknown field "replicaz"' }],
      [environment()],
    );
    expect(f).toMatchObject({ policy: 'schema/invalid', tenant: 'acme', tenantFile: 'tenants/acme.ts', resource: { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'tenant-acme-production', name: 'odoo' } });
    expect(sarifValidator()(JSON.parse(renderSarif([f])))).toBe(true);
  });

  it('is empty but valid when there is nothing to report', () => {
    expect(sarifValidator()(JSON.parse(renderSarif(runPolicies(context(compliantObjects()), { today: TODAY }))))).toBe(true);
  });
});
