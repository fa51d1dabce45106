/** The tiers tenantctl knows, by name. Adding a tier means adding its file here. */
import type { TierRegistry } from '../lib/tier/tier.ts';
import { dedicated } from './dedicated.ts';
import { regulated } from './regulated.ts';
import { shared } from './shared.ts';

export const tiers: TierRegistry = { shared, dedicated, regulated };
