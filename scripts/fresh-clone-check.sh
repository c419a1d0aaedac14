#!/usr/bin/env bash
# The README's install on a fresh clone, with nothing but the project's own files to go on: clones
# this repository's HEAD (committed files only) into a temp folder, runs `npm install` with an empty
# environment (PATH and HOME only: no ONNXRUNTIME_NODE_INSTALL or any other variable; of the user's
# npm config only what reaches the registry), and checks that it exits 0, that it compiled nothing
# (no dependency is a native addon built on install: no compiler, no node headers needed) and that
# onnxruntime-node loads. Needs only the npm registry (or npm's cache), no other host:
# onnxruntime-node's CUDA download is off (.npmrc, allowScripts).
# Usage: scripts/fresh-clone-check.sh [--keep]   (--keep leaves the clone for a look)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
keep=${1:-}
command -v git >/dev/null || { echo "fresh-clone-check: git is not installed (apt-get install -y git)" >&2; exit 1; }

dir=$(mktemp -d "${TMPDIR:-/tmp}/holoct-fresh-clone.XXXXXX")
[ "$keep" = --keep ] || trap 'rm -rf "$dir"' EXIT
head=$(git -C "$root" rev-parse HEAD)
git clone --quiet --no-checkout "$root" "$dir/holoct"
git -C "$dir/holoct" checkout --quiet --detach "$head"

# A fresh machine has no user npm config: keep only what reaches the registry (registry, proxy, CA),
# so that a build setting in ~/.npmrc (e.g. nodedir) cannot hide one the project's .npmrc lacks.
userconfig="$dir/user.npmrc"
grep -E '^[[:space:]]*(registry|@[^=]*:registry|//[^=]*|cafile|ca|strict-ssl|proxy|https-proxy|noproxy)[[:space:]]*=' \
  "${NPM_CONFIG_USERCONFIG:-$HOME/.npmrc}" >"$userconfig" 2>/dev/null || true
clean_env=(env -i "PATH=$PATH" "HOME=$HOME" "npm_config_userconfig=$userconfig")
start=$(date +%s)
# --foreground-scripts: what install scripts print (node-gyp's lines among it) lands in the log.
if ! (cd "$dir/holoct" && "${clean_env[@]}" npm install --no-audit --no-fund --foreground-scripts >"$dir/npm-install.log" 2>&1); then
  tail -n 40 "$dir/npm-install.log" >&2
  echo "fresh-clone-check: npm install failed on a fresh clone of $head (log above)" >&2
  exit 1
fi
seconds=$(( $(date +%s) - start ))
# Nothing compiled: node-gyp printed nothing, and no package with a binding.gyp got node-gyp's
# build/Makefile or build/config.gypi (what `node-gyp configure` writes; packages do not ship them).
if grep -E 'gyp (info|WARN|ERR!)|node-gyp' "$dir/npm-install.log" >&2; then
  echo "fresh-clone-check: npm install ran node-gyp (lines above): a dependency compiles on install, which needs a compiler and node's headers" >&2
  exit 1
fi
built=$(cd "$dir/holoct" && find node_modules -name binding.gyp -not -path '*/test/*' 2>/dev/null | while read -r gyp; do
  folder=$(dirname "$gyp")
  if [ -e "$folder/build/Makefile" ] || [ -e "$folder/build/config.gypi" ]; then echo "$folder"; fi
done)
if [ -n "$built" ]; then
  echo "fresh-clone-check: npm install compiled native addons in: $built" >&2
  exit 1
fi
# onnxruntime-node (the CLI's inference) ships its binaries prebuilt in the package.
if ! (cd "$dir/holoct" && "${clean_env[@]}" node -e "require('onnxruntime-node')"); then
  echo "fresh-clone-check: npm install passed but onnxruntime-node does not load in the fresh clone" >&2
  exit 1
fi
echo "fresh-clone-check: npm install on a fresh clone of ${head:0:12} passed in ${seconds} s and compiled nothing; onnxruntime-node loads${keep:+ ($dir/holoct)}"
