/**
 * Compose projects this process started and has not removed yet. Kept apart from the cluster module (no
 * dependencies) so the CLI's signal handler can name what a forced exit leaves running.
 */

const live = new Map<string, string>();

/** @internal records a project as started (with the command that removes it). */
export function markLive(project: string): void {
  live.set(project, `banyandb-perf clean --project ${project}`);
}

/** @internal records a project as removed (or intentionally left running). */
export function markGone(project: string): void {
  live.delete(project);
}

/**
 * Compose projects this process started and has not removed yet, each with the command that removes it
 * (`banyandb-perf clean --project <name>`). A forced exit (second Ctrl-C) names them.
 */
export function liveClusters(): { project: string; remove: string }[] {
  return [...live].map(([project, remove]) => ({ project, remove }));
}
