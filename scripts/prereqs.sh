#!/bin/sh
# The Debian packages HoloCT's tests need (`npm test` runs this first, as its `pretest`).
# Missing ones are installed when this runs as root with apt-get (one `apt-get update`, then
# `apt-get install --no-install-recommends`); otherwise it stops at once, naming each missing package
# and the command that installs it. Nothing is downloaded when everything is present.
set -eu

# package|why the tests need it
PACKAGES='python3|the training checks (node training/run.mjs --check)
chromium|browser and headset-emulation tests (tests/e2e, tests/pacs)
mesa-vulkan-drivers|WebGPU in headless Chromium through SwiftShader (tests/e2e/webgpu.test.ts)
orthanc|the PACS tests start a throw-away Orthanc on loopback (tests/pacs)
orthanc-dicomweb|Orthanc DICOMweb plugin: QIDO-RS/WADO-RS/STOW-RS for the PACS tests
redis-server|the team-session tests run two sync servers over one Redis on loopback
dicom3tools|dciodvfy validates the exported DICOM SEG
python3-torch|training checks (node training/run.mjs --check)
python3-onnx|training checks: export and check the ONNX graph
python3-numpy|training checks
python3-scipy|training checks
python3-nibabel|training checks: reading NIfTI
python3-pydicom|training checks: reading DICOM
python3-pil|training checks: JPEG 2000 DICOM and previews
openssl|the self-signed HTTPS certificate npm start (and the browser tests) make'

# Services Debian starts when it installs these packages; the tests start their own instances.
SERVICES='orthanc redis-server'

if ! command -v dpkg-query >/dev/null 2>&1; then
  echo "prereqs: not a Debian system (no dpkg-query), nothing checked. The tests need the equivalents of:" >&2
  printf '%s\n' "$PACKAGES" | sed 's/^/  /; s/|/: /' >&2
  exit 0
fi

missing=''
for pkg in $(printf '%s\n' "$PACKAGES" | cut -d'|' -f1); do
  status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
  [ "$status" = 'install ok installed' ] || missing="$missing $pkg"
done
missing=${missing# }
[ -z "$missing" ] && exit 0

command="apt-get install -y --no-install-recommends $missing"
if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "HoloCT's tests need Debian packages that are not installed:" >&2
  for pkg in $missing; do
    printf '  %-20s %s\n' "$pkg" "$(printf '%s\n' "$PACKAGES" | grep "^$pkg|" | cut -d'|' -f2)" >&2
  done
  sudo=''; [ "$(id -u)" -eq 0 ] || sudo='sudo '
  echo "Install them as root, then run the tests again:" >&2
  echo "  ${sudo}apt-get update && ${sudo}$command" >&2
  exit 1
fi

echo "prereqs: installing $missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update
# shellcheck disable=SC2086 # one word per package
apt-get install -y --no-install-recommends $missing
for service in $SERVICES; do
  case " $missing " in *" $service "*) ;; *) continue ;; esac
  # Only what this run installed: a service someone runs on purpose is left alone.
  if command -v service >/dev/null 2>&1; then service "$service" stop >/dev/null 2>&1 || true; fi
done
