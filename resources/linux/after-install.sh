#!/bin/sh
# Fieldclaim .deb, after installing to /opt/Fieldclaim (this replaces electron-builder's own script).
set -e

# The command line: `fieldclaim <command>` runs the installed app without a window.
cat > /usr/bin/fieldclaim <<'LAUNCHER'
#!/bin/sh
exec /opt/Fieldclaim/fieldclaim --cli "$@"
LAUNCHER
chmod 755 /usr/bin/fieldclaim

# Electron's sandbox helper must be setuid root where unprivileged user namespaces are restricted.
chmod 4755 /opt/Fieldclaim/chrome-sandbox || true
if command -v update-desktop-database >/dev/null 2>&1; then update-desktop-database -q || true; fi

# Let the logged-in user (and the dialout group) read Nordic boards over USB.
cp /opt/Fieldclaim/resources/99-fieldclaim-nordic.rules /lib/udev/rules.d/99-fieldclaim-nordic.rules
if command -v udevadm >/dev/null 2>&1; then
  udevadm control --reload-rules || true
  udevadm trigger --subsystem-match=tty || true
fi
echo "Fieldclaim: installed a udev rule so Nordic boards are readable by the logged-in user and the dialout group."
