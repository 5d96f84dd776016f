#!/usr/bin/env bash
# The real-browser tests (Tests/browser): Chromium headless through Selenium against `khaothi demo`.
# Needs: apt-get install chromium chromium-driver libjs-katex; pip install selenium.
# Screenshots and console logs of failures: .build/browser-shots/.
set -euo pipefail
cd "$(dirname "$0")/.."
swift build --product khaothi
rm -rf .build/browser-shots
python3 -m unittest discover -s Tests/browser -p 'test_*.py' -v
