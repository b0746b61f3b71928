// Preloaded into a measured CLI process (node -r): writes its peak resident memory (KiB) on exit.
const { writeFileSync } = require('node:fs');
process.on('exit', () => {
  if (process.env.FIELDCLAIM_PEAK_RSS_FILE)
    writeFileSync(process.env.FIELDCLAIM_PEAK_RSS_FILE, String(process.resourceUsage().maxRSS));
});
