import { existsSync } from 'node:fs';
import { join } from 'node:path';

export interface BuildInfo {
  version: string;
  commit: string;
}

export interface About extends BuildInfo {
  /** On Linux without the udev rule: the one command that lets the user read boards. */
  serialSetup: string | null;
}

const ruleName = '99-fieldclaim-nordic.rules';
const installedRules = [
  `/etc/udev/rules.d/${ruleName}`,
  `/lib/udev/rules.d/${ruleName}`,
  `/usr/lib/udev/rules.d/${ruleName}`,
];

/**
 * What the About box shows. The .deb installs the udev rule itself; an AppImage cannot, so its
 * first run explains the one command that does (the rule ships inside the image).
 */
export function about(
  build: BuildInfo,
  env: { platform: NodeJS.Platform; resourcesPath: string | null; exists?: (path: string) => boolean },
): About {
  const exists = env.exists ?? existsSync;
  const missing = env.platform === 'linux' && env.resourcesPath !== null && !installedRules.some(exists);
  return {
    ...build,
    serialSetup: missing
      ? `To read boards without root, install the udev rule once: sudo install -m 644 "${join(env.resourcesPath!, ruleName)}" /etc/udev/rules.d/ && sudo udevadm control --reload-rules`
      : null,
  };
}
