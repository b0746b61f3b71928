#!/bin/sh
# Fieldclaim .deb: let the logged-in user (and the dialout group) read Nordic boards over USB.
set -e
cp /opt/Fieldclaim/resources/99-fieldclaim-nordic.rules /lib/udev/rules.d/99-fieldclaim-nordic.rules
if command -v udevadm >/dev/null 2>&1; then
  udevadm control --reload-rules || true
  udevadm trigger --subsystem-match=tty || true
fi
echo "Fieldclaim: installed a udev rule so Nordic boards are readable by the logged-in user and the dialout group."
