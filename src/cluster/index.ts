/** The Docker cluster: two isolated BanyanDB instances, one per data model. */
export {
  Cluster,
  type ContainerState,
  checkPortsFree,
  type LogsOptions,
  StartedCluster,
  type StatsSampler,
  type StatsSamplingResult,
} from './cluster.js';
export { composeDocument, containerName, instanceCommand, renderCompose, toYaml, type YamlValue } from './compose.js';
export {
  type ComposeFlavour,
  type DockerInfo,
  detectCompose,
  detectDocker,
  parseBytePair,
  parseBytes,
  parsePercent,
  parseStatsLine,
} from './docker.js';
export { buildEmulatorImage, buildSourceImage, ensureImage, imageExists } from './images.js';
export {
  type ClusterOptions,
  CONTAINER_PORTS,
  DEFAULT_HEALTHCHECK,
  DEFAULT_HOST_PORTS,
  DEFAULT_LIMITS,
  DEFAULT_OFFICIAL_IMAGE,
  DEFAULT_PROJECT_NAME,
  DEFAULT_RESERVATIONS,
  EMULATOR_IMAGE,
  type HealthcheckOptions,
  type ImageSpec,
  type PortSet,
  type ResolvedClusterOptions,
  type ResourceOptions,
  type Resources,
  resolveClusterOptions,
  SERVICES,
  SOURCE_IMAGE,
} from './options.js';
export { type StatsRatios, statsRatios, summarizeStats } from './stats.js';
