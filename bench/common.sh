# Shared by the bench scripts (sourced): installs wrk from Debian's packages when missing and
# builds the release server, setting $bin to it.
ensure_wrk() {
  command -v wrk >/dev/null && return
  local sudo_cmd=""; [ "$(id -u)" = 0 ] || sudo_cmd="sudo"
  $sudo_cmd apt-get install -y -qq wrk || { $sudo_cmd apt-get update -qq && $sudo_cmd apt-get install -y -qq wrk; }
}

build_server() {
  cargo build --release --quiet -p dadashop-server
  bin="${CARGO_TARGET_DIR:-$root/target}/release/dadashop"
}
