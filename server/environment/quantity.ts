/**
 * Kubernetes resource quantities (`500m`, `1.5Gi`, `2e3`) as exact fractions, so the
 * downward API's rounding matches the kubelet's to the unit.
 */
export interface Quantity {
	numerator: bigint;
	denominator: bigint;
}

const BINARY: Record<string, bigint> = { Ki: 1n << 10n, Mi: 1n << 20n, Gi: 1n << 30n, Ti: 1n << 40n, Pi: 1n << 50n, Ei: 1n << 60n };
const DECIMAL: Record<string, number> = { n: -9, u: -6, m: -3, '': 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const SYNTAX = /^([+-]?)(\d*)(?:\.(\d*))?(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE]|[eE][+-]?\d+)?$/;

export const ZERO_QUANTITY: Quantity = { numerator: 0n, denominator: 1n };

/** Parses a quantity string; null when it is not one. */
export function parseQuantity(text: string): Quantity | null {
	const match = SYNTAX.exec(text.trim());
	if (!match) return null;
	const [, sign, whole, fraction = '', suffix = ''] = match;
	if (whole === '' && fraction === '') return null;
	let numerator = BigInt(`${whole}${fraction}` || '0') * (sign === '-' ? -1n : 1n);
	let denominator = 10n ** BigInt(fraction.length);
	if (suffix in BINARY) {
		numerator *= BINARY[suffix];
	} else {
		const exponent = suffix in DECIMAL ? DECIMAL[suffix] : Number(suffix.slice(1));
		if (exponent >= 0) numerator *= 10n ** BigInt(exponent);
		else denominator *= 10n ** BigInt(-exponent);
	}
	return { numerator, denominator };
}

export const isZero = (q: Quantity): boolean => q.numerator === 0n;

/** The value scaled by 10^scale, rounded away from zero as `Quantity.ScaledValue` does. */
function scaled(q: Quantity, scale: number): bigint {
	const numerator = q.numerator * 10n ** BigInt(scale);
	const quotient = numerator / q.denominator;
	if (quotient * q.denominator === numerator) return quotient;
	return numerator < 0n ? quotient - 1n : quotient + 1n;
}

/** `Quantity.Value()`: whole units, rounded away from zero. */
export const wholeValue = (q: Quantity): bigint => scaled(q, 0);

/** `Quantity.MilliValue()`: thousandths, rounded away from zero. */
export const milliValue = (q: Quantity): bigint => scaled(q, 3);
