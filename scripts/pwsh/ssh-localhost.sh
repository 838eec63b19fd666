#!/usr/bin/env bash
# An SSH server on this machine for the module's remoting tests (Remoting.Tests.ps1): Debian's
# openssh-server, run as its own instance (not the system's) on 127.0.0.1 and 127.0.0.2 port
# 52222, key authentication only, with PowerShell's SSH subsystem (pwsh -sshs). Idempotent: a
# running instance with the same configuration is kept. Everything lives in .cache/pwsh/ssh:
#   client_ed25519   the key the tests log in with      known_hosts   this server's host key
#   modules/         the remote sessions' user module folder (XDG_DATA_HOME), so the copy the
#                    module makes "on the server" never lands in the real user's folder
# Prints the line to export: MFA_PESTER_SSH=<that folder> (the tests skip without it).
#   bash scripts/pwsh/ssh-localhost.sh [--stop]
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
dir="$root/.cache/pwsh/ssh"
port=52222
mkdir -p "$dir"
if [ "${1:-}" = "--stop" ]; then
  if [ -f "$dir/sshd.pid" ] && kill -0 "$(cat "$dir/sshd.pid")" 2>/dev/null; then kill "$(cat "$dir/sshd.pid")"; fi
  exit 0
fi
if [ ! -x /usr/sbin/sshd ]; then
  apt-get update -q >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends openssh-server >/dev/null
fi
pwsh="$(node "$root/scripts/pwsh/install.mjs" --check | sed -n 's/^pwsh [0-9.]*: //p')"
if [ -z "$pwsh" ] || [ "$pwsh" = missing ]; then
  echo "pwsh is not installed: run node scripts/pwsh/install.mjs first" >&2
  exit 1
fi
[ -f "$dir/host_ed25519" ] || ssh-keygen -q -t ed25519 -N '' -C mfa-pester-host -f "$dir/host_ed25519"
[ -f "$dir/client_ed25519" ] || ssh-keygen -q -t ed25519 -N '' -C mfa-pester-client -f "$dir/client_ed25519"
cp "$dir/client_ed25519.pub" "$dir/authorized_keys"
chmod 600 "$dir/authorized_keys" "$dir/client_ed25519" "$dir/host_ed25519"
mkdir -p "$dir/modules"
hostkey="$(cut -d' ' -f1,2 "$dir/host_ed25519.pub")"
printf '[127.0.0.1]:%s %s\n[127.0.0.2]:%s %s\n[localhost]:%s %s\n' "$port" "$hostkey" "$port" "$hostkey" "$port" "$hostkey" > "$dir/known_hosts"
cat > "$dir/sshd_config.new" <<CONF
# Written by scripts/pwsh/ssh-localhost.sh: the module's remoting tests only.
Port $port
ListenAddress 127.0.0.1
ListenAddress 127.0.0.2
HostKey $dir/host_ed25519
PidFile $dir/sshd.pid
AuthorizedKeysFile $dir/authorized_keys
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin prohibit-password
StrictModes no
UsePAM no
AllowUsers $(id -un)
SetEnv XDG_DATA_HOME=$dir/modules MFA_UPGRADE_CLI="node $root/dist/mfa-upgrade.cjs" POWERSHELL_TELEMETRY_OPTOUT=1 POWERSHELL_UPDATECHECK=Off DOTNET_ROOT=${DOTNET_ROOT:-/usr/share/dotnet}
Subsystem powershell $pwsh -sshs -NoLogo -NoProfile
CONF
running=0
if [ -f "$dir/sshd.pid" ] && kill -0 "$(cat "$dir/sshd.pid")" 2>/dev/null; then running=1; fi
if [ $running = 1 ] && cmp -s "$dir/sshd_config.new" "$dir/sshd_config"; then
  rm "$dir/sshd_config.new"
else
  if [ $running = 1 ]; then kill "$(cat "$dir/sshd.pid")"; sleep 1; fi
  mv "$dir/sshd_config.new" "$dir/sshd_config"
  mkdir -p /run/sshd
  /usr/sbin/sshd -t -f "$dir/sshd_config"
  /usr/sbin/sshd -f "$dir/sshd_config"
fi
# The server answers: one command through the PowerShell subsystem's own client. A server just
# started may not accept yet on a loaded machine (CI saw exit 255 once): ask again for a while.
probe() { ssh -q -p $port -i "$dir/client_ed25519" -o UserKnownHostsFile="$dir/known_hosts" -o BatchMode=yes -o ConnectTimeout=5 "$(id -un)@127.0.0.1" true; }
tries=0
until probe; do
  tries=$((tries + 1))
  if [ $tries -ge 15 ]; then
    echo "the SSH server on 127.0.0.1:$port does not answer (see $dir/sshd_config; is another server on that port?)" >&2
    exit 1
  fi
  sleep 1
done
echo "MFA_PESTER_SSH=$dir"
