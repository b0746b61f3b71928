#!/bin/sh
# Fieldclaim .deb: remove the command-line launcher and the udev rule installed for Nordic boards.
rm -f /usr/bin/fieldclaim
rm -f /lib/udev/rules.d/99-fieldclaim-nordic.rules
command -v udevadm >/dev/null 2>&1 && udevadm control --reload-rules || true
