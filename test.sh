#!/usr/bin/env bash
# Runs every test. On a fresh Debian machine (root) it installs and starts what the tests need first, so this
# one command is all a newcomer or CI runs.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"

mvn -B -ntp verify "$@"
