#!/bin/sh
# The container's entrypoint: writes MasqueradeAddress from $MASQUERADE_ADDRESS (the address
# PASV replies announce; see the Dockerfile), then runs the command (oxftpd -n).
set -e
if [ -n "$MASQUERADE_ADDRESS" ]; then
	echo "MasqueradeAddress $MASQUERADE_ADDRESS" >/etc/oxftpd/masquerade.conf
else
	: >/etc/oxftpd/masquerade.conf
fi
exec "$@"
