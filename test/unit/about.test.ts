import { describe, expect, it } from 'vitest';
import { about } from '../../electron/services/about';

const build = { version: '1.2.3', commit: 'abc1234' };

describe('the About box', () => {
  it('shows the version and the commit of the build', () => {
    expect(
      about(build, { platform: 'darwin', resourcesPath: '/Applications/Fieldclaim.app/Contents/Resources' }),
    ).toEqual({
      ...build,
      serialSetup: null,
    });
  });

  it('explains the one command to install the udev rule in an AppImage without it', () => {
    const info = about(build, {
      platform: 'linux',
      resourcesPath: '/tmp/.mount_Fieldc/resources',
      exists: () => false,
    });
    expect(info.serialSetup).toContain(
      'sudo install -m 644 "/tmp/.mount_Fieldc/resources/99-fieldclaim-nordic.rules" /etc/udev/rules.d/',
    );
  });

  it('says nothing once the rule is installed (for example by the .deb)', () => {
    const installed = (path: string) => path === '/lib/udev/rules.d/99-fieldclaim-nordic.rules';
    expect(
      about(build, { platform: 'linux', resourcesPath: '/opt/Fieldclaim/resources', exists: installed })
        .serialSetup,
    ).toBeNull();
  });
});
