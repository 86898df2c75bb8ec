#!/usr/bin/env bash
# Installs the Debian packages the parser, the web application and their tests need
# (used by `make test`, `make run` and `make bench`).
# Safe to re-run: packages already present are skipped without touching apt.
set -euo pipefail

PACKAGES=(
  tesseract-ocr tesseract-ocr-vie   # OCR of scanned plans, Vietnamese model
  poppler-utils                     # pdftoppm: renders PDF pages to raw images for OCR
  fonts-liberation2                 # Times-metric fonts with Vietnamese glyphs for PDF fixtures
  libreoffice-writer-nogui          # .doc conversion and DOCX -> PDF fixtures
  postgresql                        # Debian 12: PostgreSQL 15; scripts/with-postgres.sh runs the tests on it
  chromium                          # Playwright drives /usr/bin/chromium; it never downloads a browser
  redis-server                      # the queue tests run Huey on a real Redis
)

# Debian's own python3 cannot make a venv without python3-venv (no ensurepip).
PYTHON=${PYTHON:-python3.11}
command -v "$PYTHON" >/dev/null || PYTHON=python3
if ! "$PYTHON" -c "import ensurepip, venv" 2>/dev/null; then
  PACKAGES+=(python3-venv)
fi

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
  echo "Missing system packages: ${missing[*]}" >&2
  echo "Install them with: sudo apt-get install --no-install-recommends ${missing[*]}" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}"
