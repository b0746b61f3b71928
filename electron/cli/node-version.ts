/** The oldest Node.js the native modules (better-sqlite3 13) load in; on Node 20 they crash the process. */
export const MIN_NODE_MAJOR = 22;

/** Why this runtime cannot run the command line, in words that say what to do; null when it can. */
export function runtimeProblem(versions: NodeJS.ProcessVersions = process.versions): string | null {
  if (versions.electron) return null; // the installed app brings its own runtime
  const major = Number(versions.node.split('.')[0]);
  if (major >= MIN_NODE_MAJOR) return null;
  return (
    `fieldclaim needs Node.js ${MIN_NODE_MAJOR} or later; this is Node.js ${versions.node}. ` +
    'In a checkout, run it as `npx fieldclaim ...` (npm install brings Node 22 with it); ' +
    `otherwise install Node.js ${MIN_NODE_MAJOR}, or run the installed app as \`Fieldclaim --cli ...\`.`
  );
}
