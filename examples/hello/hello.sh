#!/bin/sh
# The example app: says hello and shows a little of where it runs.
echo "$GREETING!"
echo "app:      ${AC_APP_NAME:-unknown}"
echo "user:     $(id)"
echo "rootfs:   $(ls / | tr '\n' ' ')"
