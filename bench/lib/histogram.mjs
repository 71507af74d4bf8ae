// A mergeable latency histogram: logarithmic buckets 1% wide, values in microseconds,
// plus the exact count, sum and max. Cheap enough to record every delivery.
const GROWTH = 1.01;
const LOG_GROWTH = Math.log(GROWTH);
const BUCKETS = 2400; // 1.01^2400 µs is far beyond any run's length

export class Histogram {
  constructor() {
    this.counts = new Float64Array(BUCKETS);
    this.count = 0;
    this.sum = 0;
    this.max = 0;
    this.min = Infinity;
  }

  record(us) {
    const b = us < 1 ? 0 : Math.min(BUCKETS - 1, 1 + Math.floor(Math.log(us) / LOG_GROWTH));
    this.counts[b]++;
    this.count++;
    this.sum += us;
    if (us > this.max) this.max = us;
    if (us < this.min) this.min = us;
  }

  /** The value at quantile q (0..1), in µs: the middle of its bucket, never above max. */
  quantile(q) {
    if (this.count === 0) return null;
    const rank = Math.max(1, Math.ceil(q * this.count));
    let seen = 0;
    for (let b = 0; b < BUCKETS; b++) {
      seen += this.counts[b];
      if (seen >= rank) {
        if (b === 0) return Math.min(1, this.max);
        const mid = Math.pow(GROWTH, b - 0.5);
        return Math.min(Math.max(mid, this.min), this.max);
      }
    }
    return this.max;
  }

  toJSON() {
    // Sparse: [bucket, count] pairs.
    const buckets = [];
    for (let b = 0; b < BUCKETS; b++) if (this.counts[b]) buckets.push([b, this.counts[b]]);
    return { count: this.count, sum: this.sum, max: this.max, min: this.count ? this.min : null, buckets };
  }

  static fromJSON(j) {
    const h = new Histogram();
    h.count = j.count;
    h.sum = j.sum;
    h.max = j.max;
    h.min = j.min ?? Infinity;
    for (const [b, c] of j.buckets) h.counts[b] = c;
    return h;
  }

  merge(other) {
    for (let b = 0; b < BUCKETS; b++) this.counts[b] += other.counts[b];
    this.count += other.count;
    this.sum += other.sum;
    if (other.max > this.max) this.max = other.max;
    if (other.min < this.min) this.min = other.min;
    return this;
  }

  /** p50, p90, p99, p999 and max, in milliseconds. */
  summaryMs() {
    const ms = (v) => (v === null ? null : v / 1000);
    return {
      count: this.count,
      mean_ms: this.count ? this.sum / this.count / 1000 : null,
      p50_ms: ms(this.quantile(0.5)),
      p90_ms: ms(this.quantile(0.9)),
      p99_ms: ms(this.quantile(0.99)),
      p999_ms: ms(this.quantile(0.999)),
      max_ms: this.count ? this.max / 1000 : null,
    };
  }
}
