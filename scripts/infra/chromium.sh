# Chromium from Debian, for the browser checks of the API documentation pages. Not a server:
# `up` only makes sure it is installed and says where.

chromium_path() { command -v chromium || command -v chromium-browser; }

chromium_install() {
  chromium_path >/dev/null && return 0
  log "chromium: installing (apt)"
  apt_ensure chromium || die "apt-get install chromium failed; see $LOG_DIR/apt.log"
  chromium_path >/dev/null || die "chromium installed but not on PATH"
}

chromium_exports() { echo "export CHROMIUM_PATH=$(chromium_path)"; }
