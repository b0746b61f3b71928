// Worker threads do not inherit vitest's or tsx's TypeScript loading: load tsx here, then run the
// TypeScript entry named in argv.
import { tsImport } from 'tsx/esm/api';

await tsImport(process.argv[2], import.meta.url);
