# Shared by the bench scripts (sourced): installs wrk from Debian's packages when missing and
# builds the release server, setting $bin to it.
ensure_wrk() {
  command -v wrk >/dev/null && return
  local sudo_cmd=""; [ "$(id -u)" = 0 ] || sudo_cmd="sudo"
  $sudo_cmd apt-get install -y -qq wrk || { $sudo_cmd apt-get update -qq && $sudo_cmd apt-get install -y -qq wrk; }
}

# BENCH_BIN=<path> measures that binary instead (an older build, to compare two in one
# sitting with the same harness).
build_server() {
  if [ -n "${BENCH_BIN:-}" ]; then
    bin="$BENCH_BIN"
    return
  fi
  cargo build --release --quiet -p dadashop-server
  bin="${CARGO_TARGET_DIR:-$root/target}/release/dadashop"
}
