/**
 * How users reach Odoo: a Traefik v3 IngressRoute on websecure (websocket to the gevent port,
 * the database manager blocked or allow-listed), its middlewares, and a cert-manager certificate.
 */
import { Construct } from 'constructs';
import * as certmanager from '../../vendor/imports/certmanager-cert-manager.io.ts';
import * as traefik from '../../vendor/imports/traefik-traefik.io.ts';
import type { TenantEnvironment } from '../../lib/model/environment.ts';

/** Documentation range (RFC 5737): matches no client, so an allow-list of it denies everyone. */
const NOBODY = '192.0.2.255/32';

export function hostRule(domains: readonly string[]): string {
  const hosts = domains.map((d) => `Host(\`${d}\`)`);
  return hosts.length === 1 ? hosts[0] : `(${hosts.join(' || ')})`;
}

export class TenantRouting extends Construct {
  constructor(scope: Construct, env: TenantEnvironment) {
    super(scope, 'routing');
    const namespace = env.namespace;
    const mw = (id: string, name: string, spec: traefik.MiddlewareSpec) => new traefik.Middleware(this, id, { metadata: { name, namespace }, spec });

    mw('headers', 'security-headers', {
      headers: {
        stsSeconds: 31536000,
        stsIncludeSubdomains: true,
        stsPreload: true,
        forceStsHeader: true,
        customFrameOptionsValue: 'SAMEORIGIN',
        contentTypeNosniff: true,
        referrerPolicy: 'strict-origin-when-cross-origin',
        customRequestHeaders: { 'X-Forwarded-Proto': 'https' },
      },
    });
    mw('ratelimit', 'rate-limit', {
      rateLimit: { average: env.ingress.rateLimit.average, burst: env.ingress.rateLimit.burst, period: traefik.MiddlewareSpecRateLimitPeriod.fromString('1s') },
    });
    mw('upload', 'upload-limit', {
      buffering: { maxRequestBodyBytes: env.ingress.maxUploadMb * 1024 * 1024, memRequestBodyBytes: 2 * 1024 * 1024 },
    });
    const admin = env.ingress.adminAllowList.length > 0;
    mw('admin', admin ? 'admin-allowlist' : 'deny-all', {
      ipAllowList: { sourceRange: admin ? [...env.ingress.adminAllowList] : [NOBODY], rejectStatusCode: 403 },
    });

    const hosts = hostRule(env.domains);
    const service = (port: number): traefik.IngressRouteSpecRoutesServices => ({
      kind: traefik.IngressRouteSpecRoutesServicesKind.SERVICE,
      name: 'odoo',
      port: traefik.IngressRouteSpecRoutesServicesPort.fromNumber(port),
    });
    const ref = (name: string) => ({ name });
    new traefik.IngressRoute(this, 'route', {
      metadata: { name: 'odoo', namespace },
      spec: {
        entryPoints: ['websecure'],
        routes: [
          {
            kind: traefik.IngressRouteSpecRoutesKind.RULE,
            match: `${hosts} && PathPrefix(\`/web/database\`)`,
            middlewares: [ref('security-headers'), ref(admin ? 'admin-allowlist' : 'deny-all')],
            services: [service(8069)],
          },
          {
            kind: traefik.IngressRouteSpecRoutesKind.RULE,
            match: `${hosts} && PathPrefix(\`/websocket\`)`,
            middlewares: [ref('security-headers')],
            services: [service(8072)],
          },
          {
            kind: traefik.IngressRouteSpecRoutesKind.RULE,
            match: hosts,
            middlewares: [ref('security-headers'), ref('rate-limit'), ref('upload-limit')],
            services: [service(8069)],
          },
        ],
        tls: { secretName: 'odoo-tls' },
      },
    });

    new certmanager.Certificate(this, 'cert', {
      metadata: { name: 'odoo-tls', namespace },
      spec: {
        secretName: 'odoo-tls',
        dnsNames: [...env.domains],
        issuerRef: { name: env.fleet.issuer.name, kind: env.fleet.issuer.kind, group: 'cert-manager.io' },
        duration: '2160h',
        renewBefore: '360h',
        privateKey: {
          algorithm: certmanager.CertificateSpecPrivateKeyAlgorithm.ECDSA,
          size: 256,
          rotationPolicy: certmanager.CertificateSpecPrivateKeyRotationPolicy.ALWAYS,
        },
      },
    });
  }
}
