/**
 * IPv4 address ranges as the network settings need them: parse, canonical form, containment and overlap. Pure, so
 * config validation and tests use the same arithmetic. IPv4 only: the stack's virtual network and AKS's overlay
 * ranges are IPv4 here.
 */

export interface Cidr {
    /** The network address as an unsigned 32-bit integer. */
    readonly base: number;
    readonly prefix: number;
    /** As written by the user. */
    readonly text: string;
}

const ADDRESS = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

/** An IPv4 address as an unsigned integer, or undefined when it is not one (each octet 0-255, no leading zeros). */
export function parseAddress(text: string): number | undefined {
    const match = ADDRESS.exec(text);
    if (match === null) {
        return undefined;
    }
    const octets = match.slice(1).map((octet) => (/^(?:0|[1-9]\d*)$/.test(octet) ? Number(octet) : NaN));
    if (octets.some((octet) => !(octet >= 0 && octet <= 255))) {
        return undefined;
    }
    return ((octets[0] << 24) >>> 0) + (octets[1] << 16) + (octets[2] << 8) + octets[3];
}

export function formatAddress(value: number): string {
    return [value >>> 24, (value >>> 16) & 255, (value >>> 8) & 255, value & 255].join(".");
}

function mask(prefix: number): number {
    return prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
}

/**
 * `a.b.c.d/n` with its address as written (host bits included); undefined when it is not one. Use `canonical` to
 * tell whether host bits are set.
 */
export function parseCidr(text: string): Cidr | undefined {
    const slash = text.indexOf("/");
    if (slash === -1) {
        return undefined;
    }
    const address = parseAddress(text.slice(0, slash));
    const prefixText = text.slice(slash + 1);
    const prefix = /^(?:0|[1-9]\d?)$/.test(prefixText) ? Number(prefixText) : NaN;
    if (address === undefined || !(prefix >= 0 && prefix <= 32)) {
        return undefined;
    }
    return { base: address, prefix, text };
}

/** The range with its host bits cleared, as Azure requires it written (`10.1.2.0/16` -> `10.1.0.0/16`). */
export function canonical(cidr: Cidr): string {
    return `${formatAddress((cidr.base & mask(cidr.prefix)) >>> 0)}/${cidr.prefix}`;
}

export function isCanonical(cidr: Cidr): boolean {
    return canonical(cidr) === `${formatAddress(cidr.base)}/${cidr.prefix}`;
}

function first(cidr: Cidr): number {
    return (cidr.base & mask(cidr.prefix)) >>> 0;
}

function last(cidr: Cidr): number {
    return (first(cidr) + 2 ** (32 - cidr.prefix) - 1) >>> 0;
}

/** True when the two ranges share at least one address. */
export function overlaps(a: Cidr, b: Cidr): boolean {
    return first(a) <= last(b) && first(b) <= last(a);
}

/** True when every address of `inner` is in `outer`. */
export function containsRange(outer: Cidr, inner: Cidr): boolean {
    return first(outer) <= first(inner) && last(inner) <= last(outer);
}

/** True when the address is in the range. */
export function containsAddress(range: Cidr, address: number): boolean {
    return first(range) <= address && address <= last(range);
}
