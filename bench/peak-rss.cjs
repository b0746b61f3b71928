// Preloaded into a measured CLI process (node -r): writes its peak resident memory (KiB) on exit.
// Linux: VmHWM, this process image's own high-water mark. getrusage's maxRSS is not used there: it
// keeps the high-water mark of the process that forked it (the benchmark, 100 MB and more).
const { readFileSync, writeFileSync } = require('node:fs');

const peakKib = () => {
  try {
    const match = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync('/proc/self/status', 'utf8'));
    if (match) return Number(match[1]);
  } catch {
    // not Linux: what the system offers
  }
  return process.resourceUsage().maxRSS;
};

process.on('exit', () => {
  if (process.env.FIELDCLAIM_PEAK_RSS_FILE)
    writeFileSync(process.env.FIELDCLAIM_PEAK_RSS_FILE, String(peakKib()));
});
