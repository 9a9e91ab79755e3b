/** Summary statistics of repeated measurements. The median, not the mean: one slow run must not move the result. */

export interface Summary {
    readonly runs: number;
    readonly min: number;
    readonly median: number;
    readonly max: number;
}

/** min, median (mean of the middle two for an even count) and max; throws on no values. */
export function summarize(values: readonly number[]): Summary {
    if (values.length === 0) {
        throw new Error("summarize: no measurements");
    }
    const sorted = [...values].sort((a, b) => a - b);
    const middle = Math.floor(sorted.length / 2);
    const median = sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    return { runs: sorted.length, min: sorted[0], median, max: sorted[sorted.length - 1] };
}

/** Least-squares slope and intercept of y over x: the marginal cost per unit of x and the fixed part. */
export function linearFit(points: readonly { x: number; y: number }[]): { slope: number; intercept: number } {
    if (points.length < 2) {
        throw new Error("linearFit: need at least two points");
    }
    const n = points.length;
    const meanX = points.reduce((sum, p) => sum + p.x, 0) / n;
    const meanY = points.reduce((sum, p) => sum + p.y, 0) / n;
    const sxx = points.reduce((sum, p) => sum + (p.x - meanX) ** 2, 0);
    if (sxx === 0) {
        throw new Error("linearFit: all x values are equal");
    }
    const sxy = points.reduce((sum, p) => sum + (p.x - meanX) * (p.y - meanY), 0);
    const slope = sxy / sxx;
    return { slope, intercept: meanY - slope * meanX };
}
