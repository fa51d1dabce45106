/** The tiers tenantctl knows, by name, and every template synthesis runs. Adding a tier means adding its file here. */
import type { Templates, TierRegistry } from '../lib/tier/tier.ts';
import { renderClusterBase } from './cluster.ts';
import { dedicated } from './dedicated.ts';
import { renderArgoCd, renderFlux } from './gitops.ts';
import { regulated } from './regulated.ts';
import { shared } from './shared.ts';

export const tiers: TierRegistry = { shared, dedicated, regulated };

export const templates: Templates = { tiers, clusterBase: renderClusterBase, argoCd: renderArgoCd, flux: renderFlux };
