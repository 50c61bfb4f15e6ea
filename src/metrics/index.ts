export { HIGHEST_TRACKABLE_US, LatencyRecorder, SIGNIFICANT_DIGITS } from './latency.js';
export {
  compareSpreads,
  incompleteBeta,
  logGamma,
  OnlineStats,
  SIGNIFICANCE_LEVEL,
  spread,
  studentTQuantile,
  studentTTwoSidedP,
  T_975_TABLE,
  welchTTest,
} from './stats.js';
export { ThroughputSeries } from './throughput.js';
