#!/usr/bin/env bash
# The README's install on a fresh clone, with nothing but the project's own files to go on: clones
# this repository's HEAD (committed files only) into a temp folder, runs `npm install` with an empty
# environment (PATH and HOME only: no ONNXRUNTIME_NODE_INSTALL or any other variable), and checks that
# it exits 0 and that onnxruntime-node loads. Needs only the npm registry (or npm's cache), no other
# host: onnxruntime-node's CUDA download is off (.npmrc, allowScripts) and sqlite3 compiles locally.
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

clean_env=(env -i "PATH=$PATH" "HOME=$HOME")
start=$(date +%s)
if ! (cd "$dir/holoct" && "${clean_env[@]}" npm install --no-audit --no-fund >"$dir/npm-install.log" 2>&1); then
  tail -n 40 "$dir/npm-install.log" >&2
  echo "fresh-clone-check: npm install failed on a fresh clone of $head (log above)" >&2
  exit 1
fi
seconds=$(( $(date +%s) - start ))
if ! (cd "$dir/holoct" && "${clean_env[@]}" node -e "require('onnxruntime-node')"); then
  echo "fresh-clone-check: npm install passed but onnxruntime-node does not load in the fresh clone" >&2
  exit 1
fi
echo "fresh-clone-check: npm install on a fresh clone of ${head:0:12} passed in ${seconds} s; onnxruntime-node loads${keep:+ ($dir/holoct)}"
