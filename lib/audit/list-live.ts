/**
 * Lists a kind's live objects for the audit, page by page as the server sends them, so that a
 * page is compared and let go of before the next arrives: the audit's memory follows a few pages,
 * not the cluster. Cluster access goes through the small LiveReader interface.
 */
import type { ApiResource } from '../live/discovery.ts';
import type { ListOptions, ListPage } from '../live/kube-client.ts';
import type { KubeObject } from '../model/resource.ts';
import type { KindListing } from './kinds.ts';

/** What the auditor needs of a cluster; KubeClient fits. */
export interface LiveReader {
  /** Every kind the server serves. */
  resources(): Promise<ApiResource[]>;
  list(apiVersion: string, kind: string, options?: ListOptions): Promise<ListPage>;
}

/**
 * Namespaces of a per-namespace listing (Secrets: one request per tenant namespace, mostly one
 * small page each) listed at once. Listed one after another, they are hundreds of round trips
 * in a row, the longest listing of a cluster; a few at a time keep the server busy for the same
 * objects without holding more than a few namespaces' pages.
 */
const NAMESPACES_AT_ONCE = 8;

/**
 * The pages of one kind, as the server sends them (`limit`, then `continue` tokens), namespace by
 * namespace when it is listed per namespace (NAMESPACES_AT_ONCE listed ahead, yielded in order).
 */
export async function* pages(reader: LiveReader, listing: KindListing, pageSize: number, skipNamespace?: (namespace: string, error: unknown) => boolean): AsyncGenerator<KubeObject[]> {
  const inNamespaces = listing.inNamespaces;
  if (!inNamespaces) {
    yield* namespacePages(reader, listing, pageSize);
    return;
  }
  const all = async (namespace: string): Promise<KubeObject[][]> => {
    const out: KubeObject[][] = [];
    try {
      for await (const items of namespacePages(reader, listing, pageSize, namespace)) out.push(items);
    } catch (error) {
      // Listed namespace by namespace: one namespace the role does not cover is skipped, not the kind.
      if (skipNamespace?.(namespace, error)) return [];
      throw error;
    }
    return out;
  };
  const ahead: Array<Promise<KubeObject[][]>> = [];
  let next = 0;
  const start = () => {
    const p = all(inNamespaces[next++]);
    // Awaited in order below; a failure while an earlier namespace is awaited is not unhandled.
    p.catch(() => undefined);
    ahead.push(p);
  };
  while (next < inNamespaces.length && ahead.length < NAMESPACES_AT_ONCE) start();
  while (ahead.length) {
    const got = await ahead.shift()!;
    if (next < inNamespaces.length) start();
    yield* got;
  }
}

/** The pages of one kind in one namespace, or across the cluster. */
async function* namespacePages(reader: LiveReader, listing: KindListing, pageSize: number, namespace?: string): AsyncGenerator<KubeObject[]> {
  let token: string | undefined;
  do {
    const page: ListPage = await reader.list(listing.apiVersion, listing.kind, { labelSelector: listing.selector, limit: pageSize, continue: token, ...(namespace ? { namespace } : {}) });
    token = page.continue;
    yield page.items;
  } while (token);
}

/** Every object of one kind. */
export async function listAll(reader: LiveReader, listing: KindListing, pageSize: number): Promise<KubeObject[]> {
  const out: KubeObject[] = [];
  for await (const items of pages(reader, listing, pageSize)) out.push(...items);
  return out;
}

/**
 * Desired objects a selected list did not hold, looked up by name: a person may have removed our
 * label, and then the object is modified (the label is the drift), not missing. A `list` with a
 * field selector, so the auditor needs no `get`; a desired object without a namespace is looked
 * up in every namespace and kept only when exactly one answers (as pairObjects pairs it).
 */
export async function lookUp(reader: LiveReader, listing: KindListing, desired: readonly KubeObject[]): Promise<KubeObject[]> {
  const out: KubeObject[] = [];
  for (const d of desired) {
    const namespace = listing.namespaced ? d.metadata.namespace : undefined;
    const page = await reader.list(listing.apiVersion, listing.kind, { fieldSelector: `metadata.name=${d.metadata.name}`, ...(namespace ? { namespace } : {}) });
    if (page.items.length === 1) out.push(page.items[0]);
  }
  return out;
}
