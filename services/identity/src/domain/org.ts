export const DEFAULT_ORG_ID = 'default';

export interface Org {
  id: string;
  name: string;
  createdAt: Date;
}

/**
 * An org's id is a slug of its name, so `Acme Corp` and `acme-corp` are the same org and the
 * id reads well in tokens and URLs. Empty when the name has no letter or digit.
 */
export function orgIdFromName(name: string): string {
  return name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 48)
    .replace(/-+$/, '');
}
