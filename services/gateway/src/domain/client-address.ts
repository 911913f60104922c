/**
 * The caller's address. With `trustedHops` proxies in front (TRUST_PROXY), the client is the
 * entry that many places left of the socket peer in `x-forwarded-for`; entries further left
 * were written by the caller and prove nothing. Without trusted proxies the header is ignored.
 */
export function clientAddress(peer: string, forwardedFor: string | undefined, trustedHops: number): string {
  if (trustedHops === 0 || !forwardedFor) return peer;
  const chain = forwardedFor.split(',');
  const i = chain.length - trustedHops;
  const picked = chain[Math.max(0, i)]?.trim();
  return picked || peer;
}

/**
 * The rate-limit key of an address. One IPv6 host usually owns a whole /64, so keying by the
 * full address would let it rotate through 2^64 keys; IPv4-mapped IPv6 counts as the IPv4.
 */
export function rateLimitKey(address: string): string {
  if (!address.includes(':')) return address;
  const lower = address.toLowerCase();
  if (lower.startsWith('::ffff:') && lower.includes('.')) return lower.slice(7);
  return `${ipv6Prefix64(lower)}::/64`;
}

function ipv6Prefix64(address: string): string {
  const zone = address.indexOf('%');
  const bare = zone === -1 ? address : address.slice(0, zone);
  const [head = '', tail] = bare.split('::');
  const left = head ? head.split(':') : [];
  const right = tail === undefined ? [] : tail ? tail.split(':') : [];
  const missing = 8 - left.length - right.length;
  const groups =
    tail === undefined ? left : [...left, ...Array<string>(Math.max(0, missing)).fill('0'), ...right];
  return groups
    .slice(0, 4)
    .map((g) => g.replace(/^0+(?=.)/, ''))
    .join(':');
}
